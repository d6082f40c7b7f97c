//! UDP under `trace`: each datagram a traced program sent or received, by
//! the addresses it went between (sendto/recvfrom name them, a connected
//! socket has its peer). Datagrams between the same two addresses are one
//! conversation, one trial; the first sender is the client. When the
//! sender was traced, each of its send calls is a message (a datagram), and
//! each recv is matched to the send that made its datagram (in order, by
//! its bytes), so a datagram longer than the reader's buffer is truncated
//! by exactly the bytes it lost, and one never read is lost.

use super::record::{Budget, Cut, FlowRecorder};
use crate::net::tracer::{Call, SockKind, Traced};
use crate::trace::{Delivery, FlowTrace, Trace};
use std::net::SocketAddr;
use std::sync::Arc;

/// Two addresses are one end when their ports are equal and their IPs are
/// (or one is unspecified: a socket bound to 0.0.0.0 sends from 127.0.0.1).
fn same(x: SocketAddr, y: SocketAddr) -> bool {
    x.port() == y.port() && (x.ip() == y.ip() || x.ip().is_unspecified() || y.ip().is_unspecified())
}

#[derive(Default)]
struct Way<'a> {
    sends: Vec<&'a Call>,
    recvs: Vec<&'a Call>,
}

struct Conversation<'a> {
    a: SocketAddr,
    b: SocketAddr,
    ab: Way<'a>,
    ba: Way<'a>,
}

/// One trial per UDP conversation: (the client's address, its trace, a note).
pub(super) fn conversations(t: &Traced, budget: &Arc<Budget>) -> Vec<(SocketAddr, Trace, String)> {
    let mut convs: Vec<Conversation> = Vec::new();
    for c in t.calls.iter().filter(|c| c.ret > 0 && !c.peek) {
        let Some(s) = t.sockets.get(&c.ino).filter(|s| s.kind == SockKind::Udp) else {
            continue;
        };
        let (Some(local), Some(other)) = (s.local, c.addr.or(s.peer)) else {
            continue;
        };
        let (from, to) = match c.sys.sends() {
            true => (local, other),
            false => (other, local),
        };
        let i = match convs
            .iter()
            .position(|v| (same(from, v.a) && same(to, v.b)) || (same(from, v.b) && same(to, v.a)))
        {
            Some(i) => i,
            None => {
                convs.push(Conversation {
                    a: from,
                    b: to,
                    ab: Way::default(),
                    ba: Way::default(),
                });
                convs.len() - 1
            }
        };
        let v = &mut convs[i];
        // A socket bound to 0.0.0.0 is named by the address its peer saw.
        for end in [&mut v.a, &mut v.b] {
            for seen in [from, to] {
                if end.ip().is_unspecified()
                    && !seen.ip().is_unspecified()
                    && end.port() == seen.port()
                {
                    *end = seen;
                }
            }
        }
        let way = if same(from, v.a) && same(to, v.b) {
            &mut v.ab
        } else {
            &mut v.ba
        };
        match c.sys.sends() {
            true => way.sends.push(c),
            false => way.recvs.push(c),
        }
    }
    convs
        .iter()
        .map(|v| {
            let c2s = flow(t, &v.ab, budget);
            let s2c =
                (!v.ba.sends.is_empty() || !v.ba.recvs.is_empty()).then(|| flow(t, &v.ba, budget));
            let trace = Trace {
                c2s,
                s2c,
                duration_ns: t.duration_ns,
                capture: Default::default(),
                capture_read_ns: 0,
            };
            (v.a, trace, describe(t, v))
        })
        .collect()
}

fn flow(t: &Traced, way: &Way, budget: &Arc<Budget>) -> FlowTrace {
    let bytes = |c: &Call| &t.bytes[c.at..c.at + c.kept as usize];
    let sent = !way.sends.is_empty();
    let mut rec = FlowRecorder::new(
        if sent { Cut::Writes } else { Cut::Datagrams },
        budget.clone(),
    );
    if way.recvs.is_empty() {
        rec = rec.keeping_writes();
    }
    let mut offsets = Vec::with_capacity(way.sends.len());
    let mut at = 0u64;
    for c in &way.sends {
        offsets.push(at);
        rec.send_at(c.t_ns, bytes(c), c.asked as usize, c.ret as usize);
        at += c.ret as u64;
    }
    let mut next = 0;
    for r in &way.recvs {
        let len = (r.ret as u64).min(r.asked) as usize;
        let mut full = (r.ret as usize).max(len);
        if sent {
            // The send whose datagram this is: the next one whose bytes
            // begin with the bytes read (the first unread one if unknown).
            let k = (next..way.sends.len())
                .find(|&k| bytes(way.sends[k]).starts_with(bytes(r)))
                .unwrap_or(next);
            if let Some(s) = way.sends.get(k) {
                rec.seek(offsets[k]);
                full = full.max(s.ret as usize);
                next = k + 1;
            }
        }
        rec.recv_at(r.t_ns, bytes(r), len, r.asked as usize, full, None);
    }
    rec.finish(Delivery::Datagram, None)
}

fn describe(t: &Traced, v: &Conversation) -> String {
    let who = |a: SocketAddr| {
        t.sockets
            .values()
            .find(|s| s.kind == SockKind::Udp && s.local.is_some_and(|l| same(l, a)))
            .map_or_else(
                || " (not traced)".to_string(),
                |s| format!(" ({}, pid {})", s.comm, s.pid),
            )
    };
    let both = !v.ab.sends.is_empty() && !v.ab.recvs.is_empty();
    format!(
        "UDP datagrams between {}{} and {}{}: {}",
        v.a,
        who(v.a),
        v.b,
        who(v.b),
        match both {
            true => "both ends traced, so each recv is matched to the sendto() that made its datagram (a truncated one shows what it lost)",
            false => "one end traced; each datagram is a message",
        }
    )
}
