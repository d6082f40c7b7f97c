//! What an fd of a tracee is, learned at its first traced use and forgotten
//! on close, dup2/dup3 onto it, close_range and exec: `readlink
//! /proc/TID/fd/N` names a socket's inode, and for a new inode a copy of the
//! fd (pidfd_getfd, Linux 5.6) gives its type and addresses; the process's
//! /proc/TID/net/tcp says whether its local port is a listening one (then
//! this end is the server's). A UNIX stream socket's peer inode and name
//! come from the kernel's sock_diag ([`super::unix_diag`]).

use nix::libc;
use socket2::{Domain, Socket, Type};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::os::fd::FromRawFd;

/// The kind of socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockKind {
    Tcp,
    Udp,
    UnixStream,
    UnixDgram,
    Other,
}

/// One socket seen in the traced tree, by its inode.
#[derive(Clone, Debug)]
pub struct SockInfo {
    pub kind: SockKind,
    pub local: Option<SocketAddr>,
    pub peer: Option<SocketAddr>,
    /// Whether the local port was one the process's network namespace
    /// listens on (TCP): this end was accepted, so it is the server's.
    pub server: bool,
    /// The process (thread group) that first used it, and its command name.
    pub pid: i32,
    pub comm: String,
    /// Why the addresses are not known, when they are not.
    pub unknown: Option<String>,
    /// UNIX stream: the inode of the other end, when the kernel named one.
    pub peer_ino: Option<u64>,
    /// UNIX: the socket's name as `ss -x` shows it (a path, `@abstract`);
    /// `None` when unnamed. An accepted end has its listener's name.
    pub name: Option<String>,
}

/// What an fd is, as far as nianbao cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FdKind {
    Socket(u64),
    Other,
}

/// The fds of every traced process (by thread group), and the sockets seen.
#[derive(Default)]
pub struct Fds {
    fds: HashMap<(i32, i32), FdKind>,
    pub sockets: HashMap<u64, SockInfo>,
}

impl Fds {
    /// What `fd` of process `tgid` is (asked through thread `tid`), learned
    /// now if not known; `None` when the fd is not open.
    pub fn kind(&mut self, tgid: i32, tid: i32, fd: i32) -> Option<FdKind> {
        if let Some(k) = self.fds.get(&(tgid, fd)) {
            return Some(*k);
        }
        let link = std::fs::read_link(format!("/proc/{tid}/fd/{fd}")).ok()?;
        let link = link.to_string_lossy();
        let kind = match link
            .strip_prefix("socket:[")
            .and_then(|s| s.strip_suffix(']'))
            .and_then(|s| s.parse::<u64>().ok())
        {
            Some(ino) => {
                self.sockets
                    .entry(ino)
                    .or_insert_with(|| learn(ino, tgid, tid, fd));
                FdKind::Socket(ino)
            }
            None => FdKind::Other,
        };
        self.fds.insert((tgid, fd), kind);
        Some(kind)
    }

    /// The socket's kind, if it was seen.
    pub fn sock_kind(&self, ino: u64) -> Option<SockKind> {
        self.sockets.get(&ino).map(|s| s.kind)
    }

    /// Learns a UDP socket's local address again once it has one: a
    /// client's socket is bound to a port by its first send.
    pub fn rebind(&mut self, ino: u64, tid: i32, fd: i32) {
        let Some(s) = self.sockets.get_mut(&ino) else {
            return;
        };
        if s.local.is_some_and(|a| a.port() != 0) {
            return;
        }
        if let Ok(sock) = copy_fd(tid, fd) {
            s.local = sock.local_addr().ok().and_then(|a| a.as_socket());
            s.peer = sock.peer_addr().ok().and_then(|a| a.as_socket());
        }
    }

    /// Asks again for a UNIX stream socket's peer while it has none: a
    /// client that sends before the server accept()ed has an embryo for a
    /// peer, which has no inode yet. Called at each of its calls and
    /// before it is closed (by then the server may have accepted).
    pub fn repeer(&mut self, ino: u64, tid: i32) {
        let Some(s) = self.sockets.get_mut(&ino) else {
            return;
        };
        if s.kind != SockKind::UnixStream || s.peer_ino.is_some() || s.unknown.is_some() {
            return;
        }
        if let Ok(d) = super::unix_diag::query_for(tid, ino) {
            s.peer_ino = d.peer;
        }
    }

    /// Forgets `fd` of `tgid` as it is closed; a UNIX stream socket
    /// without a known peer is asked about once more first.
    pub fn closing(&mut self, tgid: i32, tid: i32, fd: i32) {
        if let Some(FdKind::Socket(ino)) = self.fds.get(&(tgid, fd)).copied() {
            self.repeer(ino, tid);
        }
        self.forget(tgid, fd);
    }

    /// Forgets `fd` of `tgid` (closed, or replaced by dup2).
    pub fn forget(&mut self, tgid: i32, fd: i32) {
        self.fds.remove(&(tgid, fd));
    }

    /// Forgets fds `first..=last` of `tgid` (close_range).
    pub fn forget_range(&mut self, tgid: i32, first: u32, last: u32) {
        self.fds
            .retain(|&(g, fd), _| g != tgid || (fd as u32) < first || (fd as u32) > last);
    }

    /// Forgets every fd of `tgid` (exec, exit): learned again at first use.
    pub fn forget_all(&mut self, tgid: i32) {
        self.fds.retain(|&(g, _), _| g != tgid);
    }
}

/// The threads of process `pid` (/proc/PID/task).
pub fn threads(pid: i32) -> std::io::Result<Vec<i32>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        if let Some(tid) = e?.file_name().to_str().and_then(|s| s.parse().ok()) {
            out.push(tid);
        }
    }
    Ok(out)
}

/// The socket behind `fd` of `tid`: a copy of the fd through a pidfd.
fn learn(ino: u64, tgid: i32, tid: i32, fd: i32) -> SockInfo {
    let comm = std::fs::read_to_string(format!("/proc/{tgid}/comm"))
        .map(|s| s.trim_end().to_string())
        .unwrap_or_default();
    let mut info = SockInfo {
        kind: SockKind::Other,
        local: None,
        peer: None,
        server: false,
        pid: tgid,
        comm,
        unknown: None,
        peer_ino: None,
        name: None,
    };
    let sock = match copy_fd(tid, fd) {
        Ok(s) => s,
        Err(e) => {
            info.unknown = Some(format!("pidfd_getfd: {e}"));
            return info;
        }
    };
    let (domain, ty) = (sock.domain().ok(), sock.r#type().ok());
    info.kind = match (domain, ty) {
        (Some(Domain::IPV4 | Domain::IPV6), Some(Type::STREAM)) => SockKind::Tcp,
        (Some(Domain::IPV4 | Domain::IPV6), Some(Type::DGRAM)) => SockKind::Udp,
        (Some(Domain::UNIX), Some(Type::STREAM)) => SockKind::UnixStream,
        (Some(Domain::UNIX), Some(Type::DGRAM)) => SockKind::UnixDgram,
        _ => SockKind::Other,
    };
    info.local = sock.local_addr().ok().and_then(|a| a.as_socket());
    info.peer = sock.peer_addr().ok().and_then(|a| a.as_socket());
    if let (SockKind::Tcp, Some(local)) = (info.kind, info.local) {
        info.server = listening(tid, local);
    }
    if info.kind == SockKind::UnixStream {
        match super::unix_diag::query_for(tid, ino) {
            Ok(d) => {
                info.peer_ino = d.peer;
                info.name = d.name.as_deref().map(super::unix_diag::shown);
            }
            Err(e) => info.unknown = Some(format!("sock_diag: {e}")),
        }
    }
    info
}

/// A copy of `fd` of `tid` in this process.
fn copy_fd(tid: i32, fd: i32) -> std::io::Result<Socket> {
    // SAFETY: pidfd_open(2) returns a new fd or -1.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, tid, 0) };
    if pidfd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: the pidfd is ours; pidfd_getfd(2) returns a new fd or -1.
    let copy = unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd, fd, 0) };
    let err = std::io::Error::last_os_error();
    // SAFETY: closing the pidfd made above.
    unsafe { libc::close(pidfd as i32) };
    if copy < 0 {
        return Err(err);
    }
    // SAFETY: `copy` is a new fd owned by nobody else.
    Ok(unsafe { Socket::from_raw_fd(copy as i32) })
}

/// Whether `local`'s port is in LISTEN state in the namespace of `tid`.
fn listening(tid: i32, local: SocketAddr) -> bool {
    let file = match local {
        SocketAddr::V4(_) => "tcp",
        SocketAddr::V6(_) => "tcp6",
    };
    let Ok(text) = std::fs::read_to_string(format!("/proc/{tid}/net/{file}")) else {
        return false;
    };
    text.lines().skip(1).any(|l| {
        let mut f = l.split_whitespace();
        let (local_f, st) = (f.nth(1), f.nth(1));
        st == Some("0A")
            && local_f
                .and_then(|a| a.rsplit(':').next())
                .and_then(|p| u16::from_str_radix(p, 16).ok())
                == Some(local.port())
    })
}
