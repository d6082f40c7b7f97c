//! Pure functions from a trace to what the application saw: the kind of
//! every recv (whole / sticky 粘包 / fragment 分包), the fate of every message
//! (intact / merged / split / truncated / lost / corrupt) and a summary per
//! flow. No sockets, no clocks: unit-tested with scripted events.

pub mod expect;
pub mod stats;

use crate::trace::{DecodedEvent, Flow, FlowTrace, MessageSpan, RecvEvent, SendEvent};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What one recv returned, relative to message boundaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecvKind {
    /// Exactly one complete message.
    Whole,
    /// Bytes of two or more messages (粘包).
    Sticky,
    /// A strict part of one message (分包).
    Fragment,
    /// A datagram cut short by a recv buffer too small for it: the kernel
    /// discarded the rest (UDP, MSG_TRUNC). Not a fragment: no later recv
    /// gets the rest.
    Truncated,
}

/// What happened to one message, as the receiving application saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fate {
    Intact,
    Merged,
    Split,
    Truncated,
    Lost,
    Corrupt,
}

impl Fate {
    /// Every fate, in the order charts show them.
    pub const ALL: [Fate; 6] = [
        Fate::Intact,
        Fate::Merged,
        Fate::Split,
        Fate::Truncated,
        Fate::Lost,
        Fate::Corrupt,
    ];
}

impl RecvKind {
    /// Every kind.
    pub const ALL: [RecvKind; 4] = [
        RecvKind::Whole,
        RecvKind::Sticky,
        RecvKind::Fragment,
        RecvKind::Truncated,
    ];

    /// The kind's name, as recvs.csv writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            RecvKind::Whole => "whole",
            RecvKind::Sticky => "sticky",
            RecvKind::Fragment => "fragment",
            RecvKind::Truncated => "truncated",
        }
    }
}

impl fmt::Display for RecvKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Fate {
    /// The fate's name, as messages.csv and the charts write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Fate::Intact => "intact",
            Fate::Merged => "merged",
            Fate::Split => "split",
            Fate::Truncated => "truncated",
            Fate::Lost => "lost",
            Fate::Corrupt => "corrupt",
        }
    }
}

impl fmt::Display for Fate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the receiver meets the flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// A byte stream read raw (TCP, no framing).
    Stream,
    /// Datagrams (UDP): one recv, one datagram.
    Datagram,
    /// A byte stream read through a framing decoder.
    Framed,
}

/// One recv with its place among the messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecvRow {
    pub event: RecvEvent,
    /// The message holding the first byte (None if beyond every message).
    pub first_msg: Option<u64>,
    /// The message holding the last byte.
    pub last_msg: Option<u64>,
    pub kind: RecvKind,
}

/// One message with its fate.
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// Counts for one flow of one trial (the summary.csv figures).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub messages: u64,
    pub recvs: u64,
    /// Data segments sent (TCP_INFO), when known.
    pub segments: Option<u64>,
    pub whole: u64,
    pub sticky: u64,
    pub fragment: u64,
    pub intact: u64,
    pub merged: u64,
    pub split: u64,
    pub truncated: u64,
    pub lost: u64,
    pub corrupt: u64,
    /// merged / messages.
    pub merged_fraction: f64,
    /// split / messages.
    pub split_fraction: f64,
    /// Bytes delivered to the application.
    pub bytes: u64,
    /// Wall time of the trial, ns.
    pub duration_ns: u64,
}

/// Everything worked out for one flow.
#[derive(Clone, Debug)]
pub struct FlowAnalysis {
    pub flow: Flow,
    pub delivery: Delivery,
    pub messages: Vec<MessageRow>,
    pub recvs: Vec<RecvRow>,
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
}

/// Analyses one flow.
pub fn analyse(flow: Flow, delivery: Delivery, t: &FlowTrace, duration_ns: u64) -> FlowAnalysis {
    let recvs = classify(delivery, &t.messages, &t.recvs);
    let mut messages = fates(delivery, &t.messages, &recvs);
    if delivery == Delivery::Framed {
        apply_decoded(&mut messages, &t.decoded);
    }
    stamp_sent(&mut messages, &t.sends);
    let mut summary = summarise(&messages, &recvs, duration_ns);
    summary.segments = t.segments;
    FlowAnalysis {
        flow,
        delivery,
        short_writes: t.sends.iter().filter(|s| s.ret < s.len).count() as u64,
        would_block: t.would_block,
        discarded: t.discarded,
        drops: t.drops,
        decode_error: t.decode_error.clone(),
        sends: t.sends.clone(),
        messages,
        recvs,
        summary,
    }
}

/// The index of the message holding byte `offset`.
fn message_at(messages: &[MessageSpan], offset: u64) -> Option<usize> {
    let i = messages.partition_point(|m| m.offset + m.len <= offset);
    (i < messages.len() && messages[i].offset <= offset).then_some(i)
}

/// Recv kinds: whole, sticky, fragment, or truncated (a datagram cut short).
pub fn classify(delivery: Delivery, messages: &[MessageSpan], recvs: &[RecvEvent]) -> Vec<RecvRow> {
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
                message_at(messages, r.offset + r.len.max(1) - 1)
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
fn apply_decoded(rows: &mut [MessageRow], decoded: &[DecodedEvent]) {
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
fn stamp_sent(rows: &mut [MessageRow], sends: &[SendEvent]) {
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

/// Counts and fractions for one flow.
pub fn summarise(messages: &[MessageRow], recvs: &[RecvRow], duration_ns: u64) -> Summary {
    let mut s = Summary {
        messages: messages.len() as u64,
        recvs: recvs.len() as u64,
        duration_ns,
        ..Summary::default()
    };
    for r in recvs {
        s.bytes += r.event.len;
        match r.kind {
            RecvKind::Whole => s.whole += 1,
            RecvKind::Sticky => s.sticky += 1,
            RecvKind::Fragment => s.fragment += 1,
            // Counted once, as the message's fate `truncated`.
            RecvKind::Truncated => {}
        }
    }
    for m in messages {
        *match m.fate {
            Fate::Intact => &mut s.intact,
            Fate::Merged => &mut s.merged,
            Fate::Split => &mut s.split,
            Fate::Truncated => &mut s.truncated,
            Fate::Lost => &mut s.lost,
            Fate::Corrupt => &mut s.corrupt,
        } += 1;
    }
    let n = s.messages.max(1) as f64;
    s.merged_fraction = s.merged as f64 / n;
    s.split_fraction = s.split as f64 / n;
    s
}

/// Reads that end inside a UTF-8 character: `next_byte(offset)` gives the
/// byte after each read, if any.
pub fn utf8_cuts(recvs: &[RecvRow], mut next_byte: impl FnMut(u64) -> Option<u8>) -> Vec<usize> {
    recvs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.event.len > 0 && !r.event.truncated)
        .filter(|(_, r)| next_byte(r.event.offset + r.event.len).is_some_and(|b| b & 0xC0 == 0x80))
        .map(|(i, _)| i)
        .collect()
}
