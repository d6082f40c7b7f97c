//! meta.json: what a reader needs to trust or reproduce a run — tool
//! version, kernel, the sysctls that change TCP's behaviour, timing. Written
//! by `run` from the host facts it probed; `show` reads back the timing, the
//! host facts and the decoder errors, checking each field's type (the file
//! may come from anywhere).

use super::open::{present, read_text, SMALL_CAP};
use crate::analysis::{PeerInfo, RunResult};
use crate::error::LoadError;
use crate::net::host::{dotted, HostFacts, SYSCTLS};
use crate::trace::Flow;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// The longest host fact `show` takes back (a kernel release is at most 64).
const MAX_FACT: usize = 256;

/// meta.json as pretty text.
pub fn meta_json(run: &RunResult) -> String {
    let (ok, total) = run.reproduced();
    let v = json!({
        "tool": "nianbao",
        "version": env!("CARGO_PKG_VERSION"),
        "experiment": run.plan.name,
        "kernel_release": run.host.kernel_release.clone().unwrap_or_default(),
        "sysctls": run.host.sysctls,
        "loopback_mtu": run.host.loopback_mtu,
        "clock": crate::tsc::describe(),
        "start_unix_s": run.started_unix,
        "duration_ns": run.duration_ns,
        "scenarios": run.plan.scenarios.len(),
        "trials": total,
        "reproduced": ok,
        "swept": run.plan.swept,
        "decode_errors": decode_errors(run),
        "peer": run.peer.as_ref().map(|p| json!({"command": p.command, "address": p.address, "notes": p.notes, "knobs": p.knobs, "interrupted": p.interrupted, "unix_trials": p.unix})),
        "recorded": super::recorded::meta_entries(run),
        "capture": capture(run),
        "network": network(run),
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// What the capture of the wire gave: per trial, the interface, the frames
/// kept and the packets the kernel dropped, or why nothing was captured.
fn capture(run: &RunResult) -> Value {
    use crate::trace::Capture;
    let list: Vec<Value> = run
        .trials
        .iter()
        .filter_map(|t| match &t.capture {
            Capture::Off => None,
            Capture::Unavailable(why) => Some(json!({"scenario": t.scenario, "trial": t.trial, "captured": false, "why": why})),
            Capture::Captured { interface, place, frames, drops, .. } => Some(json!({"scenario": t.scenario, "trial": t.trial, "captured": true, "interface": interface, "frames": frames.len(), "in_pcapng": frames.iter().filter(|f| f.kept > 0).count(), "drops": drops, "where": place.describe()})),
        })
        .collect();
    Value::Array(list)
}

/// The network lab of each scenario that ran in one: its link as
/// configured (the lab fails rather than run otherwise) and what the lab
/// does to make the segments real. Empty when every trial ran on loopback.
fn network(run: &RunResult) -> Value {
    use crate::net::lab;
    let list: Vec<Value> = run
        .plan
        .scenarios
        .iter()
        .filter(|s| s.experiment.network.lab)
        .map(|s| {
            let n = &s.experiment.network;
            let v6 = s.experiment.transport.ip.is_ipv6();
            json!({
                "scenario": s.index,
                "lab": true,
                "link": format!("veth pair {} (sender's namespace) — {} (receiver's namespace)", lab::SENDER_LINK, lab::RECEIVER_LINK),
                "receiver": lab::receiver_ip(v6).to_string(),
                "mtu": n.mtu,
                "rate_bps": n.rate_bps,
                "rate": n.rate_bps.map(crate::experiment::format_rate),
                "delay_ns": n.delay.as_nanos() as u64,
                "loss_percent": n.loss_percent,
                "qdisc": match (n.delay.is_zero() && n.loss_percent == 0.0, n.rate_bps) {
                    (false, _) => "netem on the sender's end",
                    (true, Some(_)) => "tbf on the sender's end (burst of one frame)",
                    (true, None) => "none (the veth default)",
                },
                "offloads": "TSO, GSO and GRO off on both veth ends (SIOCETHTOOL), checked after setting",
                "capture": "on the receiver's veth",
            })
        })
        .collect();
    Value::Array(list)
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

/// What `show` takes back from meta.json.
#[derive(Debug, Default)]
pub struct Recorded {
    /// When the run started, seconds since the Unix epoch (0 when unknown).
    pub start_unix_s: u64,
    /// How long the whole run took, nanoseconds (0 when unknown).
    pub duration_ns: u64,
    /// Each framing decoder error.
    pub decode_errors: Vec<DecodeError>,
    /// The machine the run ran on (facts meta.json lacks are unknown).
    pub host: HostFacts,
    /// What a peer source did (`listen`, `send`, `proxy`), if one ran.
    pub peer: Option<PeerInfo>,
    /// The flows whose bytes a peer source kept, with their boundaries.
    pub recorded: Vec<super::recorded::RecordedFlow>,
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
        host: read_host(&meta, dir)?,
        peer: read_peer(&meta, dir)?,
        recorded: super::recorded::read(&meta, dir, &|m| error(dir, m))?,
    })
}

/// `peer`: {command, address, notes, interrupted}, or null for `run`.
fn read_peer(meta: &Value, dir: &Path) -> Result<Option<PeerInfo>, LoadError> {
    let p = match &meta["peer"] {
        Value::Null => return Ok(None),
        v @ Value::Object(_) => v,
        v => return Err(error(dir, format!("peer: {v} is not an object"))),
    };
    let text = |key: &str| match &p[key] {
        Value::String(s) if s.chars().count() <= MAX_FACT => Ok(s.clone()),
        v => Err(error(
            dir,
            format!("peer.{key}: {v} is not a string of at most {MAX_FACT} characters"),
        )),
    };
    let list = |key: &str| {
        match &p[key] {
            Value::Null => Some(Vec::new()),
            Value::Array(list) if list.len() <= 256 => list
                .iter()
                .map(|n| {
                    n.as_str()
                        .filter(|s| s.chars().count() <= 4 * MAX_FACT)
                        .map(String::from)
                })
                .collect::<Option<Vec<_>>>(),
            _ => None,
        }
        .ok_or_else(|| {
            error(
                dir,
                format!("peer.{key}: not a list of at most 256 short strings"),
            )
        })
    };
    let (notes, knobs) = (list("notes")?, list("knobs")?);
    let interrupted = match &p["interrupted"] {
        Value::Null => None,
        v => Some(
            v.as_u64()
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(|| {
                    error(dir, format!("peer.interrupted: {v} is not a signal number"))
                })?,
        ),
    };
    // Absent in folders written before UNIX stream sockets were analysed.
    let unix = match &p["unix_trials"] {
        Value::Null => Some(Vec::new()),
        Value::Array(list) if list.len() <= 4096 => list
            .iter()
            .map(|n| n.as_u64().and_then(|n| u32::try_from(n).ok()))
            .collect(),
        _ => None,
    }
    .ok_or_else(|| error(dir, "peer.unix_trials: not a list of trial numbers".into()))?;
    Ok(Some(PeerInfo {
        command: text("command")?,
        address: text("address")?,
        notes,
        knobs,
        interrupted,
        unix,
    }))
}

/// An error about a field of `dir`'s meta.json.
pub fn error(dir: &Path, msg: String) -> LoadError {
    LoadError::Json {
        path: dir.join("meta.json"),
        msg,
        source: None,
    }
}

/// `kernel_release`, the known `sysctls` and `loopback_mtu`; a fact that is
/// missing or null (an older folder) stays unknown, and `show` never probes
/// this machine for it.
fn read_host(meta: &Value, dir: &Path) -> Result<HostFacts, LoadError> {
    let text = |key: &str, v: &Value| match v {
        Value::Null => Ok(None),
        Value::String(s) if s.chars().count() <= MAX_FACT => Ok(Some(s.clone())),
        Value::String(_) => Err(error(
            dir,
            format!("{key}: longer than {MAX_FACT} characters"),
        )),
        v => Err(error(dir, format!("{key}: {v} is not a string"))),
    };
    let kernel_release = text("kernel_release", &meta["kernel_release"])?;
    let sysctls = match &meta["sysctls"] {
        Value::Null => BTreeMap::new(),
        Value::Object(map) => {
            let mut known = BTreeMap::new();
            for name in SYSCTLS.iter().map(|k| dotted(k)) {
                if let Some(v) = map.get(&name) {
                    let value = text(&format!("sysctls.{name}"), v)?;
                    known.insert(name, value);
                }
            }
            known
        }
        v => return Err(error(dir, format!("sysctls: {v} is not an object"))),
    };
    let loopback_mtu = match &meta["loopback_mtu"] {
        Value::Null => None,
        v => Some(
            v.as_u64()
                .ok_or_else(|| error(dir, format!("loopback_mtu: {v} is not a whole number")))?,
        ),
    };
    Ok(HostFacts {
        kernel_release: kernel_release.filter(|k| !k.is_empty()),
        sysctls,
        loopback_mtu,
    })
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
