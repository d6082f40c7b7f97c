//! Writes a results folder (SPEC §4) so that nothing is ever half-written:
//! everything goes into a new sibling folder, which then replaces the old
//! one with renames. An interrupted run leaves the previous results intact.

use super::chart::{draw_all, ChartOptions};
use super::sweep::write_sweep_csv;
use super::{csv as csvw, meta};
use crate::error::{Error, Result};
use crate::run::RunResult;
use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// Writes all results of `run` (CSVs, meta.json, sweep.csv and the charts)
/// into `dir`, replacing what was there. Returns warnings (charts that could
/// not be drawn, e.g. for lack of a font); the CSVs are complete regardless.
pub fn write_results(dir: &Path, run: &RunResult) -> Result<Vec<String>> {
    let fail = |msg: String| Error::Results {
        path: dir.to_path_buf(),
        msg,
    };
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)
        .map_err(|e| fail(format!("cannot create {}: {e}", parent.display())))?;
    let leaf = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "results".into());
    let stamp = format!("{}-{}", std::process::id(), run.started_unix);
    let tmp = parent.join(format!(".{leaf}.new-{stamp}"));
    fs::create_dir(&tmp).map_err(|e| fail(format!("cannot create {}: {e}", tmp.display())))?;
    if let Err(e) = write_all(&tmp, run) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(fail(e));
    }
    let metric = run.plan.scenarios[0].experiment.chart_metric.clone();
    let warnings = match draw_all(
        &tmp,
        &ChartOptions {
            metric,
            ..ChartOptions::default()
        },
    ) {
        Ok(_) => Vec::new(),
        Err(e) => vec![format!("charts not drawn: {e}")],
    };
    swap_in(&tmp, dir, &parent.join(format!(".{leaf}.old-{stamp}"))).map_err(fail)?;
    Ok(warnings)
}

fn write_all(tmp: &Path, run: &RunResult) -> std::result::Result<(), String> {
    let create = |name: &str| {
        File::create(tmp.join(name))
            .map(BufWriter::new)
            .map_err(|e| format!("cannot write {name}: {e}"))
    };
    let csv_err = |name: &'static str| move |e: csv::Error| format!("cannot write {name}: {e}");
    fs::write(tmp.join("experiment.toml"), &run.plan.config)
        .map_err(|e| format!("cannot write experiment.toml: {e}"))?;
    fs::write(tmp.join("meta.json"), meta::meta_json(run))
        .map_err(|e| format!("cannot write meta.json: {e}"))?;
    csvw::write_summary(run, create("summary.csv")?).map_err(csv_err("summary.csv"))?;
    csvw::write_sends(run, create("sends.csv")?).map_err(csv_err("sends.csv"))?;
    csvw::write_recvs(run, create("recvs.csv")?).map_err(csv_err("recvs.csv"))?;
    csvw::write_messages(run, create("messages.csv")?).map_err(csv_err("messages.csv"))?;
    if !run.plan.swept.is_empty() {
        write_sweep_csv(&tmp.join("summary.csv"), &tmp.join("sweep.csv"))
            .map_err(|e| format!("cannot write sweep.csv: {e}"))?;
    }
    Ok(())
}

/// Puts `new` at `dir`: the old folder is moved aside first and removed last.
fn swap_in(new: &Path, dir: &Path, aside: &Path) -> std::result::Result<(), String> {
    let had_old = dir.exists();
    if had_old {
        fs::rename(dir, aside)
            .map_err(|e| format!("cannot move the previous results aside: {e}"))?;
    }
    if let Err(e) = fs::rename(new, dir) {
        if had_old {
            let _ = fs::rename(aside, dir);
        }
        let _ = fs::remove_dir_all(new);
        return Err(format!("cannot put the new results in place: {e}"));
    }
    if had_old {
        let _ = fs::remove_dir_all(aside);
    }
    Ok(())
}
