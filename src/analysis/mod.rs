//! Pure functions from a trace to what the application saw: the kind of
//! every recv (whole / sticky 粘包 / fragment 分包 / truncated, or unknown
//! when no message boundary is known), the fate of every message (intact /
//! merged / split / truncated / lost / corrupt) and a summary per flow, then
//! the `[expect]` figures and checks. No sockets, no clocks, no source:
//! analysis reads only [`crate::trace`], so every source of a trace gets
//! the same words. Unit-tested with scripted events.

mod classify;
mod figures;
mod kinds;
mod result;
pub mod stats;
mod summary;

pub use crate::experiment::Outcome;
pub use crate::trace::{Boundaries, Content, Delivery};
pub use classify::{classify, fates};
pub use figures::{check_compares, check_trial, figures, recv_texts, utf8_cuts};
pub use kinds::{Fate, RecvKind};
pub use result::{PeerInfo, RunResult, TrialResult};
pub use summary::{summarise, Summary};

use crate::trace::{Flow, FlowTrace, MessageSpan, RecvEvent, SendEvent};

/// One recv with its place among the messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecvRow {
    pub event: RecvEvent,
    /// The message holding the first byte (None if beyond every message).
    pub first_msg: Option<u64>,
    /// The message holding the last byte.
    pub last_msg: Option<u64>,
    pub kind: RecvKind,
}

/// One message with its fate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRow {
    pub span: MessageSpan,
    /// When the send call that took its last byte returned, ns.
    pub sent_ns: Option<u64>,
    /// When the read that completed it returned, ns (None if never).
    pub delivered_ns: Option<u64>,
    /// Reads that carried bytes of it.
    pub reads: u64,
    pub fate: Fate,
}

/// Everything worked out for one flow.
#[derive(Clone, Debug)]
pub struct FlowAnalysis {
    pub flow: Flow,
    pub delivery: Delivery,
    pub messages: Vec<MessageRow>,
    pub recvs: Vec<RecvRow>,
    pub sends: Vec<SendEvent>,
    pub summary: Summary,
    /// Send calls that accepted fewer bytes than asked.
    pub short_writes: u64,
    pub would_block: u64,
    /// Bytes discarded by truncation.
    pub discarded: u64,
    /// Kernel drop counter (UDP), when known.
    pub drops: Option<u64>,
    /// Framing: why the decoder stopped early, if it did.
    pub decode_error: Option<String>,
    /// Where the message boundaries came from.
    pub boundaries: Boundaries,
    /// The flow's bytes, for labels.
    pub content: Content,
}

/// Analyses one flow, whatever its source: the message boundaries are the
/// trace's messages, or the decoded frames ([`Boundaries::Decoded`]), or
/// none ([`Boundaries::Unknown`]: recvs and bytes only, no fate).
pub fn analyse(flow: Flow, t: &FlowTrace, duration_ns: u64) -> FlowAnalysis {
    let delivery = t.delivery;
    let decoded;
    let spans: &[MessageSpan] = match t.boundaries {
        Boundaries::Unknown => &[],
        Boundaries::Decoded => {
            decoded = classify::decoded_spans(&t.decoded);
            &decoded
        }
        Boundaries::Known | Boundaries::Declared => &t.messages,
    };
    let recvs = classify(delivery, t.boundaries, spans, &t.recvs);
    let mut messages = fates(delivery, spans, &recvs);
    if delivery == Delivery::Framed {
        classify::apply_decoded(&mut messages, &t.decoded);
    }
    classify::stamp_sent(&mut messages, &t.sends);
    let mut summary = summarise(t.boundaries, &messages, &recvs, duration_ns);
    summary.segments = t.segments;
    FlowAnalysis {
        flow,
        delivery,
        short_writes: t.sends.iter().filter(|s| s.ret < s.len).count() as u64,
        would_block: t.would_block,
        discarded: t.discarded,
        drops: t.drops,
        decode_error: t.decode_error.clone(),
        boundaries: t.boundaries,
        content: t.content.clone(),
        sends: t.sends.clone(),
        messages,
        recvs,
        summary,
    }
}
