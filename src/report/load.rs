//! Reads a results folder (SPEC §4) back into typed rows, so `plot` and
//! `nianbao show` are a pure function of the files on disk (`run` draws its
//! charts from the same rows taken from memory: [`for_charts_of`]). Nothing read is
//! trusted: every file is opened through [`super::open`], every CSV header and
//! cell is checked as it is read ([`super::table`]), and the rows are checked
//! against each other ([`super::check`]). Every error names the file and, for
//! CSV problems, the line and column.

use super::open;
use super::table::{Cells, Table};
use crate::analysis::{MAX_ID, MAX_SPAN, MAX_TIME};
use std::collections::BTreeMap;
use std::path::Path;

pub use super::rows::*;
pub use super::summary::FIGURES;
pub use crate::error::LoadError;

pub use crate::analysis::{Fate, RecvKind};
pub use crate::trace::Flow;

/// Reads and checks a whole results folder.
pub fn load(dir: &Path) -> Result<Results, LoadError> {
    let res = load_rows(dir, u64::MAX)?;
    super::check::results(&res)?;
    Ok(res)
}

/// Reads a results folder for drawing, in bounded memory: a flow with more
/// than [`Thinned::HEAD`] + [`Thinned::TAIL`] rows in a table keeps its
/// first [`Thinned::HEAD`] and then every n-th (n a power of two, at most
/// [`Thinned::TAIL`] of them), and says so in [`Results::thinned`]; the
/// charts draw the sample and say so too. Without a thinned flow this is
/// [`load`]; with one, each row is checked as it is read but the checks
/// across rows are not made (they need every row).
pub fn load_for_charts(dir: &Path) -> Result<Results, LoadError> {
    let res = load_rows(dir, Thinned::HEAD + Thinned::TAIL)?;
    if res.thinned.is_empty() {
        super::check::results(&res)?;
    }
    Ok(res)
}

/// Reads every file; a flow's rows of a table past `most` are thinned.
fn load_rows(dir: &Path, most: u64) -> Result<Results, LoadError> {
    let mut tables = Tables::new(dir, most)?;
    let Tables {
        sends,
        recvs,
        messages,
        tally,
        ..
    } = &mut tables;
    // The three tables are independent files: read side by side.
    std::thread::scope(|s| {
        let sent = s.spawn(|| {
            read(
                &dir.join("sends.csv"),
                SendRow::COLUMNS,
                &[],
                send_row,
                |r| sends.push(r.key(), r),
            )
        });
        let received = s.spawn(|| {
            read(
                &dir.join("recvs.csv"),
                RecvRow::COLUMNS,
                &["asked", "queued", "cause", "label"],
                recv_row,
                |r| recvs.push_recv(tally, r),
            )
        });
        let messaged = read(
            &dir.join("messages.csv"),
            MessageRow::COLUMNS,
            &["cause", "label"],
            message_row,
            |r| messages.push(r.key(), r),
        );
        // In file order, so the first bad file is the one named.
        [sent.join(), received.join()]
            .into_iter()
            .map(|t| t.unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .chain([messaged])
            .collect::<Result<(), LoadError>>()
    })?;
    tables.into_results(dir)
}

/// The rows the charts of a run just written to `dir` are drawn from,
/// taken from memory instead of read back from its CSVs: the same row
/// builders wrote those files ([`super::csv::send_rows`] and the others),
/// and the rows are thinned as [`load_for_charts`] thins them, so these are
/// the rows `plot` reads from the files (`tests/charts.rs` checks it). The
/// small files, experiment.toml and summary.csv, are read.
pub fn for_charts_of(dir: &Path, run: &crate::analysis::RunResult) -> Result<Results, LoadError> {
    use super::csv::{message_rows, recv_rows, send_rows, Numbered, Unlabelled};
    /// Labels only the rows the thinner keeps: the label is the costly part.
    fn gather<'a, T: Numbered + Keyed + 'a>(
        into: &mut Thinner<T>,
        rows: impl Iterator<Item = Unlabelled<'a, T>>,
        mut each: impl FnMut(&T),
    ) {
        let mut buf = Vec::new();
        for u in rows {
            each(&u.row);
            if let Some(at) = into.admit(u.row.key()) {
                into.store(at, u.labelled(&mut buf));
            }
        }
    }
    let mut t = Tables::new(dir, Thinned::HEAD + Thinned::TAIL)?;
    gather(&mut t.sends, send_rows(run), |_| {});
    let tally = &mut t.tally;
    gather(&mut t.recvs, recv_rows(run), |r| count(tally, r));
    gather(&mut t.messages, message_rows(run), |_| {});
    t.into_results(dir)
}

/// The flow a row belongs to.
trait Keyed {
    fn key(&self) -> Key;
}

macro_rules! keyed {
    ($($t:ty),*) => {$(
        impl Keyed for $t {
            fn key(&self) -> Key {
                (self.scenario, self.trial, self.flow)
            }
        }
    )*};
}
keyed!(SendRow, RecvRow, MessageRow);

/// The small files, read first (a folder that is not a results folder is
/// named by its experiment.toml), then the three event tables as they are
/// gathered, and every recv's length and kind counted.
struct Tables {
    experiment: ExperimentInfo,
    param_keys: Vec<String>,
    summary: Vec<SummaryRow>,
    sends: Thinner<SendRow>,
    recvs: Thinner<RecvRow>,
    messages: Thinner<MessageRow>,
    tally: Tally,
    /// The rows a flow keeps of each table before it is thinned.
    most: u64,
}

impl Tables {
    fn new(dir: &Path, most: u64) -> Result<Tables, LoadError> {
        let experiment = super::info::read(&dir.join("experiment.toml"))?;
        let (param_keys, summary) = super::summary::read(&dir.join("summary.csv"))?;
        Ok(Tables {
            experiment,
            param_keys,
            summary,
            sends: Thinner::new(most),
            recvs: Thinner::new(most),
            messages: Thinner::new(most),
            tally: BTreeMap::new(),
            most,
        })
    }

    /// The results: these tables and the small files (and segments.csv,
    /// read from `dir` when it is there).
    fn into_results(self, dir: &Path) -> Result<Results, LoadError> {
        let (experiment, param_keys, summary) = (self.experiment, self.param_keys, self.summary);
        let mut thinned = Vec::new();
        let sends = self.sends.finish("sends", &mut thinned);
        let recvs = self.recvs.finish("recvs", &mut thinned);
        let messages = self.messages.finish("messages", &mut thinned);
        let recv_tally = match thinned.is_empty() {
            true => Vec::new(),
            false => self
                .tally
                .into_iter()
                .map(|((len, k), n)| (len, RecvKind::ALL[k], n))
                .collect(),
        };
        let seg_path = dir.join("segments.csv");
        // Segments are thinned like the event tables: a long capture is
        // drawn from a sample, which the charts say.
        let segments = match open::present(&seg_path) {
            true => {
                let mut rows = Thinner::new(self.most);
                read(
                    &seg_path,
                    SegmentRow::COLUMNS,
                    &["flags"],
                    segment_row,
                    |r| rows.push((r.scenario, r.trial, r.flow), r),
                )?;
                Some(rows.finish("segments", &mut thinned))
            }
            false => None,
        };
        let req_path = dir.join("requests.csv");
        let requests = match open::present(&req_path) {
            true => {
                let mut rows = Thinner::new(self.most);
                read(&req_path, RequestRow::COLUMNS, &[], request_row, |r| {
                    rows.push((r.scenario, r.trial, Flow::C2s), r)
                })?;
                rows.finish("requests", &mut thinned)
            }
            false => Vec::new(),
        };
        Ok(Results {
            dir: dir.to_path_buf(),
            requests,
            experiment,
            param_keys,
            summary,
            sends,
            recvs,
            messages,
            thinned,
            recv_tally,
            segments,
        })
    }
}

/// Every recv counted by length and kind, kept or not.
type Tally = BTreeMap<(u64, usize), u64>;

fn count(tally: &mut Tally, r: &RecvRow) {
    *tally.entry((r.len, r.kind as usize)).or_insert(0u64) += 1;
}

impl Thinner<RecvRow> {
    /// Keeps or drops a recv, and counts it either way.
    fn push_recv(&mut self, tally: &mut Tally, r: RecvRow) {
        count(tally, &r);
        self.push(r.key(), r)
    }
}

type Key = (u32, u32, Flow);

/// Rows of one table as read, each with its place in its flow; a flow
/// past `most` rows keeps its head and every `every`-th row after it.
struct Thinner<T> {
    rows: Vec<(u64, usize, T)>,
    /// Per flow: its key, rows seen, one kept in `every`, tail rows kept.
    flows: Vec<(Key, u64, u64, u64)>,
    tail_cap: u64,
}

impl<T> Thinner<T> {
    /// A thinner that keeps every row of a flow of at most `most` rows.
    fn new(most: u64) -> Thinner<T> {
        Thinner {
            rows: Vec::new(),
            flows: Vec::new(),
            tail_cap: most.saturating_sub(Thinned::HEAD),
        }
    }

    /// The rows kept, in file order; each thinned flow goes into `thinned`.
    fn finish(self, table: &'static str, thinned: &mut Vec<Thinned>) -> Vec<T> {
        for &((scenario, trial, flow), total, every, _) in &self.flows {
            if every > 1 {
                thinned.push(Thinned {
                    table,
                    scenario,
                    trial,
                    flow,
                    total,
                    every,
                });
            }
        }
        self.rows.into_iter().map(|(_, _, r)| r).collect()
    }

    fn push(&mut self, key: Key, row: T) {
        if let Some(at) = self.admit(key) {
            self.store(at, row);
        }
    }

    /// Counts the next row of flow `key`: where it goes if it is kept.
    fn admit(&mut self, key: Key) -> Option<(u64, usize)> {
        let slot = match self.flows.iter().rposition(|f| f.0 == key) {
            Some(s) => s,
            None => {
                self.flows.push((key, 0, 1, 0));
                self.flows.len() - 1
            }
        };
        let f = &mut self.flows[slot];
        let i = f.1;
        f.1 += 1;
        (i < Thinned::HEAD || (i - Thinned::HEAD).is_multiple_of(f.2)).then_some((i, slot))
    }

    /// Keeps a row that [`Thinner::admit`] let in.
    fn store(&mut self, (i, slot): (u64, usize), row: T) {
        self.rows.push((i, slot, row));
        if i < Thinned::HEAD {
            return;
        }
        let f = &mut self.flows[slot];
        f.3 += 1;
        if f.3 > self.tail_cap {
            // Keep every other tail row of this flow: one in 2 × every.
            f.2 *= 2;
            let every = f.2;
            let mut kept = 0;
            self.rows.retain(|(j, s, _)| {
                let keep =
                    *s != slot || *j < Thinned::HEAD || (j - Thinned::HEAD).is_multiple_of(every);
                kept += u64::from(*s == slot && *j >= Thinned::HEAD && keep);
                keep
            });
            self.flows[slot].3 = kept;
        }
    }
}

/// Reads every row of a CSV file whose header is `columns` (the
/// `optional` ones may be absent), one row per call of `row`, each handed
/// to `keep` as it is read.
fn read<T>(
    path: &Path,
    columns: &'static [&'static str],
    optional: &[&str],
    mut row: impl FnMut(&mut Cells) -> Result<T, LoadError>,
    mut keep: impl FnMut(T),
) -> Result<(), LoadError> {
    let mut table = Table::open(path)?;
    table.expect(columns, optional)?;
    table.rows(|cells| {
        keep(row(cells)?);
        Ok(())
    })
}

/// An offset whose end (`offset + len`) still fits a u64.
fn end_fits(c: &Cells, offset: u64, len: u64) -> Result<(), LoadError> {
    match offset.checked_add(len) {
        Some(_) => Ok(()),
        None => Err(c.error(format!("offset {offset} + len {len} overflows"))),
    }
}

/// A value the in-memory rows can hold: ids and times past these are refused.
fn at_most(c: &Cells, v: u64, max: u64, what: &str) -> Result<(), LoadError> {
    match v <= max {
        true => Ok(()),
        false => Err(c.error(format!("{what} {v} is over the limit of {max}"))),
    }
}

fn send_row(c: &mut Cells) -> Result<SendRow, LoadError> {
    let (line, scenario, trial, flow, t_ns) = (c.line, c.u32()?, c.u32()?, flow(c)?, c.u64()?);
    let (msg_id, offset, len) = (c.u64()?, c.u64()?, c.len()?);
    end_fits(c, offset, len)?;
    let ret = c.u64()?;
    if ret > len {
        return Err(c.error(format!("{ret} bytes sent is more than len {len}")));
    }
    Ok(SendRow {
        line,
        scenario,
        trial,
        flow,
        t_ns,
        msg_id,
        offset,
        len,
        ret: ret as i64,
    })
}

fn recv_row(c: &mut Cells) -> Result<RecvRow, LoadError> {
    let (line, scenario, trial, flow, t_ns) = (c.line, c.u32()?, c.u32()?, flow(c)?, c.u64()?);
    let (offset, len) = (c.u64()?, c.len()?);
    end_fits(c, offset, len)?;
    let first_msg = c.opt_u64()?;
    let last_msg = c.opt_u64()?;
    at_most(c, t_ns, MAX_TIME, "t_ns")?;
    match (first_msg, last_msg) {
        (Some(a), Some(b)) if b < a => {
            return Err(c.error(format!("{b} is less than first_msg {a}")))
        }
        (Some(a), Some(b)) if b > MAX_ID || b - a > MAX_SPAN => {
            return Err(c.error(format!(
                "messages {a}–{b}: ids go up to {MAX_ID} and one recv spans at most {MAX_SPAN} messages"
            )))
        }
        (Some(_), None) | (None, Some(_)) => {
            return Err(c.error("first_msg and last_msg must both be set or both empty".into()))
        }
        _ => {}
    }
    let kind = c.pick(&RecvKind::ALL, RecvKind::as_str)?;
    let truncated = c.bool()?;
    let asked = if c.has("asked") { c.len()? } else { 0 };
    if asked > 0 && len > asked {
        return Err(c.error(format!("{asked} is less than the {len} bytes returned")));
    }
    let queued = if c.has("queued") { c.opt_u64()? } else { None };
    let cause = cause(c)?;
    let label = c.text();
    Ok(RecvRow {
        line,
        scenario,
        trial,
        flow,
        t_ns,
        offset,
        len,
        first_msg,
        last_msg,
        kind,
        truncated,
        asked,
        queued,
        cause,
        label,
    })
}

fn message_row(c: &mut Cells) -> Result<MessageRow, LoadError> {
    let (line, scenario, trial, flow) = (c.line, c.u32()?, c.u32()?, flow(c)?);
    let (msg_id, offset, len) = (c.u64()?, c.u64()?, c.len()?);
    end_fits(c, offset, len)?;
    at_most(c, msg_id, MAX_ID, "msg_id")?;
    let (sent_ns, delivered_ns, reads) = (c.opt_u64()?, c.opt_u64()?, c.opt_u64()?);
    for (t, name) in [(sent_ns, "sent_ns"), (delivered_ns, "delivered_ns")] {
        at_most(c, t.unwrap_or(0), MAX_TIME, name)?;
    }
    let fate = c.pick(&Fate::ALL, Fate::as_str)?;
    Ok(MessageRow {
        line,
        scenario,
        trial,
        flow,
        msg_id,
        offset,
        len,
        sent_ns,
        delivered_ns,
        reads,
        fate,
        cause: cause(c)?,
        label: c.text(),
    })
}

/// The optional `cause` cell: empty or one of the cause words.
fn cause(c: &mut Cells) -> Result<crate::analysis::Cause, LoadError> {
    use crate::analysis::Cause;
    if !c.has("cause") {
        return Ok(Cause::None);
    }
    let word = c.text();
    Cause::parse(&word).ok_or_else(|| {
        let allowed: Vec<&str> = Cause::ALL.iter().map(|c| c.as_str()).collect();
        c.error(format!(
            "`{word}` is not a cause; allowed: empty, {}",
            allowed.join(", ")
        ))
    })
}

fn request_row(c: &mut Cells) -> Result<RequestRow, LoadError> {
    let (line, scenario, trial, request) = (c.line, c.u32()?, c.u32()?, c.u64()?);
    at_most(c, request, MAX_ID, "request")?;
    let (sent_ns, reply_ns) = (c.u64()?, c.u64()?);
    at_most(c, reply_ns, MAX_TIME, "reply_ns")?;
    let latency_ns = c.u64()?;
    if reply_ns.checked_sub(sent_ns) != Some(latency_ns) {
        return Err(c.error(format!(
            "latency_ns {latency_ns} is not reply_ns {reply_ns} − sent_ns {sent_ns}"
        )));
    }
    Ok(RequestRow {
        line,
        scenario,
        trial,
        request,
        sent_ns,
        reply_ns,
        latency_ns,
    })
}

fn segment_row(c: &mut Cells) -> Result<SegmentRow, LoadError> {
    let (line, scenario, trial, flow, t_ns) = (c.line, c.u32()?, c.u32()?, flow(c)?, c.u64()?);
    let (offset, len) = (c.u64()?, c.len()?);
    end_fits(c, offset, len)?;
    let flags = c.text();
    crate::trace::wire::parse_flags(&flags).map_err(|m| c.error(m))?;
    Ok(SegmentRow {
        line,
        scenario,
        trial,
        flow,
        t_ns,
        offset,
        len,
        flags,
    })
}
