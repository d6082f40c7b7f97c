//! The analysis on scripted traces: no sockets, every case of SPEC §1.

use nianbao::analysis::FlowAnalysis;
use nianbao::analysis::{analyse, utf8_cuts, Delivery, Fate, RecvKind};
use nianbao::trace::{
    Boundaries, DecodedEvent, Flow, FlowTrace, MessageSpan, Queued, RecvEvent, SendEvent,
};

fn messages(lens: &[u64]) -> Vec<MessageSpan> {
    let mut offset = 0;
    lens.iter()
        .enumerate()
        .map(|(id, &len)| {
            let m = MessageSpan {
                id: id as u64,
                offset,
                len,
            };
            offset += len;
            m
        })
        .collect()
}

fn recvs(parts: &[(u64, u64)]) -> Vec<RecvEvent> {
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

fn trace(lens: &[u64], parts: &[(u64, u64)]) -> FlowTrace {
    FlowTrace {
        messages: messages(lens),
        recvs: recvs(parts),
        boundaries: Boundaries::Known,
        ..FlowTrace::default()
    }
}

/// Analyses `t` as met with `delivery`.
fn analyse_as(flow: Flow, delivery: Delivery, t: &FlowTrace, duration_ns: u64) -> FlowAnalysis {
    let t = FlowTrace {
        delivery,
        ..t.clone()
    };
    analyse(flow, &t, duration_ns)
}

fn kinds(t: &FlowTrace, d: Delivery) -> (Vec<RecvKind>, Vec<Fate>) {
    let a = analyse_as(Flow::C2s, d, t, 0);
    (
        a.recvs.iter().map(|r| r.kind).collect(),
        a.messages.iter().map(|m| m.fate).collect(),
    )
}

#[test]
fn hello_feng_in_one_read_is_sticky_and_both_merged() {
    let (k, f) = kinds(&trace(&[5, 4], &[(0, 9)]), Delivery::Stream);
    assert_eq!(k, [RecvKind::Sticky]);
    assert_eq!(f, [Fate::Merged, Fate::Merged]);
}

#[test]
fn he_llo_feng_is_two_fragments_and_one_split_message() {
    let (k, f) = kinds(&trace(&[10], &[(0, 2), (2, 8)]), Delivery::Stream);
    assert_eq!(k, [RecvKind::Fragment, RecvKind::Fragment]);
    assert_eq!(f, [Fate::Split]);
}

#[test]
fn hellofe_ng_is_sticky_then_fragment_and_feng_split() {
    let t = trace(&[5, 4], &[(0, 7), (7, 2)]);
    let a = analyse_as(Flow::C2s, Delivery::Stream, &t, 0);
    assert_eq!(
        a.recvs.iter().map(|r| r.kind).collect::<Vec<_>>(),
        [RecvKind::Sticky, RecvKind::Fragment]
    );
    assert_eq!(
        a.messages.iter().map(|m| m.fate).collect::<Vec<_>>(),
        [Fate::Merged, Fate::Split]
    );
    assert_eq!(
        (
            a.recvs.get(0).unwrap().first_msg,
            a.recvs.get(0).unwrap().last_msg
        ),
        (Some(0), Some(1))
    );
    assert_eq!(a.messages.get(1).unwrap().reads, 2);
    assert_eq!(a.messages.get(1).unwrap().delivered_ns, Some(200));
    assert_eq!(a.summary.merged, 1);
    assert_eq!(a.summary.split, 1);
    assert_eq!(a.summary.bytes, 9);
}

#[test]
fn one_message_per_read_is_whole_and_intact() {
    let (k, f) = kinds(&trace(&[5, 4], &[(0, 5), (5, 4)]), Delivery::Stream);
    assert_eq!(k, [RecvKind::Whole, RecvKind::Whole]);
    assert_eq!(f, [Fate::Intact, Fate::Intact]);
}

#[test]
fn udp_datagram_truncated() {
    let mut t = trace(&[2000], &[]);
    t.recvs = vec![RecvEvent {
        t_ns: 5,
        offset: 0,
        len: 1024,
        asked: 1024,
        truncated: true,
        queued: Queued::UNKNOWN,
    }];
    t.discarded = 976;
    let a = analyse_as(Flow::C2s, Delivery::Datagram, &t, 0);
    assert_eq!(a.recvs.get(0).unwrap().kind, RecvKind::Truncated);
    assert_eq!(
        a.summary.fragment, 0,
        "a truncated datagram is not a fragment"
    );
    assert_eq!(a.messages.get(0).unwrap().fate, Fate::Truncated);
    assert_eq!(a.summary.truncated, 1);
    assert_eq!(a.discarded, 976);
}

#[test]
fn udp_lost_datagram_is_lost_and_others_intact() {
    // Datagrams 0 and 2 arrive; 1 never does.
    let t = trace(&[5, 4, 3], &[(0, 5), (9, 3)]);
    let (k, f) = kinds(&t, Delivery::Datagram);
    assert_eq!(k, [RecvKind::Whole, RecvKind::Whole]);
    assert_eq!(f, [Fate::Intact, Fate::Lost, Fate::Intact]);
}

#[test]
fn reply_stream_read_short_splits_the_reply_and_leaves_the_tail_lost() {
    // Replies of 1500 and 700 bytes; the client read 1024, then 1024, then stopped.
    let t = trace(&[1500, 700], &[(0, 1024), (1024, 1024)]);
    let a = analyse_as(Flow::S2c, Delivery::Stream, &t, 0);
    assert_eq!(
        a.recvs.iter().map(|r| r.kind).collect::<Vec<_>>(),
        [RecvKind::Fragment, RecvKind::Sticky]
    );
    assert_eq!(
        a.messages.iter().map(|m| m.fate).collect::<Vec<_>>(),
        [Fate::Split, Fate::Lost]
    );
    // The second read, for the second command, starts with bytes of reply 0.
    assert_eq!(a.recvs.get(1).unwrap().first_msg, Some(0));
}

#[test]
fn short_writes_are_counted_and_sent_time_is_the_last_byte() {
    let mut t = trace(&[100], &[(0, 100)]);
    t.sends = vec![
        SendEvent {
            t_ns: 10,
            msg_id: 0,
            offset: 0,
            len: 100,
            ret: 60,
        },
        SendEvent {
            t_ns: 30,
            msg_id: 0,
            offset: 60,
            len: 40,
            ret: 40,
        },
    ];
    let a = analyse_as(Flow::C2s, Delivery::Stream, &t, 0);
    assert_eq!(a.short_writes, 1);
    assert_eq!(a.messages.get(0).unwrap().sent_ns, Some(30));
    assert_eq!(a.messages.get(0).unwrap().fate, Fate::Intact);
}

#[test]
fn framed_fates_come_from_the_decoder() {
    let mut t = trace(&[9, 8, 7], &[(0, 24)]);
    t.decoded = vec![
        DecodedEvent {
            t_ns: 1,
            offset: 0,
            len: 9,
            ok: true,
        },
        DecodedEvent {
            t_ns: 1,
            offset: 9,
            len: 3,
            ok: false,
        },
        DecodedEvent {
            t_ns: 1,
            offset: 12,
            len: 5,
            ok: false,
        },
    ];
    let a = analyse_as(Flow::C2s, Delivery::Framed, &t, 0);
    assert_eq!(
        a.recvs.get(0).unwrap().kind,
        RecvKind::Sticky,
        "raw reads stay sticky"
    );
    assert_eq!(
        a.messages.iter().map(|m| m.fate).collect::<Vec<_>>(),
        [Fate::Intact, Fate::Corrupt, Fate::Lost]
    );
}

#[test]
fn utf8_cut_is_found_where_the_next_byte_continues_a_character() {
    let text = "你好".as_bytes();
    let t = trace(&[6], &[(0, 4), (4, 2)]);
    let a = analyse_as(Flow::C2s, Delivery::Stream, &t, 0);
    assert_eq!(
        utf8_cuts(a.recvs.events(), |o| text.get(o as usize).copied()),
        [0]
    );
}

#[test]
fn summary_fractions() {
    let a = analyse_as(
        Flow::C2s,
        Delivery::Stream,
        &trace(&[5, 4, 3, 2], &[(0, 9), (9, 1), (10, 4)]),
        7,
    );
    // 0 and 1 share the first read, 3 shares the last with the tail of 2.
    assert_eq!(a.summary.merged, 3);
    assert_eq!(a.summary.split, 1);
    assert_eq!(a.summary.messages, 4);
    assert!((a.summary.merged_fraction - 0.75).abs() < 1e-9);
    assert!((a.summary.split_fraction - 0.25).abs() < 1e-9);
    assert_eq!(a.summary.duration_ns, 7);
}
