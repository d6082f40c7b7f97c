//! The waits and writes every peer source shares: each bounded by the run's
//! deadline and cut short by Ctrl-C, each write recorded call by call.

use super::record::FlowRecorder;
use crate::error::{Error, Result};
use crate::net::{self, Socket};
use crate::trace::Clock;
use std::time::{Duration, Instant};

/// Why a peer source stopped before its peer was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The run's deadline passed.
    Deadline,
    /// SIGINT or SIGTERM, with its number.
    Signal(i32),
}

/// Whether the run must stop now, and why.
pub fn stop_now(deadline: Instant) -> Option<Stop> {
    if let Some(s) = crate::interrupt::pending() {
        return Some(Stop::Signal(s));
    }
    (Instant::now() >= deadline).then_some(Stop::Deadline)
}

/// Sleeps for `d`, waking every slice to see whether the run must stop.
pub fn wait(d: Duration, deadline: Instant) -> Option<Stop> {
    let until = Instant::now() + d;
    loop {
        if let Some(s) = stop_now(deadline) {
            return Some(s);
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        std::thread::sleep(left.min(net::peer::SLICE));
    }
}

/// Writes all of `bytes`, one recorded send() call at a time, within the
/// deadline; `what` names the write in errors. The socket's send timeout
/// (one slice) is set once by the caller, so a blocked send wakes to look
/// at the deadline and for Ctrl-C.
pub fn write_all(
    sock: &Socket,
    bytes: &[u8],
    rec: &mut FlowRecorder,
    clock: &Clock,
    deadline: Instant,
    what: &str,
) -> Result<()> {
    let mut pos = 0;
    rec.begin_write(bytes);
    while pos < bytes.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Error::Limit(format!(
                "{what}: the peer took {pos} of {} bytes before the deadline",
                bytes.len()
            )));
        }
        match net::send(sock, &bytes[pos..], false) {
            Ok(n) => {
                rec.send(clock, &bytes[pos..], n);
                pos += n;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted || net::is_timeout(&e) => {
                if let Some(Stop::Signal(s)) = stop_now(deadline) {
                    return Err(Error::Interrupted { signal: s });
                }
            }
            Err(e) => return Err(Error::io(format!("{what}: send"), e)),
        }
    }
    Ok(())
}
