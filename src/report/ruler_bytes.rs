//! The ruler of a flow with no message boundaries: one row of calls (the
//! reads, or nianbao's own writes when the reads are someone else's) and
//! their bytes, and a line saying what cannot be told.

use super::ruler_layout::{elide, Block, Class, Layout, RulerOptions};
use crate::analysis::FlowAnalysis;
use crate::units::escape_bytes;

/// Draws a flow whose message boundaries are unknown.
pub(super) fn unknown_boundaries(fa: &FlowAnalysis, opts: &RulerOptions) -> String {
    let cap = opts.max_messages.max(1) * 2;
    if fa.recvs.is_empty() && !fa.sends.is_empty() {
        let sends: Vec<Block> = fa.sends[..cap.min(fa.sends.len())]
            .iter()
            .filter(|s| s.ret > 0)
            .map(|s| block(s.offset, u64::from(s.ret), Class::Sent))
            .collect();
        return match one_row(fa, "send()", &sends, opts) {
            Some(row) => {
                row + "  (the reads at the other end are someone else's and not seen from here)\n"
            }
            None => "  (no byte was sent)\n".into(),
        };
    }
    let recvs: Vec<Block> = fa
        .recvs
        .iter()
        .take(cap)
        .map(|r| block(r.event.offset, u64::from(r.event.len), Class::Recv(r.kind)))
        .collect();
    let Some(mut out) = one_row(fa, "recv", &recvs, opts) else {
        return "  (no recv returned data; message boundaries unknown)\n".into();
    };
    out += "  (message boundaries unknown: each read's bytes are shown, but no message can be told from another)\n";
    let end = recvs.last().map_or(0, |b| b.end);
    let total = fa
        .recvs
        .last()
        .map_or(0, |r| r.event.offset + u64::from(r.event.len));
    if end < total {
        out += &format!(
            "  … showing bytes 0–{end} of {total}: {} of {} recvs\n",
            recvs.len(),
            fa.recvs.len()
        );
    }
    out
}

fn block(start: u64, len: u64, class: Class) -> Block {
    Block {
        start,
        end: start + len,
        class,
        open: false,
    }
}

/// The offsets and one row of `blocks`, in bands; `None` with no byte to draw.
fn one_row(
    fa: &FlowAnalysis,
    label: &str,
    blocks: &[Block],
    opts: &RulerOptions,
) -> Option<String> {
    let mut cuts: Vec<u64> = blocks.iter().flat_map(|b| [b.start, b.end]).collect();
    cuts.sort_unstable();
    cuts.dedup();
    if cuts.len() < 2 {
        return None;
    }
    let atoms = atoms(fa, &cuts);
    let layout = Layout {
        cuts: &cuts,
        atoms: &atoms,
        color: opts.color,
        abbreviated: Default::default(),
    };
    let mut out = String::new();
    for band in layout.bands(opts.width) {
        out += &layout.offsets(band.clone());
        out += &layout.row(label, blocks, band);
    }
    Some(out)
}

/// The text of each atom between two cuts: the bytes, escaped and elided,
/// or their length where the bytes are not known.
pub(super) fn atoms(fa: &FlowAnalysis, cuts: &[u64]) -> Vec<String> {
    let mut buf = Vec::new();
    cuts.windows(2)
        .map(|w| {
            fa.content.copy(w[0], w[1] - w[0], &mut buf);
            match buf.is_empty() {
                true => format!("{}B", w[1] - w[0]),
                false => elide(escape_bytes(&buf)),
            }
        })
        .collect()
}
