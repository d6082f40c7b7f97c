//! The summary figures of one flow of one trial (summary.csv's rows).

use super::kinds::{Fate, RecvKind};
use super::requests::Latency;
use super::{Messages, Recvs};
use crate::experiment::SUMMARY_COLUMNS;
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
    /// Request/response latency (c2s row of a request/response trial).
    pub latency: Option<Latency>,
}

/// Counts and fractions for one flow; with no message boundaries known the
/// fractions are NaN (written as empty cells), not an invented 0 %.
pub fn summarise(
    boundaries: Boundaries,
    messages: &Messages,
    recvs: &Recvs,
    duration_ns: u64,
) -> Summary {
    let mut s = Summary {
        messages: messages.len() as u64,
        recvs: recvs.len() as u64,
        duration_ns,
        ..Summary::default()
    };
    for r in recvs.iter() {
        s.bytes += u64::from(r.event.len);
        match r.kind {
            RecvKind::Whole => s.whole += 1,
            RecvKind::Sticky => s.sticky += 1,
            RecvKind::Fragment => s.fragment += 1,
            // Counted once, as the message's fate `truncated`.
            RecvKind::Truncated => {}
            RecvKind::Unknown => {}
        }
    }
    for m in messages.iter() {
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

impl Summary {
    /// The figures in [`SUMMARY_COLUMNS`] order, as summary.csv holds them:
    /// `None` for what is not known (segments without TCP_INFO, fractions
    /// without message boundaries).
    pub fn values(&self) -> Vec<Option<f64>> {
        let known = |v: f64| (!v.is_nan()).then_some(v);
        let mut counts = self.clone();
        SUMMARY_COLUMNS
            .iter()
            .map(|name| match *name {
                "segments" => self.segments.map(|v| v as f64),
                "merged_fraction" => known(self.merged_fraction),
                "latency_mean_ns" => self.latency.map(|l| l.mean_ns),
                "latency_median_ns" => self.latency.map(|l| l.median_ns),
                "latency_p99_ns" => self.latency.map(|l| l.p99_ns),
                "split_fraction" => known(self.split_fraction),
                count => Some(counts.count_mut(count).map_or(0, |v| *v) as f64),
            })
            .collect()
    }

    /// A summary from figures in [`SUMMARY_COLUMNS`] order (what
    /// [`Summary::values`] gives, or summary.csv's cells).
    pub fn from_values(values: &[Option<f64>]) -> Summary {
        let get = |k: &str| {
            let i = SUMMARY_COLUMNS.iter().position(|f| *f == k);
            i.and_then(|i| values.get(i).copied().flatten())
        };
        let mut s = Summary {
            segments: get("segments").map(|v| v as u64),
            merged_fraction: get("merged_fraction").unwrap_or(f64::NAN),
            split_fraction: get("split_fraction").unwrap_or(f64::NAN),
            latency: match (
                get("latency_mean_ns"),
                get("latency_median_ns"),
                get("latency_p99_ns"),
            ) {
                (Some(mean_ns), Some(median_ns), Some(p99_ns)) => Some(Latency {
                    mean_ns,
                    median_ns,
                    p99_ns,
                }),
                _ => None,
            },
            ..Summary::default()
        };
        for name in SUMMARY_COLUMNS {
            if let Some(slot) = s.count_mut(name) {
                *slot = get(name).map_or(0, |v| v as u64);
            }
        }
        s
    }

    fn count_mut(&mut self, name: &str) -> Option<&mut u64> {
        Some(match name {
            "messages" => &mut self.messages,
            "recvs" => &mut self.recvs,
            "whole" => &mut self.whole,
            "sticky" => &mut self.sticky,
            "fragment" => &mut self.fragment,
            "intact" => &mut self.intact,
            "merged" => &mut self.merged,
            "split" => &mut self.split,
            "truncated" => &mut self.truncated,
            "lost" => &mut self.lost,
            "corrupt" => &mut self.corrupt,
            "bytes" => &mut self.bytes,
            "duration_ns" => &mut self.duration_ns,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_in_column_order() {
        let s = Summary {
            messages: 2,
            recvs: 1,
            sticky: 1,
            merged: 2,
            merged_fraction: 1.0,
            split_fraction: 0.0,
            bytes: 9,
            duration_ns: 7,
            ..Summary::default()
        };
        let v = s.values();
        assert_eq!(v.len(), SUMMARY_COLUMNS.len());
        assert_eq!(v[2], None, "segments unknown");
        assert_eq!(Summary::from_values(&v), s);
    }
}
