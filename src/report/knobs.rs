//! The knobs line: the settings that matter, in words, for the terminal
//! report of a run and (the sender's part) of `send`.

use crate::experiment::{after_send_capped, Experiment, Kind, Messages, Reply, ReplyPer, Sender};
use crate::units::{format_duration, plural};

/// The knobs that matter, in one line.
pub fn knobs(e: &Experiment) -> String {
    let mut k = transport_knobs(e);
    k.extend(sender_knobs(&e.sender));
    k.extend(receiver_knobs(e));
    k.join(" · ")
}

/// The transport's knobs: kind and address, and for TCP the framing and Nagle.
fn transport_knobs(e: &Experiment) -> Vec<String> {
    let n = &e.network;
    let mut k = vec![match e.transport.kind {
        Kind::Tcp if n.lab => format!(
            "tcp {} over the network lab's veth (MTU {}{}{}{}; TSO/GSO/GRO off)",
            crate::net::lab::receiver_ip(e.transport.ip.is_ipv6()),
            n.mtu,
            n.rate_bps
                .map(|r| format!(", {}", crate::experiment::format_rate(r)))
                .unwrap_or_default(),
            match n.delay.is_zero() {
                true => String::new(),
                false => format!(", delay {}", format_duration(n.delay)),
            },
            match n.loss_percent > 0.0 {
                true => format!(", loss {}%", n.loss_percent),
                false => String::new(),
            },
        ),
        Kind::Tcp => format!("tcp {}", e.transport.ip),
        Kind::Udp => format!("udp {}", e.transport.ip),
    }];
    if e.transport.kind == Kind::Tcp {
        k.push(format!("framing {}", e.transport.framing));
        k.push(if e.sender.nodelay {
            "TCP_NODELAY on (Nagle off)".into()
        } else {
            "Nagle on".into()
        });
    }
    k
}

/// The sender's knobs: messages, gap, bursts, socket options.
pub(super) fn sender_knobs(s: &Sender) -> Vec<String> {
    let mut k = vec![match &s.messages {
        Messages::Explicit(m) => plural(m.len() as u64, "message"),
        Messages::Generated {
            count, min, max, ..
        } if min == max => format!("{count} × {min} B"),
        Messages::Generated {
            count, min, max, ..
        } => format!("{count} × {min}–{max} B"),
    }];
    k.push(format!("gap {}", format_duration(s.gap)));
    if s.burst > 1 {
        k.push(format!("bursts of {}", s.burst));
    }
    if let Some(w) = s.write_size {
        k.push(match s.writev {
            true => format!("{w}-byte parts in one writev() per message"),
            false => format!("send() calls of at most {w} B"),
        });
    }
    for (on, name) in [
        (s.cork, "TCP_CORK"),
        (s.more, "MSG_MORE"),
        (s.nonblocking, "non-blocking sender"),
    ] {
        if on {
            k.push(name.into());
        }
    }
    if let Some(n) = s.sndbuf {
        k.push(format!("SO_SNDBUF {n}"));
    }
    k
}

/// When the receiver starts, in words after "the receiver starts": "50ms
/// late", "once the sender is done", and for `after-send` over TCP when the
/// sender may send more than the receive queue holds, the room the wait
/// ends at as well ("… or once the queue holds 32768 bytes").
pub fn start_words(e: &Experiment) -> String {
    match after_send_capped(e) {
        Some(room) => format!(
            "{} or once the queue holds {}",
            e.receiver.start_delay,
            plural(room, "byte")
        ),
        None => e.receiver.start_delay.to_string(),
    }
}

/// The receiver's knobs: buffer, start delay, recv sizes, replies.
fn receiver_knobs(e: &Experiment) -> Vec<String> {
    let r = &e.receiver;
    let mut k = Vec::new();
    if let Some(n) = r.rcvbuf {
        k.push(format!("SO_RCVBUF {n}"));
    }
    k.push(if r.start_delay.is_zero() {
        "receiver reads at once".to_string()
    } else {
        format!("receiver starts {}", start_words(e))
    });
    k.push(format!("recv sizes {:?}", r.recv_sizes));
    if r.quickack {
        k.push("TCP_QUICKACK on the receiver".into());
    }
    match &r.reply {
        Reply::None => {}
        Reply::Sizes(sizes) => k.push(format!(
            "replies {sizes:?} B in {}, one per {}, client recv {:?}",
            plural(r.reply_sends, "send"),
            match r.reply_per {
                ReplyPer::Read => "read",
                ReplyPer::Message => "whole message",
            },
            r.client_recv_sizes
        )),
        other => k.push(format!("reply {other:?}").to_lowercase()),
    }
    k
}
