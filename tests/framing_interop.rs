//! Interop: our frames are what other people's code writes and reads. u32be is
//! byte-identical to Python's `struct.pack('!I', n) + payload` and to
//! tokio-util's default `LengthDelimitedCodec`; json-header reads and writes
//! the tutorial's `struct.pack('!i', len(h)) + h + body`.

mod framing_support;

use std::process::{Command, Stdio};

use bytes::{Bytes, BytesMut};
use framing_support::{decode_chunks, encode_all};
use nianbao::framing::{FrameMeta, Framing, Limits};
use tokio_util::codec::{Decoder as _, Encoder as _, LengthDelimitedCodec};

/// `struct.pack('!I', len(p)) + p` for b"", b"hello" and b"\x00\xff".
const PYTHON_U32BE: &[(&[u8], &[u8])] = &[
    (b"", &[0, 0, 0, 0]),
    (b"hello", &[0, 0, 0, 5, b'h', b'e', b'l', b'l', b'o']),
    (&[0x00, 0xff], &[0, 0, 0, 2, 0x00, 0xff]),
];

#[test]
fn u32be_matches_python_struct_pack_hard_coded() {
    for (payload, frame) in PYTHON_U32BE {
        assert_eq!(encode_all(&Framing::U32Be, &[payload.to_vec()]), *frame);
    }
    let long = encode_all(&Framing::U32Be, &[vec![b'x'; 300]]);
    assert_eq!(&long[..4], &[0, 0, 0x01, 0x2c]);
}

/// Runs `python3 -c script` with `input` on stdin; `None` (and a printed
/// reason) when python3 is not installed.
fn python(script: &str, input: &[u8]) -> Option<Vec<u8>> {
    let child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            println!("skipped: python3 not available ({e})");
            return None;
        }
    };
    use std::io::Write;
    child
        .stdin
        .take()?
        .write_all(input)
        .expect("write to python3");
    let out = child.wait_with_output().expect("python3 runs");
    assert!(out.status.success(), "python3 failed: {out:?}");
    Some(out.stdout)
}

#[test]
fn u32be_matches_python_struct_pack_live() {
    let script = "import struct,sys\n\
        for p in [b'', b'hello', bytes(range(256)), b'x' * 70000]:\n\
        \x20   sys.stdout.buffer.write(struct.pack('!I', len(p)) + p)";
    let Some(python_bytes) = python(script, b"") else {
        return;
    };
    let payloads = [
        b"".to_vec(),
        b"hello".to_vec(),
        (0..=255).collect(),
        vec![b'x'; 70000],
    ];
    assert_eq!(encode_all(&Framing::U32Be, &payloads), python_bytes);
}

#[test]
fn json_header_reads_the_tutorials_python_frame() {
    let script = "import json,struct,sys\n\
        body = b'hello feng'\n\
        header = {'file_size': len(body), 'file_name': '/a/b/c/d/e/a.txt', 'md5': '8f6fbf8347faa4924a76856701edb0f3'}\n\
        head_bytes = bytes(json.dumps(header), encoding='utf-8')\n\
        sys.stdout.buffer.write(struct.pack('!i', len(head_bytes)) + head_bytes + body)";
    let Some(frame) = python(script, b"") else {
        return;
    };
    let mut decoder = Framing::JsonHeader.decoder(&Limits::default());
    let decoded = decoder.decode(&frame).unwrap().expect("one whole frame");
    assert_eq!(decoded.consumed, frame.len());
    assert_eq!(&frame[decoded.payload], b"hello feng");
    assert_eq!(
        decoded.header.unwrap().name.as_deref(),
        Some("/a/b/c/d/e/a.txt")
    );
}

#[test]
fn json_header_frame_is_read_by_the_tutorials_python_receiver() {
    let meta = FrameMeta {
        name: Some("a.txt"),
        md5: None,
    };
    let mut frame = Vec::new();
    let mut encoder = Framing::JsonHeader.encoder(&Limits::default());
    encoder.encode(b"hello feng", &meta, &mut frame).unwrap();
    let script = "import json,struct,sys\n\
        data = sys.stdin.buffer.read()\n\
        x = struct.unpack('!i', data[:4])[0]\n\
        header = json.loads(data[4:4 + x])\n\
        body = data[4 + x:4 + x + header['size']]\n\
        print(header['name'], header['size'], body.decode(), len(data) == 4 + x + header['size'])";
    let Some(out) = python(script, &frame) else {
        return;
    };
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "a.txt 10 hello feng True\n"
    );
}

#[test]
fn u32be_encoded_by_us_is_decoded_by_tokio_util() {
    let messages = [b"hello".to_vec(), Vec::new(), vec![7; 5000]];
    let mut buf = BytesMut::from(&encode_all(&Framing::U32Be, &messages)[..]);
    let mut codec = LengthDelimitedCodec::new();
    for message in &messages {
        let frame = codec.decode(&mut buf).unwrap().expect("a whole frame");
        assert_eq!(&frame[..], &message[..]);
    }
    assert!(buf.is_empty());
}

#[test]
fn u32be_encoded_by_tokio_util_is_decoded_by_us() {
    let messages = [b"hello".to_vec(), Vec::new(), vec![7; 5000]];
    let mut codec = LengthDelimitedCodec::new();
    let mut buf = BytesMut::new();
    for message in &messages {
        codec
            .encode(Bytes::from(message.clone()), &mut buf)
            .unwrap();
    }
    assert_eq!(&buf[..], &encode_all(&Framing::U32Be, &messages)[..]);
    let got = decode_chunks(&Framing::U32Be, &Limits::default(), buf.chunks(7)).unwrap();
    assert_eq!(got, messages);
}

#[test]
fn json_header_file_frame_passes_the_tutorials_md5_check_in_python() {
    use nianbao::engine::framed_stream::FramedFlow;
    use nianbao::experiment::{plan, Overrides, Source};
    let source = Source::inline(
        "t",
        "[transport]\nframing = \"json-header\"\n[sender]\ncount = 1\nsize = \"3000\"\n",
    );
    let plan = plan(&source, &Overrides::default()).expect("valid");
    let flow = FramedFlow::of(&plan.scenarios[0].experiment);
    let (mut enc, mut scratch, mut frame) = (flow.encoder(), Vec::new(), Vec::new());
    flow.frame(enc.as_mut(), 0, &mut scratch, &mut frame);
    let script = "import hashlib,json,struct,sys\n\
        data = sys.stdin.buffer.read()\n\
        x = struct.unpack('!i', data[:4])[0]\n\
        header = json.loads(data[4:4 + x])\n\
        body = data[4 + x:]\n\
        print(header['name'], header['size'] == len(body), hashlib.md5(body).hexdigest() == header['md5'])";
    let Some(out) = python(script, &frame) else {
        return;
    };
    assert_eq!(String::from_utf8(out).unwrap(), "file0.bin True True\n");
}
