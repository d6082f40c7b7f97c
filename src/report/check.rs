//! Checks the rows of a results folder against each other, after each cell
//! has been checked on its own ([`super::table`]): every row belongs to a
//! (scenario, trial, flow) of summary.csv, each flow's messages are numbered
//! 0, 1, … and follow each other with no gap or overlap, sends and recvs lie
//! inside the stream those messages make, recvs go forward without
//! overlapping, and a flow that summary.csv says had recvs has them. So
//! `show` and the charts can index and subtract without checking again.

use super::rows::{Flow, MessageRow, RecvKind, RecvRow, Results, SendRow, SummaryRow};
use super::table::{csv_msg, LEN_CAP};
use crate::error::LoadError;
use std::collections::BTreeMap;
use std::path::Path;

type Key = (u32, u32, Flow);

/// One flow's stream, as its messages lay it out.
struct Stream<'a> {
    messages: Vec<&'a MessageRow>,
    /// Bytes in the stream: the end of the last message.
    total: u64,
}

impl Stream<'_> {
    /// Whether a message starts at `offset`.
    fn starts_at(&self, offset: u64) -> bool {
        let i = self.messages.partition_point(|m| m.offset < offset);
        self.messages.get(i).is_some_and(|m| m.offset == offset)
    }
}

/// What the checks share: where errors point, and summary.csv's rows by key.
struct Ctx<'a> {
    dir: &'a Path,
    flows: BTreeMap<Key, &'a SummaryRow>,
    /// The stream of a flow whose message boundaries are unknown: it has no
    /// messages, is as long as its reads say, and none of them names a message.
    bytes_only: Stream<'a>,
}

impl<'a> Ctx<'a> {
    /// The error at `column` of `line` in `file`.
    fn at(&self, file: &str, line: u64, column: &str, msg: String) -> LoadError {
        csv_msg(&self.dir.join(file), line, Some(column.to_string()), msg)
    }

    /// Fails unless summary.csv has a row for `key`.
    fn belongs(&self, file: &str, line: u64, key: Key) -> Result<(), LoadError> {
        match self.flows.contains_key(&key) {
            true => Ok(()),
            false => Err(not_in_summary(&self.flows, key, |col, msg| {
                self.at(file, line, col, msg)
            })),
        }
    }

    /// The stream a send or recv row of `key` lies in.
    fn stream_of<'s>(
        &'s self,
        streams: &'s BTreeMap<Key, Stream<'a>>,
        (file, line): (&str, u64),
        key: Key,
    ) -> Result<&'s Stream<'a>, LoadError> {
        self.belongs(file, line, key)?;
        if self
            .flows
            .get(&key)
            .is_some_and(|row| !row.boundaries_known())
        {
            return Ok(&self.bytes_only);
        }
        streams.get(&key).ok_or_else(|| {
            self.at(
                file,
                line,
                "flow",
                format!(
                    "scenario {} trial {} flow {} has no messages in messages.csv",
                    key.0, key.1, key.2
                ),
            )
        })
    }
}

/// Checks `res`; the first problem found is the error.
pub fn results(res: &Results) -> Result<(), LoadError> {
    let ctx = Ctx {
        dir: &res.dir,
        flows: summary_keys(&res.dir, &res.summary)?,
        bytes_only: Stream {
            messages: Vec::new(),
            total: LEN_CAP,
        },
    };
    let streams = streams(&ctx, &res.messages)?;
    sends(&ctx, &streams, &res.sends)?;
    let last_recv = recvs(&ctx, &streams, &res.recvs)?;
    if let Some(segments) = &res.segments {
        for s in segments {
            ctx.belongs("segments.csv", s.line, (s.scenario, s.trial, s.flow))?;
        }
    }
    counts(&ctx.flows, &streams, &last_recv, &|line, col, msg| {
        ctx.at("summary.csv", line, col, msg)
    })
}

/// Lays out each flow's stream from messages.csv, checking each message on the way.
fn streams<'a>(
    ctx: &Ctx,
    messages: &'a [MessageRow],
) -> Result<BTreeMap<Key, Stream<'a>>, LoadError> {
    let mut streams: BTreeMap<Key, Stream> = BTreeMap::new();
    for m in messages {
        let key = (m.scenario, m.trial, m.flow);
        ctx.belongs("messages.csv", m.line, key)?;
        let stream = streams.entry(key).or_insert(Stream {
            messages: Vec::new(),
            total: m.offset,
        });
        message(m, stream, &|col, msg| {
            ctx.at("messages.csv", m.line, col, msg)
        })?;
        stream.total = m.offset + m.len;
        stream.messages.push(m);
    }
    // Reads may go on past the last message, as far as the bytes delivered
    // (what came after a decoder stopped, in someone else's stream).
    for (key, stream) in streams.iter_mut() {
        let delivered = ctx.flows.get(key).and_then(|row| row.figure("bytes"));
        stream.total = stream.total.max(delivered.map_or(0, |b| b as u64));
    }
    Ok(streams)
}

/// One message against the stream laid out so far: its number and where it starts.
fn message(
    m: &MessageRow,
    stream: &Stream,
    at: &dyn Fn(&str, String) -> LoadError,
) -> Result<(), LoadError> {
    let want = stream.messages.len() as u64;
    if m.msg_id != want {
        return Err(at(
            "msg_id",
            format!(
                "{}, expected {want}: a flow's messages are numbered 0, 1, … in order",
                m.msg_id
            ),
        ));
    }
    if want == 0 && m.offset > LEN_CAP {
        return Err(at(
            "offset",
            format!(
                "{} bytes before the first message is over the {} cap",
                m.offset,
                crate::units::format_size(LEN_CAP)
            ),
        ));
    }
    if m.offset != stream.total {
        return Err(at(
            "offset",
            format!(
                "{}, expected {}: each message starts where the one before it ends",
                m.offset, stream.total
            ),
        ));
    }
    Ok(())
}

/// Each send names a message of its flow and lies inside the flow's stream.
fn sends(ctx: &Ctx, streams: &BTreeMap<Key, Stream>, sends: &[SendRow]) -> Result<(), LoadError> {
    for s in sends {
        let key = (s.scenario, s.trial, s.flow);
        let stream = ctx.stream_of(streams, ("sends.csv", s.line), key)?;
        if !stream.messages.is_empty() && s.msg_id >= stream.messages.len() as u64 {
            return Err(ctx.at(
                "sends.csv",
                s.line,
                "msg_id",
                format!(
                    "{} is not a message of this flow (messages.csv has {})",
                    s.msg_id,
                    stream.messages.len()
                ),
            ));
        }
        if s.offset + s.len > stream.total {
            return Err(ctx.at(
                "sends.csv",
                s.line,
                "len",
                beyond(s.offset, s.len, stream.total),
            ));
        }
    }
    Ok(())
}

/// Checks each recv against its stream and the one before it; returns each flow's last recv.
fn recvs<'r>(
    ctx: &Ctx,
    streams: &BTreeMap<Key, Stream>,
    recvs: &'r [RecvRow],
) -> Result<BTreeMap<Key, &'r RecvRow>, LoadError> {
    let mut prev: BTreeMap<Key, &RecvRow> = BTreeMap::new();
    for r in recvs {
        let key = (r.scenario, r.trial, r.flow);
        let stream = ctx.stream_of(streams, ("recvs.csv", r.line), key)?;
        recv(r, stream, prev.get(&key).copied(), &|col, msg| {
            ctx.at("recvs.csv", r.line, col, msg)
        })?;
        prev.insert(key, r);
    }
    Ok(prev)
}

/// The message for a row that ends past its flow's stream.
fn beyond(offset: u64, len: u64, total: u64) -> String {
    format!("offset {offset} + len {len} ends past the end of the flow's {total}-byte stream (messages.csv)")
}

/// summary.csv's rows by key; a key twice is an error.
fn summary_keys<'a>(
    dir: &Path,
    rows: &'a [SummaryRow],
) -> Result<BTreeMap<Key, &'a SummaryRow>, LoadError> {
    let mut flows = BTreeMap::new();
    for r in rows {
        if let Some(first) = flows.insert((r.scenario, r.trial, r.flow), r) {
            let msg = format!(
                "scenario {} trial {} flow {} again (first on line {})",
                r.scenario, r.trial, r.flow, first.line
            );
            return Err(csv_msg(&dir.join("summary.csv"), r.line, None, msg));
        }
    }
    Ok(flows)
}

/// The error for a row whose key summary.csv lacks, naming the first of
/// its key columns that matches no summary row.
fn not_in_summary(
    flows: &BTreeMap<Key, &SummaryRow>,
    (scenario, trial, flow): Key,
    at: impl Fn(&str, String) -> LoadError,
) -> LoadError {
    let has = |f: &dyn Fn(&Key) -> bool| flows.keys().any(f);
    if !has(&|k| k.0 == scenario) {
        at(
            "scenario",
            format!("scenario {scenario} is not in summary.csv"),
        )
    } else if !has(&|k| k.0 == scenario && k.1 == trial) {
        at(
            "trial",
            format!("scenario {scenario} has no trial {trial} in summary.csv"),
        )
    } else {
        at(
            "flow",
            format!("scenario {scenario} trial {trial} has no {flow} flow in summary.csv"),
        )
    }
}

/// One recv against its flow's stream and the recv before it.
fn recv(
    r: &RecvRow,
    stream: &Stream,
    prev: Option<&RecvRow>,
    at: &dyn Fn(&str, String) -> LoadError,
) -> Result<(), LoadError> {
    if r.offset + r.len > stream.total {
        return Err(at("len", beyond(r.offset, r.len, stream.total)));
    }
    let n = stream.messages.len() as u64;
    if (n == 0) != (r.kind == RecvKind::Unknown) {
        let why = match n {
            0 => "the flow's message boundaries are unknown, so its recvs are of kind unknown",
            _ => "kind unknown is only for a flow whose message boundaries are unknown",
        };
        return Err(at("kind", format!("{}: {why}", r.kind)));
    }
    if let Some(last) = r.last_msg.filter(|&m| m >= n) {
        return Err(at(
            "last_msg",
            format!("{last} is not a message of this flow (messages.csv has {n})"),
        ));
    }
    let prev_end = prev.map_or(0, |p| p.offset + p.len);
    if r.offset < prev_end {
        let p = prev.map_or(0, |p| p.line);
        return Err(at(
            "offset",
            format!(
                "{} overlaps the recv on line {p}, which ends at {prev_end}",
                r.offset
            ),
        ));
    }
    // TCP recvs follow each other exactly. UDP skips the rest of a truncated
    // datagram and any dropped ones, so a gap must end where a message starts
    // and begin at the start of the stream, a message start, or a truncation.
    let gap_ok = prev_end == 0
        || prev.is_some_and(|p| p.truncated)
        || stream.starts_at(prev_end)
        || prev_end == stream.total;
    if r.offset > prev_end && !(gap_ok && stream.starts_at(r.offset)) {
        return Err(at("offset", format!("{} leaves bytes {prev_end}..{} unread after the previous recv, and only whole UDP datagrams can be skipped", r.offset, r.offset)));
    }
    if r.truncated {
        let whole = match (r.first_msg, r.last_msg) {
            (Some(a), Some(b)) if a == b => Some(stream.messages[a as usize]),
            _ => None,
        };
        if !whole.is_some_and(|m| m.offset == r.offset && r.len < m.len) {
            return Err(at(
                "truncated",
                "true, but the recv is not the start of one longer message".into(),
            ));
        }
    }
    Ok(())
}

/// A flow that summary.csv says had recvs (messages) must have rows in
/// recvs.csv (messages.csv), and one that had none must have none. A summary
/// row with no trace at all (no messages) is let be while other flows have
/// rows, but an empty recvs.csv or messages.csv never passes.
fn counts(
    flows: &BTreeMap<Key, &SummaryRow>,
    streams: &BTreeMap<Key, Stream>,
    last_recv: &BTreeMap<Key, &RecvRow>,
    at: &dyn Fn(u64, &str, String) -> LoadError,
) -> Result<(), LoadError> {
    for (key, row) in flows {
        let traced = streams.contains_key(key);
        let checks = [
            (
                "recvs",
                "recvs.csv",
                last_recv.contains_key(key),
                !last_recv.is_empty(),
            ),
            ("messages", "messages.csv", traced, !streams.is_empty()),
        ];
        for (figure, file, has_rows, file_has_rows) in checks {
            let Some(n) = row.figure(figure) else {
                continue;
            };
            if (n > 0.0) == has_rows || (!traced && file_has_rows) {
                continue;
            }
            let rows = if has_rows { "has rows" } else { "has no rows" };
            return Err(at(
                row.line,
                figure,
                format!(
                    "{n}, but {file} {rows} for scenario {} trial {} flow {}",
                    key.0, key.1, key.2
                ),
            ));
        }
    }
    Ok(())
}
