//! The CSV files of SPEC §4, written through any `W: Write` so tests can
//! check bytes in memory. Rows are the same structs the readers fill
//! ([`super::rows`]), and every file starts with its header, even with no
//! row; summary.csv has one column per swept parameter, so it is written
//! record by record.

use super::rows::{MessageRow, RecvRow, SendRow};
use crate::analysis::{FlowAnalysis, RunResult};
use crate::trace::Content;
use crate::units::preview;
use std::io::Write;

/// Characters of payload kept in a `label` column.
pub const LABEL_CHARS: usize = 40;

/// Columns of summary.csv after `scenario,trial,flow` and the swept parameters.
pub use crate::experiment::SUMMARY_COLUMNS;

type CsvResult = Result<(), csv::Error>;

/// Calls `f` for every flow of every trial.
fn each_flow(
    run: &RunResult,
    mut f: impl FnMut(usize, u32, &FlowAnalysis) -> CsvResult,
) -> CsvResult {
    for t in &run.trials {
        for fa in &t.flows {
            f(t.scenario, t.trial, fa)?;
        }
    }
    Ok(())
}

/// A CSV writer that has written `columns` as its header.
fn writer<W: Write>(out: W, columns: &[&str]) -> Result<csv::Writer<W>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out);
    w.write_record(columns)?;
    Ok(w)
}

/// sends.csv
pub fn write_sends<W: Write>(run: &RunResult, out: W) -> CsvResult {
    let mut w = writer(out, SendRow::COLUMNS)?;
    each_flow(run, |scenario, trial, fa| {
        let flow = fa.flow;
        for s in &fa.sends {
            w.serialize(SendRow {
                line: 0,
                scenario: scenario as u32,
                trial,
                flow,
                t_ns: s.t_ns,
                msg_id: s.msg_id,
                offset: s.offset,
                len: u64::from(s.len),
                ret: i64::from(s.ret),
            })?;
        }
        Ok(())
    })?;
    w.flush()?;
    Ok(())
}

/// The `label` column: an escaped preview of the bytes at `offset`, cut from
/// at most enough bytes for [`LABEL_CHARS`] escaped characters.
fn label(content: &Content, offset: u64, len: u64, buf: &mut Vec<u8>) -> String {
    content.copy(offset, len.min(LABEL_CHARS as u64 * 4), buf);
    preview(buf, LABEL_CHARS)
}

/// recvs.csv
pub fn write_recvs<W: Write>(run: &RunResult, out: W) -> CsvResult {
    let mut w = writer(out, RecvRow::COLUMNS)?;
    let mut buf = Vec::new();
    each_flow(run, |scenario, trial, fa| {
        let flow = fa.flow;
        for r in &fa.recvs {
            let label = label(
                &fa.content,
                r.event.offset,
                u64::from(r.event.len),
                &mut buf,
            );
            let e = &r.event;
            w.serialize(RecvRow {
                line: 0,
                scenario: scenario as u32,
                trial,
                flow,
                t_ns: e.t_ns,
                offset: e.offset,
                len: u64::from(e.len),
                first_msg: r.first_msg,
                last_msg: r.last_msg,
                kind: r.kind,
                truncated: e.truncated,
                asked: u64::from(e.asked),
                queued: e.queued.get(),
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
    let mut w = writer(out, MessageRow::COLUMNS)?;
    let mut buf = Vec::new();
    each_flow(run, |scenario, trial, fa| {
        let flow = fa.flow;
        for m in &fa.messages {
            let label = label(&fa.content, m.span.offset, m.span.len, &mut buf);
            w.serialize(MessageRow {
                line: 0,
                scenario: scenario as u32,
                trial,
                flow,
                msg_id: m.span.id,
                offset: m.span.offset,
                len: m.span.len,
                sent_ns: m.sent_ns,
                delivered_ns: m.delivered_ns,
                reads: Some(m.reads),
                fate: m.fate,
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
            let mut rec: Vec<String> = vec![
                t.scenario.to_string(),
                t.trial.to_string(),
                flow_name(fa).to_string(),
            ];
            rec.extend(params.iter().map(|(_, v)| v.clone()));
            // Figures in SUMMARY_COLUMNS order; an unknown one is an empty cell.
            for (name, v) in SUMMARY_COLUMNS.iter().zip(fa.summary.values()) {
                rec.push(v.map(|v| fmt_figure(name, v)).unwrap_or_default());
            }
            w.write_record(&rec)?;
        }
    }
    w.flush()?;
    Ok(())
}

fn flow_name(fa: &FlowAnalysis) -> &'static str {
    fa.flow.as_str()
}

/// A figure cell: a fraction with six decimals, a count as a whole number.
fn fmt_figure(name: &str, v: f64) -> String {
    match name.ends_with("_fraction") {
        true => format!("{v:.6}"),
        false => format!("{}", v as u64),
    }
}
