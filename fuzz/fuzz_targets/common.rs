//! The harness every fuzz target shares: the first bytes of the input choose
//! how the rest is cut into reads; a simulated receiver feeds the reads to the
//! decoder and checks it never panics, never returns a frame outside the
//! buffer, always makes progress, and never buffers `max_frame` bytes or more
//! while waiting.

use nianbao::framing::{Framing, Limits};

/// Small limits, so the fuzzer reaches them quickly.
const LIMITS: Limits = Limits {
    max_frame: 4096,
    max_json_header: 512,
};

pub fn decode_chunked(framing: &Framing, data: &[u8]) {
    let Some((&seed, stream)) = data.split_first() else {
        return;
    };
    let mut decoder = framing.decoder(&LIMITS);
    let mut buf = Vec::new();
    let mut state = u32::from(seed) | 1;
    let mut rest = stream;
    while !rest.is_empty() {
        // A small xorshift picks read sizes from 1 to 64 bytes.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let take = (1 + state as usize % 64).min(rest.len());
        buf.extend_from_slice(&rest[..take]);
        rest = &rest[take..];
        loop {
            match decoder.decode(&buf) {
                Ok(Some(frame)) => {
                    assert!(frame.consumed > 0 && frame.consumed <= buf.len());
                    assert!(frame.payload.start <= frame.payload.end);
                    assert!(frame.payload.end <= frame.consumed);
                    buf.drain(..frame.consumed);
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
        assert!(buf.len() < LIMITS.max_frame, "buffered {} bytes", buf.len());
    }
    let _ = decoder.decode_eof(&buf);
}
