//! `nianbao proxy`: relay connections to someone else's server, both ways,
//! recording every read on each side, and re-cut what is forwarded
//! (`--chunk`, `--chunk-gap`, `--coalesce`, `--nodelay`) to shake the
//! programs at both ends. A half-close is passed on as a half-close, a reset
//! as a reset; one side going away ends that connection, and the run still
//! writes what it saw.

use super::chunk::{Chunk, Cutter};
use super::io::{stop_now, wait, write_all, Stop};
use super::record::{Budget, Cut, FlowRecorder, MAX_CALLS};
use super::{Ended, PeerOptions, PeerRun};
use crate::error::{Error, Result};
use crate::experiment::Experiment;
use crate::net::{self, Socket};
use crate::trace::{Clock, Delivery, Trace};
use std::net::{Shutdown, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How the proxy forwards.
#[derive(Clone, Debug)]
pub struct Relay {
    /// The server to relay to.
    pub to: SocketAddr,
    pub chunk: Chunk,
    /// Pause between two forwarded chunks.
    pub chunk_gap: Duration,
    /// Hold what arrives within this long and forward it as one write.
    pub coalesce: Option<Duration>,
    /// TCP_NODELAY on both sockets nianbao writes to.
    pub nodelay: bool,
}

/// Most bytes `--coalesce` holds before it forwards them anyway.
pub const MAX_HELD: usize = 4 << 20;

/// Largest read the proxy makes.
pub const READ: usize = 256 << 10;

/// Relays as `relay` says; `announce` gets the listening address first.
pub fn proxy(
    exp: &Experiment,
    opts: &PeerOptions,
    relay: &Relay,
    announce: impl FnOnce(SocketAddr),
) -> Result<PeerRun> {
    let addr = SocketAddr::new(exp.transport.ip, exp.transport.port);
    let listener = net::listen_tcp(addr, exp.receiver.rcvbuf)?;
    let bound = net::local_addr(&listener).unwrap_or(addr);
    announce(bound);
    let deadline = Instant::now() + exp.deadline;
    let budget = Budget::new(opts.keep);
    let mut refused = None;
    let served = std::thread::scope(|s| {
        let mut handles = Vec::new();
        while handles.len() < opts.connections {
            let next = net::peer::accept_before(&listener, deadline, || {
                crate::interrupt::pending().is_some()
            })?;
            let Some((client, peer)) = next else { break };
            let left = deadline.saturating_duration_since(Instant::now());
            let server = match net::peer::connect_to(relay.to, relay.nodelay, left) {
                Ok(server) => server,
                // The first refusal is the run's error; a later one ends the
                // accepting, and what the earlier connections saw is written.
                Err(e) if handles.is_empty() => {
                    net::peer::reset(client);
                    return Err(e);
                }
                Err(e) => {
                    net::peer::reset(client);
                    refused = Some(format!("{:#}", anyhow::Error::from(e)));
                    break;
                }
            };
            let _ = client.set_nodelay(relay.nodelay);
            let budget = budget.clone();
            let h = s.spawn(move || relay_one(exp, opts, relay, client, server, budget, deadline));
            handles.push((peer, h));
        }
        let mut out = Vec::new();
        for (peer, h) in handles {
            let r = h
                .join()
                .map_err(|_| Error::Stream("a relay thread panicked".into()))?;
            out.push((peer, r?));
        }
        Ok::<_, Error>(out)
    })?;
    let mut run = PeerRun::new(bound);
    run.stop = stop_now(deadline).filter(|s| matches!(s, Stop::Signal(_)));
    if served.is_empty() {
        if let Some(Stop::Signal(signal)) = run.stop {
            return Err(Error::Interrupted { signal });
        }
        return Err(Error::Limit(format!(
            "proxy: no client connected to {bound} within {} (the deadline; give --deadline up to 600s to wait longer)",
            crate::units::format_duration(exp.deadline)
        )));
    }
    for (peer, (trace, ended, note)) in served {
        run.extra.push(format!(
            "connection {} to {}: {note}",
            run.conns.len(),
            relay.to
        ));
        run.push(peer, trace, ended);
    }
    if let Some(why) = refused {
        run.extra.push(format!(
            "connection {}: {why}; the proxy stopped accepting",
            run.conns.len()
        ));
    }
    run.budget_hit = budget.exhausted();
    run.wanted = opts.connections;
    Ok(run)
}

/// How one direction of a relayed connection ended.
#[derive(Clone, Debug, PartialEq, Eq)]
enum PumpEnd {
    /// EOF, passed on as a half-close.
    Closed,
    /// A reset, passed on as a reset.
    Reset,
    /// The other direction's reset ended this one.
    Aborted,
    /// The deadline or a signal.
    Stopped(Stop),
    /// The flow reached the recorded-call limit.
    Calls,
    /// Something failed in this direction (the error, in words).
    Failed(String),
}

/// What went wrong in one direction ends that connection, not the run.
fn ended_by(r: Result<PumpEnd>) -> PumpEnd {
    match r {
        Ok(end) => end,
        Err(Error::Interrupted { signal }) => PumpEnd::Stopped(Stop::Signal(signal)),
        Err(e) => PumpEnd::Failed(format!("{:#}", anyhow::Error::from(e))),
    }
}

/// Relays one connection both ways; returns its trace, how the client
/// side ended, and a sentence on the server side.
fn relay_one(
    exp: &Experiment,
    opts: &PeerOptions,
    relay: &Relay,
    client: Socket,
    server: Socket,
    budget: Arc<Budget>,
    deadline: Instant,
) -> Result<(Trace, Ended, String)> {
    let clock = Clock::start();
    let mut c2s = FlowRecorder::new(opts.cut(exp), budget.clone());
    let s2c_cut = match opts.cut(exp) {
        f @ Cut::Framing(..) => f,
        _ => Cut::None,
    };
    let mut s2c = FlowRecorder::new(s2c_cut, budget);
    // A reset on either side stops the other pump; both sockets are then
    // closed with SO_LINGER 0, which sends the reset on.
    let reset = AtomicBool::new(false);
    let (up, down) = std::thread::scope(|s| {
        let up = s.spawn(|| pump(&client, &server, &mut c2s, relay, &clock, deadline, &reset));
        let down = pump(&server, &client, &mut s2c, relay, &clock, deadline, &reset);
        (up.join(), down)
    });
    let up = ended_by(up.map_err(|_| Error::Stream("a relay thread panicked".into()))?);
    let down = ended_by(down);
    let counts = (
        net::peer::tcp_counts(&client),
        net::peer::tcp_counts(&server),
    );
    let ended = match up {
        PumpEnd::Closed => Ended::Closed,
        PumpEnd::Reset => Ended::Reset,
        PumpEnd::Aborted => Ended::ResetByServer,
        PumpEnd::Stopped(s) => Ended::Stopped(s),
        PumpEnd::Calls => Ended::Calls,
        PumpEnd::Failed(ref why) => Ended::Failed(why.clone()),
    };
    let note = match down {
        PumpEnd::Closed => "the server closed its side",
        PumpEnd::Reset => "the server reset the connection",
        PumpEnd::Aborted => "the client's reset was passed on to the server",
        PumpEnd::Stopped(_) => "the run stopped before the server was done",
        PumpEnd::Calls => "the replies reached the recorded-call limit",
        PumpEnd::Failed(ref why) => why,
    };
    let note = format!(
        "{note}; the server sent {}",
        crate::units::plural(s2c.offset(), "byte")
    );
    let delivery = match exp.framed() {
        true => Delivery::Framed,
        false => Delivery::Stream,
    };
    if up == PumpEnd::Reset || down == PumpEnd::Reset {
        net::peer::reset(client);
        net::peer::reset(server);
    }
    let trace = Trace {
        capture: Default::default(),
        c2s: c2s.finish(delivery, counts.0.map(|c| c.data_segs_in)),
        s2c: Some(s2c.finish(delivery, counts.1.map(|c| c.data_segs_in))),
        duration_ns: clock.now_ns(),
        capture_read_ns: 0,
    };
    Ok((trace, ended, note))
}

/// Reads from `from` and forwards to `to` until EOF, a reset or a stop.
fn pump(
    from: &Socket,
    to: &Socket,
    rec: &mut FlowRecorder,
    relay: &Relay,
    clock: &Clock,
    deadline: Instant,
    reset: &AtomicBool,
) -> Result<PumpEnd> {
    let mut buf = vec![0u8; READ];
    let mut held: Vec<u8> = Vec::new();
    let mut batch: Option<Instant> = None;
    let mut cutter = relay.chunk.cutter();
    // One timeout each way, set once: a blocked call wakes every slice to
    // look at the deadline and for Ctrl-C (a setsockopt per call halved the rate).
    from.set_read_timeout(Some(net::peer::SLICE))
        .map_err(|e| Error::io("set SO_RCVTIMEO", e))?;
    to.set_write_timeout(Some(net::peer::SLICE))
        .map_err(|e| Error::io("set SO_SNDTIMEO", e))?;
    let mut short = false;
    loop {
        if rec.calls() >= MAX_CALLS {
            return Ok(PumpEnd::Calls);
        }
        if reset.load(Ordering::Relaxed) {
            return Ok(PumpEnd::Aborted);
        }
        if let Some(stop) = stop_now(deadline) {
            forward(to, &held, &mut cutter, rec, relay, clock, deadline)?;
            return Ok(PumpEnd::Stopped(stop));
        }
        let due = batch.zip(relay.coalesce).map(|(b, c)| b + c);
        if due.is_some_and(|d| Instant::now() >= d) {
            forward(to, &held, &mut cutter, rec, relay, clock, deadline)?;
            held.clear();
            batch = None;
            continue;
        }
        // A coalescing batch waits only until it is due.
        if let Some(d) = due {
            net::peer::read_slice(from, d.min(deadline))
                .map_err(|e| Error::io("set SO_RCVTIMEO", e))?;
            short = true;
        } else if short {
            from.set_read_timeout(Some(net::peer::SLICE))
                .map_err(|e| Error::io("set SO_RCVTIMEO", e))?;
            short = false;
        }
        match net::recv(from, &mut buf) {
            Ok(0) => {
                forward(to, &held, &mut cutter, rec, relay, clock, deadline)?;
                net::peer::shutdown(to, Shutdown::Write);
                return Ok(PumpEnd::Closed);
            }
            Ok(n) => {
                let queued = net::peer::bytes_queued(from);
                rec.recv(clock, &buf[..n], READ, n, queued);
                match relay.coalesce {
                    Some(_) => {
                        held.extend_from_slice(&buf[..n]);
                        batch.get_or_insert_with(Instant::now);
                        // A batch is forwarded early rather than grow past its cap.
                        if held.len() >= MAX_HELD {
                            forward(to, &held, &mut cutter, rec, relay, clock, deadline)?;
                            held.clear();
                            batch = None;
                        }
                    }
                    // Forwarded from the read buffer itself: no copy.
                    None => forward(to, &buf[..n], &mut cutter, rec, relay, clock, deadline)?,
                }
            }
            Err(e) if net::is_timeout(&e) || e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if net::peer::is_reset(&e) => {
                reset.store(true, Ordering::Relaxed);
                return Ok(PumpEnd::Reset);
            }
            Err(e) => return Err(Error::io("proxy: recv", e)),
        }
    }
}

/// Writes `held` to `to`, cut by the chunking, pausing between chunks.
fn forward(
    to: &Socket,
    held: &[u8],
    cutter: &mut Cutter,
    rec: &mut FlowRecorder,
    relay: &Relay,
    clock: &Clock,
    deadline: Instant,
) -> Result<()> {
    let mut at = 0;
    while at < held.len() {
        let n = cutter.next(held.len() - at);
        match write_all(
            to,
            &held[at..at + n],
            rec,
            clock,
            deadline,
            "proxy: forward",
        ) {
            Ok(()) => {}
            // The other side went away: what is left cannot be delivered.
            Err(Error::Io { source, .. }) if net::peer::is_reset(&source) => break,
            Err(e) => return Err(e),
        }
        at += n;
        if at < held.len()
            && !relay.chunk_gap.is_zero()
            && wait(relay.chunk_gap, deadline).is_some()
        {
            break;
        }
    }
    Ok(())
}
