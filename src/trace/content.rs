//! What a source says about a flow beyond its calls: how the application
//! met it ([`Delivery`]), where its message boundaries come from
//! ([`Boundaries`]) and how to get its bytes back ([`Content`]).

use std::fmt;
use std::sync::Arc;

/// How the receiving application meets a flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delivery {
    /// A byte stream read raw (TCP, no framing).
    #[default]
    Stream,
    /// Datagrams (UDP): one recv, one datagram.
    Datagram,
    /// A byte stream read through a framing decoder.
    Framed,
}

/// Where the message boundaries of a flow come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Boundaries {
    /// The source sent the messages itself and knows each one (the engine).
    Known,
    /// A framing decoder run over the received bytes: each decoded frame is
    /// a message, taken from the trace's decoded frames.
    Decoded,
    /// Messages the user declared (`--messages`, `sender.messages`).
    Declared,
    /// Nowhere: only the recv calls and their bytes are known, and no
    /// message, kind or fate can be told.
    #[default]
    Unknown,
}

impl Boundaries {
    /// Whether any message boundary is known.
    pub fn known(self) -> bool {
        self != Boundaries::Unknown
    }

    /// In words, for reports: where the boundaries came from.
    pub fn describe(self) -> &'static str {
        match self {
            Boundaries::Known => "the messages as sent",
            Boundaries::Decoded => "the frames the decoder found",
            Boundaries::Declared => "the messages declared",
            Boundaries::Unknown => "message boundaries unknown",
        }
    }
}

/// A source that can give a flow's bytes back on demand (the engine's
/// payload model computes them; nothing stores the stream).
pub trait ByteSource: fmt::Debug + Send + Sync {
    /// Replaces `out` with up to `max` bytes of the flow at `offset`.
    fn copy(&self, offset: u64, max: u64, out: &mut Vec<u8>);
}

/// The bytes of a flow, as far as the source knows them.
#[derive(Clone, Debug, Default)]
pub enum Content {
    /// Not known: lengths only.
    #[default]
    Unknown,
    /// Computed by the source on demand.
    Model(Arc<dyn ByteSource>),
    /// Bytes the source kept: runs of the flow, with gaps where bytes were
    /// not kept (a truncated datagram's tail, anything past a cap).
    Recorded(Arc<Recorded>),
}

/// Runs of a flow's bytes as a source kept them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recorded {
    bytes: Vec<u8>,
    /// (flow offset, start in `bytes`, length), in flow order.
    runs: Vec<(u64, usize, usize)>,
}

impl Recorded {
    /// The bytes of a flow from offset 0, all kept.
    pub fn whole(bytes: Vec<u8>) -> Recorded {
        let len = bytes.len();
        Recorded {
            bytes,
            runs: vec![(0, 0, len)],
        }
    }

    /// Keeps `data` as the flow's bytes at `offset` (after every earlier run).
    pub fn push(&mut self, offset: u64, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        match self.runs.last_mut() {
            Some((o, _, len)) if *o + *len as u64 == offset => *len += data.len(),
            _ => self.runs.push((offset, self.bytes.len(), data.len())),
        }
        self.bytes.extend_from_slice(data);
    }

    /// Bytes kept in all.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether nothing was kept.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The kept bytes in flow order, and their runs (flow offset, length).
    pub fn parts(&self) -> (&[u8], Vec<(u64, usize)>) {
        (
            &self.bytes,
            self.runs.iter().map(|&(o, _, l)| (o, l)).collect(),
        )
    }

    /// From [`Recorded::parts`].
    pub fn from_parts(bytes: Vec<u8>, runs: &[(u64, usize)]) -> Option<Recorded> {
        let mut at = 0usize;
        let mut out = Vec::with_capacity(runs.len());
        for &(o, l) in runs {
            out.push((o, at, l));
            at = at.checked_add(l)?;
        }
        (at == bytes.len()).then_some(Recorded { bytes, runs: out })
    }

    /// Appends to `out` the kept bytes from `offset`, stopping at the first
    /// byte not kept, at most `max`.
    fn copy(&self, offset: u64, max: u64, out: &mut Vec<u8>) {
        let i = self
            .runs
            .partition_point(|&(o, _, l)| o + l as u64 <= offset);
        let Some(&(o, start, len)) = self.runs.get(i) else {
            return;
        };
        if o > offset {
            return;
        }
        let skip = (offset - o) as usize;
        let take = ((len - skip) as u64).min(max) as usize;
        out.extend_from_slice(&self.bytes[start + skip..start + skip + take]);
    }
}

impl Content {
    /// Replaces `out` with up to `max` bytes at `offset`: fewer (or none)
    /// where the bytes are not known.
    pub fn copy(&self, offset: u64, max: u64, out: &mut Vec<u8>) {
        out.clear();
        match self {
            Content::Unknown => {}
            Content::Model(m) => m.copy(offset, max, out),
            Content::Recorded(r) => r.copy(offset, max, out),
        }
    }

    /// The byte at `offset`, when known.
    pub fn byte(&self, offset: u64, buf: &mut Vec<u8>) -> Option<u8> {
        self.copy(offset, 1, buf);
        buf.first().copied()
    }
}

impl PartialEq for Content {
    /// Two contents are equal when they are the same model or hold the same bytes.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Content::Unknown, Content::Unknown) => true,
            (Content::Model(a), Content::Model(b)) => Arc::ptr_eq(a, b),
            (Content::Recorded(a), Content::Recorded(b)) => a == b,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_bytes_past_the_cap_are_not_invented() {
        let c = Content::Recorded(Arc::new(Recorded::whole(b"hellofeng".to_vec())));
        let mut out = Vec::new();
        c.copy(5, 10, &mut out);
        assert_eq!(out, b"feng");
        c.copy(20, 4, &mut out);
        assert!(out.is_empty());
        assert_eq!(Content::Unknown.byte(0, &mut out), None);
    }

    #[test]
    fn a_gap_in_the_recorded_runs_stops_a_copy() {
        let mut r = Recorded::default();
        r.push(0, b"abc");
        r.push(3, b"de");
        r.push(10, b"xyz");
        let c = Content::Recorded(Arc::new(r));
        let mut out = Vec::new();
        c.copy(1, 20, &mut out);
        assert_eq!(out, b"bcde");
        c.copy(6, 4, &mut out);
        assert!(out.is_empty(), "bytes 5..10 were not kept");
        c.copy(11, 5, &mut out);
        assert_eq!(out, b"yz");
    }
}
