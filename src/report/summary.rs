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

/// Checks the header; returns the swept parameter columns.
fn params(table: &Table) -> Result<Vec<String>, LoadError> {
    let header = table.header();
    let known = |h: &str| KEYS.contains(&h) || FIGURES.contains(&h);
    let missing = KEYS
        .iter()
        .chain(FIGURES)
        .find(|c| !header.iter().any(|h| h == *c));
    if let Some(c) = missing {
        return Err(table.header_error(format!("missing column `{c}`")));
    }
    let n = header.len();
    let keys_first = header.iter().zip(KEYS).all(|(h, k)| h == k);
    let figures_last = n >= KEYS.len() + FIGURES.len()
        && header[n - FIGURES.len()..]
            .iter()
            .zip(FIGURES)
            .all(|(h, f)| h == f);
    if !keys_first || !figures_last {
        return Err(table.header_error(format!(
            "expected {}, then the swept parameters, then {}",
            KEYS.join(","),
            FIGURES.join(",")
        )));
    }
    let params = &header[KEYS.len()..n - FIGURES.len()];
    for (i, p) in params.iter().enumerate() {
        if p.is_empty() || known(p) || params[..i].contains(p) {
            return Err(table.header_error(format!(
                "{p:?} is not a usable swept parameter column (empty, repeated or a figure's name)"
            )));
        }
    }
    Ok(params.to_vec())
}

/// One figure cell: a finite number in range; empty only for `segments`
/// and, for a flow whose message boundaries are unknown, the fractions.
fn figure(c: &mut Cells, name: &str) -> Result<Option<f64>, LoadError> {
    let Some(v) = c.opt_f64()? else {
        return match name {
            "segments" | "merged_fraction" | "split_fraction" => Ok(None),
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

fn parse_row(c: &mut Cells, n_params: usize) -> Result<SummaryRow, LoadError> {
    let (line, scenario, trial, flow) = (c.line, c.u32()?, c.u32()?, flow(c)?);
    let params = (0..n_params).map(|_| c.text()).collect();
    let mut figures = Vec::with_capacity(FIGURES.len());
    for name in FIGURES {
        figures.push(figure(c, name)?);
    }
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
    let keys = params(&table)?;
    let mut rows = Vec::new();
    table.rows(|c| {
        rows.push(parse_row(c, keys.len())?);
        Ok(())
    })?;
    Ok((keys, rows))
}
