//! The TCP send every side of a trial makes: it completes short writes,
//! recording each call.

use super::{record_send, Ctx};
use crate::error::{Error, Result};
use crate::net::{self, Socket};
use crate::trace::FlowTrace;

/// Sends all of `bytes` (with MSG_MORE when `more`), recording each call;
/// short writes are completed.
#[allow(clippy::too_many_arguments)]
pub(super) fn send_all(
    ctx: &Ctx,
    sock: &Socket,
    bytes: &[u8],
    more: bool,
    msg_id: u64,
    offset: u64,
    rec: &mut FlowTrace,
    nonblocking: bool,
    side: &'static str,
) -> Result<()> {
    let mut pos = 0;
    let what = |pos: usize| {
        format!(
            "room in the send buffer (message {msg_id}: {pos} of {} bytes accepted)",
            bytes.len()
        )
    };
    while pos < bytes.len() {
        if !nonblocking {
            net::send_timeout_until(sock, ctx.deadline, side, ctx.exp.deadline, || what(pos))?;
        }
        match net::send(sock, &bytes[pos..], more) {
            Ok(n) => {
                record_send(
                    rec,
                    &ctx.clock,
                    msg_id,
                    offset + pos as u64,
                    bytes.len() - pos,
                    n,
                );
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
