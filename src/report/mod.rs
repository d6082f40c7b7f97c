//! Exporters: CSV files, meta.json, the terminal ruler and verdict, JSON,
//! sweep statistics and the PNG charts. Everything here reads analysed
//! results or a results folder; nothing measures.

pub mod chart;
mod check;
pub mod csv;
pub mod info;
pub mod json;
pub mod load;
pub mod meta;
pub mod open;
pub mod readback;
pub mod results;
pub mod rows;
pub mod ruler;
mod ruler_layout;
mod ruler_words;
pub mod summary;
pub mod sweep;
mod table;
mod target;
pub mod text;
pub mod verdict;
