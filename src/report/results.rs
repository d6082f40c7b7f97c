//! Writes a results folder (SPEC §4) without ever harming what nianbao did
//! not write, and without ever leaving half a folder:
//!
//! - a target is replaced only when it is a folder that nianbao wrote (it
//!   holds the [`MARKER`] file) and holds nothing but the files nianbao
//!   writes; anything else (a user's folder, a file, a device, a link, `/`,
//!   the current folder or one above it) is refused before any trial runs;
//! - everything goes into a fresh temporary folder beside the target, every
//!   file is synced, and the new folder is swapped in with one atomic
//!   `renameat2(RENAME_EXCHANGE)` (or `RENAME_NOREPLACE` for a new target),
//!   after which the old folder, now at the temporary name, is removed;
//! - any write error, or SIGINT/SIGTERM before the swap, removes the
//!   temporary folder and leaves the old results as they were.

use super::chart::{draw_loaded, ChartOptions};
use super::sweep::write_sweep_csv;
pub use super::target::check_target;
use super::target::not_ours;
use super::{csv as csvw, meta};
use crate::analysis::RunResult;
use crate::error::{Error, Result};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

pub use super::target::{MARKER, RESULT_FILES};

/// Checks `dir` as [`check_target`] does and makes sure a folder can be
/// created beside it (the parent folders are created, a probe folder is
/// made and removed), so a target that cannot be written fails before any
/// trial runs, not after.
pub fn preflight(dir: &Path) -> Result<()> {
    check_target(dir)?;
    create_parent(dir)?;
    let probe = temp_beside(dir, "probe")?;
    fs::remove_dir(&probe)
        .map_err(|e| Error::io(format!("cannot remove the folder {}", probe.display()), e))
}

/// Creates the folders above `dir`.
fn create_parent(dir: &Path) -> Result<PathBuf> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)
        .map_err(|e| Error::io(format!("cannot create the folder {}", parent.display()), e))?;
    Ok(parent)
}

/// Redraws charts in the results folder `dir` (already checked with
/// [`check_target`]): `draw` writes them into a temporary sibling folder,
/// and only when every chart is drawn are they renamed into `dir`, one
/// atomic rename each. Returns the charts' paths in `dir`.
pub fn replace_charts(
    dir: &Path,
    draw: impl FnOnce(&Path) -> Result<Vec<PathBuf>>,
) -> Result<Vec<PathBuf>> {
    let tmp = temp_beside(dir, "plot")?;
    let drawn = draw(&tmp).and_then(|drawn| {
        if let Some(signal) = crate::interrupt::pending() {
            return Err(Error::Interrupted { signal });
        }
        sync_folder(&tmp, &[])?;
        let mut placed = Vec::with_capacity(drawn.len());
        for from in drawn {
            let to = dir.join(from.file_name().unwrap_or_default());
            fs::rename(&from, &to)
                .map_err(|e| Error::io(format!("cannot put {} in place", to.display()), e))?;
            placed.push(to);
        }
        Ok(placed)
    });
    let _ = fs::remove_dir_all(&tmp);
    drawn
}

/// A new empty folder beside `dir`, named `.LEAF.KIND-PID-NANOS`.
fn temp_beside(dir: &Path, kind: &str) -> Result<PathBuf> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let leaf = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stamp = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let tmp = parent.join(format!(".{leaf}.{kind}-{stamp}"));
    fs::create_dir(&tmp)
        .map_err(|e| Error::io(format!("cannot create the folder {}", tmp.display()), e))?;
    Ok(tmp)
}

/// Writes all results of `run` (CSVs, meta.json, sweep.csv and the charts)
/// into `dir`, replacing what was there only as [`check_target`] allows.
/// Every file is complete and synced before the swap; a chart that cannot
/// be drawn is an error like any other write.
pub fn write_results(dir: &Path, run: &RunResult) -> Result<()> {
    check_target(dir)?;
    let parent = create_parent(dir)?;
    let tmp = temp_beside(dir, "new")?;
    // A peer run that a signal ended writes what it gathered; any other
    // run stops writing when a signal comes.
    let ended_by_signal = run.peer.as_ref().is_some_and(|p| p.interrupted.is_some());
    let written = fill(&tmp, run).and_then(|()| {
        if let Some(signal) = crate::interrupt::pending().filter(|_| !ended_by_signal) {
            return Err(Error::Interrupted { signal });
        }
        check_target(dir)?;
        swap_in(&tmp, dir, &parent)
    });
    if let Err(e) = written {
        // Only the folder this call created: the old results are untouched.
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    Ok(())
}

/// Writes every file into the temporary folder and syncs it.
fn fill(tmp: &Path, run: &RunResult) -> Result<()> {
    let failed = |name: &str| {
        let what = format!("cannot write {}", tmp.join(name).display());
        move |e: io::Error| Error::io(what, e)
    };
    let csv_failed = |name: &str| {
        let failed = failed(name);
        move |e: csv::Error| failed(io::Error::other(e))
    };
    write_file(tmp, MARKER, |w| {
        writeln!(
            w,
            "results written by nianbao {}",
            env!("CARGO_PKG_VERSION")
        )
    })
    .map_err(failed(MARKER))?;
    write_file(tmp, "experiment.toml", |w| {
        w.write_all(run.plan.config.as_bytes())
    })
    .map_err(failed("experiment.toml"))?;
    write_file(tmp, "meta.json", |w| {
        w.write_all(meta::meta_json(run).as_bytes())
    })
    .map_err(failed("meta.json"))?;
    if super::recorded::has_bytes(run) {
        write_file(tmp, "bytes.bin", |w| super::recorded::write_bytes(run, w))
            .map_err(failed("bytes.bin"))?;
    }
    if csvw::captured(run) {
        write_file(tmp, "segments.csv", |w| {
            csvw::write_segments(run, &mut *w).map_err(io::Error::other)
        })
        .map_err(failed("segments.csv"))?;
        write_file(tmp, "capture.pcapng", |w| super::pcapng::write(run, w))
            .map_err(failed("capture.pcapng"))?;
    }
    if csvw::has_requests(run) {
        write_file(tmp, "requests.csv", |w| {
            csvw::write_requests(run, &mut *w).map_err(io::Error::other)
        })
        .map_err(failed("requests.csv"))?;
    }
    type CsvWrite = fn(&RunResult, BufWriter<File>) -> std::result::Result<(), csv::Error>;
    let tables: [(&str, CsvWrite); 4] = [
        ("summary.csv", csvw::write_summary),
        ("sends.csv", csvw::write_sends),
        ("recvs.csv", csvw::write_recvs),
        ("messages.csv", csvw::write_messages),
    ];
    // The tables are independent: each is written and synced in its own
    // thread (a large run spends seconds formatting rows and waiting for
    // the disk, and the trials are over, so the cores are free).
    let table = |(name, write): (&str, CsvWrite)| -> Result<()> {
        let path = tmp.join(name);
        let file = File::create(&path).map_err(failed(name))?;
        write(run, BufWriter::new(file)).map_err(csv_failed(name))?;
        File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(failed(name))
    };
    std::thread::scope(|s| {
        let threads: Vec<_> = tables.map(|t| s.spawn(move || table(t))).into();
        // Every thread joined before the first error is returned, so none
        // is left to fail the scope (and skip removing the folder).
        let ended: Vec<Result<()>> = threads
            .into_iter()
            .map(|t| {
                t.join().unwrap_or_else(|_| {
                    Err(Error::Stream("a results writer thread panicked".into()))
                })
            })
            .collect();
        ended.into_iter().collect::<Result<()>>()
    })?;
    if !run.plan.swept.is_empty() {
        write_sweep_csv(&tmp.join("summary.csv"), &tmp.join("sweep.csv"))
            .map_err(|e| failed("sweep.csv")(io::Error::other(e)))?;
    }
    let opts = ChartOptions {
        metric: run.plan.scenarios[0].experiment.chart_metric.clone(),
        ..ChartOptions::default()
    };
    // The charts' rows come from memory: they are the rows just written.
    let rows = super::load::for_charts_of(tmp, run)?;
    draw_loaded(&rows, tmp, &opts)?;
    // The tables synced themselves as they finished.
    sync_folder(tmp, &tables.map(|(name, _)| name))
}

/// Writes one file through a buffer and flushes it.
fn write_file(
    dir: &Path,
    name: &str,
    body: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> io::Result<()> {
    let mut w = BufWriter::new(File::create(dir.join(name))?);
    body(&mut w)?;
    w.flush()
}

/// Syncs every file of `dir` but the `synced` ones, then `dir` itself, so a
/// crash after the swap cannot leave empty files behind a complete-looking
/// folder.
fn sync_folder(dir: &Path, synced: &[&str]) -> Result<()> {
    let failed = |p: &Path| {
        let what = format!("cannot sync {}", p.display());
        move |e: io::Error| Error::io(what, e)
    };
    for entry in fs::read_dir(dir).map_err(failed(dir))? {
        let path = entry.map_err(failed(dir))?.path();
        if path
            .file_name()
            .is_some_and(|n| synced.iter().any(|s| n == *s))
        {
            continue;
        }
        File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(failed(&path))?;
    }
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(failed(dir))
}

/// Puts `new` at `dir` in one atomic step and removes the old folder,
/// after checking once more, now that it is out of the way, that the old
/// folder is one nianbao wrote (something could have been put at `dir`
/// since [`check_target`]); if not, it is swapped back and kept.
fn swap_in(new: &Path, dir: &Path, parent: &Path) -> Result<()> {
    use crate::net::fs::{rename_exchange, rename_noreplace, rename_unsupported};
    let exists = fs::symlink_metadata(dir).is_ok();
    let swapped = if exists {
        rename_exchange(new, dir)
    } else {
        rename_noreplace(new, dir)
    };
    match swapped {
        // `new` now names the old results (or nothing).
        Ok(()) if exists => remove_replaced(new, dir)?,
        Ok(()) => {}
        Err(e) if rename_unsupported(&e) => swap_by_renames(new, dir, exists)?,
        Err(e) => return Err(place_failed(dir, e)),
    }
    File::open(parent)
        .and_then(|f| f.sync_all())
        .map_err(|e| place_failed(dir, e))
}

/// The error for new results that could not be put in place at `dir`.
fn place_failed(dir: &Path, e: io::Error) -> Error {
    Error::io(
        format!("cannot put the new results in place at {}", dir.display()),
        e,
    )
}

/// After the exchange, removes the old results now at `old`, unless they
/// changed during the run: then they go back in place (or stay at `old`).
fn remove_replaced(old: &Path, dir: &Path) -> Result<()> {
    if let Some(why) = not_ours(old) {
        let back = crate::net::fs::rename_exchange(old, dir);
        let kept = match back {
            Ok(()) => "it is back in place".to_string(),
            Err(_) => format!("it is kept at {}", old.display()),
        };
        return Err(Error::Results {
            path: dir.to_path_buf(),
            what: format!(
                "what was there changed during the run ({}); nothing was removed, {kept}",
                why.why
            ),
            source: why.source.map(|e| e.into()),
        });
    }
    let _ = fs::remove_dir_all(old);
    Ok(())
}

/// A filesystem without renameat2 flags: move the old folder aside (a name
/// as unique as the temporary folder's), put the new one in place, then
/// remove the old one.
fn swap_by_renames(new: &Path, dir: &Path, exists: bool) -> Result<()> {
    let aside = PathBuf::from(format!("{}.old", new.display()));
    if exists {
        fs::rename(dir, &aside).map_err(|e| place_failed(dir, e))?;
    }
    if let Err(e) = fs::rename(new, dir) {
        if exists && fs::rename(&aside, dir).is_err() {
            return Err(Error::Results {
                path: dir.to_path_buf(),
                what: format!(
                    "cannot put the new results in place, nor the old ones back: they are at {}",
                    aside.display()
                ),
                source: Some(e.into()),
            });
        }
        return Err(place_failed(dir, e));
    }
    if exists {
        let _ = fs::remove_dir_all(&aside);
    }
    Ok(())
}
