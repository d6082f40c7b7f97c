//! What capturing the wire costs: the same trial with `transport.capture`
//! on and off, paired and interleaved in one run (A B B A …), 20 000
//! messages of 64 bytes with TCP_NODELAY; prints the traffic's message
//! rates and their ratio (target: capture costs at most 10 %), and the
//! ratio of whole runs, which also read the captured packets after the
//! traffic. Then the time to
//! write capture.pcapng for a trial of 100 000 segments (target: under 1 s).
//!
//! Needs root (an AF_PACKET socket); says so and stops otherwise.
//!
//! Run: `cargo bench --bench capture`.

use nianbao::experiment::{plan, Overrides, Source};
use nianbao::run::run_plan;
use nianbao::trace::Capture;
use std::time::Instant;

const ROUNDS: usize = 10;
const MESSAGES: u64 = 20_000;

fn file(capture: &str) -> String {
    format!(
        "name = \"rate\"\n[transport]\ncapture = \"{capture}\"\n[sender]\ncount = {MESSAGES}\nsize = 64\nnodelay = true\n[receiver]\nstart_delay = \"0\"\nrecv_sizes = [\"64KiB\"]\n"
    )
}

/// Messages per second of one trial's traffic (the trial's duration: the
/// reading of the capture after it is not in it), messages per second of
/// the whole run (traffic, reading the capture, analysis), and the run.
fn one(capture: &str) -> (f64, f64, nianbao::analysis::RunResult) {
    let p = plan(
        &Source::inline("rate", file(capture)),
        &Overrides::default(),
    )
    .expect("valid");
    let wall = Instant::now();
    let run = run_plan(&p, |_, _| {}).expect("runs");
    let whole = wall.elapsed().as_secs_f64();
    let ns = run.trials[0].duration_ns as f64;
    (MESSAGES as f64 / (ns / 1e9), MESSAGES as f64 / whole, run)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    if !nix::unistd::geteuid().is_root() {
        println!("capture bench skipped: capturing needs root or CAP_NET_RAW");
        return;
    }
    one("off");
    let (mut on, mut off, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut whole_ratios = Vec::new();
    let mut captured = None;
    for round in 0..ROUNDS {
        let order = if round % 2 == 0 {
            ["off", "on"]
        } else {
            ["on", "off"]
        };
        let (mut pair, mut whole) = ((0.0, 0.0), (0.0, 0.0));
        for mode in order {
            let (rate, all, run) = one(mode);
            if mode == "on" {
                (pair.0, whole.0) = (rate, all);
                captured = Some(run);
            } else {
                (pair.1, whole.1) = (rate, all);
            }
        }
        on.push(pair.0);
        off.push(pair.1);
        ratios.push(pair.0 / pair.1);
        whole_ratios.push(whole.0 / whole.1);
    }
    let ratio = median(ratios);
    let verdict = if ratio >= 0.9 { "meets" } else { "MISSES" };
    println!(
        "capture on vs off: {MESSAGES} messages of 64 B, TCP_NODELAY, {ROUNDS} paired rounds, medians"
    );
    println!(
        "  off {:>9.0} msg/s, on {:>9.0} msg/s, on/off {ratio:.3} (cost {:+.1} %), target cost <= 10 %: {verdict}",
        median(off),
        median(on),
        (1.0 - ratio) * 100.0
    );
    let whole = median(whole_ratios);
    println!(
        "  the whole run (traffic, reading the packets after it, analysis): on/off {whole:.3} (cost {:+.1} %)",
        (1.0 - whole) * 100.0
    );

    // capture.pcapng of 100 000 segments: the captured trial's data frames
    // repeated, each with its ledger comment.
    let mut run = captured.expect("a captured run");
    let Capture::Captured { frames, .. } = &mut run.trials[0].capture else {
        panic!("the trial was not captured");
    };
    // Data segments are the frames longer than their headers (kept bytes
    // stay where they are in the buffer: the copies point at them).
    let data: Vec<_> = frames.iter().filter(|f| f.kept > 66).copied().collect();
    *frames = data.iter().cycle().take(100_000).copied().collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("capture.pcapng");
    let started = Instant::now();
    let file = std::fs::File::create(&path).expect("create");
    nianbao::report::pcapng::write(&run, std::io::BufWriter::new(file)).expect("write");
    let secs = started.elapsed().as_secs_f64();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let verdict = if secs < 1.0 { "meets" } else { "MISSES" };
    println!(
        "  capture.pcapng of 100 000 segments: {:.3} s, {:.1} MB, target < 1 s: {verdict}",
        secs,
        size as f64 / 1e6
    );
}
