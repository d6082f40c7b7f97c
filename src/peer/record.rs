//! Recording one flow of someone else's conversation: every read or write
//! with its time and length, the bytes themselves up to a cap shared by the
//! whole run (then lengths only, and the flow says so), and the frames a
//! decoder finds in them. What comes out is a [`FlowTrace`] like the
//! engine's, with the boundaries the user gave: decoded frames, declared
//! messages, or none.

use crate::framing::{Framing, Limits, StreamReader};
use crate::trace::{
    Boundaries, Clock, Content, DecodedEvent, Delivery, FlowTrace, MessageSpan, Queued, Recorded,
    RecvEvent, SendEvent,
};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// Default cap on the bytes one run keeps (64 MiB); past it, lengths only.
pub const DEFAULT_KEEP: u64 = 64 << 20;

/// Most calls one flow may record: each costs memory until the results are
/// written, so a run of one-byte reads over a large stream stops with an
/// error that names this limit instead of eating the machine.
pub const MAX_CALLS: usize = 8 << 20;

/// The bytes a run may still keep, shared by all its flows.
#[derive(Debug)]
pub struct Budget {
    left: AtomicU64,
    cap: u64,
    hit: AtomicBool,
}

impl Budget {
    /// A budget of `cap` bytes.
    pub fn new(cap: u64) -> Arc<Budget> {
        Arc::new(Budget {
            left: AtomicU64::new(cap),
            cap,
            hit: AtomicBool::new(false),
        })
    }

    /// Takes up to `want` bytes; how many were granted.
    fn take(&self, want: u64) -> u64 {
        let mut left = self.left.load(Ordering::Relaxed);
        loop {
            let got = want.min(left);
            match self
                .left
                .compare_exchange(left, left - got, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => {
                    if got < want {
                        self.hit.store(true, Ordering::Relaxed);
                    }
                    return got;
                }
                Err(now) => left = now,
            }
        }
    }

    /// Whether some bytes were not kept, and the cap.
    pub fn exhausted(&self) -> Option<u64> {
        self.hit.load(Ordering::Relaxed).then_some(self.cap)
    }
}

/// Where a recorded flow's message boundaries come from.
#[derive(Clone, Debug)]
pub enum Cut {
    /// Nowhere: recvs and bytes only.
    None,
    /// A framing decoder over the bytes.
    Framing(Framing, Limits),
    /// Messages the user declared, in order.
    Declared(Vec<Vec<u8>>),
    /// Each write is a message (the replies nianbao sends itself).
    Writes,
    /// Each datagram is a message (UDP keeps boundaries).
    Datagrams,
}

/// One flow being recorded.
pub struct FlowRecorder {
    trace: FlowTrace,
    bytes: Recorded,
    /// Whether the cap stopped the keeping.
    capped: bool,
    offset: u64,
    sent: u64,
    reader: Option<StreamReader>,
    cut: Cut,
    budget: Arc<Budget>,
    /// Whether the flow's bytes are the ones written (nianbao's own
    /// replies) rather than the ones read.
    keep_writes: bool,
}

impl FlowRecorder {
    /// A recorder for a flow that nianbao writes itself (its replies): the
    /// bytes kept are the ones written, each write one message.
    pub fn writer(budget: Arc<Budget>) -> FlowRecorder {
        let mut r = FlowRecorder::new(Cut::Writes, budget);
        r.keep_writes = true;
        r
    }

    /// A recorder for a flow cut by `cut`, keeping bytes within `budget`.
    pub fn new(cut: Cut, budget: Arc<Budget>) -> FlowRecorder {
        let reader = match &cut {
            Cut::Framing(f, limits) if *f != Framing::None => Some(StreamReader::new(f, limits)),
            _ => None,
        };
        FlowRecorder {
            trace: FlowTrace::default(),
            bytes: Recorded::default(),
            capped: false,
            offset: 0,
            sent: 0,
            reader,
            cut,
            budget,
            keep_writes: false,
        }
    }

    /// Bytes read so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Calls recorded so far (reads and writes).
    pub fn calls(&self) -> usize {
        self.trace.recvs.len() + self.trace.sends.len()
    }

    /// Records one read of `data` (asked: the buffer's size; `full`: a
    /// datagram's real length when longer than the buffer).
    pub fn recv(
        &mut self,
        clock: &Clock,
        data: &[u8],
        asked: usize,
        full: usize,
        queued: Option<u64>,
    ) {
        self.recv_at(clock.now_ns(), data, data.len(), asked, full, queued);
    }

    /// Records one read that returned `len` bytes at `t_ns`, of which
    /// `data` are the first ones known (fewer past a cap: then the keeping
    /// and the decoder stop, and the flow says so).
    pub fn recv_at(
        &mut self,
        t_ns: u64,
        data: &[u8],
        len: usize,
        asked: usize,
        full: usize,
        queued: Option<u64>,
    ) {
        let full = full.max(len);
        self.trace.recvs.push(RecvEvent {
            t_ns,
            offset: self.offset,
            len: len as u32,
            asked: asked as u32,
            truncated: full > len,
            queued: Queued::new(queued),
        });
        if let Cut::Datagrams = self.cut {
            self.trace.messages.push(MessageSpan {
                id: self.trace.messages.len() as u64,
                offset: self.offset,
                len: full as u64,
            });
            self.trace.discarded += (full - len) as u64;
        }
        if !self.keep_writes {
            self.keep(self.offset, data);
            self.capped |= data.len() < len;
        }
        if data.len() < len && self.reader.take().is_some() {
            self.trace.decode_error =
                Some("the bytes past the keep cap were not kept, so the decoder stopped".into());
        }
        if let Some(r) = self.reader.as_mut() {
            let decoded = &mut self.trace.decoded;
            r.push(data, |f| {
                decoded.push(DecodedEvent {
                    t_ns,
                    offset: f.offset,
                    len: f.len,
                    ok: f.md5_ok,
                })
            });
        }
        // A truncated datagram's tail is gone, but it took its place in the flow.
        self.offset += full as u64;
    }

    /// Records one write another program made at `t_ns`: `asked` bytes, of
    /// which the kernel took `ret`; `data` are the first of those known.
    /// With [`Cut::Writes`] the bytes taken are one message.
    pub fn send_at(&mut self, t_ns: u64, data: &[u8], asked: usize, ret: usize) {
        if let Cut::Writes = self.cut {
            self.trace.messages.push(MessageSpan {
                id: self.trace.messages.len() as u64,
                offset: self.sent,
                len: ret as u64,
            });
        }
        if self.keep_writes {
            self.keep(self.sent, data);
            self.capped |= data.len() < ret;
        }
        self.trace.sends.push(SendEvent {
            t_ns,
            msg_id: self.trace.messages.len().saturating_sub(1) as u64,
            offset: self.sent,
            len: asked as u32,
            ret: ret as u32,
        });
        self.sent += ret as u64;
    }

    /// Places the next read at `offset` of the flow: a datagram matched to
    /// the send that made it (one lost before it leaves a gap).
    pub fn seek(&mut self, offset: u64) {
        self.offset = offset;
    }

    /// Keeps the bytes written rather than the ones read (a flow whose
    /// reader was not seen).
    pub fn keeping_writes(mut self) -> FlowRecorder {
        self.keep_writes = true;
        self
    }

    /// Starts one write of `data` (a reply, or a chunk a proxy forwards):
    /// keeps its bytes, and with [`Cut::Writes`] makes it a message.
    pub fn begin_write(&mut self, data: &[u8]) {
        if let Cut::Writes = self.cut {
            self.trace.messages.push(MessageSpan {
                id: self.trace.messages.len() as u64,
                offset: self.sent,
                len: data.len() as u64,
            });
        }
        if self.keep_writes {
            self.keep(self.sent, data);
        }
    }

    /// Records one send() call of `data` of which the kernel took `ret` bytes.
    pub fn send(&mut self, clock: &Clock, data: &[u8], ret: usize) {
        let msg_id = self.trace.messages.len().saturating_sub(1) as u64;
        self.trace.sends.push(SendEvent {
            t_ns: clock.now_ns(),
            msg_id,
            offset: self.sent,
            len: data.len() as u32,
            ret: ret as u32,
        });
        self.sent += ret as u64;
    }

    fn keep(&mut self, offset: u64, data: &[u8]) {
        if self.capped {
            return;
        }
        let got = self.budget.take(data.len() as u64) as usize;
        self.bytes.push(offset, &data[..got]);
        self.capped = got < data.len();
    }

    /// The flow's trace: delivery, boundaries and content set; `segments`
    /// from TCP_INFO when known.
    pub fn finish(mut self, delivery: Delivery, segments: Option<u64>) -> FlowTrace {
        if let Some(r) = self.reader.as_mut() {
            r.finish();
            self.trace.decode_error = r.error.clone();
        }
        let mut t = self.trace;
        t.delivery = delivery;
        t.segments = segments;
        t.boundaries = match self.cut {
            Cut::None | Cut::Framing(Framing::None, _) => Boundaries::Unknown,
            // A decoder that found no frame gives no boundary at all.
            Cut::Framing(..) if t.decoded.is_empty() => Boundaries::Unknown,
            Cut::Framing(..) => Boundaries::Decoded,
            Cut::Declared(ref list) => {
                t.messages = declared_spans(list);
                if let Some(at) = first_difference(list, &self.bytes) {
                    t.decode_error = Some(format!(
                        "the bytes received differ from the declared messages at byte {at}"
                    ));
                }
                Boundaries::Declared
            }
            Cut::Writes | Cut::Datagrams => Boundaries::Known,
        };
        t.content = Content::Recorded(Arc::new(self.bytes));
        name_sends(&mut t);
        t
    }
}

/// Each send's `msg_id`: the message holding its first byte, as far as the
/// flow's messages (or decoded frames) are known; 0 otherwise.
fn name_sends(t: &mut FlowTrace) {
    let starts: Vec<u64> = match t.boundaries {
        Boundaries::Decoded => t.decoded.iter().map(|d| d.offset).collect(),
        _ => t.messages.iter().map(|m| m.offset).collect(),
    };
    if starts.is_empty() {
        return;
    }
    for s in &mut t.sends {
        s.msg_id = starts.partition_point(|&o| o <= s.offset).saturating_sub(1) as u64;
    }
}

fn declared_spans(list: &[Vec<u8>]) -> Vec<MessageSpan> {
    let mut offset = 0;
    list.iter()
        .enumerate()
        .map(|(id, m)| {
            let span = MessageSpan {
                id: id as u64,
                offset,
                len: m.len() as u64,
            };
            offset += m.len() as u64;
            span
        })
        .collect()
}

/// The first byte where what was kept differs from the declared messages.
fn first_difference(list: &[Vec<u8>], kept: &Recorded) -> Option<u64> {
    let declared: Vec<u8> = list.concat();
    let mut buf = Vec::new();
    Content::Recorded(Arc::new(kept.clone())).copy(0, kept.len() as u64, &mut buf);
    let kept = &buf;
    declared
        .iter()
        .zip(kept)
        .position(|(a, b)| a != b)
        .map(|i| i as u64)
        .or_else(|| (kept.len() > declared.len()).then_some(declared.len() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_past_the_budget_are_not_kept_and_the_flow_says_so() {
        let budget = Budget::new(6);
        let clock = Clock::start();
        let mut r = FlowRecorder::new(Cut::None, budget.clone());
        r.recv(&clock, b"hello", 1024, 5, Some(0));
        r.recv(&clock, b"feng", 1024, 4, None);
        let t = r.finish(Delivery::Stream, None);
        assert_eq!(t.recvs.len(), 2);
        assert_eq!(t.recvs[1].offset, 5);
        assert_eq!(budget.exhausted(), Some(6));
        let mut out = Vec::new();
        t.content.copy(0, 9, &mut out);
        assert_eq!(out, b"hellof");
        assert_eq!(t.boundaries, Boundaries::Unknown);
    }

    #[test]
    fn declared_messages_that_differ_from_the_bytes_are_reported() {
        let clock = Clock::start();
        let mut r = FlowRecorder::new(
            Cut::Declared(vec![b"hello".to_vec(), b"feng".to_vec()]),
            Budget::new(DEFAULT_KEEP),
        );
        r.recv(&clock, b"hellofang", 1024, 9, None);
        let t = r.finish(Delivery::Stream, None);
        assert_eq!(t.messages.len(), 2);
        assert!(t.decode_error.unwrap().contains("byte 6"));
    }

    #[test]
    fn a_framing_decodes_the_bytes_into_messages() {
        let clock = Clock::start();
        let mut r = FlowRecorder::new(
            Cut::Framing(Framing::U32Be, Limits::default()),
            Budget::new(DEFAULT_KEEP),
        );
        r.recv(&clock, &[0, 0, 0, 2, b'h', b'i', 0, 0], 1024, 8, None);
        r.recv(&clock, &[0, 1, b'!'], 1024, 3, None);
        let t = r.finish(Delivery::Framed, None);
        assert_eq!(t.boundaries, Boundaries::Decoded);
        assert_eq!(t.decoded.len(), 2);
        assert_eq!((t.decoded[1].offset, t.decoded[1].len), (6, 5));
    }
}
