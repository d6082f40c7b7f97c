//! Files: the results folder's atomic swap (renameat2 with RENAME_EXCHANGE
//! or RENAME_NOREPLACE), and the Unix side of opening an untrusted file (an
//! open that cannot block, the names of file types that are not files).

use nix::fcntl::{renameat2, RenameFlags};
use std::fs::{File, FileType, OpenOptions};
use std::io;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
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

/// Opens `path` read-only without blocking (O_NONBLOCK: a FIFO cannot hang
/// the open) and without taking it as the controlling terminal (O_NOCTTY).
pub fn open_nonblocking(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NONBLOCK | nix::libc::O_NOCTTY)
        .open(path)
}

/// What a file type that is neither a regular file nor a directory is, in
/// words: "a FIFO", "a character device", "a block device", "a socket", or
/// "not a file".
pub fn special_kind(kind: FileType) -> &'static str {
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}
