//! What `run`'s report says differently when the traffic was someone else's
//! (`listen`, `send`, `proxy`): the knobs nianbao itself used, never the
//! peer's (its Nagle setting or gaps are not known), and how each
//! connection ended instead of `[expect]`.

use crate::analysis::{PeerInfo, RunResult};
use crate::experiment::{Experiment, Kind, Reply};
use crate::units::{format_duration, plural};

/// The knobs line: what nianbao did, where, and how it read.
pub fn knobs(p: &PeerInfo, e: &Experiment) -> String {
    let r = &e.receiver;
    let kind = match e.transport.kind {
        Kind::Tcp => "tcp",
        Kind::Udp => "udp",
    };
    let mut k = vec![format!("{} {kind} {}", p.command, p.address)];
    k.push(format!("framing {}", e.transport.framing));
    if p.command == "send" {
        // nianbao's own sender: its Nagle setting, gaps and socket options.
        k.push(match e.sender.nodelay {
            true => "TCP_NODELAY on (Nagle off)".into(),
            false => "Nagle on".into(),
        });
        k.extend(super::knobs::sender_knobs(&e.sender));
        if let Some(w) = e.sender.write_size {
            k.push(format!("writes of at most {w} B"));
        }
        k.push(format!(
            "reads replies with recv sizes {:?}",
            r.client_recv_sizes
        ));
    }
    if p.command == "listen" {
        k.push(if r.start_delay.is_zero() {
            "reads at once".to_string()
        } else {
            format!("starts reading {}", r.start_delay)
        });
        k.push(format!("recv sizes {:?}", r.recv_sizes));
        if !r.recv_gap.is_zero() {
            k.push(format!("recv gap {}", format_duration(r.recv_gap)));
        }
        if let Some(n) = r.rcvbuf {
            k.push(format!("SO_RCVBUF {n}"));
        }
        match &r.reply {
            Reply::None => {}
            Reply::Sizes(sizes) => k.push(format!("replies {sizes:?} B")),
            other => k.push(format!("reply {other:?}").to_lowercase()),
        }
    }
    k.extend(p.knobs.iter().cloned());
    k.join(" · ")
}

/// How the run went, then the interruption if there was one.
pub fn footer(p: &PeerInfo, run: &RunResult) -> String {
    let udp = run.plan.scenarios[0].experiment.transport.kind == Kind::Udp;
    let mut out = match udp {
        // `trace` pairs datagrams by their two addresses: one trial each.
        true if p.command == "trace" => format!(
            "\n  {} recorded:\n",
            plural(run.trials.len() as u64, "UDP conversation")
        ),
        true => "\n  Datagrams recorded (from every sender, in one flow):\n".to_string(),
        false => format!(
            "\n  {} recorded:\n",
            plural(run.trials.len() as u64, "connection")
        ),
    };
    for n in &p.notes {
        out += &format!("  · {n}\n");
    }
    if let Some(s) = p.interrupted {
        out += &format!(
            "  Interrupted by {}: what was gathered until then is written.\n",
            crate::error::signal_name(s)
        );
    }
    out
}
