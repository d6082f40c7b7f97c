//! The report layer: writing a run's results folder atomically (`results`,
//! `csv`, `meta`), reading one back without trusting it (`open`, `table`,
//! `load`, `check`, `readback`), and what a person sees: the terminal text,
//! ruler and verdict (`text`, `ruler`, `verdict`), JSON, sweep statistics
//! and the PNG charts. Everything here reads analysed results or a results
//! folder; nothing measures and nothing touches a socket.

pub mod chart;
mod check;
pub mod csv;
pub(crate) mod info;
pub mod json;
mod knobs;
pub mod load;
pub(crate) mod meta;
pub(crate) mod open;
pub mod pcapng;
pub(crate) mod peer_text;
pub mod readback;
pub(crate) mod recorded;
pub mod results;
pub(crate) mod rows;
pub mod ruler;
mod ruler_bytes;
mod ruler_layout;
mod ruler_words;
pub(crate) mod summary;
pub mod sweep;
mod table;
mod target;
pub mod text;
pub(crate) mod verdict;
mod way_out;
