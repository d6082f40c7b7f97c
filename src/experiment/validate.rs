//! Turns a [`FileExperiment`] into an [`Experiment`]: defaults, units and
//! range checks. Errors carry the key path so the loader can say where the
//! key was written.

use super::file::{self, FileExperiment, Size};
use super::invalid::{bad, Invalid};

type V<T> = Result<T, Invalid>;
use super::model::*;
use super::values::{opt_buf, opt_dur, opt_size, size_value};
use std::net::IpAddr;
use std::time::Duration;

/// Validates a parsed file; `fallback_name` names it when it has no `name`.
pub fn validate(f: &FileExperiment, fallback_name: &str) -> V<Experiment> {
    let name = name(f, fallback_name)?;
    let trials = trials(f)?;
    let deadline = deadline(f)?;
    let title = plain_text(&f.title, "title", 200, false)?.unwrap_or_else(|| name.clone());
    let about = plain_text(&f.about, "about", 4000, true)?.unwrap_or_default();
    let chart_metric = chart_metric(f)?;
    let transport = transport(&f.transport)?;
    let sender = super::sender_check::sender(&f.sender)?;
    let receiver = receiver(&f.receiver)?;
    let network = super::network_check::network(&f.network, &transport)?;
    if transport.kind == Kind::Udp {
        check_udp(&transport, &sender, &receiver)?;
    }
    super::framing_check::check_framing(&transport, &sender, &receiver)?;
    let expect = super::expectation::expect(f.expect.as_ref())?;
    let exp = Experiment {
        title,
        about,
        name,
        trials,
        deadline,
        chart_metric,
        transport,
        sender,
        receiver,
        network,
        expect,
    };
    super::limits::check(&exp)?;
    Ok(exp)
}

/// The experiment's name: `name`, else the fallback (the file's stem), as a plain name.
fn name(f: &FileExperiment, fallback_name: &str) -> V<String> {
    match &f.name {
        Some(name) => plain_name(name).map_err(|m| bad("name", m)),
        None => plain_name(fallback_name).map_err(|m| {
            bad(
                "name",
                format!("the file name gives no usable name: {m}; add a line like name = \"mine\""),
            )
        }),
    }
}

/// `trials`, 1 by default, 1 to [`MAX_TRIALS`].
fn trials(f: &FileExperiment) -> V<u32> {
    match f.trials {
        None => Ok(1),
        Some(n) if (1..=i64::from(MAX_TRIALS)).contains(&n) => Ok(n as u32),
        Some(n) => Err(bad(
            "trials",
            format!("{n} is out of range; allowed 1 to {MAX_TRIALS}"),
        )),
    }
}

/// `deadline`, [`DEFAULT_DEADLINE`] by default, more than 0 up to [`MAX_DEADLINE`].
fn deadline(f: &FileExperiment) -> V<Duration> {
    let deadline = opt_dur(&f.deadline, "deadline")?.unwrap_or(DEFAULT_DEADLINE);
    if deadline.is_zero() || deadline > MAX_DEADLINE {
        return Err(bad(
            "deadline",
            format!(
                "{} is out of range; allowed more than 0 up to {}s, like \"10s\"",
                crate::units::format_duration(deadline),
                MAX_DEADLINE.as_secs()
            ),
        ));
    }
    Ok(deadline)
}

/// `chart_metric`, `merged_fraction` by default, a summary.csv column.
fn chart_metric(f: &FileExperiment) -> V<String> {
    let chart_metric = f
        .chart_metric
        .clone()
        .unwrap_or_else(|| "merged_fraction".into());
    if !SUMMARY_COLUMNS.contains(&chart_metric.as_str()) {
        return Err(bad(
            "chart_metric",
            format!(
                "`{chart_metric}` is not a summary.csv column; allowed: {}",
                SUMMARY_COLUMNS.join(", ")
            ),
        ));
    }
    Ok(chart_metric)
}

/// What UDP cannot do: framing, replies and writes smaller than a message.
fn check_udp(transport: &Transport, sender: &Sender, receiver: &Receiver) -> V<()> {
    if transport.framing != crate::framing::Framing::None {
        return Err(bad(
            "transport.framing",
            "UDP keeps boundaries itself: framing must be \"none\" with kind = \"udp\"",
        ));
    }
    if receiver.reply != Reply::None {
        return Err(bad("receiver.reply", "replies need kind = \"tcp\""));
    }
    for (on, key, what) in [
        (sender.writev, "sender.writev", "writev"),
        (receiver.quickack, "receiver.quickack", "TCP_QUICKACK"),
    ] {
        if on {
            return Err(bad(
                key,
                format!("{what} is a TCP call; it needs kind = \"tcp\""),
            ));
        }
    }
    if sender.write_size.is_some() {
        return Err(bad(
            "sender.write_size",
            "each UDP send() is one datagram, so a message cannot be cut into writes; write_size needs kind = \"tcp\"",
        ));
    }
    Ok(())
}

/// Text shown on the terminal: no control characters but, where allowed,
/// line breaks (an escape sequence in a downloaded file must not reach the
/// terminal).
fn plain_text(text: &Option<String>, key: &str, max: usize, lines: bool) -> V<Option<String>> {
    let Some(text) = text else { return Ok(None) };
    let allowed = |c: &char| lines && *c == '\n';
    if let Some(c) = text.chars().find(|c| c.is_control() && !allowed(c)) {
        let what = if lines {
            "plain text"
        } else {
            "one line of plain text"
        };
        return Err(bad(
            key,
            format!("holds the control character {c:?}; it is {what}"),
        ));
    }
    if text.chars().count() > max {
        return Err(bad(key, format!("is over the limit of {max} characters")));
    }
    Ok(Some(text.clone()))
}

/// An experiment name is also a folder name under `results/`, so it is a
/// plain name: letters, digits, `.`, `_`, `-`, 1 to 64 characters, not `.`
/// or `..`. Nothing else can reach a path from a downloaded file.
pub fn plain_name(name: &str) -> Result<String, NameError> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.is_empty()
        || name.len() > 64
        || name == "."
        || name == ".."
        || !name.chars().all(ok_char)
    {
        return Err(NameError(name.to_string()));
    }
    Ok(name.to_string())
}

/// A name that is not a plain name (see [`plain_name`]); it holds the name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not a plain name; a name is 1 to 64 letters, digits, '.', '_' or '-', and not '.' or '..'", crate::units::shown(.0))]
pub struct NameError(pub String);

fn transport(t: &file::FileTransport) -> V<Transport> {
    let kind = match t.kind.as_deref().unwrap_or("tcp") {
        "tcp" => Kind::Tcp,
        "udp" => Kind::Udp,
        other => {
            return Err(bad(
                "transport.kind",
                format!("`{other}` is not a transport; allowed: tcp, udp"),
            ))
        }
    };
    let framing = super::framing_check::parse_framing(t.framing.as_deref().unwrap_or("none"))?;
    let ip: IpAddr = match t.ip.as_deref().unwrap_or("127.0.0.1") {
        "v4" => IpAddr::from([127, 0, 0, 1]),
        "v6" => "::1".parse().expect("::1 parses"),
        text => text.parse().map_err(|_| {
            bad(
                "transport.ip",
                format!("`{text}` is not an address; allowed: 127.0.0.1, ::1 (or v4, v6)"),
            )
        })?,
    };
    let max_frame = opt_size(&t.max_frame, "transport.max_frame")?.unwrap_or(8 << 20);
    let capture = match t.capture.as_deref().unwrap_or("auto") {
        "auto" => CaptureMode::Auto,
        "on" => CaptureMode::On,
        "off" => CaptureMode::Off,
        other => {
            return Err(bad(
                "transport.capture",
                format!("`{other}` is not a capture mode; allowed: auto, on, off"),
            ))
        }
    };
    Ok(Transport {
        kind,
        framing,
        ip,
        port: t.port.unwrap_or(0),
        max_frame,
        capture,
    })
}

fn receiver(r: &file::FileReceiver) -> V<Receiver> {
    let reply = match &r.reply {
        None => Reply::None,
        Some(file::Reply::Mode(m)) => match m.as_str() {
            "none" => Reply::None,
            "echo" => Reply::Echo,
            "upper" => Reply::Upper,
            other => return Err(bad("receiver.reply", format!("`{other}` is not a reply; allowed: none, echo, upper, or a list of reply sizes"))),
        },
        Some(file::Reply::Sizes(list)) => Reply::Sizes(size_list(list, "receiver.reply")?),
    };
    let reply_sends = count_at_least_1(r.reply_sends, 1, "receiver.reply_sends")?;
    let reply_per = match r.reply_per.as_deref() {
        None | Some("read") => ReplyPer::Read,
        Some("message") => ReplyPer::Message,
        Some(other) => {
            return Err(bad(
                "receiver.reply_per",
                format!(
                    "`{other}` is not allowed; allowed: {}",
                    ReplyPer::NAMES.join(", ")
                ),
            ))
        }
    };
    if reply_per == ReplyPer::Message && !matches!(reply, Reply::Sizes(_)) {
        return Err(bad(
            "receiver.reply_per",
            "\"message\" answers each whole message with a reply of the sizes in `receiver.reply` (a list); echo and upper answer a read",
        ));
    }
    Ok(Receiver {
        start_delay: start_delay(&r.start_delay)?,
        recv_sizes: match &r.recv_sizes {
            Some(list) => size_list(list, "receiver.recv_sizes")?,
            None => Sizes::one(1024),
        },
        recv_gap: opt_dur(&r.recv_gap, "receiver.recv_gap")?.unwrap_or(Duration::ZERO),
        rcvbuf: opt_buf(&r.rcvbuf, "receiver.rcvbuf")?,
        reply,
        reply_sends,
        reply_per,
        quickack: r.quickack.unwrap_or(false),
        client_recv_sizes: match &r.client_recv_sizes {
            Some(list) => size_list(list, "receiver.client_recv_sizes")?,
            None => Sizes::one(1024),
        },
        client_reads: count_at_least_1(r.client_reads, 1, "receiver.client_reads")?,
        idle: opt_dur(&r.idle, "receiver.idle")?.unwrap_or(Duration::from_millis(200)),
    })
}

/// `receiver.start_delay`: a duration, or `"after-send"`.
fn start_delay(d: &Option<file::Dur>) -> V<StartDelay> {
    const KEY: &str = "receiver.start_delay";
    match d {
        Some(file::Dur::Text(t)) if t == StartDelay::AFTER_SEND => Ok(StartDelay::AfterSend),
        _ => opt_dur(d, KEY)
            .map_err(|mut e| {
                e.msg += &format!(
                    "; or \"{}\" to start once the sender is done",
                    StartDelay::AFTER_SEND
                );
                e
            })
            .map(|d| StartDelay::Fixed(d.unwrap_or(Duration::ZERO))),
    }
}

fn count_at_least_1(v: Option<i64>, default: u64, key: &str) -> V<u64> {
    match v {
        None => Ok(default),
        Some(n) if (1..=1_000_000).contains(&n) => Ok(n as u64),
        Some(n) => Err(bad(
            key,
            format!("{n} is out of range; allowed 1 to 1000000"),
        )),
    }
}

/// A non-empty list of sizes, each 1 byte to 64 MiB.
fn size_list(list: &[Size], key: &str) -> V<Sizes> {
    if list.is_empty() {
        return Err(bad(key, "is empty; give at least one size, like [1024]"));
    }
    let sizes = list
        .iter()
        .map(|s| size_value(s, key))
        .collect::<V<Vec<u64>>>()?;
    if let Some(pos) = sizes.iter().position(|&n| n == 0 || n > MAX_MESSAGE) {
        return Err(bad(
            key,
            format!(
                "size {} (item {pos}) is out of range; sizes are 1 byte to 64 MiB",
                sizes[pos]
            ),
        ));
    }
    Sizes::new(sizes).ok_or_else(|| bad(key, "is empty; give at least one size, like [1024]"))
}
