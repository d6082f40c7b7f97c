//! Overhead per scenario of a sweep: setup, sockets, teardown, analysis and
//! the CSVs, for scenarios with no configured delays. Target: under 5 ms per
//! scenario. Charts are timed separately (`cargo bench --bench charts`).
//!
//! Run: `cargo bench --bench sweep_overhead`.

use nianbao::experiment::{plan, Overrides, Source};
use nianbao::report::csv::{write_messages, write_recvs, write_sends, write_summary};
use nianbao::run::run_plan;
use std::time::Instant;

const SCENARIOS: usize = 40;

fn main() {
    let values: Vec<&str> = (0..SCENARIOS)
        .map(|n| if n % 2 == 0 { "false" } else { "true" })
        .collect();
    let text = "name = \"overhead\"\n[sender]\nmessages = [\"hello\", \"feng\"]\n[receiver]\nstart_delay = \"0\"\n";
    let source = Source::inline("overhead", text);
    let over = Overrides {
        sweeps: vec![format!("sender.nodelay={}", values.join(","))],
        ..Overrides::default()
    };
    let plan = plan(&source, &over).expect("valid plan");
    run_plan(&plan, |_, _| {}).expect("warm-up run");
    let mut best = f64::MAX;
    for _ in 0..5 {
        let started = Instant::now();
        let run = run_plan(&plan, |_, _| {}).expect("run");
        let mut sink = Vec::with_capacity(1 << 16);
        write_summary(&run, &mut sink).expect("summary");
        write_sends(&run, &mut sink).expect("sends");
        write_recvs(&run, &mut sink).expect("recvs");
        write_messages(&run, &mut sink).expect("messages");
        std::hint::black_box(&sink);
        best = best.min(started.elapsed().as_secs_f64() * 1e3 / SCENARIOS as f64);
    }
    let verdict = if best < 5.0 { "meets" } else { "MISSES" };
    println!("sweep overhead: {best:.3} ms per scenario (best of 5 runs of {SCENARIOS} scenarios, no delays), target < 5 ms: {verdict}");
}
