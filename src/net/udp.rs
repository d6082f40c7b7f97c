//! UDP sockets on loopback, and a recv that reports truncation (MSG_TRUNC)
//! and the kernel's drop counter (SO_RXQ_OVFL).

use super::bind_error;
use crate::error::{Error, Result};
use nix::sys::socket::{recvmsg, setsockopt, sockopt, ControlMessageOwned, MsgFlags};
use socket2::{Domain, Protocol, Socket, Type};
use std::io::{self, IoSliceMut};
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd};

/// A receiving socket bound to `addr` (drop counting on) and a sending socket
/// connected to it.
pub fn bind_udp_pair(
    addr: SocketAddr,
    rcvbuf: Option<u64>,
    sndbuf: Option<u64>,
) -> Result<(Socket, Socket)> {
    let rx = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))
        .map_err(|e| Error::io("create UDP socket", e))?;
    if let Some(n) = rcvbuf {
        rx.set_recv_buffer_size(n as usize)
            .map_err(|e| Error::io(format!("set SO_RCVBUF={n}"), e))?;
    }
    rx.bind(&addr.into()).map_err(|e| bind_error(addr, e))?;
    setsockopt(&rx.as_fd(), sockopt::RxqOvfl, &1)
        .map_err(|e| Error::io("set SO_RXQ_OVFL", e.into()))?;
    let local = rx
        .local_addr()
        .map_err(|e| Error::io("read UDP address", e))?;
    let tx = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))
        .map_err(|e| Error::io("create UDP socket", e))?;
    if let Some(n) = sndbuf {
        tx.set_send_buffer_size(n as usize)
            .map_err(|e| Error::io(format!("set SO_SNDBUF={n}"), e))?;
    }
    tx.connect(&local)
        .map_err(|e| Error::io("connect UDP socket", e))?;
    Ok((rx, tx))
}

/// One datagram as recvfrom saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Datagram {
    /// Bytes placed in the buffer.
    pub len: usize,
    /// The datagram's real length (more than `len` when truncated).
    pub full_len: usize,
    /// The kernel's cumulative count of datagrams dropped on this socket.
    pub drops: Option<u32>,
}

/// Receives one datagram into `buf`, honouring the socket's read timeout.
pub fn recv_datagram(sock: &Socket, buf: &mut [u8]) -> io::Result<Datagram> {
    let mut iov = [IoSliceMut::new(buf)];
    let mut cmsg = nix::cmsg_space!(u32);
    let msg = recvmsg::<()>(
        sock.as_raw_fd(),
        &mut iov,
        Some(&mut cmsg),
        MsgFlags::MSG_TRUNC,
    )
    .map_err(io::Error::from)?;
    let mut drops = None;
    for c in msg.cmsgs().map_err(io::Error::from)? {
        if let ControlMessageOwned::RxqOvfl(n) = c {
            drops = Some(n);
        }
    }
    let full_len = msg.bytes;
    let truncated = msg.flags.contains(MsgFlags::MSG_TRUNC);
    let len = if truncated {
        full_len.min(iov_len(&iov))
    } else {
        full_len
    };
    Ok(Datagram {
        len,
        full_len,
        drops,
    })
}

/// One send() of `bytes` as a datagram on the connected socket.
pub fn send_datagram(sock: &Socket, bytes: &[u8]) -> io::Result<usize> {
    sock.send(bytes)
}

fn iov_len(iov: &[IoSliceMut]) -> usize {
    iov.iter().map(|s| s.len()).sum()
}
