#![allow(dead_code)] // shared by several test crates; each uses a part
//! Real programs around nianbao's peer commands: the tutorial's Python
//! client and servers (tests/peers/*.py), started with a bound on their
//! time, and the first line of a process's stdout read while it runs.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running process whose first stdout line was read.
pub struct Started {
    pub child: Child,
    pub first_line: String,
    rest: ChildStdout,
}

impl Started {
    /// Waits for the process at most `bound` (killing it past that) and
    /// gives its exit code, all of stdout after the first line, and stderr.
    pub fn finish(mut self, bound: Duration, what: &str) -> (i32, String, String) {
        let (tx, rx) = mpsc::channel();
        let mut rest = self.rest;
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = rest.read_to_string(&mut s);
            let _ = tx.send(s);
        });
        let started = std::time::Instant::now();
        while self.child.try_wait().expect("wait").is_none() {
            if started.elapsed() > bound {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("`{what}` did not end within {bound:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let code = self.child.wait().expect("wait").code().unwrap_or(-1);
        let stdout = rx.recv_timeout(Duration::from_secs(5)).unwrap_or_default();
        let mut stderr = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut stderr);
        }
        (code, stdout, stderr)
    }
}

/// Starts `cmd` and reads its first stdout line within 10 s.
pub fn start(mut cmd: Command, what: &str) -> Started {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        let mut line = String::new();
        let _ = r.read_line(&mut line);
        let _ = tx.send((line, r.into_inner()));
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok((line, rest)) if !line.is_empty() => Started {
            child,
            first_line: line.trim_end().to_string(),
            rest,
        },
        _ => {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "{what}: no first line within 10 s; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// The nianbao binary with `args`, no colour.
pub fn nianbao(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_nianbao"));
    c.args(args).env("NO_COLOR", "1");
    c
}

/// `python3 tests/peers/NAME args…`, or `None` (and a printed reason) when
/// there is no python3.
pub fn python(name: &str, args: &[&str]) -> Option<Command> {
    if Command::new("python3").arg("--version").output().is_err() {
        println!("skipped: python3 is not installed (.ci/run installs it)");
        return None;
    }
    let script: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "peers", name]
        .iter()
        .collect();
    let mut c = Command::new("python3");
    c.arg(script).args(args);
    Some(c)
}

/// The port of `listening on 127.0.0.1:PORT`.
pub fn port_of(line: &str) -> String {
    line.rsplit(':').next().unwrap_or_default().to_string()
}

/// Runs `cmd` to its end within `bound`: exit code, stdout, stderr.
pub fn run(mut cmd: Command, bound: Duration, what: &str) -> (i32, String, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let rest = child.stdout.take().expect("piped");
    Started {
        child,
        first_line: String::new(),
        rest,
    }
    .finish(bound, what)
}
