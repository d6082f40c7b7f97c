//! The tracer's loop: one `waitpid(-1, __WALL)` after another, each stop
//! handled on the shortest path and the tracee restarted at once.

use super::sockets::{FdKind, Fds};
use super::spawn::{self, Launch};
use super::{memory, Call, Ending, Options, Status, Sys, Traced};
use crate::error::{Error, Result};
use nix::errno::Errno;
use nix::libc;
use nix::sys::ptrace::{self, Event};
use nix::sys::signal::{self, SaFlags, SigAction, SigHandler, SigSet, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::{Duration, Instant};

/// How long killed tracees may take to be reported gone before the tracer
/// gives up on them (and says how many were left).
const GRACE: Duration = Duration::from_secs(5);
/// How often the watchdog looks at the deadline and for a signal.
const TICK: Duration = Duration::from_millis(20);
/// The watchdog's reason for a deadline (signals are positive).
const DEADLINE: i32 = -1;

extern "C" fn wake_up(_: libc::c_int) {}

/// Runs `launch` under ptrace until its whole tree has ended, or the
/// deadline or a signal ended it (then the tree is killed).
pub fn run(launch: &Launch, opts: &Options) -> Result<Traced> {
    watch(opts, |t, reason| t.run(launch, reason))
}

/// Attaches to the running process `pid` (all its threads, PTRACE_SEIZE)
/// and records until it exits, or the deadline or a signal comes (then
/// nianbao detaches and the process goes on). No filter can be put into a
/// running process, so every system call stops, at entry and exit.
pub fn attach(pid: i32, opts: &Options) -> Result<Traced> {
    watch(opts, |t, reason| t.attach(pid, reason))
}

/// Runs `body` with the watchdog beside it.
fn watch(
    opts: &Options,
    body: impl FnOnce(Tracer<'_>, &AtomicI32) -> Result<Traced>,
) -> Result<Traced> {
    let wake = SigAction::new(
        SigHandler::Handler(wake_up),
        SaFlags::empty(),
        SigSet::empty(),
    );
    // SAFETY: the handler does nothing; it only makes waitpid return EINTR.
    let old = unsafe { signal::sigaction(Signal::SIGUSR1, &wake) }
        .map_err(|e| Error::io("trace: install the SIGUSR1 wake-up", e.into()))?;
    let reason = AtomicI32::new(0);
    let done = AtomicBool::new(false);
    // SAFETY: pthread_self has no preconditions.
    let tracer = unsafe { libc::pthread_self() };
    let started = Instant::now();
    let result = std::thread::scope(|s| {
        let watchdog = s.spawn(|| {
            while !done.load(Ordering::SeqCst) {
                if reason.load(Ordering::SeqCst) == 0 {
                    if let Some(sig) = (opts.stop)() {
                        reason.store(sig, Ordering::SeqCst);
                    } else if started.elapsed() >= opts.deadline {
                        reason.store(DEADLINE, Ordering::SeqCst);
                    }
                }
                if reason.load(Ordering::SeqCst) != 0 {
                    // SAFETY: the tracer thread outlives this scope's threads.
                    unsafe { libc::pthread_kill(tracer, libc::SIGUSR1) };
                }
                std::thread::park_timeout(TICK);
            }
        });
        let r = body(Tracer::new(opts, started), &reason);
        done.store(true, Ordering::SeqCst);
        watchdog.thread().unpark();
        r
    });
    // SAFETY: putting back the disposition that was there.
    let _ = unsafe { signal::sigaction(Signal::SIGUSR1, &old) };
    result
}

struct Tracee {
    tgid: i32,
    /// Whether its first stop (SIGSTOP after attach) has been seen.
    started: bool,
}

/// A call stopped at its entry, waiting for its exit.
struct Entry {
    sys: Sys,
    fd: i32,
    ino: u64,
    args: [u64; 6],
}

struct Tracer<'a> {
    opts: &'a Options,
    started: Instant,
    tracees: HashMap<i32, Tracee>,
    pending: HashMap<i32, Entry>,
    fds: Fds,
    out: Traced,
    root: i32,
    killed: Option<Instant>,
    /// Attached to a running process (`--pid`): stopping detaches.
    attached: bool,
    /// Syscall-stepping (no filter): every call stops at entry and exit;
    /// the threads between the two.
    step: bool,
    in_call: HashSet<i32>,
}

impl<'a> Tracer<'a> {
    fn new(opts: &'a Options, started: Instant) -> Self {
        Tracer {
            opts,
            started,
            tracees: HashMap::new(),
            pending: HashMap::new(),
            fds: Fds::default(),
            out: Traced::default(),
            root: 0,
            killed: None,
            attached: false,
            step: false,
            in_call: HashSet::new(),
        }
    }

    fn run(mut self, launch: &Launch, reason: &AtomicI32) -> Result<Traced> {
        let child = spawn::fork_child(launch).map_err(|e| Error::io("trace: fork", e))?;
        self.root = child.pid;
        self.out.processes = 1;
        self.tracees.insert(
            child.pid,
            Tracee {
                tgid: child.pid,
                started: true,
            },
        );
        self.wait_loop(reason, true)?;
        if self.out.status.is_none() || !self.exec_seen() {
            if let Some((stage, e)) = spawn::child_error(&child.errors) {
                return Err(Error::io(
                    format!("trace: {}", spawn::stage_name(stage, &launch.path)),
                    e,
                ));
            }
        }
        Ok(self.finish())
    }

    /// Seizes every thread of `pid`, then records.
    fn attach(mut self, pid: i32, reason: &AtomicI32) -> Result<Traced> {
        self.root = pid;
        self.attached = true;
        self.step = true;
        self.out.attached = Some(pid);
        self.out.processes = 1;
        let o = ptrace::Options::PTRACE_O_TRACEFORK
            | ptrace::Options::PTRACE_O_TRACEVFORK
            | ptrace::Options::PTRACE_O_TRACECLONE
            | ptrace::Options::PTRACE_O_TRACEEXEC
            | ptrace::Options::PTRACE_O_TRACESYSGOOD;
        // Threads made while attaching are seen on the next pass (or,
        // made by a thread already seized, through its clone event).
        for _ in 0..8 {
            let tids = super::sockets::threads(pid)
                .map_err(|e| Error::io(format!("trace --pid {pid}: no such process"), e))?;
            let new: Vec<i32> = tids
                .into_iter()
                .filter(|t| !self.tracees.contains_key(t))
                .collect();
            if new.is_empty() {
                break;
            }
            for tid in new {
                match ptrace::seize(Pid::from_raw(tid), o) {
                    Ok(()) => {
                        let _ = ptrace::interrupt(Pid::from_raw(tid));
                        self.tracees.insert(
                            tid,
                            Tracee {
                                tgid: pid,
                                started: false,
                            },
                        );
                    }
                    Err(e) if self.tracees.is_empty() => {
                        return Err(super::blocked::attach_error(pid, e.into()))
                    }
                    // A thread that ended meanwhile.
                    Err(_) => {}
                }
            }
        }
        (self.opts.announce)(&format!(
            "tracing pid {pid} ({}); Ctrl-C detaches and leaves it running",
            match self.tracees.len() {
                1 => "1 thread".to_string(),
                n => format!("{n} threads"),
            }
        ));
        self.wait_loop(reason, false)?;
        Ok(self.finish())
    }

    fn finish(mut self) -> Traced {
        self.out.sockets = std::mem::take(&mut self.fds.sockets);
        self.out.duration_ns = self.started.elapsed().as_nanos() as u64;
        self.out.ending.get_or_insert(Ending::Exited);
        self.out
    }

    /// Waits for stops until no tracee is left (or the grace after a kill
    /// or detach has passed).
    fn wait_loop(&mut self, reason: &AtomicI32, mut first: bool) -> Result<()> {
        loop {
            if self.killed.is_none() {
                match reason.load(Ordering::SeqCst) {
                    0 => {}
                    DEADLINE => self.kill_all(Ending::Deadline),
                    sig => self.kill_all(Ending::Signal(sig)),
                }
            } else if self.killed.is_some_and(|k| k.elapsed() > GRACE) {
                self.out.stragglers = self.tracees.len();
                break;
            }
            let status = match waitpid(None, Some(WaitPidFlag::__WALL)) {
                Ok(s) => s,
                Err(Errno::EINTR) => continue,
                Err(Errno::ECHILD) => break,
                Err(e) => return Err(Error::io("trace: waitpid", e.into())),
            };
            let t0 = Instant::now();
            if first && status == WaitStatus::Stopped(Pid::from_raw(self.root), Signal::SIGSTOP) {
                // The child is a tracee and waits: set the options before
                // it installs its filter.
                first = false;
                self.setup(self.root);
                continue;
            }
            self.handle(status);
            self.out.stops += 1;
            self.out.stop_ns += t0.elapsed().as_nanos() as u64;
            if self.attached && self.tracees.is_empty() {
                break;
            }
        }
        Ok(())
    }

    fn exec_seen(&self) -> bool {
        self.out.processes > 1 || !self.out.calls.is_empty() || self.out.stops > 0
    }

    fn setup(&mut self, pid: i32) {
        let o = ptrace::Options::PTRACE_O_TRACESECCOMP
            | ptrace::Options::PTRACE_O_TRACEFORK
            | ptrace::Options::PTRACE_O_TRACEVFORK
            | ptrace::Options::PTRACE_O_TRACECLONE
            | ptrace::Options::PTRACE_O_TRACEEXEC
            | ptrace::Options::PTRACE_O_TRACESYSGOOD
            | ptrace::Options::PTRACE_O_EXITKILL;
        let pid = Pid::from_raw(pid);
        if ptrace::setoptions(pid, o).is_err() {
            let _ = signal::kill(pid, Signal::SIGKILL);
            return;
        }
        let _ = ptrace::cont(pid, None);
    }

    /// Ends the trace: kills the tree nianbao started, or asks every
    /// thread of an attached process to stop so it can be detached.
    fn kill_all(&mut self, why: Ending) {
        self.out.ending = Some(why);
        self.killed = Some(Instant::now());
        for &tid in self.tracees.keys() {
            let _ = match self.attached {
                true => ptrace::interrupt(Pid::from_raw(tid)).map_err(|_| ()),
                false => signal::kill(Pid::from_raw(tid), Signal::SIGKILL).map_err(|_| ()),
            };
        }
    }

    /// Detaching: lets a stopped thread go, with the signal it was
    /// stopped for (so nothing the process should get is lost).
    fn let_go(&mut self, pid: Pid, sig: Option<Signal>) {
        let _ = ptrace::detach(pid, sig);
        self.tracees.remove(&pid.as_raw());
        self.pending.remove(&pid.as_raw());
    }

    fn handle(&mut self, status: WaitStatus) {
        if self.attached && self.killed.is_some() {
            match status {
                WaitStatus::Stopped(pid, sig) if sig != Signal::SIGSTOP => {
                    return self.let_go(pid, Some(sig))
                }
                WaitStatus::Stopped(pid, _)
                | WaitStatus::PtraceEvent(pid, _, _)
                | WaitStatus::PtraceSyscall(pid) => return self.let_go(pid, None),
                _ => {}
            }
        }
        match status {
            WaitStatus::PtraceEvent(pid, _, ev) if ev == Event::PTRACE_EVENT_STOP as i32 => {
                // A seized thread's first stop, an interrupt, or a
                // group-stop: (re)start it.
                self.adopt(pid.as_raw());
                if let Some(t) = self.tracees.get_mut(&pid.as_raw()) {
                    t.started = true;
                }
                self.go(pid)
            }
            WaitStatus::PtraceSyscall(pid) if self.step => {
                if self.in_call.remove(&pid.as_raw()) {
                    self.exit(pid)
                } else {
                    self.in_call.insert(pid.as_raw());
                    self.entry(pid)
                }
            }
            WaitStatus::PtraceEvent(pid, _, ev) => {
                if ev == Event::PTRACE_EVENT_SECCOMP as i32 {
                    return self.entry(pid);
                }
                if ev == Event::PTRACE_EVENT_FORK as i32
                    || ev == Event::PTRACE_EVENT_VFORK as i32
                    || ev == Event::PTRACE_EVENT_CLONE as i32
                {
                    if let Ok(new) = ptrace::getevent(pid) {
                        self.adopt(new as i32);
                    }
                } else if ev == Event::PTRACE_EVENT_EXEC as i32 {
                    let tgid = self.tgid(pid.as_raw());
                    self.fds.forget_all(tgid);
                    if let Ok(former) = ptrace::getevent(pid) {
                        if former as i32 != pid.as_raw() {
                            self.tracees.remove(&(former as i32));
                        }
                    }
                    // The new program has not run an instruction yet: one
                    // that is set-user-ID would run without its privileges
                    // under an ordinary user's ptrace. It is stopped here.
                    if !self.attached && !nix::unistd::geteuid().is_root() {
                        if let Some(path) = privileged(pid.as_raw()) {
                            self.out.refused = Some(path);
                            return self.kill_all(Ending::Refused);
                        }
                    }
                }
                self.go(pid)
            }
            WaitStatus::PtraceSyscall(pid) => self.exit(pid),
            WaitStatus::Stopped(pid, sig) => self.signal(pid, sig),
            WaitStatus::Exited(pid, code) => self.gone(pid.as_raw(), Status::Code(code)),
            WaitStatus::Signaled(pid, sig, _) => {
                self.gone(pid.as_raw(), Status::Killed(sig as i32))
            }
            _ => {}
        }
    }

    fn tgid(&self, tid: i32) -> i32 {
        self.tracees.get(&tid).map_or(tid, |t| t.tgid)
    }

    /// A new tracee (its thread group read from /proc).
    fn adopt(&mut self, tid: i32) {
        if self.tracees.contains_key(&tid) {
            return;
        }
        let tgid = std::fs::read_to_string(format!("/proc/{tid}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("Tgid:"))
                    .and_then(|v| v.trim().parse().ok())
            })
            .unwrap_or(tid);
        if tgid == tid {
            self.out.processes += 1;
        }
        self.tracees.insert(
            tid,
            Tracee {
                tgid,
                started: false,
            },
        );
        if self.killed.is_some() {
            let _ = signal::kill(Pid::from_raw(tid), Signal::SIGKILL);
        }
    }

    fn signal(&mut self, pid: Pid, sig: Signal) {
        let tid = pid.as_raw();
        if !self.tracees.get(&tid).is_some_and(|t| t.started) && sig == Signal::SIGSTOP {
            // A new tracee's first stop (maybe before its parent's event).
            self.adopt(tid);
            if let Some(t) = self.tracees.get_mut(&tid) {
                t.started = true;
            }
            return self.go(pid);
        }
        match ptrace::getsiginfo(pid) {
            // A group-stop (after a stop signal was delivered): go on.
            Err(Errno::EINVAL) => self.go(pid),
            // A signal for the tracee: delivered unchanged.
            _ => self.resume(pid, Some(sig)),
        }
    }

    fn gone(&mut self, tid: i32, status: Status) {
        let tgid = self.tgid(tid);
        self.tracees.remove(&tid);
        self.pending.remove(&tid);
        self.in_call.remove(&tid);
        if tid == tgid {
            self.fds.forget_all(tgid);
        }
        if tid == self.root {
            self.out.status = Some(status);
        }
    }

    /// A seccomp stop: the call's entry.
    fn entry(&mut self, pid: Pid) {
        let tid = pid.as_raw();
        let Ok(regs) = ptrace::getregs(pid) else {
            let _ = ptrace::cont(pid, None);
            return;
        };
        let tgid = self.tgid(tid);
        let sys = match regs.orig_rax as libc::c_long {
            libc::SYS_read => Sys::Read,
            libc::SYS_write => Sys::Write,
            libc::SYS_readv => Sys::Readv,
            libc::SYS_writev => Sys::Writev,
            libc::SYS_sendto => Sys::Sendto,
            libc::SYS_recvfrom => Sys::Recvfrom,
            libc::SYS_sendmsg => Sys::Sendmsg,
            libc::SYS_recvmsg => Sys::Recvmsg,
            libc::SYS_close => {
                self.fds.closing(tgid, tid, regs.rdi as i32);
                return self.go(pid);
            }
            libc::SYS_dup2 | libc::SYS_dup3 => {
                self.fds.forget(tgid, regs.rsi as i32);
                return self.go(pid);
            }
            libc::SYS_close_range => {
                self.fds
                    .forget_range(tgid, regs.rdi as u32, regs.rsi as u32);
                return self.go(pid);
            }
            _ => return self.go(pid),
        };
        if self.out.calls.len() >= self.opts.max_calls {
            self.out.call_limit = true;
            return self.go(pid);
        }
        let fd = regs.rdi as i32;
        match self.fds.kind(tgid, tid, fd) {
            Some(FdKind::Socket(ino)) => {
                let args = [regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9];
                self.pending.insert(tid, Entry { sys, fd, ino, args });
                // On to the call's exit stop.
                if ptrace::syscall(pid, None).is_err() {
                    self.pending.remove(&tid);
                    self.in_call.remove(&tid);
                }
            }
            _ => self.go(pid),
        }
    }

    /// Restarts a stopped thread: to its next filtered call, or (stepping)
    /// to its next system call stop.
    fn go(&self, pid: Pid) {
        self.resume(pid, None)
    }

    fn resume(&self, pid: Pid, sig: Option<Signal>) {
        let _ = match self.step {
            true => ptrace::syscall(pid, sig),
            false => ptrace::cont(pid, sig),
        };
    }

    /// A syscall-exit stop: the call returned; record it.
    fn exit(&mut self, pid: Pid) {
        let tid = pid.as_raw();
        let t_ns = self.started.elapsed().as_nanos() as u64;
        let (Some(e), Ok(regs)) = (self.pending.remove(&tid), ptrace::getregs(pid)) else {
            return self.go(pid);
        };
        let ret = regs.rax as i64;
        let at = self.out.bytes.len();
        let (asked, truncated, addr) = self.bytes(pid, &e, ret);
        let kept = (self.out.bytes.len() - at) as u32;
        let peek = match e.sys {
            Sys::Recvfrom => e.args[3] as i32 & libc::MSG_PEEK != 0,
            Sys::Recvmsg => e.args[2] as i32 & libc::MSG_PEEK != 0,
            _ => false,
        };
        self.out.calls.push(Call {
            t_ns,
            pid: self.tgid(tid),
            tid,
            fd: e.fd,
            ino: e.ino,
            sys: e.sys,
            asked,
            ret,
            at,
            kept,
            peek,
            truncated,
            addr,
        });
        self.go(pid)
    }

    /// Reads the call's bytes (up to the cap) into `out.bytes`; gives the
    /// bytes asked, whether recvmsg said MSG_TRUNC, and (UDP) the address
    /// the call named.
    fn bytes(
        &mut self,
        pid: Pid,
        e: &Entry,
        ret: i64,
    ) -> (u64, bool, Option<std::net::SocketAddr>) {
        let left = self.opts.keep.saturating_sub(self.out.bytes.len() as u64);
        let udp = self.fds.sock_kind(e.ino) == Some(super::SockKind::Udp);
        self.fds.repeer(e.ino, pid.as_raw());
        let mut addr = None;
        if udp && ret >= 0 {
            addr = match e.sys {
                Sys::Sendto => memory::sockaddr(pid, e.args[4], e.args[5] as u32),
                Sys::Recvfrom => memory::sockaddr(pid, e.args[4], memory::socklen(pid, e.args[5])),
                _ => None,
            };
            if e.sys.sends() {
                self.fds.rebind(e.ino, pid.as_raw(), e.fd);
            }
        }
        let (iov, asked, truncated) = match e.sys {
            Sys::Read | Sys::Write | Sys::Sendto | Sys::Recvfrom => {
                (vec![(e.args[1], e.args[2])], e.args[2], false)
            }
            Sys::Readv | Sys::Writev if ret > 0 => {
                let iov = memory::iovecs(pid, e.args[1], e.args[2]);
                let asked = iov.iter().map(|v| v.1).sum();
                (iov, asked, false)
            }
            Sys::Sendmsg | Sys::Recvmsg if ret > 0 => match memory::msghdr(pid, e.args[1]) {
                Some(h) => {
                    let asked = h.iov.iter().map(|v| v.1).sum();
                    let trunc = e.sys == Sys::Recvmsg && h.flags as i32 & libc::MSG_TRUNC != 0;
                    if udp {
                        addr = memory::sockaddr(pid, h.name.0, h.name.1);
                    }
                    (h.iov, asked, trunc)
                }
                None => (Vec::new(), 0, false),
            },
            _ => (Vec::new(), 0, false),
        };
        if ret <= 0 {
            return (asked, truncated, addr);
        }
        // A datagram's real length can be more than the buffer held.
        let n = (ret as u64).min(asked);
        let want = n.min(left);
        if want < n {
            self.out.capped = true;
        }
        memory::gather(pid, &iov, want as usize, &mut self.out.bytes);
        (asked, truncated, addr)
    }
}

/// The program process `pid` just exec'd, when it is set-user-ID,
/// set-group-ID (with group execute) or has file capabilities (then the
/// kernel ran it without those privileges, as an ordinary user traces it).
fn privileged(pid: i32) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let exe = format!("/proc/{pid}/exe");
    let mode = std::fs::metadata(&exe).ok()?.permissions().mode();
    let setid = mode & 0o4000 != 0 || mode & 0o2010 == 0o2010;
    let path = std::ffi::CString::new(exe.clone()).ok()?;
    // SAFETY: getxattr(2) with a size of 0 only asks for the length.
    let caps = unsafe {
        libc::getxattr(
            path.as_ptr(),
            c"security.capability".as_ptr(),
            std::ptr::null_mut(),
            0,
        )
    };
    (setid || caps > 0).then(|| {
        std::fs::read_link(&exe)
            .map(|p| p.display().to_string())
            .unwrap_or(exe)
    })
}
