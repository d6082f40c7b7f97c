//! A trace any source can fill: one hand-built trace for each place message
//! boundaries can come from (the sender's own messages, a framing decoder,
//! messages a user declares, nowhere), run through analysis, the ruler, the
//! CSVs and the charts. No sockets.

use nianbao::analysis::{analyse, figures, Fate, FlowAnalysis, RecvKind, RunResult, TrialResult};
use nianbao::experiment::{plan, Overrides, Source};
use nianbao::report::ruler::{ruler, RulerOptions};
use nianbao::trace::Recorded;
use nianbao::trace::{
    Boundaries, Content, DecodedEvent, Delivery, Flow, FlowTrace, MessageSpan, Queued, RecvEvent,
    SendEvent,
};
use std::sync::Arc;

/// `hellofeng` as two sends of `hello` and `feng`, read as `parts`.
fn hellofeng(boundaries: Boundaries, parts: &[(u64, u64)]) -> FlowTrace {
    let messages = match boundaries {
        Boundaries::Known | Boundaries::Declared => vec![span(0, 0, 5), span(1, 5, 4)],
        _ => Vec::new(),
    };
    FlowTrace {
        messages,
        sends: vec![send(0, 0, 5, 10), send(1, 5, 4, 20)],
        recvs: reads(parts),
        delivery: Delivery::Stream,
        boundaries,
        content: Content::Recorded(Arc::new(Recorded::whole(b"hellofeng".to_vec()))),
        ..FlowTrace::default()
    }
}

fn span(id: u64, offset: u64, len: u64) -> MessageSpan {
    MessageSpan { id, offset, len }
}

fn send(msg_id: u64, offset: u64, len: u64, t_ns: u64) -> SendEvent {
    SendEvent {
        t_ns,
        msg_id,
        offset,
        len: len as u32,
        ret: len as u32,
    }
}

fn reads(parts: &[(u64, u64)]) -> Vec<RecvEvent> {
    parts
        .iter()
        .enumerate()
        .map(|(i, &(offset, len))| RecvEvent {
            t_ns: 100 * (i as u64 + 1),
            offset,
            len: len as u32,
            asked: 1024,
            truncated: false,
            queued: Queued::UNKNOWN,
        })
        .collect()
}

fn kinds(fa: &FlowAnalysis) -> Vec<RecvKind> {
    fa.recvs.iter().map(|r| r.kind).collect()
}

fn fates(fa: &FlowAnalysis) -> Vec<Fate> {
    fa.messages.iter().map(|m| m.fate).collect()
}

fn draw(fa: &FlowAnalysis) -> String {
    ruler(fa, &RulerOptions::default())
}

#[test]
fn known_messages_give_kinds_and_fates() {
    let fa = analyse(Flow::C2s, &hellofeng(Boundaries::Known, &[(0, 9)]), 1);
    assert_eq!(kinds(&fa), [RecvKind::Sticky]);
    assert_eq!(fates(&fa), [Fate::Merged, Fate::Merged]);
    let out = draw(&fa);
    assert!(out.contains("|hello|feng|"), "{out}");
    assert!(out.contains("|hello·feng|"), "{out}");
    assert!(out.contains("sticky 粘包"), "{out}");
}

#[test]
fn declared_messages_are_analysed_like_known_ones() {
    let fa = analyse(
        Flow::C2s,
        &hellofeng(Boundaries::Declared, &[(0, 2), (2, 7)]),
        1,
    );
    assert_eq!(kinds(&fa), [RecvKind::Fragment, RecvKind::Sticky]);
    assert_eq!(fates(&fa), [Fate::Split, Fate::Merged]);
    let out = draw(&fa);
    assert!(
        out.contains("|he·llo·feng|") || out.contains("|he·llo|"),
        "{out}"
    );
}

#[test]
fn decoded_frames_are_the_messages() {
    // Two u32be frames: [0,0,0,5]hello [0,0,0,4]feng, read in one recv.
    let mut bytes = Vec::new();
    for m in [&b"hello"[..], b"feng"] {
        bytes.extend_from_slice(&(m.len() as u32).to_be_bytes());
        bytes.extend_from_slice(m);
    }
    let t = FlowTrace {
        recvs: reads(&[(0, 17)]),
        decoded: vec![
            DecodedEvent {
                t_ns: 100,
                offset: 0,
                len: 9,
                ok: true,
            },
            DecodedEvent {
                t_ns: 100,
                offset: 9,
                len: 8,
                ok: true,
            },
        ],
        delivery: Delivery::Framed,
        boundaries: Boundaries::Decoded,
        content: Content::Recorded(Arc::new(Recorded::whole(bytes))),
        ..FlowTrace::default()
    };
    let fa = analyse(Flow::C2s, &t, 1);
    assert_eq!(fa.messages.len(), 2, "one message per decoded frame");
    assert_eq!(
        kinds(&fa),
        [RecvKind::Sticky],
        "the raw read held both frames"
    );
    assert_eq!(
        fates(&fa),
        [Fate::Intact, Fate::Intact],
        "the decoder cut them apart"
    );
    let out = draw(&fa);
    assert!(out.contains("decoded |#0 intact ✓"), "{out}");
}

#[test]
fn unknown_boundaries_show_reads_and_bytes_and_invent_no_fate() {
    let fa = analyse(Flow::C2s, &hellofeng(Boundaries::Unknown, &[(0, 9)]), 1);
    assert_eq!(kinds(&fa), [RecvKind::Unknown]);
    assert!(fa.messages.is_empty(), "no message is invented");
    assert_eq!(fa.summary.sticky + fa.summary.merged + fa.summary.intact, 0);
    assert!(
        fa.summary.merged_fraction.is_nan(),
        "no fraction is invented"
    );
    let figs = figures(&fa);
    assert!(figs["merged"].is_nan() && figs["intact_fraction"].is_nan());
    assert_eq!(figs["recvs"], 1.0);
    assert_eq!(figs["bytes"], 9.0);
    let out = draw(&fa);
    assert!(
        out.contains("|hellofeng|"),
        "the read's bytes are shown: {out}"
    );
    assert!(!out.contains("sent"), "no sent row without messages: {out}");
    assert!(out.contains("message boundaries unknown"), "{out}");
    assert!(!out.contains("sticky"), "{out}");
}

#[test]
fn unknown_boundaries_and_unknown_bytes_still_draw_the_reads() {
    let mut t = hellofeng(Boundaries::Unknown, &[(0, 4), (4, 5)]);
    t.content = Content::Unknown;
    let fa = analyse(Flow::C2s, &t, 1);
    let out = draw(&fa);
    assert!(
        out.contains("4B") && out.contains("5B"),
        "lengths stand in for bytes: {out}"
    );
}

/// A run of one trial of one scenario whose c2s flow is `fa`.
fn run_of(fa: FlowAnalysis) -> RunResult {
    let plan = plan(&Source::inline("hand-built", ""), &Overrides::default()).unwrap();
    RunResult {
        plan,
        trials: vec![TrialResult {
            scenario: 0,
            trial: 0,
            flows: vec![fa],
            duration_ns: 1,
            outcome: Default::default(),
            capture: Default::default(),
            requests: Vec::new(),
        }],
        started_unix: 0,
        duration_ns: 1,
        host: Default::default(),
        peer: None,
    }
}

#[test]
fn unknown_boundaries_go_through_the_csvs_and_the_charts() {
    let fa = analyse(
        Flow::C2s,
        &hellofeng(Boundaries::Unknown, &[(0, 2), (2, 7)]),
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hand-built");
    nianbao::report::results::write_results(&out, &run_of(fa)).expect("results written");
    let recvs = std::fs::read_to_string(out.join("recvs.csv")).unwrap();
    assert!(recvs.contains(",unknown,"), "{recvs}");
    assert!(recvs.contains("llofeng"), "{recvs}");
    let messages = std::fs::read_to_string(out.join("messages.csv")).unwrap();
    assert_eq!(
        messages.lines().count(),
        1,
        "a header and no message: {messages}"
    );
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let row = summary.lines().nth(1).unwrap();
    assert!(row.contains(",,"), "fractions left empty, not 0: {row}");
    for chart in ["boundaries.png", "timeline.png"] {
        let png = out.join(chart);
        assert!(
            png.metadata().is_ok_and(|m| m.len() > 1000),
            "{chart} drawn"
        );
    }
}
