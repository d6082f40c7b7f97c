//! `nianbao listen --kind udp`: every datagram from anyone, each a message
//! (UDP keeps boundaries), truncation shown when a recv buffer is smaller
//! than the datagram. There are no replies (an experiment refuses
//! `receiver.reply` with UDP). UDP has no close: the run ends when the flow
//! is idle after the first datagram, or at the deadline.

use super::io::{stop_now, wait, Stop};
use super::record::{Budget, Cut, FlowRecorder, MAX_CALLS};
use super::{Ended, PeerOptions, PeerRun};
use crate::error::{Error, Result};
use crate::experiment::Experiment;
use crate::net;
use crate::trace::{Clock, Delivery, Trace};
use std::net::SocketAddr;
use std::time::Instant;

pub(super) fn listen_udp(
    exp: &Experiment,
    opts: &PeerOptions,
    addr: SocketAddr,
    announce: impl FnOnce(SocketAddr),
) -> Result<PeerRun> {
    let sock = net::peer::bind_udp(addr, exp.receiver.rcvbuf)?;
    let bound = net::local_addr(&sock).unwrap_or(addr);
    announce(bound);
    let deadline = Instant::now() + exp.deadline;
    let budget = Budget::new(opts.keep);
    let r = &exp.receiver;
    let clock = Clock::start();
    let mut c2s = FlowRecorder::new(Cut::Datagrams, budget.clone());
    let mut buf = vec![0u8; r.recv_sizes.max() as usize];
    let (mut first, mut peer) = (None::<Instant>, None);
    // UDP never closes: after the first datagram, quiet for `idle` ends it.
    let idle = opts.idle.unwrap_or(r.idle);
    let mut last = Instant::now();
    let mut ended = match wait(r.start_delay.fixed(), deadline) {
        Some(stop) => Ended::Stopped(stop),
        None => Ended::Idle,
    };
    let mut i = 0usize;
    while !matches!(ended, Ended::Stopped(_)) {
        if c2s.calls() >= MAX_CALLS {
            ended = Ended::Calls;
            break;
        }
        if let Some(stop) = stop_now(deadline) {
            ended = Ended::Stopped(stop);
            break;
        }
        if first.is_some() && last.elapsed() >= idle {
            break;
        }
        let asked = r.recv_sizes.at(i) as usize;
        net::peer::read_slice(&sock, deadline).map_err(|e| Error::io("set SO_RCVTIMEO", e))?;
        let (d, from) = match net::peer::recv_datagram_from(&sock, &mut buf[..asked]) {
            Ok(got) => got,
            Err(e) if net::is_timeout(&e) || e.kind() == std::io::ErrorKind::Interrupted => {
                continue
            }
            Err(e) => return Err(Error::io("listen: recvmsg", e)),
        };
        i += 1;
        last = Instant::now();
        first.get_or_insert(last);
        peer = peer.or(from);
        c2s.recv(&clock, &buf[..d.len], asked, d.full_len, None);
        if let Some(stop) = wait(r.recv_gap, deadline) {
            ended = Ended::Stopped(stop);
        }
    }
    let mut run = PeerRun::new(bound);
    run.datagrams = true;
    run.stop = match ended {
        Ended::Stopped(s @ Stop::Signal(_)) => Some(s),
        _ => None,
    };
    let Some(peer) = peer else {
        if let Some(Stop::Signal(signal)) = run.stop {
            return Err(Error::Interrupted { signal });
        }
        return Err(Error::Limit(format!(
            "listen: no datagram came to {bound} within {} (the deadline; give --deadline up to 600s to wait longer)",
            crate::units::format_duration(exp.deadline)
        )));
    };
    let trace = Trace {
        capture: Default::default(),
        c2s: c2s.finish(Delivery::Datagram, None),
        s2c: None,
        duration_ns: clock.now_ns(),
        capture_read_ns: 0,
    };
    run.push(peer, trace, ended);
    run.budget_hit = budget.exhausted();
    Ok(run)
}
