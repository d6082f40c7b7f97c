//! A run as analysed: every trial of every scenario, its flows and its
//! outcome against `[expect]`. What the reports write and `show` reads back.

use super::FlowAnalysis;
use crate::experiment::{Outcome, Plan};

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
