//! The values every part of an experiment file uses: sizes ("4KiB"),
//! socket buffer sizes ("default"), and durations ("1ms"), each checked
//! with the key it was written under.

use super::file::{Dur, Size};
use super::invalid::{bad, Invalid};
use crate::units::{parse_duration, parse_size};
use std::time::Duration;

type V<T> = Result<T, Invalid>;

/// A size in bytes: a non-negative integer or a string like "4KiB".
pub(super) fn size_value(s: &Size, key: &str) -> V<u64> {
    match s {
        Size::Int(n) if *n >= 0 => Ok(*n as u64),
        Size::Int(n) => Err(bad(
            key,
            format!("{n} is negative; sizes are bytes, 0 or more"),
        )),
        Size::Text(t) => parse_size(t).map_err(|m| bad(key, m)),
    }
}

/// An optional size in bytes.
pub(super) fn opt_size(s: &Option<Size>, key: &str) -> V<Option<u64>> {
    s.as_ref().map(|s| size_value(s, key)).transpose()
}

/// A socket buffer size: 1 byte to 1 GiB, or "default" (none).
pub(super) fn opt_buf(s: &Option<Size>, key: &str) -> V<Option<u64>> {
    match s {
        Some(Size::Text(t)) if t == "default" => Ok(None),
        Some(s) => {
            let n = size_value(s, key)?;
            if n == 0 || n > (1 << 30) {
                return Err(bad(
                    key,
                    format!("{n} is out of range; give 1 byte to 1 GiB, or \"default\""),
                ));
            }
            Ok(Some(n))
        }
        None => Ok(None),
    }
}

/// An optional duration: 0, or a string with a unit like "1ms".
pub(super) fn opt_dur(d: &Option<Dur>, key: &str) -> V<Option<Duration>> {
    match d {
        None => Ok(None),
        Some(Dur::Int(0)) => Ok(Some(Duration::ZERO)),
        Some(Dur::Int(n)) => Err(bad(
            key,
            format!("{n} has no unit; write a string like \"{n}ms\" or \"{n}us\""),
        )),
        Some(Dur::Text(t)) => parse_duration(t).map(Some).map_err(|m| bad(key, m)),
    }
}
