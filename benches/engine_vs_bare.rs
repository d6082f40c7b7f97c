//! The engine near a bare loop: the same loopback pattern — one client
//! thread, one `write` per message, a server that reads into a 64 KiB
//! buffer until EOF — run bare (plain `std::net` sockets, a constant
//! payload, nothing recorded or checked) and as a real nianbao trial
//! (`engine::run_trial` on an experiment built from TOML: `count`, `size`,
//! `nodelay`, `recv_sizes = [65536]`, no start delay, no gaps), which also
//! generates every payload, stamps and stores every send and recv, and
//! checks every byte read against the payload model.
//!
//! Rounds are paired and interleaved in one run (A B B A …) so drift on a
//! busy machine hits both alike; each pair gives a ratio and the medians
//! are printed, for 64 B and 1 KiB messages with TCP_NODELAY on and off.
//!
//! What is timed, on both sides alike: the data phase, from the first write
//! to the read that completes the stream, over the same number of messages.
//! Setup (threads, listen, connect, accept, the trace's reserved storage)
//! and teardown are outside it: they are per trial, not per message, and
//! `sweep_overhead` measures them. Bare: an `Instant` before the first
//! write and one when the last byte has been read. Engine: the trial's own
//! clock, first send event to last recv event. Wall times (whole trial,
//! setup included) are printed too, for information.
//!
//! Targets: engine / bare >= 0.8 for 64 B, >= 0.95 for 1 KiB.
//!
//! Run: `cargo bench --bench engine_vs_bare`. `ENGINE_VS_BARE_ONLY=engine`
//! (or `bare`) runs one side alone, for a profiler; `ENGINE_VS_BARE_CASE=64,false`
//! runs one size and nodelay setting only.

use nianbao::engine::{run_trial, Models};
use nianbao::experiment::{plan, Experiment, Overrides, Source};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Instant;

const ROUNDS: usize = 10;

/// Messages per trial: a few tenths of a second each.
fn count(size: usize) -> u64 {
    if size <= 64 {
        200_000
    } else {
        100_000
    }
}

/// Messages per second of the data phase, and of the whole trial.
#[derive(Clone, Copy)]
struct Rate {
    data: f64,
    wall: f64,
    /// Recv calls that returned data: how the two sides' reads compare.
    reads: f64,
}

/// The bare loop over a fresh connection.
fn bare(size: usize, nodelay: bool) -> Rate {
    let n = count(size);
    let wall = Instant::now();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    let sender = std::thread::spawn(move || {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.set_nodelay(nodelay).expect("nodelay");
        let msg = vec![b'x'; size];
        let started = Instant::now();
        for _ in 0..n {
            // One write per message, as the engine makes; loopback takes it whole.
            let sent = s.write(&msg).expect("send");
            assert_eq!(sent, size, "a whole message per write");
        }
        started
    });
    let (mut conn, _) = listener.accept().expect("accept");
    let mut buf = vec![0u8; 65536];
    let total = n * size as u64;
    let mut got = 0u64;
    let mut done = None;
    let mut reads = 0;
    loop {
        let k = conn.read(&mut buf).expect("recv");
        if k == 0 {
            break;
        }
        reads += 1;
        got += k as u64;
        if got == total {
            done = Some(Instant::now());
        }
    }
    let started = sender.join().expect("sender");
    let wall = wall.elapsed().as_secs_f64();
    assert_eq!(got, total, "every byte read");
    let data = (done.expect("the last byte") - started).as_secs_f64();
    Rate {
        data: n as f64 / data,
        wall: n as f64 / wall,
        reads: f64::from(reads),
    }
}

/// The experiment the engine runs for this pattern.
fn experiment(size: usize, nodelay: bool) -> Experiment {
    let text = format!(
        "name = \"bench\"\ndeadline = \"60s\"\n[sender]\ncount = {}\nsize = {size}\n\
         nodelay = {nodelay}\ngap = \"0\"\n[receiver]\nrecv_sizes = [65536]\nstart_delay = \"0\"\n",
        count(size)
    );
    let source = Source::inline("bench", text);
    let p = plan(&source, &Overrides::default()).expect("valid bench experiment");
    p.scenarios[0].experiment.clone()
}

/// One real nianbao trial.
fn engine(exp: &Experiment, models: &Models) -> Rate {
    let n = models.c2s.spans().len() as u64;
    let wall = Instant::now();
    let trace = run_trial(exp, models).expect("bench trial runs");
    let wall = wall.elapsed().as_secs_f64();
    let c2s = &trace.c2s;
    let bytes: u64 = c2s.recvs.iter().map(|r| u64::from(r.len)).sum();
    assert_eq!(bytes, models.c2s.total(), "every byte read");
    let first = c2s.sends.first().expect("a send").t_ns;
    let last = c2s.recvs.last().expect("a recv").t_ns;
    Rate {
        data: n as f64 / ((last - first) as f64 / 1e9),
        wall: n as f64 / wall,
        reads: c2s.recvs.len() as f64,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    println!(
        "engine vs bare loop: loopback TCP, one write per message, recv(64 KiB), {ROUNDS} paired rounds (A B B A …), medians"
    );
    for size in [64usize, 1024] {
        for nodelay in [true, false] {
            if std::env::var("ENGINE_VS_BARE_CASE").is_ok_and(|c| c != format!("{size},{nodelay}"))
            {
                continue;
            }
            let exp = experiment(size, nodelay);
            let models = Models::of(&exp);
            bare(size, nodelay); // warm up
            engine(&exp, &models);
            if let Ok(side) = std::env::var("ENGINE_VS_BARE_ONLY") {
                // For a profiler: one side only, no comparison.
                for _ in 0..ROUNDS {
                    match side.as_str() {
                        "bare" => bare(size, nodelay),
                        _ => engine(&exp, &models),
                    };
                }
                continue;
            }
            let (mut b, mut e) = (Vec::new(), Vec::new());
            for round in 0..ROUNDS {
                if round % 2 == 0 {
                    b.push(bare(size, nodelay));
                    e.push(engine(&exp, &models));
                } else {
                    e.push(engine(&exp, &models));
                    b.push(bare(size, nodelay));
                }
            }
            let ratio =
                |f: fn(&Rate) -> f64| median(b.iter().zip(&e).map(|(b, e)| f(e) / f(b)).collect());
            let (data, wall) = (ratio(|r| r.data), ratio(|r| r.wall));
            let med = |v: &[Rate], f: fn(&Rate) -> f64| median(v.iter().map(f).collect());
            let target = if size <= 64 { 0.8 } else { 0.95 };
            let verdict = if data >= target { "meets" } else { "MISSES" };
            println!(
                "{size:>5} B nodelay={nodelay:<5}: bare {:>9.0} msg/s, engine {:>9.0} msg/s, engine/bare {data:.3} (target >= {target}: {verdict}); wall incl. setup: {:.0} vs {:.0} msg/s, {wall:.3}; recvs {:.0} vs {:.0}",
                med(&b, |r| r.data),
                med(&e, |r| r.data),
                med(&b, |r| r.wall),
                med(&e, |r| r.wall),
                med(&b, |r| r.reads),
                med(&e, |r| r.reads),
            );
        }
    }
}
