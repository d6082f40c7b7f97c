//! `fixed:N`: every frame is exactly N bytes, no header. The cheapest framing
//! when all messages have one size; the encoder refuses any other size rather
//! than pad or cut, so a mistake shows up at the sender.

use super::{Decoder, Encoder, Frame, FrameError, FrameMeta};

/// The fixed-size codec.
#[derive(Debug)]
pub(crate) struct Fixed {
    size: usize,
}

impl Fixed {
    pub(crate) fn new(size: usize) -> Self {
        Fixed { size }
    }

    /// `fixed:0` is rejected by `Framing::validate`; rejected here too so an
    /// unvalidated decoder cannot yield empty frames forever.
    fn check(&self) -> Result<(), FrameError> {
        if self.size == 0 {
            return Err(FrameError::Config {
                framing: "fixed:0".into(),
                reason: "frame size must be at least 1 byte".into(),
            });
        }
        Ok(())
    }
}

impl Encoder for Fixed {
    fn encode(
        &mut self,
        payload: &[u8],
        _: &FrameMeta,
        out: &mut Vec<u8>,
    ) -> Result<(), FrameError> {
        self.check()?;
        if payload.len() != self.size {
            return Err(FrameError::WrongSize {
                size: self.size,
                len: payload.len(),
            });
        }
        out.extend_from_slice(payload);
        Ok(())
    }
}

impl Decoder for Fixed {
    fn decode(&mut self, buf: &[u8]) -> Result<Option<Frame>, FrameError> {
        self.check()?;
        Ok((buf.len() >= self.size).then_some(Frame {
            consumed: self.size,
            payload: 0..self.size,
            header: None,
        }))
    }

    fn decode_eof(&mut self, buf: &[u8]) -> Result<(), FrameError> {
        if buf.is_empty() {
            return Ok(());
        }
        Err(FrameError::Eof {
            codec: "fixed",
            part: "body",
            got: buf.len(),
            need: Some(self.size as u64),
        })
    }

    fn need(&self) -> Option<usize> {
        Some(self.size)
    }
}
