//! Every named experiment, run through the library on real loopback sockets
//! into a temp dir: its `[expect]` holds and the CSVs carry SPEC §4's columns.

use nianbao::experiment::{plan, Overrides, Source, CATALOGUE};
use nianbao::report::readback::read_results;
use nianbao::report::results::write_results;
use nianbao::run::run_plan;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// The tests of this file run their trials one at a time. Several are about
/// timing (`nagle` compares segment counts, the late receivers wait for the
/// sender): with two other trials on the same two cores a receiver thread
/// can be starved and read as if it were late, which changes what the
/// experiment measures. A user runs one experiment at a time; so do these.
fn alone() -> MutexGuard<'static, ()> {
    static ONE: Mutex<()> = Mutex::new(());
    ONE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn header(dir: &Path, file: &str) -> String {
    let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    text.lines().next().unwrap_or_default().to_string()
}

fn run_named(name: &str, sets: &[&str]) -> (nianbao::analysis::RunResult, tempfile::TempDir) {
    let source = Source::resolve(name).expect("named experiment");
    let over = Overrides {
        sets: sets.iter().map(|s| s.to_string()).collect(),
        trials: Some(2),
        ..Overrides::default()
    };
    let plan = plan(&source, &over).expect("valid experiment");
    let run = run_plan(&plan, |_, _| {}).expect("runs");
    let tmp = tempfile::tempdir().expect("temp dir");
    // Charts that cannot be drawn are an error, not a warning.
    write_results(&tmp.path().join(name), &run).expect("results written");
    (run, tmp)
}

#[test]
fn every_experiment_file_is_in_the_catalogue_and_validates() {
    let _alone = alone();
    let mut files: Vec<String> = std::fs::read_dir("experiments")
        .expect("experiments/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_stem().expect("stem").to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut named: Vec<String> = CATALOGUE.iter().map(|b| b.name.to_string()).collect();
    named.sort();
    assert_eq!(
        files, named,
        "every experiments/*.toml is built in, and only those"
    );
    for b in CATALOGUE {
        let p = plan(
            &Source::resolve(b.name).expect("resolves"),
            &Overrides::default(),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", b.name));
        let exp = &p.scenarios[0].experiment;
        assert_eq!(exp.name, b.name);
        assert!(
            exp.expect.recvs.is_some()
                || !exp.expect.bounds.is_empty()
                || !exp.expect.compares.is_empty(),
            "{} has an [expect]",
            b.name
        );
    }
}

#[test]
fn every_named_experiment_reproduces_and_writes_spec_columns() {
    let _alone = alone();
    let root = nix::unistd::geteuid().is_root();
    for b in CATALOGUE {
        let lab = Source::resolve(b.name)
            .ok()
            .and_then(|s| plan(&s, &Overrides::default()).ok())
            .is_some_and(|p| p.scenarios[0].experiment.network.lab);
        if lab && !root {
            println!(
                "skipped {}: the network lab needs root (tests/lab.rs says more)",
                b.name
            );
            continue;
        }
        let (run, tmp) = run_named(b.name, &[]);
        let (ok, total) = run.reproduced();
        let failures: Vec<_> = run
            .trials
            .iter()
            .flat_map(|t| t.outcome.failures.clone())
            .collect();
        assert_eq!(ok, total, "{}: {failures:?}", b.name);
        let dir = tmp.path().join(b.name);
        assert_eq!(
            header(&dir, "sends.csv"),
            "scenario,trial,flow,t_ns,msg_id,offset,len,ret"
        );
        assert_eq!(
            header(&dir, "recvs.csv"),
            "scenario,trial,flow,t_ns,offset,len,first_msg,last_msg,kind,truncated,asked,queued,cause,label"
        );
        assert_eq!(
            header(&dir, "messages.csv"),
            "scenario,trial,flow,msg_id,offset,len,sent_ns,delivered_ns,reads,fate,cause,label"
        );
        let mut summary = vec!["scenario", "trial", "flow"];
        summary.extend(run.plan.swept.iter().map(String::as_str));
        summary.push("messages,recvs,segments,whole,sticky,fragment,intact,merged,split,truncated,lost,corrupt,merged_fraction,split_fraction,bytes,duration_ns,latency_mean_ns,latency_median_ns,latency_p99_ns");
        assert_eq!(header(&dir, "summary.csv"), summary.join(","));
        // Request/response experiments time each request, and draw them.
        let timed = run.trials.iter().any(|t| !t.requests.is_empty());
        assert_eq!(dir.join("requests.csv").exists(), timed, "{}", b.name);
        assert_eq!(dir.join("latency.png").exists(), timed, "{}", b.name);
        if timed {
            assert_eq!(
                header(&dir, "requests.csv"),
                "scenario,trial,request,sent_ns,reply_ns,latency_ns"
            );
        }
        if !run.plan.swept.is_empty() {
            assert!(
                header(&dir, "sweep.csv").ends_with("metric,n,mean,median,min,max,std"),
                "{}",
                b.name
            );
            assert!(dir.join("sweep.png").exists(), "{}", b.name);
        }
        let meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("meta.json")).expect("meta"))
                .expect("json");
        for png in ["boundaries.png", "timeline.png"] {
            assert!(
                std::fs::metadata(dir.join(png)).is_ok_and(|m| m.len() > 1000),
                "{}: {png}",
                b.name
            );
        }
        // recv-sizes.png only where the reads had more than one size.
        let sizes: std::collections::BTreeSet<u64> = run
            .trials
            .iter()
            .flat_map(|t| &t.flows)
            .flat_map(|f| &f.recvs)
            .map(|r| u64::from(r.event.len))
            .collect();
        assert_eq!(
            dir.join("recv-sizes.png").exists(),
            sizes.len() > 1,
            "{}",
            b.name
        );
        assert!(meta["kernel_release"]
            .as_str()
            .is_some_and(|k| !k.is_empty()));
        assert!(meta["sysctls"]["net.ipv4.tcp_autocorking"].is_string());
        // show reads the same facts back from the CSVs.
        let back = read_results(&dir).expect("read back");
        assert_eq!(back.reproduced(), (ok, total), "{}", b.name);
        assert_eq!(
            back.trials[0].flows[0].recvs, run.trials[0].flows[0].recvs,
            "{}",
            b.name
        );
    }
}

#[test]
fn hellofeng_over_ipv6_is_the_same_story() {
    let _alone = alone();
    let (run, _tmp) = run_named("hellofeng", &["transport.ip=::1"]);
    assert_eq!(run.reproduced(), (2, 2));
}

#[test]
fn udp_over_ipv6_keeps_boundaries() {
    let _alone = alone();
    let (run, _tmp) = run_named("udp-hellofeng", &["transport.ip=::1"]);
    assert_eq!(run.reproduced(), (2, 2));
}

#[test]
fn one_knob_changes_the_story_gap_separates_the_messages() {
    let _alone = alone();
    // hellofeng with a 50 ms gap and a receiver that is already waiting: two recvs.
    let (run, _tmp) = run_named("hellofeng", &["sender.gap=50ms", "receiver.start_delay=0"]);
    let s = &run.trials[0].flows[0].summary;
    assert_eq!((s.recvs, s.whole, s.sticky), (2, 2, 0));
    assert_eq!(
        run.reproduced().0,
        0,
        "the hellofeng expectation no longer holds"
    );
}

#[test]
fn results_replace_the_previous_run_whole() {
    let _alone = alone();
    let (run, tmp) = run_named("he-llo", &[]);
    let dir = tmp.path().join("he-llo");
    // sweep.csv is a file nianbao writes, but not for he-llo: a leftover.
    std::fs::write(dir.join("sweep.csv"), "old").expect("write");
    write_results(&dir, &run).expect("rewritten");
    assert!(
        !dir.join("sweep.csv").exists(),
        "the old folder was replaced, not merged"
    );
    // A file nianbao did not write: the folder is refused and kept as it is.
    std::fs::write(dir.join("notes.txt"), "mine").expect("write");
    let err = write_results(&dir, &run).expect_err("refused").to_string();
    assert!(
        err.contains("notes.txt") && err.contains("did not write"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "mine"
    );
    std::fs::remove_file(dir.join("notes.txt")).expect("rm");
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("dir")
        .map(|e| e.expect("e").file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "no temporary folders left behind: {leftovers:?}"
    );
}

#[test]
fn generated_messages_with_seeded_sizes_and_bursts_arrive_intact_bytewise() {
    let _alone = alone();
    let file = "name = \"gen\"\n[sender]\ncount = 200\nsize = [1, 300]\nseed = 7\nburst = 50\ngap = \"1ms\"\ngap_jitter = \"200us\"\nmore = true\n[receiver]\nrecv_sizes = [7, 4096]\n";
    let source = Source::inline("gen", file);
    let plan = plan(&source, &Overrides::default()).expect("valid");
    let run = run_plan(&plan, |_, _| {}).expect("runs: every byte checked against the sent stream");
    let c2s = &run.trials[0].flows[0];
    assert_eq!(c2s.summary.messages, 200);
    assert_eq!(c2s.summary.lost, 0);
    assert_eq!(
        c2s.summary.bytes,
        c2s.messages.iter().map(|m| m.span.len).sum::<u64>()
    );
}

#[test]
fn echo_and_upper_replies_are_checked_on_the_client() {
    let _alone = alone();
    for reply in ["echo", "upper"] {
        let text = format!("name = \"r\"\n[sender]\nmessages = [\"abc\", \"def\"]\n[receiver]\nreply = \"{reply}\"\n");
        let source = Source::inline("r", text);
        let run = run_plan(
            &plan(&source, &Overrides::default()).expect("valid"),
            |_, _| {},
        )
        .expect("runs");
        let s2c = &run.trials[0].flows[1];
        assert_eq!(s2c.summary.bytes, 6, "{reply}");
    }
}

#[test]
fn a_stalled_receiver_ends_the_run_with_what_was_awaited() {
    let _alone = alone();
    // Each pause fits, but five reads of one byte with 100 ms between them do not.
    let text = "name = \"slow\"\ndeadline = \"300ms\"\n[sender]\nmessages = [\"hello\"]\n[receiver]\nrecv_sizes = [1]\nrecv_gap = \"100ms\"\n";
    let source = Source::inline("slow", text);
    let started = std::time::Instant::now();
    let err = run_plan(
        &plan(&source, &Overrides::default()).expect("valid"),
        |_, _| {},
    )
    .expect_err("deadline");
    let msg = err.to_string();
    assert!(
        msg.contains("timed out") && msg.contains("waiting for"),
        "{msg}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

/// The `t_ns` column of a results CSV, for one flow of trial 0.
fn times(dir: &Path, file: &str) -> Vec<u64> {
    let text = std::fs::read_to_string(dir.join(file)).expect("csv");
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).expect("column");
    let (trial, flow, t) = (col("trial"), col("flow"), col("t_ns"));
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[trial] == "0" && c[flow] == "c2s")
        .map(|c| c[t].parse().expect("t_ns"))
        .collect()
}

#[test]
fn an_after_send_receiver_waits_for_the_sender_however_long_it_takes() {
    let _alone = alone();
    // 100 ms between the sends, twice the old fixed 50 ms start: the
    // receiver still reads nothing until the second message is there. Over
    // TCP that is when its bytes are queued, which can be a little before
    // the sender's clock read after its send() returned; over UDP, when the
    // sender's last sendto has returned.
    for name in ["hellofeng", "udp-hellofeng"] {
        let (run, tmp) = run_named(name, &["sender.gap=100ms"]);
        let dir = tmp.path().join(name);
        let (sends, recvs) = (times(&dir, "sends.csv"), times(&dir, "recvs.csv"));
        assert_eq!(sends.len(), 2, "{name}: two sends");
        let after = match name {
            "hellofeng" => sends[0] + 100_000_000,
            _ => sends[1],
        };
        assert!(
            recvs[0] > after,
            "{name}: the first read at {} ns came after {after} ns (sends at {sends:?})",
            recvs[0],
        );
        assert!(
            sends[1] - sends[0] >= 100_000_000,
            "{name}: the gap was kept"
        );
        let s = &run.trials[0].flows[0].summary;
        let want = if name == "hellofeng" { (1, 1) } else { (2, 0) };
        assert_eq!(
            (s.recvs, s.sticky),
            want,
            "{name}: TCP merges, UDP does not"
        );
    }
}

#[test]
fn an_after_send_receiver_stops_waiting_once_the_queue_holds_32_kib() {
    let _alone = alone();
    // 128 000 bytes cannot all wait in the receive queue: the sender would
    // block on the receiver, which waits for the sender. The wait ends at
    // 32 KiB instead, said on the knobs line, and every byte arrives.
    let (run, _tmp) = run_named("hellofeng", &["sender.count=2000", "sender.size=64"]);
    let s = &run.trials[0].flows[0].summary;
    assert_eq!((s.messages, s.bytes, s.lost), (2000, 128_000, 0));
    let text = nianbao::report::text::render(&run, &Default::default());
    assert!(
        text.contains(
            "receiver starts once the sender is done or once the queue holds 32768 bytes"
        ),
        "{text}"
    );
}

#[test]
fn charts_drawn_from_memory_are_the_charts_plot_draws_from_the_files() {
    let _alone = alone();
    use nianbao::report::load::{for_charts_of, load_for_charts};
    // framing-compare: eight variants, decoded flows; the long hellofeng:
    // 13 000 messages, more than a chart keeps, so every table is thinned.
    for (name, sets) in [
        ("framing-compare", &[][..]),
        ("hellofeng", &["sender.count=13000", "sender.size=16"][..]),
    ] {
        let (run, tmp) = run_named(name, sets);
        let dir = tmp.path().join(name);
        let memory = for_charts_of(&dir, &run).expect("rows from memory");
        let files = load_for_charts(&dir).expect("rows from the files");
        let show = |r: &nianbao::report::load::Results| {
            format!(
                "{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
                r.sends, r.recvs, r.messages, r.thinned, r.recv_tally
            )
        };
        assert!(show(&memory) == show(&files), "{name}: the rows differ");
        assert_eq!(memory.thinned.is_empty(), name == "framing-compare");
        // And the PNGs `run` wrote are the ones `plot` draws from the files.
        let again = tempfile::tempdir().unwrap();
        for f in std::fs::read_dir(&dir).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|x| x != "png") {
                std::fs::copy(&p, again.path().join(p.file_name().unwrap())).unwrap();
            }
        }
        let opts = nianbao::report::chart::ChartOptions {
            metric: run.plan.scenarios[0].experiment.chart_metric.clone(),
            ..Default::default()
        };
        let drawn = nianbao::report::chart::draw_all(again.path(), &opts).expect("plot");
        assert!(!drawn.is_empty());
        for png in drawn {
            let file = png.file_name().unwrap();
            assert!(
                std::fs::read(&png).unwrap() == std::fs::read(dir.join(file)).unwrap(),
                "{name}: {} differs from the run's",
                file.to_string_lossy()
            );
        }
    }
}
