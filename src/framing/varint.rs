//! `varint`: the payload length as unsigned LEB128 (protobuf's varint), then
//! the payload. Small messages pay one header byte instead of four. A prefix
//! longer than 10 bytes or a value past `u64::MAX` is an error, never
//! silently truncated.

use super::{Decoder, Encoder, Frame, FrameError, FrameMeta, Limits};

/// Longest LEB128 encoding of a `u64`.
const MAX_VARINT: usize = 10;

/// Bytes the LEB128 encoding of `n` takes (1 to 10).
pub(crate) fn encoded_len(n: u64) -> usize {
    let bits = (64 - n.leading_zeros()).max(1) as usize;
    bits.div_ceil(7)
}

/// Parses a varint at the front of `buf`: `Ok(None)` if it is still incomplete,
/// else the value and how many bytes it took.
fn parse(buf: &[u8]) -> Result<Option<(u64, usize)>, FrameError> {
    let mut value = 0u64;
    for (i, &b) in buf.iter().take(MAX_VARINT).enumerate() {
        let bits = u64::from(b & 0x7f);
        // The tenth byte carries bit 63 only; anything more overflows u64.
        if i == MAX_VARINT - 1 && bits > 1 {
            return Err(FrameError::Varint("length prefix overflows u64"));
        }
        value |= bits << (7 * i);
        if b & 0x80 == 0 {
            return Ok(Some((value, i + 1)));
        }
    }
    if buf.len() >= MAX_VARINT {
        return Err(FrameError::Varint("length prefix longer than 10 bytes"));
    }
    Ok(None)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Head,
    /// Header of `head` bytes read; the whole frame is `total` bytes.
    Data {
        head: usize,
        total: usize,
    },
}

/// The varint length-prefix codec.
#[derive(Debug)]
pub(crate) struct Varint {
    max_frame: usize,
    state: State,
}

impl Varint {
    pub(crate) fn new(limits: &Limits) -> Self {
        Varint {
            max_frame: limits.max_frame,
            state: State::Head,
        }
    }

    fn too_large(&self, len: u64) -> FrameError {
        FrameError::TooLarge {
            codec: "varint",
            len,
            max: self.max_frame,
        }
    }
}

impl Encoder for Varint {
    fn encode(
        &mut self,
        payload: &[u8],
        _: &FrameMeta,
        out: &mut Vec<u8>,
    ) -> Result<(), FrameError> {
        let mut n = payload.len() as u64;
        let total = encoded_len(n) + payload.len();
        if total > self.max_frame {
            return Err(self.too_large(total as u64));
        }
        out.reserve(total);
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
        out.extend_from_slice(payload);
        Ok(())
    }
}

impl Decoder for Varint {
    fn decode(&mut self, buf: &[u8]) -> Result<Option<Frame>, FrameError> {
        let (head, total) = match self.state {
            State::Data { head, total } => (head, total),
            State::Head => {
                let Some((len, head)) = parse(buf)? else {
                    return Ok(None);
                };
                let total = len.saturating_add(head as u64);
                if total > self.max_frame as u64 {
                    return Err(self.too_large(total));
                }
                // total <= max_frame, a usize.
                let total = total as usize;
                self.state = State::Data { head, total };
                (head, total)
            }
        };
        if buf.len() < total {
            return Ok(None);
        }
        self.state = State::Head;
        Ok(Some(Frame {
            consumed: total,
            payload: head..total,
            header: None,
        }))
    }

    fn decode_eof(&mut self, buf: &[u8]) -> Result<(), FrameError> {
        if buf.is_empty() {
            return Ok(());
        }
        let (part, need) = match parse(buf) {
            Ok(Some((len, head))) => ("body", Some(len.saturating_add(head as u64))),
            _ => ("header", None),
        };
        Err(FrameError::Eof {
            codec: "varint",
            part,
            got: buf.len(),
            need,
        })
    }

    fn need(&self) -> Option<usize> {
        match self.state {
            State::Head => None,
            State::Data { total, .. } => Some(total),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_encodings() {
        let cases: [(u64, &[u8]); 5] = [
            (0, &[0x00]),
            (127, &[0x7f]),
            (128, &[0x80, 0x01]),
            (300, &[0xac, 0x02]),
            (
                u64::MAX,
                &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
            ),
        ];
        for (n, bytes) in cases {
            assert_eq!(parse(bytes).unwrap(), Some((n, bytes.len())), "{n}");
            assert_eq!(encoded_len(n), bytes.len(), "{n}");
        }
    }

    #[test]
    fn overflow_and_overlong_are_errors() {
        let mut overflow = [0xff; 10];
        overflow[9] = 0x02;
        assert!(parse(&overflow).is_err());
        assert!(parse(&[0x80; 11]).is_err());
        assert!(parse(&[0x80; 10]).is_err());
        assert_eq!(parse(&[0x80; 9]).unwrap(), None);
    }
}
