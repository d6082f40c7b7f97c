//! What the kernel says of a UNIX socket, by its inode: the inode of its
//! peer (the other end of a stream connection or socketpair) and its name
//! (a path, an abstract name, or none). Addresses do not identify a UNIX
//! connection (a client is usually unnamed), the peer inode does. Asked by
//! NETLINK_SOCK_DIAG (`ss -x` asks the same) in the network namespace of
//! the process that holds the socket (a short-lived thread enters it when
//! it is not nianbao's), with every wait bounded by a receive timeout.

use nix::libc;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicU32, Ordering};

const SOCK_DIAG_BY_FAMILY: u16 = 20;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const UDIAG_SHOW_NAME: u32 = 0x1;
const UDIAG_SHOW_PEER: u32 = 0x4;
const UNIX_DIAG_NAME: u16 = 0;
const UNIX_DIAG_PEER: u16 = 2;
/// The longest the kernel is waited for.
const TIMEOUT_MS: i64 = 1000;

/// A UNIX socket as the kernel describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnixDiag {
    /// Its peer's inode; `None` when it has none (not connected, a
    /// listener, or the peer is closed).
    pub peer: Option<u64>,
    /// Its name: a path, or an abstract name starting with a NUL byte;
    /// `None` when unnamed. An accepted socket has its listener's name.
    pub name: Option<Vec<u8>>,
}

/// Asks the kernel about the UNIX socket with inode `ino` held by thread
/// `tid`, in `tid`'s network namespace (the kernel finds a UNIX socket by
/// inode only in its own).
pub fn query_for(tid: i32, ino: u64) -> io::Result<UnixDiag> {
    use std::os::unix::fs::MetadataExt;
    let theirs = format!("/proc/{tid}/ns/net");
    let same =
        |a: &std::fs::Metadata, b: &std::fs::Metadata| a.dev() == b.dev() && a.ino() == b.ino();
    match (
        std::fs::metadata("/proc/self/ns/net"),
        std::fs::metadata(&theirs),
    ) {
        (Ok(a), Ok(b)) if !same(&a, &b) => {}
        _ => return query(ino),
    }
    let ns = std::fs::File::open(&theirs)?;
    let fd = ns.as_raw_fd();
    std::thread::scope(|s| {
        s.spawn(move || {
            // SAFETY: setns(2) on an fd open for the whole scope; it moves
            // only this thread, which ends with the query.
            if unsafe { libc::setns(fd, libc::CLONE_NEWNET) } != 0 {
                return Err(io::Error::last_os_error());
            }
            query(ino)
        })
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("sock_diag thread panicked")))
    })
}

/// Asks the kernel about the UNIX socket with inode `ino`, in nianbao's
/// own network namespace.
pub fn query(ino: u64) -> io::Result<UnixDiag> {
    let Ok(ino32) = u32::try_from(ino) else {
        return Err(io::Error::other("inode beyond 32 bits"));
    };
    // SAFETY: socket(2) returns a new fd or -1.
    let fd = unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            libc::NETLINK_SOCK_DIAG,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is new and owned by nobody else.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let tv = libc::timeval {
        tv_sec: TIMEOUT_MS / 1000,
        tv_usec: (TIMEOUT_MS % 1000 * 1000) as libc::suseconds_t,
    };
    for opt in [libc::SO_RCVTIMEO, libc::SO_SNDTIMEO] {
        // SAFETY: `tv` is a valid timeval of the size given.
        let r = unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                opt,
                (&tv as *const libc::timeval).cast(),
                std::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    static SEQ: AtomicU32 = AtomicU32::new(1);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    let req = request(ino32, seq);
    // SAFETY: a zeroed sockaddr_nl is valid; nl_pid 0 is the kernel.
    let mut kernel: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    kernel.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    // SAFETY: `req` and `kernel` are valid for the lengths given.
    let sent = unsafe {
        libc::sendto(
            fd.as_raw_fd(),
            req.as_ptr().cast(),
            req.len(),
            0,
            (&kernel as *const libc::sockaddr_nl).cast(),
            std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
        )
    };
    if sent < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut buf = vec![0u8; 8192];
    // A few datagrams at most: the answer, then DONE or an error.
    for _ in 0..8 {
        // SAFETY: `buf` is valid for its length.
        let n = unsafe { libc::recv(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        if let Some(answer) = parse(&buf[..n as usize], ino32, seq)? {
            return Ok(answer);
        }
    }
    Err(io::Error::other("no answer from sock_diag"))
}

/// The request: nlmsghdr, then unix_diag_req.
fn request(ino: u32, seq: u32) -> Vec<u8> {
    let mut b = Vec::with_capacity(40);
    b.extend_from_slice(&40u32.to_ne_bytes()); // nlmsg_len
    b.extend_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    b.extend_from_slice(&(libc::NLM_F_REQUEST as u16).to_ne_bytes());
    b.extend_from_slice(&seq.to_ne_bytes());
    b.extend_from_slice(&0u32.to_ne_bytes()); // nlmsg_pid
    b.push(libc::AF_UNIX as u8); // sdiag_family
    b.push(0); // sdiag_protocol
    b.extend_from_slice(&0u16.to_ne_bytes()); // pad
    b.extend_from_slice(&u32::MAX.to_ne_bytes()); // udiag_states: all
    b.extend_from_slice(&ino.to_ne_bytes());
    b.extend_from_slice(&(UDIAG_SHOW_PEER | UDIAG_SHOW_NAME).to_ne_bytes());
    b.extend_from_slice(&u32::MAX.to_ne_bytes()); // udiag_cookie: any
    b.extend_from_slice(&u32::MAX.to_ne_bytes());
    b
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The answer for `ino` in one datagram of netlink messages, if it holds it.
fn parse(mut b: &[u8], ino: u32, seq: u32) -> io::Result<Option<UnixDiag>> {
    let short = || io::Error::other("short sock_diag answer");
    while b.len() >= 16 {
        let len = u32_at(b, 0).ok_or_else(short)? as usize;
        if len < 16 || len > b.len() {
            return Err(short());
        }
        let (ty, got_seq) = (u16_at(b, 4).ok_or_else(short)?, u32_at(b, 8));
        let body = &b[16..len];
        b = &b[len.next_multiple_of(4).min(b.len())..];
        if got_seq != Some(seq) {
            continue;
        }
        match ty {
            NLMSG_ERROR => {
                let errno = u32_at(body, 0).ok_or_else(short)? as i32;
                return Err(io::Error::from_raw_os_error(-errno));
            }
            NLMSG_DONE => return Err(io::Error::from_raw_os_error(libc::ENOENT)),
            SOCK_DIAG_BY_FAMILY => {}
            _ => continue,
        }
        // unix_diag_msg: family, type, state, pad, ino, cookie[2].
        if body.len() < 16 || u32_at(body, 4) != Some(ino) {
            continue;
        }
        let mut out = UnixDiag::default();
        let mut a = &body[16..];
        while a.len() >= 4 {
            let alen = u16_at(a, 0).ok_or_else(short)? as usize;
            let aty = u16_at(a, 2).ok_or_else(short)?;
            if alen < 4 || alen > a.len() {
                break;
            }
            let data = &a[4..alen];
            match aty {
                UNIX_DIAG_PEER => out.peer = u32_at(data, 0).filter(|&p| p != 0).map(u64::from),
                UNIX_DIAG_NAME if !data.is_empty() => out.name = Some(data.to_vec()),
                _ => {}
            }
            a = &a[alen.next_multiple_of(4).min(a.len())..];
        }
        return Ok(Some(out));
    }
    Ok(None)
}

/// A name as `ss -x` shows it: the path (without the NUL a binder may
/// have counted in its length), or `@` and an abstract name.
pub fn shown(name: &[u8]) -> String {
    match name.split_first() {
        Some((0, rest)) => format!("@{}", String::from_utf8_lossy(rest)),
        _ => {
            let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
            String::from_utf8_lossy(&name[..end]).into_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::net::{UnixListener, UnixStream};

    fn ino(s: &impl AsRawFd) -> u64 {
        std::fs::metadata(format!("/proc/self/fd/{}", s.as_raw_fd()))
            .unwrap()
            .ino()
    }

    #[test]
    fn the_two_ends_of_a_socketpair_are_each_others_peers_and_unnamed() {
        let (a, b) = UnixStream::pair().unwrap();
        let (ia, ib) = (ino(&a), ino(&b));
        let da = query(ia).unwrap();
        let db = query(ib).unwrap();
        assert_eq!(da.peer, Some(ib));
        assert_eq!(db.peer, Some(ia));
        assert_eq!((da.name, db.name), (None, None));
    }

    #[test]
    fn an_accepted_end_has_its_listeners_path_and_the_client_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        let l = UnixListener::bind(&path).unwrap();
        let c = UnixStream::connect(&path).unwrap();
        let (s, _) = l.accept().unwrap();
        let (dc, ds) = (query(ino(&c)).unwrap(), query(ino(&s)).unwrap());
        assert_eq!(dc.peer, Some(ino(&s)));
        assert_eq!(ds.peer, Some(ino(&c)));
        assert_eq!(dc.name, None);
        let name = ds.name.unwrap();
        assert_eq!(shown(&name), path.display().to_string());
        // The listener: named, no peer.
        let dl = query(ino(&l)).unwrap();
        assert_eq!(dl.peer, None);
    }

    #[test]
    fn an_abstract_name_is_shown_with_an_at_sign() {
        assert_eq!(shown(b"\0nianbao"), "@nianbao");
        assert_eq!(shown(b"/tmp/s"), "/tmp/s");
        assert_eq!(shown(b"/tmp/s\0"), "/tmp/s");
    }

    #[test]
    fn a_socket_that_is_not_there_is_an_error() {
        assert!(query(u64::from(u32::MAX - 7)).is_err());
    }
}
