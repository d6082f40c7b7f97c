//! Reads a results folder back into a [`RunResult`] so `show` prints exactly
//! what `run` printed, from the CSVs and experiment.toml alone. The folder is
//! read and checked by [`load`]; this adds the checks that need the plan:
//! every scenario and trial exists, the swept columns are the plan's, and
//! each c2s flow has as many messages as the experiment sends (so the work
//! `show` does follows from the size of the files, not from a count in
//! experiment.toml).

use super::load::{load, LoadError, Results};
use super::meta;
use super::table::csv_msg;
use crate::analysis::{
    check_trial, FlowAnalysis, MessageRow, RecvRow, RunResult, Summary, TrialResult,
};
use crate::engine::{delivery, Models};
use crate::error::Result;
use crate::experiment::{plan, Messages, Overrides, Plan, Source};
use crate::trace::{Boundaries, Content, Flow, MessageSpan, Queued, RecvEvent, SendEvent};
use std::collections::BTreeMap;
use std::path::Path;

type Key = (usize, u32, Flow);

/// Reads `dir` (experiment.toml, the CSVs and meta.json) back into a run.
pub fn read_results(dir: &Path) -> Result<RunResult> {
    let mut res = load(dir)?;
    let stem = dir
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let recorded = meta::read(dir)?;
    let plan = plan(
        &Source {
            label: dir.join("experiment.toml").display().to_string(),
            text: std::mem::take(&mut res.experiment.toml),
            stem,
        },
        // The run already passed its --max-runs; MAX_SCENARIOS still bounds it.
        // A peer command may have listened on an address the user named.
        &Overrides {
            max_runs: Some(u64::MAX),
            any_address: recorded.peer.is_some(),
            ..Overrides::default()
        },
    )?;
    check_plan(&plan, &res, recorded.peer.is_some())?;
    let requests = std::mem::take(&mut res.requests);
    let mut flows = flows(&plan, res);
    if recorded.peer.is_some() && recorded.recorded.is_empty() {
        let msg = "recorded: missing, but a peer command wrote this folder".to_string();
        return Err(meta::error(dir, msg).into());
    }
    for r in recorded.recorded {
        let Some(f) = flows.get_mut(&(r.scenario as usize, r.trial, r.flow)) else {
            let msg = format!(
                "recorded: scenario {} trial {} flow {} is not in summary.csv",
                r.scenario, r.trial, r.flow
            );
            return Err(meta::error(dir, msg).into());
        };
        f.boundaries = r.boundaries;
        if let Some(content) = r.content {
            f.content = content;
        }
    }
    for e in recorded.decode_errors {
        match flows.get_mut(&(e.scenario as usize, e.trial, e.flow)) {
            Some(f) => f.decode_error = Some(e.error),
            None => {
                let msg = format!(
                    "decode_errors: scenario {} trial {} flow {} is not in summary.csv",
                    e.scenario, e.trial, e.flow
                );
                return Err(meta::error(dir, msg).into());
            }
        }
    }
    let mut trials = assemble(&plan, flows, recorded.peer.is_some());
    for r in requests {
        let t = trials
            .iter_mut()
            .find(|t| t.scenario == r.scenario as usize && t.trial == r.trial);
        if let Some(t) = t {
            t.requests.push(crate::analysis::Request {
                request: r.request,
                sent_ns: r.sent_ns,
                reply_ns: r.reply_ns,
                latency_ns: r.latency_ns,
            });
        }
    }
    Ok(RunResult {
        trials,
        plan,
        started_unix: recorded.start_unix_s,
        duration_ns: recorded.duration_ns,
        host: recorded.host,
        peer: recorded.peer,
    })
}

/// One [`FlowAnalysis`] per summary.csv row, with its rows from the CSVs.
/// Rows are moved out as they are converted, so two copies of a large
/// folder never sit in memory at once.
fn flows(plan: &Plan, res: Results) -> BTreeMap<Key, FlowAnalysis> {
    let mut flows = summary_flows(plan, &res);
    // Every row's (scenario, trial, flow) is in summary.csv: load checked it.
    for r in res.sends {
        if let Some(f) = flows.get_mut(&(r.scenario as usize, r.trial, r.flow)) {
            push_send(f, r);
        }
    }
    for r in res.recvs {
        if let Some(f) = flows.get_mut(&(r.scenario as usize, r.trial, r.flow)) {
            push_recv(f, r);
        }
    }
    for m in res.messages {
        if let Some(f) = flows.get_mut(&(m.scenario as usize, m.trial, m.flow)) {
            push_message(f, m);
        }
    }
    for s in res.segments.into_iter().flatten() {
        if let Some(f) = flows.get_mut(&(s.scenario as usize, s.trial, s.flow)) {
            // load checked the flags.
            let flags = crate::trace::wire::parse_flags(&s.flags).unwrap_or(0);
            f.wire.push(crate::trace::Segment {
                t_ns: s.t_ns,
                offset: s.offset,
                len: s.len.min(u64::from(u32::MAX)) as u32,
                flags,
            });
        }
    }
    flows
}

/// One empty flow per summary.csv row, with its summary, content and delivery.
fn summary_flows(plan: &Plan, res: &Results) -> BTreeMap<Key, FlowAnalysis> {
    let mut flows: BTreeMap<Key, FlowAnalysis> = BTreeMap::new();
    // The engine's payload model gives the bytes back, built once per scenario.
    let mut models: BTreeMap<usize, Models> = BTreeMap::new();
    for s in &res.summary {
        let exp = &plan.scenarios[s.scenario as usize].experiment;
        let models = models
            .entry(s.scenario as usize)
            .or_insert_with(|| Models::of(exp));
        let mut fa = empty_flow(
            s.flow,
            Summary::from_values(&s.figures),
            models.content(s.flow),
        );
        fa.delivery = delivery(exp, s.flow);
        flows.insert((s.scenario as usize, s.trial, s.flow), fa);
    }
    flows
}

/// Adds a sends.csv row to its flow, counting it if it was a short write.
fn push_send(f: &mut FlowAnalysis, r: super::load::SendRow) {
    let ret = u64::try_from(r.ret).unwrap_or(0);
    f.short_writes += u64::from(ret < r.len);
    // load checked both against its 1 GiB cap on a length: they fit a u32.
    f.sends.push(SendEvent {
        t_ns: r.t_ns,
        msg_id: r.msg_id,
        offset: r.offset,
        len: r.len as u32,
        ret: ret as u32,
    });
}

/// Adds a recvs.csv row to its flow (asked is the length when the column was absent).
fn push_recv(f: &mut FlowAnalysis, r: super::load::RecvRow) {
    // load checked both against its 1 GiB cap on a length: they fit a u32.
    let event = RecvEvent {
        t_ns: r.t_ns,
        offset: r.offset,
        len: r.len as u32,
        asked: if r.asked > 0 { r.asked } else { r.len } as u32,
        truncated: r.truncated,
        queued: Queued::new(r.queued),
    };
    f.recvs.push(RecvRow {
        event,
        first_msg: r.first_msg,
        last_msg: r.last_msg,
        kind: r.kind,
    });
}

/// Adds a messages.csv row to its flow.
fn push_message(f: &mut FlowAnalysis, m: super::load::MessageRow) {
    let span = MessageSpan {
        id: m.msg_id,
        offset: m.offset,
        len: m.len,
    };
    f.messages.push(MessageRow {
        span,
        sent_ns: m.sent_ns,
        delivered_ns: m.delivered_ns,
        reads: m.reads.unwrap_or(0),
        fate: m.fate,
    });
}

/// The checks that need the plan (see the module docs).
fn check_plan(plan: &Plan, res: &Results, peer: bool) -> std::result::Result<(), LoadError> {
    let summary = res.dir.join("summary.csv");
    if res.param_keys != plan.swept {
        let msg = format!(
            "swept columns [{}] are not experiment.toml's [{}]",
            res.param_keys.join(","),
            plan.swept.join(",")
        );
        return Err(csv_msg(&summary, 1, None, msg));
    }
    for s in &res.summary {
        let at = |col: &str, msg: String| csv_msg(&summary, s.line, Some(col.into()), msg);
        let n = plan.scenarios.len();
        let Some(sc) = plan.scenarios.get(s.scenario as usize) else {
            return Err(at(
                "scenario",
                format!(
                    "{} is not a scenario of experiment.toml, which has {n}",
                    s.scenario
                ),
            ));
        };
        let trials = sc.experiment.trials;
        if s.trial >= trials {
            return Err(at(
                "trial",
                format!(
                    "{} is not a trial of scenario {}, which has {trials}",
                    s.trial, s.scenario
                ),
            ));
        }
    }
    if peer {
        // Someone else's traffic: its messages are what a decoder found or
        // the user declared, not what experiment.toml would send.
        return Ok(());
    }
    let mut c2s: BTreeMap<(u32, u32), (u64, u64)> = BTreeMap::new();
    for m in res.messages.iter().filter(|m| m.flow == Flow::C2s) {
        c2s.entry((m.scenario, m.trial)).or_insert((m.line, 0)).1 += 1;
    }
    for ((scenario, trial), (line, rows)) in c2s {
        let want = match &plan.scenarios[scenario as usize].experiment.sender.messages {
            Messages::Explicit(list) => list.len() as u64,
            Messages::Generated { count, .. } => *count,
        };
        if rows != want {
            let msg = format!("scenario {scenario} trial {trial} flow c2s has {rows} messages from this line on, but experiment.toml sends {want}");
            return Err(csv_msg(&res.dir.join("messages.csv"), line, None, msg));
        }
    }
    Ok(())
}

/// A flow of a run's results: `run` wrote it, so its boundaries are the
/// messages as the engine sent them.
fn empty_flow(flow: Flow, summary: Summary, content: Content) -> FlowAnalysis {
    FlowAnalysis {
        flow,
        delivery: Default::default(),
        boundaries: Boundaries::Known,
        content,
        messages: Default::default(),
        recvs: Default::default(),
        sends: Vec::new(),
        summary,
        short_writes: 0,
        would_block: 0,
        discarded: 0,
        drops: None,
        decode_error: None,
        wire: Vec::new(),
        began: Vec::new(),
        mechanism: None,
    }
}

/// Groups flows into trials, with truncation totals and expectations redone.
fn assemble(plan: &Plan, flows: BTreeMap<Key, FlowAnalysis>, peer: bool) -> Vec<TrialResult> {
    let mut trials: Vec<TrialResult> = Vec::new();
    for ((scenario, trial, _), mut fa) in flows {
        // Message ids are 0, 1, … in order (checked by load): an id is an index.
        fa.discarded = fa
            .recvs
            .iter()
            .filter(|r| r.event.truncated)
            .map(|r| {
                let m = r.first_msg.and_then(|id| fa.messages.get(id as usize));
                m.map_or(0, |m| m.span.len.saturating_sub(u64::from(r.event.len)))
            })
            .sum();
        let duration_ns = fa.summary.duration_ns;
        match trials.last_mut() {
            Some(t) if t.scenario == scenario && t.trial == trial => t.flows.push(fa),
            _ => trials.push(TrialResult {
                scenario,
                trial,
                flows: vec![fa],
                duration_ns,
                outcome: Default::default(),
                capture: Default::default(),
                requests: Vec::new(),
            }),
        }
    }
    for t in &mut trials {
        let exp = &plan.scenarios[t.scenario].experiment;
        // The causes are worked out again as `run` did (someone else's
        // sender: the mechanism of a merge is not known).
        match peer {
            false => crate::analysis::apply_causes(&mut t.flows, exp),
            true => {
                for fa in &mut t.flows {
                    fa.mechanism = Some(crate::analysis::Mechanism::Unknown);
                }
            }
        }
        t.outcome = check_trial(exp, &t.flows);
    }
    trials
}
