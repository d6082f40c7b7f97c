//! PNG charts drawn only from a results folder's CSVs (SPEC §4): one function
//! per chart, each returning `Result` and never measuring anything.

mod boundaries;
mod boundary_rows;
mod common;
mod compare;
pub mod fonts;
mod latency;
mod recv_sizes;
mod sweep_plot;
mod text;
mod timeline;
pub mod values;

pub use boundaries::boundaries;
pub use compare::compare;
pub use latency::latency;
pub use recv_sizes::recv_sizes;
pub use sweep_plot::sweep;
pub use timeline::timeline;

use super::load::{load_for_charts, Flow, Results};
use std::path::{Path, PathBuf};

pub use crate::error::ChartError;

impl<E: std::error::Error + Send + Sync> From<plotters::drawing::DrawingAreaErrorKind<E>>
    for ChartError
{
    fn from(e: plotters::drawing::DrawingAreaErrorKind<E>) -> Self {
        ChartError::Draw(plain_draw_error(&e.to_string()))
    }
}

/// plotters words a failed PNG write as nested debug text
/// (`…ImageError(IoError(Custom { kind: Other, error: "No space left on
/// device (os error 28)" }))`); the OS's words are what a user needs.
fn plain_draw_error(text: &str) -> String {
    let quoted = ["error: \"", "message: \""].iter().find_map(|open| {
        text.split_once(open)
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(inner, _)| inner.to_string())
    });
    quoted.unwrap_or_else(|| text.to_string())
}

/// What to draw and how.
#[derive(Debug, Clone)]
pub struct ChartOptions {
    /// Image width in pixels.
    pub width: u32,
    /// `boundaries.png` shows at most this many messages per flow.
    pub max_messages: usize,
    /// The `summary.csv` column `sweep.png` plots.
    pub metric: String,
    /// The flow that `sweep.png` and `compare.png` count.
    pub flow: Flow,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            width: 1200,
            max_messages: 12,
            metric: "merged_fraction".to_string(),
            flow: Flow::C2s,
        }
    }
}

/// Draws every chart that applies to the results in `dir`, into `dir`,
/// from a sample of the rows of a very long flow ([`load_for_charts`]).
pub fn draw_all(dir: &Path, opts: &ChartOptions) -> Result<Vec<PathBuf>, ChartError> {
    let res = load_for_charts(dir)?;
    draw_loaded(&res, dir, opts)
}

/// Draws every chart that applies to already loaded results, into `out_dir`.
pub fn draw_loaded(
    res: &Results,
    out_dir: &Path,
    opts: &ChartOptions,
) -> Result<Vec<PathBuf>, ChartError> {
    type Draw = fn(&Results, &ChartOptions, &Path) -> Result<(), ChartError>;
    let mut charts: Vec<(&str, Draw)> = Vec::new();
    if !res.sends.is_empty() || !res.recvs.is_empty() {
        charts.push(("boundaries.png", boundaries));
        charts.push(("timeline.png", timeline));
    }
    if recv_sizes::applies(res) {
        charts.push(("recv-sizes.png", recv_sizes));
    }
    if latency::applies(res) {
        charts.push(("latency.png", latency));
    }
    if !res.param_keys.is_empty() {
        charts.push(("sweep.png", sweep));
    }
    if common::scenarios(res).len() > 1 {
        charts.push(("compare.png", compare));
    }
    let mut written = Vec::new();
    for (name, draw) in charts {
        let path = out_dir.join(name);
        draw(res, opts, &path).map_err(|e| ChartError::Chart {
            path: path.clone(),
            source: Box::new(e),
        })?;
        written.push(path);
    }
    Ok(written)
}
