//! Framing end to end on real loopback sockets, through the library (plan →
//! run_plan): the raw reads stay sticky and fragmented while the decoder
//! rebuilds every message; hostile lengths and delimiter collisions show up
//! as decode errors and corrupt messages; bad framing settings are rejected
//! at load with the key that is wrong.

use nianbao::analysis::RunResult;
use nianbao::experiment::{plan, Overrides, Plan, Source};
use nianbao::run::run_plan;

fn source(text: &str) -> Source {
    Source::inline("framed", text)
}

fn planned(text: &str) -> Plan {
    plan(&source(text), &Overrides::default()).expect("valid experiment")
}

fn run(text: &str) -> RunResult {
    run_plan(&planned(text), |_, _| {}).expect("runs")
}

fn load_err(text: &str) -> String {
    match plan(&source(text), &Overrides::default()) {
        Ok(_) => panic!("expected an error for {text:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_framing_decodes_every_message_from_sticky_and_fragmented_reads() {
    for framing in [
        "u32be",
        "u16be",
        "varint",
        "line",
        "line:\\r\\n",
        "json-header",
    ] {
        let r = run(&format!(
            "[transport]\nframing = \"{framing}\"\n[sender]\ncount = 300\nsize = [1, 40]\nseed = 5\n\
             [receiver]\nstart_delay = \"20ms\"\nrecv_sizes = [7, 3, 61]\n"
        ));
        let c2s = &r.trials[0].flows[0];
        let s = &c2s.summary;
        assert!(s.sticky > 0 && s.fragment > 0, "{framing}: {s:?}");
        assert_eq!((s.intact, s.messages), (300, 300), "{framing}: {s:?}");
        assert_eq!(c2s.decode_error, None, "{framing}");
        let wire: u64 = c2s.messages.iter().map(|m| m.span.len).sum();
        assert_eq!(s.bytes, wire, "{framing}: the spans are frames on the wire");
    }
}

#[test]
fn fixed_frames_decode_too() {
    let r = run("[transport]\nframing = \"fixed:16\"\n[sender]\ncount = 100\nsize = 16\n[receiver]\nstart_delay = \"10ms\"\nrecv_sizes = [5]\n");
    let s = &r.trials[0].flows[0].summary;
    assert_eq!(s.intact, 100);
    assert_eq!(
        s.sticky + s.fragment,
        s.recvs,
        "recv(5) never returns a whole frame"
    );
}

#[test]
fn raw_tcp_with_the_same_traffic_merges_and_splits() {
    let r = run("[sender]\ncount = 300\nsize = [1, 40]\nseed = 5\n[receiver]\nstart_delay = \"20ms\"\nrecv_sizes = [7, 3, 61]\n");
    let s = &r.trials[0].flows[0].summary;
    assert!(s.intact < 150, "{s:?}");
}

#[test]
fn a_hostile_length_is_rejected_at_once_and_the_run_still_succeeds() {
    let r = run("[transport]\nframing = \"u32be\"\nmax_frame = \"64KiB\"\n[sender]\ncount = 2000\nsize = 64\nraw_prefix = '\\x7f\\xff\\xff\\xff'\n[receiver]\nrecv_sizes = [4096]\n");
    let c2s = &r.trials[0].flows[0];
    let err = c2s.decode_error.as_deref().expect("a decode error");
    assert!(err.contains("exceeds max_frame = 65536"), "{err}");
    assert_eq!(c2s.summary.lost, 2000);
    assert_eq!(c2s.summary.recvs, 1, "reading stopped after the first read");
}

#[test]
fn eof_inside_a_frame_loses_only_that_message() {
    let text = "[transport]\nframing = \"u16be\"\n[sender]\nmessages = [\"ok\"]\nraw_prefix = '\\x00\\x01x\\x00\\x09'\n";
    let r = run(text);
    let c2s = &r.trials[0].flows[0];
    // The prefix decodes as one frame "x" that is no message, then the
    // frame announcing 9 bytes swallows "\0\x02ok" and EOF cuts it.
    assert!(
        c2s.decode_error
            .as_deref()
            .is_some_and(|e| e.contains("EOF")),
        "{:?}",
        c2s.decode_error
    );
    assert_eq!(c2s.summary.intact, 0);
}

#[test]
fn a_delimiter_inside_a_payload_corrupts_line_framing_only() {
    let text = "[transport]\nframing = \"line\"\n[sender]\nmessages = [\"first\", \"two\\nlines\", \"third\"]\n[sweep]\n\"transport.framing\" = [\"line\", \"u32be\"]\n";
    let r = run(text);
    let line = &r.trials[0].flows[0].summary;
    let u32be = &r.trials[1].flows[0].summary;
    assert_eq!((line.corrupt, line.intact), (1, 2));
    assert_eq!((u32be.corrupt, u32be.intact), (0, 3));
}

#[test]
fn expect_when_replaces_bounds_for_one_scenario() {
    let text = "[sender]\nmessages = [\"a\"]\n[sweep]\n\"transport.framing\" = [\"none\", \"u32be\"]\n[expect]\nintact = \"== 1\"\nmessages = \"== 1\"\n[expect.when.\"transport.framing=none\"]\nintact = \"== 7\"\n";
    let p = planned(text);
    let raw = &p.scenarios[0].experiment.expect.bounds;
    let framed = &p.scenarios[1].experiment.expect.bounds;
    assert!(raw.iter().any(|b| b.figure == "intact" && b.value == 7.0));
    assert!(raw.iter().any(|b| b.figure == "messages"));
    assert!(framed
        .iter()
        .any(|b| b.figure == "intact" && b.value == 1.0));
    let msg = load_err(
        "[expect]\nintact = \"== 1\"\n[expect.when.\"sender.gap=0\"]\nintact = \"== 0\"\n",
    );
    assert!(
        msg.contains("sender.gap") && msg.contains("not swept"),
        "{msg}"
    );
}

#[test]
fn bad_framing_settings_name_their_key() {
    let msg = load_err("[transport]\nframing = \"u64\"\n");
    assert!(
        msg.contains("transport.framing") && msg.contains("u32be"),
        "{msg}"
    );
    let msg = load_err("[transport]\nframing = \"fixed:0\"\n");
    assert!(
        msg.contains("transport.framing") && msg.contains("at least 1"),
        "{msg}"
    );
    let msg = load_err("[transport]\nframing = \"line:\"\n");
    assert!(
        msg.contains("transport.framing") && msg.contains("empty"),
        "{msg}"
    );
    let msg = load_err("[transport]\nframing = \"u32be\"\nmax_frame = 3\n");
    assert!(
        msg.contains("transport.max_frame") && msg.contains("smallest frame"),
        "{msg}"
    );
    let msg = load_err("[transport]\nframing = \"u32be\"\nmax_frame = 50\n[sender]\nsize = 64\n");
    assert!(
        msg.contains("transport.max_frame") && msg.contains("68-byte frame"),
        "{msg}"
    );
    let msg = load_err("[transport]\nframing = \"fixed:8\"\n[sender]\nmessages = [\"abc\"]\n");
    assert!(
        msg.contains("transport.framing") && msg.contains("exactly 8"),
        "{msg}"
    );
    let msg = load_err("[transport]\nkind = \"udp\"\nframing = \"u32be\"\n");
    assert!(
        msg.contains("transport.framing") && msg.contains("UDP"),
        "{msg}"
    );
    let msg = load_err("[sender]\nraw_prefix = 'x'\n");
    assert!(msg.contains("sender.raw_prefix"), "{msg}");
}

#[test]
fn write_size_streams_a_json_header_file_in_chunks_and_the_md5_checks_out() {
    let r = run("[transport]\nframing = \"json-header\"\n[sender]\ncount = 2\nsize = \"10000\"\nwrite_size = \"4KiB\"\n[receiver]\nrecv_sizes = [1000]\n");
    let c2s = &r.trials[0].flows[0];
    // Each frame (10000 B body + header) is written as 4096, 4096, rest.
    let per_message: Vec<Vec<(u64, u64)>> = (0..2)
        .map(|id| {
            c2s.sends
                .iter()
                .filter(|s| s.msg_id == id)
                .map(|s| (s.offset, u64::from(s.len)))
                .collect()
        })
        .collect();
    for (id, sends) in per_message.iter().enumerate() {
        let frame = c2s.messages.get(id).unwrap().span;
        assert_eq!(sends.len(), 3, "message {id}: {sends:?}");
        assert_eq!(sends[0], (frame.offset, 4096));
        assert_eq!(sends[1], (frame.offset + 4096, 4096));
        assert_eq!(sends[2], (frame.offset + 8192, frame.len - 8192));
    }
    assert!(c2s.sends.iter().all(|s| s.len <= 4096 && s.ret == s.len));
    let s = &c2s.summary;
    assert_eq!((s.intact, s.corrupt, s.messages), (2, 0, 2), "{s:?}");
    assert!(s.fragment >= 20, "{s:?}");
}

#[test]
fn write_size_is_checked_at_load() {
    let msg = load_err("[sender]\nwrite_size = 0\n");
    assert!(
        msg.contains("sender.write_size") && msg.contains("at least 1 byte"),
        "{msg}"
    );
    let msg = load_err("[transport]\nkind = \"udp\"\n[sender]\nwrite_size = \"1KiB\"\n");
    assert!(
        msg.contains("sender.write_size") && msg.contains("one datagram"),
        "{msg}"
    );
}

#[test]
fn json_header_max_frame_is_checked_with_the_longest_name() {
    // Message 0's frame is 176 bytes (name file0.bin); message 19's is 177
    // (file19.bin): the file must be refused at load, not panic in the sender.
    let msg = load_err("[transport]\nframing = \"json-header\"\nmax_frame = 176\n[sender]\ncount = 20\nsize = 100\n");
    assert!(
        msg.contains("transport.max_frame") && msg.contains("177-byte frame"),
        "{msg}"
    );
}
