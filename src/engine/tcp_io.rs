//! The TCP send every side of a trial makes: it completes short writes,
//! recording each call.

use super::timeout::Armed;
use super::{record_send, Ctx};
use crate::error::{Error, Result};
use crate::net::{self, Socket};
use crate::trace::FlowTrace;

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
    let (sock, nonblocking, side) = (tx.sock, tx.nonblocking, tx.side);
    let mut pos = 0;
    let what = |pos: usize| {
        format!(
            "room in the send buffer (message {msg_id}: {pos} of {} bytes accepted)",
            bytes.len()
        )
    };
    while pos < bytes.len() {
        if !nonblocking {
            tx.armed.send(ctx, sock, side, || what(pos))?;
        }
        match net::send(sock, &bytes[pos..], more) {
            Ok(n) => {
                let t_ns = record_send(
                    rec,
                    &ctx.clock,
                    msg_id,
                    offset + pos as u64,
                    bytes.len() - pos,
                    n,
                );
                if tx.back_to_back {
                    tx.armed.saw(t_ns);
                }
                pos += n;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if nonblocking && net::is_timeout(&e) => {
                rec.would_block += 1;
                if !net::wait_writable(sock, ctx.deadline)
                    .map_err(|e| Error::io(format!("{side}: poll"), e))?
                {
                    return Err(ctx.late(side, what(pos)));
                }
            }
            Err(e) if net::is_timeout(&e) => return Err(ctx.late(side, what(pos))),
            Err(e) => return Err(Error::io(format!("{side}: send of message {msg_id}"), e)),
        }
    }
    Ok(())
}
