//! Relay throughput of `nianbao proxy` (recording every read, `--chunk
//! pass`), paired in one run against a direct connection and against socat
//! relaying the same traffic: 256 MiB in 64 KiB writes into a sink that
//! reads and discards, each path measured in turn, three rounds, median.
//! Targets: at least 0.8 of direct, and at least socat's rate.
//!
//! Run: `cargo bench --bench proxy` (socat is a Debian package; without it
//! the socat pairing is reported as not run).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOTAL: usize = 256 << 20;
const WRITE: usize = 64 << 10;
const ROUNDS: usize = 3;

/// A sink server that reads each connection to EOF and discards it.
fn sink() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for c in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut c = c;
                let mut buf = vec![0u8; 1 << 16];
                while matches!(c.read(&mut buf), Ok(n) if n > 0) {}
            });
        }
    });
    port
}

/// MB/s of TOTAL bytes written to `port` in WRITE-byte writes, until the
/// far end has read them all (shutdown, then wait for its close).
fn pump(port: u16) -> f64 {
    let mut c = connect(port);
    let buf = vec![b'x'; WRITE];
    let started = Instant::now();
    for _ in 0..TOTAL / WRITE {
        c.write_all(&buf).unwrap();
    }
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let _ = c.read(&mut [0u8; 1]);
    TOTAL as f64 / 1e6 / started.elapsed().as_secs_f64()
}

fn connect(port: u16) -> TcpStream {
    for _ in 0..200 {
        if let Ok(c) = TcpStream::connect(("127.0.0.1", port)) {
            return c;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("nothing listens on {port}");
}

/// `nianbao proxy` in front of the sink; its listening port.
fn nianbao(sink: u16, out: &std::path::Path) -> (Child, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args([
            "proxy",
            "--to",
            &format!("127.0.0.1:{sink}"),
            "--deadline",
            "120s",
            "--out",
        ])
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("nianbao runs");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line.trim().rsplit(':').next().unwrap().parse().unwrap();
    (child, port)
}

/// socat relaying one connection to the sink; its listening port.
fn socat(sink: u16) -> Option<(Child, u16)> {
    let port = TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = Command::new("socat")
        .args([
            &format!("TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr"),
            &format!("TCP:127.0.0.1:{sink}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    Some((child, port))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let sink = sink();
    let tmp = std::env::temp_dir().join(format!("nianbao-bench-proxy-{}", std::process::id()));
    let (mut direct, mut ours, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        direct.push(pump(sink));
        let out = tmp.join(format!("r{round}"));
        let (mut child, port) = nianbao(sink, &out);
        ours.push(pump(port));
        let _ = child.wait();
        if let Some((mut child, port)) = socat(sink) {
            theirs.push(pump(port));
            let _ = child.wait();
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    let (d, o) = (median(direct), median(ours));
    println!("proxy relay, 256 MiB in 64 KiB writes, median of {ROUNDS} rounds:");
    println!("  direct          {d:8.0} MB/s");
    println!(
        "  nianbao proxy   {o:8.0} MB/s   {:.2} of direct (target ≥ 0.80: {})",
        o / d,
        if o / d >= 0.8 { "meets" } else { "MISSES" }
    );
    match theirs.is_empty() {
        true => println!("  socat           not run (socat is not installed)"),
        false => {
            let s = median(theirs);
            println!(
                "  socat           {s:8.0} MB/s   nianbao/socat {:.2} (target ≥ 1.00: {})",
                o / s,
                if o >= s { "meets" } else { "MISSES" }
            );
        }
    }
}
