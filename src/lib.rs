//! nianbao (粘包): makes TCP "sticky packets" and "split packets" happen on
//! purpose, records every `send()` and `recv()`, works out the fate of every
//! application message and writes CSVs, a terminal ruler and charts.
//!
//! Data flows one way: an experiment file becomes a validated
//! [`experiment::Experiment`], [`engine`] executes it on real sockets and yields a
//! [`trace::Trace`], [`analysis`] turns the trace into recv kinds, message fates
//! and a summary, and [`report`] writes CSVs, the ruler and charts.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod engine;
pub mod error;
pub mod experiment;
pub mod framing;
pub mod interrupt;
pub mod net;
pub mod report;
pub mod run;
pub mod trace;
pub mod tsc;
pub mod units;
