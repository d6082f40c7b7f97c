//! The CSV files of SPEC §4, written through any `W: Write` so tests can
//! check bytes in memory. Rows are structs; summary.csv has one column per
//! swept parameter, so it is written record by record.

use crate::analysis::expect::model_of;
use crate::analysis::FlowAnalysis;
use crate::engine::model::FlowModel;
use crate::run::RunResult;
use crate::units::preview;
use serde::Serialize;
use std::io::Write;

/// Characters of payload kept in a `label` column.
pub const LABEL_CHARS: usize = 40;

/// Columns of summary.csv after `scenario,trial,flow` and the swept parameters.
pub use crate::experiment::SUMMARY_COLUMNS;

/// A row of sends.csv.
#[derive(Serialize)]
struct SendRow<'a> {
    scenario: usize,
    trial: u32,
    flow: &'a str,
    t_ns: u64,
    msg_id: u64,
    offset: u64,
    len: u64,
    ret: u64,
}

/// A row of recvs.csv (`label`: the payload, escaped, cut to 40 characters).
#[derive(Serialize)]
struct RecvCsvRow<'a> {
    scenario: usize,
    trial: u32,
    flow: &'a str,
    t_ns: u64,
    offset: u64,
    len: u64,
    first_msg: Option<u64>,
    last_msg: Option<u64>,
    kind: String,
    truncated: bool,
    /// The recv size asked for (bytes the buffer could hold).
    asked: u64,
    label: String,
}

/// A row of messages.csv.
#[derive(Serialize)]
struct MessageCsvRow<'a> {
    scenario: usize,
    trial: u32,
    flow: &'a str,
    msg_id: u64,
    offset: u64,
    len: u64,
    sent_ns: Option<u64>,
    delivered_ns: Option<u64>,
    reads: u64,
    fate: String,
    label: String,
}

type CsvResult = Result<(), csv::Error>;

/// Calls `f` for every flow of every trial with its model.
fn each_flow(
    run: &RunResult,
    mut f: impl FnMut(usize, u32, &FlowAnalysis, &FlowModel) -> CsvResult,
) -> CsvResult {
    let models: Vec<_> = run
        .plan
        .scenarios
        .iter()
        .map(|s| FlowModel::of(&s.experiment))
        .collect();
    for t in &run.trials {
        for fa in &t.flows {
            if let Some(model) = model_of(&models[t.scenario], fa.flow) {
                f(t.scenario, t.trial, fa, model)?;
            }
        }
    }
    Ok(())
}

/// sends.csv
pub fn write_sends<W: Write>(run: &RunResult, out: W) -> CsvResult {
    let mut w = csv::Writer::from_writer(out);
    each_flow(run, |scenario, trial, fa, _| {
        let flow = flow_name(fa);
        for s in &fa.sends {
            w.serialize(SendRow {
                scenario,
                trial,
                flow,
                t_ns: s.t_ns,
                msg_id: s.msg_id,
                offset: s.offset,
                len: s.len,
                ret: s.ret,
            })?;
        }
        Ok(())
    })?;
    w.flush()?;
    Ok(())
}

/// The `label` column: an escaped preview of the bytes at `offset`, cut from
/// at most enough bytes for [`LABEL_CHARS`] escaped characters.
fn label(model: &FlowModel, offset: u64, len: u64, buf: &mut Vec<u8>) -> String {
    model.bytes(offset, len.min(LABEL_CHARS as u64 * 4), buf);
    preview(buf, LABEL_CHARS)
}

/// recvs.csv
pub fn write_recvs<W: Write>(run: &RunResult, out: W) -> CsvResult {
    let mut w = csv::Writer::from_writer(out);
    let mut buf = Vec::new();
    each_flow(run, |scenario, trial, fa, model| {
        let flow = flow_name(fa);
        for r in &fa.recvs {
            let label = label(model, r.event.offset, r.event.len, &mut buf);
            let e = &r.event;
            w.serialize(RecvCsvRow {
                scenario,
                trial,
                flow,
                t_ns: e.t_ns,
                offset: e.offset,
                len: e.len,
                first_msg: r.first_msg,
                last_msg: r.last_msg,
                kind: r.kind.to_string(),
                truncated: e.truncated,
                asked: e.asked,
                label,
            })?;
        }
        Ok(())
    })?;
    w.flush()?;
    Ok(())
}

/// messages.csv
pub fn write_messages<W: Write>(run: &RunResult, out: W) -> CsvResult {
    let mut w = csv::Writer::from_writer(out);
    let mut buf = Vec::new();
    each_flow(run, |scenario, trial, fa, model| {
        let flow = flow_name(fa);
        for m in &fa.messages {
            let label = label(model, m.span.offset, m.span.len, &mut buf);
            w.serialize(MessageCsvRow {
                scenario,
                trial,
                flow,
                msg_id: m.span.id,
                offset: m.span.offset,
                len: m.span.len,
                sent_ns: m.sent_ns,
                delivered_ns: m.delivered_ns,
                reads: m.reads,
                fate: m.fate.to_string(),
                label,
            })?;
        }
        Ok(())
    })?;
    w.flush()?;
    Ok(())
}

/// summary.csv: `scenario,trial,flow,<swept params…>,messages,…,duration_ns`.
pub fn write_summary<W: Write>(run: &RunResult, out: W) -> CsvResult {
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<&str> = vec!["scenario", "trial", "flow"];
    header.extend(run.plan.swept.iter().map(String::as_str));
    header.extend(SUMMARY_COLUMNS);
    w.write_record(&header)?;
    for t in &run.trials {
        let params = &run.plan.scenarios[t.scenario].params;
        for fa in &t.flows {
            let s = &fa.summary;
            let mut rec: Vec<String> = vec![
                t.scenario.to_string(),
                t.trial.to_string(),
                flow_name(fa).to_string(),
            ];
            rec.extend(params.iter().map(|(_, v)| v.clone()));
            let counts = [s.messages, s.recvs];
            rec.extend(counts.iter().map(u64::to_string));
            rec.push(s.segments.map(|v| v.to_string()).unwrap_or_default());
            let more = [
                s.whole,
                s.sticky,
                s.fragment,
                s.intact,
                s.merged,
                s.split,
                s.truncated,
                s.lost,
                s.corrupt,
            ];
            rec.extend(more.iter().map(u64::to_string));
            rec.push(format!("{:.6}", s.merged_fraction));
            rec.push(format!("{:.6}", s.split_fraction));
            rec.push(s.bytes.to_string());
            rec.push(s.duration_ns.to_string());
            w.write_record(&rec)?;
        }
    }
    w.flush()?;
    Ok(())
}

fn flow_name(fa: &FlowAnalysis) -> &'static str {
    fa.flow.as_str()
}
