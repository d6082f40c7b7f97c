//! Sources that face someone else's program. `listen` is the server for
//! their client, `send` the client for their server, `proxy` sits between
//! the two. Each fills the same [`Trace`] the engine fills, one trial per
//! connection, with the bytes it saw and the message boundaries the user
//! gave (a framing, declared messages, or none), so analysis, the CSVs, the
//! ruler and the charts work on their traffic unchanged. Sockets are in
//! `net/`; this layer imports the engine only for its reply payloads.

mod chunk;
mod io;
mod listen;
mod listen_udp;
mod proxy;
mod record;
mod traced;
mod traced_udp;
mod traced_wire;

pub use chunk::Chunk;
pub use io::Stop;
pub use listen::listen;
pub use proxy::{proxy, Relay, READ as PROXY_READ};
pub use record::{Budget, Cut, FlowRecorder, DEFAULT_KEEP, MAX_CALLS};
pub use traced::{trace, Target, TraceOptions, TraceRun};

use crate::experiment::{Experiment, Messages};
use crate::trace::Trace;
use crate::units::{format_duration, format_size, plural};
use std::net::SocketAddr;
use std::time::Duration;

/// Most connections one run accepts.
pub const MAX_CONNECTIONS: usize = 64;

/// What a peer source needs beyond the experiment's knobs.
#[derive(Clone, Debug)]
pub struct PeerOptions {
    /// Connections to accept (listen) or relay (proxy), 1 to [`MAX_CONNECTIONS`].
    pub connections: usize,
    /// End a connection after this long without data; `None`: wait for
    /// the peer to close, or the deadline.
    pub idle: Option<Duration>,
    /// Bytes the run keeps, all flows together; past it, lengths only.
    pub keep: u64,
    /// Whether `sender.messages` declares what the peer sends.
    pub declared: bool,
}

impl PeerOptions {
    /// Where the c2s flow's message boundaries come from.
    pub fn cut(&self, exp: &Experiment) -> Cut {
        match &exp.sender.messages {
            _ if exp.framed() => {
                Cut::Framing(exp.transport.framing.clone(), exp.transport.limits())
            }
            Messages::Explicit(list) if self.declared => Cut::Declared(list.clone()),
            _ => Cut::None,
        }
    }
}

/// How one connection ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ended {
    /// The peer closed its side (EOF).
    Closed,
    /// No data for the idle time.
    Idle,
    /// The peer reset the connection.
    Reset,
    /// A proxy's server reset its side, and the reset went on to the client.
    ResetByServer,
    /// The flow reached [`MAX_CALLS`] recorded calls.
    Calls,
    /// The run's deadline or a signal stopped it.
    Stopped(Stop),
    /// Something failed on this connection (the error, in words).
    Failed(String),
}

/// One connection's trace and how it ended.
#[derive(Clone, Debug)]
pub struct Conn {
    /// The peer's address.
    pub peer: SocketAddr,
    pub trace: Trace,
    pub ended: Ended,
}

/// Everything a peer source recorded.
#[derive(Clone, Debug)]
pub struct PeerRun {
    /// The address nianbao listened on (listen, proxy) or connected from (send).
    pub bound: SocketAddr,
    /// One per connection, in the order they came.
    pub conns: Vec<Conn>,
    /// A signal that ended the run early.
    pub stop: Option<Stop>,
    /// The byte cap, when some bytes were not kept.
    pub budget_hit: Option<u64>,
    /// Connections asked for.
    pub wanted: usize,
    /// More to say, one sentence each (a proxy's server side).
    pub extra: Vec<String>,
    /// Whether nianbao was the client (`send`): the notes then speak of
    /// the server.
    pub sender: bool,
    /// Whether the traffic was datagrams (UDP `listen`): the notes then
    /// speak of senders, not connections.
    pub datagrams: bool,
    /// Whether the source wrote every note itself in `extra` (`trace`).
    pub own_notes: bool,
}

impl PeerRun {
    fn new(bound: SocketAddr) -> PeerRun {
        PeerRun {
            bound,
            conns: Vec::new(),
            stop: None,
            budget_hit: None,
            wanted: 1,
            extra: Vec::new(),
            sender: false,
            datagrams: false,
            own_notes: false,
        }
    }

    /// One conversation nianbao had as the client (`send`).
    pub fn single(peer: SocketAddr, trace: Trace) -> PeerRun {
        let mut run = PeerRun::new(peer);
        run.push(peer, trace, Ended::Closed);
        run.sender = true;
        run
    }

    fn push(&mut self, peer: SocketAddr, trace: Trace, ended: Ended) {
        self.conns.push(Conn { peer, trace, ended });
    }

    /// What the report should say about how the run went, in sentences.
    pub fn notes(&self, deadline: Duration) -> Vec<String> {
        if self.sender || self.own_notes {
            return self.extra.clone();
        }
        let mut notes: Vec<String> = self
            .conns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let bytes: u64 = c.trace.c2s.recvs.iter().map(|r| u64::from(r.len)).sum();
                let how = match &c.ended {
                    Ended::Closed => "the client closed the connection".to_string(),
                    Ended::Idle => "it went idle".to_string(),
                    Ended::Reset => "the client reset the connection".to_string(),
                    Ended::ResetByServer => {
                        "the server's reset was passed on to the client".to_string()
                    }
                    Ended::Calls => format!("it reached the limit of {MAX_CALLS} recorded calls"),
                    Ended::Stopped(Stop::Deadline) => {
                        format!("the deadline ({}) passed", format_duration(deadline))
                    }
                    Ended::Stopped(Stop::Signal(s)) => {
                        format!("{} stopped it", crate::error::signal_name(*s))
                    }
                    Ended::Failed(why) => format!("it failed ({why})"),
                };
                match self.datagrams {
                    true => format!(
                        "datagrams from {} (the first sender) on: {how} after {}",
                        c.peer,
                        plural(bytes, "byte received")
                    ),
                    false => format!(
                        "connection {i} from {}: {how} after {}",
                        c.peer,
                        plural(bytes, "byte")
                    ),
                }
            })
            .collect();
        notes.extend(self.extra.iter().cloned());
        if self.conns.len() < self.wanted && self.stop.is_none() {
            notes.push(format!(
                "{} of {} connections came before the deadline",
                self.conns.len(),
                self.wanted
            ));
        }
        if let Some(cap) = self.budget_hit {
            notes.push(format!(
                "the bytes kept reached the {} cap: later reads are recorded by length only",
                format_size(cap)
            ));
        }
        notes
    }
}
