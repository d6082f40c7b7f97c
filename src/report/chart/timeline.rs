//! timeline
use super::{ChartError, ChartOptions};
use crate::report::load::Results;
use std::path::Path;
/// Draws timeline.png.
pub fn timeline(_res: &Results, _opts: &ChartOptions, _out: &Path) -> Result<(), ChartError> {
    Ok(())
}
