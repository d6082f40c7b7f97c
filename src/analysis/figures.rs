//! The figures `[expect]` may bound, worked out from a flow's analysis, and
//! the checks of a trial and of a run against the experiment's `[expect]`
//! (whose rules live with its parsing, in the experiment).

use super::{FlowAnalysis, TrialResult};
use crate::experiment::{Experiment, Outcome, Plan};
use crate::trace::{Flow, RecvEvent};
use crate::units::escape_bytes;
use std::collections::BTreeMap;

/// Each recv's payload, escaped (empty where the bytes are not known).
pub fn recv_texts(fa: &FlowAnalysis) -> Vec<String> {
    let mut buf = Vec::new();
    (0..fa.recvs.len())
        .map(|i| recv_text(fa, i, &mut buf))
        .collect()
}

/// Recv `i`'s payload, escaped (empty where the bytes are not known).
pub fn recv_text(fa: &FlowAnalysis, i: usize, buf: &mut Vec<u8>) -> String {
    match fa.recvs.events().get(i) {
        Some(r) => {
            fa.content.copy(r.offset, u64::from(r.len), buf);
            escape_bytes(buf)
        }
        None => String::new(),
    }
}

/// Every figure `[expect]` may bound, for one flow.
pub fn figures(fa: &FlowAnalysis) -> BTreeMap<&'static str, f64> {
    let s = &fa.summary;
    let mut buf = Vec::new();
    let cuts = utf8_cuts(fa.recvs.events(), |o| fa.content.byte(o, &mut buf));
    let n = s.messages.max(1) as f64;
    let known = |v: f64| if fa.boundaries.known() { v } else { f64::NAN };
    BTreeMap::from([
        ("messages", known(s.messages as f64)),
        ("recvs", s.recvs as f64),
        ("segments", s.segments.map_or(f64::NAN, |v| v as f64)),
        ("whole", known(s.whole as f64)),
        ("sticky", known(s.sticky as f64)),
        ("fragment", known(s.fragment as f64)),
        ("intact", known(s.intact as f64)),
        ("merged", known(s.merged as f64)),
        ("split", known(s.split as f64)),
        ("truncated", known(s.truncated as f64)),
        ("lost", known(s.lost as f64)),
        ("corrupt", known(s.corrupt as f64)),
        ("merged_fraction", s.merged_fraction),
        ("split_fraction", s.split_fraction),
        ("intact_fraction", known(s.intact as f64 / n)),
        ("bytes", s.bytes as f64),
        ("short_writes", fa.short_writes as f64),
        ("would_block", fa.would_block as f64),
        ("utf8_cuts", cuts.len() as f64),
        ("discarded", fa.discarded as f64),
        ("drops", fa.drops.map_or(f64::NAN, |v| v as f64)),
        ("decode_errors", u8::from(fa.decode_error.is_some()) as f64),
        ("latency_mean_ns", s.latency.map_or(f64::NAN, |l| l.mean_ns)),
        (
            "latency_median_ns",
            s.latency.map_or(f64::NAN, |l| l.median_ns),
        ),
        ("latency_p99_ns", s.latency.map_or(f64::NAN, |l| l.p99_ns)),
    ])
}

/// Checks one trial's flows against the experiment's `[expect]`.
pub fn check_trial(exp: &Experiment, flows: &[FlowAnalysis]) -> Outcome {
    let flow = exp.expect.flow.unwrap_or(Flow::C2s);
    match flows.iter().find(|f| f.flow == flow) {
        Some(fa) => {
            let mut buf = Vec::new();
            exp.expect
                .check(&figures(fa), fa.recvs.len(), |i| recv_text(fa, i, &mut buf))
        }
        None => Outcome::from_failures(vec![format!(
            "expect.flow = {flow}, but this run has no {flow} flow"
        )]),
    }
}

/// Applies `[[expect.compare]]`: the figure's mean over all trials of the
/// `less` scenarios must be below its mean over the `than` scenarios. A
/// direction of effect is a statement about averages, so it holds or fails
/// for the run as a whole (every trial is marked alike).
pub fn check_compares(plan: &Plan, trials: &mut [TrialResult]) {
    let expect = &plan.scenarios[0].experiment.expect;
    let flow = expect.flow.unwrap_or(Flow::C2s);
    let failures = expect.compare_failures(|figure, want| {
        let v: Vec<f64> = trials
            .iter()
            .filter(|t| {
                want.iter()
                    .all(|w| plan.scenarios[t.scenario].params.contains(w))
            })
            .filter_map(|t| {
                let fa = t.flows.iter().find(|f| f.flow == flow)?;
                figures(fa).get(figure).copied()
            })
            .collect();
        match v.len() {
            0 => f64::NAN,
            n => v.iter().sum::<f64>() / n as f64,
        }
    });
    for t in trials.iter_mut() {
        for msg in &failures {
            t.outcome.ok = false;
            t.outcome.failures.push(msg.clone());
        }
    }
}

/// Reads that end inside a UTF-8 character: `next_byte(offset)` gives the
/// byte after each read, if any.
pub fn utf8_cuts(recvs: &[RecvEvent], mut next_byte: impl FnMut(u64) -> Option<u8>) -> Vec<usize> {
    recvs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.len > 0 && !r.truncated)
        .filter(|(_, r)| next_byte(r.offset + u64::from(r.len)).is_some_and(|b| b & 0xC0 == 0x80))
        .map(|(i, _)| i)
        .collect()
}
