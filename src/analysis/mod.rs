//! Pure functions from a trace to what the application saw: the kind of
//! every recv (whole / sticky 粘包 / fragment 分包 / truncated, or unknown
//! when no message boundary is known), the fate of every message (intact /
//! merged / split / truncated / lost / corrupt) and a summary per flow, then
//! the `[expect]` figures and checks. No sockets, no clocks, no source:
//! analysis reads only [`crate::trace`], so every source of a trace gets
//! the same words. Unit-tested with scripted events.

mod cause;
mod classify;
mod figures;
mod held;
mod kinds;
mod requests;
mod result;
mod rows;
pub mod stats;
mod summary;

pub use crate::experiment::Outcome;
pub use crate::trace::{Boundaries, Content, Delivery};
pub use cause::{apply_causes, mechanism, Cause, Causer, Mechanism};
pub use classify::{classify, fates};

pub use figures::{check_compares, check_trial, figures, recv_text, recv_texts, utf8_cuts};
pub use held::{departures, longest_hold, Hold};
pub use kinds::{Fate, RecvKind};
pub use requests::{latency, requests, Latency, Request};
pub use result::{PeerInfo, RunResult, TrialResult};
pub use summary::{summarise, Summary};

pub use rows::{MessageRow, Messages, RecvRow, Recvs, MAX_ID, MAX_SPAN, MAX_TIME};

use crate::trace::{Flow, FlowTrace, MessageSpan, SendEvent};

/// Everything worked out for one flow.
#[derive(Clone, Debug)]
pub struct FlowAnalysis {
    pub flow: Flow,
    pub delivery: Delivery,
    pub messages: Messages,
    pub recvs: Recvs,
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
    /// The flow's TCP segments seen on the wire (empty when not captured).
    pub wire: Vec<crate::trace::Segment>,
    /// When each message's first send call began, ns (requests only).
    pub began: Vec<u64>,
    /// What let the sending kernel merge this flow's writes; `None` until
    /// known (then [`Causer`] works out no cause).
    pub mechanism: Option<Mechanism>,
}

/// Analyses one flow of a trace that stays the caller's (its events are
/// copied); [`analyse_owned`] takes them instead.
pub fn analyse(flow: Flow, t: &FlowTrace, duration_ns: u64) -> FlowAnalysis {
    analyse_owned(flow, t.clone(), duration_ns)
}

/// Analyses one flow, whatever its source: the message boundaries are the
/// trace's messages, or the decoded frames ([`Boundaries::Decoded`]), or
/// none ([`Boundaries::Unknown`]: recvs and bytes only, no fate). The
/// trace's events move into the analysis, so nothing is held twice.
pub fn analyse_owned(flow: Flow, t: FlowTrace, duration_ns: u64) -> FlowAnalysis {
    let delivery = t.delivery;
    let spans: Vec<MessageSpan> = match t.boundaries {
        Boundaries::Unknown => Vec::new(),
        Boundaries::Decoded => classify::decoded_spans(&t.decoded),
        Boundaries::Known | Boundaries::Declared => t.messages,
    };
    let recvs = classify(delivery, t.boundaries, &spans, t.recvs);
    let mut messages = fates(delivery, spans, &recvs);
    if delivery == Delivery::Framed {
        classify::apply_decoded(&mut messages, &t.decoded);
    }
    let mut sends = t.sends;
    sends.shrink_to_fit();
    classify::stamp_sent(&mut messages, &sends);
    let mut summary = summarise(t.boundaries, &messages, &recvs, duration_ns);
    summary.segments = t.segments;
    FlowAnalysis {
        flow,
        delivery,
        short_writes: sends.iter().filter(|s| s.ret < s.len).count() as u64,
        would_block: t.would_block,
        discarded: t.discarded,
        drops: t.drops,
        decode_error: t.decode_error,
        boundaries: t.boundaries,
        content: t.content,
        wire: t.wire,
        began: t.began,
        mechanism: None,
        sends,
        messages,
        recvs,
        summary,
    }
}
