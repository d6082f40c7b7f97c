//! The words analysis gives a recv (its kind) and a message (its fate).

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
    /// The flow's message boundaries are unknown (someone else's program,
    /// no framing, no declared messages): bytes only, no kind told.
    Unknown,
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
    pub const ALL: [RecvKind; 5] = [
        RecvKind::Whole,
        RecvKind::Sticky,
        RecvKind::Fragment,
        RecvKind::Truncated,
        RecvKind::Unknown,
    ];

    /// The kind's name, as recvs.csv writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            RecvKind::Whole => "whole",
            RecvKind::Sticky => "sticky",
            RecvKind::Fragment => "fragment",
            RecvKind::Truncated => "truncated",
            RecvKind::Unknown => "unknown",
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
