//! `show` and `plot` trust nothing they read. A real results folder is
//! written once by the binary, then each test corrupts a copy one way and
//! checks that both commands exit 2 within seconds, name the file, line and
//! column, and never panic. A hang is a failure: the child is killed after
//! [`LIMIT`].

mod bounded;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

/// Longest a command may take before the test calls it a hang.
const LIMIT: Duration = Duration::from_secs(10);

/// Runs the binary with a time limit: (exit status, stdout, stderr).
fn nianbao(args: &[&str]) -> (i32, String, String) {
    let r = bounded::run(
        &mut bounded::nianbao(args),
        LIMIT,
        &format!("nianbao {}", args.join(" ")),
    );
    (r.code, r.stdout, r.stderr)
}

/// One `run hellofeng` for the whole file; each test corrupts its own copy.
fn pristine() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("tmp");
        let out = tmp.path().join("r");
        let (code, _, err) = nianbao(&["run", "hellofeng", "-q", "--out", out.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        tmp
    });
    dir.path()
}

/// A fresh copy of the results folder (its CSVs, experiment.toml and meta.json).
fn copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("r");
    copy_dir(&pristine().join("r"), &dir);
    (tmp, dir)
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read_dir") {
        let path = entry.expect("entry").path();
        // Everything but the charts (plot redraws them), the marker included.
        if path.extension().is_none_or(|e| e != "png") {
            fs::copy(&path, to.join(path.file_name().unwrap())).expect("copy");
        }
    }
}

/// Sets the cell of `column` on `line` (1 is the header) of a CSV file.
fn set_cell(file: &Path, line: usize, column: &str, value: &str) {
    let text = fs::read_to_string(file).expect("read");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let col = lines[0].split(',').position(|c| c == column).expect(column);
    assert!(
        !lines[line - 1].contains('"'),
        "a plain row: {}",
        lines[line - 1]
    );
    let mut cells: Vec<&str> = lines[line - 1].split(',').collect();
    cells[col] = value;
    lines[line - 1] = cells.join(",");
    fs::write(file, lines.join("\n") + "\n").expect("write");
}

/// Replaces `file` with a symlink to `target`.
fn symlink(dir: &Path, file: &str, target: &str) {
    fs::remove_file(dir.join(file)).expect("rm");
    std::os::unix::fs::symlink(target, dir.join(file)).expect("symlink");
}

/// Both commands exit 2 with every `needle` in the error and no panic.
fn refused(dir: &Path, needles: &[&str]) {
    for cmd in ["show", "plot"] {
        let (code, out, err) = nianbao(&[cmd, dir.to_str().unwrap()]);
        assert_eq!(code, 2, "{cmd}: {out}{err}");
        assert!(!err.contains("panicked"), "{cmd}: {err}");
        for needle in needles {
            assert!(err.contains(needle), "{cmd}: no {needle:?} in {err}");
        }
        assert_eq!(err.lines().count(), 1, "{cmd}: one line: {err}");
        let parts: Vec<&str> = err.trim_end().split(": ").collect();
        assert!(
            parts.windows(2).all(|w| w[0] != w[1]),
            "{cmd}: a cause said twice: {err}"
        );
    }
}

#[test]
fn a_fifo_named_recvs_csv_is_refused_instead_of_blocking() {
    let (_tmp, dir) = copy();
    fs::remove_file(dir.join("recvs.csv")).expect("rm");
    let status = Command::new("mkfifo")
        .arg(dir.join("recvs.csv"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    refused(&dir, &["recvs.csv: is a FIFO, not a regular file"]);
}

#[test]
fn a_fifo_named_experiment_toml_is_refused_instead_of_blocking() {
    let (_tmp, dir) = copy();
    fs::remove_file(dir.join("experiment.toml")).expect("rm");
    let status = Command::new("mkfifo")
        .arg(dir.join("experiment.toml"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    refused(&dir, &["experiment.toml: is a FIFO"]);
}

#[test]
fn symlinks_to_devices_are_refused() {
    let (_tmp, dir) = copy();
    symlink(&dir, "recvs.csv", "/dev/zero");
    refused(&dir, &["recvs.csv: is a character device"]);
    let (_tmp, dir) = copy();
    symlink(&dir, "summary.csv", "/dev/null");
    refused(&dir, &["summary.csv: is a character device"]);
}

#[test]
fn a_directory_where_a_file_belongs_is_refused() {
    let (_tmp, dir) = copy();
    fs::remove_file(dir.join("sends.csv")).expect("rm");
    fs::create_dir(dir.join("sends.csv")).expect("mkdir");
    refused(&dir, &["sends.csv: is a directory"]);
}

#[test]
fn oversized_sparse_files_are_refused_by_their_cap() {
    let (_tmp, dir) = copy();
    let f = fs::OpenOptions::new()
        .write(true)
        .open(dir.join("messages.csv"))
        .expect("open");
    f.set_len(257 << 20).expect("sparse");
    refused(&dir, &["messages.csv: is 257 MiB, over the 256 MiB cap"]);
    let (_tmp, dir) = copy();
    let f = fs::OpenOptions::new()
        .write(true)
        .open(dir.join("experiment.toml"))
        .expect("open");
    f.set_len(2 << 20).expect("sparse");
    refused(&dir, &["experiment.toml: is 2 MiB, over the 1 MiB cap"]);
}

#[test]
fn an_empty_recvs_csv_is_an_error() {
    let (_tmp, dir) = copy();
    fs::write(dir.join("recvs.csv"), "").expect("write");
    refused(&dir, &["recvs.csv:1: the file is empty"]);
    let (_tmp, dir) = copy();
    let header = fs::read_to_string(dir.join("recvs.csv")).expect("read");
    let header = header.lines().next().expect("header").to_string() + "\n";
    fs::write(dir.join("recvs.csv"), header).expect("write");
    refused(
        &dir,
        &["summary.csv:2: column recvs: 1, but recvs.csv has no rows for scenario 0 trial 0 flow c2s"],
    );
}

#[test]
fn first_msg_after_last_msg_names_line_and_column() {
    let (_tmp, dir) = copy();
    set_cell(&dir.join("recvs.csv"), 2, "first_msg", "4");
    refused(
        &dir,
        &["recvs.csv:2: column last_msg: 1 is less than first_msg 4"],
    );
}

#[test]
fn ids_and_times_past_what_a_flow_holds_are_refused() {
    let (_tmp, dir) = copy();
    set_cell(&dir.join("recvs.csv"), 2, "last_msg", "5000000000");
    refused(&dir, &["recvs.csv:2:", "ids go up to 4294967294"]);
    let (_tmp, dir) = copy();
    set_cell(
        &dir.join("messages.csv"),
        2,
        "sent_ns",
        "18446744073709551615",
    );
    refused(
        &dir,
        &[
            "messages.csv:2:",
            "sent_ns 18446744073709551615 is over the limit",
        ],
    );
}

#[test]
fn a_recv_beyond_the_stream_is_refused() {
    let (_tmp, dir) = copy();
    set_cell(&dir.join("recvs.csv"), 2, "offset", "100");
    refused(
        &dir,
        &["recvs.csv:2: column len: offset 100 + len 9 ends past the end of the flow's 9-byte stream"],
    );
}

#[test]
fn messages_must_follow_each_other() {
    let (_tmp, dir) = copy();
    set_cell(&dir.join("messages.csv"), 3, "offset", "6");
    refused(&dir, &["messages.csv:3: column offset: 6, expected 5"]);
}

#[test]
fn nan_and_infinity_in_summary_are_refused() {
    for bad in ["NaN", "inf", "-1", "1.5"] {
        let (_tmp, dir) = copy();
        set_cell(&dir.join("summary.csv"), 2, "merged_fraction", bad);
        refused(&dir, &["summary.csv:2: column merged_fraction: "]);
    }
    let (_tmp, dir) = copy();
    set_cell(&dir.join("summary.csv"), 2, "bytes", "2.5");
    refused(
        &dir,
        &["summary.csv:2: column bytes: 2.5 is not a whole number"],
    );
}

#[test]
fn a_bad_header_names_the_missing_or_extra_column() {
    let (_tmp, dir) = copy();
    set_cell(&dir.join("recvs.csv"), 1, "last_msg", "lastmsg");
    refused(&dir, &["recvs.csv:1: missing column `last_msg`"]);
    let (_tmp, dir) = copy();
    set_cell(&dir.join("sends.csv"), 1, "ret", "ret,extra");
    refused(&dir, &["sends.csv:1: unexpected column `extra`"]);
}

#[test]
fn unknown_kind_fate_and_flow_list_the_allowed_values() {
    let (_tmp, dir) = copy();
    set_cell(&dir.join("recvs.csv"), 2, "kind", "gooey");
    refused(
        &dir,
        &["recvs.csv:2: column kind: \"gooey\" is not one of whole, sticky, fragment"],
    );
    let (_tmp, dir) = copy();
    set_cell(&dir.join("messages.csv"), 3, "fate", "eaten");
    refused(
        &dir,
        &["messages.csv:3: column fate: \"eaten\" is not one of intact"],
    );
    let (_tmp, dir) = copy();
    set_cell(&dir.join("sends.csv"), 2, "flow", "up");
    refused(
        &dir,
        &["sends.csv:2: column flow: \"up\" is not one of c2s, s2c"],
    );
}

#[test]
fn a_huge_len_is_refused_by_the_1_gib_cap() {
    let (_tmp, dir) = copy();
    set_cell(&dir.join("recvs.csv"), 2, "len", "18446744073709551615");
    refused(
        &dir,
        &["recvs.csv:2: column len: 18446744073709551615 bytes is over the 1 GiB cap"],
    );
}

#[test]
fn a_cell_that_does_not_parse_keeps_the_parsers_reason() {
    let (_tmp, dir) = copy();
    set_cell(&dir.join("sends.csv"), 3, "len", "four");
    refused(
        &dir,
        &["sends.csv:3: column len: \"four\" is not a whole number: invalid digit found in string"],
    );
}

#[test]
fn rows_of_a_scenario_summary_csv_lacks_are_refused() {
    let (_tmp, dir) = copy();
    set_cell(&dir.join("sends.csv"), 2, "scenario", "7");
    refused(
        &dir,
        &["sends.csv:2: column scenario: scenario 7 is not in summary.csv"],
    );
}

#[test]
fn a_summary_row_for_a_scenario_the_experiment_lacks_is_refused_by_show() {
    let (_tmp, dir) = copy();
    // segments.csv is there when the run was captured (as root).
    for file in [
        "summary.csv",
        "sends.csv",
        "recvs.csv",
        "messages.csv",
        "segments.csv",
    ] {
        let Ok(text) = fs::read_to_string(dir.join(file)) else {
            assert_eq!(file, "segments.csv", "{file} is missing");
            continue;
        };
        fs::write(dir.join(file), text.replace("\n0,0,c2s", "\n3,0,c2s")).expect("write");
    }
    let (code, _, err) = nianbao(&["show", dir.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "summary.csv:2: column scenario: 3 is not a scenario of experiment.toml, which has 1"
        ),
        "{err}"
    );
}

#[test]
fn meta_json_fields_are_checked() {
    let (_tmp, dir) = copy();
    fs::write(
        dir.join("meta.json"),
        r#"{"decode_errors": [{"scenario": 0, "trial": 0, "flow": "up", "error": "x"}]}"#,
    )
    .expect("write");
    let (code, _, err) = nianbao(&["show", dir.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("meta.json: decode_errors[0].flow: \"up\" is not"),
        "{err}"
    );
}

#[test]
fn terminal_escapes_in_experiment_toml_are_shown_not_obeyed() {
    let (_tmp, dir) = copy();
    let path = dir.join("experiment.toml");
    let text = fs::read_to_string(&path).expect("read");
    let evil = "title = \"evil\\u001b]2;pwned\\u0007\\u001b[2J\"";
    let text: Vec<&str> = text
        .lines()
        .map(|l| if l.starts_with("title = ") { evil } else { l })
        .collect();
    fs::write(&path, text.join("\n") + "\n").expect("write");
    // The title is refused as run refuses it; the error shows the escape as
    // text, and nothing reaches the terminal raw.
    let (code, out, err) = nianbao(&["show", dir.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("key `title`") && err.contains("control character"),
        "{err}"
    );
    assert!(
        !out.contains('\x1b') && !err.contains('\x1b') && !err.contains('\x07'),
        "{err:?}"
    );
}

#[test]
fn every_committed_results_folder_still_shows_and_plots() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("results/reference");
    let mut seen = 0;
    for entry in fs::read_dir(&root).expect("results/") {
        let from = entry.expect("entry").path();
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join(from.file_name().unwrap());
        copy_dir(&from, &dir);
        for cmd in ["show", "plot"] {
            let (code, out, err) = nianbao(&[cmd, dir.to_str().unwrap()]);
            assert_eq!(code, 0, "{cmd} {}: {out}{err}", from.display());
        }
        seen += 1;
    }
    assert!(seen >= 14, "only {seen} folders under results/reference/");
}

#[test]
fn a_hostile_requests_csv_or_cause_is_refused_by_its_line() {
    // A request number past the ids a flow holds (drawing 0..=it would
    // never end), and a latency that is not reply − sent.
    for (row, needle) in [
        (
            "0,0,18446744073709551615,10,20,10",
            "requests.csv:2: column request",
        ),
        ("0,0,0,10,20,99", "requests.csv:2: column latency_ns"),
    ] {
        let (_tmp, dir) = copy();
        let text = format!("scenario,trial,request,sent_ns,reply_ns,latency_ns\n{row}\n");
        fs::write(dir.join("requests.csv"), text).unwrap();
        refused(&dir, &[needle]);
    }
    let (_tmp, dir) = copy();
    set_cell(&dir.join("recvs.csv"), 2, "cause", "bad-luck");
    refused(
        &dir,
        &[
            "recvs.csv:2: column cause",
            "allowed: empty, coalesced:nagle",
        ],
    );
}
