//! What `run` and `show` print: title, knobs, the ruler and verdict of the
//! first trial (and of the first framed scenario when scenario 0 is raw),
//! sweep rows, and whether `[expect]` reproduced.

use super::ruler::{ruler, RulerOptions};
use super::verdict::verdict;
use crate::analysis::{RunResult, TrialResult};
use crate::experiment::{fmt_num, Experiment, Scenario, StartDelay, VARIANT_AXIS};
use crate::units::plural;
use std::fmt::Write;

pub use super::knobs::knobs;

/// The full terminal report of a run.
pub fn render(run: &RunResult, opts: &RulerOptions) -> String {
    let mut out = String::new();
    let first = &run.plan.scenarios[0].experiment;
    let bold = |t: &str| {
        if opts.color {
            format!("\x1b[1m{t}\x1b[0m")
        } else {
            t.to_string()
        }
    };
    // A file without a title is titled by its name: say the name once.
    match first.title == run.plan.name {
        true => writeln!(out, "{}", bold(&run.plan.name)),
        false => writeln!(out, "{} — {}", bold(&run.plan.name), first.title),
    }
    .ok();
    if !first.about.is_empty() {
        let _ = writeln!(out, "  {}", first.about);
    }
    let several = run.plan.scenarios.len() > 1;
    if let Some(t) = trial_zero(run, 0) {
        let line = match &run.peer {
            Some(p) => super::peer_text::knobs(p, first),
            None => knobs(first),
        };
        let _ = writeln!(out, "\n  {line}");
        out += &flow_rulers(
            first,
            t,
            if several { ", scenario 0" } else { "" },
            opts,
            run.unix(t),
        );
    }
    out += &framed_ruler(run, opts).unwrap_or_default();
    if run.plan.scenarios.len() > 1 {
        out += &sweep_table(run);
    }
    if let Some(line) = nagle_verdict(run) {
        let _ = writeln!(out, "  → {line}");
    }
    if let Some(line) = capture_line(run) {
        let _ = writeln!(out, "  {line}");
    }
    out += &match &run.peer {
        Some(p) => super::peer_text::footer(p, run),
        None => expectation(run, opts.color),
    };
    out
}

/// What the capture of the wire gave, once per run: why it was not
/// possible (`auto` without the right), or how many packets the kernel
/// dropped for lack of room (when any were).
fn capture_line(run: &RunResult) -> Option<String> {
    use crate::trace::Capture;
    let (mut drops, mut frames, mut kept) = (0, 0, 0);
    for t in &run.trials {
        if let Capture::Captured { frames: f, .. } = &t.capture {
            frames += f.len();
            kept += f.iter().filter(|f| f.kept > 0).count();
        }
        match &t.capture {
            // `trace` captures as it may and has no knob for it.
            Capture::Unavailable(why) if run.peer.is_some() => return Some(format!("({why})")),
            Capture::Unavailable(why) => {
                return Some(format!(
                    "({why}; the segment counts come from TCP_INFO, transport.capture = \"off\" stops this note)"
                ))
            }
            Capture::Captured { drops: d, .. } => drops += d,
            Capture::Off => {}
        }
    }
    let mut notes = Vec::new();
    if drops > 0 {
        notes.push(format!(
            "the kernel dropped {drops} packets for lack of room; segments.csv lacks them"
        ));
    }
    if kept < frames {
        notes.push(format!("capture.pcapng holds {kept} of {frames} packets, the first {} MiB of frame bytes a trial and {} MiB a run; segments.csv has them all", crate::trace::wire::KEEP_BYTES_TRIAL >> 20, crate::trace::wire::KEEP_BYTES_RUN >> 20));
    }
    (!notes.is_empty()).then(|| format!("(capture: {})", notes.join("; ")))
}

/// When scenario 0 is raw (no framing) and a later one is framed, the ruler
/// of the first framed one too, headed with its parameters: raw reads as
/// sticky as ever over a decoded row of intact frames.
fn framed_ruler(run: &RunResult, opts: &RulerOptions) -> Option<String> {
    let scenarios = &run.plan.scenarios;
    if scenarios[0].experiment.framed() {
        return None;
    }
    let sc = scenarios.iter().find(|s| s.experiment.framed())?;
    let t = trial_zero(run, sc.index)?;
    let params: Vec<String> = sc.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let heading = format!(", scenario {}: {}", sc.index, params.join(" "));
    Some(flow_rulers(&sc.experiment, t, &heading, opts, run.unix(t)))
}

/// Trial 0 of a scenario, if it ran.
fn trial_zero(run: &RunResult, scenario: usize) -> Option<&TrialResult> {
    run.trials
        .iter()
        .find(|t| t.scenario == scenario && t.trial == 0)
}

/// The ruler and verdict of every flow of one trial, each headed
/// `c2s flow (trial 0{heading}):`.
fn flow_rulers(
    exp: &Experiment,
    t: &TrialResult,
    heading: &str,
    opts: &RulerOptions,
    unix: bool,
) -> String {
    let mut out = String::new();
    let commands = t.flows.first().map_or(0, |f| f.summary.messages);
    for fa in &t.flows {
        let _ = writeln!(out, "\n  {} flow (trial {}{heading}):", fa.flow, t.trial);
        out += &ruler(fa, opts);
        for line in verdict(exp, fa, commands, unix) {
            let _ = writeln!(out, "  → {line}");
        }
    }
    for line in super::verdict::request_lines(exp, t) {
        let _ = writeln!(out, "  → {line}");
    }
    out
}

/// One row per scenario: its parameters and mean figures over trials.
fn sweep_table(run: &RunResult) -> String {
    let mut out = format!(
        "\n  {:<36} {:>7} {:>7} {:>7} {:>9} {:>8} {:>6} {:>8} {:>10} {:>10}\n",
        "scenario",
        "intact",
        "merged",
        "split",
        "truncated",
        "segments",
        "recvs",
        "overhead",
        "msgs/s",
        "reproduced"
    );
    for sc in &run.plan.scenarios {
        out += &sweep_row(run, sc);
    }
    out.push_str("  (means over trials of the c2s flow; overhead: wire bytes beyond the payload per message;\n   msgs/s: messages over the trial's wall time, start delay included; framing's cost in\n   throughput is measured by `cargo bench --bench framed_rate`)\n");
    if let Some(why) = alike(run) {
        let _ = writeln!(out, "  → {why}");
    }
    out += &latency_table(run);
    out
}

/// With requests timed: each scenario's request latency, the trials'
/// medians, means and p99s averaged.
fn latency_table(run: &RunResult) -> String {
    let has = |t: &&TrialResult| t.flows[0].summary.latency.is_some();
    if !run.trials.iter().any(|t| has(&t)) {
        return String::new();
    }
    let mut out = format!(
        "\n  {:<36} {:>10} {:>10} {:>10}\n",
        "request latency", "median", "mean", "p99"
    );
    for sc in &run.plan.scenarios {
        let ls: Vec<_> = run
            .trials
            .iter()
            .filter(|t| t.scenario == sc.index)
            .filter_map(|t| t.flows[0].summary.latency)
            .collect();
        let mean = |f: &dyn Fn(&crate::analysis::Latency) -> f64| {
            let v: Vec<f64> = ls.iter().map(f).collect();
            crate::analysis::stats::mean(&v)
                .map_or("-".into(), |v| super::verdict::fmt_ns(v as u64))
        };
        let _ = writeln!(
            out,
            "  {:<36} {:>10} {:>10} {:>10}",
            scenario_label(sc),
            mean(&|l| l.median_ns),
            mean(&|l| l.mean_ns),
            mean(&|l| l.p99_ns)
        );
    }
    out.push_str("  (means over trials of each trial's figure; from the start of a request's first send() to\n   the read that completed its reply; requests.csv has every request, latency.png draws them)\n");
    out
}

/// A scenario's name in the tables: its variant, or its swept values.
fn scenario_label(sc: &Scenario) -> String {
    match sc.params.as_slice() {
        [(k, v)] if k == VARIANT_AXIS => v.clone(),
        params => params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// One scenario's line of the sweep table: its c2s figures, meaned over trials.
fn sweep_row(run: &RunResult, sc: &Scenario) -> String {
    let trials: Vec<_> = run
        .trials
        .iter()
        .filter(|t| t.scenario == sc.index)
        .collect();
    let n = trials.len().max(1) as f64;
    let mean = |f: &dyn Fn(&crate::analysis::Summary) -> f64| {
        trials.iter().map(|t| f(&t.flows[0].summary)).sum::<f64>() / n
    };
    let ok = trials.iter().filter(|t| t.outcome.ok).count();
    let segs = if trials.iter().all(|t| t.flows[0].summary.segments.is_some()) {
        fmt_num(mean(&|s| s.segments.unwrap_or(0) as f64))
    } else {
        "-".into()
    };
    // Bytes on the wire beyond the payloads, per message (framing headers, delimiters).
    let payload =
        crate::engine::Stream::from_messages(&sc.experiment.sender.messages).total() as f64;
    let overhead = mean(&|s| (s.bytes as f64 - payload) / s.messages.max(1) as f64).max(0.0);
    let rate = mean(&|s| s.messages as f64 / (s.duration_ns.max(1) as f64 / 1e9));
    let mut row = String::new();
    let _ = writeln!(
        row,
        "  {:<36} {:>6.1}% {:>6.1}% {:>6.1}% {:>8.1}% {:>8} {:>6} {:>6.1} B {:>10.0} {:>7}/{}",
        scenario_label(sc),
        100.0 * mean(&|s| s.intact as f64 / s.messages.max(1) as f64),
        100.0 * mean(&|s| s.merged_fraction),
        100.0 * mean(&|s| s.split_fraction),
        100.0 * mean(&|s| s.truncated as f64 / s.messages.max(1) as f64),
        segs,
        fmt_num(mean(&|s| s.recvs as f64)),
        overhead,
        rate,
        ok,
        trials.len()
    );
    row
}

/// When every scenario ended alike (the same fates), why, where the cause is
/// known: the sender's gaps fit inside the receiver's late start.
fn alike(run: &RunResult) -> Option<String> {
    let fates = |sc: usize| -> Vec<u64> {
        let mut sum = vec![0u64; 5];
        for t in run.trials.iter().filter(|t| t.scenario == sc) {
            let s = &t.flows[0].summary;
            for (i, v) in [s.intact, s.merged, s.split, s.truncated, s.lost]
                .iter()
                .enumerate()
            {
                sum[i] += v;
            }
        }
        sum
    };
    let scenarios = &run.plan.scenarios;
    if scenarios.len() < 2 || scenarios.iter().any(|s| fates(s.index) != fates(0)) {
        return None;
    }
    let late = scenarios.iter().all(|s| {
        let e = &s.experiment;
        let gaps = crate::experiment::message_count(&e.sender).saturating_sub(1) / e.sender.burst;
        let span = (e.sender.gap + e.sender.gap_jitter).saturating_mul(gaps as u32);
        match e.receiver.start_delay {
            // Unless the wait may end at the queue's room, before the sender is done.
            StartDelay::AfterSend => crate::experiment::after_send_capped(e).is_none(),
            StartDelay::Fixed(d) => span <= d,
        }
    });
    let first = &scenarios[0].experiment.receiver.start_delay;
    let same = scenarios
        .iter()
        .all(|s| s.experiment.receiver.start_delay == *first);
    Some(if late {
        let when = match (same, first) {
            (true, StartDelay::AfterSend) => "the receiver starts once the sender is done".to_string(),
            (true, StartDelay::Fixed(_)) => format!(
                "the receiver starts {first} and the sender's gaps add up to no more than that"
            ),
            (false, _) => "the receiver starts no earlier than the sender's last send (once the sender is done, or later than its gaps add up to)".to_string(),
        };
        let fix = match first {
            StartDelay::AfterSend if same => "Set receiver.start_delay=0",
            _ => "Sweep the gap past the start delay, or set receiver.start_delay=0,",
        };
        format!(
            "Every row is alike: in each scenario {when}, so by its first read every message was already waiting in the receive buffer. {fix} to see a difference."
        )
    } else {
        "Every row is alike: over these values the swept keys did not change any message's fate."
            .to_string()
    })
}

/// Whether `[expect]` reproduced, with the first failure in words.
fn expectation(run: &RunResult, color: bool) -> String {
    let (ok, total) = run.reproduced();
    let has_expect = run.plan.scenarios.iter().any(|s| {
        s.experiment.expect.recvs.is_some()
            || !s.experiment.expect.bounds.is_empty()
            || !s.experiment.expect.compares.is_empty()
    });
    if !has_expect {
        return format!(
            "\n  No [expect] in this experiment: nothing to reproduce ({} ran).\n",
            plural(total as u64, "trial")
        );
    }
    let paint = |code: &str, t: String| {
        if color {
            format!("\x1b[{code}m{t}\x1b[0m")
        } else {
            t
        }
    };
    if ok == total {
        return paint(
            "32;1",
            format!(
                "\n  Reproduced: [expect] held in {ok} of {}.\n",
                plural(total as u64, "trial")
            ),
        );
    }
    let mut out = paint(
        "31;1",
        format!(
            "\n  NOT reproduced: [expect] held in {ok} of {}.\n",
            plural(total as u64, "trial")
        ),
    );
    if let Some(t) = run.trials.iter().find(|t| !t.outcome.ok) {
        for f in &t.outcome.failures {
            let _ = writeln!(out, "    scenario {} trial {}: {f}", t.scenario, t.trial);
        }
    }
    out
}

/// For sweeps over `sender.nodelay`: what Nagle did at the smallest gap, in words.
fn nagle_verdict(run: &RunResult) -> Option<String> {
    let swept = &run.plan.swept;
    swept.iter().find(|k| *k == "sender.nodelay")?;
    let first_gap = run.plan.scenarios[0]
        .params
        .iter()
        .find(|(k, _)| k == "sender.gap")
        .map(|(_, v)| v.clone());
    let mean = |nodelay: &str, f: &dyn Fn(&crate::analysis::Summary) -> f64| {
        let v: Vec<f64> = run
            .trials
            .iter()
            .filter(|t| {
                let p = &run.plan.scenarios[t.scenario].params;
                p.iter().any(|(k, v)| k == "sender.nodelay" && v == nodelay)
                    && first_gap
                        .as_ref()
                        .is_none_or(|g| p.iter().any(|(k, v)| k == "sender.gap" && v == g))
            })
            .map(|t| f(&t.flows[0].summary))
            .filter(|x| !x.is_nan())
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let segs = |s: &crate::analysis::Summary| s.segments.map_or(f64::NAN, |v| v as f64);
    let (on, off) = (mean("false", &segs)?, mean("true", &segs)?);
    let msgs = mean("false", &|s| s.messages as f64)?;
    let (m_on, m_off) = (
        mean("false", &|s| s.merged_fraction)?,
        mean("true", &|s| s.merged_fraction)?,
    );
    let autocork = run.host.tcp_autocorking().unwrap_or("unknown");
    let gap = first_gap
        .map(|g| format!(" at gap {g}"))
        .unwrap_or_default();
    Some(format!(
        "Nagle{gap}: {msgs:.0} writes left as {on:.0} data segments with Nagle on (TCP_NODELAY off) against {off:.0} with TCP_NODELAY ({:.0} % vs {:.0} % of messages merged). Nagle holds a small write while earlier data is unacknowledged; TCP_NODELAY counts can still fall below one per write because Linux autocorking (net.ipv4.tcp_autocorking = {autocork}) holds small writes while earlier ones sit in the device queue. With longer gaps each write is acknowledged before the next and both send one segment per write.",
        100.0 * m_on, 100.0 * m_off
    ))
}
