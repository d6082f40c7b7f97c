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
    #[error("{what}")]
    Io { what: String, source: io::Error },
    /// A port or address that could not be bound.
    #[error("cannot bind {addr}{hint}")]
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
    /// A run that reached one of its limits on recorded events.
    #[error("{0}")]
    Limit(String),
    /// Received bytes that differ from what was sent: a bug, never expected.
    #[error("{0}")]
    Stream(String),
    /// SIGINT or SIGTERM arrived: the run stopped and wrote nothing.
    #[error("interrupted by {}: the trials stopped and no results were written (the previous results, if any, are as they were)", crate::interrupt::name(*signal))]
    Interrupted { signal: i32 },
    /// A chart that could not be drawn or written (its error names the file).
    #[error(transparent)]
    Chart(#[from] crate::report::chart::ChartError),
    /// A results folder that could not be written or read.
    #[error("results folder {}: {msg}", path.display())]
    Results { path: PathBuf, msg: String },
}

impl Error {
    /// The process exit status for this error: 128 + the signal for an
    /// interrupted run (130 for Ctrl-C, 143 for SIGTERM), else 2.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Interrupted { signal } => 128u8.saturating_add(*signal as u8),
            _ => 2,
        }
    }

    /// An I/O error with what was being done.
    pub fn io(what: impl Into<String>, source: io::Error) -> Self {
        Error::Io {
            what: what.into(),
            source,
        }
    }
}
