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
    /// Be the server for someone else's client: record every recv, its bytes and boundaries.
    Listen(Box<ListenArgs>),
    /// Be the client for someone else's server: an experiment's sender side, replies recorded.
    Send(Box<SendArgs>),
    /// Relay connections to someone else's server, recording and re-chunking both ways.
    Proxy(Box<ProxyArgs>),
    /// Run unmodified programs under ptrace and record their socket calls: which send() made each recv()'s bytes.
    Trace(Box<TraceArgs>),
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

/// What a peer command writes and prints: the results folder, the format,
/// the ruler's length, and `--set` for any other experiment key.
#[derive(Debug, Args)]
pub struct PeerOutput {
    /// Override any experiment key: --set receiver.rcvbuf=4096 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Results folder (default: results/COMMAND). A new folder, or one
    /// nianbao wrote before; anything else is refused.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Messages drawn in the ruler before it says "showing the first N".
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub ruler_messages: u32,
    /// Bytes kept for labels and `show`, all flows together (then lengths only).
    #[arg(long, value_name = "SIZE", default_value = "64MiB")]
    pub keep_bytes: String,
    /// Wait at most this long in all (up to 600s).
    #[arg(long, value_name = "DUR")]
    pub deadline: Option<String>,
}

/// Where message boundaries come from when the other end is someone else's program.
#[derive(Debug, Args)]
pub struct PeerBoundaries {
    /// Decode the stream with a framing (u32be, u16be, varint, line, fixed:N,
    /// json-header): each frame is a message.
    #[arg(long, value_name = "FRAMING")]
    pub framing: Option<String>,
    /// The messages the peer sends, comma-separated (escapes as in an
    /// experiment file: \n, \x00): --messages hello,feng.
    #[arg(long, value_name = "M1,M2,…")]
    pub messages: Option<String>,
}

/// `nianbao listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// A named experiment or .toml file whose receiver knobs to use
    /// (default: a plain receiver reading 1024 bytes at a time).
    pub experiment: Option<String>,
    /// Address to listen on; any other than loopback only when named.
    #[arg(long, default_value = "127.0.0.1")]
    pub ip: std::net::IpAddr,
    /// Port (0: any free port; the chosen address is the first line of stdout).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// tcp or udp.
    #[arg(long, value_parser = ["tcp", "udp"])]
    pub kind: Option<String>,
    #[command(flatten)]
    pub boundaries: PeerBoundaries,
    /// Sizes of successive recv() calls, the last repeating: --recv-sizes 2,1024.
    #[arg(long, value_name = "N,N,…")]
    pub recv_sizes: Option<String>,
    /// Wait this long after accepting before the first recv: --start-delay 50ms.
    #[arg(long, value_name = "DUR")]
    pub start_delay: Option<String>,
    /// Pause between recv() calls.
    #[arg(long, value_name = "DUR")]
    pub recv_gap: Option<String>,
    /// SO_RCVBUF in bytes (the kernel doubles it).
    #[arg(long, value_name = "SIZE")]
    pub rcvbuf: Option<String>,
    /// Answer each read: none, echo, upper, or reply sizes (1500,1800). Never runs anything.
    #[arg(long, value_name = "REPLY")]
    pub reply: Option<String>,
    /// Connections to accept, one trial each (1 to 64).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=crate::peer::MAX_CONNECTIONS as i64))]
    pub connections: u16,
    /// End a connection after this long without data (default: when the client closes).
    #[arg(long, value_name = "DUR")]
    pub idle: Option<String>,
    #[command(flatten)]
    pub output: PeerOutput,
}

/// `nianbao send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// A named experiment (see `nianbao list`) or a .toml file whose sender to be
    /// (default: hello and feng, back to back).
    pub experiment: Option<String>,
    /// The server to send to.
    #[arg(long, value_name = "ADDR")]
    pub to: std::net::SocketAddr,
    /// The messages to send, comma-separated (escapes as in an experiment
    /// file): --messages hello,feng.
    #[arg(long, value_name = "M1,M2,…")]
    pub messages: Option<String>,
    /// Frame each message (u32be, u16be, varint, line, fixed:N, json-header).
    #[arg(long, value_name = "FRAMING")]
    pub framing: Option<String>,
    /// How long a wait for the server's reply or close may stay quiet.
    #[arg(long, value_name = "DUR")]
    pub idle: Option<String>,
    #[command(flatten)]
    pub output: PeerOutput,
}

/// `nianbao proxy`.
#[derive(Debug, Args)]
pub struct ProxyArgs {
    /// Address to listen on (port 0: any free port; the chosen address is
    /// the first line of stdout).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
    /// The server to relay to.
    #[arg(long, value_name = "ADDR")]
    pub to: std::net::SocketAddr,
    /// Re-cut what is forwarded: pass, N, a,b,… or random:MIN..MAX[:SEED].
    #[arg(long, value_name = "SPEC", default_value = "pass")]
    pub chunk: String,
    /// Pause between two forwarded chunks.
    #[arg(long, value_name = "DUR")]
    pub chunk_gap: Option<String>,
    /// Hold what arrives within DUR and forward it as one write.
    #[arg(long, value_name = "DUR")]
    pub coalesce: Option<String>,
    /// TCP_NODELAY on both sockets the proxy writes to.
    #[arg(long)]
    pub nodelay: bool,
    /// Connections to relay, one trial each (1 to 64).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=crate::peer::MAX_CONNECTIONS as i64))]
    pub connections: u16,
    #[command(flatten)]
    pub boundaries: PeerBoundaries,
    #[command(flatten)]
    pub output: PeerOutput,
}

/// `nianbao trace`.
#[derive(Debug, Args)]
#[command(
    after_help = "Example: nianbao trace -- sh -c 'python3 server.py & python3 client.py; wait'\n\
The command's stdout, stderr and exit status pass through unchanged; the report follows its output."
)]
pub struct TraceArgs {
    #[command(flatten)]
    pub boundaries: PeerBoundaries,
    /// Print no report (the command's own output still passes through);
    /// the results folder is written all the same.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub output: PeerOutput,
    /// Attach to this running process (all its threads) instead of
    /// starting a command; Ctrl-C or the deadline detaches and leaves it running.
    #[arg(long, value_name = "PID", conflicts_with = "command",
          value_parser = clap::value_parser!(i32).range(1..))]
    pub pid: Option<i32>,
    /// Capture the wire on loopback too (root or CAP_NET_RAW): `auto`
    /// captures when it may, `off` never (to time the tracer alone).
    #[arg(long, value_enum, default_value_t)]
    pub capture: TraceCapture,
    /// The command to run and trace, with its arguments, after `--`.
    #[arg(last = true, required_unless_present = "pid", value_name = "CMD")]
    pub command: Vec<std::ffi::OsString>,
}

/// `nianbao trace --capture`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum TraceCapture {
    /// Capture when the process may (root or CAP_NET_RAW).
    #[default]
    Auto,
    /// Never capture.
    Off,
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
