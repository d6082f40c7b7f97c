//! The TCP send every side of a trial makes: it completes short writes,
//! recording each call.

use super::timeout::Armed;
use super::{record_send, Ctx};
use crate::error::{Error, Result};
use crate::net::{self, Socket};
use crate::trace::FlowTrace;
use std::io::IoSlice;

/// The sending end of a connection: the socket, whether it is
/// non-blocking, and its send timeout.
pub(super) struct Tx<'a> {
    pub sock: &'a Socket,
    pub nonblocking: bool,
    pub side: &'static str,
    pub armed: &'a mut Armed,
    /// Nothing waits between this end's sends (no gaps, no replies to
    /// read): each send's stamp stands in for the clock read before the next.
    pub back_to_back: bool,
}

/// Sends all of `bytes` (with MSG_MORE when `more`), recording each call;
/// short writes are completed.
pub(super) fn send_all(
    ctx: &Ctx,
    tx: &mut Tx,
    bytes: &[u8],
    more: bool,
    msg_id: u64,
    offset: u64,
    rec: &mut FlowTrace,
) -> Result<()> {
    let mut pos = 0;
    while pos < bytes.len() {
        let rest = &bytes[pos..];
        pos += one_call(
            ctx,
            tx,
            msg_id,
            pos,
            bytes.len(),
            offset + pos as u64,
            rec,
            |s| net::send(s, rest, more),
        )?;
    }
    Ok(())
}

/// Sends a message's parts (`chunk` bytes each: a header, then a body) in
/// one writev() call, recorded as one call; what a short write leaves is
/// sent with [`send_all`].
#[allow(clippy::too_many_arguments)]
pub(super) fn send_vectored(
    ctx: &Ctx,
    tx: &mut Tx,
    bytes: &[u8],
    chunk: usize,
    more: bool,
    msg_id: u64,
    offset: u64,
    rec: &mut FlowTrace,
) -> Result<()> {
    let parts: Vec<IoSlice> = bytes.chunks(chunk.max(1)).map(IoSlice::new).collect();
    let n = one_call(ctx, tx, msg_id, 0, bytes.len(), offset, rec, |s| {
        net::send_vectored(s, &parts, more)
    })?;
    send_all(ctx, tx, &bytes[n..], more, msg_id, offset + n as u64, rec)
}

/// One send call that took some bytes, recorded: waits for room (within
/// the deadline) and retries when interrupted or, non-blocking, when the
/// buffer is full. `pos` of `total` bytes of message `msg_id` were taken
/// before; returns how many this call took.
#[allow(clippy::too_many_arguments)]
fn one_call(
    ctx: &Ctx,
    tx: &mut Tx,
    msg_id: u64,
    pos: usize,
    total: usize,
    offset: u64,
    rec: &mut FlowTrace,
    mut call: impl FnMut(&Socket) -> std::io::Result<usize>,
) -> Result<usize> {
    let (sock, nonblocking, side) = (tx.sock, tx.nonblocking, tx.side);
    let what =
        || format!("room in the send buffer (message {msg_id}: {pos} of {total} bytes accepted)");
    loop {
        if !nonblocking {
            tx.armed.send(ctx, sock, side, what)?;
        }
        match call(sock) {
            Ok(n) => {
                let t_ns = record_send(rec, &ctx.clock, msg_id, offset, total - pos, n);
                if tx.back_to_back {
                    tx.armed.saw(t_ns);
                }
                return Ok(n);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if nonblocking && net::is_timeout(&e) => {
                rec.would_block += 1;
                if !net::wait_writable(sock, ctx.deadline)
                    .map_err(|e| Error::io(format!("{side}: poll"), e))?
                {
                    return Err(ctx.late(side, what()));
                }
            }
            Err(e) if net::is_timeout(&e) => return Err(ctx.late(side, what())),
            Err(e) => return Err(Error::io(format!("{side}: send of message {msg_id}"), e)),
        }
    }
}
