//! Bad input and faults of `listen`, `send` and `proxy`, each with real
//! sockets: a clear error and a non-zero exit with nothing half-written,
//! or, for a peer's bad bytes, a finding in the report.

mod peers;

use peers::{nianbao, port_of, start};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

const BOUND: Duration = Duration::from_secs(30);

fn out_dir() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    (dir, out)
}

/// A port nobody listens on: bound, then released.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_port_in_use_is_an_error_naming_it() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (_tmp, out) = out_dir();
    let (code, _, err) = peers::run(
        nianbao(&["listen", "--port", &port, "--out", out.to_str().unwrap()]),
        BOUND,
        "listen on a taken port",
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("cannot bind 127.0.0.1:{port}")),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_refused_connection_names_the_address() {
    let port = closed_port();
    let to = format!("127.0.0.1:{port}");
    let (_tmp, out) = out_dir();
    let (code, _, err) = peers::run(
        nianbao(&[
            "send",
            "hellofeng",
            "--to",
            &to,
            "--out",
            out.to_str().unwrap(),
        ]),
        BOUND,
        "send to a closed port",
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("connect to {to}")), "{err}");
    assert!(err.to_lowercase().contains("refused"), "{err}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_proxy_whose_server_refuses_names_it_and_writes_nothing() {
    let to = format!("127.0.0.1:{}", closed_port());
    let (_tmp, out) = out_dir();
    let proxy = start(
        nianbao(&["proxy", "--to", &to, "--out", out.to_str().unwrap()]),
        "proxy",
    );
    let port = port_of(&proxy.first_line);
    let _client = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    let (code, _, err) = proxy.finish(BOUND, "proxy to a closed port");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("connect to {to}")), "{err}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_bad_chunk_spec_names_the_allowed_forms() {
    for spec in ["0", "x", "random:9..2"] {
        let (code, _, err) = peers::run(
            nianbao(&["proxy", "--to", "127.0.0.1:9", "--chunk", spec]),
            BOUND,
            "bad --chunk",
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(&format!("--chunk {spec}")), "{err}");
        assert!(err.contains("allowed: pass, N"), "{err}");
    }
}

/// Starts `nianbao listen ARGS`, connects, writes `bytes`, closes; returns
/// the exit code, stdout and stderr.
fn listen_to(args: &[&str], bytes: &[u8], out: &std::path::Path) -> (i32, String, String) {
    let mut all = vec!["listen", "--out", out.to_str().unwrap()];
    all.extend_from_slice(args);
    let listen = start(nianbao(&all), "listen");
    let port = port_of(&listen.first_line);
    let mut c = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    c.write_all(bytes).unwrap();
    drop(c);
    listen.finish(BOUND, "listen")
}

#[test]
fn a_hostile_length_from_a_real_peer_is_a_finding_with_its_offset() {
    let (_tmp, out) = out_dir();
    let (code, stdout, err) = listen_to(
        &["--framing", "u32be"],
        &[0, 0, 0, 2, b'h', b'i', 0xff, 0xff, 0xff, 0xff, b'x'],
        &out,
    );
    assert_eq!(code, 0, "a finding, not a crash: {err}");
    assert!(stdout.contains("decoder stopped at byte 6"), "{stdout}");
    assert!(out.join("recvs.csv").exists());
}

#[test]
fn a_peer_that_closes_mid_frame_says_how_much_came() {
    let (_tmp, out) = out_dir();
    let (code, stdout, err) = listen_to(&["--framing", "u32be"], &[0, 0, 0, 9, b'h', b'i'], &out);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("got 6 of 13 bytes"), "{stdout}");
}

#[test]
fn a_peer_that_sends_nothing_until_the_deadline_is_an_error() {
    let (_tmp, out) = out_dir();
    let listen = start(
        nianbao(&["listen", "--deadline", "1s", "--out", out.to_str().unwrap()]),
        "listen",
    );
    let port = port_of(&listen.first_line);
    let c = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    let (code, _, err) = listen.finish(BOUND, "listen with a silent peer");
    drop(c);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("connected but sent nothing within 1s"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn no_client_before_the_deadline_is_an_error() {
    let (_tmp, out) = out_dir();
    let (code, _, err) = peers::run(
        nianbao(&[
            "listen",
            "--deadline",
            "300ms",
            "--out",
            out.to_str().unwrap(),
        ]),
        BOUND,
        "listen with nobody",
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no client connected to 127.0.0.1:"), "{err}");
    assert!(!out.exists());
}

#[test]
fn a_bad_listen_flag_is_one_line_naming_it() {
    for (flag, value, words) in [
        (
            "--recv-sizes",
            "0",
            "--recv-sizes 0: key `receiver.recv_sizes`",
        ),
        (
            "--start-delay",
            "soon",
            "--start-delay soon: key `receiver.start_delay`",
        ),
        (
            "--start-delay",
            "after-send",
            "--start-delay after-send: `after-send` needs nianbao's own sender",
        ),
        ("--idle", "0", "--idle 0"),
        ("--keep-bytes", "2GiB", "--keep-bytes 2GiB"),
        (
            "--reply",
            "exec",
            "--reply exec: allowed: none, echo, upper",
        ),
    ] {
        let (code, _, err) = peers::run(nianbao(&["listen", flag, value]), BOUND, flag);
        assert_eq!(code, 2, "{flag}: {err}");
        assert!(err.contains(words), "{flag}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{flag}: {err}");
    }
}

#[test]
fn a_server_that_resets_mid_conversation_ends_send_with_what_was_recorded() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let to = l.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (c, _) = l.accept().unwrap();
        let mut buf = [0u8; 16];
        let _ = std::io::Read::read(&mut &c, &mut buf);
        let c = socket2::Socket::from(c);
        c.set_linger(Some(Duration::ZERO)).unwrap();
        drop(c);
    });
    let (_tmp, out) = out_dir();
    let (code, stdout, err) = peers::run(
        nianbao(&[
            "send",
            "--to",
            &to,
            "--messages",
            "a,b,c,d,e,f",
            "--set",
            "sender.gap=100ms",
            "--out",
            out.to_str().unwrap(),
        ]),
        BOUND,
        "send to a resetting server",
    );
    server.join().unwrap();
    assert_eq!(code, 0, "{stdout}{err}");
    assert!(stdout.contains("the conversation ended early"), "{stdout}");
    assert!(
        out.join("sends.csv").exists(),
        "what was recorded is written"
    );
}

#[test]
fn a_client_that_never_reads_its_replies_ends_its_connection_not_the_run() {
    let (_tmp, out) = out_dir();
    let listen = start(
        nianbao(&[
            "listen",
            "--reply",
            "8MiB",
            "--deadline",
            "2s",
            "--out",
            out.to_str().unwrap(),
        ]),
        "listen",
    );
    let port = port_of(&listen.first_line);
    let mut c = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    c.write_all(b"hello").unwrap();
    let (code, stdout, err) = listen.finish(BOUND, "listen with a client that does not read");
    drop(c);
    assert_eq!(code, 0, "{stdout}{err}");
    assert!(stdout.contains("connection 0 from"), "{stdout}");
    assert!(
        stdout.contains("it failed") || stdout.contains("deadline"),
        "{stdout}"
    );
    let recvs = std::fs::read_to_string(out.join("recvs.csv")).unwrap();
    assert!(recvs.contains("hello"), "{recvs}");
}
