//! Framing cost: the same loopback trial (64-byte messages, one send per
//! message, recv(64 KiB)) run raw and with u32be framing — the sender encodes
//! every frame, the receiver decodes it and checks its payload — paired and
//! interleaved in one run (A B B A …) so drift hits both alike. Prints the
//! message rate of each (median over rounds) and framed / raw; target >= 0.95.
//!
//! Run: `cargo bench --bench framed_rate`.

use nianbao::experiment::{plan, Overrides, Source};
use nianbao::run::run_plan;

const ROUNDS: usize = 6;
const COUNT: u64 = 200_000;

/// One trial through the library; returns messages per second.
fn rate(framing: &str) -> f64 {
    let text = format!(
        "name = \"bench\"\ndeadline = \"60s\"\n[transport]\nframing = \"{framing}\"\n\
         [sender]\ncount = {COUNT}\nsize = 64\n[receiver]\nrecv_sizes = [65536]\n"
    );
    let source = Source::inline("bench", text);
    let p = plan(&source, &Overrides::default()).expect("valid bench experiment");
    let run = run_plan(&p, |_, _| {}).expect("bench trial runs");
    let t = &run.trials[0];
    assert_eq!(
        t.flows[0].summary.lost, 0,
        "{framing}: every message arrived"
    );
    COUNT as f64 / (t.duration_ns as f64 / 1e9)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    rate("none");
    rate("u32be");
    let (mut raw, mut framed) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        if round % 2 == 0 {
            raw.push(rate("none"));
            framed.push(rate("u32be"));
        } else {
            framed.push(rate("u32be"));
            raw.push(rate("none"));
        }
    }
    let (raw, framed) = (median(raw), median(framed));
    println!("64 B messages over loopback, {COUNT} per trial, median of {ROUNDS} rounds:");
    println!("  raw   (none):  {:>10.0} msg/s", raw);
    println!(
        "  framed (u32be): {:>10.0} msg/s (encode + decode + payload check)",
        framed
    );
    let ratio = framed / raw;
    let verdict = if ratio >= 0.95 { "ok" } else { "BELOW TARGET" };
    println!("  framed / raw = {ratio:.3} (target >= 0.95: {verdict})");
}
