//! The terminal ruler: sent messages and recv calls drawn one above the
//! other on the byte axis, boundaries aligned.
//!
//! ```text
//!            0     5    9
//!   sent    |hello|feng|
//!   recv    |hello·feng|
//!            sticky 粘包
//! ```
//! The stream is cut into atoms at every boundary of every row; each atom is
//! shown once (escaped, long ones elided) and every row uses the same
//! columns. `|` is a boundary of that row, `·` one of another row.
//!
//! When the trial was captured, a `wire` row between them shows the TCP
//! segments that carried the bytes: one segment holding both messages is a
//! merge on the wire (Nagle, autocorking), two segments read in one recv a
//! merge in the receive buffer.
//!
//! With framing the messages are frames, the recv row still shows the raw
//! reads (as sticky or fragmented as ever), and a third row shows what the
//! decoder made of each frame, from the message fates:
//!
//! ```text
//!   sent    |first\n|two\nlines\n|third\n|
//!   recv    |first\n·two\nlines\n·third\n|
//!            sticky 粘包
//!   decoded |intact |#1 corrupt ✗|intact |
//! ```

use super::ruler_bytes::atoms;
pub use super::ruler_layout::text_width;
use super::ruler_layout::{Block, Class, Layout};
use super::ruler_words::{kind_label, short};
use crate::analysis::{Delivery, FlowAnalysis, MessageRow};
use crate::units::plural;

pub use super::ruler_layout::RulerOptions;

/// Draws the ruler of one flow.
pub fn ruler(fa: &FlowAnalysis, opts: &RulerOptions) -> String {
    if !fa.boundaries.known() {
        return super::ruler_bytes::unknown_boundaries(fa, opts);
    }
    let shown = fa.messages.len().min(opts.max_messages.max(1));
    let Some(end) = shown_end(fa, opts.max_messages.max(1)) else {
        return "  (no messages)\n".into();
    };
    let block = |m: &MessageRow, class| Block {
        start: m.span.offset,
        end: (m.span.offset + m.span.len).min(end),
        class,
        open: m.span.offset + m.span.len > end,
    };
    let messages: Vec<MessageRow> = fa
        .messages
        .iter()
        .take(shown)
        .filter(|m| m.span.offset < end)
        .collect();
    let sent: Vec<Block> = messages.iter().map(|m| block(m, Class::Sent)).collect();
    // With framing, the fate of each frame is what the decoder made of it.
    let decoded: Vec<Block> = match fa.delivery {
        Delivery::Framed => messages
            .iter()
            .map(|m| {
                let (id, fate) = (m.span.id, m.fate);
                block(m, Class::Decoded { id, fate })
            })
            .collect(),
        _ => Vec::new(),
    };
    let shown = sent.len();
    let recvs: Vec<Block> = fa
        .recvs
        .iter()
        .filter(|r| r.event.offset < end)
        .map(|r| {
            let r_end = r.event.offset + u64::from(r.event.len);
            Block {
                start: r.event.offset,
                end: r_end.min(end),
                class: Class::Recv(r.kind),
                open: r_end > end,
            }
        })
        .collect();
    let wire = wire_blocks(fa, end);
    let mut cuts: Vec<u64> = sent
        .iter()
        .chain(&wire)
        .chain(&recvs)
        .flat_map(|b| [b.start, b.end])
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    if cuts.len() < 2 {
        // Only empty messages (or none shown): no byte to draw a block over.
        let total = fa.messages.len();
        return format!(
            "  (no bytes to draw: {} empty, {})\n",
            plural(total as u64, "message"),
            plural(fa.recvs.len() as u64, "recv")
        );
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
        out += &layout.row(sent_label(fa), &sent, band.clone());
        if !wire.is_empty() {
            out += &layout.row("wire", &wire, band.clone());
        }
        out += &layout.row("recv", &recvs, band.clone());
        out += &layout.kinds(&recvs, band.clone());
        if !decoded.is_empty() {
            out += &layout.labelled("decoded", &decoded, band);
        }
    }
    let mut letters = layout.abbreviated.take();
    if !letters.is_empty() {
        letters.sort_by_key(|k| *k as u8);
        letters.dedup();
        let key: Vec<String> = letters
            .iter()
            .map(|k| format!("{} = {}", short(*k), kind_label(*k)))
            .collect();
        out += &format!("  (a read too narrow for the word: {})\n", key.join(", "));
    }
    let total_msgs = fa.messages.len();
    let total_bytes = fa.messages.last().map_or(0, |m| m.span.offset + m.span.len);
    if end < total_bytes {
        out += &format!("  … showing bytes 0–{end} of {total_bytes}: {shown} of {total_msgs} messages, {} of {} recvs\n", recvs.len(), fa.recvs.len());
    }
    out
}

/// The captured segments that carried the flow's bytes up to `end`, each
/// once (a retransmission's bytes were already drawn): the `wire` row.
fn wire_blocks(fa: &FlowAnalysis, end: u64) -> Vec<Block> {
    use crate::trace::wire::flag::RETX;
    fa.wire
        .iter()
        .filter(|s| s.len > 0 && s.flags & RETX == 0 && s.offset < end)
        .map(|s| {
            let s_end = s.offset + u64::from(s.len);
            Block {
                start: s.offset,
                end: s_end.min(end),
                class: Class::Sent,
                open: s_end > end,
            }
        })
        .collect()
}

/// Where the drawing stops: after `cap` messages, or after `cap` reads when
/// there are more. The first message is kept whole when it takes at most
/// `2 × cap` reads (a short message read in small pieces); a longer one
/// (a file in one frame, read 1 KiB at a time) stops after `cap` of them.
fn shown_end(fa: &FlowAnalysis, cap: usize) -> Option<u64> {
    let shown = fa.messages.len().min(cap);
    let last = fa.messages.get(shown.checked_sub(1)?)?.span;
    let end = last.offset + last.len;
    let Some(r) = fa.recvs.get(cap) else {
        return Some(end);
    };
    let first = fa.messages.get(0)?.span;
    let first_end = first.offset + first.len;
    let long = fa
        .recvs
        .get(2 * cap)
        .is_some_and(|r| r.event.offset < first_end);
    let stop = if long {
        r.event.offset
    } else {
        r.event.offset.max(first_end)
    };
    Some(end.min(stop))
}

/// The first row's name: where the message boundaries come from (the
/// messages sent, the ones given with --messages, or decoded frames).
fn sent_label(fa: &FlowAnalysis) -> &'static str {
    match fa.boundaries {
        crate::analysis::Boundaries::Declared => "given",
        crate::analysis::Boundaries::Decoded => "frames",
        _ => "sent",
    }
}
