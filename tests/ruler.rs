//! The terminal ruler on scripted traces: no sockets. Each test builds an
//! experiment from TOML, scripts the recvs (and, with framing, what the
//! decoder produced), analyses it and checks the drawn text.

use nianbao::analysis::{analyse, Delivery, FlowAnalysis};
use nianbao::experiment::{plan, Experiment, Overrides, Source};
use nianbao::payload::FlowModel;
use nianbao::report::ruler::{ruler, RulerOptions};
use nianbao::trace::{DecodedEvent, Flow, FlowTrace, RecvEvent};

fn experiment(toml: &str) -> Experiment {
    let source = Source {
        label: "test.toml".into(),
        text: toml.into(),
        stem: "test".into(),
    };
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
                len,
                asked: len,
                truncated: false,
            };
            offset += len;
            r
        })
        .collect()
}

/// The c2s flow of `exp` with the given recvs and decoded frames.
fn flow(exp: &Experiment, recvs: Vec<RecvEvent>, decoded: Vec<DecodedEvent>) -> FlowAnalysis {
    let (model, _) = FlowModel::of(exp);
    let delivery = if exp.framed() {
        Delivery::Framed
    } else {
        Delivery::Stream
    };
    let trace = FlowTrace {
        messages: model.spans().to_vec(),
        recvs,
        decoded,
        ..FlowTrace::default()
    };
    analyse(Flow::C2s, delivery, &trace, 0)
}

fn draw(exp: &Experiment, fa: &FlowAnalysis, opts: &RulerOptions) -> String {
    ruler(fa, &FlowModel::of(exp).0, opts)
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
        "          0  2        10\n  sent    |he·llo feng|\n  recv    |he|llo feng|\n           F  fragment\n"
    );
}
