#![no_main]
//! Arbitrary bytes as an experiment file plus `--set` flags, through
//! `plan()`; when it is accepted and small, one short real trial on
//! loopback and the text and JSON reports. Errors are fine; a panic is not.
//!
//! Input: the TOML text, then up to four `--set` arguments, each after a
//! NUL byte (`name = "x"\0sender.gap=1ms\0trials=2`). Invalid UTF-8 is
//! replaced, as no file reaches `plan()` without being UTF-8 text.

#[path = "../../tests/tiny_trial/mod.rs"]
mod tiny_trial;

use libfuzzer_sys::fuzz_target;
use nianbao::experiment::{plan, Overrides, Source};

/// Most `--set` arguments taken from one input.
const MAX_SETS: usize = 4;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let mut parts = input.split('\0');
    let text = parts.next().unwrap_or_default();
    let sets: Vec<String> = parts.take(MAX_SETS).map(String::from).collect();
    let over = Overrides {
        sets,
        ..Default::default()
    };
    if let Ok(plan) = plan(&Source::inline("fuzz", text), &over) {
        let _ = tiny_trial::run_and_render(&plan);
    }
});
