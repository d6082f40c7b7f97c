//! From the calls to the words: which messages each recv carried and what
//! kind of read it was, and each message's fate. Pure functions over the
//! trace's events.

use super::kinds::{Fate, RecvKind};
use super::{Messages, Recvs};
use crate::trace::{Boundaries, DecodedEvent, Delivery, MessageSpan, RecvEvent, SendEvent};

/// The index of the message holding byte `offset`.
fn message_at(messages: &[MessageSpan], offset: u64) -> Option<usize> {
    let i = messages.partition_point(|m| m.offset + m.len <= offset);
    (i < messages.len() && messages[i].offset <= offset).then_some(i)
}

/// Recv kinds: whole, sticky, fragment, or truncated (a datagram cut short);
/// with no message boundaries known, every recv is of kind unknown. Takes
/// the recv events and keeps them, each with its mark.
pub fn classify(
    delivery: Delivery,
    boundaries: Boundaries,
    messages: &[MessageSpan],
    recvs: Vec<RecvEvent>,
) -> Recvs {
    if !boundaries.known() {
        return Recvs::marked(recvs, |_| (None, None, RecvKind::Unknown));
    }
    Recvs::marked(recvs, |r| {
        let (offset, len) = (r.offset, u64::from(r.len));
        // Bytes outside every message (a framing's raw prefix) belong to none.
        let first = message_at(messages, offset).or_else(|| {
            let i = messages.partition_point(|m| m.offset < offset);
            (i < messages.len() && messages[i].offset < offset + len).then_some(i)
        });
        let last = if delivery == Delivery::Datagram {
            first
        } else {
            // Bytes past every message (after a decoder stopped) belong
            // to none: the last message the read reaches is its last.
            let end = offset + len.max(1);
            message_at(messages, end - 1).or_else(|| {
                let j = messages.partition_point(|m| m.offset < end);
                first.and((j > 0).then(|| j - 1))
            })
        };
        let kind = match (first, last) {
            _ if r.truncated => RecvKind::Truncated,
            (Some(a), Some(b)) if a != b => RecvKind::Sticky,
            (Some(a), _) if messages[a].offset == offset && messages[a].len == len => {
                RecvKind::Whole
            }
            _ => RecvKind::Fragment,
        };
        (
            first.map(|i| messages[i].id),
            last.map(|i| messages[i].id),
            kind,
        )
    })
}

/// Message fates from the recvs that carried them: takes the spans and
/// gives them back with their marks.
pub fn fates(delivery: Delivery, messages: Vec<MessageSpan>, recvs: &Recvs) -> Messages {
    let mut rows = Messages::unmarked(messages);
    let mut alone = vec![false; rows.len()];
    let mut truncated = vec![false; rows.len()];
    for r in recvs.iter() {
        let (Some(a), Some(b)) = (r.first_msg, r.last_msg) else {
            continue;
        };
        let spans = rows.spans();
        let (a, b) = (position(spans, a), position(spans, b));
        let end = r.event.offset + u64::from(r.event.len);
        for i in a..=b {
            rows.read(i);
            let m = rows.spans()[i];
            if delivery == Delivery::Datagram || end >= m.offset + m.len {
                rows.delivered_once(i, r.event.t_ns);
            }
            alone[i] = r.kind == RecvKind::Whole;
            truncated[i] |= r.event.truncated;
        }
    }
    for i in 0..rows.len() {
        let Some(row) = rows.get(i) else { continue };
        let fate = match () {
            _ if row.delivered_ns.is_none() => Fate::Lost,
            _ if truncated[i] => Fate::Truncated,
            _ if row.reads > 1 => Fate::Split,
            _ if alone[i] => Fate::Intact,
            _ => Fate::Merged,
        };
        rows.set_fate(i, fate);
    }
    rows
}

fn position(messages: &[MessageSpan], id: u64) -> usize {
    match messages.get(id as usize) {
        Some(m) if m.id == id => id as usize,
        _ => messages.iter().position(|m| m.id == id).unwrap_or(0),
    }
}

/// With framing, a message's fate is what the decoder made of it.
pub(super) fn apply_decoded(rows: &mut Messages, decoded: &[DecodedEvent]) {
    // Decoded frames come in stream order: look each message up by offset
    // (a linear scan per message was quadratic: 40 s for 200 000 frames).
    let mut by_offset: Vec<&DecodedEvent> = decoded.iter().collect();
    by_offset.sort_by_key(|d| d.offset);
    let longest = decoded.iter().map(|d| d.len).max().unwrap_or(0);
    for i in 0..rows.len() {
        let span = rows.spans()[i];
        let (start, end) = (span.offset, span.offset + span.len);
        // Frames that start before `end` and may reach past `start`.
        let lo = by_offset.partition_point(|d| d.offset.saturating_add(longest) <= start);
        let hi = by_offset.partition_point(|d| d.offset < end);
        let near = &by_offset[lo..hi.max(lo)];
        let exact = near.iter().find(|d| d.offset == start && d.len == span.len);
        let overlapping = near
            .iter()
            .any(|d| d.offset < end && d.offset + d.len > start);
        let (fate, delivered) = match exact {
            Some(d) if d.ok => (Fate::Intact, Some(d.t_ns)),
            Some(d) => (Fate::Corrupt, Some(d.t_ns)),
            None if overlapping => (Fate::Corrupt, None),
            None => (Fate::Lost, None),
        };
        rows.set_fate(i, fate);
        rows.set_delivered(i, delivered);
    }
}

/// Where a send call's accepted bytes end in the flow.
fn accepted_end(s: &SendEvent) -> u64 {
    s.offset + u64::from(s.ret)
}

/// Sets `sent_ns`: when the send call that accepted the message's last byte
/// returned. Sends and messages in flow order (the engine's, always) are
/// walked together; otherwise the sends are sorted first.
pub(super) fn stamp_sent(rows: &mut Messages, sends: &[SendEvent]) {
    let in_order = sends
        .iter()
        .filter(|s| s.ret > 0)
        .map(accepted_end)
        .try_fold(0, |prev, end| (end >= prev).then_some(end))
        .is_some();
    let ends_in_order = rows
        .spans()
        .iter()
        .map(|m| m.offset + m.len)
        .try_fold(0, |prev, end| (end >= prev).then_some(end))
        .is_some();
    if in_order && ends_in_order {
        let mut accepted = sends.iter().filter(|s| s.ret > 0).peekable();
        for i in 0..rows.len() {
            let m = rows.spans()[i];
            let last_byte_end = m.offset + m.len;
            while accepted
                .next_if(|s| accepted_end(s) < last_byte_end)
                .is_some()
            {}
            rows.set_sent(i, accepted.peek().map(|s| s.t_ns));
        }
        return;
    }
    let mut accepted: Vec<(u64, u64)> = sends
        .iter()
        .filter(|s| s.ret > 0)
        .map(|s| (accepted_end(s), s.t_ns))
        .collect();
    accepted.sort_unstable();
    for i in 0..rows.len() {
        let m = rows.spans()[i];
        let last_byte_end = m.offset + m.len;
        let j = accepted.partition_point(|&(end, _)| end < last_byte_end);
        rows.set_sent(i, accepted.get(j).map(|&(_, t)| t));
    }
}

/// The messages of a flow whose boundaries come from a decoder run over the
/// received bytes: one per decoded frame, in stream order.
pub(super) fn decoded_spans(decoded: &[DecodedEvent]) -> Vec<MessageSpan> {
    let mut frames: Vec<&DecodedEvent> = decoded.iter().collect();
    frames.sort_by_key(|d| d.offset);
    frames
        .iter()
        .enumerate()
        .map(|(id, d)| MessageSpan {
            id: id as u64,
            offset: d.offset,
            len: d.len,
        })
        .collect()
}
