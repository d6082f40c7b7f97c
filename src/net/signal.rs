//! The handler for the signals that ask a run to stop (SIGINT, SIGTERM).

use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use std::ffi::c_int;
use std::io;

/// Installs `handler` for SIGINT and SIGTERM, with SA_RESETHAND (a second
/// signal of the same kind takes the default action) and SA_RESTART. Both
/// are tried; the first error is returned.
///
/// # Safety
///
/// `handler` runs inside a signal handler: it must only do what is
/// async-signal-safe (such as storing into an atomic).
pub unsafe fn on_stop_signals(handler: extern "C" fn(c_int)) -> io::Result<()> {
    let action = SigAction::new(
        SigHandler::Handler(handler),
        SaFlags::SA_RESETHAND | SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    let mut result = Ok(());
    for sig in [Signal::SIGINT, Signal::SIGTERM] {
        // SAFETY: the caller promises the handler is async-signal-safe.
        if let Err(e) = unsafe { sigaction(sig, &action) } {
            result = result.and(Err(io::Error::from(e)));
        }
    }
    result
}
