//! The experiment file as written: every field optional, unknown keys
//! rejected. [`super::validate`] turns it into an [`super::Experiment`].

use serde::{Deserialize, Serialize};

/// A whole experiment file (SPEC §2).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileExperiment {
    pub name: Option<String>,
    pub title: Option<String>,
    pub about: Option<String>,
    pub trials: Option<i64>,
    pub deadline: Option<Dur>,
    pub chart_metric: Option<String>,
    #[serde(default)]
    pub transport: FileTransport,
    #[serde(default)]
    pub sender: FileSender,
    #[serde(default)]
    pub receiver: FileReceiver,
    #[serde(default)]
    pub network: FileNetwork,
    pub sweep: Option<toml::Table>,
    /// `[[variant]]`: named configurations, each a `name` and dotted-key
    /// overrides (checked by [`super::variant`]).
    pub variant: Option<Vec<toml::Table>>,
    pub expect: Option<toml::Table>,
}

/// `[transport]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileTransport {
    pub kind: Option<String>,
    pub framing: Option<String>,
    pub ip: Option<String>,
    pub port: Option<u16>,
    pub max_frame: Option<Size>,
    pub capture: Option<String>,
}

/// `[sender]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileSender {
    pub messages: Option<Vec<String>>,
    pub count: Option<i64>,
    pub size: Option<SizeOrRange>,
    pub seed: Option<u64>,
    pub gap: Option<Dur>,
    pub gap_jitter: Option<Dur>,
    pub burst: Option<i64>,
    pub nodelay: Option<bool>,
    pub sndbuf: Option<Size>,
    pub cork: Option<bool>,
    pub more: Option<bool>,
    pub nonblocking: Option<bool>,
    /// Escaped bytes sent before the first frame (framing only).
    pub raw_prefix: Option<String>,
    /// Largest send() call; longer messages (frames) go in several.
    pub write_size: Option<Size>,
    /// A message's writes (its `write_size` pieces) in one writev() call.
    pub writev: Option<bool>,
}

/// `[receiver]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileReceiver {
    pub start_delay: Option<Dur>,
    pub recv_sizes: Option<Vec<Size>>,
    pub recv_gap: Option<Dur>,
    pub rcvbuf: Option<Size>,
    pub reply: Option<Reply>,
    pub reply_sends: Option<i64>,
    /// `"read"` (a reply after every read) or `"message"` (after every whole message).
    pub reply_per: Option<String>,
    /// TCP_QUICKACK on the server's socket, set again after every read.
    pub quickack: Option<bool>,
    pub client_recv_sizes: Option<Vec<Size>>,
    pub client_reads: Option<i64>,
    pub idle: Option<Dur>,
}

/// `[network]`: the network lab (root).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileNetwork {
    pub lab: Option<bool>,
    pub mtu: Option<i64>,
    /// A rate with a unit: `"10mbit"`, `"500kbit"`.
    pub rate: Option<String>,
    pub delay: Option<Dur>,
    /// A percentage: `"1%"` (a bare number is refused with that hint).
    pub loss: Option<Percent>,
}

/// A percentage as written: `"1%"`, or a number (refused: 1 or 0.01?).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Percent {
    Text(String),
    Number(f64),
}

/// A duration: a string with a unit, or the integer 0.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Dur {
    Text(String),
    Int(i64),
}

/// A size: bytes as an integer, or a string with a unit, or `"default"`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Size {
    Int(i64),
    Text(String),
}

/// A fixed message size or an inclusive `[min, max]` range.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum SizeOrRange {
    One(Size),
    Range(Vec<Size>),
}

/// `receiver.reply`: `"none" | "echo" | "upper"` or a list of reply sizes.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Reply {
    Mode(String),
    Sizes(Vec<Size>),
}
