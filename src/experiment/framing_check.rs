//! Load-time checks of `transport.framing` and what depends on it: the
//! framing string parses, its limits admit a frame, every message fits a
//! frame, and the knobs that only make sense framed (or raw) are consistent.

use super::invalid::{bad, Invalid};
use super::model::*;
use crate::framing::frame_len;
use crate::framing::{FrameError, Framing, ALLOWED};

type V<T> = Result<T, Invalid>;

/// Parses `transport.framing`; the error lists the allowed values.
pub(super) fn parse_framing(text: &str) -> V<Framing> {
    text.parse::<Framing>().map_err(|e| match e {
        FrameError::Unknown { .. } => bad("transport.framing", e.to_string()),
        _ => bad("transport.framing", format!("{e}; allowed: {ALLOWED}")),
    })
}

/// Checks the framing against its limits, the messages and the other knobs.
pub(super) fn check_framing(t: &Transport, s: &Sender, r: &Receiver) -> V<()> {
    if t.framing == Framing::None {
        if !s.raw_prefix.is_empty() {
            return Err(bad(
                "sender.raw_prefix",
                "bytes before the first frame need a framing (transport.framing other than \"none\")",
            ));
        }
        return Ok(());
    }
    if t.max_frame == 0 || t.max_frame > MAX_MESSAGE * 2 {
        return Err(bad(
            "transport.max_frame",
            format!("{} is out of range; give 1 byte to 128 MiB", t.max_frame),
        ));
    }
    t.framing.validate(&t.limits()).map_err(|e| {
        let key = if e.to_string().contains("max_frame") {
            "transport.max_frame"
        } else {
            "transport.framing"
        };
        bad(key, e.to_string())
    })?;
    if matches!(r.reply, Reply::Echo | Reply::Upper) {
        return Err(bad(
            "receiver.reply",
            "echo and upper replies read raw bytes; with framing use a list of reply sizes or \"none\"",
        ));
    }
    for (i, len, id) in message_lens(&s.messages) {
        check_fits(t, i, len, id)?;
    }
    Ok(())
}

/// Message lengths to check: each explicit one, or the generated extremes,
/// with the id whose frame is longest (a json-header `name` grows with it).
fn message_lens(m: &Messages) -> Vec<(Option<usize>, u64, u64)> {
    match m {
        Messages::Explicit(list) => list
            .iter()
            .enumerate()
            .map(|(i, p)| (Some(i), p.len() as u64, i as u64))
            .collect(),
        Messages::Generated {
            count, min, max, ..
        } => {
            let last = count.saturating_sub(1);
            vec![(None, *min, last), (None, *max, last)]
        }
    }
}

fn check_fits(t: &Transport, i: Option<usize>, len: u64, id: u64) -> V<()> {
    let what = match i {
        Some(i) => format!("message {i} ({len} bytes)"),
        None => format!("a generated message of {len} bytes"),
    };
    match t.framing {
        Framing::Fixed(n) if len != n as u64 => {
            return Err(bad(
                "transport.framing",
                format!("fixed:{n} frames are exactly {n} bytes, but {what} is not"),
            ))
        }
        Framing::U16Be if len > u16::MAX as u64 => {
            return Err(bad(
                "transport.framing",
                format!("u16be carries at most 65535 bytes per frame, but {what} is longer"),
            ))
        }
        _ => {}
    }
    let frame = frame_len(&t.framing, id, len);
    if frame > t.max_frame {
        return Err(bad(
            "transport.max_frame",
            format!(
                "{what} makes a {frame}-byte frame, over max_frame = {}",
                t.max_frame
            ),
        ));
    }
    Ok(())
}
