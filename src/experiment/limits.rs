//! The limits that keep one run bounded in time and memory, checked once
//! the experiment is validated: every wait fits inside `deadline`, a UDP
//! datagram fits in one IP packet, and the bytes and events a trial can
//! make stay under named caps. Each error names the key and the limit.

use super::invalid::{bad, Invalid};
use super::model::*;
use crate::units::format_duration;
use std::time::Duration;

/// Largest UDP payload over IPv4 (65 535 − 20 IP − 8 UDP header bytes).
pub const MAX_UDP_V4: u64 = 65_507;
/// Largest UDP payload over IPv6 (65 535 − 8 UDP header bytes; the IPv6
/// header is not counted in its payload length).
pub const MAX_UDP_V6: u64 = 65_527;
/// Most bytes one flow of one trial may carry.
pub const MAX_STREAM: u64 = 1 << 30;
/// Most send calls one flow of one trial may make (each is recorded).
pub const MAX_SENDS: u64 = 8 << 20;
/// Most bytes a receiver that starts `after-send` waits to find queued
/// (half of `receiver.rcvbuf` when that is smaller).
pub const AFTER_SEND_QUEUE: u64 = 32 << 10;
/// Most items in a list of sizes (`recv_sizes`, `reply`, `client_recv_sizes`).
pub const MAX_SIZES: usize = 10_000;

type V<T> = Result<T, Invalid>;

/// Checks every limit of a validated experiment.
pub(super) fn check(exp: &Experiment) -> V<()> {
    waits(exp)?;
    after_send(exp)?;
    empty_messages(exp)?;
    udp_sizes(exp)?;
    stream_bytes(exp)?;
    for (key, list) in [
        ("receiver.recv_sizes", &exp.receiver.recv_sizes),
        (
            "receiver.client_recv_sizes",
            &exp.receiver.client_recv_sizes,
        ),
    ] {
        if list.len() > MAX_SIZES {
            return Err(bad(
                key,
                format!("{} sizes is over the limit of {MAX_SIZES}; the last size repeats, so a short list does the same", list.len()),
            ));
        }
    }
    if let Reply::Sizes(list) = &exp.receiver.reply {
        if list.len() > MAX_SIZES {
            return Err(bad(
                "receiver.reply",
                format!(
                    "{} reply sizes is over the limit of {MAX_SIZES}",
                    list.len()
                ),
            ));
        }
    }
    Ok(())
}

/// Number of messages the sender sends.
pub fn message_count(s: &Sender) -> u64 {
    match &s.messages {
        Messages::Explicit(list) => list.len() as u64,
        Messages::Generated { count, .. } => *count,
    }
}

/// Every pause of a trial ends before its deadline: the receiver's late
/// start, one read gap, and the sender's gaps added up (with the most
/// jitter each could draw).
fn waits(exp: &Experiment) -> V<()> {
    let deadline = exp.deadline;
    let over = |key: &str, what: String| {
        bad(
            key,
            format!(
                "{what} does not fit inside the deadline of {}; every wait of a trial must end before `deadline` (at most {}s)",
                format_duration(deadline),
                MAX_DEADLINE.as_secs()
            ),
        )
    };
    let r = &exp.receiver;
    if r.start_delay.fixed() >= deadline {
        return Err(over(
            "receiver.start_delay",
            format!(
                "a start delay of {}",
                format_duration(r.start_delay.fixed())
            ),
        ));
    }
    if r.recv_gap >= deadline {
        return Err(over(
            "receiver.recv_gap",
            format!("a gap of {} between reads", format_duration(r.recv_gap)),
        ));
    }
    let s = &exp.sender;
    let gaps = message_count(s).saturating_sub(1) / s.burst;
    let each = s.gap.saturating_add(s.gap_jitter);
    let total = u32::try_from(gaps)
        .ok()
        .and_then(|g| each.checked_mul(g))
        .unwrap_or(Duration::MAX);
    if gaps > 0 && total >= deadline {
        let key = if s.gap.is_zero() {
            "sender.gap_jitter"
        } else {
            "sender.gap"
        };
        return Err(over(
            key,
            format!(
                "{gaps} gaps of up to {} each (about {} in all)",
                format_duration(each),
                if total == Duration::MAX {
                    "forever".to_string()
                } else {
                    format_duration(total)
                }
            ),
        ));
    }
    Ok(())
}

/// An empty message is only something with framing (a zero-length frame):
/// raw TCP sends nothing for it, and nianbao does not model empty datagrams.
fn empty_messages(exp: &Experiment) -> V<()> {
    let Messages::Explicit(list) = &exp.sender.messages else {
        return Ok(());
    };
    match list.iter().position(Vec::is_empty) {
        Some(i) if !exp.framed() => Err(bad(
            "sender.messages",
            format!("message {i} is empty; without framing an empty message is no bytes at all (send() of 0 bytes sends nothing over TCP); give it at least one byte, or set transport.framing"),
        )),
        _ => Ok(()),
    }
}

/// A UDP message is one datagram, so it must fit in one IP packet.
fn udp_sizes(exp: &Experiment) -> V<()> {
    if exp.transport.kind != Kind::Udp {
        return Ok(());
    }
    let (limit, family) = match exp.transport.ip {
        std::net::IpAddr::V4(_) => (MAX_UDP_V4, "IPv4"),
        std::net::IpAddr::V6(_) => (MAX_UDP_V6, "IPv6"),
    };
    let (key, largest) = match &exp.sender.messages {
        Messages::Explicit(list) => (
            "sender.messages",
            list.iter().map(|m| m.len() as u64).max().unwrap_or(0),
        ),
        Messages::Generated { max, .. } => ("sender.size", *max),
    };
    if largest > limit {
        return Err(bad(
            key,
            format!("a {largest}-byte message cannot be one UDP datagram; over {family} the largest is {limit} bytes"),
        ));
    }
    Ok(())
}

/// A receiver that starts `after-send` waits for the sender to finish, so
/// the sender must finish without it: no replies to wait for.
fn after_send(exp: &Experiment) -> V<()> {
    let r = &exp.receiver;
    if r.start_delay == StartDelay::AfterSend && r.reply != Reply::None {
        return Err(bad("receiver.start_delay", "`after-send` needs receiver.reply = \"none\": the receiver starts only when the sender is done, and this sender waits for a reply after each message; give a duration like \"5ms\""));
    }
    Ok(())
}

/// The most bytes an `after-send` receiver waits to find queued before
/// its first read: no more than the receive queue holds at once, or the
/// sender would wait for the receiver, which waits for it. A queue holds
/// less payload than its size (small segments cost more than their bytes),
/// so half of `rcvbuf` when one is set.
pub fn after_send_room(r: &Receiver) -> u64 {
    r.rcvbuf
        .map_or(AFTER_SEND_QUEUE, |b| (b / 2).clamp(1, AFTER_SEND_QUEUE))
}

/// For a TCP receiver that starts `after-send`: the room it waits to fill,
/// when the sender may send more than that (the wait can then end before
/// the sender is done). Counts the bytes on the wire, framing headers and
/// `raw_prefix` included, at most.
pub fn after_send_capped(exp: &Experiment) -> Option<u64> {
    let (r, s) = (&exp.receiver, &exp.sender);
    if r.start_delay != StartDelay::AfterSend || exp.transport.kind != Kind::Tcp {
        return None;
    }
    let header = exp.transport.framing.header_overhead(longest(s) as usize);
    let headers = message_count(s).saturating_mul(header as u64);
    let wire = sized(s)
        .1
        .saturating_add(headers)
        .saturating_add(s.raw_prefix.len() as u64);
    let room = after_send_room(r);
    (wire > room).then_some(room)
}

/// The longest of the sender's messages, bytes (at most, for random sizes).
fn longest(s: &Sender) -> u64 {
    match &s.messages {
        Messages::Explicit(list) => list.iter().map(|m| m.len() as u64).max().unwrap_or(0),
        Messages::Generated { max, .. } => *max,
    }
}

/// The bytes of the sender's messages (at most, for random sizes), and the
/// key that sets them.
fn sized(s: &Sender) -> (&'static str, u64) {
    match &s.messages {
        Messages::Explicit(list) => ("sender.messages", list.iter().map(|m| m.len() as u64).sum()),
        Messages::Generated { count, max, .. } => ("sender.count", count.saturating_mul(*max)),
    }
}

/// The bytes one flow carries stay under [`MAX_STREAM`].
fn stream_bytes(exp: &Experiment) -> V<()> {
    let s = &exp.sender;
    let (key, bytes) = sized(s);
    let writes = match s.write_size {
        Some(w) => longest(s).div_ceil(w).max(1),
        None => 1,
    };
    let sends = message_count(s).saturating_mul(writes);
    if sends > MAX_SENDS {
        return Err(bad(
            if s.write_size.is_some() { "sender.write_size" } else { "sender.count" },
            format!("{sends} send() calls in one trial is over the limit of {MAX_SENDS} recorded sends; use fewer messages or a larger write_size"),
        ));
    }
    if bytes > MAX_STREAM {
        return Err(bad(
            key,
            format!(
                "the messages add up to as much as {bytes} bytes, over the limit of {MAX_STREAM} bytes (1 GiB) a flow; send fewer or smaller messages"
            ),
        ));
    }
    Ok(())
}
