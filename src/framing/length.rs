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

/// Length-prefix codec with `W` (2 or 4) header bytes. The width is a
/// constant, so reading the header is one load and a byte swap, not a loop.
#[derive(Debug)]
pub(crate) struct LengthPrefix<const W: usize> {
    codec: &'static str,
    max_frame: usize,
    state: State,
}

impl LengthPrefix<4> {
    pub(crate) fn u32be(limits: &Limits) -> Self {
        Self::new("u32be", limits)
    }
}

impl LengthPrefix<2> {
    pub(crate) fn u16be(limits: &Limits) -> Self {
        Self::new("u16be", limits)
    }
}

impl<const W: usize> LengthPrefix<W> {
    fn new(codec: &'static str, limits: &Limits) -> Self {
        LengthPrefix {
            codec,
            max_frame: limits.max_frame,
            state: State::Head,
        }
    }

    /// The payload length announced by the header at the front of `buf`.
    fn announced(buf: &[u8]) -> u64 {
        let mut be = [0u8; 8];
        be[8 - W..].copy_from_slice(&buf[..W]);
        u64::from_be_bytes(be)
    }

    /// Largest payload length the prefix can express.
    fn prefix_max(&self) -> u64 {
        (1u64 << (8 * W)) - 1
    }
}

impl<const W: usize> Encoder for LengthPrefix<W> {
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
        let total = len + W;
        if total > self.max_frame {
            return Err(FrameError::TooLarge {
                codec: self.codec,
                len: total as u64,
                max: self.max_frame,
            });
        }
        out.reserve(total);
        // `len` fits in `width` bytes (checked above), so the top bytes are zero.
        out.extend_from_slice(&(len as u64).to_be_bytes()[8 - W..]);
        out.extend_from_slice(payload);
        Ok(())
    }
}

impl<const W: usize> Decoder for LengthPrefix<W> {
    fn decode(&mut self, buf: &[u8]) -> Result<Option<Frame>, FrameError> {
        let total = match self.state {
            State::Data(total) => total,
            State::Head => {
                if buf.len() < W {
                    return Ok(None);
                }
                let total = Self::announced(buf) + W as u64;
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
        // The next header is where the next call reads first, and each frame's
        // position hangs on the header before it. Touching it now starts a
        // cache miss there while the caller is still busy with this frame.
        std::hint::black_box(buf.get(total).copied());
        Ok(Some(Frame {
            consumed: total,
            payload: W..total,
            header: None,
        }))
    }

    fn decode_eof(&mut self, buf: &[u8]) -> Result<(), FrameError> {
        if buf.is_empty() {
            return Ok(());
        }
        let (part, need) = if buf.len() < W {
            ("header", W as u64)
        } else {
            ("body", Self::announced(buf) + W as u64)
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
            State::Head => W,
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
