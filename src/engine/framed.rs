//! The framed side of a TCP trial: the sender's bytes per message (payload
//! raw, or an encoded frame) and the receiver's decoder loop, which turns raw
//! reads into decoded frames checked against the payloads sent.

use crate::framing::{Decoder, Encoder};
use crate::payload::FlowModel;
use crate::trace::{Clock, DecodedEvent};
use crate::wire::FramedFlow;

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

/// The receiver's decoder over a buffer of received, not yet consumed bytes.
///
/// The buffer is compacted after every completed frame, so it never holds
/// more than one partial frame plus one read: bounded by `max_frame`.
pub(super) struct FrameReader<'a> {
    flow: &'a FramedFlow,
    decoder: Box<dyn Decoder + Send>,
    buf: Vec<u8>,
    /// Wire offset of `buf[0]`.
    base: u64,
    /// The first decode error, which ends the reading.
    pub error: Option<String>,
}

impl<'a> FrameReader<'a> {
    pub(super) fn new(flow: &'a FramedFlow) -> Self {
        let (framing, limits) = flow.framing();
        FrameReader {
            flow,
            decoder: framing.decoder(limits),
            buf: Vec::new(),
            base: 0,
            error: None,
        }
    }

    /// Feeds one read; records every frame it completes. False after a
    /// decode error (the stream is then unusable).
    pub(super) fn push(&mut self, data: &[u8], clock: &Clock, out: &mut Vec<DecodedEvent>) -> bool {
        self.buf.extend_from_slice(data);
        let mut start = 0;
        loop {
            match self.decoder.decode(&self.buf[start..]) {
                Ok(Some(frame)) if frame.consumed > 0 => {
                    let offset = self.base + start as u64;
                    let rest = &self.buf[start..];
                    let ok = self.flow.payload_ok(offset, &rest[frame.payload.clone()]);
                    out.push(DecodedEvent {
                        t_ns: clock.now_ns(),
                        offset,
                        len: frame.consumed as u64,
                        ok,
                    });
                    start += frame.consumed;
                }
                Ok(Some(_)) => {
                    self.fail(start, "the decoder returned an empty frame".into());
                    break;
                }
                Ok(None) => break,
                Err(e) => {
                    self.fail(start, e.to_string());
                    break;
                }
            }
        }
        self.buf.drain(..start);
        self.base += start as u64;
        self.error.is_none()
    }

    /// At EOF: a frame cut short is reported (its message is then lost).
    pub(super) fn finish(&mut self) {
        if let Err(e) = self.decoder.decode_eof(&self.buf) {
            self.fail(0, format!("at EOF: {e}"));
        }
    }

    fn fail(&mut self, start: usize, msg: String) {
        let at = self.base + start as u64;
        self.error
            .get_or_insert_with(|| format!("decoder stopped at byte {at}: {msg}"));
    }
}
