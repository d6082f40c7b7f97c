//! The wire: segments parsed from frames (no sockets), and, as root, a real
//! capture of a trial on loopback that `segments.csv`, the ruler, the verdict
//! and `tshark` reading `capture.pcapng` all agree on.

use etherparse::PacketBuilder;
use nianbao::experiment::{plan, Overrides, Source};
use nianbao::report::readback::read_results;
use nianbao::report::results::write_results;
use nianbao::run::run_plan;
use nianbao::trace::wire::{flag, segments_of};
use nianbao::trace::{Flow, Frame};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// One TCP frame over IPv4 between the client port 40000 and the server
/// port 5000, as the capture would hand it over.
/// Its bytes go at the end of `bytes`, the capture's buffer.
fn frame(
    bytes: &mut Vec<u8>,
    (t_ns, c2s): (u64, bool),
    seq: u32,
    payload: &[u8],
    (syn, fin): (bool, bool),
) -> Frame {
    let (src, dst) = if c2s { (40000, 5000) } else { (5000, 40000) };
    let mut b = PacketBuilder::ethernet2([0; 6], [0; 6])
        .ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64)
        .tcp(src, dst, seq, 65535)
        .ack(1)
        .psh();
    if syn {
        b = b.syn();
    }
    if fin {
        b = b.fin();
    }
    let mut data = Vec::new();
    b.write(&mut data, payload).expect("frame");
    let f = Frame {
        realtime_ns: 1_000_000_000 + t_ns,
        t_ns,
        at: bytes.len() as u64,
        kept: data.len() as u32,
        len: data.len() as u32,
        segment: None,
    };
    bytes.extend_from_slice(&data);
    f
}

#[test]
fn frames_become_segments_with_stream_offsets_and_retransmissions_marked() {
    let isn = 4_000_000_000u32; // the sequence numbers wrap past 2^32
    let b = &mut Vec::new();
    let mut frames = vec![
        frame(b, (10, true), isn, b"", (true, false)),
        frame(b, (20, false), 77, b"", (true, false)),
        frame(b, (30, true), isn.wrapping_add(1), b"hello", (false, false)),
        frame(b, (40, true), isn.wrapping_add(6), b"feng", (false, false)),
        frame(b, (50, true), isn.wrapping_add(6), b"feng", (false, false)),
        frame(b, (60, true), isn.wrapping_add(10), b"", (false, true)),
    ];
    let (c2s, s2c) = segments_of(&mut frames, b, 5000);
    let got: Vec<(u64, u64, u32, String)> = c2s
        .iter()
        .map(|s| (s.t_ns, s.offset, s.len, s.flags_text()))
        .collect();
    assert_eq!(
        got,
        vec![
            (10, 0, 0, "SYN|PSH|ACK".to_string()),
            (30, 0, 5, "PSH|ACK".to_string()),
            (40, 5, 4, "PSH|ACK".to_string()),
            (50, 5, 4, "PSH|ACK|RETX".to_string()),
            (60, 9, 0, "FIN|PSH|ACK".to_string()),
        ]
    );
    assert_eq!(s2c.len(), 1);
    assert_eq!(s2c[0].flags & flag::SYN, flag::SYN);
    assert_eq!(frames[2].segment, Some((Flow::C2s, 1)));
    assert_eq!(frames[1].segment, Some((Flow::S2c, 0)));
    // Another connection's frames are not this trial's.
    let b = &mut Vec::new();
    let mut other = vec![frame(b, (5, true), 1, b"x", (false, false))];
    assert_eq!(segments_of(&mut other, b, 6000), (vec![], vec![]));
}

fn root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// Runs a named experiment with `sets` and writes its results into `dir`.
fn run_into(name: &str, sets: &[&str], dir: &Path) -> nianbao::analysis::RunResult {
    run_source(&Source::resolve(name).expect("named"), sets, dir)
}

fn run_source(source: &Source, sets: &[&str], dir: &Path) -> nianbao::analysis::RunResult {
    let over = Overrides {
        sets: sets.iter().map(|s| s.to_string()).collect(),
        ..Overrides::default()
    };
    let plan = plan(source, &over).expect("valid");
    let run = run_plan(&plan, |_, _| {}).expect("runs");
    write_results(dir, &run).expect("results written");
    run
}

/// Data segments and payload bytes per flow in segments.csv.
fn csv_totals(dir: &Path) -> BTreeMap<String, (u64, u64)> {
    let text = std::fs::read_to_string(dir.join("segments.csv")).expect("segments.csv");
    let mut out = BTreeMap::new();
    for line in text.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let len: u64 = c[5].parse().expect("len");
        if len > 0 && !c[6].contains("RETX") {
            let e = out.entry(c[2].to_string()).or_insert((0, 0));
            e.0 += 1;
            e.1 += len;
        }
    }
    out
}

#[test]
fn a_captured_trial_shows_the_wire_and_tshark_agrees() {
    if !root() {
        println!("skipped: capturing needs root or CAP_NET_RAW (an AF_PACKET socket)");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("hellofeng");
    let run = run_into("hellofeng", &["transport.capture=on"], &dir);
    // hello and feng: two data segments, 5 and 4 bytes, then one recv.
    let c2s = &run.trials[0].flows[0];
    let data: Vec<u32> = c2s.wire.iter().map(|s| s.len).filter(|&l| l > 0).collect();
    assert_eq!(data, vec![5, 4], "{:?}", c2s.wire);
    assert_eq!(csv_totals(&dir)["c2s"], (2, 9));
    let text = nianbao::report::text::render(&run, &Default::default());
    assert!(text.contains("  wire    |hello|feng|"), "{text}");
    assert!(
        text.contains("the wire shows 2 segments, none holding bytes of two messages, so they were merged in the receive buffer"),
        "{text}"
    );
    // show redraws the wire row from segments.csv.
    let back = read_results(&dir).expect("read back");
    let shown = nianbao::report::text::render(&back, &Default::default());
    assert!(shown.contains("  wire    |hello|feng|"), "{shown}");
    tshark_agrees(&dir);
}

#[test]
fn a_merge_on_the_wire_is_named_as_one() {
    if !root() {
        println!("skipped: capturing needs root or CAP_NET_RAW (an AF_PACKET socket)");
        return;
    }
    // 20 small writes with Nagle on and a late reader: some segments carry
    // several writes, and the verdict says where the merge happened.
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("nagle");
    let file = "name = \"burst\"\n[transport]\ncapture = \"on\"\n[sender]\ncount = 20\nsize = 16\n[receiver]\nstart_delay = \"after-send\"\nrecv_sizes = [4096]\n";
    let run = run_source(&Source::inline("burst", file), &[], &dir);
    let c2s = &run.trials[0].flows[0];
    let data = c2s.wire.iter().filter(|s| s.len > 0).count();
    assert!(data < 20, "Nagle held some writes: {data} segments");
    let text = nianbao::report::text::render(&run, &Default::default());
    assert!(
        text.contains("merged partly before the wire") || text.contains("merged before the wire"),
        "{text}"
    );
    tshark_agrees(&dir);
}

#[test]
fn the_nagle_stall_is_seen_on_the_wire() {
    if !root() {
        println!("skipped: capturing needs root or CAP_NET_RAW (an AF_PACKET socket)");
        return;
    }
    // Six requests of a 10-byte header and a 10-byte body, Nagle on: the
    // body of each later request leaves only when the delayed ACK of its
    // header comes.
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("stall");
    let file = "name = \"stall\"\n[transport]\ncapture = \"on\"\n[sender]\ncount = 6\nsize = 20\nwrite_size = 10\n[receiver]\nreply = [2]\nreply_per = \"message\"\n";
    let run = run_source(&Source::inline("stall", file), &[], &dir);
    let t = &run.trials[0];
    assert_eq!(t.requests.len(), 6, "{:?}", t.requests);
    let l = t.flows[0].summary.latency.expect("latency");
    assert!(l.median_ns >= 20e6, "median {} ns", l.median_ns);
    let hold = nianbao::analysis::longest_hold(&t.flows[0], t.flows.get(1)).expect("captured");
    let ack = hold.ack_ns.expect("an ACK before the held bytes left");
    assert!(hold.held_ns() >= 20_000_000, "{hold:?}");
    assert!(hold.left_ns - ack < 1_000_000, "{hold:?}");
    let text = nianbao::report::text::render(&run, &Default::default());
    assert!(text.contains("right after the receiver's ACK"), "{text}");
    assert!(text.contains("With Nagle on (TCP_NODELAY off)"), "{text}");
    let csv = std::fs::read_to_string(dir.join("requests.csv")).expect("requests.csv");
    assert_eq!(csv.lines().count(), 7, "{csv}");
    // show says the same from the files.
    let back = read_results(&dir).expect("read back");
    let shown = nianbao::report::text::render(&back, &Default::default());
    assert!(shown.contains("right after the receiver's ACK"), "{shown}");
    tshark_agrees(&dir);
}

/// tshark reads capture.pcapng and counts, per flow, the same data
/// segments and payload bytes as segments.csv, and sees the comments.
fn tshark_agrees(dir: &Path) {
    let out = match Command::new("tshark")
        .args(["-r"])
        .arg(dir.join("capture.pcapng"))
        .args([
            "-T",
            "fields",
            "-e",
            "tcp.len",
            "-e",
            "udp.length",
            "-e",
            "frame.comment",
            "-E",
            "separator=\t",
        ])
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "tshark is missing in CI ({e}): .ci/run installs it"
            );
            println!("skipped the tshark half: no tshark here ({e})");
            return;
        }
    };
    assert!(
        out.status.success(),
        "tshark: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut seen: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut fields = line.splitn(3, '\t');
        let (tcp, udp) = (fields.next().unwrap_or(""), fields.next().unwrap_or(""));
        let comment = fields.next().expect("three fields");
        // A TCP segment's payload, or a UDP datagram's (its length less the 8-byte header).
        let len: u64 = match (tcp.parse::<u64>(), udp.parse::<u64>()) {
            (Ok(n), _) => n,
            (_, Ok(n)) => n - 8,
            _ => panic!("neither tcp.len nor udp.length: {line:?}"),
        };
        assert!(comment.starts_with("scenario "), "{comment}");
        if len > 0 && !comment.contains("retransmission") {
            let flow = if comment.contains(" · c2s ") {
                "c2s"
            } else {
                "s2c"
            };
            let e = seen.entry(flow.to_string()).or_insert((0, 0));
            e.0 += 1;
            e.1 += len;
        }
    }
    assert_eq!(seen, csv_totals(dir), "tshark and segments.csv");
}

#[test]
fn udp_datagrams_are_captured_once_each() {
    if !root() {
        println!("skipped: capturing needs root or CAP_NET_RAW (an AF_PACKET socket)");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("udp");
    let run = run_into("udp-hellofeng", &["transport.capture=on"], &dir);
    let c2s = &run.trials[0].flows[0];
    let got: Vec<(u64, u32, u16)> = c2s
        .wire
        .iter()
        .map(|s| (s.offset, s.len, s.flags))
        .collect();
    assert_eq!(got, vec![(0, 5, 0), (5, 4, 0)], "{:?}", c2s.wire);
    let text = nianbao::report::text::render(&run, &Default::default());
    assert!(text.contains("  wire    |hello|feng|"), "{text}");
    tshark_agrees(&dir);
}

#[test]
fn capture_off_writes_no_wire_and_a_bad_mode_names_the_allowed_ones() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("off");
    let run = run_into("hellofeng", &["transport.capture=off"], &dir);
    assert!(run.trials[0].flows[0].wire.is_empty());
    assert!(!dir.join("segments.csv").exists());
    assert!(!dir.join("capture.pcapng").exists());
    let over = Overrides {
        sets: vec!["transport.capture=maybe".into()],
        ..Overrides::default()
    };
    let err = plan(&Source::resolve("hellofeng").unwrap(), &over)
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("transport.capture") && err.contains("allowed: auto, on, off"),
        "{err}"
    );
}
