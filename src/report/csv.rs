//! The CSV files of SPEC §4, written through any `W: Write` so tests can
//! check bytes in memory. Rows are the same structs the readers fill
//! ([`super::rows`]), and every file starts with its header, even with no
//! row; summary.csv has one column per swept parameter, so it is written
//! record by record.

use super::rows::{MessageRow, RecvRow, RequestRow, SegmentRow, SendRow};
use crate::analysis::{FlowAnalysis, RunResult};
use crate::trace::Content;
use crate::units::preview;
use std::io::Write;

/// Characters of payload kept in a `label` column.
pub const LABEL_CHARS: usize = 40;

/// Columns of summary.csv after `scenario,trial,flow` and the swept parameters.
pub use crate::experiment::SUMMARY_COLUMNS;

type CsvResult = Result<(), csv::Error>;

/// A CSV writer that has written `columns` as its header.
fn writer<W: Write>(out: W, columns: &[&str]) -> Result<csv::Writer<W>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out);
    w.write_record(columns)?;
    Ok(w)
}

/// Every row of one table of a run, in file order, each with its line
/// number in the file (the header is line 1) and the flow's content its
/// label is cut from. The CSV writers and the in-memory chart load both
/// read these, so a chart drawn from them is the chart `plot` draws from
/// the file.
fn rows_of<'a, T: Numbered + 'a>(
    run: &'a RunResult,
    mut of_flow: impl FnMut(usize, u32, &'a FlowAnalysis) -> Box<dyn Iterator<Item = T> + 'a> + 'a,
) -> impl Iterator<Item = Unlabelled<'a, T>> + 'a {
    run.trials
        .iter()
        .flat_map(|t| t.flows.iter().map(move |fa| (t.scenario, t.trial, fa)))
        .flat_map(move |(scenario, trial, fa)| {
            of_flow(scenario, trial, fa).map(move |row| Unlabelled {
                row,
                content: &fa.content,
            })
        })
        .zip(2u64..)
        .map(|(mut u, line)| {
            u.row.set_line(line);
            u
        })
}

/// A row whose `label` is still to be cut from its flow's content: the
/// label costs more than the rest of the row, and a chart load keeps only
/// a sample of a long flow's rows.
pub struct Unlabelled<'a, T> {
    pub row: T,
    content: &'a Content,
}

impl<T: Numbered> Unlabelled<'_, T> {
    /// The row with its label (`buf` is scratch space).
    pub fn labelled(mut self, buf: &mut Vec<u8>) -> T {
        if let Some((offset, len)) = self.row.bytes() {
            self.content
                .copy(offset, len.min(LABEL_CHARS as u64 * 4), buf);
            self.row.set_label(preview(buf, LABEL_CHARS));
        }
        self.row
    }
}

/// A row of an event table: its line in the file, and for a labelled
/// table the bytes its label previews.
pub trait Numbered {
    fn set_line(&mut self, line: u64);
    /// The flow bytes (offset, length) the `label` column previews.
    fn bytes(&self) -> Option<(u64, u64)> {
        None
    }
    fn set_label(&mut self, _label: String) {}
}

/// `Numbered` for the row types: every one has a `line`; the labelled
/// ones preview their `offset`/`len` bytes in `label`.
macro_rules! numbered {
    ($t:ty) => {
        impl Numbered for $t {
            fn set_line(&mut self, line: u64) {
                self.line = line;
            }
        }
    };
    ($t:ty, labelled) => {
        impl Numbered for $t {
            fn set_line(&mut self, line: u64) {
                self.line = line;
            }
            fn bytes(&self) -> Option<(u64, u64)> {
                Some((self.offset, self.len))
            }
            fn set_label(&mut self, label: String) {
                self.label = label;
            }
        }
    };
}
numbered!(SendRow);
numbered!(RecvRow, labelled);
numbered!(MessageRow, labelled);
numbered!(SegmentRow);

/// The rows of sends.csv.
pub fn send_rows(run: &RunResult) -> impl Iterator<Item = Unlabelled<'_, SendRow>> {
    rows_of(run, |scenario, trial, fa| {
        Box::new(fa.sends.iter().map(move |s| SendRow {
            line: 0,
            scenario: scenario as u32,
            trial,
            flow: fa.flow,
            t_ns: s.t_ns,
            msg_id: s.msg_id,
            offset: s.offset,
            len: u64::from(s.len),
            ret: i64::from(s.ret),
        }))
    })
}

/// The rows of recvs.csv.
pub fn recv_rows(run: &RunResult) -> impl Iterator<Item = Unlabelled<'_, RecvRow>> {
    rows_of(run, |scenario, trial, fa| {
        let causes = crate::analysis::Causer::new(fa);
        Box::new(fa.recvs.iter().enumerate().map(move |(i, r)| {
            let e = &r.event;
            RecvRow {
                line: 0,
                scenario: scenario as u32,
                trial,
                flow: fa.flow,
                t_ns: e.t_ns,
                offset: e.offset,
                len: u64::from(e.len),
                first_msg: r.first_msg,
                last_msg: r.last_msg,
                kind: r.kind,
                truncated: e.truncated,
                asked: u64::from(e.asked),
                queued: e.queued.get(),
                cause: causes.recv(i),
                label: String::new(),
            }
        }))
    })
}

/// The rows of messages.csv.
pub fn message_rows(run: &RunResult) -> impl Iterator<Item = Unlabelled<'_, MessageRow>> {
    rows_of(run, |scenario, trial, fa| {
        let causes = crate::analysis::Causer::new(fa);
        Box::new(
            fa.messages
                .iter()
                .enumerate()
                .map(move |(i, m)| MessageRow {
                    line: 0,
                    scenario: scenario as u32,
                    trial,
                    flow: fa.flow,
                    msg_id: m.span.id,
                    offset: m.span.offset,
                    len: m.span.len,
                    sent_ns: m.sent_ns,
                    delivered_ns: m.delivered_ns,
                    reads: Some(m.reads),
                    fate: m.fate,
                    cause: causes.message(i),
                    label: String::new(),
                }),
        )
    })
}

/// The rows of segments.csv: every captured TCP segment of each flow.
pub fn segment_rows(run: &RunResult) -> impl Iterator<Item = Unlabelled<'_, SegmentRow>> {
    rows_of(run, |scenario, trial, fa| {
        Box::new(fa.wire.iter().map(move |s| SegmentRow {
            line: 0,
            scenario: scenario as u32,
            trial,
            flow: fa.flow,
            t_ns: s.t_ns,
            offset: s.offset,
            len: u64::from(s.len),
            flags: s.flags_text(),
        }))
    })
}

/// Whether any trial of the run timed requests: then requests.csv and
/// latency.png are written.
pub fn has_requests(run: &RunResult) -> bool {
    run.trials.iter().any(|t| !t.requests.is_empty())
}

/// The rows of requests.csv.
pub fn request_rows(run: &RunResult) -> impl Iterator<Item = RequestRow> + '_ {
    run.trials.iter().flat_map(|t| {
        t.requests.iter().map(move |r| RequestRow {
            line: 0,
            scenario: t.scenario as u32,
            trial: t.trial,
            request: r.request,
            sent_ns: r.sent_ns,
            reply_ns: r.reply_ns,
            latency_ns: r.latency_ns,
        })
    })
}

/// requests.csv: `scenario,trial,request,sent_ns,reply_ns,latency_ns`.
pub fn write_requests<W: Write>(run: &RunResult, out: W) -> CsvResult {
    let mut w = writer(out, RequestRow::COLUMNS)?;
    for row in request_rows(run) {
        w.serialize(row)?;
    }
    w.flush()?;
    Ok(())
}

/// Whether any trial of the run was captured: then segments.csv and
/// capture.pcapng are written.
pub fn captured(run: &RunResult) -> bool {
    run.trials
        .iter()
        .any(|t| matches!(t.capture, crate::trace::Capture::Captured { .. }))
}

/// segments.csv
pub fn write_segments<W: Write>(run: &RunResult, out: W) -> CsvResult {
    write_rows(out, SegmentRow::COLUMNS, segment_rows(run))
}

/// Writes `rows` under the header `columns`.
fn write_rows<'a, W: Write, T: serde::Serialize + Numbered + 'a>(
    out: W,
    columns: &[&str],
    rows: impl Iterator<Item = Unlabelled<'a, T>>,
) -> CsvResult {
    let mut w = writer(out, columns)?;
    let mut buf = Vec::new();
    for row in rows {
        w.serialize(row.labelled(&mut buf))?;
    }
    w.flush()?;
    Ok(())
}

/// sends.csv
pub fn write_sends<W: Write>(run: &RunResult, out: W) -> CsvResult {
    write_rows(out, SendRow::COLUMNS, send_rows(run))
}

/// recvs.csv
pub fn write_recvs<W: Write>(run: &RunResult, out: W) -> CsvResult {
    write_rows(out, RecvRow::COLUMNS, recv_rows(run))
}

/// messages.csv
pub fn write_messages<W: Write>(run: &RunResult, out: W) -> CsvResult {
    write_rows(out, MessageRow::COLUMNS, message_rows(run))
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
