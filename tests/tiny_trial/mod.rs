//! One short real trial of an experiment nobody wrote by hand, shared by
//! the `load_experiment` fuzz target (fuzz/fuzz_targets/) and
//! tests/set_proptest.rs: whatever `plan()` accepted must also run and
//! render without a panic.
//!
//! So that an input costs milliseconds, only the first scenario runs, once,
//! with every wait cut short (a start delay or UDP idle to 1 ms at most, a
//! gap between sends or reads to 10 µs, the deadline to 300 ms), and only
//! when its traffic is small. What the experiment sends and how it reads —
//! messages, sizes, framing, recv sizes, replies, socket options — is its
//! own.

use nianbao::experiment::{message_count, Experiment, Messages, Plan, Reply, ReplyPer, StartDelay};
use nianbao::framing::Framing;
use nianbao::report::{json::run_json, ruler::RulerOptions, text};
use std::time::Duration;

/// Most messages of a trial that runs.
const MAX_MESSAGES: u64 = 200;
/// Most bytes either side sends in a trial that runs.
const MAX_BYTES: u64 = 16 << 10;
/// Largest buffer a read of a trial that runs asks for.
const MAX_READ: u64 = 64 << 10;
/// Most reply sends per read, and client reads per message.
const MAX_REPEATS: u64 = 16;

/// The longest a waiting trial may hang before its deadline error.
const DEADLINE: Duration = Duration::from_millis(300);
/// Longest one-off wait (receiver start delay, UDP idle).
const ONE_WAIT: Duration = Duration::from_millis(1);
/// Longest repeated wait (between sends, between reads).
const EACH_WAIT: Duration = Duration::from_micros(10);

/// Bytes the sender's messages add up to (before framing).
fn payload_bytes(e: &Experiment) -> u64 {
    match &e.sender.messages {
        Messages::Explicit(list) => list.iter().map(|m| m.len() as u64).sum(),
        Messages::Generated { count, max, .. } => count.saturating_mul(*max),
    }
}

/// Whether a trial of `e` is small enough to run here.
pub fn small(e: &Experiment) -> bool {
    let r = &e.receiver;
    let messages = message_count(&e.sender);
    let frames = match e.transport.framing {
        Framing::Fixed(n) => messages.saturating_mul(n as u64),
        _ => 0,
    };
    let sent = payload_bytes(e)
        .max(frames)
        .saturating_add(e.sender.raw_prefix.len() as u64);
    let reads = r
        .recv_sizes
        .as_slice()
        .iter()
        .chain(r.client_recv_sizes.as_slice());
    let fewest = r
        .recv_sizes
        .as_slice()
        .iter()
        .min()
        .copied()
        .unwrap_or(1)
        .max(1);
    let replied = match &r.reply {
        Reply::Sizes(sizes) => {
            let most = sizes.max();
            most.saturating_mul(sent / fewest + 1)
        }
        _ => sent,
    };
    // The network lab (root) makes two namespaces per trial: tests/lab.rs
    // runs it, an input costing milliseconds here does not.
    // A request written in pieces with Nagle on can wait for the peer's
    // delayed ACK, 40 ms a request (nagle-stall): more than a few do not
    // fit the shortened deadline, and no wait of ours can be cut.
    let stalls = r.reply_per == ReplyPer::Message && !e.sender.nodelay && messages > 4;
    e.transport.port == 0
        && !e.network.lab
        && !stalls
        && messages <= MAX_MESSAGES
        && sent <= MAX_BYTES
        && replied <= MAX_BYTES
        && reads.copied().max().unwrap_or(0) <= MAX_READ
        && r.reply_sends <= MAX_REPEATS
        && r.client_reads <= MAX_REPEATS
}

/// The plan's first scenario, one trial, its waits cut short; `None` when
/// its traffic is not small.
pub fn shortened(plan: &Plan) -> Option<Plan> {
    let mut scenario = plan.scenarios.first()?.clone();
    let e = &mut scenario.experiment;
    if !small(e) {
        return None;
    }
    e.trials = 1;
    e.deadline = e.deadline.min(DEADLINE);
    e.sender.gap = e.sender.gap.min(EACH_WAIT);
    e.sender.gap_jitter = e.sender.gap_jitter.min(EACH_WAIT);
    e.receiver.recv_gap = e.receiver.recv_gap.min(EACH_WAIT);
    if let StartDelay::Fixed(d) = e.receiver.start_delay {
        e.receiver.start_delay = StartDelay::Fixed(d.min(ONE_WAIT));
    }
    e.receiver.idle = e.receiver.idle.min(ONE_WAIT);
    Some(Plan {
        scenarios: vec![scenario],
        ..plan.clone()
    })
}

/// Runs the shortened plan on real sockets and renders it as text and
/// JSON. An error is a fine outcome; a panic is the bug. `None` when the
/// plan was too big to run.
pub fn run_and_render(plan: &Plan) -> Option<Result<String, nianbao::error::Error>> {
    let plan = shortened(plan)?;
    Some(nianbao::run::run_plan(&plan, |_, _| {}).map(|run| {
        let json = run_json(&run);
        text::render(&run, &RulerOptions::default()) + &json.to_string()
    }))
}
