//! Typed errors of the library. Each message names what went wrong and
//! where: the file, line and key, the flag, the address, or what a side of a
//! scenario was waiting for.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in nianbao.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A bad value in an experiment file, a `--set`, or a `--sweep`.
    #[error("{origin}: {msg}")]
    Config { origin: String, msg: String },
    /// A name that is not in the catalogue.
    #[error("unknown experiment `{name}`{hint}; `nianbao list` shows them all, or give a path to a .toml file")]
    UnknownExperiment { name: String, hint: String },
    /// A file that could not be read.
    #[error("cannot read {}", path.display())]
    Read { path: PathBuf, source: io::Error },
    /// A socket or thread operation that failed.
    #[error("{what}: {source}")]
    Io { what: String, source: io::Error },
    /// A port or address that could not be bound.
    #[error("cannot bind {addr}: {source}{hint}")]
    Bind {
        addr: String,
        source: io::Error,
        hint: &'static str,
    },
    /// A side that waited longer than the scenario's deadline.
    #[error("{side} timed out after {after:?} waiting for {what} (raise `deadline` if the experiment is meant to be slow)")]
    Deadline {
        side: &'static str,
        what: String,
        after: Duration,
    },
    /// Received bytes that differ from what was sent: a bug, never expected.
    #[error("{0}")]
    Stream(String),
    /// A results folder that could not be written or read.
    #[error("results folder {}: {msg}", path.display())]
    Results { path: PathBuf, msg: String },
}

impl Error {
    /// An I/O error with what was being done.
    pub fn io(what: impl Into<String>, source: io::Error) -> Self {
        Error::Io {
            what: what.into(),
            source,
        }
    }
}
