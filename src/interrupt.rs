//! Ctrl-C and SIGTERM: the handler only records which signal came; the
//! trial loop, every pause and the results writer look at it and stop,
//! removing what they had half-made. A second signal of the same kind
//! takes the default action (the handler resets itself), so a stuck run can
//! still be killed.

use std::sync::atomic::{AtomicI32, Ordering};

/// The signal that asked this process to stop, or 0.
static PENDING: AtomicI32 = AtomicI32::new(0);

extern "C" fn record(signal: std::ffi::c_int) {
    PENDING.store(signal, Ordering::SeqCst);
}

/// Installs the handler for SIGINT and SIGTERM (once per process; later
/// calls do nothing harmful). Without it the default action kills the
/// process at once, which is what a library user gets.
pub fn install() {
    // SAFETY: the handler only stores into an atomic, which is
    // async-signal-safe.
    let _ = unsafe { crate::net::signal::on_stop_signals(record) };
}

/// The signal number that asked the run to stop, if one did.
pub fn pending() -> Option<i32> {
    match PENDING.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}
