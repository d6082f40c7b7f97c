//! The bytes a peer source kept (`listen`, `send`, `proxy`): nianbao cannot
//! regenerate someone else's traffic, so a results folder of such a run
//! holds them in `bytes.bin`, flow after flow, and meta.json says where
//! each flow's runs of bytes lie and where its message boundaries came
//! from. `show` and `plot` read them back from there.

use super::open::{open, present};
use crate::analysis::{Boundaries, RunResult};
use crate::error::LoadError;
use crate::trace::{Content, Flow, Recorded};
use serde_json::{json, Value};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// The largest bytes.bin `show` reads (the default keep cap is 64 MiB; the
/// largest a run may keep is 1 GiB).
pub const BYTES_CAP: u64 = 1 << 30;

/// The name of a boundaries source in meta.json.
pub fn boundaries_name(b: Boundaries) -> &'static str {
    match b {
        Boundaries::Known => "known",
        Boundaries::Decoded => "decoded",
        Boundaries::Declared => "declared",
        Boundaries::Unknown => "unknown",
    }
}

fn boundaries_named(name: &str) -> Option<Boundaries> {
    [
        Boundaries::Known,
        Boundaries::Decoded,
        Boundaries::Declared,
        Boundaries::Unknown,
    ]
    .into_iter()
    .find(|b| boundaries_name(*b) == name)
}

/// Each flow whose bytes were recorded, in bytes.bin order.
fn recorded_flows(
    run: &RunResult,
) -> impl Iterator<Item = (usize, u32, Flow, Boundaries, &Recorded)> {
    run.trials.iter().flat_map(|t| {
        t.flows.iter().filter_map(move |f| match &f.content {
            Content::Recorded(r) => Some((t.scenario, t.trial, f.flow, f.boundaries, r.as_ref())),
            _ => None,
        })
    })
}

/// meta.json's `recorded`: for a peer run, every flow's boundaries and its
/// runs of bytes ([flow offset, length], in bytes.bin order), or `null`
/// runs where the bytes come from the experiment (what `send` sent).
pub fn meta_entries(run: &RunResult) -> Value {
    if run.peer.is_none() {
        return Value::Array(Vec::new());
    }
    let list: Vec<Value> = run
        .trials
        .iter()
        .flat_map(|t| t.flows.iter().map(move |f| (t, f)))
        .map(|(t, f)| {
            let runs = match &f.content {
                Content::Recorded(r) => {
                    Value::Array(r.parts().1.iter().map(|(o, l)| json!([o, l])).collect())
                }
                _ => Value::Null,
            };
            json!({"scenario": t.scenario, "trial": t.trial, "flow": f.flow.as_str(), "boundaries": boundaries_name(f.boundaries), "runs": runs})
        })
        .collect();
    Value::Array(list)
}

/// Writes bytes.bin: every recorded flow's bytes, one after another.
pub fn write_bytes(run: &RunResult, out: &mut impl std::io::Write) -> std::io::Result<()> {
    for (.., r) in recorded_flows(run) {
        out.write_all(r.parts().0)?;
    }
    Ok(())
}

/// Whether a run has bytes to keep (a peer source's).
pub fn has_bytes(run: &RunResult) -> bool {
    recorded_flows(run).next().is_some()
}

/// One flow of meta.json's `recorded`, read back.
#[derive(Debug)]
pub struct RecordedFlow {
    pub scenario: u32,
    pub trial: u32,
    pub flow: Flow,
    pub boundaries: Boundaries,
    /// `None`: the bytes come from the experiment, as for a run.
    pub content: Option<Content>,
}

/// Reads `recorded` from meta.json and the bytes from bytes.bin.
pub fn read(
    meta: &Value,
    dir: &Path,
    err: &dyn Fn(String) -> LoadError,
) -> Result<Vec<RecordedFlow>, LoadError> {
    let list = match &meta["recorded"] {
        Value::Null => return Ok(Vec::new()),
        Value::Array(list) => list,
        v => return Err(err(format!("recorded: {v} is not a list"))),
    };
    let path = dir.join("bytes.bin");
    let mut bytes = Vec::new();
    if present(&path) {
        open(&path, BYTES_CAP)?
            .read_to_end(&mut bytes)
            .map_err(|e| LoadError::Io {
                path: path.clone(),
                source: e,
            })?;
    }
    let mut at = 0usize;
    let mut out = Vec::with_capacity(list.len());
    for (i, e) in list.iter().enumerate() {
        let bad = |field: &str, want: &str| {
            err(format!("recorded[{i}].{field}: {} is not {want}", e[field]))
        };
        let number = |field: &str| {
            e[field]
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| bad(field, "a whole number up to 4294967295"))
        };
        let flow = match e["flow"].as_str() {
            Some("c2s") => Flow::C2s,
            Some("s2c") => Flow::S2c,
            _ => return Err(bad("flow", "\"c2s\" or \"s2c\"")),
        };
        let boundaries = e["boundaries"]
            .as_str()
            .and_then(boundaries_named)
            .ok_or_else(|| bad("boundaries", "known, decoded, declared or unknown"))?;
        if e["runs"].is_null() {
            out.push(RecordedFlow {
                scenario: number("scenario")?,
                trial: number("trial")?,
                flow,
                boundaries,
                content: None,
            });
            continue;
        }
        let runs =
            runs_of(&e["runs"]).ok_or_else(|| bad("runs", "a list of [offset, length] pairs"))?;
        let len: usize = runs.iter().map(|r| r.1).sum();
        let Some(chunk) = bytes.get(at..at.saturating_add(len)) else {
            return Err(err(format!(
                "recorded[{i}]: its runs need {len} bytes from byte {at} of bytes.bin, which has {}",
                bytes.len()
            )));
        };
        at += len;
        let recorded = Recorded::from_parts(chunk.to_vec(), &runs)
            .ok_or_else(|| bad("runs", "a list of runs that fit the bytes"))?;
        out.push(RecordedFlow {
            scenario: number("scenario")?,
            trial: number("trial")?,
            flow,
            boundaries,
            content: Some(Content::Recorded(Arc::new(recorded))),
        });
    }
    if at != bytes.len() {
        return Err(err(format!(
            "bytes.bin has {} bytes, but the runs of `recorded` account for {at}",
            bytes.len()
        )));
    }
    Ok(out)
}

/// `[[offset, length], …]`, each run after the one before it.
fn runs_of(v: &Value) -> Option<Vec<(u64, usize)>> {
    let mut end = 0u64;
    let mut out = Vec::new();
    for pair in v.as_array()? {
        let p = pair.as_array()?;
        let (o, l) = (p.first()?.as_u64()?, p.get(1)?.as_u64()?);
        if p.len() != 2 || o < end || l == 0 || l > BYTES_CAP {
            return None;
        }
        end = o.checked_add(l)?;
        out.push((o, l as usize));
    }
    Some(out)
}
