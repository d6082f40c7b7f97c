//! Bad input gets a clear error that names the file, line and key, or the
//! flag, and the allowed values; never a panic or a hang.

use nianbao::experiment::{plan, Overrides, Source};

fn load(text: &str, sets: &[&str]) -> String {
    let source = Source::inline("bad", text);
    let over = Overrides {
        sets: sets.iter().map(|s| s.to_string()).collect(),
        ..Overrides::default()
    };
    match plan(&source, &over) {
        Ok(_) => panic!("expected an error for {text:?} {sets:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn unknown_key_names_file_line_and_the_allowed_keys() {
    let msg = load("name = \"x\"\n[sender]\nnodelai = true\n", &[]);
    assert!(msg.starts_with("bad.toml:3:"), "{msg}");
    assert!(msg.contains("nodelai") && msg.contains("nodelay"), "{msg}");
}

#[test]
fn wrong_type_names_line_and_key() {
    let msg = load("[sender]\nnodelay = \"yes\"\n", &[]);
    assert!(msg.starts_with("bad.toml:2:"), "{msg}");
    assert!(msg.contains("bool") || msg.contains("boolean"), "{msg}");
}

#[test]
fn recv_size_zero_is_rejected_with_its_line() {
    let msg = load("[receiver]\nrecv_sizes = [2, 0]\n", &[]);
    assert!(
        msg.contains("bad.toml:2:1: key `receiver.recv_sizes`"),
        "{msg}"
    );
    assert!(msg.contains("1 byte to 64 MiB"), "{msg}");
}

#[test]
fn negative_and_unitless_durations_are_rejected() {
    let msg = load("[sender]\ngap = \"-1ms\"\n", &[]);
    assert!(
        msg.contains("sender.gap") && msg.contains("negative"),
        "{msg}"
    );
    let msg = load("[receiver]\nstart_delay = \"50\"\n", &[]);
    assert!(
        msg.contains("receiver.start_delay") && msg.contains("no unit"),
        "{msg}"
    );
    let msg = load("[receiver]\nstart_delay = 50\n", &[]);
    assert!(msg.contains("no unit") && msg.contains("\"50ms\""), "{msg}");
}

#[test]
fn after_send_is_named_where_it_cannot_work() {
    let msg = load("[receiver]\nstart_delay = \"after-sent\"\n", &[]);
    assert!(
        msg.contains("receiver.start_delay") && msg.contains("\"after-send\""),
        "a misspelling names the allowed word: {msg}"
    );
    let msg = load(
        "[receiver]\nstart_delay = \"after-send\"\nreply = \"echo\"\n",
        &[],
    );
    assert!(
        msg.contains("receiver.start_delay") && msg.contains("receiver.reply"),
        "a sender that waits for replies cannot finish first: {msg}"
    );
}

#[test]
fn message_count_zero_is_rejected() {
    let msg = load("[sender]\ncount = 0\n", &[]);
    assert!(
        msg.contains("bad.toml:2:1: key `sender.count`") && msg.contains("from 1"),
        "{msg}"
    );
}

#[test]
fn a_message_over_64_mib_is_rejected() {
    let msg = load("[sender]\ncount = 1\nsize = \"65MiB\"\n", &[]);
    assert!(
        msg.contains("sender.size") && msg.contains("64 MiB"),
        "{msg}"
    );
}

#[test]
fn set_errors_name_the_flag() {
    let msg = load("", &["sender.nodelay=maybe"]);
    assert!(msg.starts_with("--set sender.nodelay=maybe"), "{msg}");
    let msg = load("", &["receiver.recv_sizes=[0]"]);
    assert!(msg.starts_with("--set receiver.recv_sizes=[0]"), "{msg}");
    let msg = load("", &["sender.bogus=1"]);
    assert!(
        msg.contains("--set sender.bogus=1") && msg.contains("bogus"),
        "{msg}"
    );
    let msg = load("", &["nonsense"]);
    assert!(msg.contains("key=value"), "{msg}");
}

#[test]
fn unknown_experiment_lists_close_matches() {
    let msg = Source::resolve("helofeng")
        .expect_err("unknown")
        .to_string();
    assert!(
        msg.contains("unknown experiment `helofeng`") && msg.contains("did you mean hellofeng"),
        "{msg}"
    );
    let msg = Source::resolve("no/such/file.toml")
        .expect_err("missing")
        .to_string();
    assert!(msg.contains("no/such/file.toml"), "{msg}");
}

#[test]
fn bad_enum_values_list_the_allowed_ones() {
    let msg = load("[transport]\nkind = \"sctp\"\n", &[]);
    assert!(msg.contains("allowed: tcp, udp"), "{msg}");
    let msg = load("[receiver]\nreply = \"shout\"\n", &[]);
    assert!(msg.contains("allowed: none, echo, upper"), "{msg}");
    let msg = load("[transport]\nip = \"10.0.0.1\"\n", &[]);
    assert!(msg.contains("loopback"), "{msg}");
    let msg = load("[expect]\nmerged = \"about 3\"\n", &[]);
    assert!(msg.contains("expect.merged") && msg.contains(">="), "{msg}");
}

#[test]
fn sweep_values_are_validated_before_anything_runs() {
    let source = Source::inline("s", "[sweep]\n\"sender.gap\" = [\"0\", \"10\"]\n");
    let msg = plan(&source, &Overrides::default())
        .expect_err("bad sweep value")
        .to_string();
    assert!(
        msg.contains("sweep sender.gap = 10") && msg.contains("no unit"),
        "{msg}"
    );
}

#[test]
fn a_sweep_of_more_than_100000_scenarios_is_refused_before_it_expands() {
    let ten =
        "[\"0\", \"1us\", \"2us\", \"3us\", \"4us\", \"5us\", \"6us\", \"7us\", \"8us\", \"9us\"]";
    let keys = ["sender.gap", "sender.gap_jitter", "receiver.recv_gap"];
    let mut text = String::from("[sweep]\n");
    for k in keys {
        text += &format!("\"{k}\" = {ten}\n");
    }
    text += "\"receiver.start_delay\" = [\"0\", \"1us\", \"2us\", \"3us\", \"4us\", \"5us\", \"6us\", \"7us\", \"8us\", \"9us\"]\n";
    text += "\"sender.burst\" = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n";
    let started = std::time::Instant::now();
    // Refused by the default --max-runs first; with any --max-runs, by the
    // hard cap on scenarios.
    assert!(load(&text, &[]).contains("over the limit of 10000"));
    let over = Overrides {
        max_runs: Some(u64::MAX),
        ..Overrides::default()
    };
    let msg = plan(&Source::inline("bad", text), &over)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("more than 100000 scenarios"), "{msg}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn request_knobs_are_checked_with_their_key() {
    let msg = load("[receiver]\nreply = [2]\nreply_per = \"frame\"\n", &[]);
    assert!(msg.starts_with("bad.toml:3:"), "{msg}");
    assert!(msg.contains("allowed: read, message"), "{msg}");
    let msg = load(
        "[receiver]\nreply = \"echo\"\nreply_per = \"message\"\n",
        &[],
    );
    assert!(
        msg.contains("receiver.reply_per") && msg.contains("list"),
        "{msg}"
    );
    let msg = load(
        "[transport]\nkind = \"udp\"\n[receiver]\nquickack = true\n",
        &[],
    );
    assert!(
        msg.contains("receiver.quickack") && msg.contains("tcp"),
        "{msg}"
    );
    let msg = load("[transport]\nkind = \"udp\"\n", &["sender.writev=true"]);
    assert!(
        msg.contains("sender.writev") && msg.contains("tcp"),
        "{msg}"
    );
    let msg = load(
        "[[expect.compare]]\nfigure = \"segments\"\nless = {}\nthan = {}\ntimes = 0.5\n",
        &[],
    );
    assert!(msg.contains("times") && msg.contains("at least 1"), "{msg}");
}
