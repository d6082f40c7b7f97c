//! The ruler's words and colours for recv kinds and decoded fates: the
//! labels, the one-letter forms, the ✓/✗ marks and the ANSI colours, shared
//! by the ruler (which writes the key line) and its layout (which picks the
//! label that fits).

use crate::analysis::{Fate, RecvKind};

/// The kind in words, with the tutorial's term.
pub fn kind_label(kind: RecvKind) -> String {
    match kind {
        RecvKind::Whole => "whole".into(),
        RecvKind::Sticky => "sticky 粘包".into(),
        RecvKind::Fragment => "fragment 分包".into(),
        RecvKind::Truncated => "truncated".into(),
        RecvKind::Unknown => "unknown".into(),
    }
}

pub(crate) fn short(kind: RecvKind) -> &'static str {
    match kind {
        RecvKind::Whole => "W",
        RecvKind::Sticky => "S",
        RecvKind::Fragment => "F",
        RecvKind::Truncated => "T",
        RecvKind::Unknown => "?",
    }
}

/// A decoded frame's fate as a mark: ✓ intact, ✗ anything else.
pub fn fate_mark(fate: Fate) -> &'static str {
    match fate {
        Fate::Intact => "✓",
        _ => "✗",
    }
}

/// Labels of a decoded frame, longest first: the ruler writes the first
/// that fits the frame's columns (`#1 corrupt ✗`, …, `corrupt`, …, `✗`).
pub(crate) fn fate_labels(id: u64, fate: Fate) -> [String; 6] {
    let mark = fate_mark(fate);
    [
        format!("#{id} {fate} {mark}"),
        format!("#{id} {fate}"),
        format!("{fate} {mark}"),
        fate.to_string(),
        format!("#{id} {mark}"),
        mark.to_string(),
    ]
}

/// ANSI colour of a fate, matching the kinds where they mean alike: intact
/// green, merged yellow, split cyan, truncated magenta, lost grey, corrupt red.
pub fn fate_ansi(fate: Fate) -> &'static str {
    match fate {
        Fate::Intact => "32",
        Fate::Merged => "33;1",
        Fate::Split => "36",
        Fate::Truncated => "35",
        Fate::Lost => "90",
        Fate::Corrupt => "31;1",
    }
}

/// ANSI colour of a recv kind: whole green, sticky yellow, fragment cyan,
/// truncated magenta (as the fate), unknown plain grey.
pub fn ansi(kind: RecvKind) -> &'static str {
    match kind {
        RecvKind::Whole => "32",
        RecvKind::Sticky => "33;1",
        RecvKind::Fragment => "36",
        RecvKind::Truncated => "35",
        RecvKind::Unknown => "90",
    }
}
