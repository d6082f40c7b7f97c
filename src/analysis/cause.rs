//! Why each merge and split happened, from the three layers: the sends,
//! the captured segments, and the recvs with the bytes still queued after
//! each (SIOCINQ). A sticky recv's cause says where its messages were
//! merged; a recv that ends inside a message says why it stopped there.
//! A message takes the cause of the read that merged or split it. Nothing
//! is guessed: a cause that was not measured (no capture, no SIOCINQ) is
//! left empty. Pure: read from one flow's rows.

use super::kinds::{Fate, RecvKind};
use super::FlowAnalysis;
use crate::experiment::Sender;
use crate::trace::Delivery;

/// The measured cause of one merge or split.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cause {
    /// Not measured, or nothing to explain (a whole read).
    #[default]
    None,
    /// One segment carried bytes of several messages: the sending kernel
    /// merged them. `nagle`: TCP_NODELAY was off (Linux autocorking may
    /// also have held the writes); `autocork`: TCP_NODELAY was on, so only
    /// autocorking could; `cork`: TCP_CORK; `msg-more`: MSG_MORE.
    Coalesced(Mechanism),
    /// The messages crossed the wire in separate segments and waited
    /// together in the receive buffer for a read.
    LateReader,
    /// The read asked for fewer bytes than were queued (SIOCINQ after it).
    SmallRead,
    /// The read ended where a TCP segment ended inside the message, not
    /// where a write did: the rest came in a later segment (the MSS).
    SegmentSplit,
    /// The read ended where one of the sender's write calls ended inside
    /// the message: the message was written in several calls.
    WriteSplit,
    /// The read ended where a short write (ret < len) ended.
    ShortWrite,
}

/// Which knob let the sending kernel merge writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mechanism {
    Nagle,
    Autocork,
    Cork,
    MsgMore,
    /// The sender is someone else's: its knobs are not known.
    Unknown,
}

impl Cause {
    /// Every cause but `None`, for parsing.
    pub const ALL: [Cause; 10] = [
        Cause::Coalesced(Mechanism::Nagle),
        Cause::Coalesced(Mechanism::Autocork),
        Cause::Coalesced(Mechanism::Cork),
        Cause::Coalesced(Mechanism::MsgMore),
        Cause::Coalesced(Mechanism::Unknown),
        Cause::LateReader,
        Cause::SmallRead,
        Cause::SegmentSplit,
        Cause::WriteSplit,
        Cause::ShortWrite,
    ];

    /// The word in recvs.csv and messages.csv (empty for `None`).
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::None => "",
            Cause::Coalesced(Mechanism::Nagle) => "coalesced:nagle",
            Cause::Coalesced(Mechanism::Autocork) => "coalesced:autocork",
            Cause::Coalesced(Mechanism::Cork) => "coalesced:cork",
            Cause::Coalesced(Mechanism::MsgMore) => "coalesced:msg-more",
            Cause::Coalesced(Mechanism::Unknown) => "coalesced",
            Cause::LateReader => "late-reader",
            Cause::SmallRead => "small-read",
            Cause::SegmentSplit => "segment-split",
            Cause::WriteSplit => "write-split",
            Cause::ShortWrite => "short-write",
        }
    }

    /// The cause a word names (the empty word is `None`).
    pub fn parse(word: &str) -> Option<Cause> {
        match word {
            "" => Some(Cause::None),
            w => Cause::ALL.into_iter().find(|c| c.as_str() == w),
        }
    }
}

impl serde::Serialize for Cause {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Works out the causes of one flow's reads and messages on demand, so a
/// flow of a million reads keeps no cause per read: built once per flow
/// (it sorts the captured segments, when there are any).
pub struct Causer<'a> {
    fa: &'a FlowAnalysis,
    segs: Vec<(u64, u64, u64)>,
    writes: WriteEnds<'a>,
    /// `None`: no cause is worked out (UDP, or no message boundaries).
    mech: Option<Mechanism>,
}

impl<'a> Causer<'a> {
    /// The causes of `fa`, whose sender's kernel could merge writes by
    /// `fa.mechanism`.
    pub fn new(fa: &'a FlowAnalysis) -> Causer<'a> {
        let applies = fa.delivery != Delivery::Datagram && fa.boundaries.known();
        Causer {
            fa,
            segs: match applies && fa.mechanism.is_some() {
                true => super::held::data_segments(fa),
                false => Vec::new(),
            },
            writes: WriteEnds::of(fa),
            mech: fa.mechanism.filter(|_| applies),
        }
    }

    /// Recv `i`'s cause: why it merged messages (sticky) or why it ended
    /// inside one (fragment).
    pub fn recv(&self, i: usize) -> Cause {
        let Some(r) = self.fa.recvs.get(i) else {
            return Cause::None;
        };
        match r.kind {
            RecvKind::Sticky => self.merge(i).unwrap_or_default(),
            RecvKind::Fragment => self.split(i).map_or(Cause::None, |s| s.1),
            _ => Cause::None,
        }
    }

    /// Message `i`'s cause: that of the read that merged or split it.
    pub fn message(&self, i: usize) -> Cause {
        let Some(m) = self.fa.messages.get(i) else {
            return Cause::None;
        };
        // The read holding the message's first byte merged it, or (the
        // message going on past its end) split it.
        let events = self.fa.recvs.events();
        let j = events.partition_point(|e| e.offset + u64::from(e.len) <= m.span.offset);
        let Some(r) = self.fa.recvs.get(j) else {
            return Cause::None;
        };
        if r.event.offset > m.span.offset {
            return Cause::None;
        }
        match m.fate {
            Fate::Split => match self.split(j) {
                Some((cut, cause)) if cut == m.span.id => cause,
                _ => Cause::None,
            },
            Fate::Merged => self.merge(j).unwrap_or_default(),
            _ => Cause::None,
        }
    }

    /// Where the messages of sticky read `i` were merged, when the wire
    /// was captured.
    fn merge(&self, i: usize) -> Option<Cause> {
        let mech = self.mech?;
        let r = self.fa.recvs.get(i)?;
        if r.kind != RecvKind::Sticky || self.segs.is_empty() {
            return None;
        }
        let (start, end) = (r.event.offset, r.event.offset + u64::from(r.event.len));
        // Measured only when the captured segments cover the whole read
        // (a capture cut short, or packets the kernel dropped, leave gaps).
        if !covers(&self.segs, start, end) {
            return None;
        }
        let msgs: Vec<(u64, u64)> = (r.first_msg?..=r.last_msg?)
            .filter_map(|id| self.fa.messages.get(id as usize))
            .map(|m| (m.span.offset, m.span.offset + m.span.len))
            .collect();
        merge_cause(&self.segs, &msgs, (start, end), mech, &self.writes)
    }

    /// When read `i` ends inside a message: that message's id, and why the
    /// read ended there.
    fn split(&self, i: usize) -> Option<(u64, Cause)> {
        self.mech?;
        let r = self.fa.recvs.get(i)?;
        let end = r.event.offset + u64::from(r.event.len);
        let m = self.fa.messages.get(r.last_msg? as usize)?;
        if !(m.span.offset < end && end < m.span.offset + m.span.len) {
            return None;
        }
        let full = r.event.asked > 0 && r.event.len == r.event.asked;
        let queued = r.event.queued.get().unwrap_or(0);
        let cause = if full && queued > 0 {
            Cause::SmallRead
        } else if let Some(short) = self.writes.ending_at(end) {
            match short {
                true => Cause::ShortWrite,
                false => Cause::WriteSplit,
            }
        } else if segment_ends_at(&self.segs, end) {
            Cause::SegmentSplit
        } else {
            Cause::None
        };
        Some((m.span.id, cause))
    }
}

/// The mechanism nianbao's sender's knobs allow. (nianbao's server sends
/// its replies with no option set: [`Mechanism::Nagle`].)
pub fn mechanism(s: &Sender) -> Mechanism {
    match s {
        s if s.cork => Mechanism::Cork,
        s if s.more => Mechanism::MsgMore,
        s if !s.nodelay => Mechanism::Nagle,
        _ => Mechanism::Autocork,
    }
}

/// Where the flow's send calls ended, to look a read's end up in. A
/// stream's sends come in offset order, so they are searched in place; a
/// copy, sorted, is made only when they do not (16 bytes a send).
enum WriteEnds<'a> {
    InPlace(&'a [crate::trace::SendEvent]),
    Sorted(Vec<(u64, bool)>),
}

impl WriteEnds<'_> {
    fn of(fa: &FlowAnalysis) -> WriteEnds<'_> {
        let sends = &fa.sends[..];
        if sends.windows(2).all(|w| w[0].offset <= w[1].offset) {
            return WriteEnds::InPlace(sends);
        }
        let mut ends: Vec<(u64, bool)> = sends
            .iter()
            .filter(|s| s.ret > 0)
            .map(|s| (s.offset + u64::from(s.ret), s.ret < s.len))
            .collect();
        ends.sort_unstable();
        WriteEnds::Sorted(ends)
    }

    /// Whether a call that took bytes ended strictly inside `(a, b)`.
    fn end_inside(&self, a: u64, b: u64) -> bool {
        match self {
            WriteEnds::InPlace(sends) => {
                // Calls starting before `b`, the last few of which may end inside.
                let i = sends.partition_point(|s| s.offset < b);
                sends[..i]
                    .iter()
                    .rev()
                    .take_while(|s| s.offset + u64::from(s.ret) > a || s.ret == 0)
                    .any(|s| {
                        let e = s.offset + u64::from(s.ret);
                        s.ret > 0 && a < e && e < b
                    })
            }
            WriteEnds::Sorted(ends) => {
                let i = ends.partition_point(|w| w.0 <= a);
                ends.get(i).is_some_and(|w| w.0 < b)
            }
        }
    }

    /// Whether a call that took bytes ended at `end`, and if so whether it
    /// was short (took fewer bytes than asked).
    fn ending_at(&self, end: u64) -> Option<bool> {
        match self {
            WriteEnds::InPlace(sends) => {
                // The last call starting before `end` is the only one that
                // can end there (calls in order do not overlap).
                let i = sends.partition_point(|s| s.offset < end);
                let s = sends[..i].iter().rev().find(|s| s.ret > 0)?;
                (s.offset + u64::from(s.ret) == end).then_some(s.ret < s.len)
            }
            WriteEnds::Sorted(ends) => {
                let i = ends.binary_search_by_key(&end, |w| w.0).ok()?;
                Some(ends[i].1)
            }
        }
    }
}

/// Sets the mechanism of every flow of one of nianbao's own trials (which
/// lets [`Causer`] work out causes): the c2s writes are the experiment's
/// sender's, the s2c replies come from a server socket with no option set.
pub fn apply_causes(flows: &mut [FlowAnalysis], exp: &crate::experiment::Experiment) {
    for fa in flows {
        fa.mechanism = Some(match fa.flow {
            crate::trace::Flow::C2s => mechanism(&exp.sender),
            crate::trace::Flow::S2c => Mechanism::Nagle,
        });
    }
}

/// Whether the segment holding the byte before `end` ends there.
fn segment_ends_at(segs: &[(u64, u64, u64)], end: u64) -> bool {
    let i = segs.partition_point(|&(a, _, _)| a < end);
    i > 0 && segs[i - 1].1 == end
}

/// Whether one segment carried bytes of two of the read's messages (the
/// kernel merged them before the wire) or none did (they met in the
/// receive buffer).
fn merge_cause(
    segs: &[(u64, u64, u64)],
    msgs: &[(u64, u64)],
    (start, end): (u64, u64),
    mech: Mechanism,
    writes: &WriteEnds,
) -> Option<Cause> {
    let from = segs.partition_point(|&(_, b, _)| b <= start);
    let mut merged = false;
    for &(a, b, _) in segs[from..].iter().take_while(|&&(a, _, _)| a < end) {
        // The segment's part in the read holds bytes of two messages
        // when a message ends strictly inside it (the messages are in
        // offset order: one search, not a scan).
        let (a, b) = (a.max(start), b.min(end));
        let i = msgs.partition_point(|&(_, n)| n <= a);
        if msgs.get(i).is_some_and(|&(_, n)| n < b) {
            // One send() that wrote both (framed messages written
            // together) is the application's merge, not the kernel's.
            match writes.end_inside(a, b) {
                true => merged = true,
                false => return None,
            }
        }
    }
    Some(match merged {
        true => Cause::Coalesced(mech),
        false => Cause::LateReader,
    })
}

/// Whether the first-time segments cover every byte of `[start, end)`.
fn covers(segs: &[(u64, u64, u64)], start: u64, end: u64) -> bool {
    let mut at = start;
    let from = segs.partition_point(|&(_, b, _)| b <= start);
    for &(a, b, _) in &segs[from..] {
        if a > at || at >= end {
            break;
        }
        at = at.max(b);
    }
    at >= end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyse_owned;
    use crate::trace::wire::flag::{ACK, PSH};
    use crate::trace::{
        Boundaries, Flow, FlowTrace, MessageSpan, Queued, RecvEvent, Segment, SendEvent,
    };

    /// A scripted flow: message lengths, sends `(offset, len, ret)`, wire
    /// segments `(offset, len)`, recvs `(len, asked, queued after)`.
    fn flow(
        lens: &[u64],
        sends: &[(u64, u32, u32)],
        wire: &[(u64, u32)],
        recvs: &[(u32, u32, Option<u64>)],
    ) -> FlowAnalysis {
        let mut t = FlowTrace {
            delivery: Delivery::Stream,
            boundaries: Boundaries::Known,
            ..FlowTrace::default()
        };
        let mut at = 0;
        for (id, len) in lens.iter().enumerate() {
            t.messages.push(MessageSpan {
                id: id as u64,
                offset: at,
                len: *len,
            });
            at += len;
        }
        let id_at = |o: u64| {
            t.messages
                .iter()
                .position(|m| m.offset + m.len > o)
                .unwrap() as u64
        };
        t.sends = sends
            .iter()
            .enumerate()
            .map(|(i, &(offset, len, ret))| SendEvent {
                t_ns: i as u64,
                msg_id: id_at(offset),
                offset,
                len,
                ret,
            })
            .collect();
        t.wire = wire
            .iter()
            .map(|&(offset, len)| Segment {
                t_ns: offset,
                offset,
                len,
                flags: PSH | ACK,
            })
            .collect();
        let mut at = 0;
        for (i, &(len, asked, queued)) in recvs.iter().enumerate() {
            t.recvs.push(RecvEvent {
                t_ns: 1000 + i as u64,
                offset: at,
                len,
                asked,
                queued: Queued::new(queued),
                ..RecvEvent::default()
            });
            at += u64::from(len);
        }
        analyse_owned(Flow::C2s, t, 0)
    }

    fn words(fa: &FlowAnalysis, mech: Mechanism) -> (Vec<&'static str>, Vec<&'static str>) {
        let mut fa = fa.clone();
        fa.mechanism = Some(mech);
        let c = Causer::new(&fa);
        (
            (0..fa.recvs.len()).map(|i| c.recv(i).as_str()).collect(),
            (0..fa.messages.len())
                .map(|i| c.message(i).as_str())
                .collect(),
        )
    }

    #[test]
    fn two_segments_and_one_read_is_a_late_reader() {
        // hello, feng: two writes, two segments, one recv(1024).
        let fa = flow(
            &[5, 4],
            &[(0, 5, 5), (5, 4, 4)],
            &[(0, 5), (5, 4)],
            &[(9, 1024, Some(0))],
        );
        assert_eq!(
            words(&fa, Mechanism::Nagle),
            (vec!["late-reader"], vec!["late-reader"; 2])
        );
    }

    #[test]
    fn one_segment_carrying_both_is_coalesced_by_the_senders_knob() {
        let fa = flow(
            &[5, 4],
            &[(0, 5, 5), (5, 4, 4)],
            &[(0, 9)],
            &[(9, 1024, Some(0))],
        );
        assert_eq!(words(&fa, Mechanism::Nagle).0, vec!["coalesced:nagle"]);
        assert_eq!(
            words(&fa, Mechanism::Autocork).1,
            vec!["coalesced:autocork"; 2]
        );
        assert_eq!(words(&fa, Mechanism::Unknown).0, vec!["coalesced"]);
        // Without a capture the place of the merge is not measured.
        let bare = flow(&[5, 4], &[(0, 5, 5), (5, 4, 4)], &[], &[(9, 1024, Some(0))]);
        assert_eq!(words(&bare, Mechanism::Nagle), (vec![""], vec!["", ""]));
    }

    #[test]
    fn a_merge_is_not_named_where_the_wire_has_a_gap_or_one_write_held_both() {
        // The capture missed the second segment: not measured.
        let gap = flow(
            &[5, 4],
            &[(0, 5, 5), (5, 4, 4)],
            &[(0, 5)],
            &[(9, 1024, Some(0))],
        );
        assert_eq!(words(&gap, Mechanism::Nagle), (vec![""], vec!["", ""]));
        // One send() wrote both messages (framed messages written
        // together): the application merged them, not the kernel.
        let one = flow(&[5, 4], &[(0, 9, 9)], &[(0, 9)], &[(9, 1024, Some(0))]);
        assert_eq!(words(&one, Mechanism::Nagle), (vec![""], vec!["", ""]));
    }

    #[test]
    fn a_full_read_with_bytes_still_queued_is_a_small_read() {
        // he | llo feng: recv(2) with 8 bytes queued after it.
        let fa = flow(
            &[10],
            &[(0, 10, 10)],
            &[(0, 10)],
            &[(2, 2, Some(8)), (8, 10, Some(0))],
        );
        assert_eq!(
            words(&fa, Mechanism::Nagle),
            (vec!["small-read", ""], vec!["small-read"])
        );
    }

    #[test]
    fn reads_that_end_at_segment_edges_are_segment_splits() {
        // One 4000-byte write leaves as 1448 + 1448 + 1104 (MTU 1500),
        // and a quick reader takes each segment as it comes.
        let fa = flow(
            &[4000],
            &[(0, 4000, 4000)],
            &[(0, 1448), (1448, 1448), (2896, 1104)],
            &[
                (1448, 65536, Some(0)),
                (1448, 65536, Some(0)),
                (1104, 65536, Some(0)),
            ],
        );
        assert_eq!(
            words(&fa, Mechanism::Nagle),
            (
                vec!["segment-split", "segment-split", ""],
                vec!["segment-split"]
            )
        );
    }

    #[test]
    fn a_read_between_two_writes_of_a_message_is_a_write_split_or_a_short_write() {
        // Header and body in two calls; the read came between them.
        let fa = flow(
            &[20],
            &[(0, 10, 10), (10, 10, 10)],
            &[],
            &[(10, 1024, Some(0)), (10, 1024, Some(0))],
        );
        assert_eq!(
            words(&fa, Mechanism::Nagle),
            (vec!["write-split", ""], vec!["write-split"])
        );
        // One call for 20 bytes took 12 (a short write), the next the rest.
        let fa = flow(
            &[20],
            &[(0, 20, 12), (12, 8, 8)],
            &[],
            &[(12, 1024, Some(0)), (8, 1024, Some(0))],
        );
        assert_eq!(
            words(&fa, Mechanism::Nagle),
            (vec!["short-write", ""], vec!["short-write"])
        );
        // A cut where nothing ended and nothing was queued: not measured.
        let fa = flow(
            &[20],
            &[(0, 20, 20)],
            &[],
            &[(7, 1024, None), (13, 1024, None)],
        );
        assert_eq!(words(&fa, Mechanism::Nagle), (vec!["", ""], vec![""]));
    }

    #[test]
    fn udp_has_no_causes_and_every_word_parses_back() {
        let mut fa = flow(
            &[5, 4],
            &[(0, 5, 5), (5, 4, 4)],
            &[(0, 9)],
            &[(9, 1024, Some(0))],
        );
        fa.delivery = Delivery::Datagram;
        assert_eq!(words(&fa, Mechanism::Nagle), (vec![""], vec!["", ""]));
        for c in Cause::ALL.into_iter().chain([Cause::None]) {
            assert_eq!(Cause::parse(c.as_str()), Some(c));
        }
        assert_eq!(Cause::parse("nagle"), None);
    }
}
