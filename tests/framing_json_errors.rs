//! The bad-input checklist for `json-header`: the header comes from the
//! network, so it is capped, parsed with a recursion limit and type-checked,
//! and its `size` is checked against `max_frame` before the body is buffered.

mod framing_support;

use framing_support::max_frame;
use nianbao::framing::{FrameError, Framing, Limits};

fn decode_once(limits: &Limits, bytes: &[u8]) -> Result<Option<()>, FrameError> {
    Ok(Framing::JsonHeader
        .decoder(limits)
        .decode(bytes)?
        .map(|_| ()))
}

fn json_frame(header: &[u8], body: &[u8]) -> Vec<u8> {
    let mut frame = (header.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(header);
    frame.extend_from_slice(body);
    frame
}

fn json_error(header: &[u8], limits: &Limits) -> String {
    let frame = json_frame(header, b"");
    decode_once(limits, &frame).unwrap_err().to_string()
}

#[test]
fn json_header_invalid_or_wrong_types_are_rejected() {
    let cases: [(&[u8], &str); 10] = [
        (b"{\"size\":", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object, got an array"),
        (b"{\"name\":\"a\"}", "no `size` field"),
        (
            b"{\"size\":\"5\"}",
            "`size` must be a non-negative integer, got a string",
        ),
        (
            b"{\"size\":-1}",
            "`size` must be a non-negative integer, got a negative integer",
        ),
        (b"{\"size\":1.5}", "got a non-integer number"),
        (
            b"{\"size\":1,\"name\":7}",
            "`name` must be a string, got an integer",
        ),
        (
            b"{\"size\":1,\"md5\":\"abc\"}",
            "`md5` must be 32 hex digits",
        ),
        (
            b"{\"size\":1,\"md5\":\"zz6fbf8347faa4924a76856701edb0f3\"}",
            "32 hex digits",
        ),
        (
            b"{\"size\":1,\"file_size\":1}",
            "both `size` and `file_size`",
        ),
    ];
    for (header, want) in cases {
        let text = json_error(header, &Limits::default());
        assert!(
            text.starts_with("json-header: ") && text.contains(want),
            "{text}"
        );
    }
}

#[test]
fn json_header_over_the_cap_is_rejected_before_it_is_buffered() {
    let err = decode_once(&Limits::default(), &[0, 0, 0x20, 0x01]).unwrap_err();
    let text = err.to_string();
    assert_eq!(
        text,
        "json-header: header of 8193 bytes exceeds max_json_header = 8192 bytes"
    );
    // Exactly at the cap is accepted (padded with spaces, valid JSON).
    let mut header = b"{\"size\":0}".to_vec();
    header.resize(8192, b' ');
    let got = decode_once(&Limits::default(), &json_frame(&header, b""));
    assert_eq!(got.unwrap(), Some(()));
}

#[test]
fn json_header_deeply_nested_is_rejected_without_stack_overflow() {
    for depth in [1_000usize, 1_000_000] {
        let mut header = b"{\"size\":0,\"x\":".to_vec();
        header.extend(std::iter::repeat_n(b'[', depth));
        header.extend(std::iter::repeat_n(b']', depth));
        header.push(b'}');
        let limits = Limits {
            max_json_header: header.len(),
            max_frame: 64 << 20,
        };
        let text = json_error(&header, &limits);
        assert!(text.contains("recursion limit"), "{text}");
    }
}

#[test]
fn json_header_size_above_max_frame_is_rejected() {
    let text = json_error(b"{\"size\":1000}", &max_frame(1000));
    assert_eq!(
        text,
        "json-header: frame of 1017 bytes exceeds max_frame = 1000 bytes"
    );
    let text = json_error(b"{\"size\":18446744073709551615}", &Limits::default());
    assert!(text.contains("exceeds max_frame"), "{text}");
}
