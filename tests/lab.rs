//! The network lab: `mss-split` and `slow-link` on a real veth pair in two
//! network namespaces, the lab's errors (no root, no netem, bad values),
//! and that its namespaces are gone after a run, Ctrl-C and SIGKILL. The
//! runs need root (CI is root); without it each prints `skipped:` and the
//! reason. The checks of bad values need nothing.

mod bounded;

use nianbao::experiment::{plan, Overrides, Source};
use nianbao::report::results::write_results;
use nianbao::run::run_plan;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

fn root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// The runs of this file one at a time: `mss-split` is about timing (a
/// quick reader), and the namespace checks count what this process holds.
fn alone() -> MutexGuard<'static, ()> {
    static ONE: Mutex<()> = Mutex::new(());
    ONE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The plan of a named experiment with `sets`, or the error's message.
fn plan_of(name: &str, sets: &[&str]) -> Result<nianbao::experiment::Plan, String> {
    let over = Overrides {
        sets: sets.iter().map(|s| s.to_string()).collect(),
        ..Overrides::default()
    };
    plan(&Source::resolve(name).expect("named"), &over).map_err(|e| e.to_string())
}

/// The network namespaces process `pid` holds: its threads' and its fds'.
fn net_namespaces(pid: u32) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for sub in ["fd", "task"] {
        let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/{sub}")) else {
            continue;
        };
        for e in dir.flatten() {
            let path = match sub {
                "task" => e.path().join("ns/net"),
                _ => e.path(),
            };
            if let Ok(link) = std::fs::read_link(path) {
                let link = link.to_string_lossy().into_owned();
                if link.starts_with("net:[") {
                    out.insert(link);
                }
            }
        }
    }
    out
}

/// The network namespaces any process of this machine holds.
fn every_held_namespace() -> BTreeSet<String> {
    std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .flat_map(net_namespaces)
        .collect()
}

#[test]
fn mss_split_breaks_a_4000_byte_message_at_the_mss_in_20_of_20_trials() {
    if !root() {
        println!("skipped: the network lab needs root (network namespaces, a veth pair)");
        return;
    }
    let _alone = alone();
    let before = net_namespaces(std::process::id());
    let plan = plan_of("mss-split", &[]).expect("valid");
    let run = run_plan(&plan, |_, _| {}).expect("runs");
    assert_eq!(run.reproduced(), (20, 20));
    for t in &run.trials {
        let c2s = &t.flows[0];
        // MTU 1500: 1448 bytes a segment (20 IP, 20 TCP, 12 timestamps).
        let wire: Vec<u32> = c2s.wire.iter().map(|s| s.len).filter(|&l| l > 0).collect();
        assert_eq!(wire, vec![1448, 1448, 1104], "trial {}", t.trial);
        // The quick reader's recvs break where the segments do.
        let recvs: Vec<u32> = c2s.recvs.iter().map(|r| r.event.len).collect();
        assert_eq!(recvs, wire, "trial {}", t.trial);
        assert!(
            matches!(&t.capture, nianbao::trace::Capture::Captured { interface, place: nianbao::trace::Place::LabReceiver, drops: 0, .. } if interface == "nb-rx"),
            "{:?}",
            t.capture
        );
    }
    // The lab's namespaces went with the trials.
    assert_eq!(net_namespaces(std::process::id()), before);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("mss-split");
    write_results(&dir, &run).expect("written");
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("meta.json")).expect("meta"))
            .expect("json");
    let net = &meta["network"][0];
    assert_eq!(net["mtu"], 1500);
    assert_eq!(net["rate_bps"], 1_000_000);
    assert!(net["offloads"]
        .as_str()
        .unwrap()
        .contains("TSO, GSO and GRO off"));
    assert!(meta["capture"][0]["where"]
        .as_str()
        .unwrap()
        .contains("receiving end of the lab's veth pair"));
    let text = nianbao::report::text::render(&run, &Default::default());
    assert!(
        text.contains("over the network lab's veth (MTU 1500, 1mbit; TSO/GSO/GRO off)"),
        "{text}"
    );
    assert!(text.contains("  wire    |#0:"), "{text}");
}

#[test]
fn slow_link_sends_small_writes_merged() {
    if !root() {
        println!("skipped: the network lab needs root (network namespaces, a veth pair)");
        return;
    }
    let _alone = alone();
    let plan = plan_of("slow-link", &["trials=1"]).expect("valid");
    let run = run_plan(&plan, |_, _| {}).expect("runs");
    assert_eq!(run.reproduced(), (1, 1));
    let c2s = &run.trials[0].flows[0];
    let data: Vec<u32> = c2s.wire.iter().map(|s| s.len).filter(|&l| l > 0).collect();
    assert!(
        data.len() * 4 < 200,
        "200 writes left as {} segments",
        data.len()
    );
    assert!(data.iter().any(|&l| l >= 10 * 50), "{data:?}");
    assert!(
        data.iter().all(|&l| l <= 1448),
        "no super-segment: {data:?}"
    );
}

#[test]
fn a_different_mtu_changes_the_segments() {
    if !root() {
        println!("skipped: the network lab needs root (network namespaces, a veth pair)");
        return;
    }
    let _alone = alone();
    // MTU 9000 (--set like any key): the 4000-byte message fits one segment.
    let plan = plan_of("mss-split", &["network.mtu=9000", "trials=1"]).expect("valid");
    let run = run_plan(&plan, |_, _| {}).expect("runs");
    let c2s = &run.trials[0].flows[0];
    let data: Vec<u32> = c2s.wire.iter().map(|s| s.len).filter(|&l| l > 0).collect();
    assert_eq!(data, vec![4000]);
}

#[test]
fn delay_without_netem_is_one_error_that_names_sch_netem() {
    if !root() {
        println!("skipped: the network lab needs root (network namespaces, a veth pair)");
        return;
    }
    let _alone = alone();
    let plan = plan_of("mss-split", &["network.delay=20ms", "trials=1"]).expect("valid");
    match run_plan(&plan, |_, _| {}) {
        // A kernel with netem runs it: the delay shows in the trial's time.
        Ok(run) => assert!(run.trials[0].duration_ns > 20_000_000),
        Err(e) => {
            let e = e.to_string();
            assert!(
                e.contains("sch_netem") && e.contains("network.delay"),
                "{e}"
            );
        }
    }
}

#[test]
fn without_root_the_lab_is_one_error_that_says_what_it_needs() {
    let _alone = alone();
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let mut cmd = match root() {
        // As root, the binary runs as nobody (setpriv, util-linux).
        true => {
            if std::process::Command::new("setpriv")
                .arg("--help")
                .output()
                .is_err()
            {
                println!("skipped: no setpriv to run the binary as a user without root");
                return;
            }
            let _ = std::fs::set_permissions(
                tmp.path(),
                std::os::unix::fs::PermissionsExt::from_mode(0o777),
            );
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(env!("CARGO_BIN_EXE_nianbao"));
            c
        }
        false => std::process::Command::new(env!("CARGO_BIN_EXE_nianbao")),
    };
    cmd.args(["run", "mss-split", "--out"])
        .arg(&out)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let ran = bounded::run(&mut cmd, Duration::from_secs(30), "nianbao run mss-split");
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("network.lab = true needs root (CAP_SYS_ADMIN")
            && ran.stderr.lines().count() == 1,
        "{}",
        ran.stderr
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn the_labs_namespaces_are_gone_after_ctrl_c_and_after_sigkill() {
    if !root() {
        println!("skipped: the network lab needs root (network namespaces, a veth pair)");
        return;
    }
    let _alone = alone();
    for (signal, code) in [
        (nix::sys::signal::Signal::SIGINT, 130),
        (nix::sys::signal::Signal::SIGKILL, -1),
    ] {
        let tmp = tempfile::tempdir().expect("temp dir");
        // 8 kbit/s: the 4000-byte message takes seconds, so the signal
        // comes mid-trial.
        let child = bounded::nianbao(&[
            "run",
            "mss-split",
            "--set",
            "network.rate=8kbit",
            "--out",
            &tmp.path().join("out").to_string_lossy(),
        ])
        .spawn()
        .expect("runs");
        let pid = child.id();
        let mine = net_namespaces(std::process::id());
        // Wait until the child holds namespaces of its own (the lab's).
        let until = Instant::now() + Duration::from_secs(10);
        let held = loop {
            let held: BTreeSet<String> = net_namespaces(pid).difference(&mine).cloned().collect();
            if held.len() >= 2 || Instant::now() > until {
                break held;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(held.len() >= 2, "the run made its lab: {held:?}");
        std::thread::sleep(Duration::from_millis(300));
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), signal).expect("kill");
        let r = bounded::finish(child, Duration::from_secs(30), "nianbao");
        assert_eq!(r.code, code, "{signal}: {}", r.stderr);
        let left: Vec<_> = every_held_namespace()
            .intersection(&held)
            .cloned()
            .collect();
        assert!(left.is_empty(), "{signal}: still held: {left:?}");
        assert!(
            !tmp.path().join("out").exists(),
            "{signal}: nothing written"
        );
    }
    // And nothing was ever named under /run/netns.
    let named = std::fs::read_dir("/run/netns")
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("nianbao"))
                .count()
        })
        .unwrap_or(0);
    assert_eq!(named, 0);
}

#[test]
fn bad_network_values_name_the_key_and_what_is_allowed() {
    let err = |name: &str, sets: &[&str]| plan_of(name, sets).expect_err("refused");
    let e = err("mss-split", &["network.mtu=100"]);
    assert!(
        e.contains("network.mtu") && e.contains("allowed 576 to 65535"),
        "{e}"
    );
    let e = err("mss-split", &["network.rate=fast"]);
    assert!(
        e.contains("network.rate") && e.contains("bit, kbit, mbit or gbit"),
        "{e}"
    );
    let e = err("mss-split", &["network.loss=2"]);
    assert!(
        e.contains("network.loss") && e.contains("percentage"),
        "{e}"
    );
    let e = err("mss-split", &["network.jitter=1ms"]);
    assert!(e.contains("jitter"), "{e}");
    // A link to shape needs the lab.
    let e = err("hellofeng", &["network.mtu=9000"]);
    assert!(
        e.contains("network.mtu") && e.contains("network.lab = true"),
        "{e}"
    );
    let e = err("udp-hellofeng", &["network.lab=true"]);
    assert!(e.contains("network.lab") && e.contains("TCP"), "{e}");
    assert!(Path::new("experiments/mss-split.toml").exists());
}
