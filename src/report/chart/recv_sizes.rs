//! recv_sizes
use super::{ChartError, ChartOptions};
use crate::report::load::Results;
use std::path::Path;
/// Draws recv_sizes.png.
pub fn recv_sizes(_res: &Results, _opts: &ChartOptions, _out: &Path) -> Result<(), ChartError> {
    Ok(())
}
