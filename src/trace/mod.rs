//! The events a scenario records: every send call, every recv call that
//! returned data, and the messages each flow carried. One [`Trace`] per trial.
//!
//! Storage is reserved (and its pages touched) before the clock starts, so
//! recording an event is a store into memory that is already there.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Instant;

/// One direction of one connection: client → server or the replies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flow {
    /// Client → server: the messages of `[sender]`.
    C2s,
    /// Server → client: the replies of `receiver.reply`.
    S2c,
}

impl Flow {
    /// The CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::C2s => "c2s",
            Flow::S2c => "s2c",
        }
    }
}

impl fmt::Display for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One message as its sender placed it in the flow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageSpan {
    /// Message id, 0, 1, … in sending order.
    pub id: u64,
    /// First byte of the message (for framing: of its frame) in the flow, bytes.
    pub offset: u64,
    /// Length in the flow, bytes (for framing: header + payload).
    pub len: u64,
}

/// One call of send/sendto that returned (accepted bytes or would block).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SendEvent {
    /// When the call returned, ns since the trial started.
    pub t_ns: u64,
    /// The message whose bytes this call started with.
    pub msg_id: u64,
    /// Flow offset of the first byte asked to send.
    pub offset: u64,
    /// Bytes asked to send.
    pub len: u64,
    /// Bytes accepted; `ret < len` is a short write, not loss.
    pub ret: u64,
}

/// One call of recv/recvfrom that returned data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecvEvent {
    /// When the call returned, ns since the trial started.
    pub t_ns: u64,
    /// Flow offset of the first byte returned (UDP: of the datagram).
    pub offset: u64,
    /// Bytes returned to the application.
    pub len: u64,
    /// Bytes the buffer could hold (the recv size asked for).
    pub asked: u64,
    /// UDP: the datagram was longer than the buffer and its tail discarded.
    pub truncated: bool,
}

/// A frame the receiver's decoder produced (only with framing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedEvent {
    /// When the frame was complete, ns since the trial started.
    pub t_ns: u64,
    /// Flow offset of the frame's first byte.
    pub offset: u64,
    /// Frame length in the flow, bytes (header + payload).
    pub len: u64,
    /// Whether the payload equals the message sent at that place.
    pub ok: bool,
}

/// Everything recorded for one flow in one trial.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlowTrace {
    /// Messages in flow order.
    pub messages: Vec<MessageSpan>,
    /// Send calls in time order.
    pub sends: Vec<SendEvent>,
    /// Recv calls that returned data, in time order.
    pub recvs: Vec<RecvEvent>,
    /// Frames decoded by the receiver (framing only).
    pub decoded: Vec<DecodedEvent>,
    /// Send calls that would have blocked (non-blocking sender).
    pub would_block: u64,
    /// Datagrams the kernel dropped for lack of buffer (SO_RXQ_OVFL), if known.
    pub drops: Option<u64>,
    /// TCP segments carrying data that the sending socket sent (TCP_INFO), if known.
    pub segments: Option<u64>,
    /// Bytes that the receive path discarded (UDP truncation).
    pub discarded: u64,
    /// Framing: why the decoder stopped early (a hostile length, EOF inside
    /// a frame); the messages it did not decode are lost or corrupt.
    pub decode_error: Option<String>,
}

impl FlowTrace {
    /// A flow trace with room for the given numbers of events, pages touched.
    pub fn with_capacity(messages: usize, sends: usize, recvs: usize) -> Self {
        FlowTrace {
            messages: touched(messages),
            sends: touched(sends),
            recvs: touched(recvs),
            ..FlowTrace::default()
        }
    }
}

/// A vector with capacity `n` whose memory has been written once.
fn touched<T: Default + Clone>(n: usize) -> Vec<T> {
    let mut v = Vec::with_capacity(n);
    v.resize(n, T::default());
    v.clear();
    v
}

/// One trial: the c2s flow and, with replies, the s2c flow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    /// Client → server.
    pub c2s: FlowTrace,
    /// Server → client (empty without replies).
    pub s2c: Option<FlowTrace>,
    /// Wall time of the trial, ns.
    pub duration_ns: u64,
}

/// The one monotonic clock of a trial: both sides stamp events with it.
///
/// It reads the CPU's time-stamp counter where the kernel trusts it (about
/// 9 ns a read, against about 25 ns for [`Instant`]), and [`Instant`]
/// elsewhere; see [`crate::tsc`].
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    start: Instant,
    /// Counter at `start` and nanoseconds per tick, when the counter is used.
    tsc: Option<(u64, f64)>,
}

impl Clock {
    /// Starts the clock now.
    pub fn start() -> Self {
        let rate = crate::tsc::ns_per_tick();
        Clock {
            start: Instant::now(),
            tsc: rate.map(|ns| (crate::tsc::ticks(), ns)),
        }
    }

    /// Nanoseconds since the clock started.
    #[inline]
    pub fn now_ns(&self) -> u64 {
        match self.tsc {
            Some((t0, ns)) => (crate::tsc::ticks().saturating_sub(t0) as f64 * ns) as u64,
            None => self.start.elapsed().as_nanos() as u64,
        }
    }

    /// The instant the clock started.
    pub fn origin(&self) -> Instant {
        self.start
    }
}
