//! The results folder's atomic swap: renameat2 with RENAME_EXCHANGE or
//! RENAME_NOREPLACE.

use nix::fcntl::{renameat2, RenameFlags};
use std::io;
use std::path::Path;

/// Swaps `a` and `b` in one atomic step (both must exist).
pub fn rename_exchange(a: &Path, b: &Path) -> io::Result<()> {
    renameat2(None, a, None, b, RenameFlags::RENAME_EXCHANGE).map_err(io::Error::from)
}

/// Renames `from` to `to` in one atomic step, failing if `to` exists.
pub fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    renameat2(None, from, None, to, RenameFlags::RENAME_NOREPLACE).map_err(io::Error::from)
}

/// Whether a rename error says the filesystem (or kernel) has no renameat2
/// flags (EINVAL or ENOSYS), so a plain rename is the way left.
pub fn rename_unsupported(e: &io::Error) -> bool {
    use nix::libc::{EINVAL, ENOSYS};
    matches!(e.raw_os_error(), Some(EINVAL | ENOSYS))
}
