//! `u32be` and `u16be`: a fixed-width big-endian length prefix, then the
//! payload. This is the cure the tutorial teaches (`struct.pack`) and
//! tokio-util's `LengthDelimitedCodec` default; both widths share this code.

use super::{Decoder, Encoder, Frame, FrameError, FrameMeta, Limits};

/// Where the decoder is inside the current frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Waiting for the `width` header bytes.
    Head,
    /// Header read; the whole frame (header + payload) is this many bytes.
    Data(usize),
}

/// Length-prefix codec, 2 or 4 header bytes.
#[derive(Debug)]
pub(crate) struct LengthPrefix {
    codec: &'static str,
    width: usize,
    max_frame: usize,
    state: State,
}

impl LengthPrefix {
    pub(crate) fn u32be(limits: &Limits) -> Self {
        Self::new("u32be", 4, limits)
    }

    pub(crate) fn u16be(limits: &Limits) -> Self {
        Self::new("u16be", 2, limits)
    }

    fn new(codec: &'static str, width: usize, limits: &Limits) -> Self {
        LengthPrefix {
            codec,
            width,
            max_frame: limits.max_frame,
            state: State::Head,
        }
    }

    /// The payload length announced by the header at the front of `buf`.
    fn announced(&self, buf: &[u8]) -> u64 {
        buf[..self.width]
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
    }

    /// Largest payload length the prefix can express.
    fn prefix_max(&self) -> u64 {
        (1u64 << (8 * self.width)) - 1
    }
}

impl Encoder for LengthPrefix {
    fn encode(
        &mut self,
        payload: &[u8],
        _: &FrameMeta,
        out: &mut Vec<u8>,
    ) -> Result<(), FrameError> {
        let len = payload.len();
        if len as u64 > self.prefix_max() {
            return Err(FrameError::PrefixOverflow {
                codec: self.codec,
                len,
                max: self.prefix_max(),
            });
        }
        let total = len + self.width;
        if total > self.max_frame {
            return Err(FrameError::TooLarge {
                codec: self.codec,
                len: total as u64,
                max: self.max_frame,
            });
        }
        out.reserve(total);
        // `len` fits in `width` bytes (checked above), so the top bytes are zero.
        out.extend_from_slice(&(len as u64).to_be_bytes()[8 - self.width..]);
        out.extend_from_slice(payload);
        Ok(())
    }
}

impl Decoder for LengthPrefix {
    fn decode(&mut self, buf: &[u8]) -> Result<Option<Frame>, FrameError> {
        let total = match self.state {
            State::Data(total) => total,
            State::Head => {
                if buf.len() < self.width {
                    return Ok(None);
                }
                let total = self.announced(buf) + self.width as u64;
                if total > self.max_frame as u64 {
                    return Err(FrameError::TooLarge {
                        codec: self.codec,
                        len: total,
                        max: self.max_frame,
                    });
                }
                // total <= max_frame, a usize.
                let total = total as usize;
                self.state = State::Data(total);
                total
            }
        };
        if buf.len() < total {
            return Ok(None);
        }
        self.state = State::Head;
        Ok(Some(Frame {
            consumed: total,
            payload: self.width..total,
            header: None,
        }))
    }

    fn decode_eof(&mut self, buf: &[u8]) -> Result<(), FrameError> {
        if buf.is_empty() {
            return Ok(());
        }
        let (part, need) = if buf.len() < self.width {
            ("header", self.width as u64)
        } else {
            ("body", self.announced(buf) + self.width as u64)
        };
        Err(FrameError::Eof {
            codec: self.codec,
            part,
            got: buf.len(),
            need: Some(need),
        })
    }

    fn need(&self) -> Option<usize> {
        Some(match self.state {
            State::Head => self.width,
            State::Data(total) => total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_moves_head_data_head() {
        let mut d = LengthPrefix::u32be(&Limits::default());
        assert_eq!(d.decode(&[0, 0, 0, 3, b'a']).unwrap(), None);
        assert_eq!(d.state, State::Data(7));
        assert_eq!(d.need(), Some(7));
        let frame = d.decode(&[0, 0, 0, 3, b'a', b'b', b'c']).unwrap().unwrap();
        assert_eq!((frame.consumed, frame.payload), (7, 4..7));
        assert_eq!(d.state, State::Head);
    }

    #[test]
    fn u16_prefix_max_is_65535() {
        let mut e = LengthPrefix::u16be(&Limits::default());
        let mut out = Vec::new();
        e.encode(&[7; 65535], &FrameMeta::default(), &mut out)
            .unwrap();
        assert_eq!(&out[..2], &[0xff, 0xff]);
    }
}
