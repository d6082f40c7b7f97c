//! `capture.pcapng`: the captured frames of every trial, for Wireshark.
//!
//! One section whose comment names the experiment; one interface block per
//! link captured (nanosecond timestamps, `if_tsresol` = 9); one enhanced
//! packet block per frame, stamped with the kernel's time, and a comment
//! that names the scenario and trial and ties the segment to the ledger:
//! `scenario 0 trial 0 · c2s [0,9) · msg 0 [0,5) + msg 1 [5,9) → recv 0`.

use crate::analysis::{FlowAnalysis, RunResult, TrialResult};
use crate::trace::{Capture, Frame, Segment};
use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::blocks::section_header::{SectionHeaderBlock, SectionHeaderOption};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::DataLink;
use std::borrow::Cow;
use std::io::{self, Write};
use std::time::Duration;

/// Messages and recvs a comment names before it says how many more.
const NAMED: usize = 4;

/// Writes capture.pcapng for `run` (only its captured trials).
pub fn write<W: Write>(run: &RunResult, out: W) -> io::Result<()> {
    let name = &run.plan.scenarios[0].experiment.name;
    let section = SectionHeaderBlock {
        options: vec![
            SectionHeaderOption::Comment(Cow::Owned(format!(
                "nianbao {}: experiment {name}; each packet's comment names its scenario, trial, flow and the messages and recvs its bytes belong to",
                env!("CARGO_PKG_VERSION")
            ))),
            SectionHeaderOption::UserApplication(Cow::Owned(format!(
                "nianbao {}",
                env!("CARGO_PKG_VERSION")
            ))),
        ],
        ..SectionHeaderBlock::default()
    };
    let mut w = PcapNgWriter::with_section_header(out, section).map_err(other)?;
    let mut interfaces: Vec<String> = Vec::new();
    for t in &run.trials {
        let Capture::Captured {
            interface,
            frames,
            bytes,
            ..
        } = &t.capture
        else {
            continue;
        };
        let id = match interfaces.iter().position(|i| i == interface) {
            Some(i) => i,
            None => {
                w.write_pcapng_block(InterfaceDescriptionBlock {
                    linktype: DataLink::ETHERNET,
                    snaplen: 0,
                    options: vec![
                        InterfaceDescriptionOption::IfName(Cow::Owned(interface.clone())),
                        InterfaceDescriptionOption::IfTsResol(9),
                    ],
                })
                .map_err(other)?;
                interfaces.push(interface.clone());
                interfaces.len() - 1
            }
        };
        for f in frames.iter().filter(|f| f.kept > 0) {
            w.write_pcapng_block(EnhancedPacketBlock {
                interface_id: id as u32,
                timestamp: Duration::from_nanos(f.realtime_ns),
                original_len: f.len,
                data: Cow::Borrowed(f.data(bytes)),
                options: vec![EnhancedPacketOption::Comment(Cow::Owned(comment(t, f)))],
            })
            .map_err(other)?;
        }
    }
    w.into_inner().flush()
}

fn other(e: pcap_file::PcapError) -> io::Error {
    io::Error::other(e)
}

/// The comment of one frame: its trial, and where its bytes are in the
/// ledger.
pub fn comment(t: &TrialResult, f: &Frame) -> String {
    let head = format!("scenario {} trial {}", t.scenario, t.trial);
    let Some((flow, i)) = f.segment else {
        return format!("{head} · not a segment of the trial's connection");
    };
    let Some(fa) = t.flows.iter().find(|fa| fa.flow == flow) else {
        return format!("{head} · {}", flow.as_str());
    };
    let Some(seg) = fa.wire.get(i as usize) else {
        return head;
    };
    format!("{head} · {}", ledger(fa, seg))
}

/// `c2s [0,9) · msg 0 [0,5) + msg 1 [5,9) → recv 0`, or the flags of a
/// segment with no payload.
pub fn ledger(fa: &FlowAnalysis, seg: &Segment) -> String {
    let flow = fa.flow.as_str();
    if seg.len == 0 {
        return format!("{flow} {} (no payload)", seg.flags_text());
    }
    let (start, end) = (seg.offset, seg.offset + u64::from(seg.len));
    let mut text = format!("{flow} [{start},{end})");
    let spans = fa.messages.spans();
    let first = spans.partition_point(|m| m.offset + m.len <= start);
    let msgs = spans[first..].iter().take_while(|m| m.offset < end);
    let msgs = named(msgs, " + ", |m| {
        format!("msg {} [{},{})", m.id, m.offset, m.offset + m.len)
    });
    if !msgs.is_empty() {
        text += &format!(" · {msgs}");
    }
    let events = fa.recvs.events();
    let first = events.partition_point(|r| r.offset + u64::from(r.len) <= start);
    let recvs = (first..).zip(events[first..].iter().take_while(|r| r.offset < end));
    let recvs = named(recvs, ", ", |(j, _)| format!("recv {j}"));
    text += &match recvs.is_empty() {
        true => " → not read".to_string(),
        false => format!(" → {recvs}"),
    };
    if seg.flags & crate::trace::wire::flag::RETX != 0 {
        text += " (retransmission)";
    }
    text
}

/// The first [`NAMED`] items, each in words, joined, then how many more
/// (only those named are formatted: a large segment holds thousands).
fn named<T>(items: impl Iterator<Item = T>, sep: &str, word: impl Fn(T) -> String) -> String {
    let (mut words, mut more) = (Vec::new(), 0usize);
    for item in items {
        match words.len() < NAMED {
            true => words.push(word(item)),
            false => more += 1,
        }
    }
    let mut s = words.join(sep);
    if more > 0 {
        s += &format!("{sep}… {more} more");
    }
    s
}
