//! The peer commands (`listen`, `send`, `proxy`): flags become
//! experiment keys, so every value is checked as a file's would be; the
//! peer source records; the run is analysed and written like `run`'s, and
//! `app` prints it.

use crate::analysis::{analyse_owned, PeerInfo, RunResult, TrialResult};
use crate::cli::{ListenArgs, PeerBoundaries, PeerOutput, ProxyArgs, SendArgs};
use crate::error::{Error, Result};
use crate::experiment::{plan, Overrides, Plan, Source};
use crate::peer::{self, Chunk, PeerOptions, PeerRun, Relay, Stop};
use crate::report::results::{preflight, write_results};
use crate::trace::Flow;

mod flags;
mod trace;
use flags::{
    duration, keep_bytes, push_list, push_size, push_str, quote, rename, with_trials, Flags,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;
pub use trace::trace;

/// The experiment a peer command starts from when none is named.
const BASE: &str = r#"name = "NAME"
title = "TITLE"
[transport]
kind = "tcp"
"#;

/// `nianbao listen`: the run, written to the results folder it returns.
pub fn listen(args: &ListenArgs) -> Result<(RunResult, PathBuf)> {
    let mut sets: Flags = vec![
        (
            format!("--ip {}", args.ip),
            format!("transport.ip={}", quote(&args.ip.to_string())),
        ),
        (
            format!("--port {}", args.port),
            format!("transport.port={}", args.port),
        ),
    ];
    push_str(&mut sets, "--kind", "transport.kind", &args.kind);
    push_list(
        &mut sets,
        "--recv-sizes",
        "receiver.recv_sizes",
        &args.recv_sizes,
    );
    push_str(
        &mut sets,
        "--start-delay",
        "receiver.start_delay",
        &args.start_delay,
    );
    push_str(&mut sets, "--recv-gap", "receiver.recv_gap", &args.recv_gap);
    push_size(&mut sets, "--rcvbuf", "receiver.rcvbuf", &args.rcvbuf);
    if let Some(r) = &args.reply {
        match r.as_str() {
            "none" | "echo" | "upper" => push_str(&mut sets, "--reply", "receiver.reply", &args.reply),
            _ if !r.starts_with(|c: char| c.is_ascii_digit()) => {
                return Err(crate::error::Error::Config {
                    origin: format!("--reply {r}"),
                    msg: "allowed: none, echo, upper, or reply sizes like 1500,1800 (a reply never runs anything)".into(),
                })
            }
            _ => push_list(&mut sets, "--reply", "receiver.reply", &Some(r.clone())),
        }
    }
    let (mut plan, declared) = peer_plan(
        "listen",
        "Someone else's client, read by nianbao listen",
        args.experiment.as_deref(),
        sets,
        &args.boundaries,
        &args.output,
    )?;
    if plan.scenarios[0].experiment.receiver.start_delay == crate::experiment::StartDelay::AfterSend
    {
        return Err(crate::error::Error::Config {
            origin: match &args.start_delay {
                Some(d) => format!("--start-delay {d}"),
                None => format!("receiver.start_delay of {}", plan.name),
            },
            msg: "`after-send` needs nianbao's own sender (`nianbao run`): listen cannot tell when someone else's client is done; give --start-delay a duration like 50ms".into(),
        });
    }
    if plan.scenarios[0].experiment.transport.kind == crate::experiment::Kind::Udp
        && args.boundaries.messages.is_some()
    {
        return Err(crate::error::Error::Config {
            origin: "--messages".into(),
            msg: "applies to TCP only: over UDP each datagram is a message already".into(),
        });
    }
    if args.experiment.is_some() {
        let name = format!("listen-{}", plan.name);
        let title = format!("The receiver of {}, for someone else's client", plan.name);
        rename(&mut plan, &name, &title);
    }
    let opts = PeerOptions {
        connections: usize::from(args.connections),
        idle: duration("--idle", &args.idle)?,
        keep: keep_bytes(&args.output.keep_bytes)?,
        declared,
    };
    record(&plan, &args.output, "listen", Vec::new(), |exp| {
        let peer = peer::listen(exp, &opts, |addr| announce(&format!("listening on {addr}")))?;
        let address = peer.bound.to_string();
        Ok((peer, address))
    })
}

/// Runs a peer source with the plan's one experiment (once the results
/// folder is known to be writable), analyses what it recorded and writes it.
fn record(
    plan: &Plan,
    output: &PeerOutput,
    command: &str,
    knobs: Vec<String>,
    source: impl FnOnce(&crate::experiment::Experiment) -> Result<(PeerRun, String)>,
) -> Result<(RunResult, PathBuf)> {
    let out_dir = out_dir(output, plan);
    preflight(&out_dir)?;
    let started = SystemTime::now();
    let (peer, address) = source(&plan.scenarios[0].experiment)?;
    let mut run = peer_result(plan, peer, command, address, started)?;
    if let Some(p) = run.peer.as_mut() {
        p.knobs = knobs;
    }
    write_results(&out_dir, &run)?;
    Ok((run, out_dir))
}

/// `nianbao send`: the run, written to the results folder it returns.
pub fn send(args: &SendArgs) -> Result<(RunResult, PathBuf)> {
    let mut sets = Flags::new();
    push_str(&mut sets, "--idle", "receiver.idle", &args.idle);
    let boundaries = PeerBoundaries {
        framing: args.framing.clone(),
        messages: args.messages.clone(),
    };
    let source = args.experiment.as_deref().or(Some("hellofeng"));
    let (mut plan, _) = peer_plan("send", "", source, sets, &boundaries, &args.output)?;
    // Its own name and words: the experiment's title and about describe
    // what nianbao's own server does, which someone else's may not.
    let name = format!("send-{}", plan.name);
    let title = format!("The sender of {}, against someone else's server", plan.name);
    rename(&mut plan, &name, &title);
    let exp = &plan.scenarios[0].experiment;
    if exp.transport.kind != crate::experiment::Kind::Tcp {
        return Err(Error::Config {
            origin: "nianbao send".into(),
            msg: "sends over TCP only; for UDP, run the experiment with `nianbao run`".into(),
        });
    }
    let keep = keep_bytes(&args.output.keep_bytes)?;
    record(&plan, &args.output, "send", Vec::new(), |exp| {
        let models = crate::engine::Models::of(exp);
        let sent = crate::engine::send_to(exp, &models, args.to, keep)?;
        let mut peer = PeerRun::single(args.to, sent.trace);
        peer.extra.push(match (sent.failed, sent.quiet) {
            (Some(crate::error::Error::Interrupted { signal }), _) => {
                peer.stop = Some(Stop::Signal(signal));
                format!("{} ended the conversation", crate::error::signal_name(signal))
            }
            (Some(e), _) => format!("the conversation ended early: {:#}", anyhow::Error::from(e)),
            (None, true) => format!(
                "the server did not close its side within {} of quiet (receiver.idle; --idle to wait longer)",
                crate::units::format_duration(exp.receiver.idle)
            ),
            (None, false) => "the server closed its side".into(),
        });
        Ok((peer, args.to.to_string()))
    })
}

/// `nianbao proxy`: the run, written to the results folder it returns.
pub fn proxy(args: &ProxyArgs) -> Result<(RunResult, PathBuf)> {
    let ip = args.listen.ip();
    let listen = format!("--listen {}", args.listen);
    let sets: Flags = vec![
        (
            listen.clone(),
            format!("transport.ip={}", quote(&ip.to_string())),
        ),
        (listen, format!("transport.port={}", args.listen.port())),
    ];
    let (plan, declared) = peer_plan(
        "proxy",
        "Someone else's client and server, through nianbao proxy",
        None,
        sets,
        &args.boundaries,
        &args.output,
    )?;
    let relay = Relay {
        to: args.to,
        chunk: Chunk::parse(&args.chunk)?,
        chunk_gap: duration("--chunk-gap", &args.chunk_gap)?.unwrap_or_default(),
        coalesce: duration("--coalesce", &args.coalesce)?,
        nodelay: args.nodelay,
    };
    let opts = PeerOptions {
        connections: usize::from(args.connections),
        idle: None,
        keep: keep_bytes(&args.output.keep_bytes)?,
        declared,
    };
    record(&plan, &args.output, "proxy", relay_knobs(args), |exp| {
        let peer = peer::proxy(exp, &opts, &relay, |addr| {
            announce(&format!("listening on {addr}"))
        })?;
        let address = format!("{} → {}", peer.bound, args.to);
        Ok((peer, address))
    })
}

/// A proxy's forwarding, in words.
fn relay_knobs(args: &ProxyArgs) -> Vec<String> {
    let mut k = vec![format!(
        "reads up to {}",
        crate::units::format_size(peer::PROXY_READ as u64)
    )];
    match args.chunk.as_str() {
        "pass" if args.coalesce.is_some() => {}
        "pass" => k.push("forwards each read as it came (--chunk pass)".into()),
        spec => k.push(format!("re-cut into writes of {spec} (--chunk)")),
    }
    if let Some(g) = &args.chunk_gap {
        k.push(format!("{g} between chunks"));
    }
    if let Some(c) = &args.coalesce {
        k.push(format!(
            "holds what comes within {c} for one write (--coalesce)"
        ));
    }
    if args.nodelay {
        k.push("TCP_NODELAY on both sides".into());
    }
    k
}

/// The first line of stdout, at once: a script reads the address from it.
fn announce(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Plans one scenario from `experiment` (or the base) with the flags' keys
/// and the user's `--set`s; also says whether messages were declared.
pub(crate) fn peer_plan(
    command: &str,
    title: &str,
    experiment: Option<&str>,
    mut sets: Flags,
    b: &PeerBoundaries,
    output: &PeerOutput,
) -> Result<(Plan, bool)> {
    let source = match experiment {
        Some(name) => Source::resolve(name)?,
        None => Source {
            label: format!("nianbao {command}"),
            text: BASE.replace("NAME", command).replace("TITLE", title),
            stem: command.to_string(),
        },
    };
    push_str(&mut sets, "--framing", "transport.framing", &b.framing);
    if let Some(list) = &b.messages {
        let items: Vec<String> = list.split(',').map(quote).collect();
        let set = format!("sender.messages=[{}]", items.join(","));
        sets.push((format!("--messages {list}"), set));
    }
    push_str(&mut sets, "--deadline", "deadline", &output.deadline);
    let over = Overrides {
        sets: output.sets.clone(),
        flags: sets,
        // The user named the address a peer command listens on.
        any_address: true,
        ..Overrides::default()
    };
    let plan = plan(&source, &over)?;
    if plan.scenarios.len() != 1 {
        return Err(Error::Config {
            origin: format!("nianbao {command}"),
            msg: format!(
                "{} has {} scenarios (a sweep or [[variant]] tables); {command} runs one: pick one with --set",
                source.label,
                plan.scenarios.len()
            ),
        });
    }
    Ok((plan, b.messages.is_some()))
}

pub(crate) fn out_dir(output: &PeerOutput, plan: &Plan) -> std::path::PathBuf {
    output
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(&plan.name))
}

/// One trial per connection, analysed; the notes say how the run went.
pub(crate) fn peer_result(
    plan: &Plan,
    peer: PeerRun,
    command: &str,
    address: String,
    started: SystemTime,
) -> Result<RunResult> {
    let exp = &plan.scenarios[0].experiment;
    let notes = peer.notes(exp.deadline);
    let interrupted = match peer.stop {
        Some(Stop::Signal(s)) => Some(s),
        _ => None,
    };
    let conns = peer.conns.len() as u32;
    // The plan names as many trials as there were connections, so the
    // results folder reads back whole.
    let mut plan = plan.clone();
    plan.scenarios[0].experiment.trials = conns;
    plan.config = with_trials(&plan.config, conns);
    let trials = peer
        .conns
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let d = c.trace.duration_ns;
            // Only `trace` captures (as root): the others' capture is off.
            let capture = c.trace.capture;
            let mut flows = vec![analyse_owned(Flow::C2s, c.trace.c2s, d)];
            flows.extend(c.trace.s2c.map(|t| analyse_owned(Flow::S2c, t, d)));
            // Someone else's program wrote at least one side: which knob
            // let its kernel merge writes is not known.
            for fa in &mut flows {
                fa.mechanism = Some(crate::analysis::Mechanism::Unknown);
            }
            TrialResult {
                scenario: 0,
                trial: i as u32,
                flows,
                duration_ns: d,
                outcome: crate::experiment::Outcome::from_failures(Vec::new()),
                capture,
                requests: Vec::new(),
            }
        })
        .collect();
    let elapsed = started.elapsed().unwrap_or_default();
    Ok(RunResult {
        plan,
        trials,
        started_unix: started
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        duration_ns: elapsed.as_nanos() as u64,
        host: crate::net::HostFacts::probe(),
        peer: Some(PeerInfo {
            command: command.to_string(),
            address,
            notes,
            knobs: Vec::new(),
            interrupted,
            unix: Vec::new(),
        }),
    })
}
