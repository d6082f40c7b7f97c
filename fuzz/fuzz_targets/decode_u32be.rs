#![no_main]
//! Arbitrary bytes, cut into arbitrary reads, through the `u32be` decoder.

mod common;

use libfuzzer_sys::fuzz_target;
use nianbao::framing::Framing;

fuzz_target!(|data: &[u8]| common::decode_chunked(&Framing::U32Be, data));
