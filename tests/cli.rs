//! The binary end to end: what a user types, what the exit status says.

use std::process::Command;

fn nianbao(args: &[&str], dir: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn run_hellofeng_prints_the_ruler_and_reason_and_writes_results() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, out, err) = nianbao(&["run", "hellofeng"], tmp.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("|hello·feng|"), "{out}");
    assert!(out.contains("sticky 粘包"), "{out}");
    assert!(
        out.contains("Reproduced: [expect] held in 1 of 1 trial"),
        "{out}"
    );
    assert!(!out.contains("\x1b["), "no colour when not a terminal");
    assert!(tmp.path().join("results/hellofeng/recvs.csv").exists());
    let (code, shown, _) = nianbao(&["show", "results/hellofeng"], tmp.path());
    assert_eq!(code, 0);
    assert!(shown.contains("|hello·feng|"), "{shown}");
}

#[test]
fn json_format_carries_the_same_facts() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, out, _) = nianbao(
        &["run", "he-llo", "--format", "json", "--out", "r"],
        tmp.path(),
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["reproduced"], true);
    let recvs = &v["scenarios"][0]["trials"][0]["flows"][0]["recvs"];
    assert_eq!(recvs[0]["text"], "he");
    assert_eq!(recvs[1]["text"], "llo feng");
    assert_eq!(recvs[0]["kind"], "fragment");
}

#[test]
fn an_expectation_that_does_not_hold_exits_1() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, out, _) = nianbao(
        &[
            "run",
            "hellofeng",
            "--set",
            "sender.gap=50ms",
            "--set",
            "receiver.start_delay=0",
        ],
        tmp.path(),
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("NOT reproduced"), "{out}");
}

#[test]
fn errors_exit_2_with_a_clear_message() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, _, err) = nianbao(&["run", "hellofen"], tmp.path());
    assert_eq!(code, 2);
    assert!(err.contains("did you mean hellofeng"), "{err}");
    std::fs::write(tmp.path().join("blocker"), "a file, not a folder").expect("write");
    let (code, _, err) = nianbao(&["run", "hellofeng", "--out", "blocker/sub"], tmp.path());
    assert_eq!(code, 2);
    assert!(
        err.contains("results folder blocker/sub") && err.contains("cannot create"),
        "{err}"
    );
    let (code, _, err) = nianbao(&["show", "nowhere"], tmp.path());
    assert_eq!(code, 2);
    assert!(err.contains("nowhere/experiment.toml"), "{err}");
}

#[test]
fn a_named_port_already_in_use_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let set = format!("transport.port={port}");
    let (code, _, err) = nianbao(&["run", "hellofeng", "--set", &set], tmp.path());
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("cannot bind 127.0.0.1:{port}")) && err.contains("already in use"),
        "{err}"
    );
}

#[test]
fn list_names_every_experiment() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, out, _) = nianbao(&["list"], tmp.path());
    assert_eq!(code, 0);
    for name in [
        "hellofeng",
        "he-llo",
        "hellofeng-gap",
        "udp-hellofeng",
        "udp-truncate",
        "remote-cmd",
        "utf8-split",
        "short-write",
    ] {
        assert!(out.lines().any(|l| l.starts_with(name)), "{name} in {out}");
    }
}

#[test]
fn plot_redraws_a_results_folder_identically_from_its_csvs() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, _, err) = nianbao(&["run", "recv-size-sweep", "--out", "r", "-q"], tmp.path());
    assert_eq!(code, 0, "{err}");
    let dir = tmp.path().join("r");
    let before: Vec<Vec<u8>> = ["boundaries.png", "sweep.png", "compare.png"]
        .iter()
        .map(|p| std::fs::read(dir.join(p)).expect("png"))
        .collect();
    for png in ["boundaries.png", "sweep.png", "compare.png"] {
        std::fs::remove_file(dir.join(png)).expect("remove");
    }
    let (code, out, err) = nianbao(&["plot", "r"], tmp.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("sweep.png"), "{out}");
    let after: Vec<Vec<u8>> = ["boundaries.png", "sweep.png", "compare.png"]
        .iter()
        .map(|p| std::fs::read(dir.join(p)).expect("png"))
        .collect();
    assert!(
        before == after,
        "plot redraws the same bytes (sweep.png uses the experiment's chart_metric)"
    );
    let (code, _, err) = nianbao(&["plot", "r", "--metric", "nonsense"], tmp.path());
    assert_eq!(code, 2);
    assert!(err.contains("nonsense"), "{err}");
}

/// A framed sweep: the same three sends read late, raw then with a u32 length.
const FRAMED_SWEEP: &str = r#"
name = "framed-sweep"
[transport]
framing = "none"
[sender]
messages = ["hello", "feng", "world"]
[receiver]
start_delay = "50ms"
recv_sizes = [1024]
[sweep]
"transport.framing" = ["none", "u32be"]
"#;

#[test]
fn a_framed_sweep_shows_sticky_raw_reads_over_intact_decoded_frames_and_show_agrees() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(tmp.path().join("framed.toml"), FRAMED_SWEEP).expect("write");
    let (code, out, err) = nianbao(&["run", "framed.toml", "--out", "r", "-q"], tmp.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("c2s flow (trial 0, scenario 0):"), "{out}");
    let framed = out
        .split("c2s flow (trial 0, scenario 1: transport.framing=u32be):")
        .nth(1)
        .unwrap_or_else(|| panic!("no ruler for the framed scenario:\n{out}"));
    let lines: Vec<&str> = framed.lines().collect();
    let recv = lines
        .iter()
        .position(|l| l.starts_with("  recv    |"))
        .unwrap_or_else(|| panic!("no recv row:\n{framed}"));
    assert!(lines[recv + 1].contains("sticky 粘包"), "{framed}");
    let decoded = lines[recv + 2];
    assert!(decoded.starts_with("  decoded |#0 intact ✓"), "{framed}");
    for id in 1..3 {
        assert!(decoded.contains(&format!("|#{id} intact ✓")), "{framed}");
    }
    let raw = out.split("scenario 1:").next().unwrap_or_default();
    assert!(
        !raw.contains("decoded"),
        "no decoded row for raw TCP:\n{out}"
    );
    let (code, shown, err) = nianbao(&["show", "r"], tmp.path());
    assert_eq!(code, 0, "{err}");
    assert_eq!(shown, out, "show reprints what run printed");
}

#[test]
fn framing_compare_runs_every_variant_and_writes_a_variant_column() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, out, err) = nianbao(&["run", "framing-compare", "--out", "r"], tmp.path());
    assert_eq!(code, 0, "{out}{err}");
    let names = [
        "raw TCP",
        "UDP",
        "u32be",
        "u16be",
        "varint",
        "line",
        "fixed:64",
        "json-header",
    ];
    for name in names {
        let row = format!("\n  {name:<36} ");
        assert!(out.contains(&row), "sweep table row `{name}`: {out}");
    }
    let summary = std::fs::read_to_string(tmp.path().join("r/summary.csv")).expect("summary");
    let mut rows = csv::Reader::from_reader(summary.as_bytes());
    let header = rows.headers().expect("header").clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} column in {header:?}"))
    };
    assert_eq!(
        col("variant"),
        3,
        "the variant column follows scenario,trial,flow"
    );
    let records: Vec<csv::StringRecord> = rows.records().map(|r| r.expect("row")).collect();
    let variants: Vec<&str> = records.iter().map(|r| &r[col("variant")]).collect();
    assert_eq!(variants, names, "one row per variant, in file order");
    let n = |r: &csv::StringRecord, c: &str| r[col(c)].parse::<u64>().expect("number");
    for r in &records {
        let (name, messages, intact) = (&r[col("variant")], n(r, "messages"), n(r, "intact"));
        match name {
            "raw TCP" => assert!(intact < messages / 2, "raw TCP: {intact}/{messages}"),
            // UDP keeps every boundary; recv(37) truncates the one 55-byte datagram it meets.
            "UDP" => {
                assert_eq!((n(r, "merged"), n(r, "split"), n(r, "lost")), (0, 0, 0));
                assert_eq!((intact, n(r, "truncated")), (messages - 1, 1), "UDP");
            }
            framed => assert_eq!(intact, messages, "{framed}"),
        }
    }
    let written = std::fs::read_to_string(tmp.path().join("r/experiment.toml")).expect("toml");
    assert_eq!(written.matches("[[variant]]").count(), 8, "{written}");
    let (code, shown, err) = nianbao(&["show", "r"], tmp.path());
    assert_eq!(code, 0, "{err}");
    assert!(shown.contains("\n  fixed:64 "), "{shown}");
    let (code, _, err) = nianbao(
        &[
            "run",
            "r/experiment.toml",
            "--out",
            "again",
            "-q",
            "--sweep",
            "variant=UDP,u32be",
        ],
        tmp.path(),
    );
    assert_eq!(code, 0, "{err}");
    let again = std::fs::read_to_string(tmp.path().join("again/summary.csv")).expect("summary");
    let picked: Vec<&str> = again
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(3))
        .collect();
    assert_eq!(picked, ["UDP", "u32be"]);
}

#[test]
fn a_picked_subset_of_variants_can_be_shown_and_rerun() {
    let tmp = tempfile::tempdir().expect("tmp");
    let run = [
        "run",
        "framing-compare",
        "--sweep",
        "variant=UDP,u32be",
        "--out",
        "p",
        "-q",
    ];
    let (code, out, err) = nianbao(&run, tmp.path());
    assert_eq!(code, 0, "{out}{err}");
    // framing-compare has [expect.when."variant=raw TCP"], which did not run.
    let (code, shown, err) = nianbao(&["show", "p"], tmp.path());
    assert_eq!(code, 0, "show: {err}");
    assert_eq!(shown, out, "show reprints what run printed");
    let again = ["run", "p/experiment.toml", "--out", "q", "-q"];
    let (code, out, err) = nianbao(&again, tmp.path());
    assert_eq!(code, 0, "rerun of the written experiment.toml: {out}{err}");
}
