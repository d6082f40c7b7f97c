#![no_main]
//! Arbitrary bytes, cut into arbitrary reads, through the `line` decoder.

mod common;

use libfuzzer_sys::fuzz_target;
use nianbao::framing::Framing;

fuzz_target!(|data: &[u8]| common::decode_chunked(
    &Framing::Line {
        delimiter: b"\r\n".to_vec()
    },
    data
));
