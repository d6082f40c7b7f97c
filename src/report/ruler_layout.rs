//! How the ruler is laid out: the stream cut into atoms at every boundary
//! of every row, bands of atoms that fit the terminal width, and each row
//! drawn over the same columns. [`super::ruler`] decides what to draw.

use super::ruler_words::{ansi, fate_ansi, fate_labels, kind_label, short};
use crate::analysis::{Fate, RecvKind};
use std::ops::Range;

/// Longest atom text before it is elided.
const ATOM_MAX: usize = 18;

/// Display width of a character (CJK and full-width forms take two columns).
fn char_width(c: char) -> usize {
    let u = c as u32;
    let wide = matches!(u, 0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F | 0x20000..=0x3FFFD);
    if wide {
        2
    } else {
        1
    }
}

/// Display width of a string.
pub fn text_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

pub(super) fn elide(text: String) -> String {
    let n = text.chars().count();
    if n <= ATOM_MAX {
        return text;
    }
    let head: String = text.chars().take(ATOM_MAX / 2).collect();
    let tail: String = text.chars().skip(n - (ATOM_MAX / 2 - 1)).collect();
    format!("{head}…{tail}")
}

/// A block of one row: `[start, end)` of the stream, and what it stands for.
#[derive(Clone, Copy)]
pub(super) struct Block {
    pub start: u64,
    pub end: u64,
    pub class: Class,
    /// The drawing stops inside this block: its end is not a boundary.
    pub open: bool,
}

/// What a block stands for, which sets its colour and label.
#[derive(Clone, Copy)]
pub(super) enum Class {
    /// A sent message: its bytes, uncoloured.
    Sent,
    /// A recv call, coloured by kind.
    Recv(RecvKind),
    /// A decoded frame (framing only), labelled and coloured by fate.
    Decoded { id: u64, fate: Fate },
}

/// The atoms of one ruler and how to draw rows over them.
pub(super) struct Layout<'a> {
    /// Every boundary of every row, sorted.
    pub cuts: &'a [u64],
    /// The text between consecutive cuts, escaped and elided.
    pub atoms: &'a [String],
    pub color: bool,
    /// The kinds a read too narrow for its word was labelled with by one
    /// letter (W, S, F, T), so the ruler adds the key to those letters.
    pub abbreviated: std::cell::RefCell<Vec<RecvKind>>,
}

const LABEL: usize = 8;

impl Layout<'_> {
    /// Ranges of atom indices that fit in `width` columns each.
    pub(super) fn bands(&self, width: usize) -> Vec<Range<usize>> {
        let mut bands = Vec::new();
        let (mut start, mut used) = (0, LABEL + 3);
        for (i, a) in self.atoms.iter().enumerate() {
            let w = text_width(a) + 1;
            if used + w > width && i > start {
                bands.push(start..i);
                (start, used) = (i, LABEL + 3);
            }
            used += w;
        }
        bands.push(start..self.atoms.len());
        bands
    }

    /// The offset scale above a band: each boundary's offset over its `|`.
    pub(super) fn offsets(&self, band: Range<usize>) -> String {
        let mut body = String::new();
        let (mut cur, mut col) = (0usize, 0usize);
        for i in band.start..=band.end {
            if body.is_empty() || col > cur {
                let label = self.cuts[i].to_string();
                body += &" ".repeat(col - cur.min(col));
                body += &label;
                cur = col + label.len();
            }
            if i < band.end {
                col += text_width(&self.atoms[i]) + 1;
            }
        }
        format!("  {:LABEL$}{body}\n", "")
    }

    /// One row: its blocks over the band's atoms.
    pub(super) fn row(&self, name: &str, blocks: &[Block], band: Range<usize>) -> String {
        let mut line = format!("  {name:LABEL$}");
        for i in band.clone() {
            line.push(self.edge(blocks, self.cuts[i]));
            let (a, b) = (self.cuts[i], self.cuts[i + 1]);
            let text = &self.atoms[i];
            match blocks.iter().find(|k| k.start <= a && b <= k.end) {
                Some(k) => line += &self.paint(k.class, text),
                None => line += &" ".repeat(text_width(text)),
            }
        }
        line.push(self.edge(blocks, self.cuts[band.end]));
        line.trim_end().to_string() + "\n"
    }

    /// `|` at a boundary of this row, `·` inside one of its blocks (or where
    /// the drawing stops inside one), else blank.
    fn edge(&self, blocks: &[Block], at: u64) -> char {
        if blocks
            .iter()
            .any(|k| k.start == at || (k.end == at && !k.open))
        {
            '|'
        } else if blocks
            .iter()
            .any(|k| k.start < at && (at < k.end || (at == k.end && k.open)))
        {
            '·'
        } else {
            ' '
        }
    }

    /// A row whose blocks show a label instead of bytes: each block spans the
    /// columns of the atoms it covers, `|` at its ends (`·` where it runs on
    /// into the next band), and holds the longest label that fits.
    pub(super) fn labelled(&self, name: &str, blocks: &[Block], band: Range<usize>) -> String {
        let mut line = format!("  {name:LABEL$}");
        let (lo, hi) = (self.cuts[band.start], self.cuts[band.end]);
        let (mut written, mut close) = (0usize, None);
        for k in blocks.iter().filter(|k| k.start < hi && k.end > lo) {
            let start_col = self.col_of(k.start.max(lo), band.clone());
            let end_col = self.col_of(k.end.min(hi), band.clone());
            if let Some(c) = close.take().filter(|_| start_col > written) {
                line.push(c);
                written += 1;
            }
            line += &" ".repeat(start_col.saturating_sub(written));
            line.push(if k.start < lo { '·' } else { '|' });
            let room = end_col.saturating_sub(start_col + 1);
            let label = labels(k.class)
                .into_iter()
                .find(|l| text_width(l) <= room)
                .unwrap_or_default();
            line += &self.paint(k.class, &label);
            line += &" ".repeat(room - text_width(&label));
            (written, close) = (end_col, Some(if k.end > hi || k.open { '·' } else { '|' }));
        }
        line.extend(close);
        line.trim_end().to_string() + "\n"
    }

    /// The kind of each recv, written under its block where it fits.
    pub(super) fn kinds(&self, recvs: &[Block], band: Range<usize>) -> String {
        let mut line = format!("  {:LABEL$}", "");
        let (lo, hi) = (self.cuts[band.start], self.cuts[band.end]);
        let mut col = 0usize;
        for k in recvs.iter().filter(|k| k.start < hi && k.end > lo) {
            let start_col = self.col_of(k.start.max(lo), band.clone());
            let end_col = self.col_of(k.end.min(hi), band.clone());
            let room = end_col.saturating_sub(start_col);
            let Class::Recv(kind) = k.class else { continue };
            // A label starts under its read, one column after the label
            // before it at least, so two never run together.
            let at = (start_col + 1).max(if col == 0 { 0 } else { col + 1 });
            let room = (start_col + 1 + room.max(1)).saturating_sub(at);
            let label = labels(Class::Recv(kind))
                .into_iter()
                .find(|l| text_width(l) <= room);
            let Some(label) = label else { continue };
            if text_width(&label) == 1 {
                self.abbreviated.borrow_mut().push(kind);
            }
            line += &" ".repeat(at - col.min(at));
            line += &self.paint(k.class, &label);
            col = at + text_width(&label);
        }
        let line = line.trim_end().to_string();
        if line.trim().is_empty() {
            String::new()
        } else {
            line + "\n"
        }
    }

    /// Column (after the label) of a cut offset within a band.
    fn col_of(&self, at: u64, band: Range<usize>) -> usize {
        let mut col = 0;
        for i in band {
            if self.cuts[i] >= at {
                break;
            }
            col += text_width(&self.atoms[i]) + 1;
        }
        col
    }

    fn paint(&self, class: Class, text: &str) -> String {
        let code = match class {
            Class::Sent => None,
            Class::Recv(kind) => Some(ansi(kind)),
            Class::Decoded { fate, .. } => Some(fate_ansi(fate)),
        };
        match code {
            Some(code) if self.color => format!("\x1b[{code}m{text}\x1b[0m"),
            _ => text.to_string(),
        }
    }
}

/// Labels of a block, longest first.
fn labels(class: Class) -> Vec<String> {
    match class {
        Class::Decoded { id, fate } => fate_labels(id, fate).to_vec(),
        Class::Recv(kind) => vec![kind_label(kind), kind.to_string(), short(kind).into()],
        Class::Sent => Vec::new(),
    }
}

/// How much to draw.
#[derive(Clone, Copy, Debug)]
pub struct RulerOptions {
    /// Messages shown at most; the rest is summarised.
    pub max_messages: usize,
    /// Columns per band before wrapping.
    pub width: usize,
    /// ANSI colours for recv kinds.
    pub color: bool,
}

impl Default for RulerOptions {
    fn default() -> Self {
        RulerOptions {
            max_messages: 12,
            width: 96,
            color: false,
        }
    }
}
