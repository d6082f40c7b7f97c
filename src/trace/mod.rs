//! The trace: what a source recorded of one conversation, and the only
//! thing analysis reads. Every send call, every recv call that returned
//! data, the frames a decoder produced, the messages when their boundaries
//! are known ([`Boundaries`]) and a way to get the bytes back ([`Content`]).
//! Any source can fill it: the engine (its own sender and receiver), and
//! sources that watch someone else's program. Nothing here imports a
//! source.
//!
//! Storage is reserved (and its pages touched) before the clock starts, so
//! recording an event is a store into memory that is already there.

mod clock;
mod content;
pub mod wire;

pub use crate::experiment::Flow;
pub use clock::Clock;
pub use content::{Boundaries, ByteSource, Content, Delivery, Recorded};
pub use wire::{Capture, Frame, Place, Segment};

/// One message as its sender placed it in the flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MessageSpan {
    /// Message id, 0, 1, … in sending order.
    pub id: u64,
    /// First byte of the message (for framing: of its frame) in the flow, bytes.
    pub offset: u64,
    /// Length in the flow, bytes (for framing: header + payload).
    pub len: u64,
}

/// One call of send/sendto that returned (accepted bytes or would block).
/// 32 bytes: a call's length fits a u32 (a message is at most 1 GiB,
/// `experiment::limits::MAX_STREAM`; a peer writes at most one buffer).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendEvent {
    /// When the call returned, ns since the trial started.
    pub t_ns: u64,
    /// The message whose bytes this call started with.
    pub msg_id: u64,
    /// Flow offset of the first byte asked to send.
    pub offset: u64,
    /// Bytes asked to send.
    pub len: u32,
    /// Bytes accepted; `ret < len` is a short write, not loss.
    pub ret: u32,
}

/// One call of recv/recvfrom that returned data. 32 bytes: a recv size is
/// at most 1 GiB (the size limit of `experiment`), so lengths are u32.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecvEvent {
    /// When the call returned, ns since the trial started.
    pub t_ns: u64,
    /// Flow offset of the first byte returned (UDP: of the datagram).
    pub offset: u64,
    /// Bytes returned to the application.
    pub len: u32,
    /// Bytes the buffer could hold (the recv size asked for).
    pub asked: u32,
    /// Bytes still waiting in the receive queue right after this read
    /// (SIOCINQ), when the source asked.
    pub queued: Queued,
    /// UDP: the datagram was longer than the buffer and its tail discarded.
    pub truncated: bool,
}

/// Bytes in a receive queue (SIOCINQ), or not known: 4 bytes where an
/// `Option<u64>` takes 16. A queue holds at most SO_RCVBUF bytes, an `int`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Queued(u32);

impl Queued {
    /// Not asked, or the call failed.
    pub const UNKNOWN: Queued = Queued(u32::MAX);

    /// Bytes queued, if known (a count past `u32::MAX - 1` is kept as that).
    pub fn new(bytes: Option<u64>) -> Queued {
        match bytes {
            Some(b) => Queued(b.min(u64::from(u32::MAX - 1)) as u32),
            None => Queued::UNKNOWN,
        }
    }

    /// Bytes queued, if known.
    pub fn get(self) -> Option<u64> {
        (self != Queued::UNKNOWN).then_some(u64::from(self.0))
    }
}

impl Default for Queued {
    fn default() -> Self {
        Queued::UNKNOWN
    }
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
#[derive(Clone, Debug, Default, PartialEq)]
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
    /// The flow's TCP segments seen on the wire, in capture order (empty
    /// when the trial was not captured: see [`Trace::capture`]).
    pub wire: Vec<Segment>,
    /// When the sender began each message's first send call, ns, in
    /// message order: recorded only when each message is a request the
    /// sender waits on (a send event's time is when its call returned).
    pub began: Vec<u64>,
    /// How the receiving application met the flow.
    pub delivery: Delivery,
    /// Where `messages` came from; with [`Boundaries::Unknown`] there are none.
    pub boundaries: Boundaries,
    /// The flow's bytes, for labels and checks that read them.
    pub content: Content,
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
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    /// Client → server.
    pub c2s: FlowTrace,
    /// Server → client (empty without replies).
    pub s2c: Option<FlowTrace>,
    /// Wall time of the trial, ns (the traffic: reading the capture
    /// afterwards is not in it).
    pub duration_ns: u64,
    /// Whether the wire was captured, and the frames if it was.
    pub capture: Capture,
    /// Time spent after the traffic reading the captured packets, ns.
    pub capture_read_ns: u64,
}
