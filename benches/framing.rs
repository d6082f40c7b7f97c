//! In-memory decode speed of nianbao's framing, against tokio-util's
//! `LengthDelimitedCodec` decoding the same bytes in the same run (SPEC §6:
//! performance is measured against a baseline, never by timed unit tests).
//!
//! Run: `cargo bench --bench framing`. Plain `std::time::Instant` with a
//! warm-up and the best of several repetitions; no criterion, to keep the
//! build light. Target: ours at least 3x faster on u32be.
//!
//! The last table puts every codec that tokio-util has a counterpart for
//! against it on the same bytes: `u32be` / `u16be` against
//! `LengthDelimitedCodec`, `line` against `AnyDelimiterCodec`, `json-header`
//! against what a tokio-util user would write for the tutorial's header
//! (`LengthDelimitedCodec` for the header, a `serde_json::Value` for its
//! `size`, then the body).

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use nianbao::framing::{FrameMeta, Framing, Limits};
use tokio_util::codec::{AnyDelimiterCodec, Decoder, LengthDelimitedCodec};

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
    tokio_util_with(stream, frames, LengthDelimitedCodec::new)
}

/// Baseline: a tokio-util decoder made by `codec`, on a `BytesMut` holding
/// the same bytes (the copy into the `BytesMut` is made before the clock starts).
fn tokio_util_with<C: Decoder>(stream: &[u8], frames: usize, codec: impl Fn() -> C) -> f64 {
    best_ns_per_frame(frames, || {
        let mut codec = codec();
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

/// The tutorial's header with tokio-util: `LengthDelimitedCodec` reads the
/// header, a `serde_json::Value` gives its `size`, then the body is split off.
#[derive(Default)]
struct JsonHeaderOnTokio {
    head: LengthDelimitedCodec,
    /// The parsed header and the body length, while the body is awaited.
    header: Option<(serde_json::Value, usize)>,
}

impl Decoder for JsonHeaderOnTokio {
    type Item = (serde_json::Value, BytesMut);
    type Error = std::io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> std::io::Result<Option<Self::Item>> {
        if self.header.is_none() {
            let Some(head) = self.head.decode(src)? else {
                return Ok(None);
            };
            let value: serde_json::Value = serde_json::from_slice(&head)?;
            let size = value["size"]
                .as_u64()
                .ok_or(std::io::ErrorKind::InvalidData)?;
            self.header = Some((value, size as usize));
        }
        match self.header.take() {
            Some((value, size)) if src.len() >= size => Ok(Some((value, src.split_to(size)))),
            waiting => {
                self.header = waiting;
                Ok(None)
            }
        }
    }
}

/// Ours and tokio-util's counterpart on the same stream, in ns per frame.
fn against_tokio_util(name: &str, len: usize) -> (f64, f64) {
    let framing: Framing = name.parse().expect("known framing");
    let (stream, frames) = encode_stream(&framing, len);
    let ours_ns = ours(&framing, &stream, frames);
    let theirs_ns = match framing {
        Framing::U32Be => tokio_util(&stream, frames),
        Framing::U16Be => tokio_util_with(&stream, frames, || {
            LengthDelimitedCodec::builder()
                .length_field_length(2)
                .new_codec()
        }),
        Framing::Line { .. } => tokio_util_with(&stream, frames, || {
            AnyDelimiterCodec::new(b"\n".to_vec(), b"\n".to_vec())
        }),
        Framing::JsonHeader => tokio_util_with(&stream, frames, JsonHeaderOnTokio::default),
        _ => unreachable!("{name} has no tokio-util counterpart here"),
    };
    (ours_ns, theirs_ns)
}

/// The tokio-util decoder each codec is measured against.
const COUNTERPARTS: [(&str, &str); 4] = [
    ("u32be", "LengthDelimitedCodec"),
    ("u16be", "LengthDelimitedCodec, 2-byte length"),
    ("line", "AnyDelimiterCodec"),
    ("json-header", "LengthDelimitedCodec + serde_json::Value"),
];

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
    println!("\nevery codec against its tokio-util counterpart, same bytes, same run");
    println!(
        "{:<12} {:<8} {:>10} {:>13} {:>8}  tokio-util decoder",
        "framing", "payload", "ours ns", "tokio-util ns", "speedup"
    );
    for (name, counterpart) in COUNTERPARTS {
        for (label, len) in [("64 B", 64), ("1 KiB", 1024)] {
            let (ours_ns, theirs_ns) = against_tokio_util(name, len);
            println!(
                "{name:<12} {label:<8} {ours_ns:>10.2} {theirs_ns:>13.2} {:>7.1}x  {counterpart}",
                theirs_ns / ours_ns
            );
        }
    }
}
