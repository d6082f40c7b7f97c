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
    /// Bytes the source kept, from offset 0; a flow longer than the cap
    /// keeps its first bytes only.
    Recorded(Arc<Vec<u8>>),
}

impl Content {
    /// Replaces `out` with up to `max` bytes at `offset`: fewer (or none)
    /// where the bytes are not known.
    pub fn copy(&self, offset: u64, max: u64, out: &mut Vec<u8>) {
        out.clear();
        match self {
            Content::Unknown => {}
            Content::Model(m) => m.copy(offset, max, out),
            Content::Recorded(bytes) => {
                let start = (offset as usize).min(bytes.len());
                let end = offset.saturating_add(max).min(bytes.len() as u64) as usize;
                out.extend_from_slice(&bytes[start..end]);
            }
        }
    }

    /// The byte at `offset`, when known.
    pub fn byte(&self, offset: u64, buf: &mut Vec<u8>) -> Option<u8> {
        self.copy(offset, 1, buf);
        buf.first().copied()
    }

    /// Whether any byte can be given back.
    pub fn known(&self) -> bool {
        !matches!(self, Content::Unknown)
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
        let c = Content::Recorded(Arc::new(b"hellofeng".to_vec()));
        let mut out = Vec::new();
        c.copy(5, 10, &mut out);
        assert_eq!(out, b"feng");
        c.copy(20, 4, &mut out);
        assert!(out.is_empty());
        assert_eq!(Content::Unknown.byte(0, &mut out), None);
    }
}
