//! `--format json`: the same facts as the terminal report, for machines.

use super::verdict::verdict;
use crate::analysis::{recv_texts, RunResult};
use serde_json::{json, Value};

/// The run as a JSON value.
pub fn run_json(run: &RunResult) -> Value {
    let (ok, total) = run.reproduced();
    let scenarios: Vec<Value> = run
        .plan
        .scenarios
        .iter()
        .map(|sc| {
            let exp = &sc.experiment;
            let trials: Vec<Value> = run.trials.iter().filter(|t| t.scenario == sc.index).map(|t| {
                let commands = t.flows.first().map_or(0, |f| f.summary.messages);
                let flows: Vec<Value> = t.flows.iter().map(|fa| {
                    let texts = recv_texts(fa);
                    let causes = crate::analysis::Causer::new(fa);
                    let recvs: Vec<Value> = fa.recvs.iter().zip(&texts).enumerate().map(|(i, (r, text))| json!({
                        "t_ns": r.event.t_ns, "offset": r.event.offset, "len": r.event.len, "first_msg": r.first_msg,
                        "last_msg": r.last_msg, "kind": r.kind.to_string(), "truncated": r.event.truncated,
                        "cause": causes.recv(i).as_str(), "text": text,
                    })).collect();
                    json!({ "flow": fa.flow.to_string(), "boundaries": fa.boundaries.describe(), "summary": fa.summary, "verdict": verdict(exp, fa, commands, run.unix(t)), "recvs": recvs })
                }).collect();
                let requests: Vec<Value> = t.requests.iter().map(|r| json!({
                    "request": r.request, "sent_ns": r.sent_ns, "reply_ns": r.reply_ns, "latency_ns": r.latency_ns,
                })).collect();
                json!({ "trial": t.trial, "reproduced": t.outcome.ok, "failures": t.outcome.failures, "flows": flows,
                        "requests": requests, "requests_verdict": super::verdict::request_lines(exp, t) })
            }).collect();
            let params: serde_json::Map<String, Value> = sc.params.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
            json!({ "scenario": sc.index, "params": params, "trials": trials })
        })
        .collect();
    json!({
        "experiment": run.plan.name,
        "title": run.plan.scenarios[0].experiment.title,
        "reproduced": ok == total,
        "trials_reproduced": ok,
        "trials": total,
        "duration_ns": run.duration_ns,
        "scenarios": scenarios,
    })
}
