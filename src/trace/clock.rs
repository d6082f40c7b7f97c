//! The one clock of a trial: every source stamps its events with it.

use std::time::Instant;

/// The one monotonic clock of a trial: both sides stamp events with it.
///
/// It reads the CPU's time-stamp counter where the kernel trusts it (about
/// 9 ns a read, against about 25 ns for [`Instant`]), and [`Instant`]
/// elsewhere; see [`crate::tsc`].
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    start: Instant,
    /// Counter at `start` and nanoseconds per tick, when the counter is used.
    tsc: Option<(u64, f64)>,
}

impl Clock {
    /// Starts the clock now.
    pub fn start() -> Self {
        let rate = crate::tsc::ns_per_tick();
        Clock {
            start: Instant::now(),
            tsc: rate.map(|ns| (crate::tsc::ticks(), ns)),
        }
    }

    /// Nanoseconds since the clock started.
    #[inline]
    pub fn now_ns(&self) -> u64 {
        match self.tsc {
            Some((t0, ns)) => (crate::tsc::ticks().saturating_sub(t0) as f64 * ns) as u64,
            None => self.start.elapsed().as_nanos() as u64,
        }
    }

    /// The instant the clock started.
    pub fn origin(&self) -> Instant {
        self.start
    }
}
