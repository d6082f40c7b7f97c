//! `nianbao trace`'s system side: run a command under ptrace, follow its
//! whole tree (forks, vforks, clones, execs) and record, at the exit of each
//! call, every send/sendto/sendmsg/write/writev and recv/recvfrom/recvmsg/
//! read/readv on a socket fd: time, pid and tid, fd, the socket's inode,
//! bytes asked and returned, and the bytes (read from the tracee's memory
//! up to a cap). A seccomp filter ([`filter`]) makes only those calls (and
//! the fd calls that invalidate what nianbao knows of an fd) stop the tracee.
//!
//! Nothing is ever written into a tracee's memory or registers. Every wait
//! is bounded: a watchdog thread wakes the tracer (SIGUSR1, no SA_RESTART)
//! at the deadline or on Ctrl-C, and the tracer then kills the traced tree
//! (PTRACE_O_EXITKILL does the same if nianbao itself dies).

mod blocked;
mod filter;
mod memory;
mod sockets;
mod spawn;
mod unix_diag;
mod wait;

pub use sockets::{SockInfo, SockKind};
pub use spawn::{resolve, Launch, Refused};
pub use wait::{attach, run};

use std::collections::HashMap;
use std::time::Duration;

/// The call that was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sys {
    Read,
    Write,
    Readv,
    Writev,
    Sendto,
    Recvfrom,
    Sendmsg,
    Recvmsg,
}

impl Sys {
    /// Whether the call sends bytes (else it receives them).
    pub fn sends(self) -> bool {
        matches!(self, Sys::Write | Sys::Writev | Sys::Sendto | Sys::Sendmsg)
    }

    /// Its name, as in strace.
    pub fn name(self) -> &'static str {
        match self {
            Sys::Read => "read",
            Sys::Write => "write",
            Sys::Readv => "readv",
            Sys::Writev => "writev",
            Sys::Sendto => "sendto",
            Sys::Recvfrom => "recvfrom",
            Sys::Sendmsg => "sendmsg",
            Sys::Recvmsg => "recvmsg",
        }
    }
}

/// One recorded call on a socket, at its return.
#[derive(Clone, Copy, Debug)]
pub struct Call {
    /// When the tracer saw the call return, ns since the trace started.
    pub t_ns: u64,
    /// Process (thread group) and thread.
    pub pid: i32,
    pub tid: i32,
    pub fd: i32,
    /// The socket's inode: the same socket in every process that holds it.
    pub ino: u64,
    pub sys: Sys,
    /// Bytes the buffer(s) could hold, or asked to send.
    pub asked: u64,
    /// What the call returned: bytes, or -errno.
    pub ret: i64,
    /// Where the bytes kept start in [`Traced::bytes`], and how many were kept
    /// (fewer than `ret` past the cap).
    pub at: usize,
    pub kept: u32,
    /// recv flags asked (MSG_PEEK: the bytes stay queued).
    pub peek: bool,
    /// recvmsg's msg_flags had MSG_TRUNC (a datagram longer than the buffer).
    pub truncated: bool,
    /// UDP: the address the datagram went to (sendto, sendmsg) or came
    /// from (recvfrom, recvmsg), when the call named one.
    pub addr: Option<std::net::SocketAddr>,
}

/// How the traced tree ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Every traced process exited by itself.
    Exited,
    /// The deadline passed and the tree was killed.
    Deadline,
    /// A signal (Ctrl-C, SIGTERM) asked nianbao to stop; the tree was killed.
    Signal(i32),
    /// A program of the tree was set-user-ID or set-group-ID: traced by an
    /// ordinary user it would run without its privileges, so the tree was
    /// killed before it ran ([`Traced::refused`] names it).
    Refused,
}

/// How the command itself ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Code(i32),
    Killed(i32),
}

/// Everything the tracer recorded.
#[derive(Debug, Default)]
pub struct Traced {
    pub calls: Vec<Call>,
    /// The kept bytes of all calls, each call's at its [`Call::at`].
    pub bytes: Vec<u8>,
    pub sockets: HashMap<u64, SockInfo>,
    /// ptrace stops handled, and the time the tracer spent in them (from
    /// the wait's return to the tracee's restart), ns.
    pub stops: u64,
    pub stop_ns: u64,
    /// Wall time of the whole trace, ns.
    pub duration_ns: u64,
    /// The command's exit status (None: not known, e.g. it never started).
    pub status: Option<Status>,
    pub ending: Option<Ending>,
    /// Processes seen in the tree (the command included).
    pub processes: u32,
    /// Whether bytes were past the cap (then lengths only).
    pub capped: bool,
    /// Whether the call limit stopped the recording.
    pub call_limit: bool,
    /// Tracees that had not ended (or been detached) a grace time after
    /// being killed (or asked to stop).
    pub stragglers: usize,
    /// The process attached to (`--pid`), which goes on after nianbao
    /// detaches; `None`: nianbao started the command.
    pub attached: Option<i32>,
    /// The set-user-ID (set-group-ID) program that ended the trace, if one did.
    pub refused: Option<String>,
}

/// What the tracer is told.
pub struct Options {
    /// Bytes kept from all calls together.
    pub keep: u64,
    /// Calls recorded at most.
    pub max_calls: usize,
    /// The traced tree is killed after this long.
    pub deadline: Duration,
    /// A signal asking nianbao to stop (checked by the watchdog).
    pub stop: fn() -> Option<i32>,
    /// Told once every thread of an attached process is seized.
    pub announce: fn(&str),
}
