//! Whether results may be written at a path: [`check_target`] refuses any
//! target that is not a new path or a folder nianbao wrote (see
//! [`super::results`]), and says why.

use crate::error::{Error, Result};
use std::fs;
use std::io;
use std::path::Path;

/// The file that marks a folder as nianbao's results: `run` writes it, and
/// replaces only folders that hold it.
pub const MARKER: &str = ".nianbao-results";

/// Every file a results folder may hold; a folder holding anything else is
/// never replaced, since removing the old results would remove that too.
pub const RESULT_FILES: &[&str] = &[
    MARKER,
    "experiment.toml",
    "meta.json",
    "bytes.bin",
    "summary.csv",
    "sends.csv",
    "recvs.csv",
    "messages.csv",
    "sweep.csv",
    "segments.csv",
    "capture.pcapng",
    "requests.csv",
    "latency.png",
    "boundaries.png",
    "timeline.png",
    "recv-sizes.png",
    "sweep.png",
    "compare.png",
];

const HINT: &str = "give --out a new path (nianbao writes a new folder there)";

/// Checks that results may be written at `dir`: it does not exist yet, or it
/// is a results folder nianbao wrote. Called before any trial runs, and again
/// just before the swap.
pub fn check_target(dir: &Path) -> Result<()> {
    let refuse = |why: Refusal| Error::Results {
        path: dir.to_path_buf(),
        what: format!("refusing to replace it: {}; {HINT}", why.why),
        source: why.source.map(|e| e.into()),
    };
    if let (Ok(target), Ok(here)) = (fs::canonicalize(dir), std::env::current_dir()) {
        if here.starts_with(&target) {
            return Err(refuse(if target.parent().is_none() {
                "it is the root folder".into()
            } else {
                "it is the current folder or holds it".into()
            }));
        }
    }
    match dir.file_name() {
        // `x/..` or `x/.` names no folder of its own.
        None => return Err(refuse("it does not end in a folder name".into())),
        Some(leaf) if leaf.len() > 200 => {
            return Err(refuse("its last name is over 200 bytes".into()))
        }
        Some(_) => {}
    }
    let meta = match fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(Error::Results {
                path: dir.to_path_buf(),
                what: "cannot create it".into(),
                source: Some(e.into()),
            })
        }
    };
    let kind = meta.file_type();
    if kind.is_symlink() {
        return Err(refuse("it is a symbolic link".into()));
    }
    if !kind.is_dir() {
        return Err(refuse(if kind.is_file() {
            "it is a file, not a folder".into()
        } else {
            "it is a device, FIFO or socket, not a folder".into()
        }));
    }
    match not_ours(dir) {
        Some(why) => Err(refuse(why)),
        None => Ok(()),
    }
}

/// Why a target is refused, and the error behind it when there is one.
pub(super) struct Refusal {
    pub(super) why: String,
    pub(super) source: Option<io::Error>,
}

impl From<&str> for Refusal {
    fn from(why: &str) -> Self {
        why.to_string().into()
    }
}

impl From<String> for Refusal {
    fn from(why: String) -> Self {
        Refusal { why, source: None }
    }
}

fn unreadable(e: io::Error) -> Refusal {
    Refusal {
        why: "its entries cannot be read".into(),
        source: Some(e),
    }
}

/// Why the folder `dir` is not one nianbao wrote, if it is not: it must
/// hold the marker and nothing but regular files that nianbao writes.
pub(super) fn not_ours(dir: &Path) -> Option<Refusal> {
    let marker = fs::symlink_metadata(dir.join(MARKER));
    if !marker.is_ok_and(|m| m.is_file()) {
        return Some(
            format!("it is a folder that nianbao did not write (it has no {MARKER} file)").into(),
        );
    }
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return Some(unreadable(e)),
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => return Some(unreadable(e)),
        };
        let name = entry.file_name();
        let known = name.to_str().is_some_and(|n| RESULT_FILES.contains(&n));
        let file = entry.file_type().is_ok_and(|t| t.is_file());
        if !known || !file {
            return Some(
                format!(
                    "it holds {}, which nianbao did not write; move it elsewhere first",
                    crate::units::shown(&name.to_string_lossy())
                )
                .into(),
            );
        }
    }
    None
}
