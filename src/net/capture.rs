//! Packet capture: an AF_PACKET socket on one interface with a classic BPF
//! filter attached in the kernel, so only one TCP port's packets reach user
//! space. It needs CAP_NET_RAW (root).
//!
//! The socket is made with protocol 0, which receives nothing; the filter is
//! attached; only then is it bound to the interface with ETH_P_ALL. So no
//! packet of another program is ever queued to it, not even for a moment.
//! On loopback every packet passes twice, once leaving and once arriving:
//! PACKET_IGNORE_OUTGOING (Linux 4.20) keeps only the arriving copy, and on
//! an older kernel the leaving copies are skipped by their packet type. On
//! one end of a veth pair each packet passes once, arriving or leaving, and
//! both are kept (`keep_outgoing`).
//!
//! Each packet is stamped by the kernel when it reached the socket
//! (SO_TIMESTAMPNS, CLOCK_REALTIME). The packets wait in the socket's receive
//! buffer (raised to [`RCVBUF`]) until the trial is over and [`Capture::drain`]
//! reads them, so capturing adds no thread and no system call to the trial;
//! what did not fit is counted by PACKET_STATISTICS and reported as drops.

use crate::error::Error;
use nix::libc;
use nix::sys::socket::{self, ControlMessageOwned, LinkAddr, MsgFlags};
use std::io::{self, IoSliceMut};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// Receive buffer asked for (SO_RCVBUFFORCE): room for the packets of a
/// trial until they are read after it.
pub const RCVBUF: usize = 64 << 20;

/// Largest packet read: the loopback MTU (65536) and its link header.
const SNAP: usize = 65536 + 64;

/// The transport whose port a capture filters on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    /// The IP protocol number (IPv4's protocol, IPv6's next header).
    fn number(self) -> u32 {
        match self {
            Proto::Tcp => 6,
            Proto::Udp => 17,
        }
    }
}

/// An open capture of one TCP or UDP port on one interface.
pub struct Capture {
    fd: OwnedFd,
    /// Whether the kernel drops the leaving copies itself.
    ignores_outgoing: bool,
    /// Whether leaving packets are kept (an interface that shows each once).
    keep_outgoing: bool,
}

/// Whether opening a capture failed for lack of the right (CAP_NET_RAW).
pub fn not_permitted(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EPERM) | Some(libc::EACCES))
}

impl Capture {
    /// Opens a capture of `tcp port PORT` (or `udp port PORT`; IPv4 or
    /// IPv6; port 0: every port) on `interface`, keeping the packets
    /// leaving through it too when `keep_outgoing`.
    pub fn open(
        interface: &str,
        port: u16,
        proto: Proto,
        keep_outgoing: bool,
    ) -> io::Result<Capture> {
        // SAFETY: plain socket(2); the fd is owned at once.
        let raw = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a new fd that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let filter = match port {
            0 => any_port_filter(proto),
            p => port_filter(p, proto),
        };
        let prog = libc::sock_fprog {
            len: filter.len() as u16,
            filter: filter.as_ptr() as *mut libc::sock_filter,
        };
        setsockopt_raw(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_ATTACH_FILTER,
            &prog,
        )?;
        let one: libc::c_int = 1;
        let ignores_outgoing = !keep_outgoing
            && setsockopt_raw(
                fd.as_raw_fd(),
                libc::SOL_PACKET,
                libc::PACKET_IGNORE_OUTGOING,
                &one,
            )
            .is_ok();
        setsockopt_raw(fd.as_raw_fd(), libc::SOL_SOCKET, libc::SO_TIMESTAMPNS, &one)?;
        let size = RCVBUF as libc::c_int;
        if setsockopt_raw(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUFFORCE,
            &size,
        )
        .is_err()
        {
            setsockopt_raw(fd.as_raw_fd(), libc::SOL_SOCKET, libc::SO_RCVBUF, &size)?;
        }
        let index = nix::net::if_::if_nametoindex(interface).map_err(io::Error::from)?;
        // SAFETY: an all-zero sockaddr_ll is valid; the fields below fill it.
        let mut addr: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        addr.sll_family = libc::AF_PACKET as u16;
        addr.sll_protocol = (libc::ETH_P_ALL as u16).to_be();
        addr.sll_ifindex = index as i32;
        // SAFETY: bind(2) with a sockaddr_ll of the size given.
        let got = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                &addr as *const libc::sockaddr_ll as *const libc::sockaddr,
                std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if got < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Capture {
            fd,
            ignores_outgoing,
            keep_outgoing,
        })
    }

    /// Reads every packet waiting, oldest first, up to `max_packets`, and
    /// hands each to `each`: the kernel's timestamp (ns since the Unix
    /// epoch), the frame's bytes (Ethernet header first) and its length on
    /// the link. Returns the kernel's count of packets dropped for lack of
    /// room (PACKET_STATISTICS).
    pub fn drain(
        &self,
        max_packets: usize,
        mut each: impl FnMut(u64, &[u8], u32),
    ) -> io::Result<u64> {
        let mut buf = vec![0u8; SNAP];
        let mut read = 0;
        while read < max_packets {
            let mut iov = [IoSliceMut::new(&mut buf)];
            let mut cmsg = nix::cmsg_space!(nix::sys::time::TimeSpec);
            let msg = match socket::recvmsg::<LinkAddr>(
                self.fd.as_raw_fd(),
                &mut iov,
                Some(&mut cmsg),
                MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_TRUNC,
            ) {
                Ok(m) => m,
                Err(nix::errno::Errno::EAGAIN) => break,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            };
            let outgoing = msg
                .address
                .is_some_and(|a| a.pkttype() == libc::PACKET_OUTGOING);
            if outgoing && !self.ignores_outgoing && !self.keep_outgoing {
                continue;
            }
            let mut realtime_ns = 0;
            for c in msg.cmsgs().map_err(io::Error::from)? {
                if let ControlMessageOwned::ScmTimestampns(ts) = c {
                    realtime_ns = ts.tv_sec() as u64 * 1_000_000_000 + ts.tv_nsec() as u64;
                }
            }
            let len = msg.bytes;
            read += 1;
            each(realtime_ns, &buf[..len.min(SNAP)], len as u32);
        }
        self.drops()
    }

    /// Packets the kernel dropped because the socket's buffer was full.
    fn drops(&self) -> io::Result<u64> {
        // SAFETY: tpacket_stats is two u32 counters; getsockopt fills it.
        let mut stats: libc::tpacket_stats = unsafe { std::mem::zeroed() };
        let mut len = std::mem::size_of::<libc::tpacket_stats>() as libc::socklen_t;
        // SAFETY: getsockopt(2) into a local of the length given.
        let got = unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_PACKET,
                libc::PACKET_STATISTICS,
                &mut stats as *mut libc::tpacket_stats as *mut libc::c_void,
                &mut len,
            )
        };
        if got < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(u64::from(stats.tp_drops))
    }
}

/// The clock packets are stamped with, now: ns since the Unix epoch.
pub fn realtime_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// An error opening a capture; a missing right is named.
pub fn open_error(interface: &str, e: io::Error) -> Error {
    let needs = match not_permitted(&e) {
        true => " (needs root or CAP_NET_RAW)",
        false => "",
    };
    Error::io(
        format!("capture on {interface}: cannot open an AF_PACKET socket{needs}"),
        e,
    )
}

fn setsockopt_raw<T>(
    fd: RawFd,
    level: libc::c_int,
    name: libc::c_int,
    value: &T,
) -> io::Result<()> {
    // SAFETY: setsockopt(2) reads `size_of::<T>()` bytes from `value`.
    let got = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            value as *const T as *const libc::c_void,
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    };
    if got < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// The classic BPF program of plain `tcp` (or `udp`), any port: IPv6 with
/// TCP (UDP) as the next header, or IPv4 with it as the protocol, first
/// fragments only.
fn any_port_filter(proto: Proto) -> Vec<libc::sock_filter> {
    let n = proto.number();
    let op = |code: u32, jt: u8, jf: u8, k: u32| libc::sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    };
    const LDH: u32 = 0x28;
    const LDB: u32 = 0x30;
    const JEQ: u32 = 0x15;
    const JSET: u32 = 0x45;
    const RET: u32 = 0x06;
    vec![
        op(LDH, 0, 0, 12),          // 0: ethertype
        op(JEQ, 0, 2, 0x86dd),      // 1: IPv6? else 4
        op(LDB, 0, 0, 20),          // 2: next header
        op(JEQ, 5, 6, n),           // 3: TCP (UDP)? → accept, else reject
        op(JEQ, 0, 5, 0x0800),      // 4: IPv4? else reject
        op(LDB, 0, 0, 23),          // 5: protocol
        op(JEQ, 0, 3, n),           // 6: TCP (UDP)? else reject
        op(LDH, 0, 0, 20),          // 7: flags and fragment offset
        op(JSET, 1, 0, 0x1fff),     // 8: a later fragment: reject
        op(RET, 0, 0, SNAP as u32), // 9: accept
        op(RET, 0, 0, 0),           // 10: reject
    ]
}

/// The classic BPF program of `tcp port PORT` (or `udp port PORT`) over
/// Ethernet, IPv4 (any header length, first fragments only) or IPv6 (TCP or
/// UDP as the next header): the program `tcpdump -dd 'tcp port PORT'`
/// prints (UDP's ports sit where TCP's do).
fn port_filter(port: u16, proto: Proto) -> Vec<libc::sock_filter> {
    let p = u32::from(port);
    let n = proto.number();
    let op = |code: u32, jt: u8, jf: u8, k: u32| libc::sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    };
    const LDH: u32 = 0x28; // ldh [k]
    const LDB: u32 = 0x30; // ldb [k]
    const JEQ: u32 = 0x15; // jeq #k
    const JSET: u32 = 0x45; // jset #k
    const LDXB_MSH: u32 = 0xb1; // ldxb 4*([k]&0xf)
    const LDH_X: u32 = 0x48; // ldh [x + k]
    const RET: u32 = 0x06; // ret #k
    vec![
        op(LDH, 0, 0, 12),          // 0: ethertype
        op(JEQ, 0, 6, 0x86dd),      // 1: IPv6? else 8
        op(LDB, 0, 0, 20),          // 2: next header
        op(JEQ, 0, 15, n),          // 3: TCP (UDP)? else reject
        op(LDH, 0, 0, 54),          // 4: source port
        op(JEQ, 12, 0, p),          // 5: → accept
        op(LDH, 0, 0, 56),          // 6: destination port
        op(JEQ, 10, 11, p),         // 7: → accept, else reject
        op(JEQ, 0, 10, 0x0800),     // 8: IPv4? else reject
        op(LDB, 0, 0, 23),          // 9: protocol
        op(JEQ, 0, 8, n),           // 10: TCP (UDP)? else reject
        op(LDH, 0, 0, 20),          // 11: flags and fragment offset
        op(JSET, 6, 0, 0x1fff),     // 12: a later fragment: reject
        op(LDXB_MSH, 0, 0, 14),     // 13: x = IPv4 header length
        op(LDH_X, 0, 0, 14),        // 14: source port
        op(JEQ, 2, 0, p),           // 15: → accept
        op(LDH_X, 0, 0, 16),        // 16: destination port
        op(JEQ, 0, 1, p),           // 17: → accept, else reject
        op(RET, 0, 0, SNAP as u32), // 18: accept
        op(RET, 0, 0, 0),           // 19: reject
    ]
}
