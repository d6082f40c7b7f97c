//! The data behind `boundaries.png`: for one flow of one trial, rows of
//! coloured blocks on a shared byte-offset axis (messages, send calls,
//! segments, recv calls, decoded messages), cut to the first N messages.

use super::common::{fate_color, kind_color, SENT};
use crate::report::load::{Flow, MessageRow, RecvKind, RecvRow, Results, SendRow};
use plotters::style::RGBColor;

/// The fill of a captured segment.
pub const SEGMENT: RGBColor = RGBColor(190, 190, 200);

/// One coloured range of bytes.
pub struct Block {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
    pub fill: RGBColor,
    /// Main text (the payload preview).
    pub label: String,
    /// Second line (the length).
    pub sub: String,
}

/// One stacked row of the ruler.
pub struct Row {
    pub name: String,
    pub blocks: Vec<Block>,
}

/// One flow's panel: its rows and the byte window shown.
pub struct Panel {
    pub flow: Flow,
    /// The scenario drawn, and its parameters when it is not scenario 0.
    pub scenario: (u32, Option<String>),
    pub rows: Vec<Row>,
    /// Message boundaries inside the window.
    pub guides: Vec<u64>,
    pub window: (u64, u64),
    pub shown: usize,
    pub total: usize,
    /// Whether the flow's message boundaries are known; without them the
    /// panel shows reads and bytes, and guides mark recv boundaries.
    pub known: bool,
}

fn block(start: u64, len: u64, fill: RGBColor, label: &str) -> Block {
    Block {
        start,
        end: start + len,
        fill,
        label: label.to_string(),
        sub: format!("{len} B"),
    }
}

/// One flow's rows of one trial: messages (sorted), send and recv calls.
struct Picked<'a> {
    msgs: Vec<&'a MessageRow>,
    sends: Vec<&'a SendRow>,
    recvs: Vec<&'a RecvRow>,
}

/// Builds the panel of `flow` in scenario `s`, trial `t`; `None` if empty.
pub fn panel(res: &Results, flow: Flow, (s, t): (u32, u32), limit: usize) -> Option<Panel> {
    let Picked { msgs, sends, recvs } = pick(res, flow, (s, t))?;
    let limit = limit.max(1);
    let shown = &msgs[..msgs.len().min(limit)];
    let known = !recvs.iter().any(|r| r.kind == RecvKind::Unknown);
    // Without messages, the window holds the first reads (twice as many as
    // messages would be shown: reads are the only boundaries there are).
    let first_reads = &recvs[..recvs.len().min(2 * limit)];
    let window = window_of(shown, first_reads);
    let mut rows = Vec::new();
    if known {
        rows.push(messages_row(shown));
    }
    rows.extend(send_calls_row(&sends, &msgs));
    rows.extend(segments_row(res, flow, (s, t)));
    rows.push(recv_calls_row(&recvs));
    if super::common::framing_of(res, s) != "none" {
        rows.push(decoded_row(shown));
    }
    clip(&mut rows, window);
    let guides = guides_of(shown, first_reads, known);
    let label = scenario_label(res, s);
    Some(Panel {
        flow,
        scenario: (s, (s > 0).then_some(label)),
        rows,
        guides,
        window,
        shown: shown.len(),
        // A chart load may have kept a sample of a long flow's messages.
        total: res
            .thinned("messages", (s, t), flow)
            .map_or(msgs.len(), |x| x.total as usize),
        known,
    })
}

/// Picks the rows of `flow` in scenario `s`, trial `t`; `None` if there are none.
fn pick(res: &Results, flow: Flow, (s, t): (u32, u32)) -> Option<Picked<'_>> {
    let pick = |sc: u32, tr: u32, fl: Flow| sc == s && tr == t && fl == flow;
    let mut msgs: Vec<_> = res
        .messages
        .iter()
        .filter(|m| pick(m.scenario, m.trial, m.flow))
        .collect();
    msgs.sort_by_key(|m| (m.msg_id, m.offset));
    let sends: Vec<_> = res
        .sends
        .iter()
        .filter(|r| pick(r.scenario, r.trial, r.flow))
        .collect();
    let recvs: Vec<_> = res
        .recvs
        .iter()
        .filter(|r| pick(r.scenario, r.trial, r.flow))
        .collect();
    if msgs.is_empty() && sends.is_empty() && recvs.is_empty() {
        return None;
    }
    Some(Picked { msgs, sends, recvs })
}

/// The byte window shown: the messages shown, or the first reads without messages.
fn window_of(shown: &[&MessageRow], first_reads: &[&RecvRow]) -> (u64, u64) {
    let stream_end = |it: &mut dyn Iterator<Item = u64>| it.max().unwrap_or(0);
    let end = match shown.is_empty() {
        false => stream_end(&mut shown.iter().map(|m| m.offset + m.len)),
        true => stream_end(&mut first_reads.iter().map(|r| r.offset + r.len)),
    };
    let start = shown.iter().map(|m| m.offset).min().unwrap_or(0);
    (start, end.max(start + 1))
}

/// The "messages sent" row: one block per message shown.
fn messages_row(shown: &[&MessageRow]) -> Row {
    Row {
        name: "messages sent".into(),
        blocks: shown
            .iter()
            .map(|m| block(m.offset, m.len, SENT, &m.label))
            .collect(),
    }
}

/// The "send() calls" row, only when the calls differ from the messages.
fn send_calls_row(sends: &[&SendRow], msgs: &[&MessageRow]) -> Option<Row> {
    let calls_differ = sends.len() != msgs.len()
        || sends.iter().any(|s| s.ret != s.len as i64)
        || sends.iter().zip(msgs).any(|(s, m)| s.offset != m.offset);
    if !calls_differ || sends.is_empty() {
        return None;
    }
    if sends.len() > MAX_CALL_BLOCKS && !msgs.is_empty() {
        return Some(Row {
            name: "send() calls".into(),
            blocks: calls_per_message(sends, msgs),
        });
    }
    let blocks = sends.iter().filter(|s| s.ret > 0).map(|s| {
        let mut b = block(s.offset, s.ret as u64, SENT, "");
        b.sub = format!("{} of {} B", s.ret, s.len);
        b
    });
    Some(Row {
        name: "send() calls".into(),
        blocks: blocks.collect(),
    })
}

/// More send() calls than this are drawn one block per message, saying how
/// many calls it took (thousands of one-byte writes are a black band).
const MAX_CALL_BLOCKS: usize = 200;

/// One block per message: the send() calls that carried its bytes, counted.
fn calls_per_message(sends: &[&SendRow], msgs: &[&MessageRow]) -> Vec<Block> {
    let mut ends: Vec<(u64, u64)> = sends
        .iter()
        .filter(|s| s.ret > 0)
        .map(|s| (s.offset, s.offset + s.ret as u64))
        .collect();
    ends.sort_unstable();
    msgs.iter()
        .map(|m| {
            let (a, b) = (m.offset, m.offset + m.len);
            let lo = ends.partition_point(|&(_, e)| e <= a);
            let calls: Vec<&(u64, u64)> = ends[lo..].iter().take_while(|&&(s, _)| s < b).collect();
            let largest = calls.iter().map(|(s, e)| e - s).max().unwrap_or(0);
            let mut blk = block(a, m.len, SENT, "");
            blk.sub = format!("{} calls of at most {largest} B", calls.len());
            blk
        })
        .collect()
}

/// The "TCP segments" (or "datagrams") row, when segments were captured.
fn segments_row(res: &Results, flow: Flow, (s, t): (u32, u32)) -> Option<Row> {
    let segs: Vec<_> = res
        .segments
        .as_ref()?
        .iter()
        .filter(|g| g.scenario == s && g.trial == t && g.flow == flow && g.len > 0)
        // A retransmission's bytes were drawn with the segment that first
        // carried them.
        .filter(|g| !g.flags.contains("RETX"))
        .collect();
    if segs.is_empty() {
        return None;
    }
    let blocks = segs.iter().map(|g| block(g.offset, g.len, SEGMENT, ""));
    let name = if super::common::kind_of(res, s) == "udp" {
        "datagrams"
    } else {
        "TCP segments"
    };
    Some(Row {
        name: name.into(),
        blocks: blocks.collect(),
    })
}

/// The "recv() calls" row, coloured by what each read held.
fn recv_calls_row(recvs: &[&RecvRow]) -> Row {
    let recv_blocks = recvs.iter().map(|r| {
        let mut b = block(r.offset, r.len, kind_color(r.kind), &r.label);
        if r.truncated {
            b.sub = format!("{} B, rest discarded", r.len);
        }
        b
    });
    Row {
        name: "recv() calls".into(),
        blocks: recv_blocks.collect(),
    }
}

/// The "decoded frames" row, coloured by each message's fate.
fn decoded_row(shown: &[&MessageRow]) -> Row {
    let blocks = shown.iter().map(|m| {
        let mut b = block(m.offset, m.len, fate_color(m.fate), &m.label);
        b.sub = format!("{} · {} B", super::common::fate_name(m.fate), m.len);
        b
    });
    // The framing itself is in the subtitle; "decoded (json-header)" would not fit.
    Row {
        name: "decoded frames".into(),
        blocks: blocks.collect(),
    }
}

/// Sorted, deduplicated guide lines: message boundaries, or read boundaries when unknown.
fn guides_of(shown: &[&MessageRow], first_reads: &[&RecvRow], known: bool) -> Vec<u64> {
    let mut guides: Vec<u64> = match known {
        true => shown
            .iter()
            .flat_map(|m| [m.offset, m.offset + m.len])
            .collect(),
        false => first_reads
            .iter()
            .flat_map(|r| [r.offset, r.offset + r.len])
            .collect(),
    };
    guides.sort_unstable();
    guides.dedup();
    guides
}

/// The scenario's parameters as `key=value` words.
fn scenario_label(res: &Results, s: u32) -> String {
    super::common::scenario_params(res, s)
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Drops blocks outside the window and cuts those that cross its edges.
fn clip(rows: &mut [Row], (start, end): (u64, u64)) {
    for row in rows {
        row.blocks.retain(|b| b.end > start && b.start < end);
        for b in &mut row.blocks {
            if b.end > end {
                b.end = end;
                b.sub.push_str(" →");
            }
            b.start = b.start.max(start);
        }
    }
}

/// A piecewise-linear byte → pixel map in which every message gets at least
/// a minimum width, so a 5-byte reply next to a 1500-byte one stays visible.
pub struct Scale {
    knots: Vec<(u64, f64)>,
    /// Whether some message was widened beyond its share.
    pub uneven: bool,
}

impl Scale {
    /// Maps `guides` (sorted byte boundaries, window included) onto `[x0, x1]`.
    pub fn new(guides: &[u64], window: (u64, u64), (x0, x1): (f64, f64)) -> Scale {
        let mut cuts: Vec<u64> = guides
            .iter()
            .copied()
            .filter(|g| *g > window.0 && *g < window.1)
            .collect();
        cuts.insert(0, window.0);
        cuts.push(window.1);
        let spans: Vec<f64> = cuts.windows(2).map(|w| (w[1] - w[0]) as f64).collect();
        let total: f64 = spans.iter().sum();
        let width = x1 - x0;
        let min_px = (width / spans.len() as f64 * 0.5).min(56.0);
        let even = |s: f64| s / total * width;
        let uneven = spans.iter().any(|s| even(*s) < min_px);
        let spare = width - min_px * spans.len() as f64;
        let mut knots = vec![(cuts[0], x0)];
        let mut x = x0;
        for (span, cut) in spans.iter().zip(&cuts[1..]) {
            x += match uneven {
                true => min_px + spare * span / total,
                false => even(*span),
            };
            knots.push((*cut, x));
        }
        Scale { knots, uneven }
    }

    /// Pixel x of byte offset `b` (clamped to the window).
    pub fn px(&self, b: u64) -> i32 {
        let i = self
            .knots
            .partition_point(|k| k.0 <= b)
            .clamp(1, self.knots.len() - 1);
        let ((b0, x0), (b1, x1)) = (self.knots[i - 1], self.knots[i]);
        let t = (b.clamp(b0, b1) - b0) as f64 / (b1 - b0).max(1) as f64;
        (x0 + t * (x1 - x0)).round() as i32
    }

    /// The byte offsets where the map changes slope.
    pub fn knots(&self) -> impl Iterator<Item = u64> + '_ {
        self.knots.iter().map(|k| k.0)
    }
}
