//! The terminal ruler: sent messages and recv calls drawn one above the
//! other on the byte axis, boundaries aligned.
//!
//! ```text
//!              0     5    9
//!   sent      |hello|feng|
//!   recv      |hello·feng|
//!              sticky 粘包
//! ```
//! The stream is cut into atoms at every boundary of every row; each atom is
//! shown once (escaped, long ones elided) and every row uses the same
//! columns. `|` is a boundary of that row, `·` one of another row.

use crate::analysis::{FlowAnalysis, RecvKind};
use crate::payload::FlowModel;
use crate::units::escape_bytes;

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

fn elide(text: String) -> String {
    let n = text.chars().count();
    if n <= ATOM_MAX {
        return text;
    }
    let head: String = text.chars().take(ATOM_MAX / 2).collect();
    let tail: String = text.chars().skip(n - (ATOM_MAX / 2 - 1)).collect();
    format!("{head}…{tail}")
}

/// A block of one row: `[start, end)` of the stream, and its colour class.
#[derive(Clone, Copy)]
struct Block {
    start: u64,
    end: u64,
    kind: Option<RecvKind>,
}

/// Draws the ruler of one flow.
pub fn ruler(fa: &FlowAnalysis, model: &FlowModel, opts: &RulerOptions) -> String {
    let shown = fa.messages.len().min(opts.max_messages.max(1));
    let Some(last) = fa.messages.get(shown.saturating_sub(1)) else {
        return "  (no messages)\n".into();
    };
    let mut end = last.span.offset + last.span.len;
    // Many small reads of a long message: stop after a screenful of reads.
    if let Some(r) = fa.recvs.get(opts.max_messages.max(1)) {
        end = end.min(
            r.event
                .offset
                .max(fa.messages[0].span.offset + fa.messages[0].span.len),
        );
    }
    let sent: Vec<Block> = fa.messages[..shown]
        .iter()
        .filter(|m| m.span.offset < end)
        .map(|m| Block {
            start: m.span.offset,
            end: (m.span.offset + m.span.len).min(end),
            kind: None,
        })
        .collect();
    let shown = sent.len();
    let recvs: Vec<Block> = fa
        .recvs
        .iter()
        .filter(|r| r.event.offset < end)
        .map(|r| Block {
            start: r.event.offset,
            end: (r.event.offset + r.event.len).min(end),
            kind: Some(r.kind),
        })
        .collect();
    let mut cuts: Vec<u64> = sent
        .iter()
        .chain(&recvs)
        .flat_map(|b| [b.start, b.end])
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut buf = Vec::new();
    let atoms: Vec<String> = cuts
        .windows(2)
        .map(|w| {
            model.bytes(w[0], w[1] - w[0], &mut buf);
            elide(escape_bytes(&buf))
        })
        .collect();
    let layout = Layout {
        cuts: &cuts,
        atoms: &atoms,
        color: opts.color,
    };
    let mut out = String::new();
    for band in layout.bands(opts.width) {
        out += &layout.offsets(band.clone());
        out += &layout.row("sent", &sent, band.clone());
        out += &layout.row("recv", &recvs, band.clone());
        out += &layout.kinds(&recvs, band);
    }
    let total_msgs = fa.messages.len();
    let total_bytes = fa.messages.last().map_or(0, |m| m.span.offset + m.span.len);
    if end < total_bytes {
        out += &format!("  … showing bytes 0–{end} of {total_bytes}: {shown} of {total_msgs} messages, {} of {} recvs\n", recvs.len(), fa.recvs.len());
    }
    out
}

struct Layout<'a> {
    cuts: &'a [u64],
    atoms: &'a [String],
    color: bool,
}

const LABEL: usize = 8;

impl Layout<'_> {
    /// Ranges of atom indices that fit in `width` columns each.
    fn bands(&self, width: usize) -> Vec<std::ops::Range<usize>> {
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
    fn offsets(&self, band: std::ops::Range<usize>) -> String {
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
    fn row(&self, name: &str, blocks: &[Block], band: std::ops::Range<usize>) -> String {
        let mut line = format!("  {name:LABEL$}");
        for i in band.clone() {
            line.push(self.edge(blocks, self.cuts[i]));
            let (a, b) = (self.cuts[i], self.cuts[i + 1]);
            let text = &self.atoms[i];
            match blocks.iter().find(|k| k.start <= a && b <= k.end) {
                Some(k) => line += &self.paint(k.kind, text),
                None => line += &" ".repeat(text_width(text)),
            }
        }
        line.push(self.edge(blocks, self.cuts[band.end]));
        line.trim_end().to_string() + "\n"
    }

    /// `|` at a boundary of this row, `·` inside one of its blocks, else blank.
    fn edge(&self, blocks: &[Block], at: u64) -> char {
        if blocks.iter().any(|k| k.start == at || k.end == at) {
            '|'
        } else if blocks.iter().any(|k| k.start < at && at < k.end) {
            '·'
        } else {
            ' '
        }
    }

    /// The kind of each recv, written under its block where it fits.
    fn kinds(&self, recvs: &[Block], band: std::ops::Range<usize>) -> String {
        let mut line = format!("  {:LABEL$}", "");
        let (lo, hi) = (self.cuts[band.start], self.cuts[band.end]);
        let mut col = 0usize;
        for k in recvs.iter().filter(|k| k.start < hi && k.end > lo) {
            let start_col = self.col_of(k.start.max(lo), band.clone());
            let end_col = self.col_of(k.end.min(hi), band.clone());
            let room = end_col.saturating_sub(start_col);
            let Some(kind) = k.kind else { continue };
            let label = [kind_label(kind), kind.to_string(), short(kind).to_string()]
                .into_iter()
                .find(|l| text_width(l) <= room.max(1));
            let Some(label) = label else { continue };
            if start_col + 1 < col {
                continue;
            }
            line += &" ".repeat(start_col + 1 - col.min(start_col + 1));
            line += &self.paint(Some(kind), &label);
            col = start_col + 1 + text_width(&label);
        }
        let line = line.trim_end().to_string();
        if line.trim().is_empty() {
            String::new()
        } else {
            line + "\n"
        }
    }

    /// Column (after the label) of a cut offset within a band.
    fn col_of(&self, at: u64, band: std::ops::Range<usize>) -> usize {
        let mut col = 0;
        for i in band {
            if self.cuts[i] >= at {
                break;
            }
            col += text_width(&self.atoms[i]) + 1;
        }
        col
    }

    fn paint(&self, kind: Option<RecvKind>, text: &str) -> String {
        match (self.color, kind) {
            (true, Some(k)) => format!("\x1b[{}m{text}\x1b[0m", ansi(k)),
            _ => text.to_string(),
        }
    }
}

/// The kind in words, with the tutorial's term.
pub fn kind_label(kind: RecvKind) -> String {
    match kind {
        RecvKind::Whole => "whole".into(),
        RecvKind::Sticky => "sticky 粘包".into(),
        RecvKind::Fragment => "fragment 分包".into(),
    }
}

fn short(kind: RecvKind) -> &'static str {
    match kind {
        RecvKind::Whole => "W",
        RecvKind::Sticky => "S",
        RecvKind::Fragment => "F",
    }
}

/// ANSI colour of a recv kind: whole green, sticky yellow, fragment cyan.
pub fn ansi(kind: RecvKind) -> &'static str {
    match kind {
        RecvKind::Whole => "32",
        RecvKind::Sticky => "33;1",
        RecvKind::Fragment => "36",
    }
}
