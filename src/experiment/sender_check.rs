//! Validates `[sender]` into a [`Sender`]: the messages (a list, or a count
//! and a size range), bursts, gaps, socket options and write size.

use super::file::{self, SizeOrRange};
use super::invalid::{bad, Invalid};
use super::model::*;
use super::values::{opt_buf, opt_dur, opt_size, size_value};
use crate::units::unescape_bytes;
use std::time::Duration;

type V<T> = Result<T, Invalid>;

/// Validates `[sender]`.
pub(super) fn sender(s: &file::FileSender) -> V<Sender> {
    let seed = s.seed.unwrap_or(1);
    let messages = messages(s, seed)?;
    let burst = match s.burst {
        None => 1,
        Some(n) if n >= 1 => n as u64,
        Some(n) => {
            return Err(bad(
                "sender.burst",
                format!("{n} is not a burst size; give 1 or more messages per burst"),
            ))
        }
    };
    Ok(Sender {
        messages,
        gap: opt_dur(&s.gap, "sender.gap")?.unwrap_or(Duration::ZERO),
        gap_jitter: opt_dur(&s.gap_jitter, "sender.gap_jitter")?.unwrap_or(Duration::ZERO),
        burst,
        seed,
        nodelay: s.nodelay.unwrap_or(false),
        sndbuf: opt_buf(&s.sndbuf, "sender.sndbuf")?,
        cork: s.cork.unwrap_or(false),
        more: s.more.unwrap_or(false),
        nonblocking: s.nonblocking.unwrap_or(false),
        raw_prefix: match &s.raw_prefix {
            Some(text) => unescape_bytes(text).map_err(|m| bad("sender.raw_prefix", m))?,
            None => Vec::new(),
        },
        write_size: match opt_size(&s.write_size, "sender.write_size")? {
            Some(0) => return Err(bad(
                "sender.write_size",
                "must be at least 1 byte, like \"4KiB\" (leave it out for one send() per message)",
            )),
            other => other,
        },
        writev: s.writev.unwrap_or(false),
    })
}

/// The messages to send: the explicit list, or `count` generated ones of `size`.
fn messages(s: &file::FileSender, seed: u64) -> V<Messages> {
    if let Some(list) = &s.messages {
        return explicit(s, list);
    }
    let count = count(s)?;
    let (min, max) = size_range(s)?;
    Ok(Messages::Generated {
        count,
        min,
        max,
        seed,
    })
}

/// `messages = [...]`: alone, not empty, each unescaped and under the size limit.
fn explicit(s: &file::FileSender, list: &[String]) -> V<Messages> {
    if s.count.is_some() || s.size.is_some() {
        return Err(bad(
            "sender.messages",
            "give either `messages` or `count` and `size`, not both",
        ));
    }
    if list.is_empty() {
        return Err(bad(
            "sender.messages",
            "is empty; give at least one message",
        ));
    }
    let mut out = Vec::with_capacity(list.len());
    for (i, text) in list.iter().enumerate() {
        let bytes = unescape_bytes(text)
            .map_err(|m| bad("sender.messages", format!("message {i}: {m}")))?;
        check_message_len(bytes.len() as u64, "sender.messages")?;
        out.push(bytes);
    }
    Ok(Messages::Explicit(out))
}

/// `count`, 10 by default, 1 to [`MAX_COUNT`].
fn count(s: &file::FileSender) -> V<u64> {
    match s.count {
        None => Ok(10),
        Some(n) if n >= 1 && n as u64 <= MAX_COUNT => Ok(n as u64),
        Some(n) => Err(bad(
            "sender.count",
            format!("{n} is out of range; send from 1 to {MAX_COUNT} messages"),
        )),
    }
}

/// `size` as `(min, max)`: 64 bytes by default, one size or a range of two.
fn size_range(s: &file::FileSender) -> V<(u64, u64)> {
    let (min, max) = match &s.size {
        None => (64, 64),
        Some(SizeOrRange::One(size)) => {
            let n = size_value(size, "sender.size")?;
            (n, n)
        }
        Some(SizeOrRange::Range(r)) if r.len() == 2 => (
            size_value(&r[0], "sender.size")?,
            size_value(&r[1], "sender.size")?,
        ),
        Some(SizeOrRange::Range(_)) => {
            return Err(bad("sender.size", "a range is two sizes, like [16, 256]"))
        }
    };
    if min == 0 || min > max {
        return Err(bad(
            "sender.size",
            format!("[{min}, {max}] is not a size range; sizes are 1 or more and min <= max"),
        ));
    }
    check_message_len(max, "sender.size")?;
    Ok((min, max))
}

/// Fails when a message of `len` bytes is over [`MAX_MESSAGE`].
fn check_message_len(len: u64, key: &str) -> V<()> {
    if len > MAX_MESSAGE {
        return Err(bad(
            key,
            format!("a message of {len} bytes is over the 64 MiB limit"),
        ));
    }
    Ok(())
}
