//! `nianbao trace -- CMD`: the command is checked (found, not setuid), run
//! under the tracer, each TCP or UNIX stream connection it made analysed as one trial and
//! written like `listen`'s results; its exit status is passed on.

use super::flags::{keep_bytes, push_str, Flags};
use super::{out_dir, peer_plan, peer_result};
use crate::analysis::RunResult;
use crate::cli::TraceArgs;
use crate::error::{Error, Result};
use crate::peer::{self, Cut, Target, TraceOptions};
use crate::report::results::{preflight, write_results};
use crate::trace::Delivery;
use std::path::PathBuf;
use std::time::SystemTime;

/// The default deadline of a trace: programs run longer than a scenario.
const DEFAULT_DEADLINE: &str = "60s";

/// What `trace` did.
pub struct TraceOutcome {
    /// The analysed run, when at least one connection was recorded.
    pub run: Option<RunResult>,
    pub dir: PathBuf,
    /// The traced command's exit status.
    pub status: Option<u8>,
    /// The report when no connection was recorded.
    pub text: String,
}

/// Runs the command under the tracer and writes what it did.
pub fn trace(args: &TraceArgs) -> Result<TraceOutcome> {
    let target = match args.pid {
        Some(pid) => Target::Pid(pid),
        None => Target::Command(crate::net::tracer::resolve(&args.command).map_err(|e| {
            Error::Config {
                origin: "nianbao trace".into(),
                msg: e.to_string(),
            }
        })?),
    };
    let (plan, declared) = trace_plan(args, false)?;
    let exp = &plan.scenarios[0].experiment;
    // The boundaries the user gave, read as `listen` reads them.
    let given = peer::PeerOptions {
        connections: 1,
        idle: None,
        keep: 0,
        declared,
    };
    let cut = match given.cut(exp) {
        Cut::None => None,
        c => Some(c),
    };
    let opts = TraceOptions {
        cut,
        delivery: match exp.framed() {
            true => Delivery::Framed,
            false => Delivery::Stream,
        },
        keep: keep_bytes(&args.output.keep_bytes)?,
        deadline: exp.deadline,
        announce: super::announce,
        capture: args.capture == crate::cli::TraceCapture::Auto,
    };
    let dir = out_dir(&args.output, &plan);
    preflight(&dir)?;
    let started = SystemTime::now();
    let traced = peer::trace(&target, &opts)?;
    let command = match args.pid {
        Some(pid) => format!("pid {pid}"),
        None => shown(&args.command),
    };
    if traced.peer.conns.is_empty() {
        let mut text = format!(
            "\n  nianbao trace: no TCP or UNIX stream connection or UDP datagram was recorded for {command}; nothing written.\n"
        );
        for n in &traced.peer.extra {
            text += &format!("  · {n}\n");
        }
        return Ok(TraceOutcome {
            run: None,
            dir,
            status: traced.status,
            text,
        });
    }
    // All datagrams: the run is a UDP one, in its knobs and its folder.
    let plan = match traced.udp_only {
        true => trace_plan(args, true)?.0,
        false => plan,
    };
    let mut run = peer_result(&plan, traced.peer, "trace", command, started)?;
    if let Some(p) = run.peer.as_mut() {
        if traced.by_sends {
            p.knobs
                .push("messages = send() calls (where both ends were traced)".into());
        }
        p.unix = traced.unix.iter().map(|&i| i as u32).collect();
        // The transport says tcp (a byte stream); say which were UNIX.
        match traced.unix.len() {
            0 => {}
            n if n == run.trials.len() => p.knobs.push("over UNIX stream sockets".into()),
            _ => p.knobs.push(format!(
                "connections {} over UNIX stream sockets",
                traced
                    .unix
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
    write_results(&dir, &run)?;
    Ok(TraceOutcome {
        run: Some(run),
        dir,
        status: traced.status,
        text: String::new(),
    })
}

/// The plan of a trace: the flags as experiment keys (`udp`: all datagrams).
fn trace_plan(args: &TraceArgs, udp: bool) -> Result<(crate::experiment::Plan, bool)> {
    let mut sets = Flags::new();
    if args.output.deadline.is_none() {
        push_str(
            &mut sets,
            "--deadline",
            "deadline",
            &Some(DEFAULT_DEADLINE.into()),
        );
    }
    if udp {
        push_str(
            &mut sets,
            "(datagrams)",
            "transport.kind",
            &Some("udp".into()),
        );
    }
    peer_plan(
        "trace",
        "Someone else's programs, traced by nianbao trace",
        None,
        sets,
        &args.boundaries,
        &args.output,
    )
}

/// The command as typed, quoted where needed, at most 80 characters.
fn shown(argv: &[std::ffi::OsString]) -> String {
    let words: Vec<String> = argv
        .iter()
        .map(|a| {
            let a = a.to_string_lossy();
            match a
                .chars()
                .any(|c| c.is_whitespace() || "'\"$&;|<>()".contains(c))
            {
                true => format!("'{}'", a.replace('\'', "'\\''")),
                false => a.into_owned(),
            }
        })
        .collect();
    let all = words.join(" ");
    match all.chars().count() > 80 {
        true => format!("`{}…`", all.chars().take(79).collect::<String>()),
        false => format!("`{all}`"),
    }
}
