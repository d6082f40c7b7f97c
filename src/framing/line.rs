//! `line`: payload then a delimiter (default `\n`), the framing of text
//! protocols. The decoder strips the delimiter and remembers how far it has
//! searched, so a long line fed one byte at a time costs O(n), not O(n²).
//! The encoder does not escape: a payload containing the delimiter is sent as
//! is and decodes as two messages, which is what `delimiter-collision` shows.
//! The search is `memchr`'s (SIMD, a few bytes per cycle), not a byte loop.

use memchr::memmem::Finder;

use super::{Decoder, Encoder, Frame, FrameError, FrameMeta, Limits};

/// The delimiter codec.
#[derive(Debug)]
pub(crate) struct Line {
    delimiter: Vec<u8>,
    /// The searcher for a delimiter of two bytes or more, built once.
    finder: Finder<'static>,
    max_frame: usize,
    /// Delimiter start positions below this have been checked: no match.
    scanned: usize,
}

impl Line {
    pub(crate) fn new(delimiter: &[u8], limits: &Limits) -> Self {
        Line {
            delimiter: delimiter.to_vec(),
            finder: Finder::new(delimiter).into_owned(),
            max_frame: limits.max_frame,
            scanned: 0,
        }
    }

    /// The error for an empty delimiter, which `Framing::validate` rejects;
    /// returned here too so an unvalidated decoder cannot loop forever.
    fn check(&self) -> Result<(), FrameError> {
        if self.delimiter.is_empty() {
            return Err(FrameError::Config {
                framing: "line:".into(),
                reason: "the delimiter must not be empty".into(),
            });
        }
        Ok(())
    }

    /// First delimiter start in `hay` at or after `self.scanned`.
    fn find(&self, hay: &[u8]) -> Option<usize> {
        let last_start = hay.len().checked_sub(self.delimiter.len())?;
        if self.scanned > last_start {
            return None;
        }
        let rest = &hay[self.scanned..];
        let found = match self.delimiter[..] {
            [byte] => memchr::memchr(byte, rest),
            _ => self.finder.find(rest),
        };
        found.map(|i| self.scanned + i)
    }
}

impl Encoder for Line {
    fn encode(
        &mut self,
        payload: &[u8],
        _: &FrameMeta,
        out: &mut Vec<u8>,
    ) -> Result<(), FrameError> {
        self.check()?;
        let total = payload.len() + self.delimiter.len();
        if total > self.max_frame {
            return Err(FrameError::TooLarge {
                codec: "line",
                len: total as u64,
                max: self.max_frame,
            });
        }
        out.reserve(total);
        out.extend_from_slice(payload);
        out.extend_from_slice(&self.delimiter);
        Ok(())
    }
}

impl Decoder for Line {
    fn decode(&mut self, buf: &[u8]) -> Result<Option<Frame>, FrameError> {
        self.check()?;
        let limit = buf.len().min(self.max_frame);
        if let Some(end) = self.find(&buf[..limit]) {
            self.scanned = 0;
            return Ok(Some(Frame {
                consumed: end + self.delimiter.len(),
                payload: 0..end,
                header: None,
            }));
        }
        // Every start `i` with `i + delimiter.len() <= limit` is now checked.
        self.scanned = self
            .scanned
            .max((limit + 1).saturating_sub(self.delimiter.len()));
        if buf.len() >= self.max_frame {
            return Err(FrameError::LineTooLong {
                max: self.max_frame,
            });
        }
        Ok(None)
    }

    fn decode_eof(&mut self, buf: &[u8]) -> Result<(), FrameError> {
        if buf.is_empty() {
            return Ok(());
        }
        Err(FrameError::Eof {
            codec: "line",
            part: "line",
            got: buf.len(),
            need: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_resumes_where_it_stopped() {
        let mut d = Line::new(b"\r\n", &Limits::default());
        assert_eq!(d.decode(b"abc\r").unwrap(), None);
        // "\r" at index 3 could still start a delimiter, so it is not skipped.
        assert_eq!(d.scanned, 3);
        let frame = d.decode(b"abc\r\nx").unwrap().unwrap();
        assert_eq!((frame.consumed, frame.payload), (5, 0..3));
        assert_eq!(d.scanned, 0);
    }

    /// The byte-by-byte search that `memchr` replaced.
    fn byte_loop_find(d: &[u8], scanned: usize, hay: &[u8]) -> Option<usize> {
        let last_start = hay.len().checked_sub(d.len())?;
        let mut i = scanned;
        while i <= last_start {
            let start = i + hay[i..=last_start].iter().position(|&b| b == d[0])?;
            if hay[start..start + d.len()] == d[..] {
                return Some(start);
            }
            i = start + 1;
        }
        None
    }

    proptest::proptest! {
        #[test]
        fn finds_what_the_byte_loop_found(
            delimiter in proptest::collection::vec(0u8..4, 1..4),
            hay in proptest::collection::vec(0u8..4, 0..64),
            scanned in 0usize..70,
        ) {
            let mut line = Line::new(&delimiter, &Limits::default());
            line.scanned = scanned;
            proptest::prop_assert_eq!(
                line.find(&hay),
                byte_loop_find(&delimiter, scanned, &hay)
            );
        }
    }

    #[test]
    fn empty_delimiter_is_an_error_not_a_loop() {
        let mut d = Line::new(b"", &Limits::default());
        assert!(d.decode(b"abc").is_err());
    }
}
