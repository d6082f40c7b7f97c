//! `[expect]`: whether a trial shows what the experiment promises, and the
//! figures that bounds may name.

use crate::analysis::{utf8_cuts, FlowAnalysis};
use crate::engine::model::FlowModel;
use crate::experiment::Experiment;
use crate::trace::Flow;
use crate::units::escape_bytes;
use std::collections::BTreeMap;

/// The verdict of one trial against `[expect]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    /// True when every expectation held (or there were none).
    pub ok: bool,
    /// What did not hold, in words.
    pub failures: Vec<String>,
}

/// The model of a flow.
pub fn model_of(models: &(FlowModel, Option<FlowModel>), flow: Flow) -> Option<&FlowModel> {
    match flow {
        Flow::C2s => Some(&models.0),
        Flow::S2c => models.1.as_ref(),
    }
}

/// Each recv's payload, escaped.
pub fn recv_texts(fa: &FlowAnalysis, model: &FlowModel) -> Vec<String> {
    let mut buf = Vec::new();
    fa.recvs
        .iter()
        .map(|r| {
            model.bytes(r.event.offset, r.event.len, &mut buf);
            escape_bytes(&buf)
        })
        .collect()
}

/// A list of recv payloads for a message: at most 8 of them, each cut to
/// 40 characters, and how many there were (a run of a million recvs must
/// not print them all).
fn short_list(list: &[String]) -> String {
    const SHOWN: usize = 8;
    let items: Vec<String> = list
        .iter()
        .take(SHOWN)
        .map(|t| match t.chars().count() > 40 {
            true => format!("{:?}", t.chars().take(39).chain(['…']).collect::<String>()),
            false => format!("{t:?}"),
        })
        .collect();
    let more = match list.len().saturating_sub(SHOWN) {
        0 => String::new(),
        n => format!(", … {n} more"),
    };
    format!(
        "{} [{}{more}]",
        crate::units::plural(list.len() as u64, "recv"),
        items.join(", ")
    )
}

/// Every figure `[expect]` may bound, for one flow.
pub fn figures(fa: &FlowAnalysis, model: &FlowModel) -> BTreeMap<&'static str, f64> {
    let s = &fa.summary;
    let mut buf = Vec::new();
    let cuts = utf8_cuts(&fa.recvs, |o| {
        model.bytes(o, 1, &mut buf);
        buf.first().copied()
    });
    let n = s.messages.max(1) as f64;
    BTreeMap::from([
        ("messages", s.messages as f64),
        ("recvs", s.recvs as f64),
        ("segments", s.segments.map_or(f64::NAN, |v| v as f64)),
        ("whole", s.whole as f64),
        ("sticky", s.sticky as f64),
        ("fragment", s.fragment as f64),
        ("intact", s.intact as f64),
        ("merged", s.merged as f64),
        ("split", s.split as f64),
        ("truncated", s.truncated as f64),
        ("lost", s.lost as f64),
        ("corrupt", s.corrupt as f64),
        ("merged_fraction", s.merged_fraction),
        ("split_fraction", s.split_fraction),
        ("intact_fraction", s.intact as f64 / n),
        ("bytes", s.bytes as f64),
        ("short_writes", fa.short_writes as f64),
        ("would_block", fa.would_block as f64),
        ("utf8_cuts", cuts.len() as f64),
        ("discarded", fa.discarded as f64),
        ("drops", fa.drops.map_or(f64::NAN, |v| v as f64)),
        ("decode_errors", u8::from(fa.decode_error.is_some()) as f64),
    ])
}

/// Checks one trial's flows against the experiment's `[expect]`.
pub fn check_trial(
    exp: &Experiment,
    flows: &[FlowAnalysis],
    models: &(FlowModel, Option<FlowModel>),
) -> Outcome {
    let e = &exp.expect;
    let flow = e.flow.unwrap_or(Flow::C2s);
    let (Some(fa), Some(model)) = (
        flows.iter().find(|f| f.flow == flow),
        model_of(models, flow),
    ) else {
        return Outcome {
            ok: false,
            failures: vec![format!(
                "expect.flow = {flow}, but this run has no {flow} flow"
            )],
        };
    };
    let mut failures = Vec::new();
    if let Some(want) = &e.recvs {
        let got = recv_texts(fa, model);
        if &got != want {
            failures.push(format!(
                "recvs: expected {}, got {}",
                short_list(want),
                short_list(&got)
            ));
        }
    }
    let figs = figures(fa, model);
    for b in &e.bounds {
        let v = figs.get(b.figure.as_str()).copied().unwrap_or(f64::NAN);
        if !b.op.holds(v, b.value) {
            failures.push(format!(
                "{}: expected {} {}, got {}",
                b.figure,
                b.op.as_str(),
                b.value,
                fmt_num(v)
            ));
        }
    }
    Outcome {
        ok: failures.is_empty(),
        failures,
    }
}

/// A figure as text: integers without decimals.
pub fn fmt_num(v: f64) -> String {
    if v.is_nan() {
        "unknown".into()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.3}")
    }
}
