//! The c2s flow with framing, as it crosses the wire: an optional raw prefix
//! (bytes outside every message, e.g. a hostile length), then one encoded
//! frame (header + payload) per message. Message spans are frame ranges, so
//! raw recv kinds (whole / sticky / fragment) are about frames, while the
//! decoder's output is checked against the payloads.
//!
//! Frames are encoded on demand, one message at a time; nothing stores the
//! whole wire stream.

use crate::engine::payload::Stream;
use crate::experiment::Experiment;
use crate::framing::{frame_len, md5_hex, meta_name, Encoder, FrameMeta, Framing, Limits};
use crate::trace::MessageSpan;

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
        // The sender hashes the body it sends, as the tutorial's file server does.
        let md5 = name.is_some().then(|| md5_hex(payload));
        let meta = FrameMeta {
            name: name.as_deref(),
            md5: md5
                .as_ref()
                .map(|h| std::str::from_utf8(h).expect("hex is ASCII")),
        };
        // Validation checked that every message fits a frame of this framing.
        enc.encode(payload, &meta, out)
            .expect("a validated message always encodes");
        debug_assert_eq!(out.len() as u64, self.frames[id as usize].len);
    }

    /// Copies up to `max` wire bytes at `offset` into `out`.
    ///
    /// Only a read that touches a frame's header (or delimiter) encodes that
    /// frame; bytes inside a payload come straight from the payload stream, so
    /// labelling every read of one large frame stays linear in its size.
    pub fn bytes(&self, offset: u64, max: u64, out: &mut Vec<u8>) {
        out.clear();
        let (mut enc, mut scratch, mut frame) = (self.encoder(), Vec::new(), Vec::new());
        let mut part = Vec::new();
        let mut at = offset;
        while (out.len() as u64) < max && at < self.total() {
            let want = max - out.len() as u64;
            if at < self.prefix.len() as u64 {
                let rest = &self.prefix[at as usize..];
                let take = rest.len().min(want as usize);
                out.extend_from_slice(&rest[..take]);
                at += take as u64;
                continue;
            }
            let i = self.frames.partition_point(|s| s.offset + s.len <= at);
            let f = &self.frames[i];
            let p = &self.payloads.spans()[f.id as usize];
            let head = f.len - p.len - self.tail_len();
            let (body_from, body_to) = (f.offset + head, f.offset + head + p.len);
            if at >= body_from && at < body_to {
                let take = (body_to - at).min(want);
                self.payloads
                    .bytes(p.offset + (at - body_from), take, &mut part);
                out.extend_from_slice(&part);
                at += take;
                continue;
            }
            self.frame(enc.as_mut(), f.id, &mut scratch, &mut frame);
            let from = (at - f.offset) as usize;
            // Up to the payload (in the header), or to the frame's end (in the tail).
            let stop = if at < body_from { head } else { f.len } as usize;
            let take = (stop - from).min(want as usize);
            out.extend_from_slice(&frame[from..from + take]);
            at += take as u64;
        }
    }

    /// Bytes after the payload in every frame (`line`'s delimiter).
    fn tail_len(&self) -> u64 {
        match &self.framing {
            Framing::Line { delimiter } => delimiter.len() as u64,
            _ => 0,
        }
    }

    /// Whether `payload`, decoded from a frame starting at wire `offset`, is
    /// exactly the payload of the message whose frame starts there.
    pub fn payload_ok(&self, offset: u64, payload: &[u8]) -> bool {
        self.payload_ok_from(&mut 0, offset, payload)
    }

    /// [`Self::payload_ok`] for a reader going frame by frame: `next` is the
    /// frame index it expects, tried before a search and moved past the frame
    /// found, so an in-order stream costs no search per frame.
    pub fn payload_ok_from(&self, next: &mut usize, offset: u64, payload: &[u8]) -> bool {
        let i = match self.frames.get(*next) {
            Some(f) if f.offset == offset => *next,
            _ => self.frames.partition_point(|s| s.offset < offset),
        };
        *next = i + 1;
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
        let source = Source::inline("t", text);
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
        // In order, and out of order: the hint only saves a search.
        let mut next = 0;
        assert!(fl.payload_ok_from(&mut next, 1, b"ab") && next == 1);
        assert!(fl.payload_ok_from(&mut next, 5, b"c") && next == 2);
        assert!(fl.payload_ok_from(&mut next, 1, b"ab") && next == 1);
        assert!(!fl.payload_ok_from(&mut next, 5, b"x"));
    }

    #[test]
    fn wire_bytes_at_every_offset_match_the_encoded_frames() {
        for f in ["u32be", "varint", "line:\\r\\n", "json-header", "fixed:5"] {
            let extra = if f == "fixed:5" {
                "count = 4\nsize = 5"
            } else {
                "messages = [\"\", \"ab\", \"cdefghi\", \"j\"]\nraw_prefix = '\\x07'"
            };
            let fl = flow(f, extra);
            let mut all = fl.prefix().to_vec();
            let (mut enc, mut p, mut frame) = (fl.encoder(), Vec::new(), Vec::new());
            for s in fl.spans() {
                fl.frame(enc.as_mut(), s.id, &mut p, &mut frame);
                all.extend_from_slice(&frame);
            }
            assert_eq!(all.len() as u64, fl.total(), "{f}");
            let mut out = Vec::new();
            for at in 0..all.len() {
                for max in [1, 3, 200] {
                    fl.bytes(at as u64, max, &mut out);
                    let end = (at + max as usize).min(all.len());
                    assert_eq!(out, all[at..end], "{f} at {at} max {max}");
                }
            }
        }
    }
}
