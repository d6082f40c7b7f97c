//! The typed rows of a results folder, one struct per CSV, used both to
//! write the CSVs (`csv`) and to read them back (`load`, `summary`, `info`,
//! `check`), and the whole folder as read ([`Results`]): what `show` and the
//! charts read. Types, their columns and the one cell parser they share; no
//! file is opened here.

use super::table::Cells;
use crate::analysis::Cause;
use crate::error::LoadError;
use serde::Serialize;
use std::path::PathBuf;

pub use crate::analysis::{Fate, RecvKind};
pub use crate::experiment::SUMMARY_COLUMNS as FIGURES;
pub use crate::trace::Flow;

/// One row of `sends.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct SendRow {
    /// Line in sends.csv (1 is the header).
    #[serde(skip)]
    pub line: u64,
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
#[derive(Debug, Clone, Serialize)]
pub struct RecvRow {
    /// Line in recvs.csv (1 is the header).
    #[serde(skip)]
    pub line: u64,
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
    pub asked: u64,
    /// Bytes still queued after the read (SIOCINQ), when recorded.
    pub queued: Option<u64>,
    /// Why it merged or split messages, where measured (empty otherwise).
    pub cause: Cause,
    /// Escaped preview of the payload.
    pub label: String,
}

/// One row of `messages.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct MessageRow {
    /// Line in messages.csv (1 is the header).
    #[serde(skip)]
    pub line: u64,
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
    /// Why it was merged or split, where measured (empty otherwise).
    pub cause: Cause,
    /// Escaped preview of the payload.
    pub label: String,
}

/// One row of `segments.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentRow {
    /// Line in segments.csv (1 is the header).
    #[serde(skip)]
    pub line: u64,
    pub scenario: u32,
    pub trial: u32,
    pub flow: Flow,
    /// Nanoseconds since the trial started.
    pub t_ns: u64,
    /// Relative sequence number.
    pub offset: u64,
    /// Payload bytes.
    pub len: u64,
    pub flags: String,
}

/// One row of `requests.csv`: a request and its reply, ns on the trial clock.
#[derive(Debug, Clone, Serialize)]
pub struct RequestRow {
    /// Line in requests.csv (1 is the header).
    #[serde(skip)]
    pub line: u64,
    pub scenario: u32,
    pub trial: u32,
    pub request: u64,
    pub sent_ns: u64,
    pub reply_ns: u64,
    pub latency_ns: u64,
}

impl RequestRow {
    /// The columns of requests.csv, in order.
    pub const COLUMNS: &[&str] = &[
        "scenario",
        "trial",
        "request",
        "sent_ns",
        "reply_ns",
        "latency_ns",
    ];
}

impl SendRow {
    /// The columns of sends.csv, in order.
    pub const COLUMNS: &[&str] = &[
        "scenario", "trial", "flow", "t_ns", "msg_id", "offset", "len", "ret",
    ];
}
impl RecvRow {
    /// The columns of recvs.csv, in order.
    pub const COLUMNS: &[&str] = &[
        "scenario",
        "trial",
        "flow",
        "t_ns",
        "offset",
        "len",
        "first_msg",
        "last_msg",
        "kind",
        "truncated",
        "asked",
        "queued",
        "cause",
        "label",
    ];
}
impl MessageRow {
    /// The columns of messages.csv, in order.
    pub const COLUMNS: &[&str] = &[
        "scenario",
        "trial",
        "flow",
        "msg_id",
        "offset",
        "len",
        "sent_ns",
        "delivered_ns",
        "reads",
        "fate",
        "cause",
        "label",
    ];
}
impl SegmentRow {
    /// The columns of segments.csv, in order.
    pub const COLUMNS: &[&str] = &[
        "scenario", "trial", "flow", "t_ns", "offset", "len", "flags",
    ];
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
    /// The summary.csv column `sweep.png` plots, if the file names one.
    pub chart_metric: Option<String>,
    /// The whole file, for readers that need the full schema (`show`
    /// plans from it), so it is read once.
    pub toml: String,
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
    /// requests.csv's rows (empty when it is absent).
    pub requests: Vec<RequestRow>,
    /// The flows whose rows of a table were too many to keep each one
    /// (charts read with [`crate::report::load::load_for_charts`]): only a
    /// sample is in `sends`, `recvs` or `messages`. Empty otherwise.
    pub thinned: Vec<Thinned>,
    /// With `thinned`: every recv's length and kind, counted (the sample
    /// would not give the histogram of recv sizes): `(len, kind, recvs)`.
    pub recv_tally: Vec<(u64, RecvKind, u64)>,
}

/// One flow's rows of one table that a chart load kept only a sample of:
/// the first [`Thinned::HEAD`] rows, then every `every`-th.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thinned {
    /// `sends`, `recvs` or `messages`.
    pub table: &'static str,
    pub scenario: u32,
    pub trial: u32,
    pub flow: Flow,
    /// Rows the file holds for this flow.
    pub total: u64,
    /// After the first [`Thinned::HEAD`], one row in `every` is kept.
    pub every: u64,
}

impl Thinned {
    /// Rows kept whole at the start of a flow (what `boundaries.png` draws).
    pub const HEAD: u64 = 4096;
    /// Most rows kept after the head, per flow and table.
    pub const TAIL: u64 = 8192;
}

impl Results {
    /// How `table`'s rows of one flow were thinned, if they were.
    pub fn thinned(&self, table: &str, (s, t): (u32, u32), flow: Flow) -> Option<&Thinned> {
        self.thinned
            .iter()
            .find(|x| x.table == table && x.scenario == s && x.trial == t && x.flow == flow)
    }
}

/// One row of `summary.csv`: one (scenario, trial, flow).
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// Line in summary.csv (1 is the header).
    pub line: u64,
    pub scenario: u32,
    pub trial: u32,
    pub flow: Flow,
    /// Swept parameter values as written (`"1ms"`, `"true"`), aligned with
    /// [`Results::param_keys`].
    pub params: Vec<String>,
    /// Values of [`FIGURES`], same order; `None` where the cell was empty.
    pub figures: Vec<Option<f64>>,
}

impl SummaryRow {
    /// The value of one figure by column name (`"merged_fraction"`).
    pub fn figure(&self, name: &str) -> Option<f64> {
        let i = FIGURES.iter().position(|f| *f == name)?;
        self.figures.get(i).copied().flatten()
    }

    /// Whether the flow's message boundaries were known: a flow without
    /// them has no fractions (their cells are empty).
    pub fn boundaries_known(&self) -> bool {
        self.figure("merged_fraction").is_some()
    }
}

/// The `flow` column.
pub(crate) fn flow(c: &mut Cells) -> Result<Flow, LoadError> {
    c.pick(&[Flow::C2s, Flow::S2c], Flow::as_str)
}
