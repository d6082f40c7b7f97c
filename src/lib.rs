//! nianbao (粘包): makes TCP "sticky packets" and "split packets" happen on
//! purpose, records every `send()` and `recv()`, works out the fate of every
//! application message and writes CSVs, a terminal ruler and charts.
//!
//! Data flows one way (ARCHITECTURE.md): an experiment file becomes a
//! validated [`experiment::Experiment`]; a source — [`engine`], which runs
//! it on real sockets through [`net`] — records a [`trace::Trace`];
//! [`analysis`] turns any trace into recv kinds, message fates, a summary
//! and `[expect]` checks; [`report`] writes and reads results folders, the
//! ruler and the charts; [`app`] and [`run`] tie them to the command line.
//! No module imports from a layer above its own.

pub mod analysis;
pub mod app;
pub mod app_peer;
pub mod cli;
pub mod engine;
pub mod error;
pub mod experiment;
pub mod framing;
pub mod interrupt;
pub mod net;
pub mod peer;
pub mod report;
pub mod run;
pub mod trace;
pub(crate) mod tsc;
pub mod units;
