//! compare
use super::{ChartError, ChartOptions};
use crate::report::load::Results;
use std::path::Path;
/// Draws compare.png.
pub fn compare(_res: &Results, _opts: &ChartOptions, _out: &Path) -> Result<(), ChartError> {
    Ok(())
}
