//! `listen`, `send` and `proxy` against real programs: the tutorial's own
//! Python client and servers (tests/peers/), on loopback, port 0.

mod peers;

use peers::{nianbao, port_of, python, start};
use std::time::Duration;

const BOUND: Duration = Duration::from_secs(30);

fn out_dir() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r").display().to_string();
    (dir, out)
}

#[test]
fn the_tutorials_client_shows_hellofeng_in_one_recv_under_listen() {
    let Some(_) = python("hellofeng_client.py", &[]) else {
        return;
    };
    let (_tmp, out) = out_dir();
    let listen = start(
        nianbao(&[
            "listen",
            "--start-delay",
            "50ms",
            "--messages",
            "hello,feng",
            "--out",
            &out,
        ]),
        "nianbao listen",
    );
    assert!(
        listen.first_line.starts_with("listening on 127.0.0.1:"),
        "{}",
        listen.first_line
    );
    let port = port_of(&listen.first_line);
    let client = python("hellofeng_client.py", &[&port]).unwrap();
    let (code, _, err) = peers::run(client, BOUND, "hellofeng_client.py");
    assert_eq!(code, 0, "{err}");
    let (code, stdout, stderr) = listen.finish(BOUND, "nianbao listen");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("recv    |hello·feng|"), "{stdout}");
    assert!(stdout.contains("sticky 粘包"), "{stdout}");
    let recvs = std::fs::read_to_string(format!("{out}/recvs.csv")).unwrap();
    assert_eq!(recvs.lines().count(), 2, "one recv: {recvs}");
    assert!(
        recvs.contains(",sticky,") && recvs.contains("hellofeng"),
        "{recvs}"
    );
    // show reads the peer's bytes back from the results folder.
    let (code, shown, _) = peers::run(nianbao(&["show", &out]), BOUND, "nianbao show");
    assert_eq!(code, 0);
    assert!(shown.contains("recv    |hello·feng|"), "{shown}");
}

#[test]
fn without_boundaries_listen_shows_the_read_and_calls_it_nothing() {
    let Some(_) = python("hellofeng_client.py", &[]) else {
        return;
    };
    let (_tmp, out) = out_dir();
    let listen = start(
        nianbao(&["listen", "--start-delay", "50ms", "--out", &out]),
        "listen",
    );
    let port = port_of(&listen.first_line);
    peers::run(
        python("hellofeng_client.py", &[&port]).unwrap(),
        BOUND,
        "client",
    );
    let (code, stdout, _) = listen.finish(BOUND, "nianbao listen");
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("|hellofeng|"), "{stdout}");
    assert!(stdout.contains("message boundaries unknown"), "{stdout}");
    assert!(
        !stdout.contains("sticky 粘包"),
        "no kind is invented: {stdout}"
    );
    let messages = std::fs::read_to_string(format!("{out}/messages.csv")).unwrap();
    assert_eq!(
        messages.lines().count(),
        1,
        "no message is invented: {messages}"
    );
}

/// What a conversation through `nianbao proxy` gave: the server's stdout,
/// and the proxy's exit code, stdout and stderr.
struct Relayed {
    server: String,
    code: i32,
    stdout: String,
    stderr: String,
}

/// Starts tests/peers/`server` (it prints its port), `nianbao proxy --to`
/// it with `args`, runs tests/peers/`client` against the proxy, and waits
/// for all three; `None` without python3.
fn through_proxy(server: &str, args: &[&str], client: &str, out: &str) -> Option<Relayed> {
    let server = start(python(server, &[])?, server);
    let to = format!("127.0.0.1:{}", server.first_line);
    let mut all = vec!["proxy", "--to", &to, "--out", out];
    all.extend_from_slice(args);
    let proxy = start(nianbao(&all), "nianbao proxy");
    let port = port_of(&proxy.first_line);
    let (code, _, err) = peers::run(python(client, &[&port])?, BOUND, client);
    assert_eq!(code, 0, "{client}: {err}");
    let (_, server_out, _) = server.finish(BOUND, "the server");
    let (code, stdout, stderr) = proxy.finish(BOUND, "nianbao proxy");
    Some(Relayed {
        server: server_out,
        code,
        stdout,
        stderr,
    })
}

#[test]
fn a_file_through_proxy_chunk_1_arrives_intact_every_frame_in_one_byte_writes() {
    let (_tmp, out) = out_dir();
    let args = ["--chunk", "1", "--framing", "json-header"];
    let Some(r) = through_proxy("file_server.py", &args, "file_client.py", &out) else {
        return;
    };
    assert!(
        r.server.contains("received 20000 bytes, md5 ok"),
        "{}",
        r.server
    );
    let stdout = r.stdout;
    assert_eq!(r.code, 0, "{stdout}{}", r.stderr);
    assert!(stdout.contains("intact"), "{stdout}");
    let sends = std::fs::read_to_string(format!("{out}/sends.csv")).unwrap();
    let c2s_writes: Vec<&str> = sends.lines().filter(|l| l.contains(",c2s,")).collect();
    assert!(
        c2s_writes.iter().all(|l| l.ends_with(",1,1")),
        "one-byte writes"
    );
    // 4 bytes of length, the JSON header, and the 20000-byte body.
    assert!(
        (20004 + 40..20004 + 200).contains(&c2s_writes.len()),
        "{} writes",
        c2s_writes.len()
    );
    assert!(
        stdout.contains("cut 1 of 1 message into as many as"),
        "the report says each frame was cut: {stdout}"
    );
}

#[test]
fn a_receiver_that_takes_each_recv_as_a_message_breaks_behind_coalesce() {
    let (_tmp, out) = out_dir();
    let args = ["--coalesce", "50ms", "--messages", "dir,ipconfig,tasklist"];
    let Some(r) = through_proxy("naive_server.py", &args, "paced_client.py", &out) else {
        return;
    };
    let got = r.server;
    assert_eq!(
        got.lines().filter(|l| l.starts_with("message:")).count(),
        1,
        "three commands arrive as one 'message': {got}"
    );
    assert!(got.contains("message: diripconfigtasklist"), "{got}");
    let stdout = r.stdout;
    assert_eq!(r.code, 0, "{stdout}");
    assert!(
        stdout.contains("carried bytes of up to 3 messages at once"),
        "the report shows why: {stdout}"
    );
}

#[test]
fn the_tutorials_upper_server_behind_send_has_its_replies_recorded() {
    let Some(server) = python("upper_server.py", &[]) else {
        return;
    };
    let server = start(server, "upper_server.py");
    let to = format!("127.0.0.1:{}", server.first_line);
    let (_tmp, out) = out_dir();
    let (code, stdout, stderr) = peers::run(
        nianbao(&["send", "hellofeng", "--to", &to, "--out", &out]),
        BOUND,
        "nianbao send",
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    server.finish(BOUND, "upper_server.py");
    assert!(stdout.contains("s2c flow"), "{stdout}");
    assert!(
        stdout.contains("HELLO") || stdout.contains("HELLOFENG"),
        "{stdout}"
    );
    let recvs = std::fs::read_to_string(format!("{out}/recvs.csv")).unwrap();
    assert!(recvs.lines().any(|l| l.contains(",s2c,")), "{recvs}");
}

#[test]
fn socat_as_the_client_framed_by_lines() {
    if std::process::Command::new("socat")
        .arg("-V")
        .output()
        .is_err()
    {
        println!("skipped: socat is not installed (.ci/run installs it)");
        return;
    }
    let (_tmp, out) = out_dir();
    let listen = start(
        nianbao(&[
            "listen",
            "--framing",
            "line",
            "--recv-sizes",
            "3",
            "--out",
            &out,
        ]),
        "nianbao listen",
    );
    let port = port_of(&listen.first_line);
    let mut socat = std::process::Command::new("sh");
    socat.args([
        "-c",
        &format!("printf 'first\\nsecond\\n' | socat - TCP:127.0.0.1:{port}"),
    ]);
    let (code, _, err) = peers::run(socat, BOUND, "socat");
    assert_eq!(code, 0, "{err}");
    let (code, stdout, _) = listen.finish(BOUND, "nianbao listen");
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("decoded |intact ✓|"), "{stdout}");
    assert!(
        stdout.contains("rebuilt 2 of 2 messages intact from 5 raw reads"),
        "{stdout}"
    );
    let messages = std::fs::read_to_string(format!("{out}/messages.csv")).unwrap();
    assert_eq!(
        messages.lines().filter(|l| l.contains(",intact,")).count(),
        2,
        "{messages}"
    );
    let recvs = std::fs::read_to_string(format!("{out}/recvs.csv")).unwrap();
    assert!(
        recvs
            .lines()
            .skip(1)
            .all(|l| l.contains(",3,") || l.contains(",1,")),
        "recv(3) reads: {recvs}"
    );
}

#[test]
fn ctrl_c_ends_a_listen_and_writes_what_was_gathered() {
    let (_tmp, out) = out_dir();
    let listen = start(
        nianbao(&["listen", "--deadline", "20s", "--out", &out]),
        "nianbao listen",
    );
    let port = port_of(&listen.first_line);
    let mut c = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    std::io::Write::write_all(&mut c, b"hello").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let pid = nix::unistd::Pid::from_raw(listen.child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let (code, stdout, stderr) = listen.finish(BOUND, "nianbao listen after Ctrl-C");
    drop(c);
    assert_eq!(code, 130, "{stdout}{stderr}");
    assert!(
        stdout.contains("Interrupted by SIGINT (Ctrl-C): what was gathered until then is written"),
        "{stdout}"
    );
    let recvs = std::fs::read_to_string(format!("{out}/recvs.csv")).unwrap();
    assert!(recvs.contains("hello"), "{recvs}");
}

/// A client that sends `hi` and then half-closes or resets, through the proxy.
fn proxy_end(reset: bool) -> Option<(String, String)> {
    let server = start(python("end_server.py", &[])?, "end_server.py");
    let to = format!("127.0.0.1:{}", server.first_line);
    let (_tmp, out) = out_dir();
    let proxy = start(
        nianbao(&["proxy", "--to", &to, "--out", &out]),
        "nianbao proxy",
    );
    let port: u16 = port_of(&proxy.first_line).parse().unwrap();
    let sock = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    sock.connect(&std::net::SocketAddr::from(([127, 0, 0, 1], port)).into())
        .unwrap();
    sock.send(b"hi").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    if reset {
        sock.set_linger(Some(Duration::ZERO)).unwrap();
        drop(sock);
    } else {
        sock.shutdown(std::net::Shutdown::Write).unwrap();
        std::thread::sleep(Duration::from_millis(200));
        drop(sock);
    }
    let (_, said, _) = server.finish(BOUND, "end_server.py");
    let (_, stdout, _) = proxy.finish(BOUND, "nianbao proxy");
    Some((said, stdout))
}

#[test]
fn the_proxy_passes_a_half_close_as_a_half_close_and_a_reset_as_a_reset() {
    let Some((said, stdout)) = proxy_end(false) else {
        return;
    };
    assert_eq!(said.trim(), "closed", "{stdout}");
    assert!(
        stdout.contains("the client closed the connection"),
        "{stdout}"
    );
    let (said, stdout) = proxy_end(true).unwrap();
    assert_eq!(said.trim(), "reset", "{stdout}");
    assert!(
        stdout.contains("the client reset the connection"),
        "{stdout}"
    );
}

#[test]
fn udp_listen_keeps_each_datagram_and_shows_truncation() {
    let (_tmp, out) = out_dir();
    let listen = start(
        nianbao(&[
            "listen",
            "--kind",
            "udp",
            "--recv-sizes",
            "4",
            "--idle",
            "300ms",
            "--out",
            &out,
        ]),
        "nianbao listen --kind udp",
    );
    let port: u16 = port_of(&listen.first_line).parse().unwrap();
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    s.send_to(b"hello", ("127.0.0.1", port)).unwrap();
    s.send_to(b"feng", ("127.0.0.1", port)).unwrap();
    let (code, stdout, err) = listen.finish(BOUND, "nianbao listen --kind udp");
    assert_eq!(code, 0, "{stdout}{err}");
    assert!(stdout.contains("1 datagram truncated"), "{stdout}");
    assert!(stdout.contains("Datagrams recorded"), "{stdout}");
    let messages = std::fs::read_to_string(format!("{out}/messages.csv")).unwrap();
    assert!(
        messages.contains(",truncated,") && messages.contains(",intact,"),
        "{messages}"
    );
}
