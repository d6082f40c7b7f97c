//! One table of hostile and unusual inputs, run through the real binary.
//! Each row: the files it writes first, the arguments, the exit status, the
//! words the output must hold. Every row runs in a fresh folder beside a
//! canary folder (a user's `thesis/thesis.tex`) that must be untouched
//! afterwards, with no temporary folder left behind, no panic, and an end
//! within the row's time bound.

mod bounded;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// One hostile input.
struct Case {
    /// What it tries.
    name: &'static str,
    /// Files to write first: (path, contents); `{dir}` is the row's folder.
    files: &'static [(&'static str, &'static str)],
    /// Arguments; `{dir}` is the row's folder.
    args: &'static [&'static str],
    /// Expected exit status.
    code: i32,
    /// Words that stderr (or, for code 0/1, stdout) must contain.
    words: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case { name: "absolute name replaces a user's folder", files: &[("evil.toml", "name = \"{dir}/thesis\"\n[sender]\nmessages = [\"hello\", \"feng\"]\n")], args: &["run", "evil.toml"], code: 2, words: &["key `name`", "not a plain name", "1 to 64"] },
    Case { name: "empty name replaces results/", files: &[("empty.toml", "name = \"\"\n")], args: &["run", "empty.toml"], code: 2, words: &["key `name`", "not a plain name"] },
    Case { name: "../ escapes results/", files: &[("up.toml", "name = \"../thesis\"\n")], args: &["run", "up.toml"], code: 2, words: &["not a plain name"] },
    Case { name: "--set name=..", files: &[], args: &["run", "hellofeng", "--set", "name=.."], code: 2, words: &["--set name=..", "not a plain name"] },
    Case { name: "--set name=/abs", files: &[], args: &["run", "hellofeng", "--set", "name={dir}/thesis"], code: 2, words: &["not a plain name"] },
    Case { name: "a file name that is no plain name", files: &[("a b.toml", "[sender]\nmessages = [\"x\"]\n")], args: &["run", "a b.toml"], code: 2, words: &["file name gives no usable name", "name = "] },
    Case { name: "--out a user's folder", files: &[], args: &["run", "hellofeng", "--out", "{dir}/thesis"], code: 2, words: &["refusing to replace", "did not write", "--out a new path"] },
    Case { name: "--out a file", files: &[], args: &["run", "hellofeng", "--out", "{dir}/thesis/thesis.tex"], code: 2, words: &["refusing", "is a file"] },
    Case { name: "--out a device", files: &[], args: &["run", "hellofeng", "--out", "/dev/full"], code: 2, words: &["refusing", "device"] },
    Case { name: "--out /", files: &[], args: &["run", "hellofeng", "--out", "/"], code: 2, words: &["refusing", "root folder"] },
    Case { name: "--out .", files: &[], args: &["run", "hellofeng", "--out", "."], code: 2, words: &["refusing", "current folder"] },
    Case { name: "--out ..", files: &[], args: &["run", "hellofeng", "--out", ".."], code: 2, words: &["refusing", "current folder"] },
    Case { name: "--out x/..", files: &[], args: &["run", "hellofeng", "--out", "x/.."], code: 2, words: &["refusing", "does not end in a folder name"] },
    Case { name: "--out where no folder can be made", files: &[], args: &["run", "hellofeng", "--out", "/proc/nianbao-test"], code: 2, words: &["cannot create the folder /proc/"] },
    Case { name: "--all --out a user's folder", files: &[("mine/hellofeng/x.txt", "mine")], args: &["run", "--all", "--out", "mine"], code: 2, words: &["refusing", "did not write"] },
    Case { name: "a sweep of 10^12 scenarios", files: &[("huge.toml", "[sweep]\n\"sender.gap\" = [{list}]\n\"sender.nodelay\" = [{list}]\n\"sender.burst\" = [{list}]\n\"receiver.rcvbuf\" = [{list}]\n")], args: &["run", "huge.toml"], code: 2, words: &["1000000000000 scenarios", "over the limit of 10000", "--max-runs"] },
    Case { name: "a sweep just over the limit", files: &[], args: &["run", "hellofeng", "--sweep", "sender.burst=1,2,3,4,5,6,7,8,9,10", "--trials", "1001"], code: 2, words: &["10010 runs", "over the limit of 10000"] },
    Case { name: "--max-runs 0", files: &[], args: &["run", "hellofeng", "--max-runs", "0"], code: 2, words: &["--max-runs"] },
    Case { name: "an experiment file over 1 MiB", files: &[("big.toml", "{big}")], args: &["run", "big.toml"], code: 2, words: &["big.toml", "over the limit of 1048576 bytes"] },
    Case { name: "a non-UTF-8 experiment file", files: &[("latin1.toml", "title = \"caf\u{e9}\"\n")], args: &["run", "latin1.toml"], code: 2, words: &["latin1.toml", "not UTF-8", "line 1"] },
    Case { name: "a missing file", files: &[], args: &["run", "nosuch.toml"], code: 2, words: &["cannot read nosuch.toml", "No such file"] },
    Case { name: "a folder as the experiment", files: &[("dir.toml/x", "")], args: &["run", "dir.toml"], code: 2, words: &["dir.toml", "not a regular file"] },
    Case { name: "an unknown name", files: &[], args: &["run", "hellofen"], code: 2, words: &["unknown experiment", "hellofeng"] },
    Case { name: "start_delay of an hour", files: &[], args: &["run", "hellofeng", "--set", "receiver.start_delay=3600s"], code: 2, words: &["receiver.start_delay", "deadline of 10s"] },
    Case { name: "a deadline over the limit", files: &[], args: &["run", "hellofeng", "--set", "deadline=601s"], code: 2, words: &["key `deadline`", "600s"] },
    Case { name: "gaps that add up past the deadline", files: &[], args: &["run", "hellofeng", "--set", "sender.count=100", "--set", "sender.gap=1s"], code: 2, words: &["sender.gap", "99 gaps", "deadline"] },
    Case { name: "a recv_gap past the deadline", files: &[], args: &["run", "hellofeng", "--set", "receiver.recv_gap=20s"], code: 2, words: &["receiver.recv_gap", "deadline"] },
    Case { name: "an empty message panicked the ruler", files: &[], args: &["run", "hellofeng", "--set", "sender.messages=[\"\"]"], code: 2, words: &["sender.messages", "message 0 is empty"] },
    Case { name: "u64 overflow in recv_sizes (file)", files: &[("ovf.toml", "[receiver]\nrecv_sizes = [18446744073709551615]\n")], args: &["run", "ovf.toml"], code: 2, words: &["ovf.toml:2:"] },
    Case { name: "u64 overflow in recv_sizes (--set)", files: &[], args: &["run", "hellofeng", "--set", "receiver.recv_sizes=[18446744073709551615]"], code: 2, words: &["receiver.recv_sizes", "not a TOML value", "too large"] },
    Case { name: "recv_sizes without brackets", files: &[], args: &["run", "hellofeng", "--set", "receiver.recv_sizes=2,10"], code: 2, words: &["receiver.recv_sizes", "[2,10]"] },
    Case { name: "too many recv sizes", files: &[("sizes.toml", "[receiver]\nrecv_sizes = [{list}, {list}, {list}, {list}, {list}, {list}, {list}, {list}, {list}, {list}, {list}]\n")], args: &["run", "sizes.toml"], code: 2, words: &["receiver.recv_sizes", "limit of 10000"] },
    Case { name: "trials = -1", files: &[], args: &["run", "hellofeng", "--set", "trials=-1"], code: 2, words: &["key `trials`", "1 to 10000"] },
    Case { name: "trials = -1 in a file", files: &[("neg.toml", "trials = -1\n")], args: &["run", "neg.toml"], code: 2, words: &["neg.toml:1:1: key `trials`", "1 to 10000"] },
    Case { name: "--set with trailing junk", files: &[], args: &["run", "hellofeng", "--set", "trials=3x"], code: 2, words: &["key `trials`", "whole number"] },
    Case { name: "ip = 127.1", files: &[], args: &["run", "hellofeng", "--set", "transport.ip=\"127.1\""], code: 2, words: &["transport.ip", "127.0.0.1"] },
    Case { name: "a 70 000-byte UDP message", files: &[], args: &["run", "udp-hellofeng", "--set", "sender.count=1", "--set", "sender.size=70000"], code: 2, words: &["sender.size", "65507"] },
    Case { name: "a sweep of sweep.x", files: &[("sw.toml", "[sweep]\n\"sweep.x\" = [1, 2]\n")], args: &["run", "sw.toml"], code: 2, words: &["sweep.x", "cannot be swept"] },
    Case { name: "--set of the sweep table", files: &[], args: &["run", "hellofeng", "--set", "sweep='text'"], code: 2, words: &["--set sweep='text'", "--sweep key=v1,v2"] },
    Case { name: "--sweep of trials", files: &[], args: &["run", "hellofeng", "--sweep", "trials=1,2"], code: 2, words: &["--sweep trials=1,2", "cannot be swept"] },
    Case { name: "wrong type in a file names the key", files: &[("ny.toml", "[sender]\nnodelay = \"yes\"\n")], args: &["run", "ny.toml"], code: 2, words: &["ny.toml:2:", "key `sender.nodelay`", "boolean"] },
    Case { name: "an ANSI escape in a title", files: &[("ansi.toml", "title = \"\\u001b[2J\\u001b[31mpwned\"\n")], args: &["run", "ansi.toml"], code: 2, words: &["key `title`", "control character"] },
    Case { name: "a stream over 1 GiB", files: &[], args: &["run", "hellofeng", "--set", "sender.count=1000000", "--set", "sender.size=2000"], code: 2, words: &["sender.count", "1 GiB"] },
    Case { name: "one-byte writes of a 64 MiB message", files: &[], args: &["run", "hellofeng", "--set", "sender.count=1", "--set", "sender.size=64MiB", "--set", "sender.write_size=1"], code: 2, words: &["sender.write_size", "recorded sends"] },
    Case { name: "an [expect] failure over 20 000 recvs prints a short line", files: &[], args: &["run", "hellofeng", "--set", "sender.count=20000", "--set", "receiver.recv_sizes=[64]", "--set", "receiver.start_delay=0", "--out", "r"], code: 1, words: &["expected 1 recv [\"hellofeng\"], got ", " recvs [\"#0:", " more]"] },
    Case { name: "switching a built-in's messages to count", files: &[], args: &["run", "hellofeng", "--set", "sender.count=5", "--out", "r"], code: 1, words: &["5 × 64 B"] },
];

/// The folder of one row, with a user's canary folder beside it.
struct Row {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Row {
    fn new() -> Row {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().to_path_buf();
        std::fs::create_dir(dir.join("thesis")).expect("canary");
        std::fs::write(dir.join("thesis/thesis.tex"), "keep").expect("canary");
        Row { _tmp: tmp, dir }
    }

    fn fill(&self, text: &str) -> String {
        let list = (1..=1000)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        text.replace("{dir}", &self.dir.display().to_string())
            .replace("{list}", &list)
            .replace("{big}", &format!("# {}\n", "x".repeat(1 << 21)))
    }

    /// Runs the binary with a time bound: a hang fails the row.
    fn run(&self, args: &[String], bound: Duration) -> (i32, String, String) {
        let mut cmd = bounded::nianbao(args);
        cmd.current_dir(&self.dir);
        let r = bounded::run(&mut cmd, bound, &args.join(" "));
        (r.code, r.stdout, r.stderr)
    }

    /// Runs `args` with the 30 s bound the tests below use.
    fn cmd(&self, args: &[&str]) -> (i32, String, String) {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        self.run(&args, Duration::from_secs(30))
    }

    /// The canary is whole and no temporary folder was left anywhere below.
    fn check_untouched(&self, what: &str) {
        let canary = std::fs::read_to_string(self.dir.join("thesis/thesis.tex"));
        assert_eq!(
            canary.as_deref().ok(),
            Some("keep"),
            "{what}: canary changed"
        );
        let names: Vec<String> = std::fs::read_dir(self.dir.join("thesis"))
            .expect("canary dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["thesis.tex"], "{what}: canary folder changed");
        for entry in walk(&self.dir) {
            let name = entry.file_name().unwrap_or_default().to_string_lossy();
            assert!(
                !name.contains(".new-"),
                "{what}: temporary folder left: {}",
                entry.display()
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}

#[test]
fn every_hostile_input_gets_a_clear_answer_and_harms_nothing() {
    let mut failures = Vec::new();
    for case in CASES {
        let row = Row::new();
        for (path, text) in case.files {
            let path = row.dir.join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            let mut bytes = row.fill(text).into_bytes();
            if case.name.contains("non-UTF-8") {
                // Latin-1 é, as an old editor would save it.
                bytes = bytes
                    .iter()
                    .flat_map(|&b| {
                        if b == 0xc3 {
                            None
                        } else if b == 0xa9 {
                            Some(0xe9)
                        } else {
                            Some(b)
                        }
                    })
                    .collect();
            }
            if !path.ends_with("x") || !text.is_empty() {
                std::fs::write(&path, bytes).expect("write");
            }
        }
        let args: Vec<String> = case.args.iter().map(|a| row.fill(a)).collect();
        let (code, out, err) = row.run(&args, Duration::from_secs(30));
        // An error is said in its first line (clap adds a --help hint after).
        let first = err.lines().next().unwrap_or("").to_string();
        let said = if case.code == 2 { &first } else { &out };
        let mut missing: Vec<&&str> = case.words.iter().filter(|w| !said.contains(**w)).collect();
        // Nothing a user typed or a run recorded floods the terminal.
        if out
            .lines()
            .chain(err.lines())
            .any(|l| l.chars().count() > 2000)
        {
            missing.push(&"every line under 2000 characters");
        }
        if code != case.code || !missing.is_empty() || err.contains("panicked") {
            failures.push(format!(
                "{}: exit {code} (want {}), missing {missing:?}\n  stderr: {}",
                case.name,
                case.code,
                err.trim()
            ));
        }
        row.check_untouched(case.name);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_results_folder_with_a_users_file_is_refused_and_kept() {
    let row = Row::new();
    let (code, _, err) = row.cmd(&["run", "he-llo", "--out", "r"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = row.cmd(&["run", "he-llo", "--out", "r"]);
    assert_eq!(code, 0, "a folder nianbao wrote is replaced: {err}");
    std::fs::write(row.dir.join("r/notes.txt"), "mine").expect("write");
    let (code, _, err) = row.cmd(&["run", "he-llo", "--out", "r"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("notes.txt") && err.contains("did not write"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(row.dir.join("r/notes.txt")).unwrap(),
        "mine"
    );
    assert!(
        row.dir.join("r/recvs.csv").exists(),
        "the old results are kept"
    );
    row.check_untouched("user file in results");
}

#[test]
fn stdout_errors_are_not_a_silent_success_and_a_closed_pipe_is_quiet() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    if let Ok(full) = full {
        let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
            .arg("list")
            .stdout(full)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("cannot write to stdout"), "{err}");
    } else {
        println!("skipped the /dev/full half: this machine has no /dev/full");
    }
    // A reader that goes away at once: the pipe closes under the writer.
    let mut child = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .arg("list")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("output");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn plot_never_writes_through_a_link_or_into_a_fifo() {
    let row = Row::new();
    let (code, _, err) = row.cmd(&["run", "he-llo", "--out", "r"]);
    assert_eq!(code, 0, "{err}");
    let png = row.dir.join("r/boundaries.png");
    std::fs::remove_file(&png).expect("rm");
    std::os::unix::fs::symlink(row.dir.join("thesis/thesis.tex"), &png).expect("link");
    let (code, _, err) = row.cmd(&["plot", "r"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("refusing") && err.contains("boundaries.png"),
        "{err}"
    );
    std::fs::remove_file(&png).expect("rm");
    let fifo = row.dir.join("r/timeline.png");
    std::fs::remove_file(&fifo).expect("rm");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let (code, _, err) = row.cmd(&["plot", "r"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("timeline.png"), "{err}");
    } else {
        println!("skipped the FIFO half: no mkfifo here");
    }
    row.check_untouched("plot through a link");
}
