//! Runs one trial of one scenario on real loopback sockets: the receiver (the
//! server) and the sender (the client) in two threads of this process,
//! stamping events on one monotonic clock, both bound by one deadline.

mod capture;
mod framed;
mod framed_stream;
mod model;
mod payload;
mod tcp;
mod tcp_io;
mod timeout;
mod udp;

pub use framed_stream::FramedFlow;
pub use model::{FlowModel, Models};
pub use payload::{generate, reply_bytes, Stream};

use crate::error::{Error, Result};
use crate::experiment::{Experiment, Flow, Kind, Sender, StartDelay};
use crate::net::lab::{Lab, LabLink};
use crate::trace::{Boundaries, Clock, Delivery, FlowTrace, Queued, RecvEvent, SendEvent, Trace};
use payload::Rng;
use std::time::{Duration, Instant};

/// What both sides of a trial share.
pub(crate) struct Ctx<'a> {
    pub exp: &'a Experiment,
    pub clock: Clock,
    pub deadline: Instant,
    pub c2s: &'a FlowModel,
    pub s2c: Option<&'a FlowModel>,
    /// The server is someone else's (`send`): its replies are recorded, not
    /// checked, and a wait for one ends after this long without data.
    pub foreign: Option<Duration>,
    /// The sender stopped with an error: a receiver waiting for it to be
    /// done (`after-send`) stops waiting.
    pub sender_failed: std::sync::atomic::AtomicBool,
    /// The network lab the trial runs in (`network.lab`), or none: loopback.
    pub lab: Option<&'a Lab>,
}

impl<'a> Ctx<'a> {
    /// Starts a trial's clock and deadline. The clock's rate is measured
    /// once per process (5 ms) before, so it is not in the trial's time.
    fn start(
        exp: &'a Experiment,
        models: &'a Models,
        s2c: Option<&'a FlowModel>,
        foreign: Option<Duration>,
        lab: Option<&'a Lab>,
    ) -> Ctx<'a> {
        crate::tsc::ns_per_tick();
        let clock = Clock::start();
        Ctx {
            exp,
            clock,
            deadline: clock.origin() + exp.deadline,
            c2s: &models.c2s,
            s2c,
            foreign,
            sender_failed: std::sync::atomic::AtomicBool::new(false),
            lab,
        }
    }

    /// Runs `f` where the receiver's sockets belong: in the lab's
    /// receiver namespace, or here.
    pub fn as_receiver<T: Send>(&self, f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
        match self.lab {
            Some(lab) => lab.in_receiver(f)?,
            None => f(),
        }
    }

    /// Runs `f` where the sender's sockets belong.
    pub fn as_sender<T: Send>(&self, f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
        match self.lab {
            Some(lab) => lab.in_sender(f)?,
            None => f(),
        }
    }

    /// A deadline error for `side`.
    pub fn late(&self, side: &'static str, what: String) -> Error {
        Error::Deadline {
            side,
            what,
            after: self.exp.deadline,
        }
    }
}

/// How the receiving application meets a flow of an experiment.
pub fn delivery(exp: &Experiment, flow: Flow) -> Delivery {
    match (exp.transport.kind, flow) {
        (Kind::Udp, _) => Delivery::Datagram,
        (Kind::Tcp, Flow::C2s) if exp.framed() => Delivery::Framed,
        _ => Delivery::Stream,
    }
}

/// Runs one trial with the scenario's models and returns its trace: the
/// engine sent every message itself, so the boundaries are known and the
/// bytes come from the model.
pub fn run_trial(exp: &Experiment, models: &Models) -> Result<Trace> {
    // A fresh lab per trial, so no trial inherits another's TCP state (the
    // cached metrics of the last connection); dropped, and so removed by
    // the kernel, however the trial ends.
    let lab = match exp.network.lab {
        true => Some(Lab::create(&lab_link(exp))?),
        false => None,
    };
    let started = Instant::now();
    let ctx = Ctx::start(exp, models, models.s2c.as_deref(), None, lab.as_ref());
    let mut trace = match exp.transport.kind {
        Kind::Tcp => tcp::run(&ctx)?,
        Kind::Udp => udp::run(&ctx)?,
    };
    // The traffic's time: reading the capture afterwards is the observer's.
    trace.duration_ns = (started.elapsed().as_nanos() as u64).saturating_sub(trace.capture_read_ns);
    let flows = std::iter::once((Flow::C2s, &mut trace.c2s))
        .chain(trace.s2c.as_mut().map(|f| (Flow::S2c, f)));
    for (flow, t) in flows {
        t.delivery = delivery(exp, flow);
        t.boundaries = Boundaries::Known;
        t.content = models.content(flow);
    }
    Ok(trace)
}

/// The lab's link as the experiment's `[network]` asks for it.
pub fn lab_link(exp: &Experiment) -> LabLink {
    let n = &exp.network;
    LabLink {
        mtu: n.mtu,
        rate_bps: n.rate_bps,
        delay: n.delay,
        loss_percent: n.loss_percent,
    }
}

/// Makes and removes a lab for each different link the experiments ask
/// for, so a missing right or a missing netem is one error before any
/// trial runs.
pub fn check_labs<'a>(exps: impl IntoIterator<Item = &'a Experiment>) -> Result<()> {
    let mut seen: Vec<LabLink> = Vec::new();
    for exp in exps.into_iter().filter(|e| e.network.lab) {
        let link = lab_link(exp);
        if !seen.contains(&link) {
            drop(Lab::create(&link)?);
            seen.push(link);
        }
    }
    Ok(())
}

/// What `send` recorded of a conversation with someone else's server.
pub struct Sent {
    pub trace: Trace,
    /// Whether the last wait for the server ended because it went quiet
    /// (it did not close within `receiver.idle` after nianbao's FIN).
    pub quiet: bool,
    /// What ended the conversation early (a reset, Ctrl-C), if anything.
    pub failed: Option<Error>,
}

/// Be the client for someone else's server at `to`: the sender side of
/// the experiment, with every knob; the replies are read with the client's
/// recv sizes and recorded byte for byte (up to `keep` bytes) as the s2c
/// flow, whose message boundaries are unknown.
pub fn send_to(
    exp: &Experiment,
    models: &Models,
    to: std::net::SocketAddr,
    keep: u64,
) -> Result<Sent> {
    if exp.network.lab {
        return Err(Error::Lab {
            what: "network.lab runs both ends of a trial here, and `send` is the client for someone else's server: set network.lab = false".into(),
            source: None,
        });
    }
    let started = Instant::now();
    let ctx = Ctx::start(exp, models, None, Some(exp.receiver.idle), None);
    let (mut c2s, replies) = tcp::client_of(&ctx, to, keep)?;
    c2s.delivery = delivery(exp, Flow::C2s);
    // The server's reads are not seen from here: no message can be given a
    // fate, so the flow is its send calls and their bytes only.
    c2s.messages.clear();
    c2s.boundaries = Boundaries::Unknown;
    c2s.content = models.content(Flow::C2s);
    let s2c = FlowTrace {
        recvs: replies.recvs,
        delivery: Delivery::Stream,
        boundaries: Boundaries::Unknown,
        content: crate::trace::Content::Recorded(std::sync::Arc::new(replies.kept)),
        ..FlowTrace::default()
    };
    Ok(Sent {
        trace: Trace {
            capture: Default::default(),
            c2s,
            s2c: Some(s2c),
            duration_ns: started.elapsed().as_nanos() as u64,
            capture_read_ns: 0,
        },
        quiet: replies.quiet,
        failed: replies.failed,
    })
}

/// Room to reserve for a flow's events: enough for the usual cases, more
/// is allocated only if a run needs it.
fn events(messages: usize) -> usize {
    messages.saturating_mul(4).clamp(64, 1 << 20)
}

/// A sending side's flow trace: room for its messages and send calls only
/// (its recv calls are the other side's, recorded there).
pub(crate) fn reserve_sending(messages: usize) -> FlowTrace {
    FlowTrace::with_capacity(messages.min(1 << 20), events(messages), 0)
}

/// A receiving side's recv calls, room reserved.
pub(crate) fn reserve_recvs(messages: usize) -> Vec<RecvEvent> {
    FlowTrace::with_capacity(0, 0, events(messages)).recvs
}

/// The pause before message `k`: the gap (plus seeded jitter) between
/// bursts, nothing inside a burst.
pub(crate) fn gap_before(k: u64, s: &Sender, rng: &mut Rng) -> Duration {
    // No gap at all (the rng is drawn only for jitter): no division per message.
    if s.gap.is_zero() && s.gap_jitter.is_zero() {
        return Duration::ZERO;
    }
    if k == 0 || !k.is_multiple_of(s.burst) {
        return Duration::ZERO;
    }
    let jitter = if s.gap_jitter.is_zero() {
        0
    } else {
        rng.range(0, s.gap_jitter.as_nanos() as u64)
    };
    s.gap + Duration::from_nanos(jitter)
}

/// Sleeps for `d`, spinning the last stretch so short gaps are kept. A
/// pause never outlasts the trial's deadline (it fails instead, naming what
/// paused), and long sleeps wake every 50 ms to see whether Ctrl-C came.
#[inline]
pub(crate) fn pause(ctx: &Ctx, d: Duration, side: &'static str, what: &str) -> Result<()> {
    if d.is_zero() {
        return Ok(());
    }
    sleep(ctx, d, side, what)
}

/// [`pause`] for a `d` that is not zero.
fn sleep(ctx: &Ctx, d: Duration, side: &'static str, what: &str) -> Result<()> {
    let until = Instant::now() + d;
    if until > ctx.deadline {
        return Err(ctx.late(
            side,
            format!("its own {what} of {}", crate::units::format_duration(d)),
        ));
    }
    const SPIN: Duration = Duration::from_micros(200);
    const SLICE: Duration = Duration::from_millis(50);
    loop {
        if let Some(signal) = crate::interrupt::pending() {
            return Err(Error::Interrupted { signal });
        }
        let left = until.saturating_duration_since(Instant::now());
        if left <= SPIN {
            break;
        }
        std::thread::sleep((left - SPIN).min(SLICE));
    }
    while Instant::now() < until {
        std::thread::yield_now();
    }
    Ok(())
}

/// The receiver's late start: a fixed pause, or, for `after-send`, until
/// `ready` says the sender is done or the sender has failed, within the
/// deadline. It looks every 20 µs at first, then less often (at most every
/// millisecond), so a long wait costs little.
pub(crate) fn start_late(ctx: &Ctx, ready: impl Fn() -> bool) -> Result<()> {
    use std::sync::atomic::Ordering;
    match ctx.exp.receiver.start_delay {
        StartDelay::Fixed(d) => pause(ctx, d, "receiver", "start_delay"),
        StartDelay::AfterSend => {
            let mut nap = Duration::from_micros(20);
            loop {
                if ready() || ctx.sender_failed.load(Ordering::Acquire) {
                    return Ok(());
                }
                if let Some(signal) = crate::interrupt::pending() {
                    return Err(Error::Interrupted { signal });
                }
                if Instant::now() >= ctx.deadline {
                    return Err(ctx.late(
                        "receiver",
                        "the sender to finish (receiver.start_delay = \"after-send\")".to_string(),
                    ));
                }
                std::thread::sleep(nap);
                nap = (nap * 2).min(Duration::from_millis(1));
            }
        }
    }
}

/// Most recv events one flow of one trial may record: each costs memory
/// until the results are written, so a run of one-byte reads over a large
/// stream stops with an error that names this limit instead of eating it.
pub const MAX_RECV_EVENTS: usize = 8 << 20;

/// Fails once `recorded` recv events reach [`MAX_RECV_EVENTS`].
#[inline]
pub(crate) fn check_recorded(recorded: usize, side: &str) -> Result<()> {
    if recorded < MAX_RECV_EVENTS {
        return Ok(());
    }
    Err(too_many_recvs(recorded, side))
}

#[cold]
fn too_many_recvs(recorded: usize, side: &str) -> Error {
    Error::Limit(format!(
        "{side}: {recorded} recv calls recorded in one trial, the limit ({MAX_RECV_EVENTS}); read in larger recv sizes or send fewer bytes"
    ))
}

/// Records one recv call that returned `len` bytes at flow `offset` (into
/// a buffer of `asked`), stamped now, and returns the stamp: one clock read
/// and one fixed-size record stored into reserved room (no allocation, lock
/// or formatting unless the room or [`MAX_RECV_EVENTS`] runs out). The
/// engine's TCP receive loops record with it, and `benches/observer` times it.
#[inline]
pub fn record_recv(
    recvs: &mut Vec<RecvEvent>,
    clock: &Clock,
    offset: u64,
    len: usize,
    asked: usize,
    side: &str,
) -> Result<u64> {
    check_recorded(recvs.len(), side)?;
    let t_ns = clock.now_ns();
    recvs.push(RecvEvent {
        t_ns,
        offset,
        len: len as u32,
        asked: asked as u32,
        truncated: false,
        queued: Queued::UNKNOWN,
    });
    fetch_ahead(recvs);
    Ok(t_ns)
}

/// Records one send call; returns its stamp.
#[inline]
pub(crate) fn record_send(
    rec: &mut FlowTrace,
    clock: &Clock,
    msg_id: u64,
    offset: u64,
    len: usize,
    ret: usize,
) -> u64 {
    let t_ns = clock.now_ns();
    rec.sends.push(SendEvent {
        t_ns,
        msg_id,
        offset,
        len: len as u32,
        ret: ret as u32,
    });
    fetch_ahead(&rec.sends);
    t_ns
}

/// Asks the CPU to bring in the cache line a few records past the end of
/// `events`. The reserved room was touched long before and has left the
/// caches; a store into a cold line is a miss that the next system call
/// waits for (it drains the store buffer), about a quarter of what
/// recording cost a 64-byte recv. Fetched a few events early, the line is
/// there when the record is stored.
#[inline(always)]
fn fetch_ahead<T>(events: &[T]) {
    /// How far ahead: four lines, a few events of any record type.
    const AHEAD: usize = 256;
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let end = events.as_ptr_range().end as *const i8;
        // SAFETY: a prefetch is a hint that never faults or changes memory,
        // so any address will do, inside the reserved room or past it.
        unsafe { _mm_prefetch(end.wrapping_add(AHEAD), _MM_HINT_T0) };
    }
}

/// Turns a wrong byte into an error that says where.
pub(crate) fn check(model: &FlowModel, flow: &str, offset: u64, data: &[u8]) -> Result<()> {
    model.verify(offset, data).map_err(|at| {
        Error::Stream(format!("{flow}: byte {at} differs from what was sent (read of {} bytes at offset {offset}); the stream is corrupt", data.len()))
    })
}
