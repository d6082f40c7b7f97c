//! The one way `show` and `plot` open a file of a results folder. A results
//! folder may come from anywhere, so nothing in it is trusted: a FIFO named
//! `recvs.csv` would block a plain `open` or `read` forever, `/dev/zero`
//! never ends, and a sparse 100 GiB file would fill memory. [`open`] refuses
//! anything but a regular file under a size cap, checks again on the opened
//! descriptor (so a swap between the check and the open cannot slip through),
//! and reads through [`Capped`], which fails once the cap is passed even if
//! the file grows while it is read.

use crate::error::LoadError;
use crate::net::fs::{open_nonblocking, special_kind};
use std::fs::{File, FileType};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Largest CSV file accepted (summary.csv, sends.csv, recvs.csv, …).
pub const CSV_CAP: u64 = 256 << 20;
/// Largest `experiment.toml` or `meta.json` accepted.
pub const SMALL_CAP: u64 = 1 << 20;

/// A results file opened for reading, at most `cap` bytes.
#[derive(Debug)]
pub struct Capped {
    file: File,
    left: u64,
    cap: u64,
}

/// Opens `path` for reading if it is a regular file of at most `cap` bytes.
/// Symlinks are followed and their target checked. A FIFO, device, socket or
/// directory is refused before it is opened, and the open itself does not
/// block (`O_NONBLOCK`), so a FIFO put in place after the check is caught by
/// the check of the opened descriptor.
pub fn open(path: &Path, cap: u64) -> Result<Capped, LoadError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
    check(path, meta.file_type(), meta.len(), cap)?;
    let file = open_nonblocking(path).map_err(|e| io_error(path, e))?;
    let meta = file.metadata().map_err(|e| io_error(path, e))?;
    check(path, meta.file_type(), meta.len(), cap)?;
    Ok(Capped {
        file,
        left: cap,
        cap,
    })
}

/// Reads a whole text file through [`open`].
pub fn read_text(path: &Path, cap: u64) -> Result<String, LoadError> {
    let mut text = String::new();
    open(path, cap)?
        .read_to_string(&mut text)
        .map_err(|e| io_error(path, e))?;
    Ok(text)
}

/// Whether `path` names anything at all (a dangling symlink counts, so that
/// reading it then fails with a clear error instead of being skipped).
pub fn present(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

fn io_error(path: &Path, source: io::Error) -> LoadError {
    match source.kind() {
        io::ErrorKind::NotFound => LoadError::Missing(path.to_path_buf()),
        _ => LoadError::Io {
            path: path.to_path_buf(),
            source,
        },
    }
}

fn check(path: &Path, kind: FileType, len: u64, cap: u64) -> Result<(), LoadError> {
    let what = if kind.is_file() {
        None
    } else if kind.is_dir() {
        Some("a directory")
    } else {
        Some(special_kind(kind))
    };
    let path: PathBuf = path.to_path_buf();
    match what {
        Some(what) => Err(LoadError::NotAFile { path, what }),
        None if len > cap => Err(LoadError::TooBig { path, len, cap }),
        None => Ok(()),
    }
}

/// The error a [`Capped`] read returns once the file has grown past its cap.
#[derive(Debug, thiserror::Error)]
#[error("grew past the {} cap while being read", crate::units::format_size(*.0))]
pub struct GrewPastCap(pub u64);

impl Read for Capped {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            let mut probe = [0u8; 1];
            return match self.file.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other(GrewPastCap(self.cap))),
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.file.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_grows_past_its_cap_is_an_error_not_a_truncation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("recvs.csv");
        std::fs::write(&path, b"0123456789").unwrap();
        let mut f = open(&path, 10).unwrap();
        std::fs::write(&path, b"0123456789abc").unwrap();
        let mut out = Vec::new();
        let err = f.read_to_end(&mut out).unwrap_err();
        assert!(err.to_string().contains("grew past the 10 B cap"), "{err}");
    }

    #[test]
    fn a_directory_and_an_oversized_file_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let err = open(dir.path(), CSV_CAP).unwrap_err();
        assert!(err.to_string().contains("is a directory"), "{err}");
        let path = dir.path().join("meta.json");
        std::fs::File::create(&path)
            .unwrap()
            .set_len(SMALL_CAP + 1)
            .unwrap();
        let err = open(&path, SMALL_CAP).unwrap_err();
        assert!(err.to_string().contains("over the 1 MiB cap"), "{err}");
    }
}
