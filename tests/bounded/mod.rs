#![allow(dead_code)] // shared by several test crates; each uses a part
//! Running the real binary in a test with a bound on its time: a child
//! still running at the bound is killed and the test fails, so a hang is
//! a failure and never a stuck test run.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a finished command gave: exit status, stdout, stderr.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The `nianbao` binary with `args`, no colour, no stdin, output piped.
pub fn nianbao<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_nianbao"));
    c.args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Starts `cmd` and waits for it at most `bound`; past it, kills the child
/// and panics naming `what`.
pub fn run(cmd: &mut Command, bound: Duration, what: &str) -> Ran {
    finish(cmd.spawn().expect("runs"), bound, what)
}

/// Waits for a started child at most `bound`, as [`run`].
pub fn finish(mut child: std::process::Child, bound: Duration, what: &str) -> Ran {
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > bound {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`{what}` did not end within {bound:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
