//! `nianbao trace`: the source that watches unmodified programs from
//! inside, through their own system calls (`net::tracer`). Each TCP or UNIX
//! stream connection it saw becomes one trial. When both ends were in the
//! traced tree (TCP: their addresses mirror each other; UNIX: the kernel
//! names each as the other's peer, by inode) the client's send calls and the
//! server's recv calls make one flow with one set of stream offsets, so each
//! recv is tied to the send calls whose bytes it returned; without a
//! framing or declared messages, each send() call is one message. With one
//! end traced, its calls are recorded and the report names the missing end.

use super::record::{Budget, Cut, FlowRecorder};
use super::traced_wire::{carried, ConnectionWire, WireTap};
use super::{Ended, PeerRun, Stop};
use crate::error::Result;
use crate::net::tracer::{self, Call, Ending, SockInfo, SockKind, Traced};
use crate::trace::{Delivery, FlowTrace, Trace};
use crate::units::{format_duration, format_size, plural};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::time::Duration;

/// What `trace` needs beyond the command.
#[derive(Clone, Debug)]
pub struct TraceOptions {
    /// Where message boundaries come from when the user gave them (a
    /// framing, declared messages); `None`: the sender's send() calls.
    pub cut: Option<Cut>,
    pub delivery: Delivery,
    /// Bytes kept from all calls together.
    pub keep: u64,
    pub deadline: Duration,
    /// Told (one line) once an attached process is seized.
    pub announce: fn(&str),
    /// Whether to capture the wire on loopback when the process may.
    pub capture: bool,
}

/// What to trace: a command nianbao starts, or a running process.
#[derive(Clone, Debug)]
pub enum Target {
    Command(tracer::Launch),
    Pid(i32),
}

/// What the traced programs did, and how the command ended.
pub struct TraceRun {
    pub peer: PeerRun,
    /// The command's exit status as a process exit code (128 + signal when
    /// a signal killed it), when it is known.
    pub status: Option<u8>,
    /// Whether any connection had both ends traced with no framing or
    /// declared messages (then messages = send() calls).
    pub by_sends: bool,
    /// Whether every trial is a UDP conversation.
    pub udp_only: bool,
    /// The trials that are UNIX stream connections.
    pub unix: Vec<usize>,
}

/// Runs the target under the tracer and turns what it recorded into traces.
pub fn trace(target: &Target, opts: &TraceOptions) -> Result<TraceRun> {
    let o = tracer::Options {
        keep: opts.keep,
        max_calls: super::MAX_CALLS,
        deadline: opts.deadline,
        stop: crate::interrupt::pending,
        announce: opts.announce,
    };
    let mut tap = WireTap::open(matches!(target, Target::Pid(_)) || !opts.capture);
    let traced = match target {
        Target::Command(launch) => tracer::run(launch, &o)?,
        Target::Pid(pid) => tracer::attach(*pid, &o)?,
    };
    tap.read()?;
    Ok(build(&traced, opts, &tap))
}

/// One connection: its two ends as sockets (by inode), either maybe untraced.
struct Pair {
    client: Option<u64>,
    server: Option<u64>,
    /// TCP: the ends' addresses (UNIX: none).
    client_addr: Option<SocketAddr>,
    server_addr: Option<SocketAddr>,
    /// UNIX: the ends in words (a path, `@abstract`, `unnamed`, `end`).
    shown: Option<(String, String)>,
    /// UNIX: "UNIX stream" or "UNIX socketpair"; `None`: TCP.
    unix: Option<&'static str>,
    /// Whether the client is the end that sent first (neither end told).
    by_first_send: bool,
    /// UNIX: paired by their bytes, as the kernel no longer linked them.
    bytes_only: bool,
}

/// The traces of every TCP and UNIX stream connection in `t`, with notes
/// on the rest; `tap` holds the packets captured on loopback, if any.
pub fn build(t: &Traced, opts: &TraceOptions, tap: &WireTap) -> TraceRun {
    let mut by_ino: HashMap<u64, Vec<&Call>> = HashMap::new();
    let mut order = Vec::new();
    for c in &t.calls {
        by_ino
            .entry(c.ino)
            .or_insert_with(|| {
                order.push(c.ino);
                Vec::new()
            })
            .push(c);
    }
    let pairs = pair(t, &order, &t.sockets, &by_ino);
    let bound = pairs
        .iter()
        .find_map(|p| p.server_addr)
        .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
    let mut run = PeerRun::new(bound);
    run.own_notes = true;
    let budget = Budget::new(opts.keep);
    let mut by_sends = false;
    let mut unix = Vec::new();
    let ended = match t.ending {
        Some(Ending::Deadline) => Ended::Stopped(Stop::Deadline),
        Some(Ending::Signal(s)) => Ended::Stopped(Stop::Signal(s)),
        _ => Ended::Closed,
    };
    for (i, p) in pairs.iter().enumerate() {
        let both = p.client.is_some() && p.server.is_some();
        by_sends |= both && opts.cut.is_none();
        let calls = |ino: Option<u64>| {
            ino.and_then(|i| by_ino.get(&i))
                .cloned()
                .unwrap_or_default()
        };
        let (client, server) = (calls(p.client), calls(p.server));
        let c2s = flow(t, &client, &server, both, p.server.is_some(), opts, &budget);
        let s2c = flow(t, &server, &client, both, p.client.is_some(), opts, &budget);
        let s2c = (!s2c.sends.is_empty() || !s2c.recvs.is_empty()).then_some(s2c);
        let mut trace = Trace {
            c2s,
            s2c,
            duration_ns: t.duration_ns,
            capture: Default::default(),
            capture_read_ns: 0,
        };
        run.extra.push(describe(i, p, t, both));
        if let (Some(server), Some(client)) = (p.server_addr, p.client_addr) {
            if let Some(w) = tap.connection(server.port(), client.port()) {
                run.extra.extend(wire_check(i, &trace, &w));
                trace.c2s.wire = w.c2s;
                if let Some(s2c) = trace.s2c.as_mut() {
                    s2c.wire = w.s2c;
                }
                trace.capture = w.capture;
            }
        }
        if p.unix.is_some() {
            unix.push(i);
        }
        let peer = p.client_addr.unwrap_or(bound);
        run.push(peer, trace, ended.clone());
    }
    let udp_only = pairs.is_empty();
    for (peer, trace, note) in super::traced_udp::conversations(t, &budget) {
        run.extra.push(note);
        run.push(peer, trace, ended.clone());
    }
    run.wanted = run.conns.len();
    run.extra.extend(notes(t, &by_ino));
    run.budget_hit = budget.exhausted().or(t.capped.then_some(opts.keep));
    if let Some(Ending::Signal(s)) = t.ending {
        run.stop = Some(Stop::Signal(s));
    }
    let udp_only = udp_only && !run.conns.is_empty();
    TraceRun {
        peer: run,
        // An attached process is not nianbao's: its status is not passed on.
        status: match t.ending {
            // Refused, as the command itself would be: exit 2.
            Some(Ending::Refused) => Some(2),
            _ => t
                .attached
                .is_none()
                .then_some(t.status)
                .flatten()
                .map(|s| match s {
                    tracer::Status::Code(c) => c as u8,
                    tracer::Status::Killed(sig) => 128u8.saturating_add(sig as u8),
                }),
        },
        by_sends,
        udp_only,
        unix,
    }
}

/// What the wire says of connection `i` against its traced send() calls:
/// the bytes each direction's segments carried, and whether that is what
/// the traced calls wrote (a difference means bytes went through calls
/// nianbao does not record, or the capture missed packets).
fn wire_check(i: usize, trace: &Trace, w: &ConnectionWire) -> Option<String> {
    if !matches!(w.capture, crate::trace::Capture::Captured { .. }) {
        return None;
    }
    let mut parts = Vec::new();
    let dirs = [
        ("c2s", Some(&trace.c2s), &w.c2s),
        ("s2c", trace.s2c.as_ref(), &w.s2c),
    ];
    for (name, flow, segs) in dirs {
        let (bytes, n) = carried(segs);
        let written: u64 = flow.map_or(0, |f| f.sends.iter().map(|s| u64::from(s.ret)).sum());
        let traced = flow.is_some_and(|f| !f.sends.is_empty());
        if n == 0 && written == 0 {
            continue;
        }
        parts.push(match (traced, bytes == written) {
            (true, true) => format!(
                "{name}: {} carried the {} the traced send() calls wrote",
                plural(n, "segment"),
                plural(bytes, "byte")
            ),
            (true, false) => format!(
                "{name}: {} carried {} where the traced send() calls wrote {} (bytes through calls nianbao does not record, such as sendfile or splice, or packets the capture missed)",
                plural(n, "segment"),
                plural(bytes, "byte"),
                written
            ),
            (false, _) => format!(
                "{name}: {} carried {} (its writer was not traced)",
                plural(n, "segment"),
                plural(bytes, "byte")
            ),
        });
    }
    match parts.is_empty() {
        true => Some(format!(
            "connection {i}: the capture on lo saw none of its packets (it is not on loopback, or the capture missed them)"
        )),
        false => Some(format!("connection {i}, the wire: {}", parts.join("; "))),
    }
}

/// One direction: `writer`'s send calls and `reader`'s recv calls.
fn flow(
    t: &Traced,
    writer: &[&Call],
    reader: &[&Call],
    both: bool,
    reader_traced: bool,
    opts: &TraceOptions,
    budget: &std::sync::Arc<Budget>,
) -> FlowTrace {
    let cut = match (&opts.cut, both) {
        (Some(c), _) if reader_traced => c.clone(),
        (None, true) => Cut::Writes,
        _ => Cut::None,
    };
    let mut rec = FlowRecorder::new(cut, budget.clone());
    if !reader_traced {
        rec = rec.keeping_writes();
    }
    let bytes = |c: &Call| &t.bytes[c.at..c.at + c.kept as usize];
    for c in writer.iter().filter(|c| c.sys.sends() && c.ret > 0) {
        rec.send_at(c.t_ns, bytes(c), c.asked as usize, c.ret as usize);
    }
    for c in reader
        .iter()
        .filter(|c| !c.sys.sends() && c.ret > 0 && !c.peek)
    {
        let len = (c.ret as u64).min(c.asked) as usize;
        rec.recv_at(c.t_ns, bytes(c), len, c.asked as usize, len, None);
    }
    rec.finish(opts.delivery, None)
}

/// Whether `a` and `b` are the two ends of one stream connection: TCP
/// addresses that mirror each other, or UNIX sockets that are each other's
/// peers by inode (a UNIX client is usually unnamed, so its address says
/// nothing).
fn ends_of_one(a: (u64, &SockInfo), b: (u64, &SockInfo)) -> bool {
    let ((ia, sa), (ib, sb)) = (a, b);
    if ia == ib || sa.kind != sb.kind {
        return false;
    }
    match sa.kind {
        SockKind::Tcp => sb.local.is_some() && sb.local == sa.peer && sb.peer == sa.local,
        SockKind::UnixStream => sa.peer_ino == Some(ib) || sb.peer_ino == Some(ia),
        _ => false,
    }
}

/// Whether this end is a server's: TCP, its port was a listening one; UNIX,
/// it is named (an accepted end has its listener's name; a connecting
/// client is usually unnamed).
fn server_side(s: &SockInfo) -> bool {
    match s.kind {
        SockKind::UnixStream => s.name.is_some(),
        _ => s.server,
    }
}

/// A UNIX end in words: its name, or `unnamed`.
fn unix_end(s: &SockInfo) -> String {
    s.name.clone().unwrap_or_else(|| "unnamed".into())
}

/// The bytes `calls` sent (`sends`) or received, in order, as kept.
fn stream_of(t: &Traced, calls: &[&Call], sends: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for c in calls
        .iter()
        .filter(|c| c.sys.sends() == sends && c.ret > 0 && !c.peek)
    {
        out.extend_from_slice(&t.bytes[c.at..c.at + c.kept as usize]);
    }
    out
}

/// Whether two UNIX stream ends the kernel no longer links are one
/// connection by their bytes: a client that connected, sent and closed
/// before the server accept()ed left the server's end an orphan for a
/// peer (no inode), and its own peer was an embryo (no inode yet). So: one
/// named (the accepted end) and one unnamed, neither with a peer the
/// kernel named, and what each read is the start of what the other
/// sent, with some bytes in all.
fn same_bytes(
    t: &Traced,
    calls: &HashMap<u64, Vec<&Call>>,
    a: (u64, &SockInfo),
    b: (u64, &SockInfo),
) -> bool {
    let ((ia, sa), (ib, sb)) = (a, b);
    if ia == ib
        || sa.kind != SockKind::UnixStream
        || sb.kind != SockKind::UnixStream
        || sa.name.is_some() == sb.name.is_some()
        || sa.peer_ino.is_some()
        || sb.peer_ino.is_some()
        || sa.unknown.is_some()
        || sb.unknown.is_some()
        || t.capped
    {
        return false;
    }
    let (ca, cb) = (&calls[&ia], &calls[&ib]);
    let (a_sent, a_read) = (stream_of(t, ca, true), stream_of(t, ca, false));
    let (b_sent, b_read) = (stream_of(t, cb, true), stream_of(t, cb, false));
    !(a_read.is_empty() && b_read.is_empty())
        && b_sent.starts_with(&a_read)
        && a_sent.starts_with(&b_read)
}

/// Connections from the TCP and UNIX stream sockets that were used, in
/// order of first use.
fn pair(
    t: &Traced,
    order: &[u64],
    sockets: &HashMap<u64, SockInfo>,
    calls: &HashMap<u64, Vec<&Call>>,
) -> Vec<Pair> {
    let streams: Vec<(u64, &SockInfo)> = order
        .iter()
        .filter_map(|i| sockets.get(i).map(|s| (*i, s)))
        .filter(|(_, s)| matches!(s.kind, SockKind::Tcp | SockKind::UnixStream))
        .collect();
    let mut done = HashSet::new();
    let mut out = Vec::new();
    for &(a, sa) in &streams {
        if !done.insert(a) {
            continue;
        }
        let by_ino = streams
            .iter()
            .find(|&&(b, sb)| !done.contains(&b) && ends_of_one((a, sa), (b, sb)));
        let by_bytes = || {
            streams
                .iter()
                .find(|&&(b, sb)| !done.contains(&b) && same_bytes(t, calls, (a, sa), (b, sb)))
        };
        let (mirror, bytes_only) = match by_ino {
            Some(m) => (Some(m), false),
            None => (by_bytes(), true),
        };
        let first_send = |i: u64| {
            calls[&i]
                .iter()
                .find(|c| c.sys.sends() && c.ret > 0)
                .map_or(u64::MAX, |c| c.t_ns)
        };
        let unix = sa.kind == SockKind::UnixStream;
        let p = match mirror {
            Some(&(b, sb)) => {
                done.insert(b);
                let (a_client, by_send) = match (server_side(sa), server_side(sb)) {
                    (true, false) => (false, false),
                    (false, true) => (true, false),
                    _ => (first_send(a) <= first_send(b), true),
                };
                let (c, s) = if a_client { (a, b) } else { (b, a) };
                let (ci, si) = if a_client { (sa, sb) } else { (sb, sa) };
                let socketpair = unix && ci.name.is_none() && si.name.is_none();
                let bytes_only = unix && bytes_only;
                Pair {
                    client: Some(c),
                    server: Some(s),
                    client_addr: ci.local,
                    server_addr: si.local,
                    shown: match (unix, socketpair) {
                        (false, _) => None,
                        (true, true) => Some(("end".into(), "end".into())),
                        (true, false) => Some((unix_end(ci), unix_end(si))),
                    },
                    unix: unix.then_some(if socketpair {
                        "UNIX socketpair"
                    } else {
                        "UNIX stream"
                    }),
                    by_first_send: unix && by_send,
                    bytes_only,
                }
            }
            None if server_side(sa) => Pair {
                client: None,
                server: Some(a),
                client_addr: sa.peer,
                server_addr: sa.local,
                shown: unix.then(|| ("?".into(), unix_end(sa))),
                unix: unix.then_some("UNIX stream"),
                by_first_send: false,
                bytes_only: false,
            },
            None => Pair {
                client: Some(a),
                server: None,
                client_addr: sa.local,
                server_addr: sa.peer,
                shown: unix.then(|| (unix_end(sa), "?".into())),
                unix: unix.then_some("UNIX stream"),
                by_first_send: false,
                bytes_only: false,
            },
        };
        out.push(p);
    }
    out
}

fn addr(a: Option<SocketAddr>) -> String {
    a.map_or_else(|| "?".into(), |a| a.to_string())
}

fn who(t: &Traced, ino: Option<u64>) -> String {
    match ino.and_then(|i| t.sockets.get(&i)) {
        Some(s) => format!(" ({}, pid {})", s.comm, s.pid),
        None => String::new(),
    }
}

/// One connection in words: its ends and which were traced.
fn describe(i: usize, p: &Pair, t: &Traced, both: bool) -> String {
    let ends = match (&p.shown, p.unix) {
        (Some((c, s)), Some(kind)) => format!(
            "connection {i} ({kind}): client {c}{} → server {s}{}{}",
            who(t, p.client),
            who(t, p.server),
            match (p.by_first_send, p.bytes_only) {
                (_, true) => " (paired by their bytes: the client closed before the server accept()ed it, so the kernel no longer linked the two)",
                (true, false) => " (the client is the end that sent first)",
                (false, false) => "",
            }
        ),
        _ => format!(
            "connection {i}: client {}{} → server {}{}",
            addr(p.client_addr),
            who(t, p.client),
            addr(p.server_addr),
            who(t, p.server)
        ),
    };
    match (both, p.client.is_some()) {
        (true, _) => format!("{ends}: both ends traced, so each recv is tied to the send() calls that made its bytes"),
        (false, true) => format!("{ends}: only the client end was traced; the server is not in the traced tree, so its recv() calls (where the client's messages merged or split) are not known"),
        (false, false) => format!("{ends}: only the server end was traced; the client is not in the traced tree, so its send() calls are not known and message boundaries come only from --framing or --messages"),
    }
}

/// The run's other notes: the observer, how it ended, limits, what was skipped.
fn notes(t: &Traced, by_ino: &HashMap<u64, Vec<&Call>>) -> Vec<String> {
    let mut n = Vec::new();
    let other: u64 = by_ino
        .iter()
        .filter(|(i, _)| {
            t.sockets.get(i).is_none_or(|s| {
                !matches!(s.kind, SockKind::Tcp | SockKind::Udp | SockKind::UnixStream)
            })
        })
        .map(|(_, c)| c.len() as u64)
        .sum();
    if other > 0 {
        n.push(format!(
            "{} on UNIX datagram or other sockets not analysed (TCP, UDP and UNIX stream only so far)",
            plural(other, "call")
        ));
    }
    // UNIX stream sockets whose peer the kernel did not tell: not paired.
    let mut unpaired: Vec<&str> = by_ino
        .keys()
        .filter_map(|i| t.sockets.get(i))
        .filter(|s| s.kind == SockKind::UnixStream)
        .filter_map(|s| s.unknown.as_deref())
        .collect();
    unpaired.sort_unstable();
    if let Some(why) = unpaired.first() {
        n.push(format!(
            "the kernel did not name the peer of {} ({why}), so their ends could not be paired and each is shown as one end traced",
            plural(unpaired.len() as u64, "UNIX stream socket")
        ));
    }
    if let Some(per) = t.stop_ns.checked_div(t.stops) {
        n.push(format!(
            "the observer: the tracer stopped the programs {} for {} in all (about {} a stop, the kernel's switches not counted); tracing slows every traced call, so a reader may find fewer sends waiting than it would untraced (hiding merges) and a slowed sender may bunch its writes (creating them): this is what happened under the tracer",
            plural(t.stops, "time"),
            format_duration(Duration::from_nanos(t.stop_ns)),
            format_duration(Duration::from_nanos(per))
        ));
    }
    if let Some(pid) = t.attached {
        n.push(match t.ending {
            Some(Ending::Deadline) => format!("the deadline passed: nianbao detached from pid {pid}, which goes on (give --deadline up to 600s to watch longer)"),
            Some(Ending::Signal(s)) => format!("{} ended the trace: nianbao detached from pid {pid}, which goes on running", crate::error::signal_name(s)),
            _ => format!("pid {pid} exited while traced"),
        });
        n.push("attached to a running process: no filter could be installed, so every system call stopped twice, and calls made before attaching are not seen (stream offsets count from the first call seen)".into());
        return limits(t, n);
    }
    n.push(match (t.ending, t.status) {
        (Some(Ending::Deadline), _) => "the deadline passed: the traced programs were killed (give --deadline up to 600s to wait longer)".into(),
        (Some(Ending::Signal(s)), _) => format!("{} stopped the trace: the traced programs were killed", crate::error::signal_name(s)),
        (Some(Ending::Refused), _) => format!(
            "refused: the traced tree ran `{}`, which is set-user-ID, set-group-ID or has file capabilities; traced by an ordinary user it would run without its privileges, so the traced programs were killed before it ran (trace it as root, or trace the programs around it)",
            t.refused.as_deref().unwrap_or("a program")
        ),
        (_, Some(tracer::Status::Code(c))) => format!("the command exited with status {c} ({} {} in the traced tree)", t.processes, if t.processes == 1 { "process" } else { "processes" }),
        (_, Some(tracer::Status::Killed(s))) => format!("the command was killed by signal {s}; what it did until then is recorded"),
        _ => "the command's exit status is not known".into(),
    });
    limits(t, n)
}

/// The notes on limits the recording reached.
fn limits(t: &Traced, mut n: Vec<String>) -> Vec<String> {
    if t.call_limit {
        n.push(format!(
            "the recording reached its limit of {} calls; later calls were not recorded",
            super::MAX_CALLS
        ));
    }
    if t.stragglers > 0 {
        n.push(format!(
            "{} had not ended 5 s after being killed",
            plural(t.stragglers as u64, "traced task")
        ));
    }
    if t.capped {
        n.push(format!(
            "bytes past {} were not read from the programs (lengths only)",
            format_size(t.bytes.len() as u64)
        ));
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::tracer::Sys;

    fn unix(pid: i32, peer: u64, name: Option<&str>) -> SockInfo {
        SockInfo {
            kind: SockKind::UnixStream,
            local: None,
            peer: None,
            server: false,
            pid,
            comm: "python3".into(),
            unknown: None,
            peer_ino: Some(peer),
            name: name.map(String::from),
        }
    }

    fn call(ino: u64, t_ns: u64, sys: Sys) -> Call {
        Call {
            t_ns,
            pid: 1,
            tid: 1,
            fd: 3,
            ino,
            sys,
            asked: 5,
            ret: 5,
            at: 0,
            kept: 0,
            peek: false,
            truncated: false,
            addr: None,
        }
    }

    fn paired(sockets: HashMap<u64, SockInfo>, calls: &[Call]) -> Vec<Pair> {
        let mut by_ino: HashMap<u64, Vec<&Call>> = HashMap::new();
        let mut order = Vec::new();
        for c in calls {
            if !by_ino.contains_key(&c.ino) {
                order.push(c.ino);
            }
            by_ino.entry(c.ino).or_default().push(c);
        }
        pair(&Traced::default(), &order, &sockets, &by_ino)
    }

    #[test]
    fn the_named_unix_end_is_the_server_even_when_it_sends_first() {
        let sockets = HashMap::from([(10, unix(1, 11, Some("/s"))), (11, unix(2, 10, None))]);
        let calls = [call(10, 1, Sys::Sendto), call(11, 2, Sys::Recvfrom)];
        let p = paired(sockets, &calls);
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].client, p[0].server), (Some(11), Some(10)));
        assert_eq!(p[0].unix, Some("UNIX stream"));
        assert!(!p[0].by_first_send);
        assert_eq!(p[0].shown, Some(("unnamed".to_string(), "/s".to_string())));
    }

    #[test]
    fn socketpair_ends_pair_by_inode_and_the_first_sender_is_the_client() {
        // Only one end knows its peer (the other's had closed when it was
        // first seen): still one connection.
        let mut b = unix(2, 0, None);
        b.peer_ino = None;
        let sockets = HashMap::from([(20, b), (21, unix(1, 20, None)), (22, unix(3, 99, None))]);
        let calls = [
            call(20, 1, Sys::Recvfrom),
            call(21, 2, Sys::Sendto),
            call(22, 3, Sys::Sendto),
        ];
        let p = paired(sockets, &calls);
        assert_eq!(p.len(), 2, "the pair, and 22 whose peer was not traced");
        assert_eq!((p[0].client, p[0].server), (Some(21), Some(20)));
        assert_eq!(p[0].unix, Some("UNIX socketpair"));
        assert!(p[0].by_first_send);
        assert_eq!((p[1].client, p[1].server), (Some(22), None));
    }
}
