//! Orchestration, the one loop of `run`: every scenario of a plan, `trials`
//! times each, from the engine (a source) through analysis, each trial
//! checked against `[expect]` as it finishes.

use crate::analysis::{analyse_owned, check_compares, check_trial, RunResult, TrialResult};
use crate::engine::{run_trial, Models};
use crate::error::Result;
use crate::experiment::{Plan, ReplyPer};
use crate::trace::Flow;
use std::time::{Instant, SystemTime};

/// Runs every scenario and trial; `progress(done, total)` after each trial.
pub fn run_plan(plan: &Plan, mut progress: impl FnMut(usize, usize)) -> Result<RunResult> {
    let started_unix = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let started = Instant::now();
    let host = crate::net::HostFacts::probe();
    let total: usize = plan
        .scenarios
        .iter()
        .map(|s| s.experiment.trials as usize)
        .sum();
    // A lab that cannot be made (not root, no netem) fails here, before any trial.
    crate::engine::check_labs(plan.scenarios.iter().map(|s| &s.experiment))?;
    let mut trials = Vec::with_capacity(total);
    let mut recorded = 0usize;
    let mut frame_bytes = 0usize;
    for scenario in &plan.scenarios {
        let exp = &scenario.experiment;
        // The payload model is built once per scenario and shared by its trials.
        let models = Models::of(exp);
        for trial in 0..exp.trials {
            let stopped = |signal| crate::error::Error::Interrupted { signal };
            if let Some(signal) = crate::interrupt::pending() {
                return Err(stopped(signal));
            }
            // A signal can end a trial's blocking call early: say so, not the
            // error that call gave.
            let trace = run_trial(exp, &models)
                .map_err(|e| crate::interrupt::pending().map_or(e, stopped))?;
            recorded = recorded.saturating_add(events(&trace));
            if recorded > MAX_RUN_EVENTS {
                return Err(crate::error::Error::Limit(format!(
                    "the run recorded {recorded} events (messages, sends and recvs) by scenario {} trial {trial}, over the limit of {MAX_RUN_EVENTS} a run; run fewer trials or scenarios, or fewer messages",
                    scenario.index
                )));
            }
            // The trace's events move into the analysis: none is held twice.
            let duration_ns = trace.duration_ns;
            let mut capture = trace.capture;
            // capture.pcapng keeps the frames of the first trials only, up
            // to MAX_RUN_FRAME_BYTES; every trial keeps its segments.
            if frame_bytes + capture.kept_bytes() > MAX_RUN_FRAME_BYTES {
                capture.forget_bytes();
            }
            frame_bytes += capture.kept_bytes();
            let mut flows = vec![analyse_owned(Flow::C2s, trace.c2s, duration_ns)];
            if let Some(s2c) = trace.s2c {
                flows.push(analyse_owned(Flow::S2c, s2c, duration_ns));
            }
            crate::analysis::apply_causes(&mut flows, exp);
            let requests = match exp.receiver.reply_per {
                ReplyPer::Message => crate::analysis::requests(&flows),
                ReplyPer::Read => Vec::new(),
            };
            flows[0].summary.latency = crate::analysis::latency(&requests);
            let outcome = check_trial(exp, &flows);
            trials.push(TrialResult {
                scenario: scenario.index,
                trial,
                flows,
                duration_ns,
                outcome,
                capture,
                requests,
            });
            progress(trials.len(), total);
        }
    }
    check_compares(plan, &mut trials);
    Ok(RunResult {
        plan: plan.clone(),
        trials,
        started_unix,
        duration_ns: started.elapsed().as_nanos() as u64,
        host,
        peer: None,
    })
}

use crate::trace::wire::KEEP_BYTES_RUN as MAX_RUN_FRAME_BYTES;

/// Most events (messages, send and recv calls, both flows) one run keeps in
/// memory until its results are written.
pub const MAX_RUN_EVENTS: usize = 8 << 20;

fn events(trace: &crate::trace::Trace) -> usize {
    std::iter::once(&trace.c2s)
        .chain(trace.s2c.as_ref())
        .map(|f| f.messages.len() + f.sends.len() + f.recvs.len() + f.decoded.len() + f.wire.len())
        .sum()
}
