//! The wire under `nianbao trace`: as root, every TCP packet on loopback
//! is captured while the command runs (an AF_PACKET socket with the BPF
//! program of plain `tcp`, opened before the command starts, so the SYNs
//! are in it), and each traced connection then takes its own packets: the
//! segments between its send() and recv() calls, and a check that the wire
//! carried the bytes the traced calls wrote.
//!
//! Times: the kernel stamps packets with CLOCK_REALTIME; the tracer's
//! clock starts a few microseconds after the (realtime, monotonic) pair read
//! here just before it, so a segment's time on the trace's clock is late by
//! at most that gap.

use crate::net::capture::{self, Capture as Socket, Proto};
use crate::trace::wire::{self, Capture, Frame, Place, Segment, TcpFrame, KEEP_BYTES_RUN};
use std::collections::HashMap;

/// Frames read after the command at most; more are left and counted.
const MAX_FRAMES: usize = 1 << 20;

/// The loopback capture of a traced command, or why there is none.
pub struct WireTap {
    socket: Option<Socket>,
    /// CLOCK_REALTIME when the tracer's clock was (about) 0.
    real0: u64,
    why_not: Option<String>,
    frames: Vec<Frame>,
    /// Each frame's TCP header, read as the frame was (its bytes may be
    /// past the keep cap), and the frames of each port pair.
    headers: Vec<Option<TcpFrame>>,
    by_ports: HashMap<(u16, u16), Vec<usize>>,
    bytes: Vec<u8>,
    drops: u64,
}

/// What one connection's packets were.
pub struct ConnectionWire {
    pub c2s: Vec<Segment>,
    pub s2c: Vec<Segment>,
    pub capture: Capture,
}

impl WireTap {
    /// Opens the capture; `none`: no capture is opened (`--capture off`, or
    /// `--pid`: a running process's connections began before it).
    pub fn open(none: bool) -> WireTap {
        let mut tap = WireTap {
            socket: None,
            real0: 0,
            why_not: None,
            frames: Vec::new(),
            headers: Vec::new(),
            by_ports: HashMap::new(),
            bytes: Vec::new(),
            drops: 0,
        };
        if none {
            return tap;
        }
        match Socket::open("lo", 0, Proto::Tcp, false) {
            Ok(s) => {
                tap.socket = Some(s);
                tap.real0 = capture::realtime_ns();
            }
            Err(e) if capture::not_permitted(&e) => {
                tap.why_not = Some("segments not captured: needs root or CAP_NET_RAW".to_string());
            }
            Err(e) => tap.why_not = Some(format!("segments not captured: {e}")),
        }
        tap
    }

    /// Reads what was captured, once the command is done.
    pub fn read(&mut self) -> crate::error::Result<()> {
        let Some(socket) = self.socket.as_ref() else {
            return Ok(());
        };
        let (frames, bytes, real0) = (&mut self.frames, &mut self.bytes, self.real0);
        let (headers, by_ports) = (&mut self.headers, &mut self.by_ports);
        self.drops = socket
            .drain(MAX_FRAMES, |realtime_ns, data, len| {
                // The header is read now, so frames past the keep cap
                // still give their connection its segments.
                let header = wire::tcp_frame(data);
                if let Some(h) = header {
                    let key = (h.src.min(h.dst), h.src.max(h.dst));
                    by_ports.entry(key).or_default().push(frames.len());
                }
                headers.push(header);
                let keep = match bytes.len() + data.len() <= KEEP_BYTES_RUN {
                    true => data.len(),
                    false => 0,
                };
                frames.push(Frame {
                    realtime_ns,
                    t_ns: realtime_ns.saturating_sub(real0),
                    at: bytes.len() as u64,
                    kept: keep as u32,
                    len,
                    segment: None,
                });
                bytes.extend_from_slice(&data[..keep]);
            })
            .map_err(|e| crate::error::Error::io("trace: reading the captured packets", e))?;
        Ok(())
    }

    /// The packets of the connection between `client_port` and
    /// `server_port` on loopback; `None` when nothing was captured (not
    /// root, or attached).
    pub fn connection(&self, server_port: u16, client_port: u16) -> Option<ConnectionWire> {
        if self.socket.is_none() {
            return self.why_not.as_ref().map(|why| ConnectionWire {
                c2s: Vec::new(),
                s2c: Vec::new(),
                capture: Capture::Unavailable(why.clone()),
            });
        }
        let mut seg = wire::Segmenter::connection(server_port, client_port);
        let (mut frames, mut bytes) = (Vec::new(), Vec::new());
        let key = (server_port.min(client_port), server_port.max(client_port));
        let mine = self.by_ports.get(&key).map_or(&[][..], |v| &v[..]);
        for &i in mine {
            let (f, Some(header)) = (&self.frames[i], self.headers[i]) else {
                continue;
            };
            let data = f.data(&self.bytes);
            if let Some(at) = seg.push_tcp(f.t_ns, header) {
                frames.push(Frame {
                    at: bytes.len() as u64,
                    kept: data.len() as u32,
                    segment: Some(at),
                    ..*f
                });
                bytes.extend_from_slice(data);
            }
        }
        Some(ConnectionWire {
            c2s: seg.c2s,
            s2c: seg.s2c,
            capture: Capture::Captured {
                interface: "lo".into(),
                place: Place::Loopback,
                frames,
                bytes,
                drops: self.drops,
            },
        })
    }
}

/// What the wire says of one direction against the traced send() calls:
/// the payload bytes it carried (first transmissions), and its data
/// segments.
pub fn carried(segments: &[Segment]) -> (u64, u64) {
    let data = segments
        .iter()
        .filter(|s| s.len > 0 && s.flags & wire::flag::RETX == 0);
    data.fold((0, 0), |(b, n), s| (b + u64::from(s.len), n + 1))
}
