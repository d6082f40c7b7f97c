//! The command line (clap derive). Structs only; [`crate::app`] acts on them.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// nianbao (粘包): make TCP sticky packets and split packets happen on
/// purpose, and see which recv() carried which message, and why.
#[derive(Debug, Parser)]
#[command(name = "nianbao", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the named experiments, one line each.
    List,
    /// Run an experiment, print the verdict and ruler, write results.
    Run(RunArgs),
    /// Reprint the verdict and ruler of a results folder from its CSVs.
    Show(ShowArgs),
    /// Redraw every chart of a results folder from its CSVs alone.
    Plot(PlotArgs),
    /// Print a shell completion script for bash, zsh, fish, elvish or powershell.
    Completions(CompletionsArgs),
    /// Print a man page (roff): nianbao man | man -l -
    Man(ManArgs),
}

/// `nianbao man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// A command's own page, nianbao-COMMAND(1), with all its options
    /// (default: nianbao(1), which lists the commands).
    pub command: Option<String>,
}

/// `nianbao completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write the script for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `nianbao plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A results folder written by `nianbao run`.
    pub results_dir: PathBuf,
    /// The summary.csv figure sweep.png plots (e.g. merged_fraction, split_fraction, segments, recvs);
    /// default: the experiment's `chart_metric`, else merged_fraction.
    #[arg(long)]
    pub metric: Option<String>,
    /// The flow sweep.png and compare.png count.
    #[arg(long, value_parser = ["c2s", "s2c"], default_value = "c2s")]
    pub flow: String,
    /// Messages drawn per flow in boundaries.png.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub max_messages: u32,
}

/// Output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Words, the ruler and tables for a person.
    #[default]
    Text,
    /// One JSON document on stdout.
    Json,
}

/// `nianbao run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// A named experiment (see `nianbao list`) or a path to a .toml file.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub experiment: Option<String>,
    /// Run every named experiment and print one summary table.
    #[arg(long)]
    pub all: bool,
    /// Override a field: --set sender.nodelay=true (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Sweep a field: --sweep sender.gap=0,1ms,10ms (repeatable; a cartesian product).
    #[arg(long = "sweep", value_name = "KEY=V1,V2,…")]
    pub sweeps: Vec<String>,
    /// Trials per scenario (overrides the file's `trials`).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub trials: Option<u32>,
    /// Results folder (default: results/NAME; with --all: DIR/NAME for each).
    /// A new folder, or one nianbao wrote before; anything else is refused.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The most scenarios × trials one run may hold (a sweep's size is
    /// checked before anything runs).
    #[arg(long, value_name = "N", default_value_t = nianbao_default_max_runs(),
          value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub max_runs: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Messages drawn in the ruler before it says "showing the first N".
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub ruler_messages: u32,
    /// No progress bar on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

const fn nianbao_default_max_runs() -> u64 {
    crate::experiment::DEFAULT_MAX_RUNS
}

/// `nianbao show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A results folder written by `nianbao run`.
    pub results_dir: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Messages drawn in the ruler.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub ruler_messages: u32,
}
