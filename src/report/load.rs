//! Reads a results folder (SPEC §4) back into typed rows, so charts and
//! `nianbao show` are a pure function of the files on disk. Nothing read is
//! trusted: every file is opened through [`super::open`], every CSV header and
//! cell is checked as it is read ([`super::table`]), and the rows are checked
//! against each other ([`super::check`]). Every error names the file and, for
//! CSV problems, the line and column.

use super::open;
use super::table::{Cells, Table};
use std::path::Path;

pub use super::rows::*;
pub use super::summary::FIGURES;
pub use crate::error::LoadError;

pub use crate::analysis::{Fate, RecvKind};
pub use crate::trace::Flow;

/// Reads and checks a whole results folder.
pub fn load(dir: &Path) -> Result<Results, LoadError> {
    let experiment = super::info::read(&dir.join("experiment.toml"))?;
    let (param_keys, summary) = super::summary::read(&dir.join("summary.csv"))?;
    let seg_path = dir.join("segments.csv");
    let res = Results {
        dir: dir.to_path_buf(),
        experiment,
        param_keys,
        summary,
        sends: read(&dir.join("sends.csv"), SendRow::COLUMNS, &[], send_row)?,
        recvs: read(
            &dir.join("recvs.csv"),
            RecvRow::COLUMNS,
            &["asked", "queued", "label"],
            recv_row,
        )?,
        messages: read(
            &dir.join("messages.csv"),
            MessageRow::COLUMNS,
            &["label"],
            message_row,
        )?,
        segments: match open::present(&seg_path) {
            true => Some(read(
                &seg_path,
                SegmentRow::COLUMNS,
                &["flags"],
                segment_row,
            )?),
            false => None,
        },
    };
    super::check::results(&res)?;
    Ok(res)
}

/// Reads every row of a CSV file whose header is `columns` (the
/// `optional` ones may be absent), one row per call of `row`.
fn read<T>(
    path: &Path,
    columns: &'static [&'static str],
    optional: &[&str],
    mut row: impl FnMut(&mut Cells) -> Result<T, LoadError>,
) -> Result<Vec<T>, LoadError> {
    let mut table = Table::open(path)?;
    table.expect(columns, optional)?;
    let mut rows = Vec::new();
    table.rows(|cells| {
        rows.push(row(cells)?);
        Ok(())
    })?;
    Ok(rows)
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
