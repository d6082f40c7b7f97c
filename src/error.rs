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
    /// The network lab needs root, and this process lacks the right.
    #[error("network.lab = true needs root (CAP_SYS_ADMIN to make network namespaces, CAP_NET_ADMIN to configure them): run it with sudo, or set network.lab = false")]
    LabNeedsRoot { source: io::Error },
    /// The network lab could not be made: what is missing (root, `ip`,
    /// the kernel's netem) or which step failed.
    #[error("{what}")]
    Lab {
        what: String,
        #[source]
        source: Option<io::Error>,
    },
    /// A run that reached one of its limits on recorded events.
    #[error("{0}")]
    Limit(String),
    /// Received bytes that differ from what was sent: a bug, never expected.
    #[error("{0}")]
    Stream(String),
    /// SIGINT or SIGTERM arrived: the run stopped and wrote nothing.
    #[error("interrupted by {}: the trials stopped and no results were written (the previous results, if any, are as they were)", signal_name(*signal))]
    Interrupted { signal: i32 },
    /// A chart that could not be drawn or written (its error names the file).
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// A results folder that could not be written or read: what went wrong
    /// and, when there is one, the error that caused it (printed after it in
    /// the chain, never in this message too).
    #[error("results folder {}: {what}", path.display())]
    Results {
        path: PathBuf,
        what: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A file of a results folder that is unsafe to open or does not hold
    /// what it should (the error names the file, line and column).
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// Why a file of a results folder was refused. `show` and `plot` trust
/// nothing they read: each message names the file and, for CSV problems,
/// the line (1 is the header) and the column.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A required file is not there.
    #[error("{}: missing from the results folder", .0.display())]
    Missing(PathBuf),
    /// The file exists but could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
    /// A FIFO, device, socket or directory where a file should be.
    #[error("{}: is {what}, not a regular file; refusing to open it", path.display())]
    NotAFile {
        /// The file.
        path: PathBuf,
        /// `a FIFO`, `a character device`, …
        what: &'static str,
    },
    /// A file larger than any results folder writes.
    #[error("{}: is {}, over the {} cap for this file", path.display(), crate::units::format_size(*len), crate::units::format_size(*cap))]
    TooBig {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        len: u64,
        /// The largest size accepted, in bytes.
        cap: u64,
    },
    /// A CSV header, row or cell that does not hold what it should.
    #[error("{}:{line}: {}{msg}", path.display(), column_prefix(column))]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line number (1 is the header).
        line: u64,
        /// The column's header name, when one cell is at fault.
        column: Option<String>,
        /// What is wrong.
        msg: String,
        /// The parser's error, when there is one.
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// `experiment.toml` is not valid TOML.
    #[error("{}: not valid TOML", path.display())]
    Toml {
        /// The file.
        path: PathBuf,
        /// The parser's error (it names line and column).
        source: toml::de::Error,
    },
    /// `meta.json` is not valid JSON, or a field has the wrong type.
    #[error("{}: {msg}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the field.
        msg: String,
        /// The parser's error, when there is one.
        source: Option<serde_json::Error>,
    },
}

fn column_prefix(column: &Option<String>) -> String {
    column
        .as_ref()
        .map(|c| format!("column {c}: "))
        .unwrap_or_default()
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

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The results folder could not be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// An embedded font did not parse: the build is broken, not the input.
    #[error("embedded font {name} is unreadable")]
    BadFont {
        /// Its file name under `assets/fonts/`.
        name: &'static str,
        /// What ab_glyph said.
        #[source]
        source: ab_glyph::InvalidFont,
    },
    /// The chart does not apply to these results.
    #[error("{chart}: {why}")]
    NotApplicable {
        /// The chart's file name.
        chart: &'static str,
        /// Why not.
        why: String,
    },
    /// One chart could not be drawn or written.
    #[error("cannot write {}", path.display())]
    Chart {
        /// The PNG's path.
        path: PathBuf,
        /// Why.
        #[source]
        source: Box<ChartError>,
    },
    /// plotters failed while drawing or writing the PNG.
    #[error("{0}")]
    Draw(String),
}

/// A stop signal's name, for messages.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        2 => "SIGINT (Ctrl-C)",
        15 => "SIGTERM",
        _ => "a signal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How `main` prints: every link of the chain once, joined by `: `.
    fn chain(e: Error) -> String {
        format!("{:#}", anyhow::Error::from(e))
    }

    #[test]
    fn results_errors_print_their_cause_once() {
        let e = Error::Results {
            path: "out".into(),
            what: "cannot create it".into(),
            source: Some(io::Error::other("disk on fire").into()),
        };
        assert_eq!(e.to_string(), "results folder out: cannot create it");
        assert_eq!(
            chain(e),
            "results folder out: cannot create it: disk on fire"
        );
        let csv = LoadError::Csv {
            path: "out/summary.csv".into(),
            line: 3,
            column: Some("trial".into()),
            msg: "\"x\" is not a whole number".into(),
            source: Some("x".parse::<u32>().unwrap_err().into()),
        };
        assert_eq!(
            chain(csv.into()),
            "out/summary.csv:3: column trial: \"x\" is not a whole number: invalid digit found in string"
        );
    }
}
