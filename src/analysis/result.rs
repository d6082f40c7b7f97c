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
    /// Whether its wire was captured, and the frames if so.
    pub capture: crate::trace::Capture,
    /// Each request and its reply, when the server answers whole messages.
    pub requests: Vec<super::Request>,
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
    /// When the traffic was someone else's program's (`listen`, `send`,
    /// `proxy`): what nianbao did and how it went. `None` for `run`.
    pub peer: Option<PeerInfo>,
}

/// What a peer source did, for the reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeerInfo {
    /// `listen`, `send` or `proxy`.
    pub command: String,
    /// What nianbao listened on or connected to, in words
    /// (`127.0.0.1:9000`, `127.0.0.1:9000 → 127.0.0.1:9001`).
    pub address: String,
    /// How the run went: one sentence each (how each connection ended,
    /// caps reached, a signal).
    pub notes: Vec<String>,
    /// What nianbao did beyond the experiment's knobs, in words (a proxy's
    /// chunking), for the knobs line.
    pub knobs: Vec<String>,
    /// The signal that ended the run early, if one did.
    pub interrupted: Option<i32>,
    /// `trace`: the trials that were UNIX stream connections (the
    /// transport reads tcp, a byte stream; the verdict names UNIX).
    pub unix: Vec<u32>,
}

impl RunResult {
    /// Whether trial `t` was a UNIX stream connection (`trace`).
    pub fn unix(&self, t: &TrialResult) -> bool {
        self.peer
            .as_ref()
            .is_some_and(|p| p.unix.contains(&t.trial))
    }

    /// Trials whose expectation held, and all trials.
    pub fn reproduced(&self) -> (usize, usize) {
        (
            self.trials.iter().filter(|t| t.outcome.ok).count(),
            self.trials.len(),
        )
    }
}
