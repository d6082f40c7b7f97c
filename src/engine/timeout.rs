//! A socket's timeout for the trial's deadline, set again only when stale.
//!
//! Each blocking send and recv of a trial must end by the deadline, so its
//! SO_SNDTIMEO / SO_RCVTIMEO is what is left of the trial. Setting it is a
//! system call of its own, and one before every send or recv nearly doubled
//! the cost of a small message. A timeout set at time `s` to `deadline - s`
//! still ends a call that starts a little later no later than the same
//! little after the deadline, so it is set again only once it is
//! [`STALE_AFTER`] old (or the deadline has passed, which then fails as it
//! always did, before the call).

use super::Ctx;
use crate::error::Result;
use crate::net::{self, Socket};

/// How old a timeout may be before it is set again: a call it bounds may
/// end this much after the deadline (the timeout itself has 1 ms steps).
const STALE_AFTER_NS: u64 = 1_000_000;

/// One socket timeout (SO_SNDTIMEO or SO_RCVTIMEO), armed for the
/// trial's deadline.
#[derive(Default)]
pub(super) struct Armed {
    /// Trial-clock time after which the timeout must be set again; 0 before
    /// it was ever set.
    stale_at_ns: u64,
    /// A stamp the caller just took, standing in for a clock read.
    fresh_ns: Option<u64>,
}

impl Armed {
    /// Makes sure the socket's SO_SNDTIMEO ends the next send by the
    /// deadline (give or take [`STALE_AFTER_NS`]), or fails with the
    /// deadline error naming `what` once the deadline has passed.
    #[inline]
    pub fn send(
        &mut self,
        ctx: &Ctx,
        sock: &Socket,
        side: &'static str,
        what: impl FnOnce() -> String,
    ) -> Result<()> {
        self.arm(ctx, |c| {
            net::send_timeout_until(sock, c.deadline, side, c.exp.deadline, what)
        })
    }

    /// [`Armed::send`] for SO_RCVTIMEO and the next recv.
    #[inline]
    pub fn recv(
        &mut self,
        ctx: &Ctx,
        sock: &Socket,
        side: &'static str,
        what: impl FnOnce() -> String,
    ) -> Result<()> {
        self.arm(ctx, |c| {
            net::recv_timeout_until(sock, c.deadline, side, c.exp.deadline, what)
        })
    }

    /// Runs `set` (which sets one of the socket's timeouts for the
    /// deadline) when the timeout is stale, and notes when it was set.
    #[inline]
    fn arm(&mut self, ctx: &Ctx, set: impl FnOnce(&Ctx) -> Result<()>) -> Result<()> {
        let Some(now) = self.stale(ctx) else {
            return Ok(());
        };
        set(ctx)?;
        self.set_at(ctx, now);
        Ok(())
    }

    /// Forgets the timeout, so the next call sets it (after something else
    /// set the socket's timeout).
    pub fn forget(&mut self) {
        self.stale_at_ns = 0;
    }

    /// The trial clock read `t_ns` just now (to stamp the call that
    /// returned), and nothing that can wait runs before the next call: the
    /// next check uses it instead of reading the clock again. A caller that
    /// pauses or blocks in between must not call this.
    #[inline]
    pub fn saw(&mut self, t_ns: u64) {
        self.fresh_ns = Some(t_ns);
    }

    /// The time now, if the timeout must be set (again).
    #[inline]
    fn stale(&mut self, ctx: &Ctx) -> Option<u64> {
        let now = self.fresh_ns.take().unwrap_or_else(|| ctx.clock.now_ns());
        (now >= self.stale_at_ns).then_some(now)
    }

    /// The timeout was set at `now`.
    fn set_at(&mut self, ctx: &Ctx, now: u64) {
        let deadline_ns = u64::try_from(ctx.exp.deadline.as_nanos()).unwrap_or(u64::MAX);
        self.stale_at_ns = now.saturating_add(STALE_AFTER_NS).min(deadline_ns);
    }
}
