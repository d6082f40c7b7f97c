//! The system layer: the only code that calls socket2 or nix, and the only
//! code that reads /proc or /sys.
//! - Sockets (`tcp`, `udp`, this file): creating loopback sockets, setting
//!   options, send/recv calls with deadlines, TCP_INFO.
//! - Host facts (`host`): the kernel release, sysctls and loopback MTU a run
//!   records, probed once per run, and whether the kernel trusts the TSC.
//! - The atomic rename (`fs`): renameat2 for swapping in a results folder.
//! - Signal handlers (`signal`): sigaction for SIGINT and SIGTERM.
//! - The network lab (`lab`): two network namespaces joined by a veth pair,
//!   with an MTU, a rate limit and the offloads off.
//!
//! Kernel quirks worth knowing (they show in the results):
//! - Linux doubles the SO_SNDBUF / SO_RCVBUF value you set, and clamps it to a
//!   minimum (4608 bytes for SO_SNDBUF, 2304 for SO_RCVBUF) (`nianbao` records what was asked; the kernel reports the doubled value).
//! - `net.ipv4.tcp_autocorking` lets Linux hold small writes while earlier
//!   data is still queued, even with TCP_NODELAY on.

pub mod capture;
pub mod fs;
pub mod host;
pub mod lab;
pub mod peer;
pub mod signal;
mod tcp;
pub mod tracer;
mod udp;

pub use host::HostFacts;
pub use tcp::{
    accept_until, connect_tcp, data_segs_out, listen_tcp, local_addr, recv, send, send_vectored,
    set_cork, set_nonblocking, set_quickack, shutdown_write, TcpOptions,
};
pub use udp::{bind_udp_pair, recv_datagram, send_datagram, Datagram};

/// A socket, as the functions here make and take it.
pub use socket2::Socket;

use crate::error::{Error, Result};
use std::io;
use std::time::{Duration, Instant};

/// The smallest socket timeout used, so a deadline a moment away still waits.
const MIN_TIMEOUT: Duration = Duration::from_millis(1);

/// Sets the socket's receive timeout to what is left before `deadline`, or
/// fails with a deadline error naming what was awaited.
pub fn recv_timeout_until(
    sock: &Socket,
    deadline: Instant,
    side: &'static str,
    total: Duration,
    what: impl FnOnce() -> String,
) -> Result<()> {
    let left = time_left(deadline, side, total, what)?;
    sock.set_read_timeout(Some(left))
        .map_err(|e| Error::io(format!("{side}: set SO_RCVTIMEO"), e))
}

/// Same as [`recv_timeout_until`] for the send side (SO_SNDTIMEO).
pub fn send_timeout_until(
    sock: &Socket,
    deadline: Instant,
    side: &'static str,
    total: Duration,
    what: impl FnOnce() -> String,
) -> Result<()> {
    let left = time_left(deadline, side, total, what)?;
    sock.set_write_timeout(Some(left))
        .map_err(|e| Error::io(format!("{side}: set SO_SNDTIMEO"), e))
}

/// What is left before `deadline` (at least [`MIN_TIMEOUT`]), or the deadline error.
fn time_left(
    deadline: Instant,
    side: &'static str,
    total: Duration,
    what: impl FnOnce() -> String,
) -> Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(Error::Deadline {
            side,
            what: what(),
            after: total,
        });
    }
    Ok(left.max(MIN_TIMEOUT))
}

/// Whether an I/O error is a timeout of SO_RCVTIMEO/SO_SNDTIMEO or EAGAIN.
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Waits until the socket can take more bytes, at most until `deadline`.
pub fn wait_writable(sock: &Socket, deadline: Instant) -> io::Result<bool> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    let left = deadline.saturating_duration_since(Instant::now());
    let ms = u16::try_from(left.as_millis().max(1)).unwrap_or(u16::MAX);
    let mut fds = [PollFd::new(sock.as_fd(), PollFlags::POLLOUT)];
    let n = poll(&mut fds, PollTimeout::from(ms)).map_err(io::Error::from)?;
    Ok(n > 0)
}

/// A bind error with a hint for the common causes.
pub fn bind_error(addr: std::net::SocketAddr, e: io::Error) -> Error {
    let hint = match e.kind() {
        io::ErrorKind::AddrInUse => {
            " (the port is already in use: pick another `transport.port`, or 0 for any free port)"
        }
        io::ErrorKind::AddrNotAvailable if addr.ip().is_loopback() => {
            " (is IPv6 enabled on loopback? try transport.ip = \"127.0.0.1\")"
        }
        io::ErrorKind::AddrNotAvailable => " (no interface of this machine has that address)",
        _ => "",
    };
    Error::Bind {
        addr: addr.to_string(),
        source: e,
        hint,
    }
}
