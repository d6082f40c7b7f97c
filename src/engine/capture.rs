//! Capturing a trial's wire: the capture is opened once the server's port is
//! known and before the client connects (so the SYNs are in it), and read
//! after both sides are done.

use super::Ctx;
use crate::error::Result;
use crate::experiment::CaptureMode;
use crate::net::capture::{self, Capture as Socket};
use crate::trace::{wire, Capture, Frame, Place, Trace};

/// The engine's trials run on loopback, or in the network lab.
const LOOPBACK: &str = "lo";

/// The interface a trial's packets cross on the receiver's side, and which
/// place that is.
fn interface(ctx: &Ctx) -> (&'static str, Place) {
    match ctx.lab {
        Some(_) => (crate::net::lab::RECEIVER_LINK, Place::LabReceiver),
        None => (LOOPBACK, Place::Loopback),
    }
}

/// Frames read from one trial at most; more are left unread and counted.
pub const MAX_FRAMES: usize = 1 << 20;

use crate::trace::wire::KEEP_BYTES_TRIAL as KEEP_BYTES;

/// An open capture, or why there is none.
pub(super) struct Armed {
    socket: Option<Socket>,
    port: u16,
    /// The kernel's clock and the trial clock read together:
    /// `(realtime_ns, trial_ns)`.
    anchor: (u64, u64),
    status: Capture,
    interface: &'static str,
    place: Place,
    proto: capture::Proto,
}

impl Armed {
    /// Opens the capture of the connection to `port`, as the experiment's
    /// `transport.capture` says: `auto` without the right records why,
    /// `on` without it is an error. In the lab it must be called inside
    /// the receiver's namespace, where its veth is.
    pub fn open(ctx: &Ctx, port: u16) -> Result<Armed> {
        let (name, place) = interface(ctx);
        let mut armed = Armed {
            socket: None,
            port,
            anchor: (0, 0),
            status: Capture::Off,
            interface: name,
            place,
            proto: proto(ctx),
        };
        let mode = ctx.exp.transport.capture;
        if mode == CaptureMode::Off {
            return Ok(armed);
        }
        // On loopback each packet passes twice (leaving, arriving): keep
        // the arriving copy. On the lab's veth each passes once, the data
        // arriving and the ACKs leaving: keep both.
        let keep_outgoing = place == Place::LabReceiver;
        match Socket::open(name, port, proto(ctx), keep_outgoing) {
            Ok(s) => {
                armed.socket = Some(s);
                armed.anchor = anchor(ctx);
            }
            Err(e) if mode == CaptureMode::Auto && capture::not_permitted(&e) => {
                armed.status =
                    Capture::Unavailable("segments not captured: needs root or CAP_NET_RAW".into());
            }
            Err(e) if mode == CaptureMode::Auto => {
                armed.status = Capture::Unavailable(format!("segments not captured: {e}"));
            }
            Err(e) => return Err(capture::open_error(name, e)),
        }
        Ok(armed)
    }

    /// Reads what was captured into the trace: each flow's segments on the
    /// trial clock, parsed as the frames are read, and the frames, whose
    /// bytes are kept up to [`KEEP_BYTES`] (for capture.pcapng).
    pub fn finish(self, trace: &mut Trace) -> Result<()> {
        let Some(socket) = self.socket else {
            trace.capture = self.status;
            return Ok(());
        };
        let reading = std::time::Instant::now();
        let (real0, trial0) = self.anchor;
        let mut seg = match self.proto {
            capture::Proto::Tcp => wire::Segmenter::new(self.port),
            capture::Proto::Udp => wire::Segmenter::udp(self.port),
        };
        let mut frames: Vec<Frame> = Vec::new();
        let mut bytes: Vec<u8> = Vec::new();
        let drops = socket
            .drain(MAX_FRAMES, |realtime_ns, data, len| {
                let t_ns = (realtime_ns + trial0).saturating_sub(real0);
                let keep = match bytes.len() + data.len() <= KEEP_BYTES {
                    true => data.len(),
                    false => 0,
                };
                frames.push(Frame {
                    realtime_ns,
                    t_ns,
                    at: bytes.len() as u64,
                    kept: keep as u32,
                    len,
                    segment: seg.push(t_ns, data),
                });
                bytes.extend_from_slice(&data[..keep]);
            })
            .map_err(|e| crate::error::Error::io("capture: reading the packets", e))?;
        trace.c2s.wire = seg.c2s;
        if let Some(f) = trace.s2c.as_mut() {
            f.wire = seg.s2c;
        }
        trace.capture_read_ns = reading.elapsed().as_nanos() as u64;
        trace.capture = Capture::Captured {
            interface: self.interface.into(),
            place: self.place,
            frames,
            bytes,
            drops,
        };
        Ok(())
    }
}

/// What the trial's transport is, for the filter and the parser.
fn proto(ctx: &Ctx) -> capture::Proto {
    match ctx.exp.transport.kind {
        crate::experiment::Kind::Tcp => capture::Proto::Tcp,
        crate::experiment::Kind::Udp => capture::Proto::Udp,
    }
}

/// The kernel stamps captured packets with CLOCK_REALTIME; events are on
/// the trial clock (the TSC or CLOCK_MONOTONIC, from the trial's start).
/// The two are read together here, the realtime read between two trial
/// clock reads (the narrowest of a few tries, so a preemption in between
/// does not widen it), and a packet's trial time is its realtime stamp
/// minus the realtime of this pair plus its trial time. Over a trial the
/// two clocks drift apart by at most NTP's slew (500 ppm: 50 µs over the
/// 100 ms of a long trial), and the mapping is good to the pair's width
/// (well under a microsecond).
fn anchor(ctx: &Ctx) -> (u64, u64) {
    (0..5)
        .map(|_| {
            let a = ctx.clock.now_ns();
            let r = capture::realtime_ns();
            let b = ctx.clock.now_ns();
            (b - a, r, a / 2 + b / 2)
        })
        .min_by_key(|p| p.0)
        .map(|(_, r, t)| (r, t))
        .unwrap_or_default()
}
