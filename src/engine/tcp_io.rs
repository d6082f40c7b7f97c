//! The two TCP calls every side of a trial makes: a send that completes
//! short writes (recording each call) and a recv that retries on EINTR.

use super::{record_send, Ctx};
use crate::error::{Error, Result};
use crate::net;
use crate::trace::FlowTrace;
use socket2::Socket;

/// Sends all of `bytes`, recording each call; short writes are completed.
#[allow(clippy::too_many_arguments)]
pub(super) fn send_all(
    ctx: &Ctx,
    sock: &Socket,
    bytes: &[u8],
    flags: i32,
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
        match sock.send_with_flags(&bytes[pos..], flags | nix::libc::MSG_NOSIGNAL) {
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

pub(super) fn recv(sock: &Socket, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        // SAFETY: an initialised &mut [u8] is a valid [MaybeUninit<u8>].
        let uninit = unsafe { &mut *(buf as *mut [u8] as *mut [std::mem::MaybeUninit<u8>]) };
        match sock.recv(uninit) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}
