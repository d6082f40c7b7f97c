//! A flow's recvs and messages as analysis keeps them: the trace's own
//! events, moved in (never copied), beside a small mark per event with what
//! analysis worked out (a recv's messages and kind, a message's times,
//! reads and fate). Rows ([`RecvRow`], [`MessageRow`]) are views built on
//! demand from an event and its mark, so a recorded event costs its 32-byte
//! trace record plus an 8-byte (recv) or 24-byte (message) mark from the
//! first send until the last byte of results is written.

use super::kinds::{Fate, RecvKind};
use crate::trace::{MessageSpan, RecvEvent};

/// One recv with its place among the messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecvRow {
    pub event: RecvEvent,
    /// The message holding the first byte (None if beyond every message).
    pub first_msg: Option<u64>,
    /// The message holding the last byte.
    pub last_msg: Option<u64>,
    pub kind: RecvKind,
}

/// One message with its fate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// `None` as a u32 message id: ids are below the per-flow event limits
/// (`engine::MAX_RECV_EVENTS`, `peer::MAX_CALLS`, `limits::MAX_SENDS`:
/// 8 Mi), far from it.
const NO_ID: u32 = u32::MAX;
/// `None` as a time, ns (585 years into a trial).
const NO_TIME: u64 = u64::MAX;

/// The largest message id, time and recv span (last − first message) a
/// flow's rows can hold: a results file past them is refused on load.
pub const MAX_ID: u64 = NO_ID as u64 - 1;
pub const MAX_TIME: u64 = NO_TIME - 1;
pub const MAX_SPAN: u64 = (1 << 29) - 1;

fn id_of(id: Option<u64>) -> u32 {
    id.map_or(NO_ID, |i| i.min(u64::from(NO_ID - 1)) as u32)
}

fn id_from(id: u32) -> Option<u64> {
    (id != NO_ID).then_some(u64::from(id))
}

fn time_from(t: u64) -> Option<u64> {
    (t != NO_TIME).then_some(t)
}

/// What analysis adds to one recv: 8 bytes. The first message's id, and
/// `(last - first) << 3 | kind`: a read reaches past no more messages than
/// a flow holds (at most 8 Mi, below 2^29). A read in no message has
/// `first == NO_ID`, and then no last either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct RecvMark {
    first: u32,
    span_kind: u32,
}

impl RecvMark {
    fn new(first: Option<u64>, last: Option<u64>, kind: RecvKind) -> RecvMark {
        let k = RecvKind::ALL.iter().position(|x| *x == kind).unwrap_or(0) as u32;
        let span = match (first, last) {
            (Some(a), Some(b)) => b.saturating_sub(a).min((1 << 29) - 1) as u32,
            _ => 0,
        };
        RecvMark {
            first: id_of(first.filter(|_| last.is_some())),
            span_kind: span << 3 | k,
        }
    }

    fn kind(self) -> RecvKind {
        RecvKind::ALL[(self.span_kind & 7) as usize % RecvKind::ALL.len()]
    }

    fn first_last(self) -> (Option<u64>, Option<u64>) {
        let first = id_from(self.first);
        (first, first.map(|a| a + u64::from(self.span_kind >> 3)))
    }
}

fn recv_row(e: &RecvEvent, m: &RecvMark) -> RecvRow {
    let (first_msg, last_msg) = m.first_last();
    RecvRow {
        event: *e,
        first_msg,
        last_msg,
        kind: m.kind(),
    }
}

/// A flow's recvs: the trace's events and, beside each, its mark.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recvs {
    events: Vec<RecvEvent>,
    marks: Vec<RecvMark>,
}

impl Recvs {
    /// Takes the trace's events; `mark(i, event)` gives each its first and
    /// last message and its kind.
    pub(super) fn marked(
        mut events: Vec<RecvEvent>,
        mut mark: impl FnMut(&RecvEvent) -> (Option<u64>, Option<u64>, RecvKind),
    ) -> Recvs {
        events.shrink_to_fit();
        let marks = events
            .iter()
            .map(|e| {
                let (first, last, kind) = mark(e);
                RecvMark::new(first, last, kind)
            })
            .collect();
        Recvs { events, marks }
    }

    /// Appends one row (for a flow read back from its CSVs).
    pub fn push(&mut self, r: RecvRow) {
        self.events.push(r.event);
        self.marks
            .push(RecvMark::new(r.first_msg, r.last_msg, r.kind));
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Recv `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<RecvRow> {
        Some(recv_row(self.events.get(i)?, self.marks.get(i)?))
    }

    pub fn last(&self) -> Option<RecvRow> {
        self.get(self.len().checked_sub(1)?)
    }

    /// The recv events alone, in time order.
    pub fn events(&self) -> &[RecvEvent] {
        &self.events
    }

    /// Every row, in time order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = RecvRow> + ExactSizeIterator + '_ {
        self.events
            .iter()
            .zip(&self.marks)
            .map(|(e, m)| recv_row(e, m))
    }
}

impl FromIterator<RecvRow> for Recvs {
    fn from_iter<I: IntoIterator<Item = RecvRow>>(rows: I) -> Recvs {
        let mut out = Recvs::default();
        rows.into_iter().for_each(|r| out.push(r));
        out
    }
}

impl<'a> IntoIterator for &'a Recvs {
    type Item = RecvRow;
    type IntoIter = Box<dyn DoubleEndedIterator<Item = RecvRow> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// What analysis adds to one message: 24 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct MessageMark {
    sent_ns: u64,
    delivered_ns: u64,
    reads: u32,
    fate: Fate,
}

fn message_row(s: &MessageSpan, m: &MessageMark) -> MessageRow {
    MessageRow {
        span: *s,
        sent_ns: time_from(m.sent_ns),
        delivered_ns: time_from(m.delivered_ns),
        reads: u64::from(m.reads),
        fate: m.fate,
    }
}

/// A flow's messages: their spans and, beside each, its mark.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Messages {
    spans: Vec<MessageSpan>,
    marks: Vec<MessageMark>,
}

impl Messages {
    /// The spans, each not yet sent, delivered or read: lost.
    pub(super) fn unmarked(mut spans: Vec<MessageSpan>) -> Messages {
        spans.shrink_to_fit();
        let mark = MessageMark {
            sent_ns: NO_TIME,
            delivered_ns: NO_TIME,
            reads: 0,
            fate: Fate::Lost,
        };
        Messages {
            marks: vec![mark; spans.len()],
            spans,
        }
    }

    /// Appends one row (for a flow read back from its CSVs).
    pub fn push(&mut self, m: MessageRow) {
        self.spans.push(m.span);
        self.marks.push(MessageMark {
            sent_ns: m.sent_ns.unwrap_or(NO_TIME),
            delivered_ns: m.delivered_ns.unwrap_or(NO_TIME),
            reads: m.reads.min(u64::from(u32::MAX)) as u32,
            fate: m.fate,
        });
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Message `i` (in flow order; for the engine, message id `i`).
    pub fn get(&self, i: usize) -> Option<MessageRow> {
        Some(message_row(self.spans.get(i)?, self.marks.get(i)?))
    }

    pub fn last(&self) -> Option<MessageRow> {
        self.get(self.len().checked_sub(1)?)
    }

    /// The spans alone, in flow order.
    pub fn spans(&self) -> &[MessageSpan] {
        &self.spans
    }

    /// Every row, in flow order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = MessageRow> + ExactSizeIterator + '_ {
        self.spans
            .iter()
            .zip(&self.marks)
            .map(|(s, m)| message_row(s, m))
    }

    /// Counts one more read of message `i`.
    pub(super) fn read(&mut self, i: usize) {
        let r = &mut self.marks[i].reads;
        *r = r.saturating_add(1);
    }

    /// Message `i` was complete at `t_ns`, unless it was earlier.
    pub(super) fn delivered_once(&mut self, i: usize, t_ns: u64) {
        let d = &mut self.marks[i].delivered_ns;
        if *d == NO_TIME {
            *d = t_ns;
        }
    }

    pub(super) fn set_delivered(&mut self, i: usize, t_ns: Option<u64>) {
        self.marks[i].delivered_ns = t_ns.unwrap_or(NO_TIME);
    }

    pub(super) fn set_sent(&mut self, i: usize, t_ns: Option<u64>) {
        self.marks[i].sent_ns = t_ns.unwrap_or(NO_TIME);
    }

    pub(super) fn set_fate(&mut self, i: usize, fate: Fate) {
        self.marks[i].fate = fate;
    }
}

impl FromIterator<MessageRow> for Messages {
    fn from_iter<I: IntoIterator<Item = MessageRow>>(rows: I) -> Messages {
        let mut out = Messages::default();
        rows.into_iter().for_each(|m| out.push(m));
        out
    }
}

impl<'a> IntoIterator for &'a Messages {
    type Item = MessageRow;
    type IntoIter = Box<dyn DoubleEndedIterator<Item = MessageRow> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_and_its_mark_stay_small() {
        assert_eq!(std::mem::size_of::<RecvEvent>(), 32);
        assert_eq!(std::mem::size_of::<RecvMark>(), 8);
        assert_eq!(std::mem::size_of::<MessageMark>(), 24);
        assert_eq!(std::mem::size_of::<crate::trace::SendEvent>(), 32);
    }

    #[test]
    fn rows_come_back_as_pushed() {
        let r = RecvRow {
            event: RecvEvent {
                len: 3,
                ..RecvEvent::default()
            },
            first_msg: Some(4),
            last_msg: Some(7),
            kind: RecvKind::Sticky,
        };
        let none = RecvRow {
            first_msg: None,
            last_msg: None,
            kind: RecvKind::Unknown,
            ..r
        };
        let recvs: Recvs = [r, none].into_iter().collect();
        assert_eq!(recvs.get(0), Some(r));
        assert_eq!(recvs.get(1), Some(none));
        let m = MessageRow {
            span: MessageSpan::default(),
            sent_ns: Some(0),
            delivered_ns: None,
            reads: 2,
            fate: Fate::Split,
        };
        let msgs: Messages = [m].into_iter().collect();
        assert_eq!(msgs.last(), Some(m));
    }
}
