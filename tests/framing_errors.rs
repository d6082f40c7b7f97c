//! The bad-input checklist: every limit and every corrupt header gives a clear
//! error (naming the codec, the numbers and the limit), never a panic, a hang
//! or a buffer that grows past `max_frame`.

mod framing_support;

use framing_support::{decode_chunks, max_frame};
use nianbao::framing::{FrameError, FrameMeta, Framing, Limits};

fn decode_once(framing: &str, limits: &Limits, bytes: &[u8]) -> Result<Option<()>, FrameError> {
    let framing: Framing = framing.parse().unwrap();
    Ok(framing.decoder(limits).decode(bytes)?.map(|_| ()))
}

fn eof_error(framing: &str, bytes: &[u8]) -> String {
    let framing: Framing = framing.parse().unwrap();
    decode_chunks(&framing, &Limits::default(), [bytes])
        .unwrap_err()
        .to_string()
}

#[test]
fn u32be_header_ff_ff_ff_ff_is_rejected_before_the_body() {
    let err = decode_once("u32be", &Limits::default(), &[0xff; 4]).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("u32be") && text.contains("4294967299"),
        "{text}"
    );
    assert!(text.contains("max_frame = 8388608"), "{text}");
}

#[test]
fn length_prefix_at_max_is_accepted_and_max_plus_one_rejected() {
    let limits = max_frame(100);
    // 4 + 96 = 100 bytes: allowed, so the decoder waits for the body.
    assert_eq!(decode_once("u32be", &limits, &[0, 0, 0, 96]).unwrap(), None);
    let err = decode_once("u32be", &limits, &[0, 0, 0, 97]).unwrap_err();
    assert!(
        matches!(
            err,
            FrameError::TooLarge {
                len: 101,
                max: 100,
                ..
            }
        ),
        "{err}"
    );
    assert!(decode_once("u16be", &limits, &[0, 99]).is_err());
    assert!(decode_once("varint", &limits, &[100]).is_err());
    assert_eq!(decode_once("varint", &limits, &[99]).unwrap(), None);
}

#[test]
fn oversized_frame_split_across_reads_fails_once_the_header_is_in() {
    let mut stream = vec![0, 0, 0x10, 0];
    stream.extend_from_slice(&[0u8; 64]);
    for framing in ["u32be", "json-header"] {
        let framing: Framing = framing.parse().unwrap();
        let mut decoder = framing.decoder(&max_frame(1024));
        // Header bytes one at a time: need more, then an error at byte 4.
        for len in 1..4 {
            assert_eq!(decoder.decode(&stream[..len]).unwrap(), None, "{framing}");
        }
        assert!(decoder.decode(&stream[..4]).is_err(), "{framing}");
    }
}

#[test]
fn varint_overflowing_u64_is_an_error() {
    let mut bytes = vec![0xff; 9];
    bytes.push(0x02);
    let err = decode_once("varint", &Limits::default(), &bytes).unwrap_err();
    assert_eq!(err.to_string(), "varint: length prefix overflows u64");
}

#[test]
fn varint_longer_than_ten_bytes_is_an_error() {
    let err = decode_once("varint", &Limits::default(), &[0x80; 11]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "varint: length prefix longer than 10 bytes"
    );
    // Fed one byte at a time, it fails at the tenth byte, not later.
    let framing = Framing::Varint;
    let mut decoder = framing.decoder(&Limits::default());
    for len in 1..10 {
        assert_eq!(decoder.decode(&[0x80; 11][..len]).unwrap(), None);
    }
    assert!(decoder.decode(&[0x80; 10]).is_err());
}

#[test]
fn every_proper_prefix_of_a_large_header_needs_more() {
    let headers: [(&str, &[u8]); 3] = [
        ("u32be", &[0, 0x10, 0, 0]),
        ("varint", &[0x80, 0x80, 0x80, 0x01]),
        ("json-header", b"\x00\x00\x00\x10{\"size\":1000000}"),
    ];
    for (framing, header) in headers {
        for len in 0..=header.len() {
            let got = decode_once(framing, &Limits::default(), &header[..len]);
            assert_eq!(got.unwrap(), None, "{framing}: {len} bytes");
        }
    }
}

#[test]
fn eof_inside_the_header_reports_got_n_of_m() {
    assert_eq!(
        eof_error("u32be", &[0, 0]),
        "u32be: EOF inside a frame (header): got 2 of 4 bytes"
    );
    assert_eq!(
        eof_error("u16be", &[0]),
        "u16be: EOF inside a frame (header): got 1 of 2 bytes"
    );
    let text = eof_error("varint", &[0x80]);
    assert!(text.contains("(header): got 1 byte,"), "{text}");
    let text = eof_error("json-header", b"\x00\x00\x00\x0a{\"si");
    assert_eq!(
        text,
        "json-header: EOF inside a frame (header): got 8 of 14 bytes"
    );
}

#[test]
fn eof_inside_the_body_reports_got_n_of_m() {
    assert_eq!(
        eof_error("u32be", &[0, 0, 0, 5, b'h', b'e']),
        "u32be: EOF inside a frame (body): got 6 of 9 bytes"
    );
    assert_eq!(
        eof_error("varint", &[5, b'h']),
        "varint: EOF inside a frame (body): got 2 of 6 bytes"
    );
    assert_eq!(
        eof_error("fixed:8", b"abc"),
        "fixed: EOF inside a frame (body): got 3 of 8 bytes"
    );
    let text = eof_error("json-header", b"\x00\x00\x00\x0a{\"size\":5}he");
    assert_eq!(
        text,
        "json-header: EOF inside a frame (body): got 16 of 19 bytes"
    );
    assert!(eof_error("line", b"no newline").contains("(line): got 10 bytes"));
}

#[test]
fn line_over_the_limit_fed_one_byte_at_a_time_is_an_error() {
    let framing = Framing::Line {
        delimiter: b"\n".to_vec(),
    };
    let limits = max_frame(64);
    let long = vec![b'x'; 10_000];
    // decode_chunks asserts the buffer never reaches max_frame while waiting.
    let err = decode_chunks(&framing, &limits, long.chunks(1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "line: no delimiter within max_frame = 64 bytes"
    );
    // 63 bytes plus the delimiter is exactly the limit: fine.
    let mut ok = vec![b'x'; 63];
    ok.push(b'\n');
    assert_eq!(
        decode_chunks(&framing, &limits, ok.chunks(1))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn validate_rejects_impossible_configurations() {
    let default = Limits::default();
    let cases: [(Framing, Limits, &str); 6] = [
        (Framing::Fixed(0), default, "at least 1 byte"),
        (
            Framing::Line {
                delimiter: Vec::new(),
            },
            default,
            "must not be empty",
        ),
        (
            Framing::U32Be,
            max_frame(3),
            "max_frame = 3 is below the smallest frame",
        ),
        (
            Framing::U16Be,
            max_frame(1),
            "smallest frame of this framing (2 bytes)",
        ),
        (Framing::Fixed(100), max_frame(99), "(100 bytes)"),
        (
            Framing::JsonHeader,
            Limits {
                max_json_header: 9,
                ..default
            },
            "max_json_header = 9",
        ),
    ];
    for (framing, limits, want) in cases {
        let text = framing.validate(&limits).unwrap_err().to_string();
        assert!(text.contains(want), "{framing}: {text}");
    }
    for framing in framing_support::framed() {
        framing.validate(&default).unwrap();
    }
    Framing::None.validate(&default).unwrap();
}

/// Runs a failing encode into a buffer that already holds bytes.
fn encode_fails(framing: Framing, limits: &Limits, payload: &[u8], meta: &FrameMeta) -> String {
    let mut out = b"keep".to_vec();
    let err = framing
        .encoder(limits)
        .encode(payload, meta, &mut out)
        .unwrap_err();
    assert_eq!(out, b"keep", "{framing}: out was modified");
    err.to_string()
}

#[test]
fn encoder_errors_leave_out_untouched() {
    let none = FrameMeta::default();
    let big = vec![0u8; 70_000];
    let text = encode_fails(Framing::U16Be, &Limits::default(), &big, &none);
    assert_eq!(
        text,
        "u16be: a 70000-byte payload does not fit the length prefix (at most 65535 bytes)"
    );
    let text = encode_fails(Framing::U32Be, &max_frame(100), &big, &none);
    assert_eq!(
        text,
        "u32be: frame of 70004 bytes exceeds max_frame = 100 bytes"
    );
    let text = encode_fails(Framing::Fixed(4), &Limits::default(), b"abc", &none);
    assert_eq!(
        text,
        "fixed:4: payload is 3 bytes; every frame must be exactly 4 bytes"
    );
    encode_fails(Framing::Varint, &max_frame(100), &big, &none);
    encode_fails(
        Framing::Line {
            delimiter: b"\n".to_vec(),
        },
        &max_frame(100),
        &big,
        &none,
    );
    let bad_md5 = FrameMeta {
        md5: Some("nope"),
        ..none
    };
    encode_fails(Framing::JsonHeader, &Limits::default(), b"x", &bad_md5);
    let long_name = "n".repeat(10_000);
    let meta = FrameMeta {
        name: Some(&long_name),
        ..none
    };
    let text = encode_fails(Framing::JsonHeader, &Limits::default(), b"x", &meta);
    assert!(text.contains("exceeds max_json_header = 8192"), "{text}");
    encode_fails(Framing::JsonHeader, &max_frame(100), &big, &none);
}
