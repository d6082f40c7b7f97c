//! A cheaper clock for the receive loop: the CPU's time-stamp counter.
//!
//! Every recv is stamped, and on a VM reading CLOCK_MONOTONIC through the
//! vDSO costs 25-50 ns, a few percent of a 300-500 ns loopback recv (the
//! `observer` benchmark measures it). `rdtsc` costs about 9 ns on bare
//! metal, but 16-25 ns on a VM that offsets and scales the counter (a
//! 2-vCPU VM measured both): there the read is most of what recording an
//! event costs, and no cheaper clock with nanosecond steps exists. It is used
//! only where the kernel itself trusts the counter — x86-64, clocksource
//! `tsc`, with `constant_tsc` and `nonstop_tsc` — and its rate is measured
//! once per process against [`Instant`]; everywhere else the clock falls back
//! to [`Instant`]. Set `NIANBAO_CLOCK=monotonic` to force the fallback.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long the rate is measured: 5 ms keeps the error near 2 ppm.
const CALIBRATION: Duration = Duration::from_millis(5);

/// Nanoseconds per counter tick, when the counter is usable.
pub fn ns_per_tick() -> Option<f64> {
    static RATE: OnceLock<Option<f64>> = OnceLock::new();
    *RATE.get_or_init(|| usable().then(calibrate).flatten())
}

/// The counter now; only meaningful when [`ns_per_tick`] is `Some`.
#[inline]
pub fn ticks() -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: rdtsc has no preconditions on x86-64; it only reads a counter.
        unsafe { core::arch::x86_64::_rdtsc() }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        0
    }
}

/// What meta.json says about the clock the events were stamped with.
pub fn describe() -> String {
    match ns_per_tick() {
        Some(ns) => format!(
            "tsc ({:.3} GHz, calibrated against CLOCK_MONOTONIC)",
            1.0 / ns
        ),
        None => "CLOCK_MONOTONIC".into(),
    }
}

/// Whether the kernel trusts the TSC as its own clock on this machine.
fn usable() -> bool {
    match std::env::var("NIANBAO_CLOCK").as_deref() {
        Ok("monotonic") => return false,
        Ok("auto") | Err(_) => {}
        Ok(other) => eprintln!(
            "nianbao: NIANBAO_CLOCK={other:?} is not a clock; allowed: auto, monotonic (using auto)"
        ),
    }
    if !cfg!(target_arch = "x86_64") {
        return false;
    }
    crate::net::host::kernel_trusts_tsc()
}

/// Counter ticks against [`Instant`] over [`CALIBRATION`]; each end reads the
/// counter on both sides of the clock, keeps the narrowest of a few tries (a
/// thread descheduled mid-read widens it) and takes the midpoint.
fn calibrate() -> Option<f64> {
    let stamp = || {
        (0..8)
            .map(|_| {
                let a = ticks();
                let i = Instant::now();
                let b = ticks();
                (b.wrapping_sub(a), i, a / 2 + b / 2)
            })
            .min_by_key(|s| s.0)
            .map(|(_, i, t)| (i, t))
            .expect("eight tries")
    };
    let (i0, t0) = stamp();
    while i0.elapsed() < CALIBRATION {
        std::hint::spin_loop();
    }
    let (i1, t1) = stamp();
    let ns = (i1 - i0).as_nanos() as f64;
    let ticks = t1.checked_sub(t0)? as f64;
    let rate = ns / ticks;
    // A counter between 0.1 and 20 GHz; anything else is not a usable TSC.
    (0.05..=10.0).contains(&rate).then_some(rate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Clock;

    #[test]
    fn the_trial_clock_keeps_time_and_order_across_threads() {
        println!("clock: {}", describe());
        let clock = Clock::start();
        let a = clock.now_ns();
        let b = std::thread::scope(|s| s.spawn(|| clock.now_ns()).join().expect("thread"));
        let c = clock.now_ns();
        assert!(a <= b && b <= c, "{a} {b} {c}");
        std::thread::sleep(Duration::from_millis(20));
        let slept = clock.now_ns() - c;
        assert!(
            (19_000_000..60_000_000).contains(&slept),
            "20 ms of sleep read as {slept} ns"
        );
    }

    #[test]
    fn the_counter_keeps_time_with_instant() {
        let Some(ns) = ns_per_tick() else {
            println!("skipped: no usable TSC here ({})", describe());
            return;
        };
        let (i0, t0) = (Instant::now(), ticks());
        std::thread::sleep(Duration::from_millis(20));
        let (i1, t1) = (Instant::now(), ticks());
        let by_tsc = (t1 - t0) as f64 * ns;
        let by_instant = (i1 - i0).as_nanos() as f64;
        let off = (by_tsc - by_instant).abs() / by_instant;
        assert!(off < 0.01, "tsc {by_tsc} ns vs instant {by_instant} ns");
    }
}
