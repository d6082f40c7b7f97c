//! The c2s flow with framing, as it crosses the wire: an optional raw prefix
//! (bytes outside every message, e.g. a hostile length), then one encoded
//! frame (header + payload) per message. Message spans are frame ranges, so
//! raw recv kinds (whole / sticky / fragment) are about frames, while the
//! decoder's output is checked against the payloads.
//!
//! Frames are encoded on demand, one message at a time; nothing stores the
//! whole wire stream.

use crate::experiment::Experiment;
use crate::framing::{Encoder, FrameMeta, Framing, Limits};
use crate::payload::Stream;
use crate::trace::MessageSpan;

/// The `name` a `json-header` frame carries for message `id` (the tutorial's
/// file name); other framings carry no metadata.
pub fn meta_name(framing: &Framing, id: u64) -> Option<String> {
    (*framing == Framing::JsonHeader).then(|| format!("file{id}.bin"))
}

/// Bytes of the frame of message `id` with a payload of `len` bytes.
pub fn frame_len(framing: &Framing, id: u64, len: u64) -> u64 {
    // serde_json writes `{"size":S,"name":"N"}`: the name adds `,"name":""` + N.
    let name = meta_name(framing, id).map_or(0, |n| n.len() + 10);
    framing.header_overhead(len as usize) as u64 + len + name as u64
}

/// A framed c2s flow: payloads, framing, limits and frame places.
#[derive(Clone, Debug)]
pub struct FramedFlow {
    payloads: Stream,
    framing: Framing,
    limits: Limits,
    prefix: Vec<u8>,
    frames: Vec<MessageSpan>,
}

impl FramedFlow {
    /// The framed c2s flow of an experiment.
    pub fn of(exp: &Experiment) -> FramedFlow {
        let payloads = Stream::from_messages(&exp.sender.messages);
        let framing = exp.transport.framing.clone();
        let prefix = exp.sender.raw_prefix.clone();
        let mut offset = prefix.len() as u64;
        let frames = payloads
            .spans()
            .iter()
            .map(|s| {
                let len = frame_len(&framing, s.id, s.len);
                let f = MessageSpan {
                    id: s.id,
                    offset,
                    len,
                };
                offset += len;
                f
            })
            .collect();
        FramedFlow {
            payloads,
            framing,
            limits: exp.transport.limits(),
            prefix,
            frames,
        }
    }

    /// The frames' places on the wire (the message spans of the flow).
    pub fn spans(&self) -> &[MessageSpan] {
        &self.frames
    }

    /// Bytes sent before the first frame.
    pub fn prefix(&self) -> &[u8] {
        &self.prefix
    }

    /// Total wire bytes.
    pub fn total(&self) -> u64 {
        self.frames
            .last()
            .map_or(self.prefix.len() as u64, |s| s.offset + s.len)
    }

    /// A fresh encoder for this flow's framing.
    pub fn encoder(&self) -> Box<dyn Encoder + Send> {
        self.framing.encoder(&self.limits)
    }

    /// The framing and its limits, for the receiver's decoder.
    pub fn framing(&self) -> (&Framing, &Limits) {
        (&self.framing, &self.limits)
    }

    /// Writes message `id`'s frame into `out` (cleared first); `payload` is scratch.
    pub fn frame(&self, enc: &mut dyn Encoder, id: u64, payload: &mut Vec<u8>, out: &mut Vec<u8>) {
        self.payloads.payload(id, payload);
        out.clear();
        let name = meta_name(&self.framing, id);
        let meta = FrameMeta {
            name: name.as_deref(),
            md5: None,
        };
        // Validation checked that every message fits a frame of this framing.
        enc.encode(payload, &meta, out)
            .expect("a validated message always encodes");
        debug_assert_eq!(out.len() as u64, self.frames[id as usize].len);
    }

    /// Copies up to `max` wire bytes at `offset` into `out`.
    pub fn bytes(&self, offset: u64, max: u64, out: &mut Vec<u8>) {
        out.clear();
        let (mut enc, mut scratch, mut frame) = (self.encoder(), Vec::new(), Vec::new());
        let mut at = offset;
        while (out.len() as u64) < max && at < self.total() {
            let want = (max - out.len() as u64) as usize;
            if at < self.prefix.len() as u64 {
                let rest = &self.prefix[at as usize..];
                let take = rest.len().min(want);
                out.extend_from_slice(&rest[..take]);
                at += take as u64;
                continue;
            }
            let i = self.frames.partition_point(|s| s.offset + s.len <= at);
            let s = &self.frames[i];
            self.frame(enc.as_mut(), s.id, &mut scratch, &mut frame);
            let from = (at - s.offset) as usize;
            let take = (frame.len() - from).min(want);
            out.extend_from_slice(&frame[from..from + take]);
            at += take as u64;
        }
    }

    /// Whether `payload`, decoded from a frame starting at wire `offset`, is
    /// exactly the payload of the message whose frame starts there.
    pub fn payload_ok(&self, offset: u64, payload: &[u8]) -> bool {
        let i = self.frames.partition_point(|s| s.offset < offset);
        let Some(f) = self.frames.get(i).filter(|f| f.offset == offset) else {
            return false;
        };
        let p = &self.payloads.spans()[f.id as usize];
        p.len == payload.len() as u64 && self.payloads.verify(p.offset, payload).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{plan, Overrides, Source};

    fn flow(framing: &str, extra: &str) -> FramedFlow {
        let text = format!("[transport]\nframing = \"{framing}\"\n[sender]\n{extra}\n");
        let source = Source {
            label: "t.toml".into(),
            text,
            stem: "t".into(),
        };
        FramedFlow::of(
            &plan(&source, &Overrides::default())
                .expect("valid")
                .scenarios[0]
                .experiment,
        )
    }

    #[test]
    fn frame_lengths_match_the_encoder_for_every_framing() {
        for f in [
            "u32be",
            "u16be",
            "varint",
            "line",
            "line:\\r\\n",
            "json-header",
        ] {
            let fl = flow(f, "count = 40\nsize = [1, 300]\nseed = 3");
            let (mut enc, mut p, mut out) = (fl.encoder(), Vec::new(), Vec::new());
            for s in fl.spans() {
                fl.frame(enc.as_mut(), s.id, &mut p, &mut out);
                assert_eq!(out.len() as u64, s.len, "{f} message {}", s.id);
            }
        }
    }

    #[test]
    fn wire_bytes_are_prefix_then_frames() {
        let fl = flow("u16be", "messages = [\"ab\", \"c\"]\nraw_prefix = '\\xff'");
        let mut out = Vec::new();
        fl.bytes(0, 100, &mut out);
        assert_eq!(out, b"\xff\x00\x02ab\x00\x01c");
        fl.bytes(2, 3, &mut out);
        assert_eq!(out, b"\x02ab");
        assert!(fl.payload_ok(5, b"c"));
        assert!(!fl.payload_ok(4, b"c"));
        assert!(!fl.payload_ok(1, b"a"));
    }
}
