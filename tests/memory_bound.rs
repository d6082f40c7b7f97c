//! Memory per recorded event stays bounded from the first send to the last
//! byte of results (issue #12): a whole `run` of a million 16-byte messages,
//! results folder and charts included, peaks under 150 MB, and a hundred
//! thousand messages read one byte per recv (1.6 M recvs) under 100 MB.
//! Each run is a child process; its peak RSS comes from `wait4`'s rusage,
//! so the two tests can run side by side without seeing each other. Both
//! also check the bound behind those figures: above the peak of a
//! two-message run of the same binary, at most 64 bytes per recorded event
//! (every row of sends.csv, recvs.csv and messages.csv).

use std::path::Path;
use std::process::{Command, Stdio};

const MB: u64 = 1_000_000;

/// Runs `nianbao run hellofeng` with `sets` into `out`; the child's peak
/// resident set, bytes.
fn peak_rss(sets: &[&str], out: &Path) -> u64 {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nianbao"));
    // The engine's events only: as root a trial is also captured, and its
    // frames have bounds of their own (4 MiB of frame bytes a trial, 40 B a
    // frame; the README gives the 1 M-message run's peak with capture).
    cmd.args([
        "run",
        "hellofeng",
        "-q",
        "--set",
        "transport.capture=off",
        "--out",
    ])
    .arg(out);
    for s in sets {
        cmd.args(["--set", s]);
    }
    // Reaped by wait4 below, which also gives its rusage.
    #[allow(clippy::zombie_processes)]
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nianbao");
    let pid = child.id() as nix::libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 writes into
    // the two locals it is given, for a child of this process.
    let mut usage: nix::libc::rusage = unsafe { std::mem::zeroed() };
    let got = unsafe { nix::libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(got, pid, "wait4: {}", std::io::Error::last_os_error());
    // Exit status 1 is "[expect] not held": hellofeng expects two messages.
    let code = nix::libc::WIFEXITED(status).then(|| nix::libc::WEXITSTATUS(status));
    assert!(
        matches!(code, Some(0 | 1)),
        "nianbao ended with {status:#x}"
    );
    assert!(out.join("messages.csv").is_file(), "no results written");
    assert!(out.join("timeline.png").is_file(), "no charts drawn");
    // ru_maxrss is in KiB on Linux.
    usage.ru_maxrss as u64 * 1024
}

/// Rows of a results CSV, its header not counted. Read in small pieces:
/// a child's peak RSS counts this process's resident memory at the moment
/// it was spawned, so the tests themselves must stay small.
fn rows(out: &Path, file: &str) -> u64 {
    use std::io::Read;
    let mut f = std::fs::File::open(out.join(file)).expect("results CSV");
    let (mut buf, mut lines) = ([0u8; 64 * 1024], 0u64);
    loop {
        match f.read(&mut buf).expect("read results CSV") {
            0 => return lines.saturating_sub(1),
            n => lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64,
        }
    }
}

/// At most 64 bytes per recorded event above a two-message run's peak.
fn per_event_bound(peak: u64, out: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let base = peak_rss(&[], &dir.path().join("tiny"));
    let events: u64 = ["sends.csv", "recvs.csv", "messages.csv"]
        .iter()
        .map(|f| rows(out, f))
        .sum();
    let each = peak.saturating_sub(base) / events;
    eprintln!(
        "{events} events: {each} B each above a two-message run's {} MB",
        base / MB
    );
    assert!(each <= 64, "{each} bytes per event, bound 64");
}

#[test]
fn a_million_messages_with_results_peak_under_150_mb() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("million");
    let sets = ["sender.count=1000000", "sender.size=16"];
    let peak = peak_rss(&sets, &out);
    eprintln!("1 M messages: peak RSS {} MB", peak / MB);
    assert!(peak < 150 * MB, "peak RSS {} MB, bound 150 MB", peak / MB);
    per_event_bound(peak, &out);
}

#[test]
fn one_byte_reads_of_100k_messages_peak_under_100_mb() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("recv1");
    let sets = [
        "sender.count=100000",
        "sender.size=16",
        "receiver.recv_sizes=[1]",
    ];
    let peak = peak_rss(&sets, &out);
    eprintln!("1.6 M one-byte recvs: peak RSS {} MB", peak / MB);
    assert!(peak < 100 * MB, "peak RSS {} MB, bound 100 MB", peak / MB);
    per_event_bound(peak, &out);
}
