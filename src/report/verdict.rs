//! The verdict: what happened to the messages and why, in a few sentences
//! computed from the analysed trace (not canned per experiment).

use crate::analysis::{figures, Cause, Delivery, FlowAnalysis, Mechanism, RecvKind, RecvRow};
use crate::experiment::Experiment;
use crate::framing::Framing;
use crate::trace::Flow;
use crate::units::{format_duration, plural, preview};
use std::fmt::Write;
use std::time::Duration;

/// A time in ns as a short duration (`50.1ms`).
pub fn fmt_ns(ns: u64) -> String {
    let d = Duration::from_nanos(ns);
    match ns {
        n if n >= 1_000_000 => format!("{:.1}ms", d.as_secs_f64() * 1e3),
        n if n >= 1_000 => format!("{:.0}us", d.as_secs_f64() * 1e6),
        n => format!("{n}ns"),
    }
}

/// The verdict lines for one flow (`unix`: of a UNIX stream connection).
pub fn verdict(exp: &Experiment, fa: &FlowAnalysis, commands: u64, unix: bool) -> Vec<String> {
    if !fa.boundaries.known() {
        let mut lines = vec![unknown_line(fa)];
        lines.extend(
            fa.decode_error
                .as_ref()
                .map(|e| format!("The decoder found no whole frame: {e}.")),
        );
        return lines;
    }
    let mut lines = match fa.delivery {
        Delivery::Datagram => datagram_lines(fa),
        _ => stream_lines(exp, fa, unix),
    };
    if fa.delivery == Delivery::Framed {
        lines.extend(framed_lines(exp, fa));
    }
    if fa.flow == Flow::S2c {
        lines.extend(bleed_line(exp, fa, commands));
    }
    lines.extend(short_write_line(fa));
    if fa.boundaries == crate::analysis::Boundaries::Declared {
        lines.extend(fa.decode_error.as_ref().map(|e| {
            format!("Declared messages: {e}, so the message boundaries above are the declared lengths, not what the peer sent.")
        }));
    }
    lines.extend(super::way_out::lines(fa));
    lines
}

/// For a request/response trial: how long requests waited for their
/// replies, and what the wire shows held them (the write that waited
/// longest, and the ACK that came just before it left).
pub fn request_lines(exp: &Experiment, t: &crate::analysis::TrialResult) -> Vec<String> {
    let Some(c2s) = t.flows.iter().find(|f| f.flow == Flow::C2s) else {
        return Vec::new();
    };
    let Some(l) = c2s.summary.latency else {
        return Vec::new();
    };
    let ns = |v: f64| fmt_ns(v as u64);
    let answered = t.requests.len() as u64;
    let mut line = format!(
        "Requests: the median request waited {} for its reply (of {} answered; mean {}, p99 {}).",
        ns(l.median_ns),
        match answered {
            0 => plural(c2s.summary.messages, "request"),
            n => plural(n, "request"),
        },
        ns(l.mean_ns),
        ns(l.p99_ns)
    );
    let s2c = t.flows.iter().find(|f| f.flow == Flow::S2c);
    match crate::analysis::longest_hold(c2s, s2c) {
        None => line += " (The wire was not captured: as root it shows which write waited.)",
        Some(h) if h.held_ns() < 1_000_000 => {
            let _ = write!(
                line,
                " The wire shows no write held back: the longest any write's bytes waited to leave was {}.",
                fmt_ns(h.held_ns())
            );
        }
        Some(h) => {
            let _ = write!(
                line,
                " The wire shows why: a {}-byte write of request {} returned at {} but its bytes left at {}, {} later",
                h.bytes,
                h.msg,
                fmt_ns(h.written_ns),
                fmt_ns(h.left_ns),
                fmt_ns(h.held_ns())
            );
            let s = &exp.sender;
            let released = h.ack_ns.filter(|a| h.left_ns - a < 1_000_000);
            // A delayed ACK: it came 30 ms or more after the held write,
            // and the receiver did not ask for quick ACKs.
            let delayed =
                |a: u64| a.saturating_sub(h.written_ns) >= 30_000_000 && !exp.receiver.quickack;
            line += &match released {
                Some(a) if !s.nodelay && !s.cork && !s.more && delayed(a) => format!(
                    ", right after the receiver's ACK at {}. With Nagle on (TCP_NODELAY off) the kernel holds a small write while earlier bytes are unacknowledged, and the receiver delayed that ACK (Linux's delayed-ACK timer: 40 ms at the least) hoping to send it with a reply, which it could not send before the rest of the request arrived.",
                    fmt_ns(a)
                ),
                Some(a) => format!(", right after the receiver's ACK at {}.", fmt_ns(a)),
                None => ".".to_string(),
            };
        }
    }
    vec![line]
}

/// A short preview of the bytes recv `r` returned.
fn text_of(fa: &FlowAnalysis, r: &RecvRow) -> String {
    let mut buf = Vec::new();
    fa.content
        .copy(r.event.offset, u64::from(r.event.len.min(64)), &mut buf);
    preview(&buf, 24)
}

/// The verdict of a byte stream: sticky and fragment reads, whole reads, UTF-8 cuts, losses.
fn stream_lines(exp: &Experiment, fa: &FlowAnalysis, unix: bool) -> Vec<String> {
    let mut lines = Vec::new();
    lines.extend(sticky_line(exp, fa, unix));
    lines.extend(fragment_line(fa));
    lines.extend(all_whole_line(exp, fa));
    let figs = figures(fa);
    let cuts = figs.get("utf8_cuts").copied().unwrap_or(0.0);
    if cuts > 0.0 {
        lines.push(format!("{} ended inside a UTF-8 character: decoding such a read on its own gives broken text (shown as \\xNN above).", plural(cuts as u64, "recv")));
    }
    let s = &fa.summary;
    if s.lost > 0 && fa.delivery != Delivery::Framed {
        lines.push(format!(
            "{} never fully arrived before the connection closed.",
            plural(s.lost, "message")
        ));
    }
    lines
}

/// The first sticky recv, explained: which messages it held and why they sat together.
fn sticky_line(exp: &Experiment, fa: &FlowAnalysis, unix: bool) -> Option<String> {
    let (i, r) = fa
        .recvs
        .iter()
        .enumerate()
        .find(|(_, r)| r.kind == RecvKind::Sticky)?;
    let (a, b) = (r.first_msg.unwrap_or(0), r.last_msg.unwrap_or(0));
    let sent = fa
        .messages
        .iter()
        .filter(|m| m.span.id <= b)
        .filter_map(|m| m.sent_ns)
        .max();
    let why = match sent {
        Some(t) if t < r.event.t_ns && fa.flow == Flow::C2s && !exp.receiver.start_delay.is_zero() => format!(
            "messages {a}–{b} were all sent by {} and the receiver, starting {}, read at {}, so they sat together in the receive buffer",
            fmt_ns(t), super::knobs::start_words(exp), fmt_ns(r.event.t_ns)),
        Some(t) if t < r.event.t_ns => format!("messages {a}–{b} were all sent by {} and the read came at {}, so they were in the receive buffer together", fmt_ns(t), fmt_ns(r.event.t_ns)),
        _ => "more bytes had arrived than one message holds".to_string(),
    };
    let start = r.event.offset;
    let why = match wire_clause(
        fa,
        start,
        start + u64::from(r.event.len),
        crate::analysis::Causer::new(fa).recv(i),
    ) {
        Some(wire) => format!("{why}; {wire}"),
        None => why,
    };
    Some(format!(
        "粘包 (sticky): recv #{i} returned {} bytes `{}` from {} messages in one recv({}): {why}; {} is a byte stream and keeps no message boundaries.",
        r.event.len, text_of(fa, &r), b - a + 1, r.event.asked, if unix { "a UNIX stream socket" } else { "TCP" }))
}

/// What the captured wire says of the bytes `[start, end)` that one read
/// returned: whether the messages in it crossed the wire in one segment
/// (merged before the wire) or in several (merged in the receive buffer).
/// `None` when the trial was not captured.
fn wire_clause(fa: &FlowAnalysis, start: u64, end: u64, cause: Cause) -> Option<String> {
    use crate::trace::wire::flag::RETX;
    // Only what the cause measured: the segments covered the read.
    if fa.wire.is_empty() || !matches!(cause, Cause::Coalesced(_) | Cause::LateReader) {
        return None;
    }
    let segs: Vec<(u64, u64)> = fa
        .wire
        .iter()
        .filter(|s| s.len > 0 && s.flags & RETX == 0)
        .map(|s| (s.offset, s.offset + u64::from(s.len)))
        .filter(|&(a, b)| a < end && b > start)
        .collect();
    let msgs: Vec<(u64, u64)> = fa
        .messages
        .iter()
        .map(|m| (m.span.offset, m.span.offset + m.span.len))
        .filter(|&(a, b)| a < end && b > start)
        .collect();
    if segs.is_empty() {
        return Some("the capture saw no segment carry these bytes".into());
    }
    // A segment that holds bytes of two messages merged them before the wire.
    let carrying = |&(a, b): &(u64, u64)| msgs.iter().filter(|&&(m, n)| m < b && n > a).count();
    let merging = segs.iter().filter(|s| carrying(s) > 1).count();
    let n = segs.len();
    Some(match (merging, n) {
        (0, _) => format!(
            "the wire shows {n} segments, none holding bytes of two messages, so they were merged in the receive buffer, not on the wire"
        ),
        (_, 1) => format!(
            "the wire shows one segment carrying all {} messages, so they were merged before the wire: the sender's kernel held the first write back ({}) and sent them together",
            msgs.len(),
            holder(cause)
        ),
        (m, _) => format!(
            "the wire shows {n} segments, {m} of them holding bytes of two or more messages, so they were merged partly before the wire and partly in the receive buffer"
        ),
    })
}

/// What let the sending kernel hold a write back, from the merge's cause.
fn holder(cause: Cause) -> &'static str {
    match cause {
        Cause::Coalesced(Mechanism::Nagle) => {
            "Nagle, as TCP_NODELAY was off; Linux autocorking can also hold writes"
        }
        Cause::Coalesced(Mechanism::Autocork) => {
            "autocorking: TCP_NODELAY was on, so Nagle could not"
        }
        Cause::Coalesced(Mechanism::Cork) => "TCP_CORK",
        Cause::Coalesced(Mechanism::MsgMore) => "MSG_MORE",
        _ => "Nagle, autocorking, TCP_CORK or MSG_MORE",
    }
}

/// The first fragment recv, explained: how much of which message, and why it stopped there.
fn fragment_line(fa: &FlowAnalysis) -> Option<String> {
    let (i, r) = fa
        .recvs
        .iter()
        .enumerate()
        .find(|(_, r)| r.kind == RecvKind::Fragment)?;
    let m = r.first_msg.unwrap_or(0);
    let mlen = message_len(fa, m);
    let asked = plural(u64::from(r.event.asked), "byte");
    let why = match crate::analysis::Causer::new(fa).recv(i) {
        Cause::SmallRead => format!(
            "it asked for {asked} while {} more were already queued (SIOCINQ), and recv returns at most what you ask for",
            r.event.queued.get().unwrap_or(0)
        ),
        Cause::WriteSplit => {
            let (before, all) = writes_before(fa, r.event.offset + u64::from(r.event.len), m);
            let first = match before {
                1 => "the first call's bytes".to_string(),
                k => format!("the first {k} calls' bytes"),
            };
            format!(
                "the sender wrote message {m} in {all} send() calls, and the read came when only {first} had arrived; recv returns what is there"
            )
        }
        Cause::ShortWrite => "a send() took only part of the message (a short write, completed by the next call), and the read came before the rest arrived".to_string(),
        Cause::SegmentSplit => format!(
            "the message crossed TCP segments (the wire shows one ending at byte {}, where no write ended) and only the first had arrived when it read: split where a segment ended, not by the recv size",
            r.event.offset + u64::from(r.event.len)
        ),
        _ if r.event.len == r.event.asked => format!(
            "it asked for {asked} and recv returns at most what you ask for"
        ),
        _ => "only that much had arrived when it read; recv returns what is there".to_string(),
    };
    Some(format!(
        "分包 (fragment): recv #{i} returned `{}`, {} of message {m}'s {mlen} bytes: {why}.",
        text_of(fa, &r),
        r.event.len
    ))
}

/// The send calls of message `m` that ended at or before `end`, and all of them.
fn writes_before(fa: &FlowAnalysis, end: u64, m: u64) -> (usize, usize) {
    let calls = fa.sends.iter().filter(|s| s.msg_id == m && s.ret > 0);
    let before = calls.clone().filter(|s| s.offset + u64::from(s.ret) <= end);
    (before.count(), calls.count())
}

/// When every recv was one whole message: why the boundaries survived.
fn all_whole_line(exp: &Experiment, fa: &FlowAnalysis) -> Option<String> {
    let s = &fa.summary;
    if !(s.recvs > 0 && s.whole == s.recvs) {
        return None;
    }
    let how = if !exp.sender.gap.is_zero() && fa.flow == Flow::C2s {
        format!("the {} gap between sends let the receiver read each message before the next was sent. The boundaries survived by timing, not by design", format_duration(exp.sender.gap))
    } else {
        "each read happened to find exactly one message waiting".to_string()
    };
    Some(format!(
        "Every recv returned exactly one whole message: {how}."
    ))
}

fn framed_lines(exp: &Experiment, fa: &FlowAnalysis) -> Vec<String> {
    let s = &fa.summary;
    let framing = &exp.transport.framing;
    let mut lines = vec![format!(
        "Framing {framing}: the decoder rebuilt {} of {} intact from {} ({} sticky, {} fragment){}.",
        s.intact, plural(s.messages, "message"), plural(s.recvs, "raw read"), s.sticky, s.fragment,
        if s.intact == s.messages { ": the boundaries come from the frames, not from the reads" } else { "" }
    )];
    if *framing == Framing::JsonHeader {
        lines.push(format!(
            "Each header carried the body's size, name and md5; the receiver hashes every decoded body and counts one that does not match its md5 as corrupt ({} intact, {} corrupt, {} lost of {}).",
            s.intact, s.corrupt, s.lost, s.messages
        ));
    }
    if s.corrupt > 0 {
        lines.push(format!(
            "{} decoded wrong (corrupt): a frame boundary fell inside a payload, e.g. a delimiter byte in the data that the {framing} encoder does not escape, or a body that did not match its header's md5.",
            plural(s.corrupt, "message")
        ));
    }
    if let Some(e) = &fa.decode_error {
        lines.push(format!(
            "The decoder rejected the stream and stopped reading: {e}. Memory stayed bounded by max_frame = {} bytes; the remaining messages were not decoded.",
            exp.transport.max_frame
        ));
    }
    lines
}

fn datagram_lines(fa: &FlowAnalysis) -> Vec<String> {
    let s = &fa.summary;
    let truncated: Vec<_> = fa.recvs.iter().filter(|r| r.event.truncated).collect();
    let each = match s.recvs {
        1 => "the one recvfrom call returned one datagram".to_string(),
        n => format!("each of the {n} recvfrom calls returned one datagram"),
    };
    let mut lines = vec![format!(
        "UDP keeps boundaries: {each} ({} whole, {} truncated), so nothing stuck together or split.",
        s.whole, truncated.len())];
    if let Some(r) = truncated.first() {
        let m = r.first_msg.unwrap_or(0);
        let full = message_len(fa, m);
        lines.push(format!(
            "{} truncated: {} discarded by the kernel. Datagram {m} of {full} bytes met recvfrom({}): the kernel returned {} bytes, set MSG_TRUNC, and dropped the rest; no later recv gets it.",
            plural(truncated.len() as u64, "datagram"),
            if truncated.len() == 1 { format!("{} of {full} bytes", full - u64::from(r.event.len)) } else { format!("{} bytes", fa.discarded) },
            r.event.asked, r.event.len));
    }
    if s.lost > 0 {
        let drops = fa.drops.map_or("unknown".to_string(), |d| d.to_string());
        lines.push(format!(
            "{} never arrived (kernel drop counter SO_RXQ_OVFL: {drops}).",
            plural(s.lost, "datagram")
        ));
    }
    lines
}

/// The remote-shell effect: a read for command k that starts inside an earlier reply.
fn bleed_line(exp: &Experiment, fa: &FlowAnalysis, commands: u64) -> Option<String> {
    let per = exp.receiver.client_reads.max(1) as usize;
    let (j, r) = fa
        .recvs
        .iter()
        .enumerate()
        .take((commands as usize).saturating_mul(per))
        .find(|(j, r)| r.first_msg.is_some_and(|m| m < (*j / per) as u64))?;
    let cmd = j / per;
    let m = r.first_msg.unwrap_or(0);
    let reply = fa.messages.iter().find(|x| x.span.id == m)?;
    let leftover = (reply.span.offset + reply.span.len)
        .saturating_sub(r.event.offset)
        .min(u64::from(r.event.len));
    Some(format!(
        "The reply to command {m} was {} bytes but the client reads recv({}) per command, so the read after command {cmd} began with {leftover} leftover bytes of reply {m}: earlier output bleeds into the next reply.",
        reply.span.len, r.event.asked))
}

fn short_write_line(fa: &FlowAnalysis) -> Option<String> {
    let first = fa.sends.iter().find(|s| s.ret < s.len)?;
    Some(format!(
        "send() returned a short count {} (first: {} of {} bytes of message {}) and would have blocked {}; the sender sent the rest when there was room. All {} bytes arrived and every byte was checked: nothing was lost. A full send buffer makes send() accept less, it does not drop data.",
        times(fa.short_writes), first.ret, first.len, first.msg_id, times(fa.would_block), fa.summary.bytes))
}

/// `once`, `twice`, `3 times`.
fn times(n: u64) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

/// The one line for a flow whose message boundaries are unknown: what was
/// read, and that nothing more can be said without boundaries.
fn unknown_line(fa: &FlowAnalysis) -> String {
    let s = &fa.summary;
    if fa.recvs.is_empty() && fa.sends.is_empty() {
        return "Nothing came this way.".into();
    }
    if fa.recvs.is_empty() && !fa.sends.is_empty() {
        let bytes: u64 = fa.sends.iter().map(|s| u64::from(s.ret)).sum();
        return format!(
            "nianbao wrote {} in {}; how the server's recv() calls cut them is not seen from the client (run the server behind `nianbao proxy` to see its side).",
            plural(bytes, "byte"),
            plural(fa.sends.len() as u64, "send() call"),
        );
    }
    format!(
        "{} returned {}; message boundaries are unknown, so no read is called whole, sticky (粘包) or a fragment (分包): give a framing or declare the messages to see their fates.",
        plural(s.recvs, "recv"),
        plural(s.bytes, "byte")
    )
}

/// The length of message `id` of the flow (0 if it has none).
fn message_len(fa: &FlowAnalysis, id: u64) -> u64 {
    fa.messages
        .iter()
        .find(|x| x.span.id == id)
        .map_or(0, |x| x.span.len)
}
