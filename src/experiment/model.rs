//! The validated experiment the engine runs: every default filled in, every
//! value checked, units resolved.

pub use super::sizes::Sizes;
use crate::framing::{Framing, Limits};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

/// Largest message nianbao will send, bytes.
pub const MAX_MESSAGE: u64 = 64 << 20;
/// Largest number of generated messages in one trial.
pub const MAX_COUNT: u64 = 1_000_000;
/// The summary figures of one flow of one trial, in summary.csv's column
/// order (after `scenario,trial,flow` and the swept parameters): what
/// `[expect]` may bound and `chart_metric` may plot.
pub const SUMMARY_COLUMNS: &[&str] = &[
    "messages",
    "recvs",
    "segments",
    "whole",
    "sticky",
    "fragment",
    "intact",
    "merged",
    "split",
    "truncated",
    "lost",
    "corrupt",
    "merged_fraction",
    "split_fraction",
    "bytes",
    "duration_ns",
    "latency_mean_ns",
    "latency_median_ns",
    "latency_p99_ns",
];

/// Most trials of one scenario.
pub const MAX_TRIALS: u32 = 10_000;
/// Longest deadline of one scenario; every sleep of a trial fits inside it.
pub const MAX_DEADLINE: Duration = Duration::from_secs(600);
/// Most scenarios one plan may expand to (the product of how many values
/// each swept key has): more would take minutes to validate before anything
/// runs, and
/// `show` plans from the experiment.toml of a results folder it must not
/// trust.
pub const MAX_SCENARIOS: usize = 100_000;
/// Default deadline of one scenario.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(10);

/// One runnable experiment (one point of a sweep).
#[derive(Clone, Debug)]
pub struct Experiment {
    pub name: String,
    pub title: String,
    pub about: String,
    pub trials: u32,
    pub deadline: Duration,
    /// The summary figure sweep.png plots.
    pub chart_metric: String,
    pub transport: Transport,
    pub sender: Sender,
    pub receiver: Receiver,
    pub network: Network,
    pub expect: Expect,
}

/// `[network]`: where the trial's two ends run.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// Receiver and sender in two network namespaces joined by a veth
    /// pair (root), rather than both on loopback.
    pub lab: bool,
    /// MTU of the veth pair, bytes.
    pub mtu: u32,
    /// Rate limit of the sender's end, bits per second.
    pub rate_bps: Option<u64>,
    /// One-way delay added on the sender's end (netem).
    pub delay: Duration,
    /// Packets lost on the sender's end, percent (netem).
    pub loss_percent: f64,
}

/// The lab's MTU unless `network.mtu` says otherwise: Ethernet's.
pub const DEFAULT_MTU: u32 = 1500;

impl Default for Network {
    fn default() -> Network {
        Network {
            lab: false,
            mtu: DEFAULT_MTU,
            rate_bps: None,
            delay: Duration::ZERO,
            loss_percent: 0.0,
        }
    }
}

/// TCP or UDP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Tcp,
    Udp,
}

/// `[transport]`.
#[derive(Clone, Debug)]
pub struct Transport {
    pub kind: Kind,
    /// How the c2s stream marks message boundaries; [`Framing::None`] is raw.
    pub framing: Framing,
    pub ip: IpAddr,
    /// 0 = any free port.
    pub port: u16,
    /// Largest whole frame (header + payload) the decoder accepts, bytes.
    pub max_frame: u64,
    /// Whether the trial's segments are captured (AF_PACKET, root).
    pub capture: CaptureMode,
}

/// `transport.capture`: capture the wire between the sends and the recvs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CaptureMode {
    /// Capture when the process may (root or CAP_NET_RAW); say so otherwise.
    #[default]
    Auto,
    /// Capture, or fail before the trial.
    On,
    /// Never capture.
    Off,
}

impl Transport {
    /// The decoder and encoder limits of this transport.
    pub fn limits(&self) -> Limits {
        Limits {
            max_frame: self.max_frame as usize,
            ..Limits::default()
        }
    }
}

/// What the sender sends.
#[derive(Clone, Debug)]
pub enum Messages {
    /// Explicit payloads.
    Explicit(Vec<Vec<u8>>),
    /// `count` generated messages of `size` bytes (a range picks with `seed`).
    Generated {
        count: u64,
        min: u64,
        max: u64,
        seed: u64,
    },
}

/// `[sender]`.
#[derive(Clone, Debug)]
pub struct Sender {
    pub messages: Messages,
    pub gap: Duration,
    pub gap_jitter: Duration,
    pub burst: u64,
    pub seed: u64,
    pub nodelay: bool,
    pub sndbuf: Option<u64>,
    pub cork: bool,
    pub more: bool,
    pub nonblocking: bool,
    /// Bytes sent before the first frame, outside every message (framing
    /// only): e.g. a hostile length prefix.
    pub raw_prefix: Vec<u8>,
    /// Largest send() call, bytes: a longer message (or frame) is written in
    /// several calls, like the tutorial's file sent in chunks. `None` = one call.
    pub write_size: Option<u64>,
    /// A message's parts (its `write_size` pieces) go in one writev() call
    /// instead of one send() each.
    pub writev: bool,
}

/// How the server answers each read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    None,
    /// The bytes read, sent back.
    Echo,
    /// The bytes read in upper case (the tutorial's server).
    Upper,
    /// Replies of these sizes, one per read, in order; the last repeats.
    Sizes(Sizes),
}

/// `receiver.reply_per`: what one reply answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReplyPer {
    /// Every read that returned data (the tutorial's shell: one recv, one reply).
    #[default]
    Read,
    /// Every whole message, however many reads it took (a request/response
    /// protocol: requests.csv times each).
    Message,
}

impl ReplyPer {
    /// The spellings allowed in a file.
    pub const NAMES: [&'static str; 2] = ["read", "message"];
}

/// When the receiver makes its first read: how it is "late".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartDelay {
    /// A fixed wait after the connection is accepted (or the socket bound).
    Fixed(Duration),
    /// `"after-send"`: the receiver waits until, over TCP, every byte the
    /// sender sends is in the receive queue (SIOCINQ; or as many as the
    /// queue holds: [`crate::experiment::after_send_room`]), or, over UDP,
    /// the sender's last sendto has returned. Only nianbao's own sender can
    /// say so.
    AfterSend,
}

impl StartDelay {
    /// The spelling `after-send` takes in a file and on the command line.
    pub const AFTER_SEND: &'static str = "after-send";

    /// The receiver reads as soon as it can.
    pub fn is_zero(self) -> bool {
        self == StartDelay::Fixed(Duration::ZERO)
    }

    /// The fixed part of the wait (none for `after-send`).
    pub fn fixed(self) -> Duration {
        match self {
            StartDelay::Fixed(d) => d,
            StartDelay::AfterSend => Duration::ZERO,
        }
    }
}

impl fmt::Display for StartDelay {
    /// "50ms late", "once the sender is done": words after "the receiver starts".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartDelay::Fixed(d) => write!(f, "{} late", crate::units::format_duration(*d)),
            StartDelay::AfterSend => f.write_str("once the sender is done"),
        }
    }
}

/// `[receiver]`.
#[derive(Clone, Debug)]
pub struct Receiver {
    pub start_delay: StartDelay,
    pub recv_sizes: Sizes,
    pub recv_gap: Duration,
    pub rcvbuf: Option<u64>,
    pub reply: Reply,
    /// Each reply is written in this many send calls (stdout + stderr = 2).
    pub reply_sends: u64,
    /// When the server replies: after every read, or after every whole message.
    pub reply_per: ReplyPer,
    /// TCP_QUICKACK on the server's socket, set again after every read (Linux
    /// clears it by itself), so every segment is ACKed at once.
    pub quickack: bool,
    /// The client's recv sizes for replies; the last repeats.
    pub client_recv_sizes: Sizes,
    /// Reads of the reply the client makes after each of its sends.
    pub client_reads: u64,
    /// UDP: how long the receiver waits for more datagrams once the sender is done.
    pub idle: Duration,
}

/// `[expect]`: what a correct run shows.
#[derive(Clone, Debug, Default)]
pub struct Expect {
    /// The flow the checks apply to.
    pub flow: Option<Flow>,
    /// The recv payloads of each trial, escaped, in order.
    pub recvs: Option<Vec<String>>,
    /// Bounds on summary figures: (figure, comparison, value).
    pub bounds: Vec<Bound>,
    /// Comparisons between the scenarios of a sweep.
    pub compares: Vec<Compare>,
    /// `[expect.when."key=value"]`: bounds for the scenarios where a swept
    /// key has that value; they replace the default bound on the same figure.
    pub when: Vec<When>,
}

/// `[[expect.compare]]`: `figure` is smaller where the parameters are `less`
/// than where they are `than` (a direction of effect, judged on means),
/// by a factor of `times` at least when it is given.
#[derive(Clone, Debug, PartialEq)]
pub struct Compare {
    pub figure: String,
    /// `less` × `times` must still be below `than` (1 = just below).
    pub times: f64,
    /// Swept keys and values (as typed) picking the scenarios with the smaller figure.
    pub less: Vec<(String, String)>,
    /// Those picking the scenarios with the larger figure.
    pub than: Vec<(String, String)>,
}

/// Expectations for the scenarios where `key` was swept to `value`.
#[derive(Clone, Debug, PartialEq)]
pub struct When {
    pub key: String,
    pub value: String,
    pub recvs: Option<Vec<String>>,
    pub bounds: Vec<Bound>,
}

impl Expect {
    /// The expectations of one scenario: every `when` whose key has that
    /// value in `params` overrides the defaults, figure by figure.
    pub fn resolved(&self, params: &[(String, String)]) -> Expect {
        let mut out = Expect {
            when: Vec::new(),
            ..self.clone()
        };
        for w in &self.when {
            if !params.iter().any(|(k, v)| *k == w.key && *v == w.value) {
                continue;
            }
            if w.recvs.is_some() {
                out.recvs = w.recvs.clone();
            }
            for b in &w.bounds {
                out.bounds.retain(|x| x.figure != b.figure);
                out.bounds.push(b.clone());
            }
        }
        out
    }
}

/// One bound such as `merged_fraction >= 0.9`.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    pub figure: String,
    pub op: Op,
    pub value: f64,
}

/// A comparison in a bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
}

impl Op {
    /// Whether `left op right` holds.
    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Op::Ge => left >= right,
            Op::Gt => left > right,
            Op::Le => left <= right,
            Op::Lt => left < right,
            Op::Eq => (left - right).abs() < 1e-9,
        }
    }

    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Eq => "==",
        }
    }
}

impl Experiment {
    /// Whether this experiment has a reply flow.
    pub fn has_replies(&self) -> bool {
        self.receiver.reply != Reply::None
    }

    /// Whether the stream is framed.
    pub fn framed(&self) -> bool {
        self.transport.framing != Framing::None
    }
}

/// One direction of one connection: client → server or the replies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flow {
    /// Client → server: the messages of `[sender]`.
    C2s,
    /// Server → client: the replies of `receiver.reply`.
    S2c,
}

impl Flow {
    /// The CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::C2s => "c2s",
            Flow::S2c => "s2c",
        }
    }
}

impl fmt::Display for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
