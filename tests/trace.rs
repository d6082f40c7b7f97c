//! `nianbao trace -- CMD` on real programs: the tutorial's Python server
//! and client (tests/traced/, changed only in address, port and a 50 ms
//! sleep before the server's first recv), its remote shell, and a C
//! program using writev, sendmsg and readv in a forked server. Each runs
//! in a temporary folder; the server writes its port (bound to 0) to the
//! file `port`, and the shell waits for it before starting the client.
//!
//! ptrace of one's own children works for any user; where it is
//! forbidden (a container's seccomp, Yama mode 3) each test prints
//! `skipped: <reason>` and returns.

mod peers;

use peers::nianbao;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const BOUND: Duration = Duration::from_secs(60);

/// The shell that starts `server`, waits (at most 10 s) for its port,
/// then runs `client PORT`, and waits for both.
fn both(server: &str, client: &str) -> String {
    format!(
        "{server} & i=0; while [ ! -s port ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done; {client} $(cat port); wait"
    )
}

/// A temporary folder holding tests/traced/`name` for each name, with
/// `(from, to)` replaced in every file.
fn folder(names: &[&str], subst: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "traced"]
        .iter()
        .collect();
    for n in names {
        let mut text = std::fs::read_to_string(src.join(n)).unwrap();
        for (from, to) in subst {
            text = text.replace(from, to);
        }
        std::fs::write(dir.path().join(n), text).unwrap();
    }
    dir
}

/// Why tracing cannot be tested here, if it cannot: no python3, or
/// ptrace forbidden.
fn cannot(needs_python: bool) -> Option<String> {
    if needs_python && Command::new("python3").arg("--version").output().is_err() {
        return Some("python3 is not installed (.ci/run installs it)".into());
    }
    let (code, _, err) = peers::run(
        nianbao(&["trace", "--quiet", "--", "true"]),
        BOUND,
        "trace true",
    );
    if code != 0 && (err.contains("PTRACE_TRACEME") || err.contains("not permitted")) {
        return Some(format!("ptrace is not permitted here: {}", err.trim()));
    }
    None
}

/// `nianbao trace --out DIR/r ARGS… -- sh -c SCRIPT` in `dir`.
fn trace(dir: &Path, args: &[&str], script: &str) -> (i32, String, String) {
    let out = dir.join("r").display().to_string();
    let mut all = vec!["trace", "--out", &out];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--", "sh", "-c", script]);
    let mut cmd = nianbao(&all);
    cmd.current_dir(dir);
    peers::run(cmd, BOUND, "nianbao trace")
}

fn csv(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join("r").join(name)).unwrap()
}

fn skip(why: Option<String>) -> bool {
    if let Some(w) = &why {
        println!("skipped: {w}");
    }
    why.is_some()
}

#[test]
fn the_tutorials_hellofeng_is_one_sticky_recv_of_two_send_calls() {
    if skip(cannot(true)) {
        return;
    }
    let dir = folder(&["hellofeng_server.py", "hellofeng_client.py"], &[]);
    let script = both("python3 hellofeng_server.py", "python3 hellofeng_client.py");
    let (code, stdout, stderr) = trace(dir.path(), &[], &script);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // The program's own output comes first, unchanged, then the report.
    let report = stdout.find("trace — ").expect("a report");
    assert!(stdout[..report].contains("-----> hellofeng\n"), "{stdout}");
    assert!(stdout.contains("sent    |hello|feng|"), "{stdout}");
    assert!(stdout.contains("recv    |hello·feng|"), "{stdout}");
    assert!(stdout.contains("sticky 粘包"), "{stdout}");
    assert!(stdout.contains("messages = send() calls"), "{stdout}");
    assert!(stdout.contains("both ends traced"), "{stdout}");
    let recvs = csv(dir.path(), "recvs.csv");
    assert_eq!(recvs.lines().count(), 2, "one recv: {recvs}");
    assert!(
        recvs.contains(",0,9,0,1,sticky,") && recvs.contains("hellofeng"),
        "{recvs}"
    );
    let messages = csv(dir.path(), "messages.csv");
    assert_eq!(messages.matches(",merged,").count(), 2, "{messages}");
    // show reads the folder back; the chart was drawn.
    let out = dir.path().join("r").display().to_string();
    let (code, shown, _) = peers::run(nianbao(&["show", &out]), BOUND, "nianbao show");
    assert_eq!(code, 0);
    assert!(shown.contains("recv    |hello·feng|"), "{shown}");
    let png = std::fs::metadata(dir.path().join("r/boundaries.png")).unwrap();
    assert!(png.len() > 5000, "boundaries.png is {} bytes", png.len());
    // As root the wire is captured too, and checked against the calls.
    if nix::unistd::geteuid().is_root() {
        assert!(stdout.contains("wire    |hello|feng|"), "{stdout}");
        assert!(
            stdout.contains("c2s: 2 segments carried the 9 bytes the traced send() calls wrote"),
            "{stdout}"
        );
        assert!(
            stdout.contains("merged in the receive buffer, not on the wire"),
            "{stdout}"
        );
        assert!(shown.contains("wire    |hello|feng|"), "{shown}");
        let segments = csv(dir.path(), "segments.csv");
        assert!(
            segments.contains(",c2s,") && segments.contains(",0,5,PSH|ACK"),
            "{segments}"
        );
        assert!(dir.path().join("r/capture.pcapng").is_file());
    } else {
        println!("skipped the wire half: capturing needs root or CAP_NET_RAW");
        assert!(
            stdout.contains("segments not captured: needs root"),
            "{stdout}"
        );
    }
}

#[test]
fn with_recv_2_the_tutorials_hello_feng_reads_he_then_llo_feng() {
    if skip(cannot(true)) {
        return;
    }
    let dir = folder(
        &["hellofeng_server.py", "hellofeng_client.py"],
        // The tutorial's 分包 variant: one send, a first recv of 2 bytes.
        &[
            ("data1=conn.recv(10)", "data1=conn.recv(2)"),
            (
                "s.send('hello'.encode('utf-8'))\ns.send('feng'.encode('utf-8'))",
                "s.send('hello feng'.encode('utf-8'))",
            ),
        ],
    );
    let script = both("python3 hellofeng_server.py", "python3 hellofeng_client.py");
    let (code, stdout, stderr) = trace(dir.path(), &[], &script);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("-----> he\n-----> llo feng\n"), "{stdout}");
    let recvs = csv(dir.path(), "recvs.csv");
    let labels: Vec<&str> = recvs
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap())
        .collect();
    assert_eq!(labels, ["he", "llo feng"], "{recvs}");
    assert_eq!(recvs.matches(",fragment,").count(), 2, "{recvs}");
    assert!(csv(dir.path(), "messages.csv").contains(",split,"));
}

#[test]
fn the_tutorials_remote_shell_bleeds_the_last_reply_into_the_next() {
    if skip(cannot(true)) {
        return;
    }
    let dir = folder(&["shell_server.py", "shell_client.py"], &[]);
    let script = both("python3 shell_server.py", "python3 shell_client.py");
    let (code, stdout, stderr) = trace(dir.path(), &[], &script);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // `seq 1 400` prints 1492 bytes; the client's recv(1024) takes 1024,
    // and its next recv, meant for `echo done`, gets the other 468.
    let recvs = csv(dir.path(), "recvs.csv");
    let s2c: Vec<&str> = recvs.lines().filter(|l| l.contains(",s2c,")).collect();
    assert!(s2c.len() >= 2, "{recvs}");
    assert!(s2c[0].contains(",0,1024,0,0,fragment,"), "{recvs}");
    assert!(
        s2c[1].contains(",1024,468,0,0,fragment,"),
        "the rest of reply 0: {recvs}"
    );
    let sends = csv(dir.path(), "sends.csv");
    assert!(
        sends.contains(",s2c,") && sends.contains(",1492,1492"),
        "{sends}"
    );
}

#[test]
fn writev_sendmsg_and_readv_in_a_forked_server_are_read_correctly() {
    if skip(cannot(false)) {
        return;
    }
    let dir = folder(&["vectors.c"], &[]);
    let cc = Command::new("cc")
        .args(["-O1", "-o", "vectors", "vectors.c"])
        .current_dir(dir.path())
        .output();
    match cc {
        Ok(o) if o.status.success() => {}
        other => {
            println!("skipped: no working C compiler (cc): {other:?}");
            return;
        }
    }
    let (code, stdout, stderr) = trace(
        dir.path(),
        &[],
        &both("./vectors server", "./vectors client"),
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("readv: 10 bytes"), "{stdout}");
    let sends = csv(dir.path(), "sends.csv");
    let calls: Vec<&str> = sends.lines().skip(1).collect();
    assert_eq!(calls.len(), 3, "writev, sendmsg, write: {sends}");
    assert!(
        calls[0].ends_with(",0,0,5,5")
            && calls[1].ends_with(",1,5,4,4")
            && calls[2].ends_with(",2,9,1,1"),
        "{sends}"
    );
    let recvs = csv(dir.path(), "recvs.csv");
    assert!(
        recvs.contains(",0,10,0,2,sticky,false,104,") && recvs.contains("hellofeng!"),
        "{recvs}"
    );
    // The forked child read it: the accepting process never did.
    assert!(stdout.contains("both ends traced"), "{stdout}");
}

#[test]
fn a_killed_program_ends_the_trace_with_what_was_recorded_and_its_status() {
    if skip(cannot(true)) {
        return;
    }
    let dir = folder(
        &["hellofeng_server.py", "hellofeng_client.py"],
        &[(
            "print('----->',data1",
            "import os,signal; os.kill(os.getpid(), signal.SIGKILL)\nprint('----->',data1",
        )],
    );
    // The server kills itself after its first recv; the shell then kills
    // itself too, so the command's status is SIGKILL's.
    let script =
        both("python3 hellofeng_server.py", "python3 hellofeng_client.py") + "; kill -9 $$";
    let (code, stdout, stderr) = trace(dir.path(), &[], &script);
    assert_eq!(code, 128 + 9, "{stdout}{stderr}");
    assert!(
        !stdout.contains("----->"),
        "the server died before printing: {stdout}"
    );
    assert!(stdout.contains("recv    |hello·feng|"), "{stdout}");
    assert!(
        stdout.contains("the command was killed by signal 9"),
        "{stdout}"
    );
}

#[test]
fn the_deadline_ends_a_program_that_never_stops() {
    if skip(cannot(false)) {
        return;
    }
    let started = std::time::Instant::now();
    let (code, stdout, stderr) = peers::run(
        nianbao(&["trace", "--deadline", "1s", "--", "sleep", "30"]),
        BOUND,
        "trace sleep",
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(code, 128 + 9, "{stdout}{stderr}");
    assert!(
        stdout.contains("no TCP or UNIX stream connection or UDP datagram was recorded"),
        "{stdout}"
    );
    assert!(stdout.contains("the deadline passed"), "{stdout}");
}

#[test]
fn a_missing_or_setuid_program_is_refused_with_exit_2() {
    let (code, _, err) = peers::run(
        nianbao(&["trace", "--", "/no/such/program"]),
        BOUND,
        "trace missing",
    );
    assert_eq!(code, 2);
    assert!(err.contains("`/no/such/program` is not found"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let prog = dir.path().join("suid");
    std::fs::write(&prog, "#!/bin/sh\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&prog, std::fs::Permissions::from_mode(0o4755)).unwrap();
    let (code, _, err) = peers::run(
        nianbao(&["trace", "--", prog.to_str().unwrap()]),
        BOUND,
        "trace suid",
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("set-user-ID") && err.lines().count() == 1,
        "{err}"
    );
    let (code, _, err) = peers::run(
        nianbao(&["trace", "--framing", "bogus", "--", "true"]),
        BOUND,
        "trace framing",
    );
    assert_eq!(code, 2);
    assert!(err.contains("--framing bogus"), "{err}");
}

/// Starts `python3 -c CODE` in `dir`, untraced.
fn python_in(dir: &Path, code: &str) -> std::process::Child {
    Command::new("python3")
        .args(["-c", code])
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("python3 starts")
}

/// Whether `pid` is traced by someone (TracerPid in /proc/PID/status).
fn tracer_of(pid: u32) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("TracerPid:"))
        .map(|v| v.trim().to_string())
}

#[test]
fn attach_to_a_running_server_records_its_recvs() {
    if skip(cannot(true)) {
        return;
    }
    let dir = folder(&["hellofeng_server.py", "hellofeng_client.py"], &[]);
    let mut server = python_in(
        dir.path(),
        &std::fs::read_to_string(dir.path().join("hellofeng_server.py")).unwrap(),
    );
    let port = dir.path().join("port");
    for _ in 0..500 {
        if port.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = dir.path().join("r").display().to_string();
    let pid = server.id().to_string();
    let mut cmd = nianbao(&[
        "trace",
        "--pid",
        &pid,
        "--messages",
        "hello,feng",
        "--out",
        &out,
    ]);
    cmd.current_dir(dir.path());
    let traced = peers::start(cmd, "nianbao trace --pid");
    if !traced.first_line.starts_with("tracing pid") {
        let (_, _, err) = traced.finish(BOUND, "trace --pid");
        let _ = server.kill();
        let _ = server.wait();
        println!("skipped: cannot attach here: {err}");
        return;
    }
    let p = std::fs::read_to_string(&port).unwrap();
    let mut client = Command::new("python3");
    client
        .arg("hellofeng_client.py")
        .arg(p.trim())
        .current_dir(dir.path());
    let (code, _, err) = peers::run(client, BOUND, "client");
    assert_eq!(code, 0, "{err}");
    let (code, stdout, stderr) = traced.finish(BOUND, "nianbao trace --pid");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("given   |hello|feng|"), "{stdout}");
    assert!(stdout.contains("recv    |hello·feng|"), "{stdout}");
    assert!(
        stdout.contains("only the server end was traced"),
        "{stdout}"
    );
    let _ = server.wait();
    assert!(
        stdout.contains(&format!("pid {pid} exited while traced")),
        "{stdout}"
    );
}

#[test]
fn ctrl_c_detaches_from_an_attached_process_and_leaves_it_running() {
    if skip(cannot(true)) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut looping = python_in(
        dir.path(),
        "import time\nfor i in range(600): time.sleep(0.05); print(i, flush=True)",
    );
    let pid = looping.id();
    let traced = peers::start(
        nianbao(&[
            "trace",
            "--pid",
            &pid.to_string(),
            "--out",
            &dir.path().join("r").display().to_string(),
        ]),
        "trace --pid",
    );
    if !traced.first_line.starts_with("tracing pid") {
        let _ = looping.kill();
        let _ = looping.wait();
        println!("skipped: cannot attach here");
        return;
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_ne!(
        tracer_of(pid).as_deref(),
        Some("0"),
        "traced while nianbao runs"
    );
    nix_kill(traced.child.id(), "INT");
    let (code, stdout, stderr) = traced.finish(BOUND, "trace --pid");
    assert_eq!(code, 130, "{stdout}{stderr}");
    assert!(stdout.contains("nianbao detached from pid"), "{stdout}");
    assert_eq!(tracer_of(pid).as_deref(), Some("0"), "detached");
    assert!(looping.try_wait().unwrap().is_none(), "it goes on running");
    let _ = looping.kill();
    let _ = looping.wait();
}

#[test]
fn a_pid_that_does_not_exist_or_a_pid_with_a_command_is_exit_2() {
    let (code, _, err) = peers::run(
        nianbao(&["trace", "--pid", "2147483646"]),
        BOUND,
        "trace --pid",
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("no such process") && err.lines().count() == 1,
        "{err}"
    );
    let (code, _, err) = peers::run(
        nianbao(&["trace", "--pid", "1", "--", "true"]),
        BOUND,
        "trace --pid cmd",
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--pid"), "{err}");
}

/// `kill -SIG pid`.
fn nix_kill(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{sig} {pid}");
}

#[test]
fn udp_datagrams_keep_their_boundaries_and_a_long_one_is_truncated_by_what_it_lost() {
    if skip(cannot(true)) {
        return;
    }
    let dir = folder(&["udp_server.py", "udp_client.py"], &[]);
    let script = both("python3 udp_server.py", "python3 udp_client.py");
    let (code, stdout, stderr) = trace(dir.path(), &[], &script);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("trace udp "), "{stdout}");
    assert!(stdout.contains("1 UDP conversation recorded"), "{stdout}");
    assert!(stdout.contains("976 of 2000 bytes discarded"), "{stdout}");
    let recvs = csv(dir.path(), "recvs.csv");
    let kinds: Vec<&str> = recvs
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(8).unwrap())
        .collect();
    assert_eq!(kinds, ["whole", "whole", "truncated"], "{recvs}");
    let messages = csv(dir.path(), "messages.csv");
    assert!(
        messages.contains(",2,9,2000,") && messages.contains(",truncated,"),
        "{messages}"
    );
}

/// The checks both UNIX tests make: one recv holds `hellofeng`, both
/// messages merged, and `show` reads the folder back.
fn hellofeng_over_unix(dir: &Path, stdout: &str, kind: &str) {
    assert!(stdout.contains("-----> hellofeng\n"), "{stdout}");
    assert!(stdout.contains("sent    |hello|feng|"), "{stdout}");
    assert!(stdout.contains("recv    |hello·feng|"), "{stdout}");
    assert!(stdout.contains("sticky 粘包"), "{stdout}");
    assert!(
        stdout.contains("a UNIX stream socket is a byte stream"),
        "{stdout}"
    );
    assert!(!stdout.contains("TCP is a byte stream"), "{stdout}");
    assert!(stdout.contains("over UNIX stream sockets"), "{stdout}");
    assert!(
        stdout.contains(&format!("connection 0 ({kind}): client ")),
        "{stdout}"
    );
    assert!(stdout.contains("both ends traced"), "{stdout}");
    assert!(!stdout.contains("not analysed"), "{stdout}");
    // No made-up IP address stands for a UNIX end.
    assert!(!stdout.contains("0.0.0.0"), "{stdout}");
    let recvs = csv(dir, "recvs.csv");
    assert_eq!(recvs.lines().count(), 2, "one recv: {recvs}");
    assert!(
        recvs.contains(",0,9,0,1,sticky,") && recvs.contains("hellofeng"),
        "{recvs}"
    );
    let messages = csv(dir, "messages.csv");
    assert_eq!(messages.matches(",merged,").count(), 2, "{messages}");
    let out = dir.join("r").display().to_string();
    let (code, shown, _) = peers::run(nianbao(&["show", &out]), BOUND, "nianbao show");
    assert_eq!(code, 0);
    assert!(shown.contains("recv    |hello·feng|"), "{shown}");
    assert!(shown.contains(&format!("({kind})")), "{shown}");
    assert!(
        shown.contains("a UNIX stream socket is a byte stream"),
        "{shown}"
    );
}

#[test]
fn a_unix_socket_path_pairs_the_unnamed_client_with_the_accepted_end() {
    if skip(cannot(true)) {
        return;
    }
    let dir = folder(&["unix_server.py", "unix_client.py"], &[]);
    let script = both("python3 unix_server.py", "python3 unix_client.py");
    let (code, stdout, stderr) = trace(dir.path(), &[], &script);
    assert_eq!(code, 0, "{stdout}{stderr}");
    hellofeng_over_unix(dir.path(), &stdout, "UNIX stream");
    // The accepted end has the listener's path; the client has none.
    assert!(stdout.contains("client unnamed (python3, pid "), "{stdout}");
    assert!(stdout.contains("→ server sock (python3, pid "), "{stdout}");
}

#[test]
fn a_socketpair_in_one_forked_program_is_one_connection_and_the_first_sender_the_client() {
    if skip(cannot(true)) {
        return;
    }
    let dir = folder(&["socketpair.py"], &[]);
    let (code, stdout, stderr) = trace(dir.path(), &[], "python3 socketpair.py");
    assert_eq!(code, 0, "{stdout}{stderr}");
    hellofeng_over_unix(dir.path(), &stdout, "UNIX socketpair");
    assert!(
        stdout.contains("(the client is the end that sent first)"),
        "{stdout}"
    );
}

#[test]
fn a_socketpair_in_another_network_namespace_is_paired_there() {
    if skip(cannot(true)) {
        return;
    }
    // A new network namespace needs CAP_SYS_ADMIN (root, as in CI).
    let unshared = Command::new("unshare").args(["-n", "true"]).output();
    if !unshared.is_ok_and(|o| o.status.success()) {
        println!("skipped: unshare -n is not permitted here");
        return;
    }
    let dir = folder(&["socketpair.py"], &[]);
    let (code, stdout, stderr) = trace(dir.path(), &[], "unshare -n python3 socketpair.py");
    assert_eq!(code, 0, "{stdout}{stderr}");
    // The kernel finds a UNIX socket by inode only in its own namespace:
    // nianbao asks there.
    hellofeng_over_unix(dir.path(), &stdout, "UNIX socketpair");
    assert!(!stdout.contains("did not name the peer"), "{stdout}");
}

#[test]
fn a_unix_client_that_closed_before_the_accept_is_paired_by_its_bytes() {
    if skip(cannot(true)) {
        return;
    }
    // The client connects, sends and closes; only then (file `sent`) does
    // the server accept: the kernel never linked the two by inode.
    let dir = folder(
        &["unix_server.py", "unix_client.py"],
        &[
            (
                "conn,addr=server.accept()",
                "i=0\nwhile not os.path.exists('sent') and i<1000: time.sleep(0.01); i+=1\nconn,addr=server.accept()",
            ),
            ("s.close()", "s.close(); open('sent','w').close()"),
        ],
    );
    let script = both("python3 unix_server.py", "python3 unix_client.py");
    let (code, stdout, stderr) = trace(dir.path(), &[], &script);
    assert_eq!(code, 0, "{stdout}{stderr}");
    hellofeng_over_unix(dir.path(), &stdout, "UNIX stream");
    assert!(stdout.contains("paired by their bytes"), "{stdout}");
}

/// A set-user-ID program run deeper in the traced tree would run without
/// its privileges under an ordinary user's ptrace: the tree is killed at
/// its exec, before it runs an instruction, and the report says why. As
/// root the test runs nianbao as `nobody` (setpriv), since a root tracer
/// does not take the privileges away.
#[test]
fn a_setuid_program_deeper_in_the_tree_is_refused_before_it_runs() {
    use std::os::unix::fs::PermissionsExt;
    let setuid = ["/usr/bin/passwd", "/bin/su", "/usr/bin/su"]
        .into_iter()
        .find(|p| std::fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o4000 != 0));
    let Some(setuid) = setuid else {
        println!("skipped: no set-user-ID program (passwd, su) on this machine");
        return;
    };
    let root = nix::unistd::geteuid().is_root();
    if root && Command::new("setpriv").arg("--version").output().is_err() {
        println!("skipped: running as root and no setpriv to trace as an ordinary user");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = dir.path().join("r").display().to_string();
    let script = format!("echo before; {setuid} --help >/dev/null 2>&1; echo after");
    let args = ["trace", "--out", &out, "--", "sh", "-c", &script];
    let mut cmd = match root {
        true => {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(env!("CARGO_BIN_EXE_nianbao"))
                .args(args)
                .env("NO_COLOR", "1");
            c
        }
        false => nianbao(&args),
    };
    cmd.current_dir(dir.path());
    let (code, stdout, stderr) = peers::run(cmd, BOUND, "nianbao trace");
    if stderr.contains("PTRACE_TRACEME") || stderr.contains("not permitted") {
        println!("skipped: ptrace is not permitted here: {}", stderr.trim());
        return;
    }
    assert!(stdout.lines().any(|l| l == "before"), "{stdout}{stderr}");
    assert!(
        !stdout.lines().any(|l| l == "after"),
        "the rest of the tree was stopped: {stdout}"
    );
    assert!(
        stdout.contains(&format!("refused: the traced tree ran `{setuid}`")),
        "{stdout}{stderr}"
    );
    assert_eq!(code, 2, "{stdout}{stderr}");
}
