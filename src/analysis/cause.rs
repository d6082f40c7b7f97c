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

/// The causes of a flow's recvs and messages, by index (empty when not
/// worked out: UDP, or no message boundaries).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Causes {
    pub recvs: Vec<Cause>,
    pub messages: Vec<Cause>,
}

impl Causes {
    /// Recv `i`'s cause.
    pub fn recv(&self, i: usize) -> Cause {
        self.recvs.get(i).copied().unwrap_or_default()
    }

    /// Message `i`'s cause.
    pub fn message(&self, i: usize) -> Cause {
        self.messages.get(i).copied().unwrap_or_default()
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

/// Works out the causes of one flow whose sender's kernel could merge
/// writes by `mech`.
pub fn causes(fa: &FlowAnalysis, mech: Mechanism) -> Causes {
    if fa.delivery == Delivery::Datagram || !fa.boundaries.known() {
        return Causes::default();
    }
    let segs = super::held::data_segments(fa);
    let mut write_ends: Vec<(u64, bool)> = fa
        .sends
        .iter()
        .filter(|s| s.ret > 0)
        .map(|s| (s.offset + u64::from(s.ret), s.ret < s.len))
        .collect();
    write_ends.sort_unstable();
    let mut out = Causes {
        recvs: vec![Cause::None; fa.recvs.len()],
        messages: vec![Cause::None; fa.messages.len()],
    };
    for (i, r) in fa.recvs.iter().enumerate() {
        let (start, end) = (r.event.offset, r.event.offset + u64::from(r.event.len));
        let (Some(first), Some(last)) = (r.first_msg, r.last_msg) else {
            continue;
        };
        let msgs: Vec<(u64, u64, u64)> = (first..=last)
            .filter_map(|id| fa.messages.get(id as usize))
            .map(|m| (m.span.id, m.span.offset, m.span.offset + m.span.len))
            .collect();
        let merge = match r.kind == RecvKind::Sticky && !segs.is_empty() {
            true => Some(merge_cause(&segs, &msgs, (start, end), mech)),
            false => None,
        };
        // The read ends inside a message when that message goes on past it.
        let cut = msgs
            .iter()
            .find(|&&(_, a, b)| a < end && end < b)
            .map(|m| m.0);
        let split = cut.map(|_| {
            let full = r.event.asked > 0 && r.event.len == r.event.asked;
            let queued = r.event.queued.get().unwrap_or(0);
            let write_end = write_ends.binary_search_by_key(&end, |w| w.0).ok();
            if full && queued > 0 {
                Cause::SmallRead
            } else if let Some(w) = write_end {
                match write_ends[w].1 {
                    true => Cause::ShortWrite,
                    false => Cause::WriteSplit,
                }
            } else if segment_ends_at(&segs, end) {
                Cause::SegmentSplit
            } else {
                Cause::None
            }
        });
        out.recvs[i] = match r.kind {
            RecvKind::Sticky => merge.unwrap_or_default(),
            RecvKind::Fragment => split.unwrap_or_default(),
            _ => Cause::None,
        };
        for &(id, _, _) in &msgs {
            let Some(m) = fa.messages.get(id as usize) else {
                continue;
            };
            let slot = &mut out.messages[id as usize];
            if *slot != Cause::None {
                continue;
            }
            *slot = match (m.fate, cut == Some(id)) {
                (Fate::Split, true) => split.unwrap_or_default(),
                (Fate::Merged, _) => merge.unwrap_or_default(),
                _ => Cause::None,
            };
        }
    }
    out
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
    msgs: &[(u64, u64, u64)],
    (start, end): (u64, u64),
    mech: Mechanism,
) -> Cause {
    let from = segs.partition_point(|&(_, b, _)| b <= start);
    let merged = segs[from..]
        .iter()
        .take_while(|&&(a, _, _)| a < end)
        .any(|&(a, b, _)| {
            let (a, b) = (a.max(start), b.min(end));
            msgs.iter().filter(|&&(_, m, n)| m < b && n > a).count() > 1
        });
    match merged {
        true => Cause::Coalesced(mech),
        false => Cause::LateReader,
    }
}

/// Works out the causes of every flow of one of nianbao's own trials: the
/// c2s writes are the experiment's sender's, the s2c replies come from a
/// server socket with no option set (Nagle on).
pub fn apply_causes(flows: &mut [FlowAnalysis], exp: &crate::experiment::Experiment) {
    for fa in flows {
        let mech = match fa.flow {
            crate::trace::Flow::C2s => mechanism(&exp.sender),
            crate::trace::Flow::S2c => Mechanism::Nagle,
        };
        fa.causes = causes(fa, mech);
    }
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
        let c = causes(fa, mech);
        (
            c.recvs.iter().map(|c| c.as_str()).collect(),
            c.messages.iter().map(|c| c.as_str()).collect(),
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
        let mut fa = flow(&[5], &[(0, 5, 5)], &[], &[(5, 1024, None)]);
        fa.delivery = Delivery::Datagram;
        assert_eq!(causes(&fa, Mechanism::Nagle), Causes::default());
        for c in Cause::ALL.into_iter().chain([Cause::None]) {
            assert_eq!(Cause::parse(c.as_str()), Some(c));
        }
        assert_eq!(Cause::parse("nagle"), None);
    }
}
