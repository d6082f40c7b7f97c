//! Scripted chunk tests, one per scenario, run for every codec (model:
//! tokio-util `tests/length_delimited.rs`): however the stream is cut into
//! reads, the decoder yields the same messages.

mod framing_support;

use framing_support::{decode_chunks, decode_split, encode_all, framed, three_messages};
use nianbao::framing::{FrameMeta, Framing, HeaderInfo, Limits};

#[test]
fn read_single_multi_frame_one_packet() {
    for framing in framed() {
        let messages = three_messages(&framing);
        let stream = encode_all(&framing, &messages);
        let got = decode_chunks(&framing, &Limits::default(), [stream.as_slice()]).unwrap();
        assert_eq!(got, messages, "{framing}");
    }
}

#[test]
fn read_multi_frame_two_packets_at_every_split_point() {
    for framing in framed() {
        let messages = three_messages(&framing);
        let stream = encode_all(&framing, &messages);
        for cut in 0..=stream.len() {
            let got = decode_split(&framing, &Limits::default(), &stream, &[cut]);
            assert_eq!(got.unwrap(), messages, "{framing} cut at {cut}");
        }
    }
}

#[test]
fn read_multi_frame_one_byte_per_read() {
    for framing in framed() {
        let messages = three_messages(&framing);
        let stream = encode_all(&framing, &messages);
        let got = decode_chunks(&framing, &Limits::default(), stream.chunks(1)).unwrap();
        assert_eq!(got, messages, "{framing}");
    }
}

#[test]
fn read_incomplete_head_and_payload_need_more() {
    for framing in framed() {
        // "hello" is also exactly one `fixed:5` frame.
        let frame = encode_all(&framing, &[b"hello".to_vec()]);
        for len in 0..frame.len() {
            let mut decoder = framing.decoder(&Limits::default());
            let got = decoder.decode(&frame[..len]);
            assert_eq!(got.unwrap(), None, "{framing}: prefix of {len} bytes");
        }
    }
}

#[test]
fn read_zero_length_frames_as_empty_messages() {
    let cases: [(&str, &[u8]); 5] = [
        ("u32be", &[0, 0, 0, 0]),
        ("u16be", &[0, 0]),
        ("varint", &[0]),
        ("line", b"\n"),
        ("json-header", b"\x00\x00\x00\x0a{\"size\":0}"),
    ];
    for (name, bytes) in cases {
        let framing: Framing = name.parse().unwrap();
        let mut decoder = framing.decoder(&Limits::default());
        let frame = decoder.decode(bytes).unwrap().expect("a whole frame");
        assert_eq!(frame.consumed, bytes.len(), "{name}");
        assert!(frame.payload.is_empty(), "{name}");
        assert_eq!(encode_all(&framing, &[Vec::new()]), bytes, "{name}");
    }
}

#[test]
fn read_leaves_the_next_frame_in_the_buffer() {
    let framing = Framing::U32Be;
    let stream = encode_all(&framing, &[b"ab".to_vec(), b"cde".to_vec()]);
    let mut decoder = framing.decoder(&Limits::default());
    let frame = decoder.decode(&stream).unwrap().unwrap();
    assert_eq!((frame.consumed, frame.payload), (6, 4..6));
    let frame = decoder.decode(&stream[6..]).unwrap().unwrap();
    assert_eq!(&stream[6..][frame.payload], b"cde");
}

#[test]
fn raw_takes_each_read_as_one_message() {
    let framing = Framing::None;
    let got = decode_chunks(&framing, &Limits::default(), [&b"he"[..], b"llo feng"]).unwrap();
    assert_eq!(got, [b"he".to_vec(), b"llo feng".to_vec()]);
    assert_eq!(
        encode_all(&framing, &[b"hello".to_vec(), b"feng".to_vec()]),
        b"hellofeng"
    );
    assert_eq!(framing.header_overhead(100), 0);
}

#[test]
fn line_delimiter_inside_a_payload_splits_the_message() {
    // The encoder does not escape: this is the delimiter-collision experiment.
    let framing = Framing::Line {
        delimiter: b"\n".to_vec(),
    };
    let stream = encode_all(&framing, &[b"two\nlines".to_vec()]);
    let got = decode_chunks(&framing, &Limits::default(), [stream.as_slice()]).unwrap();
    assert_eq!(got, [b"two".to_vec(), b"lines".to_vec()]);
}

#[test]
fn line_multi_byte_delimiter_split_between_reads() {
    let framing: Framing = "line:\\r\\n".parse().unwrap();
    let got = decode_chunks(&framing, &Limits::default(), [&b"a\r"[..], b"\nb\r\r\n"]).unwrap();
    assert_eq!(got, [b"a".to_vec(), b"b\r".to_vec()]);
}

#[test]
fn json_header_carries_name_and_md5() {
    let framing = Framing::JsonHeader;
    let meta = FrameMeta {
        name: Some("/a/b/c/d/e/a.txt"),
        md5: Some("8f6fbf8347faa4924a76856701edb0f3"),
    };
    let mut out = Vec::new();
    framing
        .encoder(&Limits::default())
        .encode(b"body", &meta, &mut out)
        .unwrap();
    let mut decoder = framing.decoder(&Limits::default());
    let frame = decoder.decode(&out).unwrap().unwrap();
    assert_eq!(&out[frame.payload], b"body");
    let expected = HeaderInfo {
        size: 4,
        name: Some("/a/b/c/d/e/a.txt".into()),
        md5: Some("8f6fbf8347faa4924a76856701edb0f3".into()),
    };
    assert_eq!(frame.header, Some(expected));
}

#[test]
fn json_header_accepts_the_tutorial_keys() {
    let header =
        br#"{"file_size": 3, "file_name": "a.txt", "md5": "8f6fbf8347faa4924a76856701edb0f3"}"#;
    let mut stream = (header.len() as u32).to_be_bytes().to_vec();
    stream.extend_from_slice(header);
    stream.extend_from_slice(b"abc");
    let mut decoder = Framing::JsonHeader.decoder(&Limits::default());
    let frame = decoder.decode(&stream).unwrap().unwrap();
    assert_eq!(&stream[frame.payload], b"abc");
    let info = frame.header.unwrap();
    assert_eq!((info.size, info.name.as_deref()), (3, Some("a.txt")));
}

#[test]
fn header_overhead_matches_the_encoder() {
    for framing in framed() {
        for len in [0usize, 1, 5, 127, 128, 300, 65535] {
            let payload = match framing {
                Framing::Fixed(n) => vec![1; n],
                _ => vec![1; len],
            };
            let frame = encode_all(&framing, std::slice::from_ref(&payload));
            let overhead = framing.header_overhead(payload.len());
            assert_eq!(frame.len(), payload.len() + overhead, "{framing} len {len}");
        }
    }
}

#[test]
fn need_reports_the_frame_length_once_the_header_is_read() {
    let framing = Framing::U32Be;
    let stream = encode_all(&framing, &[vec![9; 100]]);
    let mut decoder = framing.decoder(&Limits::default());
    assert_eq!(decoder.decode(&stream[..10]).unwrap(), None);
    assert_eq!(decoder.need(), Some(104));
}
