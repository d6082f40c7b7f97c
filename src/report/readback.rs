//! Reads a results folder back into a [`RunResult`] so `show` prints exactly
//! what `run` printed, from the CSVs and experiment.toml alone.

use super::load::{
    read_rows, LoadError, MessageRow as MessageIn, RecvRow as RecvIn, SendRow as SendIn,
};
use super::open::{read_text, SMALL_CAP};
use super::summary::{self, FIGURES};
use crate::analysis::{FlowAnalysis, MessageRow, RecvRow, Summary};
use crate::error::{Error, Result};
use crate::expect::check_trial;
use crate::experiment::{plan, Overrides, Plan, Source};
use crate::payload::FlowModel;
use crate::run::{delivery, RunResult, TrialResult};
use crate::trace::{Flow, MessageSpan, RecvEvent, SendEvent};
use std::collections::BTreeMap;
use std::path::Path;

type Key = (usize, u32, Flow);

/// Reads `dir` (experiment.toml and the CSVs) back into a run.
pub fn read_results(dir: &Path) -> Result<RunResult> {
    let toml_path = dir.join("experiment.toml");
    let text = read_text(&toml_path, SMALL_CAP)?;
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
    let loaded = |e: LoadError| Error::Results {
        path: dir.to_path_buf(),
        msg: e.to_string(),
    };
    let (_, rows) = summary::read(&dir.join("summary.csv")).map_err(loaded)?;
    for s in rows {
        let exp = &scenario(&plan, s.scenario as usize, dir)?.experiment;
        let summary = summary_from(&s.figures).map_err(|m| Error::Results {
            path: dir.join("summary.csv"),
            msg: m,
        })?;
        flows.insert(
            (s.scenario as usize, s.trial, s.flow),
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
    for r in read_rows::<SendIn>(&dir.join("sends.csv")).map_err(loaded)? {
        let f = flows
            .get_mut(&(r.scenario as usize, r.trial, r.flow))
            .ok_or_else(|| missing("sends.csv", (r.scenario as usize, r.trial, r.flow)))?;
        let ret = u64::try_from(r.ret).unwrap_or(0);
        f.short_writes += u64::from(ret < r.len);
        f.sends.push(SendEvent {
            t_ns: r.t_ns,
            msg_id: r.msg_id,
            offset: r.offset,
            len: r.len,
            ret,
        });
    }
    for r in read_rows::<RecvIn>(&dir.join("recvs.csv")).map_err(loaded)? {
        let f = flows
            .get_mut(&(r.scenario as usize, r.trial, r.flow))
            .ok_or_else(|| missing("recvs.csv", (r.scenario as usize, r.trial, r.flow)))?;
        let event = RecvEvent {
            t_ns: r.t_ns,
            offset: r.offset,
            len: r.len,
            asked: if r.asked > 0 { r.asked } else { r.len },
            truncated: r.truncated,
        };
        f.recvs.push(RecvRow {
            event,
            first_msg: r.first_msg,
            last_msg: r.last_msg,
            kind: r.kind,
        });
    }
    for m in read_rows::<MessageIn>(&dir.join("messages.csv")).map_err(loaded)? {
        let f = flows
            .get_mut(&(m.scenario as usize, m.trial, m.flow))
            .ok_or_else(|| missing("messages.csv", (m.scenario as usize, m.trial, m.flow)))?;
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
    let meta: serde_json::Value = read_text(&dir.join("meta.json"), SMALL_CAP)
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

/// A [`Summary`] from summary.csv's figure columns (in [`FIGURES`] order).
fn summary_from(figures: &[Option<f64>]) -> std::result::Result<Summary, String> {
    let get = |k: &str| {
        let i = FIGURES
            .iter()
            .position(|f| *f == k)
            .ok_or_else(|| format!("has no column `{k}`"))?;
        Ok::<_, String>(figures.get(i).copied().flatten())
    };
    let num = |k: &str| {
        get(k)?
            .map(|v| v as u64)
            .ok_or_else(|| format!("column `{k}` is empty"))
    };
    let frac = |k: &str| get(k)?.ok_or_else(|| format!("column `{k}` is empty"));
    Ok(Summary {
        messages: num("messages")?,
        recvs: num("recvs")?,
        segments: get("segments")?.map(|v| v as u64),
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
