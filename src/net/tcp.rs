//! TCP sockets on loopback: listener, client, options, TCP_INFO.

use super::bind_error;
use crate::error::{Error, Result};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::time::{Duration, Instant};

/// Options set on the client (sending) socket.
#[derive(Clone, Copy, Debug, Default)]
pub struct TcpOptions {
    /// TCP_NODELAY: turn Nagle's algorithm off.
    pub nodelay: bool,
    /// SO_SNDBUF in bytes (the kernel doubles it), or the default.
    pub sndbuf: Option<u64>,
    /// TCP_CORK: hold partial segments until uncorked.
    pub cork: bool,
}

/// A listening socket on `addr` with SO_RCVBUF set before listen, so the
/// accepted socket inherits it (and its window scale).
pub fn listen_tcp(addr: SocketAddr, rcvbuf: Option<u64>) -> Result<Socket> {
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .map_err(|e| Error::io("create TCP socket", e))?;
    if addr.port() == 0 {
        sock.set_reuse_address(true)
            .map_err(|e| Error::io("set SO_REUSEADDR", e))?;
    }
    if let Some(n) = rcvbuf {
        sock.set_recv_buffer_size(n as usize)
            .map_err(|e| Error::io(format!("set SO_RCVBUF={n}"), e))?;
    }
    sock.bind(&addr.into()).map_err(|e| bind_error(addr, e))?;
    sock.listen(16)
        .map_err(|e| Error::io(format!("listen on {addr}"), e))?;
    Ok(sock)
}

/// Accepts one connection, waiting at most until `deadline`.
pub fn accept_until(listener: &Socket, deadline: Instant, total: Duration) -> Result<Socket> {
    super::recv_timeout_until(listener, deadline, "receiver", total, || {
        "the sender to connect".into()
    })?;
    match listener.accept() {
        Ok((sock, _)) => {
            sock.set_read_timeout(None)
                .map_err(|e| Error::io("clear SO_RCVTIMEO", e))?;
            Ok(sock)
        }
        Err(e) if super::is_timeout(&e) => Err(Error::Deadline {
            side: "receiver",
            what: "the sender to connect".into(),
            after: total,
        }),
        Err(e) => Err(Error::io("accept", e)),
    }
}

/// Connects to `addr` with the sender's options set first.
pub fn connect_tcp(addr: SocketAddr, opts: &TcpOptions, total: Duration) -> Result<Socket> {
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .map_err(|e| Error::io("create TCP socket", e))?;
    if let Some(n) = opts.sndbuf {
        sock.set_send_buffer_size(n as usize)
            .map_err(|e| Error::io(format!("set SO_SNDBUF={n}"), e))?;
    }
    sock.set_nodelay(opts.nodelay)
        .map_err(|e| Error::io("set TCP_NODELAY", e))?;
    sock.connect_timeout(&SockAddr::from(addr), total)
        .map_err(|e| Error::io(format!("connect to {addr}"), e))?;
    if opts.cork {
        sock.set_cork(true)
            .map_err(|e| Error::io("set TCP_CORK", e))?;
    }
    Ok(sock)
}

/// Data segments this socket has sent (TCP_INFO `tcpi_data_segs_out`).
pub fn data_segs_out(sock: &Socket) -> Option<u64> {
    super::peer::tcp_counts(sock).map(|c| c.data_segs_out)
}

/// One send() from `bytes`, with MSG_NOSIGNAL (a closed peer is an error,
/// not SIGPIPE) and MSG_MORE when `more`; the bytes the kernel took.
pub fn send(sock: &Socket, bytes: &[u8], more: bool) -> io::Result<usize> {
    use nix::libc::{MSG_MORE, MSG_NOSIGNAL};
    let more = if more { MSG_MORE } else { 0 };
    sock.send_with_flags(bytes, MSG_NOSIGNAL | more)
}

/// One writev() of `parts` (sendmsg with one iovec each), with
/// MSG_NOSIGNAL and MSG_MORE when `more`; the bytes the kernel took.
pub fn send_vectored(sock: &Socket, parts: &[io::IoSlice], more: bool) -> io::Result<usize> {
    use nix::libc::{MSG_MORE, MSG_NOSIGNAL};
    let more = if more { MSG_MORE } else { 0 };
    sock.send_vectored_with_flags(parts, MSG_NOSIGNAL | more)
}

/// Asks for quick ACKs (TCP_QUICKACK): every segment that arrives is ACKed
/// at once instead of after the delayed-ACK timer. Linux leaves this mode
/// by itself, so it is asked again after every read.
pub fn set_quickack(sock: &Socket) -> io::Result<()> {
    sock.set_quickack(true)
}

/// One recv() into `buf`, retried on EINTR; 0 at EOF.
pub fn recv(sock: &Socket, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        // SAFETY: an initialised &mut [u8] is a valid [MaybeUninit<u8>].
        let uninit = unsafe { &mut *(buf as *mut [u8] as *mut [std::mem::MaybeUninit<u8>]) };
        match sock.recv(uninit) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Turns O_NONBLOCK on or off.
pub fn set_nonblocking(sock: &Socket, on: bool) -> io::Result<()> {
    sock.set_nonblocking(on)
}

/// Turns TCP_CORK on or off.
pub fn set_cork(sock: &Socket, on: bool) -> io::Result<()> {
    sock.set_cork(on)
}

/// shutdown(SHUT_WR): sends FIN, keeps reading.
pub fn shutdown_write(sock: &Socket) -> io::Result<()> {
    sock.shutdown(Shutdown::Write)
}

/// The address the socket is bound to, when it has an IP one.
pub fn local_addr(sock: &Socket) -> Option<SocketAddr> {
    sock.local_addr().ok().and_then(|a| a.as_socket())
}
