//! Exporters: CSV files, meta.json, the terminal ruler and verdict, JSON.
//! Everything here reads analysed results; nothing measures.

pub mod csv;
pub mod json;
pub mod meta;
pub mod readback;
pub mod results;
pub mod ruler;
pub mod text;
pub mod verdict;
