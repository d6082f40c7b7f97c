//! `nianbao listen`: be the server for someone else's client. Accepts up to
//! N connections (each one trial), reads each with the experiment's receiver
//! knobs (recv sizes, late start, gaps, SO_RCVBUF), answers as `--reply`
//! says, and records every read with its bytes and what was still queued.

use super::io::{stop_now, wait, write_all, Stop};
use super::record::{Budget, FlowRecorder, MAX_CALLS};
use super::{Ended, PeerOptions, PeerRun};
use crate::engine::{generate, reply_bytes};
use crate::error::{Error, Result};
use crate::experiment::{Experiment, Kind, Reply};
use crate::net::{self, Socket};
use crate::trace::{Clock, Delivery, Trace};
use std::net::{Shutdown, SocketAddr};
use std::time::Instant;

/// Listens as `exp` says; `announce` gets the bound address before any
/// client can be accepted.
pub fn listen(
    exp: &Experiment,
    opts: &PeerOptions,
    announce: impl FnOnce(SocketAddr),
) -> Result<PeerRun> {
    let addr = SocketAddr::new(exp.transport.ip, exp.transport.port);
    match exp.transport.kind {
        Kind::Tcp => listen_tcp(exp, opts, addr, announce),
        Kind::Udp => super::listen_udp::listen_udp(exp, opts, addr, announce),
    }
}

fn listen_tcp(
    exp: &Experiment,
    opts: &PeerOptions,
    addr: SocketAddr,
    announce: impl FnOnce(SocketAddr),
) -> Result<PeerRun> {
    let listener = net::listen_tcp(addr, exp.receiver.rcvbuf)?;
    let bound = net::local_addr(&listener).unwrap_or(addr);
    announce(bound);
    let started = Instant::now();
    let deadline = started + exp.deadline;
    let budget = Budget::new(opts.keep);
    let mut run = PeerRun::new(bound);
    let results = std::thread::scope(|s| {
        let mut served = Vec::new();
        while served.len() < opts.connections {
            let next = net::peer::accept_before(&listener, deadline, || {
                crate::interrupt::pending().is_some()
            })?;
            let Some((sock, peer)) = next else { break };
            let budget = budget.clone();
            served.push((
                peer,
                s.spawn(move || serve(exp, opts, sock, budget, deadline)),
            ));
        }
        let mut out = Vec::new();
        for (peer, h) in served {
            let r = h
                .join()
                .map_err(|_| Error::Stream("a connection's thread panicked".into()))?;
            out.push((peer, r?));
        }
        Ok::<_, Error>(out)
    })?;
    run.stop = stop_now(deadline).filter(|s| matches!(s, Stop::Signal(_)));
    if results.is_empty() {
        if let Some(Stop::Signal(signal)) = run.stop {
            return Err(Error::Interrupted { signal });
        }
        return Err(Error::Limit(format!(
            "listen: no client connected to {bound} within {} (the deadline; give --deadline up to 600s to wait longer)",
            crate::units::format_duration(exp.deadline)
        )));
    }
    if results.iter().all(|(_, (t, _))| t.c2s.recvs.is_empty()) {
        if let Some(Stop::Signal(signal)) = run.stop {
            return Err(Error::Interrupted { signal });
        }
        let (peer, _) = &results[0];
        return Err(Error::Limit(format!(
            "listen: the client at {peer} connected but sent nothing within {} (the deadline; give --deadline up to 600s to wait longer)",
            crate::units::format_duration(exp.deadline)
        )));
    }
    for (peer, (trace, ended)) in results {
        run.push(peer, trace, ended);
    }
    run.budget_hit = budget.exhausted();
    run.wanted = opts.connections;
    Ok(run)
}

/// Serves one connection: the c2s reads and, with replies, the s2c writes.
fn serve(
    exp: &Experiment,
    opts: &PeerOptions,
    sock: Socket,
    budget: std::sync::Arc<Budget>,
    deadline: Instant,
) -> Result<(Trace, Ended)> {
    let clock = Clock::start();
    sock.set_write_timeout(Some(net::peer::SLICE))
        .map_err(|e| Error::io("set SO_SNDTIMEO", e))?;
    let r = &exp.receiver;
    let mut c2s = FlowRecorder::new(opts.cut(exp), budget.clone());
    let mut s2c = (r.reply != Reply::None).then(|| FlowRecorder::writer(budget));
    let ended = match wait(r.start_delay.fixed(), deadline) {
        Some(stop) => Ended::Stopped(stop),
        // What went wrong on this connection ends it, not the run: the
        // other connections and what this one gathered are still written.
        None => match read_all(exp, opts, &sock, &clock, deadline, &mut c2s, s2c.as_mut()) {
            Ok(ended) => ended,
            Err(Error::Interrupted { signal }) => Ended::Stopped(Stop::Signal(signal)),
            Err(e) => Ended::Failed(format!("{:#}", anyhow::Error::from(e))),
        },
    };
    let counts = net::peer::tcp_counts(&sock);
    net::peer::shutdown(&sock, Shutdown::Write);
    let delivery = match exp.framed() {
        true => Delivery::Framed,
        false => Delivery::Stream,
    };
    let trace = Trace {
        capture: Default::default(),
        c2s: c2s.finish(delivery, counts.map(|c| c.data_segs_in)),
        s2c: s2c.map(|f| f.finish(Delivery::Stream, counts.map(|c| c.data_segs_out))),
        duration_ns: clock.now_ns(),
        capture_read_ns: 0,
    };
    Ok((trace, ended))
}

/// Reads until the client closes, goes idle, resets, or the run must stop.
fn read_all(
    exp: &Experiment,
    opts: &PeerOptions,
    sock: &Socket,
    clock: &Clock,
    deadline: Instant,
    c2s: &mut FlowRecorder,
    mut s2c: Option<&mut FlowRecorder>,
) -> Result<Ended> {
    let r = &exp.receiver;
    let mut buf = vec![0u8; r.recv_sizes.max() as usize];
    let (mut out, mut replies) = (Vec::new(), 0u64);
    let mut last = Instant::now();
    for i in 0.. {
        if c2s.calls() >= MAX_CALLS {
            return Ok(Ended::Calls);
        }
        let asked = r.recv_sizes.at(i) as usize;
        let n = loop {
            if let Some(stop) = stop_now(deadline) {
                return Ok(Ended::Stopped(stop));
            }
            if opts.idle.is_some_and(|idle| last.elapsed() >= idle) {
                return Ok(Ended::Idle);
            }
            net::peer::read_slice(sock, deadline).map_err(|e| Error::io("set SO_RCVTIMEO", e))?;
            match net::recv(sock, &mut buf[..asked]) {
                Ok(n) => break n,
                Err(e) if net::is_timeout(&e) || e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) if net::peer::is_reset(&e) => return Ok(Ended::Reset),
                Err(e) => {
                    return Err(Error::io(
                        format!("listen: recv after {} bytes", c2s.offset()),
                        e,
                    ))
                }
            }
        };
        if n == 0 {
            return Ok(Ended::Closed);
        }
        last = Instant::now();
        let queued = net::peer::bytes_queued(sock);
        c2s.recv(clock, &buf[..n], asked, n, queued);
        if let Some(rec) = s2c.as_deref_mut() {
            match &r.reply {
                Reply::Sizes(sizes) => generate(replies, sizes.at(replies as usize), &mut out),
                other => reply_bytes(other, &buf[..n], &mut out),
            }
            replies += 1;
            write_all(sock, &out, rec, clock, deadline, "listen: reply")?;
        }
        if let Some(stop) = wait(r.recv_gap, deadline) {
            return Ok(Ended::Stopped(stop));
        }
    }
    unreachable!("the loop returns")
}
