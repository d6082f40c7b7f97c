//! Why attaching to a process failed, in words a user can act on: Yama's
//! ptrace_scope, a missing CAP_SYS_PTRACE, a process of another user, a
//! process already traced.

use crate::error::Error;
use std::io;

/// The error for PTRACE_SEIZE of `pid` failing with `e`.
pub fn attach_error(pid: i32, e: io::Error) -> Error {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.split_whitespace().next().unwrap_or("").to_string())
    };
    let scope = std::fs::read_to_string("/proc/sys/kernel/yama/ptrace_scope")
        .ok()
        .map(|s| s.trim().to_string());
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { nix::libc::geteuid() };
    let mut why = Vec::new();
    if let Some(tracer) = field("TracerPid:").filter(|t| t != "0") {
        why.push(format!(
            "it is already traced by pid {tracer} (a debugger or strace)"
        ));
    }
    match scope.as_deref() {
        Some("1") => why.push("Yama's /proc/sys/kernel/yama/ptrace_scope is 1: only a process's ancestors may trace it; run nianbao with sudo (CAP_SYS_PTRACE), or set ptrace_scope to 0".into()),
        Some("2") => why.push("Yama's /proc/sys/kernel/yama/ptrace_scope is 2: only a process with CAP_SYS_PTRACE may attach; run nianbao with sudo".into()),
        Some("3") => why.push("Yama's /proc/sys/kernel/yama/ptrace_scope is 3: attaching is disabled until the next boot".into()),
        _ => {}
    }
    if me != 0 && field("Uid:").is_some_and(|u| u != me.to_string()) {
        why.push(
            "the process belongs to another user: attaching needs CAP_SYS_PTRACE (sudo)".into(),
        );
    }
    if why.is_empty() && e.raw_os_error() == Some(nix::libc::EPERM) {
        why.push("ptrace is not permitted (no CAP_SYS_PTRACE, or a seccomp policy of this container forbids it)".into());
    }
    let what = match why.is_empty() {
        true => format!("trace --pid {pid}: cannot attach"),
        false => format!("trace --pid {pid}: cannot attach: {}", why.join("; ")),
    };
    Error::io(what, e)
}
