//! `summary.csv` rows: fixed key columns, then one column per swept parameter,
//! then the numeric figures. The parameter columns vary per experiment, so
//! this file is read by header name rather than through serde.

use super::load::{csv_error, open_csv, Flow, LoadError};
use std::path::Path;

/// The numeric columns of `summary.csv`, in file order.
pub use super::csv::SUMMARY_COLUMNS as FIGURES;

/// One row of `summary.csv`: one (scenario, trial, flow).
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    pub scenario: u32,
    pub trial: u32,
    pub flow: Flow,
    /// Swept parameter values as written (`"1ms"`, `"true"`), aligned with
    /// [`super::load::Results::param_keys`].
    pub params: Vec<String>,
    /// Values of [`FIGURES`], same order; `None` where the cell was empty.
    pub figures: Vec<Option<f64>>,
}

impl SummaryRow {
    /// The value of one figure by column name (`"merged_fraction"`).
    pub fn figure(&self, name: &str) -> Option<f64> {
        let i = FIGURES.iter().position(|f| *f == name)?;
        self.figures.get(i).copied().flatten()
    }
}

/// Where each column lives in the file.
struct Layout {
    key: [usize; 3],
    params: Vec<(String, usize)>,
    figures: Vec<usize>,
}

fn layout(path: &Path, header: &csv::StringRecord) -> Result<Layout, LoadError> {
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| LoadError::Csv {
                path: path.to_path_buf(),
                line: 1,
                column: None,
                msg: format!("header has no `{name}` column"),
                source: None,
            })
    };
    let key = [find("scenario")?, find("trial")?, find("flow")?];
    let figures = FIGURES
        .iter()
        .map(|f| find(f))
        .collect::<Result<Vec<_>, _>>()?;
    let known = |h: &str| ["scenario", "trial", "flow"].contains(&h) || FIGURES.contains(&h);
    let params = header
        .iter()
        .enumerate()
        .filter(|(_, h)| !known(h))
        .map(|(i, h)| (h.to_string(), i))
        .collect();
    Ok(Layout {
        key,
        params,
        figures,
    })
}

fn parse_row(lay: &Layout, rec: &csv::StringRecord) -> Result<SummaryRow, String> {
    let cell = |i: usize| rec.get(i).unwrap_or("").trim();
    let int = |i: usize, name: &str| {
        cell(i)
            .parse::<u32>()
            .map_err(|_| format!("`{name}` is not a whole number: {:?}", cell(i)))
    };
    let flow = match cell(lay.key[2]) {
        "c2s" => Flow::C2s,
        "s2c" => Flow::S2c,
        other => return Err(format!("`flow` must be c2s or s2c, not {other:?}")),
    };
    let mut figures = Vec::with_capacity(lay.figures.len());
    for (&i, name) in lay.figures.iter().zip(FIGURES) {
        figures.push(match cell(i) {
            "" => None,
            s => Some(
                s.parse::<f64>()
                    .map_err(|_| format!("`{name}` is not a number: {s:?}"))?,
            ),
        });
    }
    Ok(SummaryRow {
        scenario: int(lay.key[0], "scenario")?,
        trial: int(lay.key[1], "trial")?,
        flow,
        params: lay
            .params
            .iter()
            .map(|(_, i)| cell(*i).to_string())
            .collect(),
        figures,
    })
}

/// Reads `summary.csv`: the swept parameter keys and the rows.
pub fn read(path: &Path) -> Result<(Vec<String>, Vec<SummaryRow>), LoadError> {
    let mut reader = open_csv(path)?;
    let header = reader
        .headers()
        .map_err(|e| csv_error(path, &e, 1))?
        .clone();
    let lay = layout(path, &header)?;
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| csv_error(path, &e, i as u64 + 2))?;
        let line = rec.position().map_or(i as u64 + 2, |p| p.line());
        let row = parse_row(&lay, &rec).map_err(|msg| LoadError::Csv {
            path: path.to_path_buf(),
            line,
            column: None,
            msg,
            source: None,
        })?;
        rows.push(row);
    }
    let keys = lay.params.into_iter().map(|(k, _)| k).collect();
    Ok((keys, rows))
}
