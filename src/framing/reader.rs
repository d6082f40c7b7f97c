//! A decoder run over a stream of reads: bytes go in as they arrive, whole
//! frames come out with their place in the stream. One reader for every
//! source that decodes what it received (the engine's receiver, `listen`,
//! `proxy`), so framing lives in one place.

use super::{md5_matches, Decoder, Framing, Limits};

/// One frame the reader completed.
#[derive(Debug)]
pub struct ReadFrame<'a> {
    /// Stream offset of the frame's first byte.
    pub offset: u64,
    /// Frame length in the stream (header + payload), bytes.
    pub len: u64,
    /// The payload.
    pub payload: &'a [u8],
    /// False when the header announced an md5 the body does not match.
    pub md5_ok: bool,
}

/// The decoder over a buffer of received, not yet consumed bytes.
///
/// The buffer is compacted after every read, so it never holds more than
/// one partial frame plus one read: bounded by `max_frame`.
pub struct StreamReader {
    decoder: Box<dyn Decoder + Send>,
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// The first decode error, which ends the reading.
    pub error: Option<String>,
}

impl StreamReader {
    /// A reader for `framing` within `limits`.
    pub fn new(framing: &Framing, limits: &Limits) -> Self {
        StreamReader {
            decoder: framing.decoder(limits),
            buf: Vec::new(),
            base: 0,
            error: None,
        }
    }

    /// Feeds one read and calls `frame` for every frame it completes.
    /// False after a decode error (the stream is then unusable).
    pub fn push(&mut self, data: &[u8], mut frame: impl FnMut(ReadFrame<'_>)) -> bool {
        // After an error nothing more is decoded, so nothing is buffered: the
        // rest of a hostile stream must not pile up here.
        if self.error.is_some() {
            return false;
        }
        self.buf.extend_from_slice(data);
        let mut start = 0;
        loop {
            match self.decoder.decode(&self.buf[start..]) {
                Ok(Some(f)) if f.consumed > 0 => {
                    let payload = &self.buf[start..][f.payload.clone()];
                    // Like the tutorial's receiver, a body is checked against
                    // the md5 its header announced.
                    let md5_ok = f
                        .header
                        .as_ref()
                        .and_then(|h| h.md5.as_deref())
                        .is_none_or(|md5| md5_matches(md5, payload));
                    frame(ReadFrame {
                        offset: self.base + start as u64,
                        len: f.consumed as u64,
                        payload,
                        md5_ok,
                    });
                    start += f.consumed;
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

    /// At EOF: a frame cut short is reported, with how much of it came.
    pub fn finish(&mut self) {
        if self.error.is_none() {
            if let Err(e) = self.decoder.decode_eof(&self.buf) {
                self.fail(0, format!("at EOF: {e}"));
            }
        }
    }

    fn fail(&mut self, start: usize, msg: String) {
        let at = self.base + start as u64;
        self.error
            .get_or_insert_with(|| format!("decoder stopped at byte {at}: {msg}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_come_out_with_their_offsets_whatever_the_reads() {
        let mut r = StreamReader::new(&Framing::U32Be, &Limits::default());
        let wire = [&[0, 0, 0, 5][..], b"hello", &[0, 0, 0, 4], b"feng"].concat();
        let mut got = Vec::new();
        for b in &wire {
            assert!(r.push(std::slice::from_ref(b), |f| got.push((
                f.offset,
                f.len,
                f.payload.to_vec()
            ))));
        }
        r.finish();
        assert_eq!(r.error, None);
        assert_eq!(got, [(0, 9, b"hello".to_vec()), (9, 8, b"feng".to_vec())]);
    }

    #[test]
    fn after_an_error_nothing_more_is_buffered() {
        let mut r = StreamReader::new(&Framing::U32Be, &Limits::default());
        assert!(!r.push(&[0xff, 0xff, 0xff, 0xff], |_| {}));
        for _ in 0..1000 {
            assert!(!r.push(&[b'x'; 4096], |_| {}));
        }
        assert!(r.buf.len() <= 4, "{} bytes held", r.buf.len());
    }

    #[test]
    fn a_stream_that_ends_inside_a_frame_says_so() {
        let mut r = StreamReader::new(&Framing::U32Be, &Limits::default());
        assert!(r.push(&[0, 0, 0, 9, b'h', b'i'], |_| {}));
        r.finish();
        let e = r.error.expect("a cut frame is an error");
        assert!(e.contains("at EOF"), "{e}");
    }
}
