//! What tracing costs: the same workload — a server and the client it
//! forks exchanging 100 000 messages of 64 bytes over loopback TCP
//! (benches/trace/stream.c, compiled here with `cc -O2`) — run bare, under
//! `strace -f --seccomp-bpf -e trace=network,read,write -o /dev/null`, and
//! under `nianbao trace --quiet --capture off` (no packet capture, as
//! strace has none), in turn, three rounds, median wall time
//! of each. Both tracers stop the same calls (the filter lets the rest
//! run); nianbao also reads every byte, pairs the two ends, analyses the
//! 100 000 messages and writes its results folder with its charts, and all
//! of that is in its time. Target: nianbao trace takes no longer than
//! strace (ratio ≤ 1).
//!
//! Run: `cargo bench --bench trace` (strace is a Debian package; without
//! it the strace pairing is reported as not run).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const MESSAGES: &str = "100000";
const SIZE: &str = "64";
const ROUNDS: usize = 3;

/// Seconds `cmd` took, or why it could not run.
fn time(mut cmd: Command) -> Result<f64, String> {
    let started = Instant::now();
    let out = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| e.to_string())?;
    let secs = started.elapsed().as_secs_f64();
    match out.status.success() {
        true => Ok(secs),
        false => Err(format!(
            "{:?}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes --bench; a filter argument is not used here.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let prog = dir.path().join("stream");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/trace/stream.c");
    match Command::new("cc")
        .args(["-O2", "-o"])
        .arg(&prog)
        .arg(&src)
        .status()
    {
        Ok(s) if s.success() => {}
        other => {
            println!("trace: not run: no working C compiler (cc): {other:?}");
            return;
        }
    }
    let has_strace = Command::new("strace").arg("-V").output().is_ok();
    let out = dir.path().join("results");
    let bare = || {
        let mut c = Command::new(&prog);
        c.args([MESSAGES, SIZE]);
        c
    };
    let strace = || {
        let mut c = Command::new("strace");
        c.args([
            "-f",
            "--seccomp-bpf",
            "-e",
            "trace=network,read,write",
            "-o",
            "/dev/null",
            "--",
        ])
        .arg(&prog)
        .args([MESSAGES, SIZE]);
        c
    };
    let nianbao = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_nianbao"));
        c.args([
            "trace",
            "--quiet",
            "--capture",
            "off",
            "--deadline",
            "300s",
            "--out",
        ])
        .arg(&out)
        .arg("--")
        .arg(&prog)
        .args([MESSAGES, SIZE]);
        c
    };
    let (mut b, mut s, mut n) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        b.push(time(bare()).expect("the bare workload runs"));
        if has_strace {
            s.push(time(strace()).expect("strace runs"));
        }
        n.push(time(nianbao()).expect("nianbao trace runs"));
        eprintln!(
            "round {round}: bare {:.3} s, strace {:?}, nianbao {:.3} s",
            b[round],
            s.last(),
            n[round]
        );
    }
    let (b, n) = (median(b), median(n));
    println!("trace: {MESSAGES} messages of {SIZE} B, one client and one server (fork), loopback TCP; median of {ROUNDS}");
    println!("  bare                 {b:>7.3} s");
    if has_strace {
        let s = median(s);
        println!("  strace -f --seccomp-bpf -e trace=network,read,write -o /dev/null  {s:>7.3} s  ({:.1}× bare)", s / b);
        println!(
            "  nianbao trace --quiet --capture off {n:>7.3} s  ({:.1}× bare)",
            n / b
        );
        println!(
            "  nianbao/strace {:.2} (target ≤ 1: {})",
            n / s,
            if n <= s { "meets" } else { "misses" }
        );
    } else {
        println!("  strace: not run (not installed; apt-get install strace)");
        println!("  nianbao trace --quiet {n:>7.3} s  ({:.1}× bare)", n / b);
    }
}
