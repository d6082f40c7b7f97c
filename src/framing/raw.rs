//! `none`: no framing at all. The encoder passes bytes through and the decoder
//! takes whatever one read returned as one message, exactly like the
//! tutorial's `conn.recv(1024)`. It exists so raw and framed runs share one
//! code path, and so the 粘包/分包 it suffers can be counted.

use super::{Decoder, Encoder, Frame, FrameError, FrameMeta};

/// The raw pass-through codec; it has no state.
pub(crate) struct Raw;

impl Encoder for Raw {
    fn encode(
        &mut self,
        payload: &[u8],
        _: &FrameMeta,
        out: &mut Vec<u8>,
    ) -> Result<(), FrameError> {
        out.extend_from_slice(payload);
        Ok(())
    }
}

impl Decoder for Raw {
    fn decode(&mut self, buf: &[u8]) -> Result<Option<Frame>, FrameError> {
        Ok((!buf.is_empty()).then_some(Frame {
            consumed: buf.len(),
            payload: 0..buf.len(),
            header: None,
        }))
    }

    /// Raw has no frames to cut short: leftover bytes are impossible because
    /// every non-empty buffer is decoded whole.
    fn decode_eof(&mut self, _: &[u8]) -> Result<(), FrameError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_buffer_is_one_frame() {
        let frame = Raw.decode(b"hellofeng").unwrap().unwrap();
        assert_eq!((frame.consumed, frame.payload), (9, 0..9));
        assert_eq!(Raw.decode(b"").unwrap(), None);
        let mut out = Vec::new();
        Raw.encode(b"hi", &FrameMeta::default(), &mut out).unwrap();
        assert_eq!(out, b"hi");
    }
}
