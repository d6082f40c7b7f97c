//! From the calls to the words: which messages each recv carried and what
//! kind of read it was, and each message's fate. Pure functions over the
//! trace's events.

use super::kinds::{Fate, RecvKind};
use super::{MessageRow, RecvRow};
use crate::trace::{Boundaries, DecodedEvent, Delivery, MessageSpan, RecvEvent, SendEvent};

/// The index of the message holding byte `offset`.
fn message_at(messages: &[MessageSpan], offset: u64) -> Option<usize> {
    let i = messages.partition_point(|m| m.offset + m.len <= offset);
    (i < messages.len() && messages[i].offset <= offset).then_some(i)
}

/// Recv kinds: whole, sticky, fragment, or truncated (a datagram cut short);
/// with no message boundaries known, every recv is of kind unknown.
pub fn classify(
    delivery: Delivery,
    boundaries: Boundaries,
    messages: &[MessageSpan],
    recvs: &[RecvEvent],
) -> Vec<RecvRow> {
    if !boundaries.known() {
        return recvs
            .iter()
            .map(|r| RecvRow {
                event: r.clone(),
                first_msg: None,
                last_msg: None,
                kind: RecvKind::Unknown,
            })
            .collect();
    }
    recvs
        .iter()
        .map(|r| {
            // Bytes outside every message (a framing's raw prefix) belong to none.
            let first = message_at(messages, r.offset).or_else(|| {
                let i = messages.partition_point(|m| m.offset < r.offset);
                (i < messages.len() && messages[i].offset < r.offset + r.len).then_some(i)
            });
            let last = if delivery == Delivery::Datagram {
                first
            } else {
                // Bytes past every message (after a decoder stopped) belong
                // to none: the last message the read reaches is its last.
                let end = r.offset + r.len.max(1);
                message_at(messages, end - 1).or_else(|| {
                    let j = messages.partition_point(|m| m.offset < end);
                    first.and((j > 0).then(|| j - 1))
                })
            };
            let kind = match (first, last) {
                _ if r.truncated => RecvKind::Truncated,
                (Some(a), Some(b)) if a != b => RecvKind::Sticky,
                (Some(a), _)
                    if !r.truncated
                        && messages[a].offset == r.offset
                        && messages[a].len == r.len =>
                {
                    RecvKind::Whole
                }
                _ => RecvKind::Fragment,
            };
            RecvRow {
                event: r.clone(),
                first_msg: first.map(|i| messages[i].id),
                last_msg: last.map(|i| messages[i].id),
                kind,
            }
        })
        .collect()
}

/// Message fates from the recvs that carried them.
pub fn fates(delivery: Delivery, messages: &[MessageSpan], recvs: &[RecvRow]) -> Vec<MessageRow> {
    let mut rows: Vec<MessageRow> = messages
        .iter()
        .map(|m| MessageRow {
            span: m.clone(),
            sent_ns: None,
            delivered_ns: None,
            reads: 0,
            fate: Fate::Lost,
        })
        .collect();
    let mut alone = vec![false; rows.len()];
    let mut truncated = vec![false; rows.len()];
    for r in recvs {
        let (Some(a), Some(b)) = (r.first_msg, r.last_msg) else {
            continue;
        };
        let (a, b) = (position(messages, a), position(messages, b));
        let end = r.event.offset + r.event.len;
        for i in a..=b {
            rows[i].reads += 1;
            let m = &messages[i];
            if delivery == Delivery::Datagram || end >= m.offset + m.len {
                rows[i].delivered_ns.get_or_insert(r.event.t_ns);
            }
            alone[i] = r.kind == RecvKind::Whole;
            truncated[i] |= r.event.truncated;
        }
    }
    for (i, row) in rows.iter_mut().enumerate() {
        row.fate = match () {
            _ if row.delivered_ns.is_none() => Fate::Lost,
            _ if truncated[i] => Fate::Truncated,
            _ if row.reads > 1 => Fate::Split,
            _ if alone[i] => Fate::Intact,
            _ => Fate::Merged,
        };
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
pub(super) fn apply_decoded(rows: &mut [MessageRow], decoded: &[DecodedEvent]) {
    // Decoded frames come in stream order: look each message up by offset
    // (a linear scan per message was quadratic: 40 s for 200 000 frames).
    let mut by_offset: Vec<&DecodedEvent> = decoded.iter().collect();
    by_offset.sort_by_key(|d| d.offset);
    let longest = decoded.iter().map(|d| d.len).max().unwrap_or(0);
    for row in rows.iter_mut() {
        let (start, end) = (row.span.offset, row.span.offset + row.span.len);
        // Frames that start before `end` and may reach past `start`.
        let lo = by_offset.partition_point(|d| d.offset.saturating_add(longest) <= start);
        let hi = by_offset.partition_point(|d| d.offset < end);
        let near = &by_offset[lo..hi.max(lo)];
        let exact = near
            .iter()
            .find(|d| d.offset == start && d.len == row.span.len);
        let overlapping = near
            .iter()
            .any(|d| d.offset < end && d.offset + d.len > start);
        (row.fate, row.delivered_ns) = match exact {
            Some(d) if d.ok => (Fate::Intact, Some(d.t_ns)),
            Some(d) => (Fate::Corrupt, Some(d.t_ns)),
            None if overlapping => (Fate::Corrupt, None),
            None => (Fate::Lost, None),
        };
    }
}

/// Sets `sent_ns`: when the send call that accepted the message's last byte returned.
pub(super) fn stamp_sent(rows: &mut [MessageRow], sends: &[SendEvent]) {
    let mut accepted: Vec<(u64, u64)> = sends
        .iter()
        .filter(|s| s.ret > 0)
        .map(|s| (s.offset + s.ret, s.t_ns))
        .collect();
    accepted.sort_unstable();
    for row in rows {
        let last_byte_end = row.span.offset + row.span.len;
        let i = accepted.partition_point(|&(end, _)| end < last_byte_end);
        row.sent_ns = accepted.get(i).map(|&(_, t)| t);
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
