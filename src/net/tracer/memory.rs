//! Reading a tracee's memory (process_vm_readv): never writing it. A call's
//! buffer, its iovec array, its msghdr.

use nix::sys::uio::{process_vm_readv, RemoteIoVec};
use nix::unistd::Pid;
use std::io::IoSliceMut;

/// Most iovec entries read (the kernel's UIO_MAXIOV).
pub const MAX_IOV: usize = 1024;

/// Appends up to `len` bytes at `addr` in `pid` to `out`; how many were read.
pub fn read(pid: Pid, addr: u64, len: usize, out: &mut Vec<u8>) -> usize {
    gather(pid, &[(addr, len as u64)], len, out)
}

/// Appends the first `total` bytes of the buffers `iov` (address, length)
/// to `out`, in one system call; how many were read.
pub fn gather(pid: Pid, iov: &[(u64, u64)], total: usize, out: &mut Vec<u8>) -> usize {
    let mut remote = Vec::with_capacity(iov.len().min(MAX_IOV));
    let mut left = total as u64;
    for &(base, len) in iov.iter().take(MAX_IOV) {
        if left == 0 {
            break;
        }
        let take = len.min(left);
        if take > 0 {
            remote.push(RemoteIoVec {
                base: base as usize,
                len: take as usize,
            });
        }
        left -= take;
    }
    let want = (total as u64 - left) as usize;
    if want == 0 {
        return 0;
    }
    let start = out.len();
    out.resize(start + want, 0);
    let got =
        process_vm_readv(pid, &mut [IoSliceMut::new(&mut out[start..])], &remote).unwrap_or(0);
    out.truncate(start + got);
    got
}

/// The iovec array at `addr` with `count` entries (at most [`MAX_IOV`]).
pub fn iovecs(pid: Pid, addr: u64, count: u64) -> Vec<(u64, u64)> {
    let count = (count as usize).min(MAX_IOV);
    let mut raw = Vec::new();
    read(pid, addr, count * 16, &mut raw);
    raw.chunks_exact(16)
        .map(|c| (u64_at(c, 0), u64_at(c, 8)))
        .collect()
}

/// What a msghdr says: its iovec array and msg_flags (x86_64 layout:
/// name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48).
pub struct MsgHdr {
    pub iov: Vec<(u64, u64)>,
    pub flags: u32,
    /// msg_name and msg_namelen: the datagram's address.
    pub name: (u64, u32),
}

pub fn msghdr(pid: Pid, addr: u64) -> Option<MsgHdr> {
    let mut raw = Vec::new();
    if read(pid, addr, 56, &mut raw) < 56 {
        return None;
    }
    Some(MsgHdr {
        iov: iovecs(pid, u64_at(&raw, 16), u64_at(&raw, 24)),
        flags: u32::from_ne_bytes([raw[48], raw[49], raw[50], raw[51]]),
        name: (
            u64_at(&raw, 0),
            u32::from_ne_bytes([raw[8], raw[9], raw[10], raw[11]]),
        ),
    })
}

/// The IPv4 or IPv6 socket address of `len` bytes at `addr` in `pid`.
pub fn sockaddr(pid: Pid, addr: u64, len: u32) -> Option<std::net::SocketAddr> {
    use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
    if addr == 0 || len < 8 {
        return None;
    }
    let mut raw = Vec::new();
    read(pid, addr, (len as usize).min(28), &mut raw);
    let family = u16::from_ne_bytes([*raw.first()?, *raw.get(1)?]);
    let port = u16::from_be_bytes([raw[2], raw[3]]);
    match family as i32 {
        nix::libc::AF_INET if raw.len() >= 8 => Some(SocketAddr::from((
            Ipv4Addr::new(raw[4], raw[5], raw[6], raw[7]),
            port,
        ))),
        nix::libc::AF_INET6 if raw.len() >= 24 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(&raw[8..24]);
            Some(SocketAddr::from((Ipv6Addr::from(a), port)))
        }
        _ => None,
    }
}

/// The socklen_t at `addr` (recvfrom's address length, set by the kernel).
pub fn socklen(pid: Pid, addr: u64) -> u32 {
    let mut raw = Vec::new();
    match addr != 0 && read(pid, addr, 4, &mut raw) == 4 {
        true => u32::from_ne_bytes([raw[0], raw[1], raw[2], raw[3]]),
        false => 0,
    }
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_ne_bytes(a)
}
