//! Shared helpers for the framing tests: a simulated receiver that feeds
//! chunks to a decoder the way the engine does, and sample streams per codec.
#![allow(dead_code)] // each test file uses a different subset

use nianbao::framing::{FrameError, FrameMeta, Framing, Limits};

/// Every framing that has boundaries (not `none`), with a non-default
/// delimiter too.
pub fn framed() -> Vec<Framing> {
    [
        "u32be",
        "u16be",
        "varint",
        "line",
        "line:\\r\\n",
        "fixed:5",
        "json-header",
    ]
    .iter()
    .map(|s| s.parse().expect("valid framing"))
    .collect()
}

/// Three messages that `framing` can carry, including an empty one where the
/// codec allows it.
pub fn three_messages(framing: &Framing) -> Vec<Vec<u8>> {
    match framing {
        Framing::Fixed(n) => vec![vec![b'a'; *n], vec![b'b'; *n], vec![b'c'; *n]],
        _ => vec![
            b"hello".to_vec(),
            Vec::new(),
            "粘包 feng".as_bytes().to_vec(),
        ],
    }
}

/// Encodes `messages` back to back into one stream.
pub fn encode_all(framing: &Framing, messages: &[Vec<u8>]) -> Vec<u8> {
    let mut encoder = framing.encoder(&Limits::default());
    let mut out = Vec::new();
    for m in messages {
        encoder
            .encode(m, &FrameMeta::default(), &mut out)
            .expect("encodable message");
    }
    out
}

/// A receiver: appends each chunk to its buffer, decodes every complete frame,
/// drops consumed bytes, and checks at EOF that nothing is left over.
///
/// Also asserts bounded buffering: whenever the decoder asks for more bytes,
/// the buffer is smaller than `max_frame`.
pub fn decode_chunks<'a>(
    framing: &Framing,
    limits: &Limits,
    chunks: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Vec<Vec<u8>>, FrameError> {
    let mut decoder = framing.decoder(limits);
    let mut buf = Vec::new();
    let mut frames = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some(frame) = decoder.decode(&buf)? {
            assert!(frame.payload.end <= frame.consumed && frame.consumed <= buf.len());
            assert!(frame.consumed > 0, "{framing}: a frame must consume bytes");
            frames.push(buf[frame.payload].to_vec());
            buf.drain(..frame.consumed);
        }
        assert!(
            buf.len() < limits.max_frame,
            "{framing}: holds {} bytes while max_frame = {}",
            buf.len(),
            limits.max_frame
        );
    }
    decoder.decode_eof(&buf)?;
    Ok(frames)
}

/// `decode_chunks` with the stream cut at the given offsets.
pub fn decode_split(
    framing: &Framing,
    limits: &Limits,
    stream: &[u8],
    cuts: &[usize],
) -> Result<Vec<Vec<u8>>, FrameError> {
    let mut chunks = Vec::new();
    let mut start = 0;
    for &cut in cuts {
        let cut = cut.clamp(start, stream.len());
        chunks.push(&stream[start..cut]);
        start = cut;
    }
    chunks.push(&stream[start..]);
    decode_chunks(framing, limits, chunks)
}

/// Limits with a small `max_frame`, for limit tests.
pub fn max_frame(max_frame: usize) -> Limits {
    Limits {
        max_frame,
        ..Limits::default()
    }
}
