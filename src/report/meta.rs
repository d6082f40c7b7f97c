//! meta.json: what a reader needs to trust or reproduce a run — tool
//! version, kernel, the sysctls that change TCP's behaviour, timing.

use crate::run::RunResult;
use serde_json::{json, Value};

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
