//! Orchestration: every scenario of a plan, `trials` times each, analysed
//! and checked against `[expect]` as it finishes.

use crate::analysis::{analyse, Delivery, FlowAnalysis};
use crate::engine::run_trial;
use crate::error::Result;
use crate::analysis::expect::{check_trial, figures, fmt_num, model_of, Outcome};
use crate::experiment::{Experiment, Kind, Plan};
use crate::engine::model::FlowModel;
use crate::trace::Flow;
use std::time::{Instant, SystemTime};

/// One trial of one scenario, analysed.
#[derive(Clone, Debug)]
pub struct TrialResult {
    pub scenario: usize,
    pub trial: u32,
    /// c2s first, then s2c when there are replies.
    pub flows: Vec<FlowAnalysis>,
    pub duration_ns: u64,
    /// How this trial compares with `[expect]`.
    pub outcome: Outcome,
}

/// A whole run.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub plan: Plan,
    pub trials: Vec<TrialResult>,
    /// Unix time the run started, seconds.
    pub started_unix: u64,
    /// Wall time of the whole run, ns.
    pub duration_ns: u64,
    /// The machine the run ran on, probed once as it started.
    pub host: crate::net::HostFacts,
}

impl RunResult {
    /// Trials whose expectation held, and all trials.
    pub fn reproduced(&self) -> (usize, usize) {
        (
            self.trials.iter().filter(|t| t.outcome.ok).count(),
            self.trials.len(),
        )
    }
}

/// How the receiving application meets a flow.
pub fn delivery(exp: &Experiment, flow: Flow) -> Delivery {
    match (exp.transport.kind, flow) {
        (Kind::Udp, _) => Delivery::Datagram,
        (Kind::Tcp, Flow::C2s) if exp.framed() => Delivery::Framed,
        _ => Delivery::Stream,
    }
}

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
    let mut trials = Vec::with_capacity(total);
    let mut recorded = 0usize;
    for scenario in &plan.scenarios {
        let exp = &scenario.experiment;
        let models = FlowModel::of(exp);
        for trial in 0..exp.trials {
            let stopped = |signal| crate::error::Error::Interrupted { signal };
            if let Some(signal) = crate::interrupt::pending() {
                return Err(stopped(signal));
            }
            // A signal can end a trial's blocking call early: say so, not the
            // error that call gave.
            let trace =
                run_trial(exp).map_err(|e| crate::interrupt::pending().map_or(e, stopped))?;
            recorded = recorded.saturating_add(events(&trace));
            if recorded > MAX_RUN_EVENTS {
                return Err(crate::error::Error::Limit(format!(
                    "the run recorded {recorded} events (messages, sends and recvs) by scenario {} trial {trial}, over the limit of {MAX_RUN_EVENTS} a run; run fewer trials or scenarios, or fewer messages",
                    scenario.index
                )));
            }
            let mut flows = vec![analyse(
                Flow::C2s,
                delivery(exp, Flow::C2s),
                &trace.c2s,
                trace.duration_ns,
            )];
            if let Some(s2c) = &trace.s2c {
                flows.push(analyse(
                    Flow::S2c,
                    delivery(exp, Flow::S2c),
                    s2c,
                    trace.duration_ns,
                ));
            }
            let outcome = check_trial(exp, &flows, &models);
            trials.push(TrialResult {
                scenario: scenario.index,
                trial,
                flows,
                duration_ns: trace.duration_ns,
                outcome,
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
    })
}

/// Most events (messages, send and recv calls, both flows) one run keeps in
/// memory until its results are written.
pub const MAX_RUN_EVENTS: usize = 8 << 20;

fn events(trace: &crate::trace::Trace) -> usize {
    std::iter::once(&trace.c2s)
        .chain(trace.s2c.as_ref())
        .map(|f| f.messages.len() + f.sends.len() + f.recvs.len() + f.decoded.len())
        .sum()
}

/// Applies `[[expect.compare]]`: the figure's mean over all trials of the
/// `less` scenarios must be below its mean over the `than` scenarios. A
/// direction of effect is a statement about averages, so it holds or fails
/// for the run as a whole (every trial is marked alike).
fn check_compares(plan: &Plan, trials: &mut [TrialResult]) {
    let exp = &plan.scenarios[0].experiment;
    let flow = exp.expect.flow.unwrap_or(Flow::C2s);
    if exp.expect.compares.is_empty() {
        return;
    }
    let models: Vec<_> = plan
        .scenarios
        .iter()
        .map(|s| FlowModel::of(&s.experiment))
        .collect();
    for c in &exp.expect.compares {
        let mean = |want: &[(String, String)]| {
            let v: Vec<f64> = trials
                .iter()
                .filter(|t| {
                    want.iter()
                        .all(|w| plan.scenarios[t.scenario].params.contains(w))
                })
                .filter_map(|t| {
                    let fa = t.flows.iter().find(|f| f.flow == flow)?;
                    let model = model_of(&models[t.scenario], flow)?;
                    figures(fa, model).get(c.figure.as_str()).copied()
                })
                .collect();
            if v.is_empty() {
                f64::NAN
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            }
        };
        let (a, b) = (mean(&c.less), mean(&c.than));
        if a < b {
            continue;
        }
        let msg = format!(
            "compare: mean {} {} = {} is not below {} = {}",
            c.figure,
            show(&c.less),
            fmt_num(a),
            show(&c.than),
            fmt_num(b)
        );
        for t in trials.iter_mut() {
            t.outcome.ok = false;
            t.outcome.failures.push(msg.clone());
        }
    }
}

fn show(params: &[(String, String)]) -> String {
    let inner: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("[{}]", inner.join(" "))
}
