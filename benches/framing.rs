//! In-memory decode speed of nianbao's framing, against tokio-util's
//! `LengthDelimitedCodec` decoding the same bytes in the same run (SPEC §6:
//! performance is measured against a baseline, never by timed unit tests).
//!
//! Run: `cargo bench --bench framing`. Plain `std::time::Instant` with a
//! warm-up and the best of several repetitions; no criterion, to keep the
//! build light. Target: ours at least 3x faster on u32be.

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use nianbao::framing::{FrameMeta, Framing, Limits};
use tokio_util::codec::{Decoder as _, LengthDelimitedCodec};

/// Timed repetitions per measurement (after one warm-up); the best is kept.
const REPS: usize = 7;
/// Bytes of encoded stream per measurement, so every size runs long enough.
const STREAM_BYTES: usize = 16 << 20;

fn encode_stream(framing: &Framing, payload_len: usize) -> (Vec<u8>, usize) {
    let frames = STREAM_BYTES / (payload_len + framing.header_overhead(payload_len));
    let payload: Vec<u8> = (0..payload_len).map(|i| (i % 251) as u8).collect();
    let payload = match framing {
        Framing::Line { .. } => payload
            .iter()
            .map(|&b| if b == b'\n' { 0 } else { b })
            .collect(),
        _ => payload,
    };
    let mut encoder = framing.encoder(&Limits::default());
    let mut stream = Vec::with_capacity(STREAM_BYTES + 1024);
    for _ in 0..frames {
        encoder
            .encode(&payload, &FrameMeta::default(), &mut stream)
            .expect("bench payloads are encodable");
    }
    (stream, frames)
}

/// Best time of `REPS` runs of `run` (after a warm-up), in ns per frame.
fn best_ns_per_frame(frames: usize, mut run: impl FnMut() -> Duration) -> f64 {
    run();
    let best = (0..REPS).map(|_| run()).min().unwrap_or_default();
    best.as_nanos() as f64 / frames as f64
}

/// Ours: decode in place, frame after frame, from the front of the stream.
fn ours(framing: &Framing, stream: &[u8], frames: usize) -> f64 {
    best_ns_per_frame(frames, || {
        let mut decoder = framing.decoder(&Limits::default());
        let (mut pos, mut count) = (0, 0);
        let start = Instant::now();
        while let Ok(Some(frame)) = decoder.decode(&stream[pos..]) {
            black_box(&stream[pos..][frame.payload]);
            pos += frame.consumed;
            count += 1;
        }
        let elapsed = start.elapsed();
        assert_eq!(count, frames, "{framing}: decoded every frame");
        elapsed
    })
}

/// Baseline: tokio-util's default codec on a `BytesMut` holding the same bytes
/// (the copy into the `BytesMut` is made before the clock starts).
fn tokio_util(stream: &[u8], frames: usize) -> f64 {
    best_ns_per_frame(frames, || {
        let mut codec = LengthDelimitedCodec::new();
        let mut buf = BytesMut::from(stream);
        let mut count = 0;
        let start = Instant::now();
        while let Ok(Some(frame)) = codec.decode(&mut buf) {
            black_box(frame);
            count += 1;
        }
        let elapsed = start.elapsed();
        assert_eq!(count, frames, "tokio-util: decoded every frame");
        elapsed
    })
}

fn main() {
    println!(
        "framing decode, in memory, best of {REPS} runs over {} MiB each",
        STREAM_BYTES >> 20
    );
    println!(
        "{:<8} {:>9} {:>15} {:>21} {:>9}",
        "payload", "frames", "u32be ns/frame", "tokio-util ns/frame", "speedup"
    );
    for (label, len) in [("64 B", 64), ("1 KiB", 1024)] {
        let (stream, frames) = encode_stream(&Framing::U32Be, len);
        let ours_ns = ours(&Framing::U32Be, &stream, frames);
        let theirs_ns = tokio_util(&stream, frames);
        println!(
            "{label:<8} {frames:>9} {ours_ns:>15.2} {theirs_ns:>21.2} {:>8.1}x",
            theirs_ns / ours_ns
        );
    }
    println!("\nother codecs, ns/frame (for reference, no baseline)");
    println!("{:<12} {:>8} {:>8}", "framing", "64 B", "1 KiB");
    for name in ["u16be", "varint", "line", "json-header"] {
        let framing: Framing = name.parse().expect("known framing");
        let [small, large] = [64, 1024].map(|len| {
            let (stream, frames) = encode_stream(&framing, len);
            ours(&framing, &stream, frames)
        });
        println!("{name:<12} {small:>8.2} {large:>8.2}");
    }
}
