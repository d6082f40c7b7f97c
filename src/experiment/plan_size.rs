//! How big a plan may be, checked from the sweep axes' lengths before a
//! single scenario is expanded: scenarios × trials under `--max-runs`, and
//! scenarios under a hard cap whatever `--max-runs` says.

use super::model::MAX_SCENARIOS;
use crate::error::{Error, Result};
use toml::{Table, Value};

/// The most scenarios × trials a plan may hold unless `--max-runs` says more.
pub const DEFAULT_MAX_RUNS: u64 = 10_000;

/// Refuses a plan whose scenarios × trials is over `max_runs`, computed
/// from the axes' lengths before anything is expanded.
pub(super) fn check_size(
    table: &Table,
    axes: &[(String, Vec<Value>)],
    max_runs: u64,
) -> Result<()> {
    let trials = table
        .get("trials")
        .and_then(Value::as_integer)
        .map_or(1, |n| n.max(1) as u64);
    let scenarios = axes
        .iter()
        .fold(1u64, |n, (_, vs)| n.saturating_mul(vs.len() as u64));
    let runs = scenarios.saturating_mul(trials);
    if runs <= max_runs {
        return Ok(());
    }
    let shape: Vec<String> = axes
        .iter()
        .map(|(k, vs)| format!("{} {k}", vs.len()))
        .collect();
    Err(Error::Config {
        origin: "sweep".into(),
        msg: format!(
            "{scenarios} scenarios ({}) × {trials} trials = {} runs, over the limit of {max_runs}; sweep fewer values, or raise the limit with --max-runs",
            if shape.is_empty() { "no sweep".to_string() } else { shape.join(" × ") },
            if runs == u64::MAX { "more than 18446744073709551615".to_string() } else { runs.to_string() }
        ),
    })
}

/// Refuses a sweep of more than [`MAX_SCENARIOS`] scenarios before it is
/// expanded, whatever `--max-runs` allows (`show` reads an experiment.toml it
/// must not trust).
pub(super) fn check_scenarios(axes: &[(String, Vec<Value>)], label: &str) -> Result<()> {
    let n = axes
        .iter()
        .try_fold(1usize, |n, (_, v)| n.checked_mul(v.len()));
    match n {
        Some(n) if n <= MAX_SCENARIOS => Ok(()),
        _ => {
            let counts: Vec<String> = axes
                .iter()
                .map(|(k, v)| format!("{} {k}", v.len()))
                .collect();
            Err(Error::Config {
                origin: label.to_string(),
                msg: format!(
                    "the sweep makes more than {MAX_SCENARIOS} scenarios ({}); sweep fewer values",
                    counts.join(" × ")
                ),
            })
        }
    }
}
