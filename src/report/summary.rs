//! `summary.csv` rows: fixed key columns, then one column per swept parameter,
//! then the numeric figures. The parameter columns vary per experiment, so
//! the header is checked in three parts: the keys, the parameters, the
//! figures. Every figure must be a finite number in its range.

use super::rows::flow;
pub use super::rows::SummaryRow;
use super::table::{Cells, Table};
use crate::error::LoadError;
use std::path::Path;

/// The numeric columns of `summary.csv`, in file order.
pub use super::csv::SUMMARY_COLUMNS as FIGURES;

const KEYS: [&str; 3] = ["scenario", "trial", "flow"];

/// Largest count accepted in a figure: every whole number up to here is
/// exact in an f64, so casting it to u64 loses nothing.
const MAX_COUNT: f64 = (1u64 << 53) as f64;

/// The figure columns a summary.csv written before request latencies
/// were timed ends with: every figure but the last [`LATENCY_COLUMNS`].
/// Such a file still loads, its latencies empty.
const LATENCY_COLUMNS: usize = 3;

/// Checks the header; returns the swept parameter columns and how many
/// of [`FIGURES`] the file has (all, or all but the latencies).
fn params(table: &Table) -> Result<(Vec<String>, usize), LoadError> {
    let header = table.header();
    let n = header.len();
    let ends_with = |figures: &[&str]| {
        n >= KEYS.len() + figures.len()
            && header[n - figures.len()..]
                .iter()
                .zip(figures)
                .all(|(h, f)| h == f)
    };
    let older = &FIGURES[..FIGURES.len() - LATENCY_COLUMNS];
    let figures = match (ends_with(FIGURES), ends_with(older)) {
        (true, _) => FIGURES,
        (false, true) => older,
        _ => FIGURES,
    };
    let known = |h: &str| KEYS.contains(&h) || FIGURES.contains(&h);
    let missing = KEYS
        .iter()
        .chain(figures)
        .find(|c| !header.iter().any(|h| h == *c));
    if let Some(c) = missing {
        return Err(table.header_error(format!("missing column `{c}`")));
    }
    let keys_first = header.iter().zip(KEYS).all(|(h, k)| h == k);
    if !keys_first || !ends_with(figures) {
        return Err(table.header_error(format!(
            "expected {}, then the swept parameters, then {}",
            KEYS.join(","),
            FIGURES.join(",")
        )));
    }
    let params = &header[KEYS.len()..n - figures.len()];
    for (i, p) in params.iter().enumerate() {
        if p.is_empty() || known(p) || params[..i].contains(p) {
            return Err(table.header_error(format!(
                "{p:?} is not a usable swept parameter column (empty, repeated or a figure's name)"
            )));
        }
    }
    Ok((params.to_vec(), figures.len()))
}

/// One figure cell: a finite number in range; empty only for `segments`
/// and, for a flow whose message boundaries are unknown, the fractions.
fn figure(c: &mut Cells, name: &str) -> Result<Option<f64>, LoadError> {
    let Some(v) = c.opt_f64()? else {
        return match name {
            "segments" | "merged_fraction" | "split_fraction" | "latency_mean_ns"
            | "latency_median_ns" | "latency_p99_ns" => Ok(None),
            _ => Err(c.error("is empty".into())),
        };
    };
    let text = v.to_string();
    let fraction = name.ends_with("_fraction");
    if !v.is_finite() {
        Err(c.error(format!("{text} is not a finite number")))
    } else if fraction && !(0.0..=1.0).contains(&v) {
        Err(c.error(format!("{text} is not a fraction from 0 to 1")))
    } else if !fraction && (v < 0.0 || v.fract() != 0.0 || v > MAX_COUNT) {
        Err(c.error(format!("{text} is not a whole number from 0 to 2^53")))
    } else {
        Ok(Some(v))
    }
}

fn parse_row(c: &mut Cells, n_params: usize, n_figures: usize) -> Result<SummaryRow, LoadError> {
    let (line, scenario, trial, flow) = (c.line, c.u32()?, c.u32()?, flow(c)?);
    let params = (0..n_params).map(|_| c.text()).collect();
    let mut figures = Vec::with_capacity(FIGURES.len());
    for name in &FIGURES[..n_figures] {
        figures.push(figure(c, name)?);
    }
    figures.resize(FIGURES.len(), None);
    Ok(SummaryRow {
        line,
        scenario,
        trial,
        flow,
        params,
        figures,
    })
}

/// Reads `summary.csv`: the swept parameter keys and the rows.
pub fn read(path: &Path) -> Result<(Vec<String>, Vec<SummaryRow>), LoadError> {
    let mut table = Table::open(path)?;
    let (keys, n_figures) = params(&table)?;
    let mut rows = Vec::new();
    table.rows(|c| {
        rows.push(parse_row(c, keys.len(), n_figures)?);
        Ok(())
    })?;
    Ok((keys, rows))
}
