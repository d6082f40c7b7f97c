//! Experiments are data: a TOML file (or a built-in one) plus `--set` and
//! `--sweep` from the command line, merged once into a [`Plan`] of validated
//! scenarios. Errors name the file, line, column and key, or the flag.

mod catalogue;
mod expectation;
mod file;
mod framing_check;
mod invalid;
mod limits;
mod merge;
mod model;
mod network_check;
mod origin;
mod overrides;
mod plan_size;
mod sender_check;
mod sizes;
mod spans;
mod validate;
mod values;
mod variant;

pub use catalogue::{builtin, close_matches, Builtin, CATALOGUE};
pub use expectation::{fmt_num, parse_bound, BoundError, Outcome, FIGURES};
pub use file::FileExperiment;
pub use invalid::Invalid;
pub use limits::{
    after_send_capped, after_send_room, message_count, AFTER_SEND_QUEUE, MAX_STREAM, MAX_UDP_V4,
    MAX_UDP_V6,
};
pub use model::*;
pub use network_check::{format_rate, MAX_DELAY, MAX_MTU, MAX_RATE, MIN_MTU, MIN_MTU_V6, MIN_RATE};
pub use overrides::{display_value, expand, parse_value, split_assignment};
pub use plan_size::DEFAULT_MAX_RUNS;
use plan_size::{check_scenarios, check_size};
pub use sizes::Sizes;
pub use validate::{plain_name, NameError};
pub use variant::{flatten as flatten_keys, AXIS as VARIANT_AXIS};

use crate::error::{Error, Result};
use origin::{config_err, flag_err, locate};
use std::path::Path;
use toml::{Table, Value};

/// Where an experiment's text came from.
#[derive(Clone, Debug)]
pub struct Source {
    /// How errors name it: a path, or `hellofeng (built in)`.
    pub label: String,
    /// The TOML text.
    pub text: String,
    /// Name to use when the file has no `name`.
    pub stem: String,
}

impl Source {
    /// Experiment text that is not in a file (tests, benchmarks, tools):
    /// errors call it `{stem}.toml`, and `stem` names it when it has no `name`.
    pub fn inline(stem: &str, text: impl Into<String>) -> Source {
        Source {
            label: format!("{stem}.toml"),
            text: text.into(),
            stem: stem.to_string(),
        }
    }

    /// A built-in experiment by name, or a path to a file.
    pub fn resolve(name_or_path: &str) -> Result<Source> {
        if let Some(b) = builtin(name_or_path) {
            return Ok(Source {
                label: format!("experiments/{}.toml (built in)", b.name),
                text: b.text.to_string(),
                stem: b.name.to_string(),
            });
        }
        let path = Path::new(name_or_path);
        let looks_like_path = name_or_path.ends_with(".toml") || name_or_path.contains('/');
        if !looks_like_path && !path.exists() {
            let close = close_matches(name_or_path);
            let hint = if close.is_empty() {
                String::new()
            } else {
                format!("; did you mean {}?", close.join(", "))
            };
            return Err(Error::UnknownExperiment {
                name: name_or_path.to_string(),
                hint,
            });
        }
        let text = read_text(path, MAX_EXPERIMENT_FILE)?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "experiment".into());
        Ok(Source {
            label: path.display().to_string(),
            text,
            stem,
        })
    }
}

/// Largest experiment file read, bytes: experiments are a page of text.
pub const MAX_EXPERIMENT_FILE: u64 = 1 << 20;

/// Reads a UTF-8 text file of at most `limit` bytes. Only regular files:
/// a FIFO or a device would block or never end.
pub fn read_text(path: &Path, limit: u64) -> Result<String> {
    use std::io::Read;
    let fail = |source: std::io::Error| Error::Read {
        path: path.into(),
        source,
    };
    let invalid = |msg: String| fail(std::io::Error::new(std::io::ErrorKind::InvalidData, msg));
    let meta = std::fs::metadata(path).map_err(fail)?;
    if !meta.is_file() {
        return Err(invalid(
            "not a regular file (a folder, FIFO or device is never read)".into(),
        ));
    }
    if meta.len() > limit {
        return Err(invalid(format!(
            "{} bytes is over the limit of {limit} bytes for this file",
            meta.len()
        )));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(fail)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(fail)?;
    if bytes.len() as u64 > limit {
        return Err(invalid(format!(
            "over the limit of {limit} bytes for this file"
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..at]);
        let line = text.matches('\n').count() + 1;
        invalid(format!(
            "not UTF-8 text: byte {at} (line {line}) is not valid UTF-8; save the file as UTF-8"
        ))
    })
}

/// One point of a sweep, ready to run.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// 0, 1, … in the pinned sweep order.
    pub index: usize,
    /// The swept keys and this point's values, as typed.
    pub params: Vec<(String, String)>,
    /// The validated experiment for this point.
    pub experiment: Experiment,
}

/// What `run` executes: the merged configuration and its scenarios.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The experiment's name.
    pub name: String,
    /// The configuration that runs, as TOML (after --set and --sweep).
    pub config: String,
    /// The swept keys in order (empty without a sweep); `variant` comes
    /// first when the file has `[[variant]]` tables.
    pub swept: Vec<String>,
    /// Every scenario, in order.
    pub scenarios: Vec<Scenario>,
}

/// Command-line layers over the file.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--set key=value`, in order.
    pub sets: Vec<String>,
    /// A command's own flags that stand for keys, as (the flag as typed,
    /// `key=value`), applied before `sets`; errors name the flag.
    pub flags: Vec<(String, String)>,
    /// `--sweep key=v1,v2,…`, in order.
    pub sweeps: Vec<String>,
    /// `--trials N`.
    pub trials: Option<u32>,
    /// `--max-runs N`: the most scenarios × trials a plan may hold
    /// (default [`DEFAULT_MAX_RUNS`]).
    pub max_runs: Option<u64>,
    /// Whether `transport.ip` may be other than loopback: only where the
    /// user named the address for a peer command (`listen --ip`).
    pub any_address: bool,
}

/// Loads, merges and validates an experiment into a [`Plan`].
pub fn plan(source: &Source, over: &Overrides) -> Result<Plan> {
    let file_err =
        |e: toml::de::Error| config_err(&source.label, &source.text, e.span(), e.message());
    let mut table: Table = source.text.parse().map_err(file_err)?;
    toml::from_str::<FileExperiment>(&source.text).map_err(file_err)?;
    let variants = variant::take(&mut table, source)?;
    let set_keys = merge::apply_sets(&mut table, &over.sets, &over.flags)?;
    if let Some(n) = over.trials {
        table.insert("trials".into(), Value::Integer(n.into()));
    }
    let (picks, sweeps): (Vec<String>, Vec<String>) = over
        .sweeps
        .iter()
        .cloned()
        .partition(|a| variant::is_pick(a));
    let names: Vec<String> = variants.iter().map(|v| v.name.clone()).collect();
    let variants = variant::pick(variants, picks.last().map(String::as_str))?;
    let mut axes = sweep_axes(&mut table, &sweeps)?;
    merge::check_base(&table, &variants, source, &set_keys)?;
    if !variants.is_empty() {
        axes.insert(0, variant::axis(&variants));
    }
    check_size(&table, &axes, over.max_runs.unwrap_or(DEFAULT_MAX_RUNS))?;
    check_scenarios(&axes, &source.label)?;
    check_when(&base_expect_when(&table), &axes)?;
    variant::check_when(&base_expect_when(&table), &names)?;
    let scenarios = merge::scenarios(&table, &axes, &variants, source)?;
    if let Some(ip) = scenarios
        .iter()
        .map(|s| s.experiment.transport.ip)
        .find(|ip| !ip.is_loopback() && !over.any_address)
    {
        return Err(Error::Config {
            origin: locate(source, &set_keys, "transport.ip"),
            msg: format!("`{ip}` is not a loopback address; experiments run on 127.0.0.1 or ::1"),
        });
    }
    let name = scenarios[0].experiment.name.clone();
    let config = merge::config(table, &axes, &variants, source)?;
    Ok(Plan {
        name,
        config,
        swept: axes.into_iter().map(|(k, _)| k).collect(),
        scenarios,
    })
}

/// The `[expect.when]` conditions of the merged table, as `(key, value)`.
fn base_expect_when(table: &Table) -> Vec<String> {
    table
        .get("expect")
        .and_then(|e| e.get("when"))
        .and_then(Value::as_table)
        .map(|w| w.keys().cloned().collect())
        .unwrap_or_default()
}

/// Every `[expect.when."key=value"]` names a swept key.
fn check_when(conds: &[String], axes: &[(String, Vec<Value>)]) -> Result<()> {
    for cond in conds {
        let key = cond
            .split_once('=')
            .map_or(cond.as_str(), |(k, _)| k.trim());
        if !axes.iter().any(|(k, _)| k == key) {
            let swept: Vec<&str> = axes.iter().map(|(k, _)| k.as_str()).collect();
            return Err(Error::Config {
                origin: format!("[expect.when.\"{cond}\"]"),
                msg: format!(
                    "`{key}` is not swept, so this condition never applies; swept keys: {}",
                    if swept.is_empty() {
                        "none".to_string()
                    } else {
                        swept.join(", ")
                    }
                ),
            });
        }
    }
    Ok(())
}

fn sweep_axes(table: &mut Table, sweeps: &[String]) -> Result<Vec<(String, Vec<Value>)>> {
    let mut axes: Vec<(String, Vec<Value>)> = Vec::new();
    if let Some(Value::Table(s)) = table.remove("sweep") {
        for (k, v) in s {
            if let Some(msg) = variant::sweep_refusal(&k) {
                return Err(Error::Config {
                    origin: format!("[sweep] {k}"),
                    msg,
                });
            }
            let values = v
                .as_array()
                .filter(|a| !a.is_empty())
                .cloned()
                .ok_or_else(|| Error::Config {
                    origin: format!("[sweep] {k}"),
                    msg: "must be a non-empty list of values, like [\"0\", \"1ms\"]".into(),
                })?;
            axes.push((k, values));
        }
    }
    for arg in sweeps {
        let (key, list) = split_assignment(arg)
            .ok_or_else(|| flag_err("--sweep", arg, "write it as key=v1,v2,…"))?;
        let values: Vec<Value> = list
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse_value(s.trim()))
            .collect();
        if values.is_empty() {
            return Err(flag_err("--sweep", arg, "give at least one value after ="));
        }
        if let Some(msg) = variant::sweep_refusal(&key) {
            return Err(flag_err("--sweep", arg, &msg));
        }
        match axes.iter_mut().find(|(k, _)| *k == key) {
            Some(axis) => axis.1 = values,
            None => axes.push((key, values)),
        }
    }
    Ok(axes)
}

/// Deserializes the tree to catch unknown keys and wrong types early.
pub(super) fn check_tree(table: &Table) -> std::result::Result<(), TreeError> {
    let mut t = table.clone();
    t.remove("sweep");
    Value::Table(t)
        .try_into::<FileExperiment>()
        .map(|_| ())
        .map_err(TreeError)
}

/// A merged tree that is not an experiment: an unknown key or a wrong type.
/// A tree has no text, so the parser's error has no position: its message
/// is all it says.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.message())]
pub(super) struct TreeError(toml::de::Error);
