//! The framed side of a TCP trial: the sender's bytes per message (payload
//! raw, or an encoded frame) and the receiver's decoder loop, which turns raw
//! reads into decoded frames checked against the payloads sent.

use crate::engine::framed_stream::FramedFlow;
use crate::engine::model::FlowModel;
use crate::framing::{Encoder, StreamReader};
use crate::trace::{Clock, DecodedEvent};

/// What the sender writes for each message, built in reused buffers.
pub(super) struct Outgoing<'a> {
    model: &'a FlowModel,
    encoder: Option<Box<dyn Encoder + Send>>,
    scratch: Vec<u8>,
    out: Vec<u8>,
}

impl<'a> Outgoing<'a> {
    pub(super) fn new(model: &'a FlowModel) -> Self {
        let encoder = match model {
            FlowModel::Framed(f) => Some(f.encoder()),
            _ => None,
        };
        Outgoing {
            model,
            encoder,
            scratch: Vec::new(),
            out: Vec::new(),
        }
    }

    /// Bytes sent before the first message (framing's raw prefix).
    pub(super) fn prefix(&self) -> &'a [u8] {
        match self.model {
            FlowModel::Framed(f) => f.prefix(),
            _ => &[],
        }
    }

    /// The bytes of message `id` on the wire: its payload, or its frame.
    pub(super) fn message(&mut self, id: u64) -> &[u8] {
        match (self.model, self.encoder.as_mut()) {
            (FlowModel::Framed(f), Some(enc)) => {
                f.frame(enc.as_mut(), id, &mut self.scratch, &mut self.out)
            }
            (FlowModel::Plain(s), _) => s.payload(id, &mut self.out),
            _ => unreachable!("the c2s flow is plain or framed"),
        }
        &self.out
    }
}

/// The receiver's decoder ([`StreamReader`]), each frame's payload also
/// checked against the message sent at that place.
pub(super) struct FrameReader<'a> {
    flow: &'a FramedFlow,
    reader: StreamReader,
    /// The frame index the next decoded frame should be.
    next: usize,
    /// The first decode error, which ends the reading.
    pub error: Option<String>,
}

impl<'a> FrameReader<'a> {
    pub(super) fn new(flow: &'a FramedFlow) -> Self {
        let (framing, limits) = flow.framing();
        FrameReader {
            flow,
            reader: StreamReader::new(framing, limits),
            next: 0,
            error: None,
        }
    }

    /// Feeds one read; records every frame it completes. False after a
    /// decode error (the stream is then unusable).
    pub(super) fn push(&mut self, data: &[u8], clock: &Clock, out: &mut Vec<DecodedEvent>) -> bool {
        let (flow, next) = (self.flow, &mut self.next);
        let going = self.reader.push(data, |f| {
            // nianbao also checks the body against what the sender sent.
            let ok = f.md5_ok && flow.payload_ok_from(next, f.offset, f.payload);
            out.push(DecodedEvent {
                t_ns: clock.now_ns(),
                offset: f.offset,
                len: f.len,
                ok,
            });
        });
        self.error.clone_from(&self.reader.error);
        going
    }

    /// At EOF: a frame cut short is reported (its message is then lost).
    pub(super) fn finish(&mut self) {
        self.reader.finish();
        self.error.clone_from(&self.reader.error);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{plan, Overrides, Source};
    use crate::framing::{FrameMeta, Framing, Limits};

    fn json_flow() -> FramedFlow {
        let source = Source::inline(
            "t",
            "[transport]\nframing = \"json-header\"\n[sender]\nmessages = [\"hello\"]\n",
        );
        let plan = plan(&source, &Overrides::default()).expect("valid");
        FramedFlow::of(&plan.scenarios[0].experiment)
    }

    /// Feeds one frame of `hello` whose header carries `md5`, one byte per read.
    fn decode_with_md5(md5: &str) -> Vec<DecodedEvent> {
        let flow = json_flow();
        let meta = FrameMeta {
            name: Some("file0.bin"),
            md5: Some(md5),
        };
        let mut frame = Vec::new();
        Framing::JsonHeader
            .encoder(&Limits::default())
            .encode(b"hello", &meta, &mut frame)
            .expect("encodes");
        let (mut reader, clock, mut out) = (FrameReader::new(&flow), Clock::start(), Vec::new());
        for b in &frame {
            assert!(reader.push(std::slice::from_ref(b), &clock, &mut out));
        }
        reader.finish();
        assert_eq!(reader.error, None);
        out
    }

    #[test]
    fn the_sender_puts_the_bodys_md5_in_the_header() {
        let flow = json_flow();
        let (mut enc, mut scratch, mut frame) = (flow.encoder(), Vec::new(), Vec::new());
        flow.frame(enc.as_mut(), 0, &mut scratch, &mut frame);
        // hashlib.md5(b"hello").hexdigest()
        let header = br#"{"size":5,"name":"file0.bin","md5":"5d41402abc4b2a76b9719d911017c592"}"#;
        let mut want = (header.len() as u32).to_be_bytes().to_vec();
        want.extend_from_slice(header);
        want.extend_from_slice(b"hello");
        assert_eq!(frame, want);
    }

    #[test]
    fn a_body_that_matches_its_md5_is_intact() {
        let events = decode_with_md5("5D41402ABC4B2A76B9719D911017C592");
        assert_eq!(events.len(), 1);
        assert!(events[0].ok);
    }

    #[test]
    fn a_body_that_does_not_match_its_md5_is_corrupt() {
        // The body is what was sent; only the announced digest is wrong.
        let events = decode_with_md5("00000000000000000000000000000000");
        assert_eq!(events.len(), 1);
        assert!(
            !events[0].ok,
            "an md5 mismatch must make the message corrupt"
        );
    }
}
