//! The terminal ruler on scripted traces: no sockets. Each test builds an
//! experiment from TOML, scripts the recvs (and, with framing, what the
//! decoder produced), analyses it and checks the drawn text.

use nianbao::analysis::{analyse, Delivery, FlowAnalysis};
use nianbao::engine::Models;
use nianbao::experiment::{plan, Experiment, Overrides, Source};
use nianbao::report::ruler::{ruler, RulerOptions};
use nianbao::trace::{Boundaries, DecodedEvent, Flow, FlowTrace, Queued, RecvEvent};

fn experiment(toml: &str) -> Experiment {
    let source = Source::inline("test", toml);
    let plan = plan(&source, &Overrides::default()).expect("valid experiment");
    plan.scenarios[0].experiment.clone()
}

/// Recvs that read the flow `sizes` bytes at a time, in order.
fn reads(sizes: &[u64]) -> Vec<RecvEvent> {
    let mut offset = 0;
    sizes
        .iter()
        .enumerate()
        .map(|(i, &len)| {
            let r = RecvEvent {
                t_ns: 1000 * (i as u64 + 1),
                offset,
                len: len as u32,
                asked: len as u32,
                truncated: false,
                queued: Queued::UNKNOWN,
            };
            offset += len;
            r
        })
        .collect()
}

/// The c2s flow of `exp` with the given recvs and decoded frames.
fn flow(exp: &Experiment, recvs: Vec<RecvEvent>, decoded: Vec<DecodedEvent>) -> FlowAnalysis {
    let models = Models::of(exp);
    let delivery = if exp.framed() {
        Delivery::Framed
    } else {
        Delivery::Stream
    };
    let trace = FlowTrace {
        messages: models.c2s.spans().to_vec(),
        recvs,
        decoded,
        delivery,
        boundaries: Boundaries::Known,
        content: models.content(Flow::C2s),
        ..FlowTrace::default()
    };
    analyse(Flow::C2s, &trace, 0)
}

fn draw(_exp: &Experiment, fa: &FlowAnalysis, opts: &RulerOptions) -> String {
    ruler(fa, opts)
}

const LONG: &str = "[transport]\nframing = \"none\"\n[sender]\ncount = 1\nsize = \"200KiB\"\n";

#[test]
fn one_long_message_read_1k_at_a_time_stops_after_a_screenful_of_reads() {
    let exp = experiment(LONG);
    let fa = flow(&exp, reads(&[1024; 200]), vec![]);
    let out = draw(&exp, &fa, &RulerOptions::default());
    assert!(
        out.contains("… showing bytes 0–12288 of 204800: 1 of 1 messages, 12 of 200 recvs"),
        "{out}"
    );
    assert_eq!(out.matches("fragment 分包").count(), 12, "{out}");
    assert!(
        out.lines().count() <= 14,
        "{} lines:\n{out}",
        out.lines().count()
    );
    let fewer = RulerOptions {
        max_messages: 3,
        ..RulerOptions::default()
    };
    let out = draw(&exp, &fa, &fewer);
    assert!(out.contains("showing bytes 0–3072 of 204800"), "{out}");
}

#[test]
fn a_short_message_in_small_pieces_is_still_drawn_whole() {
    // 40 bytes read 2 at a time: 20 reads, within twice the cap, so all of it.
    let exp = experiment("[sender]\ncount = 1\nsize = 40\n");
    let fa = flow(&exp, reads(&[2; 20]), vec![]);
    let out = draw(&exp, &fa, &RulerOptions::default());
    assert!(!out.contains("showing"), "{out}");
    assert!(out.lines().any(|l| l.trim_end().ends_with(" 40")), "{out}");
    let he_llo = experiment("[sender]\nmessages = [\"hello feng\"]\n");
    let fa = flow(&he_llo, reads(&[2, 8]), vec![]);
    let out = draw(&he_llo, &fa, &RulerOptions::default());
    assert_eq!(
        out,
        "          0  2        10\n  sent    |he·llo feng|\n  recv    |he|llo feng|\n           F  fragment\n  (a read too narrow for the word: F = fragment 分包)\n"
    );
}

/// A decoded frame at `[offset, offset + len)`, right or wrong.
fn frame(offset: u64, len: u64, ok: bool) -> DecodedEvent {
    DecodedEvent {
        t_ns: 5000 + offset,
        offset,
        len,
        ok,
    }
}

fn line_of<'a>(out: &'a str, row: &str) -> Vec<&'a str> {
    out.lines()
        .filter(|l| l.starts_with(&format!("  {row:8}")))
        .collect()
}

const HELLOFENG_U32: &str =
    "[transport]\nframing = \"u32be\"\n[sender]\nmessages = [\"hello\", \"feng\"]\n";

#[test]
fn framed_reads_stay_sticky_while_the_decoded_row_says_intact() {
    let exp = experiment(HELLOFENG_U32);
    // Frames of 4 + 5 and 4 + 4 bytes, both in one read.
    let fa = flow(
        &exp,
        reads(&[17]),
        vec![frame(0, 9, true), frame(9, 8, true)],
    );
    let out = draw(&exp, &fa, &RulerOptions::default());
    assert_eq!(
        out,
        "          0                  9                  17\n\
         \x20 sent    |\\x00\\x00\\…x05hello|\\x00\\x00\\…\\x04feng|\n\
         \x20 recv    |\\x00\\x00\\…x05hello·\\x00\\x00\\…\\x04feng|\n\
         \x20          sticky 粘包\n\
         \x20 decoded |#0 intact ✓       |#1 intact ✓       |\n"
    );
}

#[test]
fn a_delimiter_inside_a_payload_shows_a_corrupt_frame() {
    let exp = experiment(
        "[transport]\nframing = \"line\"\n[sender]\nmessages = [\"first\", \"two\\nlines\", \"third\"]\n",
    );
    // The line decoder cuts `two\n` and `lines\n` out of frame 1: both wrong.
    let decoded = vec![
        frame(0, 6, true),
        frame(6, 4, false),
        frame(10, 6, false),
        frame(16, 6, true),
    ];
    let fa = flow(&exp, reads(&[22]), decoded);
    let out = draw(&exp, &fa, &RulerOptions::default());
    assert_eq!(
        line_of(&out, "decoded"),
        ["  decoded |intact |#1 corrupt ✗|intact |"],
        "{out}"
    );
    let colored = RulerOptions {
        color: true,
        ..RulerOptions::default()
    };
    let out = draw(&exp, &fa, &colored);
    assert!(out.contains("|\x1b[32mintact\x1b[0m |"), "{out:?}");
    assert!(out.contains("|\x1b[31;1m#1 corrupt ✗\x1b[0m|"), "{out:?}");
}

#[test]
fn a_frame_cut_off_by_eof_is_lost() {
    let exp = experiment(HELLOFENG_U32);
    // The stream ends 4 bytes into frame 1: the decoder never completes it.
    let fa = flow(&exp, reads(&[9, 4]), vec![frame(0, 9, true)]);
    let out = draw(&exp, &fa, &RulerOptions::default());
    assert_eq!(
        line_of(&out, "decoded"),
        ["  decoded |#0 intact ✓       |#1 lost ✗            |"],
        "{out}"
    );
    assert!(out.contains("whole              fragment 分包"), "{out}");
}

#[test]
fn a_long_frame_is_labelled_in_every_band_it_runs_through() {
    let exp = experiment(
        "[transport]\nframing = \"json-header\"\n[sender]\ncount = 1\nsize = \"200KiB\"\n",
    );
    let len = Models::of(&exp).c2s.spans()[0].len;
    let mut sizes = vec![1024; (len / 1024) as usize];
    sizes.push(len % 1024);
    let fa = flow(&exp, reads(&sizes), vec![frame(0, len, true)]);
    let out = draw(&exp, &fa, &RulerOptions::default());
    let rows = line_of(&out, "decoded");
    assert_eq!(rows.len(), 3, "{out}");
    assert!(rows[0].starts_with("  decoded |#0 intact ✓ "), "{out}");
    assert!(rows[1].starts_with("  decoded ·#0 intact ✓ "), "{out}");
    // The drawing stops inside the frame: its last edge is `·`, not a boundary.
    assert!(rows[1].ends_with('·') && rows[2].ends_with('·'), "{out}");
    let sent = line_of(&out, "sent");
    assert!(sent[2].ends_with('·'), "{out}");
    assert!(out.contains("showing bytes 0–12288 of"), "{out}");
}

#[test]
fn an_unframed_flow_has_no_decoded_row() {
    let exp = experiment("[sender]\nmessages = [\"hello\", \"feng\"]\n");
    let fa = flow(&exp, reads(&[9]), vec![]);
    let out = draw(&exp, &fa, &RulerOptions::default());
    assert!(
        out.contains("|hello·feng|") && !out.contains("decoded"),
        "{out}"
    );
}
