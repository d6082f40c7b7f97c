//! Reads a results folder back into a [`RunResult`] so `show` prints exactly
//! what `run` printed, from the CSVs and experiment.toml alone.

use crate::analysis::{FlowAnalysis, MessageRow, RecvRow, Summary};
use crate::error::{Error, Result};
use crate::expect::check_trial;
use crate::experiment::{plan, Overrides, Plan, Source};
use crate::payload::FlowModel;
use crate::run::{delivery, RunResult, TrialResult};
use crate::trace::{Flow, MessageSpan, RecvEvent, SendEvent};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

type Key = (usize, u32, Flow);

#[derive(Deserialize)]
struct SendIn {
    scenario: usize,
    trial: u32,
    flow: Flow,
    t_ns: u64,
    msg_id: u64,
    offset: u64,
    len: u64,
    ret: u64,
}

#[derive(Deserialize)]
struct RecvIn {
    scenario: usize,
    trial: u32,
    flow: Flow,
    t_ns: u64,
    offset: u64,
    len: u64,
    first_msg: Option<u64>,
    last_msg: Option<u64>,
    kind: crate::analysis::RecvKind,
    truncated: bool,
    asked: u64,
}

#[derive(Deserialize)]
struct MessageIn {
    scenario: usize,
    trial: u32,
    flow: Flow,
    msg_id: u64,
    offset: u64,
    len: u64,
    sent_ns: Option<u64>,
    delivered_ns: Option<u64>,
    reads: u64,
    fate: crate::analysis::Fate,
}

/// A summary.csv row: the key columns, then every column by name.
struct SummaryIn {
    scenario: usize,
    trial: u32,
    flow: Flow,
    rest: BTreeMap<String, String>,
}

/// Reads `dir` (experiment.toml and the CSVs) back into a run.
pub fn read_results(dir: &Path) -> Result<RunResult> {
    let toml_path = dir.join("experiment.toml");
    let text = std::fs::read_to_string(&toml_path).map_err(|e| Error::Read {
        path: toml_path.clone(),
        source: e,
    })?;
    let stem = dir
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let plan = plan(
        &Source {
            label: toml_path.display().to_string(),
            text,
            stem,
        },
        &Overrides::default(),
    )?;
    let mut flows: BTreeMap<Key, FlowAnalysis> = BTreeMap::new();
    for s in read_summary(dir)? {
        let exp = &scenario(&plan, s.scenario, dir)?.experiment;
        let summary = summary_from(&s.rest).map_err(|m| Error::Results {
            path: dir.join("summary.csv"),
            msg: m,
        })?;
        flows.insert(
            (s.scenario, s.trial, s.flow),
            empty_flow(s.flow, delivery(exp, s.flow), summary),
        );
    }
    let missing = |file: &str, k: Key| Error::Results {
        path: dir.join(file),
        msg: format!(
            "has rows for scenario {} trial {} flow {} that summary.csv lacks",
            k.0, k.1, k.2
        ),
    };
    for r in read_csv::<SendIn>(dir, "sends.csv")? {
        let f = flows
            .get_mut(&(r.scenario, r.trial, r.flow))
            .ok_or_else(|| missing("sends.csv", (r.scenario, r.trial, r.flow)))?;
        f.short_writes += u64::from(r.ret < r.len);
        f.sends.push(SendEvent {
            t_ns: r.t_ns,
            msg_id: r.msg_id,
            offset: r.offset,
            len: r.len,
            ret: r.ret,
        });
    }
    for r in read_csv::<RecvIn>(dir, "recvs.csv")? {
        let f = flows
            .get_mut(&(r.scenario, r.trial, r.flow))
            .ok_or_else(|| missing("recvs.csv", (r.scenario, r.trial, r.flow)))?;
        let event = RecvEvent {
            t_ns: r.t_ns,
            offset: r.offset,
            len: r.len,
            asked: r.asked,
            truncated: r.truncated,
        };
        f.recvs.push(RecvRow {
            event,
            first_msg: r.first_msg,
            last_msg: r.last_msg,
            kind: r.kind,
        });
    }
    for m in read_csv::<MessageIn>(dir, "messages.csv")? {
        let f = flows
            .get_mut(&(m.scenario, m.trial, m.flow))
            .ok_or_else(|| missing("messages.csv", (m.scenario, m.trial, m.flow)))?;
        let span = MessageSpan {
            id: m.msg_id,
            offset: m.offset,
            len: m.len,
        };
        f.messages.push(MessageRow {
            span,
            sent_ns: m.sent_ns,
            delivered_ns: m.delivered_ns,
            reads: m.reads,
            fate: m.fate,
        });
    }
    let meta: serde_json::Value = std::fs::read_to_string(dir.join("meta.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    for e in meta["decode_errors"].as_array().into_iter().flatten() {
        let flow = if e["flow"] == "s2c" {
            Flow::S2c
        } else {
            Flow::C2s
        };
        let key = (
            e["scenario"].as_u64().unwrap_or(0) as usize,
            e["trial"].as_u64().unwrap_or(0) as u32,
            flow,
        );
        if let Some(f) = flows.get_mut(&key) {
            f.decode_error = e["error"].as_str().map(String::from);
        }
    }
    let trials = assemble(&plan, flows);
    Ok(RunResult {
        plan,
        trials,
        started_unix: meta["start_unix_s"].as_u64().unwrap_or(0),
        duration_ns: meta["duration_ns"].as_u64().unwrap_or(0),
    })
}

fn scenario<'a>(plan: &'a Plan, i: usize, dir: &Path) -> Result<&'a crate::experiment::Scenario> {
    plan.scenarios.get(i).ok_or_else(|| Error::Results {
        path: dir.join("summary.csv"),
        msg: format!("scenario {i} is not in experiment.toml"),
    })
}

fn empty_flow(flow: Flow, delivery: crate::analysis::Delivery, summary: Summary) -> FlowAnalysis {
    FlowAnalysis {
        flow,
        delivery,
        messages: Vec::new(),
        recvs: Vec::new(),
        sends: Vec::new(),
        summary,
        short_writes: 0,
        would_block: 0,
        discarded: 0,
        drops: None,
        decode_error: None,
    }
}

/// Groups flows into trials, with truncation totals and expectations redone.
fn assemble(plan: &Plan, flows: BTreeMap<Key, FlowAnalysis>) -> Vec<TrialResult> {
    let mut trials: Vec<TrialResult> = Vec::new();
    for ((scenario, trial, _), mut fa) in flows {
        fa.discarded = fa
            .recvs
            .iter()
            .filter(|r| r.event.truncated)
            .filter_map(|r| {
                fa.messages
                    .iter()
                    .find(|m| Some(m.span.id) == r.first_msg)
                    .map(|m| m.span.len - r.event.len)
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
            }),
        }
    }
    for t in &mut trials {
        let exp = &plan.scenarios[t.scenario].experiment;
        t.outcome = check_trial(exp, &t.flows, &FlowModel::of(exp));
    }
    trials
}

fn summary_from(rest: &BTreeMap<String, String>) -> std::result::Result<Summary, String> {
    let get = |k: &str| rest.get(k).ok_or_else(|| format!("has no column `{k}`"));
    let num = |k: &str| {
        get(k)?
            .parse::<u64>()
            .map_err(|_| format!("column `{k}` is not a whole number"))
    };
    let frac = |k: &str| {
        get(k)?
            .parse::<f64>()
            .map_err(|_| format!("column `{k}` is not a number"))
    };
    Ok(Summary {
        messages: num("messages")?,
        recvs: num("recvs")?,
        segments: get("segments")?.parse().ok(),
        whole: num("whole")?,
        sticky: num("sticky")?,
        fragment: num("fragment")?,
        intact: num("intact")?,
        merged: num("merged")?,
        split: num("split")?,
        truncated: num("truncated")?,
        lost: num("lost")?,
        corrupt: num("corrupt")?,
        merged_fraction: frac("merged_fraction")?,
        split_fraction: frac("split_fraction")?,
        bytes: num("bytes")?,
        duration_ns: num("duration_ns")?,
    })
}

/// Reads summary.csv, whose swept-parameter columns vary by experiment.
fn read_summary(dir: &Path) -> Result<Vec<SummaryIn>> {
    let path = dir.join("summary.csv");
    let fail = |msg: String| Error::Results {
        path: path.clone(),
        msg,
    };
    let mut r = csv::Reader::from_path(&path).map_err(|e| fail(e.to_string()))?;
    let header = r.headers().map_err(|e| fail(e.to_string()))?.clone();
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| fail(e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        let rest: BTreeMap<String, String> = header
            .iter()
            .zip(rec.iter())
            .map(|(h, v)| (h.to_string(), v.to_string()))
            .collect();
        let field = |k: &str| rest.get(k).cloned().unwrap_or_default();
        let bad = |k: &str| fail(format!("line {line}: column `{k}` is missing or invalid"));
        let flow = match field("flow").as_str() {
            "c2s" => Flow::C2s,
            "s2c" => Flow::S2c,
            _ => return Err(bad("flow")),
        };
        let scenario = field("scenario").parse().map_err(|_| bad("scenario"))?;
        let trial = field("trial").parse().map_err(|_| bad("trial"))?;
        rows.push(SummaryIn {
            scenario,
            trial,
            flow,
            rest,
        });
    }
    Ok(rows)
}

/// Reads every row of `dir/name`; an error names the file and line.
fn read_csv<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<Vec<T>> {
    let path = dir.join(name);
    let mut r = csv::Reader::from_path(&path).map_err(|e| Error::Results {
        path: path.clone(),
        msg: e.to_string(),
    })?;
    r.deserialize()
        .map(|row| {
            row.map_err(|e| {
                let line = e
                    .position()
                    .map_or(String::new(), |p| format!("line {}: ", p.line()));
                Error::Results {
                    path: path.clone(),
                    msg: format!("{line}{e}"),
                }
            })
        })
        .collect()
}
