//! A proxy's second view of each message: how its bytes left, write by
//! write. The recv kinds and fates say how a message arrived at the proxy
//! (the way in); these sentences say how the proxy's writes cut it on the
//! way out to the next reader.

use crate::analysis::{Boundaries, FlowAnalysis};
use crate::units::plural;

/// Writes per message and messages per write, from the flow's send calls.
struct Cuts {
    /// Messages whose bytes left in more than one write, and the most writes one took.
    split: (u64, u64),
    /// Writes that carried bytes of two or more messages, and the most messages one carried.
    merged: (u64, u64),
    /// The largest write, bytes.
    largest: u64,
}

fn cuts(fa: &FlowAnalysis) -> Cuts {
    let mut writes: Vec<(u64, u64)> = fa
        .sends
        .iter()
        .filter(|s| s.ret > 0)
        .map(|s| (s.offset, s.offset + u64::from(s.ret)))
        .collect();
    writes.sort_unstable();
    let spans: Vec<(u64, u64)> = fa
        .messages
        .iter()
        .map(|m| (m.span.offset, m.span.offset + m.span.len))
        .collect();
    let overlapping = |list: &[(u64, u64)], (a, b): (u64, u64)| {
        let lo = list.partition_point(|&(_, end)| end <= a);
        list[lo..]
            .iter()
            .take_while(|&&(start, _)| start < b)
            .count() as u64
    };
    let mut c = Cuts {
        split: (0, 0),
        merged: (0, 0),
        largest: writes.iter().map(|(a, b)| b - a).max().unwrap_or(0),
    };
    for &m in &spans {
        let n = overlapping(&writes, m);
        if n > 1 {
            c.split = (c.split.0 + 1, c.split.1.max(n));
        }
    }
    for &w in &writes {
        let n = overlapping(&spans, w);
        if n > 1 {
            c.merged = (c.merged.0 + 1, c.merged.1.max(n));
        }
    }
    c
}

/// The way-out sentences for a flow nianbao forwarded (decoded or declared
/// messages and send calls of its own); none for anything else.
pub fn lines(fa: &FlowAnalysis) -> Vec<String> {
    let relayed = matches!(fa.boundaries, Boundaries::Decoded | Boundaries::Declared);
    if !relayed || fa.sends.is_empty() || fa.messages.is_empty() {
        return Vec::new();
    }
    let c = cuts(fa);
    let n = fa.messages.len() as u64;
    let mut out = Vec::new();
    if c.split.0 > 0 {
        out.push(format!(
            "On the way out: nianbao's writes cut {} of {} into as many as {} pieces (its largest write {}); the next reader may get them in pieces (分包) and must reassemble them.",
            c.split.0,
            plural(n, "message"),
            c.split.1,
            plural(c.largest, "byte")
        ));
    }
    if c.merged.0 > 0 {
        out.push(format!(
            "On the way out: {} of nianbao's carried bytes of up to {} messages at once; a reader that takes each recv() as one message may then see fewer, longer messages (粘包).",
            plural(c.merged.0, "write"),
            c.merged.1
        ));
    }
    if out.is_empty() {
        out.push(format!(
            "On the way out: each of the {} left in its own write.",
            plural(n, "message")
        ));
    }
    out
}
