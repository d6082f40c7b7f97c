//! meta.json: what a reader needs to trust or reproduce a run — tool
//! version, kernel, the sysctls that change TCP's behaviour, timing. Written
//! by `run`; `show` reads back the timing and the decoder errors, checking
//! each field's type (the file may come from anywhere).

use super::open::{present, read_text, SMALL_CAP};
use crate::analysis::RunResult;
use crate::error::LoadError;
use crate::trace::Flow;
use serde_json::{json, Value};
use std::path::Path;

/// The sysctls that shape what an experiment shows.
const SYSCTLS: &[&str] = &[
    "net/ipv4/tcp_autocorking",
    "net/ipv4/tcp_rmem",
    "net/ipv4/tcp_wmem",
    "net/core/rmem_default",
    "net/core/rmem_max",
    "net/core/wmem_default",
    "net/core/wmem_max",
];

/// meta.json as pretty text.
pub fn meta_json(run: &RunResult) -> String {
    let (ok, total) = run.reproduced();
    let v = json!({
        "tool": "nianbao",
        "version": env!("CARGO_PKG_VERSION"),
        "experiment": run.plan.name,
        "kernel_release": kernel_release(),
        "sysctls": sysctls(),
        "loopback_mtu": read_trim("/sys/class/net/lo/mtu").and_then(|s| s.parse::<u64>().ok()),
        "clock": crate::tsc::describe(),
        "start_unix_s": run.started_unix,
        "duration_ns": run.duration_ns,
        "scenarios": run.plan.scenarios.len(),
        "trials": total,
        "reproduced": ok,
        "swept": run.plan.swept,
        "decode_errors": decode_errors(run),
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// Every framing decode error, per scenario, trial and flow (the CSVs have no place for them).
fn decode_errors(run: &RunResult) -> Value {
    let list: Vec<Value> = run
        .trials
        .iter()
        .flat_map(|t| t.flows.iter().filter_map(move |f| f.decode_error.as_ref().map(|e| json!({"scenario": t.scenario, "trial": t.trial, "flow": f.flow.as_str(), "error": e}))))
        .collect();
    Value::Array(list)
}

/// The running kernel's release, like `6.1.0-18-amd64`.
pub fn kernel_release() -> String {
    nix::sys::utsname::uname()
        .map(|u| u.release().to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn sysctls() -> Value {
    let map = SYSCTLS
        .iter()
        .map(|k| {
            (
                k.replace('/', "."),
                read_trim(&format!("/proc/sys/{k}"))
                    .map_or(Value::Null, |v| Value::String(v.replace('\t', " "))),
            )
        })
        .collect();
    Value::Object(map)
}

fn read_trim(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

/// What `show` takes back from meta.json.
#[derive(Debug, Default)]
pub struct Recorded {
    /// When the run started, seconds since the Unix epoch (0 when unknown).
    pub start_unix_s: u64,
    /// How long the whole run took, nanoseconds (0 when unknown).
    pub duration_ns: u64,
    /// Each framing decoder error.
    pub decode_errors: Vec<DecodeError>,
}

/// One framing decoder error of meta.json.
#[derive(Debug)]
pub struct DecodeError {
    pub scenario: u32,
    pub trial: u32,
    pub flow: Flow,
    /// The decoder's message.
    pub error: String,
}

/// Reads and checks `dir`'s meta.json (all defaults when there is none).
pub fn read(dir: &Path) -> Result<Recorded, LoadError> {
    let path = dir.join("meta.json");
    if !present(&path) {
        return Ok(Recorded::default());
    }
    let meta: Value =
        serde_json::from_str(&read_text(&path, SMALL_CAP)?).map_err(|e| LoadError::Json {
            path: path.clone(),
            msg: "not valid JSON".into(),
            source: Some(e),
        })?;
    let number = |key: &str| match &meta[key] {
        Value::Null => Ok(0),
        v => v
            .as_u64()
            .ok_or_else(|| error(dir, format!("{key}: {v} is not a whole number"))),
    };
    Ok(Recorded {
        start_unix_s: number("start_unix_s")?,
        duration_ns: number("duration_ns")?,
        decode_errors: read_decode_errors(&meta, dir)?,
    })
}

/// An error about a field of `dir`'s meta.json.
pub fn error(dir: &Path, msg: String) -> LoadError {
    LoadError::Json {
        path: dir.join("meta.json"),
        msg,
        source: None,
    }
}

/// `decode_errors`: a list of {scenario, trial, flow, error}.
fn read_decode_errors(meta: &Value, dir: &Path) -> Result<Vec<DecodeError>, LoadError> {
    let list = match &meta["decode_errors"] {
        Value::Null => return Ok(Vec::new()),
        Value::Array(list) => list,
        v => return Err(error(dir, format!("decode_errors: {v} is not a list"))),
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, e) in list.iter().enumerate() {
        let bad = |field: &str, want: &str| {
            error(
                dir,
                format!("decode_errors[{i}].{field}: {} is not {want}", e[field]),
            )
        };
        let number = |field: &str| {
            e[field]
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| bad(field, "a whole number up to 4294967295"))
        };
        let (scenario, trial) = (number("scenario")?, number("trial")?);
        let flow = match e["flow"].as_str() {
            Some("c2s") => Flow::C2s,
            Some("s2c") => Flow::S2c,
            _ => return Err(bad("flow", "\"c2s\" or \"s2c\"")),
        };
        let msg = e["error"]
            .as_str()
            .ok_or_else(|| bad("error", "a string"))?;
        out.push(DecodeError {
            scenario,
            trial,
            flow,
            error: msg.to_string(),
        });
    }
    Ok(out)
}
