//! Ctrl-C and SIGTERM: the handler only records which signal came; the
//! trial loop, every pause and the results writer look at it and stop,
//! removing what they had half-made. A second signal of the same kind
//! takes the default action (the handler resets itself), so a stuck run can
//! still be killed.

use std::sync::atomic::{AtomicI32, Ordering};

/// The signal that asked this process to stop, or 0.
static PENDING: AtomicI32 = AtomicI32::new(0);

extern "C" fn record(signal: libc_int) {
    PENDING.store(signal, Ordering::SeqCst);
}

#[allow(non_camel_case_types)]
type libc_int = std::ffi::c_int;

/// Installs the handler for SIGINT and SIGTERM (once per process; later
/// calls do nothing harmful). Without it the default action kills the
/// process at once, which is what a library user gets.
pub fn install() {
    use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
    let action = SigAction::new(
        SigHandler::Handler(record),
        SaFlags::SA_RESETHAND | SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    for sig in [Signal::SIGINT, Signal::SIGTERM] {
        // SAFETY: the handler only stores into an atomic, which is
        // async-signal-safe.
        let _ = unsafe { sigaction(sig, &action) };
    }
}

/// The signal number that asked the run to stop, if one did.
pub fn pending() -> Option<i32> {
    match PENDING.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// The signal's name, for messages.
pub fn name(signal: i32) -> &'static str {
    match signal {
        2 => "SIGINT (Ctrl-C)",
        15 => "SIGTERM",
        _ => "a signal",
    }
}
