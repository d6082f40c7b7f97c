//! Everything that turns results into something a person reads: the loader
//! for a results folder, sweep statistics and the PNG charts.

pub mod chart;
pub mod info;
pub mod load;
pub mod summary;
pub mod sweep;
