//! Reads a results folder (SPEC §4) back into typed rows, so charts and
//! `nianbao show` are a pure function of the files on disk. Nothing read is
//! trusted: every file is opened through [`super::open`], every CSV header and
//! cell is checked as it is read ([`super::table`]), and the rows are checked
//! against each other ([`super::check`]). Every error names the file and, for
//! CSV problems, the line and column.

use super::open;
use super::table::{Cells, Table};
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
    let experiment = super::info::read(&dir.join("experiment.toml"))?;
    let (param_keys, summary) = super::summary::read(&dir.join("summary.csv"))?;
    let seg_path = dir.join("segments.csv");
    let mut thinned = Vec::new();
    let mut tally = BTreeMap::new();
    let mut sends = Thinner::new(most);
    read(
        &dir.join("sends.csv"),
        SendRow::COLUMNS,
        &[],
        send_row,
        |r| sends.push((r.scenario, r.trial, r.flow), r),
    )?;
    let mut recvs = Thinner::new(most);
    let recv_columns = &["asked", "queued", "label"];
    read(
        &dir.join("recvs.csv"),
        RecvRow::COLUMNS,
        recv_columns,
        recv_row,
        |r| {
            *tally.entry((r.len, r.kind as usize)).or_insert(0u64) += 1;
            recvs.push((r.scenario, r.trial, r.flow), r)
        },
    )?;
    let mut messages = Thinner::new(most);
    let message_columns = &["label"];
    read(
        &dir.join("messages.csv"),
        MessageRow::COLUMNS,
        message_columns,
        message_row,
        |r| messages.push((r.scenario, r.trial, r.flow), r),
    )?;
    let sends = sends.finish("sends", &mut thinned);
    let recvs = recvs.finish("recvs", &mut thinned);
    let messages = messages.finish("messages", &mut thinned);
    let recv_tally = match thinned.is_empty() {
        true => Vec::new(),
        false => tally
            .into_iter()
            .map(|((len, k), n)| (len, RecvKind::ALL[k], n))
            .collect(),
    };
    let res = Results {
        dir: dir.to_path_buf(),
        experiment,
        param_keys,
        summary,
        sends,
        recvs,
        messages,
        thinned,
        recv_tally,
        segments: match open::present(&seg_path) {
            true => {
                let mut rows = Vec::new();
                read(
                    &seg_path,
                    SegmentRow::COLUMNS,
                    &["flags"],
                    segment_row,
                    |r| rows.push(r),
                )?;
                Some(rows)
            }
            false => None,
        },
    };
    Ok(res)
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
        if i < Thinned::HEAD {
            self.rows.push((i, slot, row));
            return;
        }
        if !(i - Thinned::HEAD).is_multiple_of(f.2) {
            return;
        }
        self.rows.push((i, slot, row));
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
    match (first_msg, last_msg) {
        (Some(a), Some(b)) if b < a => {
            return Err(c.error(format!("{b} is less than first_msg {a}")))
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
        label,
    })
}

fn message_row(c: &mut Cells) -> Result<MessageRow, LoadError> {
    let (line, scenario, trial, flow) = (c.line, c.u32()?, c.u32()?, flow(c)?);
    let (msg_id, offset, len) = (c.u64()?, c.u64()?, c.len()?);
    end_fits(c, offset, len)?;
    let (sent_ns, delivered_ns, reads) = (c.opt_u64()?, c.opt_u64()?, c.opt_u64()?);
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
        label: c.text(),
    })
}

fn segment_row(c: &mut Cells) -> Result<SegmentRow, LoadError> {
    let (line, scenario, trial, flow, t_ns) = (c.line, c.u32()?, c.u32()?, flow(c)?, c.u64()?);
    let (offset, len) = (c.u64()?, c.len()?);
    end_fits(c, offset, len)?;
    Ok(SegmentRow {
        line,
        scenario,
        trial,
        flow,
        t_ns,
        offset,
        len,
        flags: c.text(),
    })
}
