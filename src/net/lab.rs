//! The network lab: two fresh network namespaces joined by a veth pair, so a
//! trial crosses a link with a real MTU, a rate limit (tbf) and, where the
//! kernel has netem, delay and loss. It needs root (CAP_SYS_ADMIN to make
//! the namespaces, CAP_NET_ADMIN to configure them).
//!
//! The namespaces are anonymous: a short-lived thread unshares its network
//! namespace and hands back an fd to it, and the [`Lab`] holds the two fds.
//! Nothing is mounted under /run/netns, so when the fds close — the Lab
//! dropped, the process ending by Ctrl-C, a panic or SIGKILL — the kernel
//! removes the namespaces, and with them the veth pair and its qdiscs.
//! There is never anything stale for a later run to find and delete.
//!
//! A socket belongs to the namespace of the thread that made it, and keeps
//! it wherever it is used; so [`Lab::in_receiver`] and [`Lab::in_sender`]
//! run a closure on a short-lived thread that has entered the namespace
//! (setns), and the sockets it makes are used from any thread afterwards.
//!
//! The links are configured with iproute2 (`ip`, `tc`) run from inside the
//! namespace rather than with netlink from Rust: the rtnetlink crate would
//! bring an async runtime for a dozen set-up calls that each take a few
//! milliseconds. Offloads are turned off with the SIOCETHTOOL ioctl, so the
//! `ethtool` program is not needed: veth hands a GSO/TSO super-segment to
//! its peer whole, and only with TSO, GSO and GRO off on both ends does
//! every segment on the link respect the MTU, as on a real wire.

use crate::error::{Error, Result};
use nix::libc;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The receiver's end of the veth pair, in the receiver's namespace.
pub const RECEIVER_LINK: &str = "nb-rx";
/// The sender's end, in the sender's namespace.
pub const SENDER_LINK: &str = "nb-tx";
/// The receiver's addresses on its veth (a /30 and a /64 of their own:
/// the namespaces are private, so they collide with nothing).
pub const RECEIVER_V4: Ipv4Addr = Ipv4Addr::new(10, 201, 0, 1);
pub const SENDER_V4: Ipv4Addr = Ipv4Addr::new(10, 201, 0, 2);
pub const RECEIVER_V6: Ipv6Addr = Ipv6Addr::new(0xfd6e, 0x6962, 0, 0, 0, 0, 0, 1);
pub const SENDER_V6: Ipv6Addr = Ipv6Addr::new(0xfd6e, 0x6962, 0, 0, 0, 0, 0, 2);

/// Longest an `ip` or `tc` command may take before it is killed.
const COMMAND_WAIT: Duration = Duration::from_secs(5);
/// Longest the veth pair may take to come up.
const LINK_WAIT: Duration = Duration::from_secs(2);

/// The link between the two namespaces.
#[derive(Clone, Debug, PartialEq)]
pub struct LabLink {
    /// MTU of both veth ends, bytes.
    pub mtu: u32,
    /// Rate limit on the sender's end, bits per second (tbf; or netem's
    /// own rate when netem is used).
    pub rate_bps: Option<u64>,
    /// Added one-way delay on the sender's end (netem).
    pub delay: Duration,
    /// Loss on the sender's end, percent of packets (netem).
    pub loss_percent: f64,
}

impl LabLink {
    /// Whether the link needs netem (delay or loss).
    pub fn needs_netem(&self) -> bool {
        !self.delay.is_zero() || self.loss_percent > 0.0
    }
}

/// Two network namespaces joined by a veth pair; dropping it removes them.
#[derive(Debug)]
pub struct Lab {
    receiver: OwnedFd,
    sender: OwnedFd,
}

/// The receiver's address on the lab's link, IPv4 or IPv6.
pub fn receiver_ip(v6: bool) -> IpAddr {
    match v6 {
        true => IpAddr::V6(RECEIVER_V6),
        false => IpAddr::V4(RECEIVER_V4),
    }
}

impl Lab {
    /// Makes the namespaces and the link, turns the offloads off and puts
    /// the qdisc on the sender's end. Fails with what is missing: the
    /// right (root), `ip`/`tc`, or the kernel's netem (`sch_netem`).
    pub fn create(link: &LabLink) -> Result<Lab> {
        let receiver = new_namespace()?;
        let sender = new_namespace()?;
        let lab = Lab { receiver, sender };
        let peer = format!("/proc/{}/fd/{}", std::process::id(), lab.sender.as_raw_fd());
        let mtu = link.mtu.to_string();
        lab.in_receiver(|| -> Result<()> {
            run(
                "ip",
                &[
                    "link",
                    "add",
                    RECEIVER_LINK,
                    "mtu",
                    &mtu,
                    "type",
                    "veth",
                    "peer",
                    "name",
                    SENDER_LINK,
                    "mtu",
                    &mtu,
                    "netns",
                    &peer,
                ],
            )?;
            configure(RECEIVER_LINK, RECEIVER_V4, RECEIVER_V6)
        })??;
        lab.in_sender(|| -> Result<()> {
            configure(SENDER_LINK, SENDER_V4, SENDER_V6)?;
            qdisc(link)
        })??;
        lab.in_sender(|| wait_up(SENDER_LINK))??;
        lab.in_receiver(|| wait_up(RECEIVER_LINK))??;
        Ok(lab)
    }

    /// Runs `f` on a thread inside the receiver's namespace.
    pub fn in_receiver<T: Send>(&self, f: impl FnOnce() -> T + Send) -> Result<T> {
        within(&self.receiver, "the receiver's", f)
    }

    /// Runs `f` on a thread inside the sender's namespace.
    pub fn in_sender<T: Send>(&self, f: impl FnOnce() -> T + Send) -> Result<T> {
        within(&self.sender, "the sender's", f)
    }
}

/// A new network namespace, held by an fd: a thread unshares its own and
/// opens it, then ends (the process's other threads are not moved).
fn new_namespace() -> Result<OwnedFd> {
    let made = std::thread::scope(|s| {
        s.spawn(|| -> io::Result<OwnedFd> {
            // SAFETY: unshare(2) changes only this thread's namespaces.
            if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
                return Err(io::Error::last_os_error());
            }
            std::fs::File::open("/proc/thread-self/ns/net").map(OwnedFd::from)
        })
        .join()
    });
    match made {
        Ok(Ok(fd)) => Ok(fd),
        Ok(Err(e)) if matches!(e.raw_os_error(), Some(libc::EPERM) | Some(libc::EACCES)) => {
            Err(Error::LabNeedsRoot { source: e })
        }
        Ok(Err(e)) => Err(Error::Lab {
            what: "network lab: cannot make a network namespace".into(),
            source: Some(e),
        }),
        Err(_) => Err(lab_error(
            "network lab: the thread making a namespace panicked",
        )),
    }
}

/// Runs `f` on a new thread that has entered the namespace `ns`.
fn within<T: Send>(ns: &OwnedFd, whose: &str, f: impl FnOnce() -> T + Send) -> Result<T> {
    let fd = ns.as_raw_fd();
    let done = std::thread::scope(|s| {
        s.spawn(move || -> io::Result<T> {
            // SAFETY: setns(2) on an fd this Lab owns; it moves only this thread.
            if unsafe { libc::setns(fd, libc::CLONE_NEWNET) } != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(f())
        })
        .join()
    });
    match done {
        Ok(Ok(t)) => Ok(t),
        Ok(Err(e)) => Err(Error::Lab {
            what: format!("network lab: cannot enter {whose} namespace"),
            source: Some(e),
        }),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

fn lab_error(what: &str) -> Error {
    Error::Lab {
        what: what.into(),
        source: None,
    }
}

/// Addresses, link up, offloads off: one veth end, from inside its namespace.
fn configure(link: &str, v4: Ipv4Addr, v6: Ipv6Addr) -> Result<()> {
    run("ip", &["addr", "add", &format!("{v4}/30"), "dev", link])?;
    // nodad: the address is usable at once (no duplicate detection wait).
    run(
        "ip",
        &[
            "-6",
            "addr",
            "add",
            &format!("{v6}/64"),
            "dev",
            link,
            "nodad",
        ],
    )?;
    offloads_off(link)?;
    run("ip", &["link", "set", link, "up"])
}

/// The qdisc on the sender's end: netem when delay or loss is asked (with
/// its own rate), else tbf when a rate is, else none.
fn qdisc(link: &LabLink) -> Result<()> {
    let dev = SENDER_LINK;
    if link.needs_netem() {
        let mut args: Vec<String> = [
            "qdisc", "add", "dev", dev, "root", "netem", "limit", "10000",
        ]
        .map(String::from)
        .to_vec();
        if !link.delay.is_zero() {
            args.extend(["delay".into(), format!("{}us", link.delay.as_micros())]);
        }
        if link.loss_percent > 0.0 {
            args.extend(["loss".into(), format!("{}%", link.loss_percent)]);
        }
        if let Some(r) = link.rate_bps {
            args.extend(["rate".into(), format!("{r}bit")]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        return run("tc", &args).map_err(|e| match e {
            Error::Lab { what, .. } if what.contains("qdisc kind is unknown") => lab_error(
                "network.delay and network.loss need the kernel's netem qdisc, and this kernel has none (module sch_netem: `modprobe sch_netem`, or a kernel built with CONFIG_NET_SCH_NETEM); remove network.delay and network.loss to run without them",
            ),
            e => e,
        });
    }
    let Some(rate) = link.rate_bps else {
        return Ok(());
    };
    // One full frame of burst: packets leave one at a time, spaced by the
    // rate, from the first on. The queue holds up to 1 MiB, so a burst of
    // small writes queues rather than drops.
    let burst = (link.mtu + 64).to_string();
    run(
        "tc",
        &[
            "qdisc",
            "add",
            "dev",
            dev,
            "root",
            "tbf",
            "rate",
            &format!("{rate}bit"),
            "burst",
            &burst,
            "limit",
            "1048576",
        ],
    )
}

/// Waits until `link` has its carrier (both veth ends up), within [`LINK_WAIT`].
fn wait_up(link: &str) -> Result<()> {
    let until = Instant::now() + LINK_WAIT;
    loop {
        let out = output("ip", &["-o", "link", "show", "dev", link])?;
        if out.contains("LOWER_UP") {
            return Ok(());
        }
        if Instant::now() >= until {
            return Err(lab_error(&format!(
                "network lab: {link} did not come up within {}s: {out}",
                LINK_WAIT.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Runs `program args…` and fails with its stderr.
fn run(program: &str, args: &[&str]) -> Result<()> {
    output(program, args).map(|_| ())
}

/// Runs `program args…` within [`COMMAND_WAIT`]; its stdout, or an error
/// that quotes the command and its stderr.
fn output(program: &str, args: &[&str]) -> Result<String> {
    let line = format!("{program} {}", args.join(" "));
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Lab {
            what: match e.kind() {
                io::ErrorKind::NotFound => format!("network lab: `{program}` not found; it comes with iproute2 (apt-get install iproute2)"),
                _ => format!("network lab: cannot run `{line}`"),
            },
            source: Some(e),
        })?;
    let until = Instant::now() + COMMAND_WAIT;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(1)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(lab_error(&format!(
                    "network lab: `{line}` did not finish within {}s",
                    COMMAND_WAIT.as_secs()
                )));
            }
            Err(e) => {
                return Err(Error::Lab {
                    what: format!("network lab: waiting for `{line}`"),
                    source: Some(e),
                })
            }
        }
    }
    let out = child.wait_with_output().map_err(|e| Error::Lab {
        what: format!("network lab: reading what `{line}` printed"),
        source: Some(e),
    })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(lab_error(&format!(
            "network lab: `{line}` failed: {}",
            err.trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `struct ethtool_value` of <linux/ethtool.h>.
#[repr(C)]
struct EthtoolValue {
    cmd: u32,
    data: u32,
}

/// `struct ifreq` with its union as the `ifr_data` pointer (40 bytes on
/// 64-bit Linux: a 16-byte name, then a 24-byte union).
#[repr(C)]
struct IfreqData {
    name: [libc::c_char; libc::IFNAMSIZ],
    data: *mut EthtoolValue,
    _rest: [u8; 16],
}

const SIOCETHTOOL: libc::c_ulong = 0x8946;
/// The offloads turned off, as (set, get) ethtool commands and their name.
const OFFLOADS: [(u32, u32, &str); 3] = [
    (0x1f, 0x1e, "TSO"), // ETHTOOL_STSO, ETHTOOL_GTSO
    (0x24, 0x23, "GSO"), // ETHTOOL_SGSO, ETHTOOL_GGSO
    (0x2c, 0x2b, "GRO"), // ETHTOOL_SGRO, ETHTOOL_GGRO
];

/// Turns TSO, GSO and GRO off on `link` (in this thread's namespace) and
/// reads each back: the lab fails rather than run with a super-segment.
fn offloads_off(link: &str) -> Result<()> {
    // SAFETY: plain socket(2), owned at once.
    let raw = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if raw < 0 {
        return Err(Error::Lab {
            what: "network lab: socket for SIOCETHTOOL".into(),
            source: Some(io::Error::last_os_error()),
        });
    }
    // SAFETY: `raw` is a new fd nothing else owns.
    let sock = unsafe { OwnedFd::from_raw_fd(raw) };
    for (set, get, name) in OFFLOADS {
        let failed = |e: io::Error| Error::Lab {
            what: format!("network lab: cannot turn {name} off on {link} (SIOCETHTOOL)"),
            source: Some(e),
        };
        ethtool(&sock, link, set, 0).map_err(failed)?;
        if ethtool(&sock, link, get, 0).map_err(failed)? != 0 {
            return Err(lab_error(&format!(
                "network lab: {name} is still on on {link} after turning it off"
            )));
        }
    }
    Ok(())
}

/// One SIOCETHTOOL call with an `ethtool_value`; the value after it.
fn ethtool(sock: &OwnedFd, link: &str, cmd: u32, data: u32) -> io::Result<u32> {
    let mut value = EthtoolValue { cmd, data };
    let mut req = IfreqData {
        name: [0; libc::IFNAMSIZ],
        data: &mut value,
        _rest: [0; 16],
    };
    for (d, s) in req
        .name
        .iter_mut()
        .zip(link.bytes().take(libc::IFNAMSIZ - 1))
    {
        *d = s as libc::c_char;
    }
    // SAFETY: ioctl(2) with an ifreq whose data points at a live ethtool_value.
    let got = unsafe { libc::ioctl(sock.as_raw_fd(), SIOCETHTOOL, &mut req as *mut IfreqData) };
    if got < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(value.data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ifreq_has_the_kernels_size() {
        assert_eq!(std::mem::size_of::<IfreqData>(), 40);
        assert_eq!(std::mem::size_of::<EthtoolValue>(), 8);
    }
}
