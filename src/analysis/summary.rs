//! The summary figures of one flow of one trial (summary.csv's rows).

use super::kinds::{Fate, RecvKind};
use super::{MessageRow, RecvRow};
use crate::trace::Boundaries;
use serde::{Deserialize, Serialize};

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
    /// merged / messages (NaN when message boundaries are unknown).
    pub merged_fraction: f64,
    /// split / messages (NaN when message boundaries are unknown).
    pub split_fraction: f64,
    /// Bytes delivered to the application.
    pub bytes: u64,
    /// Wall time of the trial, ns.
    pub duration_ns: u64,
}

/// Counts and fractions for one flow; with no message boundaries known the
/// fractions are NaN (written as empty cells), not an invented 0 %.
pub fn summarise(
    boundaries: Boundaries,
    messages: &[MessageRow],
    recvs: &[RecvRow],
    duration_ns: u64,
) -> Summary {
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
            RecvKind::Unknown => {}
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
    if !boundaries.known() {
        (s.merged_fraction, s.split_fraction) = (f64::NAN, f64::NAN);
    }
    s
}
