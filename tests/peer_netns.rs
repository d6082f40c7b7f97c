//! Two hosts: `nianbao listen` in one network namespace and `nianbao send`
//! in another, joined by a veth pair, over the veth addresses. Needs root
//! (CI is root); otherwise it prints `skipped:` and the reason. The
//! namespaces are removed on every exit path, a failing test included
//! (the guard's Drop runs while a panic unwinds).

mod peers;

use peers::{port_of, start};
use std::process::Command;
use std::time::Duration;

/// Two namespaces joined by a veth pair, removed when dropped.
struct Lab {
    names: [String; 2],
    addrs: [String; 2],
}

impl Lab {
    /// A new lab, or why one cannot be made here.
    fn new() -> Result<Lab, String> {
        if !nix::unistd::geteuid().is_root() {
            return Err("needs root to create network namespaces".into());
        }
        if Command::new("ip").arg("-V").output().is_err() {
            return Err("needs `ip` (iproute2)".into());
        }
        let tag = std::process::id() % 100_000;
        let net = 10 + (std::process::id() % 200);
        let lab = Lab {
            names: [format!("nb{tag}a"), format!("nb{tag}b")],
            addrs: [format!("10.201.{net}.1"), format!("10.201.{net}.2")],
        };
        let (a, b) = (&lab.names[0], &lab.names[1]);
        let (va, vb) = (format!("nbv{tag}a"), format!("nbv{tag}b"));
        let steps: Vec<Vec<String>> = vec![
            vec!["netns".into(), "add".into(), a.clone()],
            vec!["netns".into(), "add".into(), b.clone()],
            vec![
                "link".into(),
                "add".into(),
                va.clone(),
                "type".into(),
                "veth".into(),
                "peer".into(),
                "name".into(),
                vb.clone(),
            ],
            vec![
                "link".into(),
                "set".into(),
                va.clone(),
                "netns".into(),
                a.clone(),
            ],
            vec![
                "link".into(),
                "set".into(),
                vb.clone(),
                "netns".into(),
                b.clone(),
            ],
            vec![
                "-n".into(),
                a.clone(),
                "addr".into(),
                "add".into(),
                format!("{}/30", lab.addrs[0]),
                "dev".into(),
                va.clone(),
            ],
            vec![
                "-n".into(),
                b.clone(),
                "addr".into(),
                "add".into(),
                format!("{}/30", lab.addrs[1]),
                "dev".into(),
                vb.clone(),
            ],
            vec![
                "-n".into(),
                a.clone(),
                "link".into(),
                "set".into(),
                va,
                "up".into(),
            ],
            vec![
                "-n".into(),
                b.clone(),
                "link".into(),
                "set".into(),
                vb,
                "up".into(),
            ],
            vec![
                "-n".into(),
                a.clone(),
                "link".into(),
                "set".into(),
                "lo".into(),
                "up".into(),
            ],
            vec![
                "-n".into(),
                b.clone(),
                "link".into(),
                "set".into(),
                "lo".into(),
                "up".into(),
            ],
        ];
        for step in steps {
            let out = Command::new("ip")
                .args(&step)
                .output()
                .map_err(|e| e.to_string())?;
            if !out.status.success() {
                // `lab` is dropped here, removing what was made.
                return Err(format!(
                    "ip {}: {}",
                    step.join(" "),
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
        }
        Ok(lab)
    }

    /// `ip netns exec NS nianbao ARGS…` in namespace `i`.
    fn nianbao(&self, i: usize, args: &[&str]) -> Command {
        let mut c = Command::new("ip");
        c.args([
            "netns",
            "exec",
            &self.names[i],
            env!("CARGO_BIN_EXE_nianbao"),
        ])
        .args(args)
        .env("NO_COLOR", "1");
        c
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for n in &self.names {
            let _ = Command::new("ip").args(["netns", "del", n]).output();
        }
    }
}

#[test]
fn listen_in_one_namespace_and_send_in_the_other_across_a_veth() {
    let lab = match Lab::new() {
        Ok(lab) => lab,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("listen").display().to_string();
    let sent = dir.path().join("send").display().to_string();
    let listen = start(
        lab.nianbao(
            0,
            &[
                "listen",
                "--ip",
                &lab.addrs[0],
                "--start-delay",
                "100ms",
                "--messages",
                "hello,feng",
                "--out",
                &out,
            ],
        ),
        "listen in namespace a",
    );
    assert!(
        listen
            .first_line
            .starts_with(&format!("listening on {}:", lab.addrs[0])),
        "{}",
        listen.first_line
    );
    let to = format!("{}:{}", lab.addrs[0], port_of(&listen.first_line));
    let (code, stdout, stderr) = peers::run(
        lab.nianbao(1, &["send", "hellofeng", "--to", &to, "--out", &sent]),
        Duration::from_secs(30),
        "send in namespace b",
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, got, err) = listen.finish(Duration::from_secs(30), "listen in namespace a");
    assert_eq!(code, 0, "{got}{err}");
    assert!(
        got.contains(&format!("from {}:", lab.addrs[1])),
        "the peer is namespace b: {got}"
    );
    assert!(got.contains("recv    |hello·feng|"), "{got}");
    let recvs = std::fs::read_to_string(format!("{out}/recvs.csv")).unwrap();
    assert!(
        recvs.contains(",sticky,") && recvs.contains("hellofeng"),
        "{recvs}"
    );
    let sends = std::fs::read_to_string(format!("{sent}/sends.csv")).unwrap();
    assert_eq!(sends.lines().count(), 3, "two send() calls: {sends}");
    let (code, shown, err) = peers::run(
        peers::nianbao(&["show", &out]),
        Duration::from_secs(30),
        "show",
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        shown.contains(&format!("listen tcp {}:", lab.addrs[0])),
        "{shown}"
    );
}
