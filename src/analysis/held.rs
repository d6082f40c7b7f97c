//! When each write's bytes left: the captured wire set beside the send
//! calls. A write whose first byte left well after its call returned was
//! held by the sender's kernel (Nagle, corking, MSG_MORE); the ACK the
//! peer sent just before it left is what released a Nagle hold. Pure:
//! read from the flows' sends and segments.

use super::FlowAnalysis;
use crate::trace::wire::flag::{ACK, RETX};

/// Where each data segment of a flow starts and ends in the stream, and
/// when it was seen, ordered by offset (first transmissions only).
pub(super) fn data_segments(fa: &FlowAnalysis) -> Vec<(u64, u64, u64)> {
    let mut segs: Vec<(u64, u64, u64)> = fa
        .wire
        .iter()
        .filter(|s| s.len > 0 && s.flags & RETX == 0)
        .map(|s| (s.offset, s.offset + u64::from(s.len), s.t_ns))
        .collect();
    segs.sort_unstable();
    segs
}

/// For each send call of the flow, when the segment carrying its first
/// accepted byte was seen on the wire (`None` when not captured, or for a
/// call that took no byte).
pub fn departures(fa: &FlowAnalysis) -> Vec<Option<u64>> {
    let segs = data_segments(fa);
    fa.sends
        .iter()
        .map(|s| {
            if segs.is_empty() || s.ret == 0 {
                return None;
            }
            // The last segment starting at or before the byte.
            let i = segs.partition_point(|&(a, _, _)| a <= s.offset);
            let &(_, end, t) = segs.get(i.checked_sub(1)?)?;
            (s.offset < end).then_some(t)
        })
        .collect()
}

/// The write that waited longest between its call's return and its first
/// byte's departure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hold {
    /// Index of the send call in the flow's sends.
    pub send: usize,
    /// The message the call started with.
    pub msg: u64,
    /// Bytes the call took.
    pub bytes: u32,
    /// When the call returned, ns.
    pub written_ns: u64,
    /// When its first byte was seen on the wire, ns.
    pub left_ns: u64,
    /// The last ACK from the peer seen after the write and before the
    /// bytes left (the peer's flow must have been captured).
    pub ack_ns: Option<u64>,
}

impl Hold {
    /// How long the bytes waited, ns.
    pub fn held_ns(&self) -> u64 {
        self.left_ns.saturating_sub(self.written_ns)
    }
}

/// The longest hold of the flow `fa`'s writes, with the ACK of `peer` (the
/// other direction of the connection) that came last before the bytes
/// left. `None` when the flow's wire was not captured.
pub fn longest_hold(fa: &FlowAnalysis, peer: Option<&FlowAnalysis>) -> Option<Hold> {
    let (i, left) = departures(fa)
        .into_iter()
        .enumerate()
        .filter_map(|(i, t)| Some((i, t?)))
        .max_by_key(|&(i, t)| t.saturating_sub(fa.sends[i].t_ns))?;
    let s = fa.sends[i];
    let ack_ns = peer.and_then(|p| {
        p.wire
            .iter()
            .filter(|w| w.flags & ACK != 0 && w.t_ns >= s.t_ns && w.t_ns <= left)
            .map(|w| w.t_ns)
            .max()
    });
    Some(Hold {
        send: i,
        msg: s.msg_id,
        bytes: s.ret,
        written_ns: s.t_ns,
        left_ns: left,
        ack_ns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyse_owned;
    use crate::trace::wire::flag::PSH;
    use crate::trace::{Boundaries, Delivery, Flow, FlowTrace, MessageSpan, Segment, SendEvent};

    fn flow(flow: Flow, sends: &[(u64, u64, u32)], wire: &[(u64, u64, u32, u16)]) -> FlowAnalysis {
        let t = FlowTrace {
            delivery: Delivery::Stream,
            boundaries: Boundaries::Known,
            messages: vec![MessageSpan {
                id: 0,
                offset: 0,
                len: 40,
            }],
            sends: sends
                .iter()
                .map(|&(t_ns, offset, len)| SendEvent {
                    t_ns,
                    msg_id: offset / 20,
                    offset,
                    len,
                    ret: len,
                })
                .collect(),
            wire: wire
                .iter()
                .map(|&(t_ns, offset, len, flags)| Segment {
                    t_ns,
                    offset,
                    len,
                    flags,
                })
                .collect(),
            ..FlowTrace::default()
        };
        analyse_owned(flow, t, 0)
    }

    #[test]
    fn the_body_held_until_the_delayed_ack_is_the_longest_hold() {
        // Header at 100 leaves at 110; body written at 200 leaves at
        // 40_300, just after the peer's ACK at 40_290.
        let c2s = flow(
            Flow::C2s,
            &[(100, 0, 10), (200, 10, 10)],
            &[(110, 0, 10, PSH | ACK), (40_300, 10, 10, PSH | ACK)],
        );
        let s2c = flow(Flow::S2c, &[], &[(150, 0, 0, ACK), (40_290, 0, 0, ACK)]);
        assert_eq!(departures(&c2s), vec![Some(110), Some(40_300)]);
        let h = longest_hold(&c2s, Some(&s2c)).unwrap();
        assert_eq!((h.send, h.held_ns(), h.ack_ns), (1, 40_100, Some(40_290)));
    }

    #[test]
    fn a_write_inside_a_merged_segment_left_with_it_and_none_without_a_capture() {
        // Two writes in one segment: the second's byte is inside it.
        let c2s = flow(
            Flow::C2s,
            &[(100, 0, 10), (120, 10, 10)],
            &[(500, 0, 20, PSH | ACK)],
        );
        assert_eq!(departures(&c2s), vec![Some(500), Some(500)]);
        assert_eq!(longest_hold(&c2s, None).unwrap().ack_ns, None);
        let bare = flow(Flow::C2s, &[(100, 0, 10)], &[]);
        assert_eq!(departures(&bare), vec![None]);
        assert_eq!(longest_hold(&bare, None), None);
    }

    #[test]
    fn a_retransmission_is_not_a_departure() {
        let c2s = flow(
            Flow::C2s,
            &[(100, 0, 10)],
            &[(110, 0, 10, PSH | ACK), (9_000, 0, 10, PSH | ACK | RETX)],
        );
        assert_eq!(departures(&c2s), vec![Some(110)]);
    }
}
