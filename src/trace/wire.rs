//! The wire: TCP segments captured between the sends and the recvs.
//!
//! A capture source hands over the link-layer frames it saw, each stamped on
//! the trial clock; [`segments_of`] parses them (etherparse) into each flow's
//! segments with stream offsets. Nothing here opens a socket.

use super::Flow;
use etherparse::{NetSlice, SlicedPacket, TransportSlice};

/// Frame bytes one trial keeps for capture.pcapng; the frames past it are
/// still parsed into segments, but keep no bytes and are left out of
/// capture.pcapng, which the run says.
pub const KEEP_BYTES_TRIAL: usize = 4 << 20;

/// Frame bytes one run keeps for capture.pcapng: later trials keep their
/// segments only.
pub const KEEP_BYTES_RUN: usize = 32 << 20;

/// Segment flags, as bits of [`Segment::flags`].
pub mod flag {
    pub const SYN: u16 = 1;
    pub const FIN: u16 = 1 << 1;
    pub const RST: u16 = 1 << 2;
    pub const PSH: u16 = 1 << 3;
    pub const ACK: u16 = 1 << 4;
    /// Bytes already seen on the wire in this flow: a retransmission.
    pub const RETX: u16 = 1 << 5;
    /// Longer than the flow's MSS: a GSO/TSO super-segment that the
    /// device (or the kernel's GSO) cuts before the link.
    pub const GSO: u16 = 1 << 6;
    /// The flags in the order `segments.csv` writes them.
    pub const NAMES: [(u16, &str); 7] = [
        (SYN, "SYN"),
        (FIN, "FIN"),
        (RST, "RST"),
        (PSH, "PSH"),
        (ACK, "ACK"),
        (RETX, "RETX"),
        (GSO, "GSO"),
    ];
}

/// One TCP segment seen on the wire, in its flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Segment {
    /// When the capture saw it, ns since the trial started.
    pub t_ns: u64,
    /// Stream offset of its first payload byte (relative sequence number).
    pub offset: u64,
    /// Payload bytes.
    pub len: u32,
    /// [`flag`] bits.
    pub flags: u16,
}

impl Segment {
    /// The flags as `segments.csv` writes them: `PSH|ACK`.
    pub fn flags_text(&self) -> String {
        flags_text(self.flags)
    }
}

/// Flag bits as words joined by `|` (empty for none).
pub fn flags_text(bits: u16) -> String {
    flag::NAMES
        .iter()
        .filter(|(b, _)| bits & b != 0)
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join("|")
}

/// Flag bits from `segments.csv`'s words; `None` names the unknown word.
pub fn parse_flags(text: &str) -> Result<u16, String> {
    let mut bits = 0;
    for word in text.split('|').filter(|w| !w.is_empty()) {
        match flag::NAMES.iter().find(|(_, n)| *n == word) {
            Some((b, _)) => bits |= b,
            None => {
                let all: Vec<&str> = flag::NAMES.iter().map(|(_, n)| *n).collect();
                return Err(format!("flag {word:?}; allowed: {}", all.join(", ")));
            }
        }
    }
    Ok(bits)
}

/// One captured frame, kept for capture.pcapng; its bytes are in the
/// capture's one buffer ([`Capture::Captured`]'s `bytes`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// The kernel's timestamp, ns since the Unix epoch.
    pub realtime_ns: u64,
    /// On the trial clock, ns since the trial started.
    pub t_ns: u64,
    /// Where its bytes start in the capture's buffer.
    pub at: u64,
    /// How many of its bytes were kept (0 past the keep cap).
    pub kept: u32,
    /// The frame's length on the link.
    pub len: u32,
    /// The segment this frame is, by flow and index in that flow's
    /// segments, once a [`Segmenter`] has parsed it.
    pub segment: Option<(Flow, u32)>,
}

impl Frame {
    /// The bytes kept of this frame, from the capture's buffer.
    pub fn data<'a>(&self, bytes: &'a [u8]) -> &'a [u8] {
        let at = self.at as usize;
        bytes.get(at..at + self.kept as usize).unwrap_or_default()
    }
}

/// What capturing a trial gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Capture {
    /// `transport.capture = "off"`, or a source that does not capture.
    #[default]
    Off,
    /// Asked (`auto`) but not possible: why, in words.
    Unavailable(String),
    /// The frames seen on `interface`, their kept bytes one after another,
    /// and the packets the kernel dropped for lack of room in the capture
    /// buffer.
    Captured {
        interface: String,
        /// Which link that interface is, and so what its packets are.
        place: Place,
        frames: Vec<Frame>,
        bytes: Vec<u8>,
        drops: u64,
    },
}

/// Where a trial's packets were captured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Place {
    /// Loopback: every packet passes twice, the arriving copy is kept;
    /// the offloads are on, so a segment may be a GSO super-segment.
    #[default]
    Loopback,
    /// The network lab's receiving veth, in the receiver's namespace: data
    /// arriving and ACKs leaving, each once, with TSO, GSO and GRO off on
    /// both veth ends, so each segment is as it crossed the link.
    LabReceiver,
}

impl Place {
    /// Where, in words, for meta.json.
    pub fn describe(self) -> &'static str {
        match self {
            Place::Loopback => "the receiving side: each packet as it arrived on the interface (the leaving copy is not kept)",
            Place::LabReceiver => "the receiving end of the lab's veth pair, in the receiver's namespace: data as it arrived and ACKs as they left, each once; TSO, GSO and GRO are off on both veth ends, so every segment is one that crossed the link",
        }
    }
}

impl Capture {
    /// Bytes of frames kept.
    pub fn kept_bytes(&self) -> usize {
        match self {
            Capture::Captured { bytes, .. } => bytes.len(),
            _ => 0,
        }
    }

    /// Drops the frames' bytes (the segments stay): past a run's budget.
    pub fn forget_bytes(&mut self) {
        if let Capture::Captured { frames, bytes, .. } = self {
            frames.iter_mut().for_each(|f| f.kept = 0);
            *bytes = Vec::new();
        }
    }
}

/// The frames' TCP segments of the connection whose server listens on
/// `server_port`: `(c2s, s2c)`, each in capture order, offsets relative
/// to each side's SYN; each frame is told which segment it is. Frames that
/// are not TCP of that port, or come before their side's SYN, are skipped.
pub fn segments_of(
    frames: &mut [Frame],
    bytes: &[u8],
    server_port: u16,
) -> (Vec<Segment>, Vec<Segment>) {
    let mut s = Segmenter::new(server_port);
    for f in frames.iter_mut() {
        f.segment = s.push(f.t_ns, f.data(bytes));
    }
    (s.c2s, s.s2c)
}

/// Turns frames into segments one at a time, as they are read.
pub struct Segmenter {
    port: u16,
    /// Only the connection from this client port, when set.
    client_port: Option<u16>,
    /// UDP: each datagram is a segment, at the flow offset its payload
    /// starts (the bytes of the datagrams before it), with no flags.
    udp: bool,
    flows: [FlowState; 2],
    /// Client → server segments so far.
    pub c2s: Vec<Segment>,
    /// Server → client segments so far.
    pub s2c: Vec<Segment>,
}

impl Segmenter {
    /// A segmenter for the connection to `server_port`.
    pub fn new(server_port: u16) -> Segmenter {
        Segmenter {
            port: server_port,
            client_port: None,
            udp: false,
            flows: Default::default(),
            c2s: Vec::new(),
            s2c: Vec::new(),
        }
    }

    /// A segmenter for the one TCP connection between `client_port` and
    /// `server_port` (several clients may talk to one server port).
    pub fn connection(server_port: u16, client_port: u16) -> Segmenter {
        Segmenter {
            client_port: Some(client_port),
            ..Segmenter::new(server_port)
        }
    }

    /// A segmenter for the UDP datagrams to and from `server_port`.
    pub fn udp(server_port: u16) -> Segmenter {
        Segmenter {
            udp: true,
            ..Segmenter::new(server_port)
        }
    }

    /// Parses one frame seen at `t_ns`; which segment it is, if any.
    pub fn push(&mut self, t_ns: u64, data: &[u8]) -> Option<(Flow, u32)> {
        if self.udp {
            return self.push_datagram(t_ns, data);
        }
        self.push_tcp(t_ns, tcp_frame(data)?)
    }

    /// One TCP frame already parsed ([`tcp_frame`]); which segment it is, if any.
    pub fn push_tcp(&mut self, t_ns: u64, frame: TcpFrame) -> Option<(Flow, u32)> {
        let (flow, seq, len, flags, mss, client) = frame.toward(self.port)?;
        if self.client_port.is_some_and(|p| p != client) {
            return None;
        }
        let i = usize::from(flow == Flow::S2c);
        let st = &mut self.flows[i];
        if flags & flag::SYN != 0 {
            st.isn = Some(seq);
            st.mss = mss.or(st.mss);
        }
        let isn = st.isn?;
        // Offset of the first payload byte: the SYN takes sequence number ISN.
        let offset = match flags & flag::SYN {
            0 => u64::from(seq.wrapping_sub(isn).wrapping_sub(1)),
            _ => 0,
        };
        let mut flags = flags;
        if len > 0 {
            let end = offset + u64::from(len);
            if offset < st.seen_end {
                flags |= flag::RETX;
            }
            st.seen_end = st.seen_end.max(end);
            // The peer's MSS is what this side may send in one segment.
            if self.flows[1 - i].mss.is_some_and(|m| len > u32::from(m)) {
                flags |= flag::GSO;
            }
        }
        self.record(flow, t_ns, offset, len, flags)
    }

    /// Adds a segment to its flow's list; where it went.
    fn record(
        &mut self,
        flow: Flow,
        t_ns: u64,
        offset: u64,
        len: u32,
        flags: u16,
    ) -> Option<(Flow, u32)> {
        let list = match flow {
            Flow::C2s => &mut self.c2s,
            Flow::S2c => &mut self.s2c,
        };
        list.push(Segment {
            t_ns,
            offset,
            len,
            flags,
        });
        Some((flow, list.len() as u32 - 1))
    }
}

impl Segmenter {
    /// One UDP datagram: its payload follows the datagrams before it.
    fn push_datagram(&mut self, t_ns: u64, data: &[u8]) -> Option<(Flow, u32)> {
        let p = SlicedPacket::from_ethernet(data).ok()?;
        let Some(TransportSlice::Udp(udp)) = p.transport else {
            return None;
        };
        let flow = if udp.destination_port() == self.port {
            Flow::C2s
        } else if udp.source_port() == self.port {
            Flow::S2c
        } else {
            return None;
        };
        // The length from the UDP header, so a frame cut short by the
        // keep cap still counts all its bytes.
        let len = u32::from(udp.length()).saturating_sub(8);
        let st = &mut self.flows[usize::from(flow == Flow::S2c)];
        let offset = st.seen_end;
        st.seen_end += u64::from(len);
        self.record(flow, t_ns, offset, len, 0)
    }
}

#[derive(Default)]
struct FlowState {
    isn: Option<u32>,
    mss: Option<u16>,
    seen_end: u64,
}

/// The TCP facts of one frame of the connection: flow, sequence number,
/// payload length, flag bits, the MSS option of a SYN, and the client's port.
type TcpFacts = (Flow, u32, u32, u16, Option<u16>, u16);

/// What one frame's TCP header says, before it is known whose it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpFrame {
    pub src: u16,
    pub dst: u16,
    seq: u32,
    len: u32,
    flags: u16,
    mss: Option<u16>,
}

impl TcpFrame {
    /// The frame as one of the connection to `port`.
    fn toward(self, port: u16) -> Option<TcpFacts> {
        let (flow, client) = if self.dst == port {
            (Flow::C2s, self.src)
        } else if self.src == port {
            (Flow::S2c, self.dst)
        } else {
            return None;
        };
        Some((flow, self.seq, self.len, self.flags, self.mss, client))
    }
}

/// The TCP header of an Ethernet frame, if it holds one.
pub fn tcp_frame(data: &[u8]) -> Option<TcpFrame> {
    let p = SlicedPacket::from_ethernet(data).ok()?;
    let Some(TransportSlice::Tcp(tcp)) = p.transport else {
        return None;
    };
    // The payload length from the IP header, so a frame cut short by the
    // keep cap still counts all its bytes.
    let ip_payload = match &p.net {
        Some(NetSlice::Ipv4(v4)) => {
            u32::from(v4.header().total_len()).saturating_sub(u32::from(v4.header().ihl()) * 4)
        }
        Some(NetSlice::Ipv6(v6)) => u32::from(v6.header().payload_length()),
        _ => return None,
    };
    let len = ip_payload.saturating_sub(tcp.header_len() as u32);
    let bits = [
        (tcp.syn(), flag::SYN),
        (tcp.fin(), flag::FIN),
        (tcp.rst(), flag::RST),
        (tcp.psh(), flag::PSH),
        (tcp.ack(), flag::ACK),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .fold(0, |acc, (_, b)| acc | b);
    let mss = tcp.options_iterator().find_map(|o| match o {
        Ok(etherparse::TcpOptionElement::MaximumSegmentSize(m)) => Some(m),
        _ => None,
    });
    Some(TcpFrame {
        src: tcp.source_port(),
        dst: tcp.destination_port(),
        seq: tcp.sequence_number(),
        len,
        flags: bits,
        mss,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_round_trip_and_unknown_words_are_named() {
        let bits = flag::PSH | flag::ACK | flag::RETX;
        assert_eq!(flags_text(bits), "PSH|ACK|RETX");
        assert_eq!(parse_flags("PSH|ACK|RETX"), Ok(bits));
        assert_eq!(parse_flags(""), Ok(0));
        assert!(parse_flags("PSH|URG").unwrap_err().contains("\"URG\""));
    }
}
