//! A UDP trial: the sender sends one datagram per message; the receiver
//! reads with its recv size schedule, matches each datagram to the message
//! it carries, notes truncation, and stops when the last message has come or
//! the flow has been quiet for `receiver.idle` after the sender finished.

use super::timeout::Armed;
use super::{gap_before, pause, record_send, reserve_recvs, reserve_sending, start_late, Ctx};
use crate::engine::model::FlowModel;
use crate::engine::payload::{Rng, Stream};
use crate::error::{Error, Result};
use crate::net::{self, Datagram, Socket};
use crate::trace::{FlowTrace, Queued, RecvEvent, Trace};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Runs the trial: receiver thread and sender, joined.
pub(super) fn run(ctx: &Ctx) -> Result<Trace> {
    let exp = ctx.exp;
    let FlowModel::Plain(stream) = ctx.c2s else {
        return Err(Error::Stream("UDP carries no replies".into()));
    };
    let addr = SocketAddr::new(exp.transport.ip, exp.transport.port);
    let (rx, tx) = net::bind_udp_pair(addr, exp.receiver.rcvbuf, exp.sender.sndbuf)?;
    let port = net::local_addr(&rx)
        .ok_or_else(|| Error::Stream("the receiver's socket has no address".into()))?
        .port();
    let wire = super::capture::Armed::open(ctx, port)?;
    let done = AtomicBool::new(false);
    let (received, sent) = std::thread::scope(|s| {
        let receiver = s.spawn(|| receive(ctx, stream, &rx, &done));
        let sent = send(ctx, stream, &tx);
        done.store(true, Ordering::Release);
        (receiver.join(), sent)
    });
    let mut c2s = sent?;
    let received = received.map_err(|_| Error::Stream("the receiver thread panicked".into()))??;
    c2s.recvs = received.recvs;
    c2s.drops = received.drops;
    c2s.discarded = received.discarded;
    let mut trace = Trace {
        capture: Default::default(),
        c2s,
        s2c: None,
        duration_ns: 0,
        capture_read_ns: 0,
    };
    wire.finish(&mut trace)?;
    Ok(trace)
}

fn send(ctx: &Ctx, stream: &Stream, tx: &Socket) -> Result<FlowTrace> {
    let s = &ctx.exp.sender;
    let mut rec = reserve_sending(stream.spans().len());
    rec.messages.extend_from_slice(stream.spans());
    let mut rng = Rng::new(s.seed);
    let mut payload = Vec::new();
    let mut armed = Armed::default();
    for span in stream.spans() {
        pause(ctx, gap_before(span.id, s, &mut rng), "sender", "gap")?;
        stream.payload(span.id, &mut payload);
        armed.send(ctx, tx, "sender", || {
            format!("room to send datagram {}", span.id)
        })?;
        let n = net::send_datagram(tx, &payload).map_err(|e| {
            Error::io(
                format!(
                    "sender: sendto of datagram {} ({} bytes)",
                    span.id,
                    payload.len()
                ),
                e,
            )
        })?;
        record_send(&mut rec, &ctx.clock, span.id, span.offset, payload.len(), n);
    }
    Ok(rec)
}

struct Received {
    recvs: Vec<RecvEvent>,
    drops: Option<u64>,
    discarded: u64,
}

fn receive(ctx: &Ctx, stream: &Stream, rx: &Socket, done: &AtomicBool) -> Result<Received> {
    let r = &ctx.exp.receiver;
    let spans = stream.spans();
    let mut out = Received {
        recvs: reserve_recvs(spans.len()),
        drops: Some(0),
        discarded: 0,
    };
    let mut buf = vec![0u8; r.recv_sizes.max() as usize];
    // `after-send`: on loopback a datagram is in the receive queue when
    // its sendto returns, so the sender's last return is enough.
    start_late(ctx, || done.load(Ordering::Acquire))?;
    let mut next = 0usize;
    for i in 0.. {
        if next >= spans.len() {
            break;
        }
        let asked = r.recv_sizes.at(i) as usize;
        let Some(d) = recv_or_quiet(ctx, rx, &mut buf[..asked], done, next)? else {
            break;
        };
        let t_ns = ctx.clock.now_ns();
        let data = &buf[..d.len];
        let id = match_datagram(stream, next, data, d.full_len).ok_or_else(|| {
            Error::Stream(format!(
                "c2s: a datagram of {} bytes matches no message sent after message {next}",
                d.full_len
            ))
        })?;
        let truncated = d.full_len > d.len;
        out.recvs.push(RecvEvent {
            t_ns,
            offset: spans[id].offset,
            len: d.len as u32,
            asked: asked as u32,
            truncated,
            queued: Queued::UNKNOWN,
        });
        out.discarded += (d.full_len - d.len) as u64;
        if let Some(n) = d.drops {
            out.drops = Some(u64::from(n));
        }
        next = id + 1;
        pause(ctx, r.recv_gap, "receiver", "recv_gap")?;
    }
    Ok(out)
}

/// One datagram, or None once the sender is done and the flow stayed quiet.
fn recv_or_quiet(
    ctx: &Ctx,
    rx: &Socket,
    buf: &mut [u8],
    done: &AtomicBool,
    next: usize,
) -> Result<Option<Datagram>> {
    loop {
        let sender_done = done.load(Ordering::Acquire);
        let until = if sender_done {
            Instant::now() + ctx.exp.receiver.idle
        } else {
            ctx.deadline.min(Instant::now() + ctx.exp.receiver.idle)
        };
        let what = || format!("datagram {next} from the sender");
        net::recv_timeout_until(
            rx,
            until.min(ctx.deadline),
            "receiver",
            ctx.exp.deadline,
            what,
        )?;
        match net::recv_datagram(rx, buf) {
            Ok(d) => return Ok(Some(d)),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if net::is_timeout(&e) && sender_done => return Ok(None),
            Err(e) if net::is_timeout(&e) => {
                if Instant::now() >= ctx.deadline {
                    return Err(ctx.late("receiver", what()));
                }
            }
            Err(e) => return Err(Error::io("receiver: recvfrom", e)),
        }
    }
}

/// The first message at or after `next` whose payload this datagram is.
fn match_datagram(stream: &Stream, next: usize, data: &[u8], full_len: usize) -> Option<usize> {
    stream.spans()[next..]
        .iter()
        .find(|s| s.len as usize == full_len && stream.verify(s.offset, data).is_ok())
        .map(|s| s.id as usize)
}
