//! Sockets that face someone else's program: a listener that gives up
//! waiting without failing, the bytes still queued after a read (SIOCINQ),
//! TCP_INFO counts, a reset sent as a reset (SO_LINGER 0), and UDP sockets
//! bound or connected to a named address.

use super::bind_error;
use crate::error::{Error, Result};
use nix::libc;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// How long one blocking wait lasts before it looks for Ctrl-C again.
pub const SLICE: Duration = Duration::from_millis(50);

/// Waits for one connection until `until`, in slices so Ctrl-C is seen:
/// `Ok(None)` when `until` passes (or `stop()` says so) with none.
pub fn accept_before(
    listener: &Socket,
    until: Instant,
    stop: impl Fn() -> bool,
) -> Result<Option<(Socket, SocketAddr)>> {
    loop {
        if stop() {
            return Ok(None);
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        listener
            .set_read_timeout(Some(left.min(SLICE).max(Duration::from_millis(1))))
            .map_err(|e| Error::io("set SO_RCVTIMEO on the listener", e))?;
        match listener.accept() {
            Ok((sock, addr)) => {
                sock.set_read_timeout(None)
                    .map_err(|e| Error::io("clear SO_RCVTIMEO", e))?;
                let addr = addr
                    .as_socket()
                    .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
                return Ok(Some((sock, addr)));
            }
            Err(e) if super::is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io("accept", e)),
        }
    }
}

/// Connects to someone else's server at `addr`; a refusal names the address.
pub fn connect_to(addr: SocketAddr, nodelay: bool, total: Duration) -> Result<Socket> {
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .map_err(|e| Error::io("create TCP socket", e))?;
    sock.set_nodelay(nodelay)
        .map_err(|e| Error::io("set TCP_NODELAY", e))?;
    sock.connect_timeout(&SockAddr::from(addr), total)
        .map_err(|e| Error::io(format!("connect to {addr}"), e))?;
    Ok(sock)
}

/// Sets the read timeout to one slice (or what is left before `until`).
pub fn read_slice(sock: &Socket, until: Instant) -> io::Result<()> {
    let left = until.saturating_duration_since(Instant::now());
    sock.set_read_timeout(Some(left.min(SLICE).max(Duration::from_millis(1))))
}

/// Bytes waiting in the socket's receive queue (SIOCINQ), if the kernel says.
pub fn bytes_queued(sock: &Socket) -> Option<u64> {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD (SIOCINQ) writes one int through the pointer.
    let ret = unsafe { libc::ioctl(sock.as_raw_fd(), libc::FIONREAD, &mut n) };
    (ret == 0 && n >= 0).then_some(n as u64)
}

/// TCP_INFO counts of a connection, as far as this kernel reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpCounts {
    /// Segments carrying data that this socket received.
    pub data_segs_in: u64,
    /// Segments carrying data that this socket sent.
    pub data_segs_out: u64,
    /// Segments retransmitted, all told.
    pub total_retrans: u64,
    /// Smoothed round-trip time, microseconds.
    pub rtt_us: u64,
}

/// The connection's TCP_INFO counts.
pub fn tcp_counts(sock: &Socket) -> Option<TcpCounts> {
    // SAFETY: tcp_info is plain data; getsockopt writes at most `len` bytes into it.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    let ret = unsafe {
        libc::getsockopt(
            sock.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&mut info as *mut libc::tcp_info).cast(),
            &mut len,
        )
    };
    let needed = std::mem::offset_of!(libc::tcp_info, tcpi_data_segs_out) + 4;
    (ret == 0 && len as usize >= needed).then(|| TcpCounts {
        data_segs_in: u64::from(info.tcpi_data_segs_in),
        data_segs_out: u64::from(info.tcpi_data_segs_out),
        total_retrans: u64::from(info.tcpi_total_retrans),
        rtt_us: u64::from(info.tcpi_rtt),
    })
}

/// Closes with a reset (SO_LINGER 0), as a peer's reset is passed on.
pub fn reset(sock: Socket) {
    let _ = sock.set_linger(Some(Duration::ZERO));
    drop(sock);
}

/// shutdown(SHUT_RD|SHUT_WR) as asked; errors of a peer already gone are ignored.
pub fn shutdown(sock: &Socket, how: Shutdown) {
    let _ = sock.shutdown(how);
}

/// Whether an error is the peer resetting the connection.
pub fn is_reset(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
    )
}

/// A UDP socket bound to `addr` (port 0: any free port) for datagrams from anyone.
pub fn bind_udp(addr: SocketAddr, rcvbuf: Option<u64>) -> Result<Socket> {
    let sock = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))
        .map_err(|e| Error::io("create UDP socket", e))?;
    if let Some(n) = rcvbuf {
        sock.set_recv_buffer_size(n as usize)
            .map_err(|e| Error::io(format!("set SO_RCVBUF={n}"), e))?;
    }
    sock.bind(&addr.into()).map_err(|e| bind_error(addr, e))?;
    Ok(sock)
}

/// Receives one datagram into `buf` with its sender's address (MSG_TRUNC:
/// the real length even when the buffer was smaller).
pub fn recv_datagram_from(
    sock: &Socket,
    buf: &mut [u8],
) -> io::Result<(super::Datagram, Option<SocketAddr>)> {
    use nix::sys::socket::{recvmsg, MsgFlags, SockaddrLike, SockaddrStorage};
    use std::io::IoSliceMut;
    let cap = buf.len();
    let mut iov = [IoSliceMut::new(buf)];
    let msg = recvmsg::<SockaddrStorage>(sock.as_raw_fd(), &mut iov, None, MsgFlags::MSG_TRUNC)
        .map_err(io::Error::from)?;
    let from = msg.address.and_then(|a| {
        a.as_sockaddr_in()
            .map(|v4| SocketAddr::from((v4.ip(), v4.port())))
            .or_else(|| {
                a.as_sockaddr_in6()
                    .map(|v6| SocketAddr::from((v6.ip(), v6.port())))
            })
            .filter(|_| a.family().is_some())
    });
    let full_len = msg.bytes;
    Ok((
        super::Datagram {
            len: full_len.min(cap),
            full_len,
            drops: None,
        },
        from,
    ))
}

/// Sends one datagram to `addr`.
pub fn send_to(sock: &Socket, bytes: &[u8], addr: SocketAddr) -> io::Result<usize> {
    sock.send_to(bytes, &addr.into())
}
