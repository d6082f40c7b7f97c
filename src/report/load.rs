//! Reads a results folder (SPEC §4) back into typed rows, so charts and
//! `nianbao show` are a pure function of the files on disk. Every file is
//! opened through [`super::open`]. Every error names the file and, for CSV
//! problems, the line.

use super::open::{self, Capped, CSV_CAP};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub use super::summary::{SummaryRow, FIGURES};

pub use crate::error::LoadError;

pub use crate::analysis::{Fate, RecvKind};
pub use crate::trace::Flow;

/// One row of `sends.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct SendRow {
    pub scenario: u32,
    pub trial: u32,
    pub flow: Flow,
    /// Nanoseconds since the trial started.
    pub t_ns: u64,
    pub msg_id: u64,
    /// Byte offset in the flow's stream.
    pub offset: u64,
    /// Bytes asked to send.
    pub len: u64,
    /// Bytes accepted (may be less than `len`).
    pub ret: i64,
}

/// One row of `recvs.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct RecvRow {
    pub scenario: u32,
    pub trial: u32,
    pub flow: Flow,
    /// Nanoseconds since the trial started.
    pub t_ns: u64,
    /// Byte offset in the flow's stream.
    pub offset: u64,
    /// Bytes returned.
    pub len: u64,
    pub first_msg: Option<u64>,
    pub last_msg: Option<u64>,
    pub kind: RecvKind,
    pub truncated: bool,
    /// The recv size asked for (0 when the column is absent).
    #[serde(default)]
    pub asked: u64,
    /// Escaped preview of the payload.
    #[serde(default)]
    pub label: String,
}

/// One row of `messages.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct MessageRow {
    pub scenario: u32,
    pub trial: u32,
    pub flow: Flow,
    pub msg_id: u64,
    /// Byte offset in the flow's stream (the frame's, with framing).
    pub offset: u64,
    /// Bytes (the frame's, with framing).
    pub len: u64,
    /// Nanoseconds since the trial started.
    pub sent_ns: Option<u64>,
    /// Nanoseconds since the trial started; `None` when not delivered.
    pub delivered_ns: Option<u64>,
    pub reads: Option<u64>,
    pub fate: Fate,
    /// Escaped preview of the payload.
    #[serde(default)]
    pub label: String,
}

/// One row of `segments.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct SegmentRow {
    pub scenario: u32,
    pub trial: u32,
    pub flow: Flow,
    /// Nanoseconds since the trial started.
    pub t_ns: u64,
    /// Relative sequence number.
    pub offset: u64,
    /// Payload bytes.
    pub len: u64,
    #[serde(default)]
    pub flags: String,
}

/// The few `experiment.toml` facts the charts print.
#[derive(Debug, Clone, Default)]
pub struct ExperimentInfo {
    pub name: String,
    pub title: String,
    pub about: String,
    /// `tcp` or `udp`.
    pub kind: String,
    /// `none`, `u32be`, …
    pub framing: String,
    /// Scalar `[sender]` / `[receiver]` settings as `section.key = value`.
    pub knobs: Vec<(String, String)>,
    /// `[[variant]]` tables: each name and its dotted keys, as text.
    pub variants: Vec<(String, Vec<(String, String)>)>,
}

/// Everything in one results folder.
#[derive(Debug, Clone)]
pub struct Results {
    pub dir: PathBuf,
    pub experiment: ExperimentInfo,
    /// Swept parameter keys, in `summary.csv` column order.
    pub param_keys: Vec<String>,
    pub summary: Vec<SummaryRow>,
    pub sends: Vec<SendRow>,
    pub recvs: Vec<RecvRow>,
    pub messages: Vec<MessageRow>,
    /// `None` when `segments.csv` is absent.
    pub segments: Option<Vec<SegmentRow>>,
}

/// Reads a whole results folder.
pub fn load(dir: &Path) -> Result<Results, LoadError> {
    let experiment = super::info::read(&dir.join("experiment.toml"))?;
    let (param_keys, summary) = super::summary::read(&dir.join("summary.csv"))?;
    let seg_path = dir.join("segments.csv");
    Ok(Results {
        dir: dir.to_path_buf(),
        experiment,
        param_keys,
        summary,
        sends: read_rows(&dir.join("sends.csv"))?,
        recvs: read_rows(&dir.join("recvs.csv"))?,
        messages: read_rows(&dir.join("messages.csv"))?,
        segments: match open::present(&seg_path) {
            true => Some(read_rows(&seg_path)?),
            false => None,
        },
    })
}

/// Opens a CSV reader through [`open::open`]: a regular file of at most
/// [`CSV_CAP`] bytes, never a FIFO or device.
pub(crate) fn open_csv(path: &Path) -> Result<csv::Reader<Capped>, LoadError> {
    let file = open::open(path, CSV_CAP)?;
    Ok(csv::ReaderBuilder::new().from_reader(file))
}

/// Turns a csv error into one that names the file and line.
pub(crate) fn csv_error(path: &Path, err: &csv::Error, fallback_line: u64) -> LoadError {
    let line = err.position().map_or(fallback_line, |p| p.line());
    let msg = match err.kind() {
        csv::ErrorKind::Deserialize { err, .. } => match err.field() {
            Some(i) => format!("column {}: {}", i + 1, err.kind()),
            None => err.kind().to_string(),
        },
        _ => err.to_string(),
    };
    LoadError::Csv {
        path: path.to_path_buf(),
        line,
        column: None,
        msg,
        source: None,
    }
}

/// Reads every row of a fixed-column CSV file.
pub fn read_rows<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, LoadError> {
    let mut reader = open_csv(path)?;
    let mut rows = Vec::new();
    for (i, row) in reader.deserialize().enumerate() {
        rows.push(row.map_err(|e| csv_error(path, &e, i as u64 + 2))?);
    }
    Ok(rows)
}
