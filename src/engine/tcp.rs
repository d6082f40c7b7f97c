//! A TCP trial: the server reads with its recv size schedule (and answers
//! each read when replies are on); the client sends every message with its
//! gaps and options, reads replies, then waits for the server to finish.

use super::framed::{FrameReader, Outgoing};
use super::tcp_io::{send_all, send_vectored, Tx};
use super::timeout::Armed;
use super::{
    check, gap_before, pause, record_recv, reserve_recvs, reserve_sending, start_late, Ctx,
};
use crate::engine::model::FlowModel;
use crate::engine::payload::{generate, reply_bytes, Rng};
use crate::error::{Error, Result};
use crate::experiment::{Reply, ReplyPer};
use crate::net::{self, Socket, TcpOptions};
use crate::trace::{DecodedEvent, FlowTrace, MessageSpan, Queued, Recorded, RecvEvent, Trace};
use std::net::SocketAddr;

/// Runs the trial: server thread and client thread, joined.
pub(super) fn run(ctx: &Ctx) -> Result<Trace> {
    let exp = ctx.exp;
    let ip = match ctx.lab {
        Some(_) => net::lab::receiver_ip(exp.transport.ip.is_ipv6()),
        None => exp.transport.ip,
    };
    let listener = ctx.as_receiver(|| {
        net::listen_tcp(SocketAddr::new(ip, exp.transport.port), exp.receiver.rcvbuf)
    })?;
    let addr = net::local_addr(&listener)
        .ok_or_else(|| Error::Stream("listener has no address".into()))?;
    // In the lab the capture is made in the receiver's namespace, on its veth.
    let wire = ctx.as_receiver(|| super::capture::Armed::open(ctx, addr.port()))?;
    let (server, client) = std::thread::scope(|s| {
        let server = s.spawn(|| serve(ctx, &listener));
        let client = client(ctx, addr);
        (server.join(), client)
    });
    let server = server.map_err(|_| Error::Stream("the receiver thread panicked".into()))?;
    // The server's error is the cause when both fail (the client then sees a closed socket).
    let (got, s2c_sent) = server?;
    let (mut c2s, s2c_recvs) = client?;
    c2s.recvs = got.recvs;
    c2s.decoded = got.decoded;
    c2s.decode_error = got.decode_error;
    let s2c = s2c_sent.map(|mut f| {
        f.recvs = s2c_recvs;
        f
    });
    let mut trace = Trace {
        c2s,
        s2c,
        ..Trace::default()
    };
    wire.finish(&mut trace)?;
    Ok(trace)
}

/// What the server recorded of the c2s flow.
#[derive(Default)]
struct Received {
    recvs: Vec<RecvEvent>,
    decoded: Vec<DecodedEvent>,
    decode_error: Option<String>,
}

/// The server side: returns the c2s reads (and decoded frames) and the s2c trace.
fn serve(ctx: &Ctx, listener: &Socket) -> Result<(Received, Option<FlowTrace>)> {
    let exp = ctx.exp;
    let r = &exp.receiver;
    let total = ctx.c2s.total();
    let mut got = Received {
        recvs: reserve_recvs(ctx.c2s.spans().len()),
        ..Received::default()
    };
    let mut framed = match ctx.c2s {
        FlowModel::Framed(f) => Some(FrameReader::new(f)),
        _ => None,
    };
    let mut s2c = ctx.s2c.map(|_| reserve_sending(ctx.c2s.spans().len()));
    let mut buf = vec![0u8; r.recv_sizes.max() as usize];
    let mut replies = Replier::default();
    let mut armed = Armed::default();
    let conn = net::accept_until(listener, ctx.deadline, exp.deadline)?;
    if r.quickack {
        net::set_quickack(&conn).map_err(|e| Error::io("set TCP_QUICKACK", e))?;
    }
    // With one reply per message: the end of the next message to answer.
    let ends = ctx.c2s.spans();
    let mut answered = 0usize;
    // `after-send`: every byte (or as many as the queue holds) is in the
    // receive queue before the first read.
    let want = total.min(crate::experiment::after_send_room(r));
    start_late(ctx, || {
        net::peer::bytes_queued(&conn).is_some_and(|q| q >= want)
    })?;
    let mut offset = 0u64;
    for i in 0.. {
        let asked = r.recv_sizes.at(i) as usize;
        let n = read_some(ctx, &conn, &mut armed, &mut buf[..asked], offset, total)?;
        if n == 0 {
            if let Some(f) = framed.as_mut() {
                f.finish();
            }
            break;
        }
        let t_ns = record_recv(&mut got.recvs, &ctx.clock, offset, n, asked, "receiver")?;
        if n == asked {
            // A full read: whether more was waiting says if it was too small.
            let last = got.recvs.last_mut().expect("the recv just recorded");
            last.queued = Queued::new(net::peer::bytes_queued(&conn));
        }
        if r.quickack {
            // Linux leaves quick-ACK mode by itself: asked again after every read.
            net::set_quickack(&conn).map_err(|e| Error::io("set TCP_QUICKACK", e))?;
        }
        if s2c.is_none() && r.recv_gap.is_zero() {
            // Checking or decoding the read does not wait: no clock read before the next.
            armed.saw(t_ns);
        }
        let decoding = match framed.as_mut() {
            Some(f) => f.push(&buf[..n], &ctx.clock, &mut got.decoded),
            None => check(ctx.c2s, "c2s", offset, &buf[..n]).map(|()| true)?,
        };
        if !decoding {
            drain(ctx, &conn, &mut armed, &mut buf, offset + n as u64, total)?;
            break;
        }
        offset += n as u64;
        if let Some(rec) = s2c.as_mut() {
            match r.reply_per {
                ReplyPer::Read => replies.answer(ctx, &conn, &buf[..n], rec)?,
                // One reply for each message this read completed.
                ReplyPer::Message => {
                    while ends
                        .get(answered)
                        .is_some_and(|m| m.offset + m.len <= offset)
                    {
                        replies.answer(ctx, &conn, &[], rec)?;
                        answered += 1;
                    }
                }
            }
        }
        pause(ctx, r.recv_gap, "receiver", "recv_gap")?;
    }
    got.decode_error = framed.and_then(|f| f.error);
    let _ = net::shutdown_write(&conn);
    Ok((got, s2c))
}

/// One recv within the deadline; 0 at EOF.
fn read_some(
    ctx: &Ctx,
    conn: &Socket,
    armed: &mut Armed,
    buf: &mut [u8],
    offset: u64,
    total: u64,
) -> Result<usize> {
    let what = || format!("data from the sender (got {offset} of {total} bytes)");
    armed.recv(ctx, conn, "receiver", what)?;
    match net::recv(conn, buf) {
        Ok(n) => Ok(n),
        Err(e) if net::is_timeout(&e) => Err(ctx.late("receiver", what())),
        Err(e) => Err(Error::io(format!("receiver: recv after {offset} bytes"), e)),
    }
}

/// After a decode error: reads and discards until EOF, recording nothing,
/// so the sender finishes normally and memory stays at one recv buffer.
fn drain(
    ctx: &Ctx,
    conn: &Socket,
    armed: &mut Armed,
    buf: &mut [u8],
    mut offset: u64,
    total: u64,
) -> Result<()> {
    loop {
        match read_some(ctx, conn, armed, buf, offset, total)? {
            0 => return Ok(()),
            n => offset += n as u64,
        }
    }
}

/// Makes and sends the server's replies, one per read.
#[derive(Default)]
struct Replier {
    id: u64,
    offset: u64,
    out: Vec<u8>,
    /// The connection's send timeout.
    armed: Armed,
}

impl Replier {
    fn answer(&mut self, ctx: &Ctx, conn: &Socket, read: &[u8], rec: &mut FlowTrace) -> Result<()> {
        let r = &ctx.exp.receiver;
        match &r.reply {
            Reply::Sizes(sizes) => generate(self.id, sizes.at(self.id as usize), &mut self.out),
            other => reply_bytes(other, read, &mut self.out),
        }
        let len = self.out.len();
        rec.messages.push(MessageSpan {
            id: self.id,
            offset: self.offset,
            len: len as u64,
        });
        let part = len.div_ceil(r.reply_sends as usize).max(1);
        let mut tx = Tx {
            sock: conn,
            nonblocking: false,
            side: "receiver",
            armed: &mut self.armed,
            back_to_back: false,
        };
        let mut at = 0;
        while at < len {
            let end = (at + part).min(len);
            send_all(
                ctx,
                &mut tx,
                &self.out[at..end],
                false,
                self.id,
                self.offset + at as u64,
                rec,
            )?;
            at = end;
        }
        self.id += 1;
        self.offset += len as u64;
        Ok(())
    }
}

/// What the client read of the s2c flow.
pub(super) struct Replies {
    pub recvs: Vec<RecvEvent>,
    /// The bytes, when the server is someone else's.
    pub kept: Recorded,
    /// Whether the last wait for the server ended because it went quiet.
    pub quiet: bool,
    /// What ended the conversation early (someone else's server only).
    pub failed: Option<Error>,
}

/// The client against someone else's server at `addr`, keeping up to
/// `keep` bytes of its replies.
pub(super) fn client_of(ctx: &Ctx, addr: SocketAddr, keep: u64) -> Result<(FlowTrace, Replies)> {
    client_with(ctx, addr, keep)
}

/// The client side: returns the c2s trace (messages, sends, segments) and the s2c recvs.
fn client(ctx: &Ctx, addr: SocketAddr) -> Result<(FlowTrace, Vec<RecvEvent>)> {
    let done = client_with(ctx, addr, 0).map(|(rec, r)| (rec, r.recvs));
    if done.is_err() {
        ctx.sender_failed
            .store(true, std::sync::atomic::Ordering::Release);
    }
    done
}

fn client_with(ctx: &Ctx, addr: SocketAddr, keep: u64) -> Result<(FlowTrace, Replies)> {
    let spans = ctx.c2s.spans();
    let mut rec = reserve_sending(spans.len());
    rec.messages.extend_from_slice(spans);
    let mut replies = ReplyReader {
        recvs: reserve_recvs(16),
        offset: 0,
        index: 0,
        buf: Vec::new(),
        kept: Recorded::default(),
        keep,
        quiet: false,
        armed: Armed::default(),
    };
    let sock = connect(ctx, addr)?;
    let talked = converse(ctx, &sock, &mut rec, &mut replies);
    rec.segments = net::data_segs_out(&sock);
    // Against someone else's server a failure mid-way (a reset, Ctrl-C)
    // ends the conversation, and what was recorded is kept; against
    // nianbao's own server it is the trial's error.
    let failed = match talked {
        Ok(()) => None,
        Err(e) if ctx.foreign.is_none() => return Err(e),
        Err(e) => Some(e),
    };
    let replies = Replies {
        recvs: replies.recvs,
        kept: replies.kept,
        quiet: replies.quiet,
        failed,
    };
    Ok((rec, replies))
}

/// Sends every message with its gaps (reading replies after each when
/// replies are on), then FIN, then reads until the server closes.
fn converse(
    ctx: &Ctx,
    sock: &Socket,
    rec: &mut FlowTrace,
    replies: &mut ReplyReader,
) -> Result<()> {
    let exp = ctx.exp;
    let s = &exp.sender;
    let spans = ctx.c2s.spans();
    let mut rng = Rng::new(s.seed);
    let mut out = Outgoing::new(ctx.c2s);
    let mut armed = Armed::default();
    let mut tx = Tx {
        sock,
        nonblocking: s.nonblocking,
        side: "sender",
        armed: &mut armed,
        back_to_back: s.gap.is_zero()
            && s.gap_jitter.is_zero()
            && exp.receiver.reply == Reply::None,
    };
    let prefix = out.prefix();
    if !prefix.is_empty() {
        send_all(ctx, &mut tx, prefix, false, 0, 0, rec)?;
    }
    let last = spans.len() as u64 - 1;
    for span in spans {
        pause(ctx, gap_before(span.id, s, &mut rng), "sender", "gap")?;
        let bytes = out.message(span.id);
        // The sender waits after the flow's last message, and after every
        // message when it reads replies: MSG_MORE is never left on then.
        let waits = span.id == last || exp.receiver.reply != Reply::None;
        if exp.receiver.reply_per == ReplyPer::Message {
            rec.began.push(ctx.clock.now_ns());
        }
        send_message(ctx, &mut tx, span, bytes, waits, rec)?;
        if exp.receiver.reply != Reply::None {
            for _ in 0..exp.receiver.client_reads {
                replies.read_one(ctx, sock)?;
            }
        }
    }
    finish_sending(sock, s.cork, s.nonblocking)?;
    // Only the wait for the server's close says whether it went quiet.
    replies.quiet = false;
    while replies.read_one(ctx, sock)? {}
    Ok(())
}

/// Connects to the server with the sender's socket options (and O_NONBLOCK if asked).
fn connect(ctx: &Ctx, addr: SocketAddr) -> Result<Socket> {
    let s = &ctx.exp.sender;
    let opts = TcpOptions {
        nodelay: s.nodelay,
        sndbuf: s.sndbuf,
        cork: s.cork,
    };
    let sock = ctx.as_sender(|| net::connect_tcp(addr, &opts, ctx.exp.deadline))?;
    if s.nonblocking {
        net::set_nonblocking(&sock, true).map_err(|e| Error::io("set O_NONBLOCK", e))?;
    }
    Ok(sock)
}

/// Sends one message: one send() for it, or one per `write_size` chunk of
/// it, or (`writev`) those chunks in one writev(); MSG_MORE (when asked) on
/// every part but the last before the sender waits (`waits`: for a reply,
/// or at the end of the flow).
fn send_message(
    ctx: &Ctx,
    tx: &mut Tx,
    span: &MessageSpan,
    bytes: &[u8],
    waits: bool,
    rec: &mut FlowTrace,
) -> Result<()> {
    let s = &ctx.exp.sender;
    let chunk = s.write_size.map_or(bytes.len(), |w| w as usize).max(1);
    if s.writev {
        let more = s.more && !waits;
        return send_vectored(ctx, tx, bytes, chunk, more, span.id, span.offset, rec);
    }
    for (i, part) in bytes.chunks(chunk).enumerate() {
        let at = (i * chunk) as u64;
        let last_part = waits && at + part.len() as u64 == span.len;
        let more = s.more && !last_part;
        send_all(ctx, tx, part, more, span.id, span.offset + at, rec)?;
    }
    Ok(())
}

/// Uncorks, goes back to blocking, and sends FIN.
fn finish_sending(sock: &Socket, cork: bool, nonblocking: bool) -> Result<()> {
    if cork {
        net::set_cork(sock, false).map_err(|e| Error::io("clear TCP_CORK", e))?;
    }
    if nonblocking {
        net::set_nonblocking(sock, false).map_err(|e| Error::io("clear O_NONBLOCK", e))?;
    }
    net::shutdown_write(sock).map_err(|e| Error::io("sender: shutdown(SHUT_WR)", e))
}

/// The client's reads of the s2c flow (or of EOF when there are no replies).
struct ReplyReader {
    recvs: Vec<RecvEvent>,
    offset: u64,
    index: usize,
    buf: Vec<u8>,
    /// Someone else's replies, kept up to `keep` bytes.
    kept: Recorded,
    keep: u64,
    quiet: bool,
    /// The socket's receive timeout.
    armed: Armed,
}

impl ReplyReader {
    /// One read; false at EOF.
    fn read_one(&mut self, ctx: &Ctx, sock: &Socket) -> Result<bool> {
        let asked = ctx.exp.receiver.client_recv_sizes.at(self.index) as usize;
        self.index += 1;
        self.buf.resize(asked, 0);
        let what = || "the receiver to reply or close the connection".to_string();
        self.armed.recv(ctx, sock, "sender", what)?;
        if let Some(idle) = ctx.foreign {
            // The idle timeout below replaces the deadline's: set it again next time.
            self.armed.forget();
            // Someone else's server may never answer or close: quiet for
            // `idle` ends the wait, and the report says so.
            let left = ctx
                .deadline
                .saturating_duration_since(std::time::Instant::now());
            sock.set_read_timeout(Some(
                idle.min(left).max(std::time::Duration::from_millis(1)),
            ))
            .map_err(|e| Error::io("set SO_RCVTIMEO", e))?;
        }
        let n = match net::recv(sock, &mut self.buf) {
            Ok(n) => n,
            Err(e) if net::is_timeout(&e) && ctx.foreign.is_some() => {
                self.quiet = true;
                return Ok(false);
            }
            Err(e) if net::is_timeout(&e) => return Err(ctx.late("sender", what())),
            Err(e) => return Err(Error::io("sender: recv of the reply", e)),
        };
        if n == 0 {
            return Ok(false);
        }
        record_recv(&mut self.recvs, &ctx.clock, self.offset, n, asked, "sender")?;
        let foreign = ctx.foreign.is_some();
        if foreign || n == asked {
            let last = self.recvs.last_mut().expect("the recv just recorded");
            last.queued = Queued::new(net::peer::bytes_queued(sock));
        }
        match (foreign, ctx.s2c) {
            // Someone else's reply: kept as it came, nothing to check it against.
            (true, _) => {
                let room = self.keep.saturating_sub(self.kept.len() as u64) as usize;
                self.kept.push(self.offset, &self.buf[..n.min(room)]);
            }
            (false, Some(model)) => check(model, "s2c", self.offset, &self.buf[..n])?,
            (false, None) => {
                return Err(Error::Stream(format!(
                    "s2c: the receiver sent {n} bytes but no replies were configured"
                )))
            }
        }
        self.offset += n as u64;
        Ok(true)
    }
}
