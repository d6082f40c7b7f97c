//! Starting the command under ptrace: its path found before the fork (so
//! "not found" and "setuid" are clear errors, not a child's exit status),
//! then fork; in the child only async-signal-safe calls on memory made
//! before the fork: PTRACE_TRACEME, stop until the tracer has set its
//! options, install the seccomp filter, exec.

use super::filter;
use nix::libc;
use std::ffi::{CString, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A command ready to start: its resolved path and its argv.
#[derive(Clone, Debug)]
pub struct Launch {
    /// The file that will be executed.
    pub path: PathBuf,
    /// argv, argv[0] as typed.
    pub argv: Vec<OsString>,
}

/// Why a command cannot be traced.
#[derive(Debug)]
pub enum Refused {
    /// No such program in PATH (or the path given does not exist).
    NotFound(String),
    /// The file is not an executable regular file.
    NotExecutable(String),
    /// Set-user-ID or set-group-ID: under ptrace (and with no_new_privs)
    /// it would run without its privileges, so it would not be the program
    /// the user meant.
    Setuid(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::NotFound(p) => write!(f, "`{p}` is not found (not a path, and not in PATH)"),
            Refused::NotExecutable(p) => write!(f, "`{p}` is not an executable file"),
            Refused::Setuid(p) => write!(
                f,
                "`{p}` is set-user-ID or set-group-ID: under ptrace the kernel runs it without its privileges, so it would not behave as it does untraced; nianbao refuses rather than trace a different program"
            ),
        }
    }
}

/// Finds `argv[0]` as execvp would and checks it may be traced.
pub fn resolve(argv: &[OsString]) -> Result<Launch, Refused> {
    let name = argv.first().cloned().unwrap_or_default();
    let shown = name.to_string_lossy().into_owned();
    let candidates: Vec<PathBuf> = if name.as_bytes().contains(&b'/') {
        vec![PathBuf::from(&name)]
    } else {
        let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
        std::env::split_paths(&path)
            .map(|d| d.join(&name))
            .collect()
    };
    let found = candidates
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| Refused::NotFound(shown.clone()))?;
    let mode = std::fs::metadata(&found)
        .map_err(|_| Refused::NotFound(shown.clone()))?
        .permissions()
        .mode();
    if mode & 0o111 == 0 {
        return Err(Refused::NotExecutable(shown));
    }
    if mode & 0o6000 != 0 {
        return Err(Refused::Setuid(found.display().to_string()));
    }
    Ok(Launch {
        path: found,
        argv: argv.to_vec(),
    })
}

/// A started child, stopped before exec, and the pipe it reports a failed
/// exec on.
pub struct Started {
    pub pid: i32,
    /// Read end: 4 bytes of errno if exec (or the filter) failed; EOF if
    /// exec succeeded (the write end is close-on-exec).
    pub errors: std::fs::File,
}

/// Forks the child; it stops itself (SIGSTOP) once it is a tracee.
pub fn fork_child(launch: &Launch) -> io::Result<Started> {
    let nul = |b: &[u8]| CString::new(b).map_err(|_| io::Error::other("a NUL byte in argv"));
    let path = nul(launch.path.as_os_str().as_bytes())?;
    let args: Vec<CString> = launch
        .argv
        .iter()
        .map(|a| nul(a.as_bytes()))
        .collect::<io::Result<_>>()?;
    let mut argv: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    argv.push(std::ptr::null());
    let filter = filter::program();
    let prog = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_ptr() as *mut libc::sock_filter,
    };
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 writes two fds into the array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the child calls only async-signal-safe functions on memory
    // prepared above, then execs or _exits.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        let e = io::Error::last_os_error();
        // SAFETY: closing the fds just made.
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
        return Err(e);
    }
    if pid == 0 {
        // SAFETY: in the child: raw system calls only.
        unsafe { child(&path, &argv, &prog, fds[1]) }
    }
    // SAFETY: the parent owns the read end and closes its write end.
    unsafe { libc::close(fds[1]) };
    use std::os::fd::FromRawFd;
    Ok(Started {
        pid,
        // SAFETY: fds[0] is the pipe's read end, owned here alone.
        errors: unsafe { std::fs::File::from_raw_fd(fds[0]) },
    })
}

/// The child's side; never returns.
unsafe fn child(
    path: &CString,
    argv: &[*const libc::c_char],
    prog: &libc::sock_fprog,
    report: libc::c_int,
) -> ! {
    let fail = |stage: u8| -> ! {
        let errno = *libc::__errno_location();
        let mut msg = [stage, 0, 0, 0, 0];
        msg[1..].copy_from_slice(&errno.to_ne_bytes());
        libc::write(report, msg.as_ptr().cast(), msg.len());
        libc::_exit(127)
    };
    if libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) != 0 {
        fail(STAGE_TRACEME);
    }
    // Wait here until the tracer has set its options (TRACESECCOMP first:
    // a RET_TRACE with no tracer option would fail the call with ENOSYS).
    libc::raise(libc::SIGSTOP);
    let install = || {
        libc::syscall(
            libc::SYS_seccomp,
            1 as libc::c_ulong, // SECCOMP_SET_MODE_FILTER
            0 as libc::c_ulong,
            prog as *const libc::sock_fprog,
        )
    };
    // Without CAP_SYS_ADMIN the kernel asks for no_new_privs first.
    if install() != 0 && (libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || install() != 0)
    {
        fail(STAGE_FILTER);
    }
    libc::execv(path.as_ptr(), argv.as_ptr());
    fail(STAGE_EXEC)
}

pub const STAGE_TRACEME: u8 = 1;
pub const STAGE_FILTER: u8 = 2;
pub const STAGE_EXEC: u8 = 3;

/// What the child reported on its pipe: the stage that failed and its error.
pub fn child_error(mut pipe: &std::fs::File) -> Option<(u8, io::Error)> {
    use std::io::Read;
    let mut msg = [0u8; 5];
    pipe.read_exact(&mut msg).ok()?;
    let errno = i32::from_ne_bytes([msg[1], msg[2], msg[3], msg[4]]);
    Some((msg[0], io::Error::from_raw_os_error(errno)))
}

/// The stage in words.
pub fn stage_name(stage: u8, path: &Path) -> String {
    match stage {
        STAGE_TRACEME => "PTRACE_TRACEME failed (is ptrace forbidden here?)".into(),
        STAGE_FILTER => "installing the seccomp filter failed".into(),
        _ => format!("cannot execute {}", path.display()),
    }
}
