//! What each flow of a scenario should carry, byte for byte: the plain
//! message stream, the echo of it, or the framed stream. The engine checks
//! every read against it and the reports cut labels from it, so nothing
//! stores the stream itself.

use super::framed_stream::FramedFlow;
use super::payload::{Stream, MAX_REPLIES};
use crate::experiment::{Experiment, Flow, Reply, ReplyPer};
use crate::trace::{ByteSource, Content, MessageSpan};
use std::sync::Arc;

/// The models of both flows of a scenario, built once and shared by its
/// trials and by the traces they record.
#[derive(Clone, Debug)]
pub struct Models {
    pub c2s: Arc<FlowModel>,
    pub s2c: Option<Arc<FlowModel>>,
}

impl Models {
    /// The models of an experiment's flows.
    pub fn of(exp: &Experiment) -> Models {
        let (c2s, s2c) = FlowModel::of(exp);
        Models {
            c2s: Arc::new(c2s),
            s2c: s2c.map(Arc::new),
        }
    }

    /// The model of one flow, if the scenario has it.
    pub fn get(&self, flow: Flow) -> Option<&Arc<FlowModel>> {
        match flow {
            Flow::C2s => Some(&self.c2s),
            Flow::S2c => self.s2c.as_ref(),
        }
    }

    /// The bytes of one flow, for the trace.
    pub fn content(&self, flow: Flow) -> Content {
        self.get(flow).map_or(Content::Unknown, |m| {
            Content::Model(Arc::clone(m) as Arc<dyn ByteSource>)
        })
    }
}

/// The expected bytes of one flow, for checking reads and cutting labels.
#[derive(Clone, Debug)]
pub enum FlowModel {
    /// A stream of messages laid out in order.
    Plain(Stream),
    /// The c2s stream sent back (upper-cased when `upper`).
    Echo { c2s: Stream, upper: bool },
    /// The c2s stream with framing: a raw prefix, then one frame per message.
    Framed(Box<FramedFlow>),
}

impl FlowModel {
    /// The models of both flows of an experiment.
    fn of(exp: &Experiment) -> (FlowModel, Option<FlowModel>) {
        let c2s = Stream::from_messages(&exp.sender.messages);
        let framed = exp.framed().then(|| Box::new(FramedFlow::of(exp)));
        // At most one reply per read (a read takes at least one byte), or
        // exactly one per message.
        let replies = match exp.receiver.reply_per {
            ReplyPer::Read => framed.as_ref().map_or(c2s.total(), |f| f.total()),
            ReplyPer::Message => c2s.spans().len() as u64,
        };
        let s2c = match &exp.receiver.reply {
            Reply::None => None,
            Reply::Echo => Some(FlowModel::Echo {
                c2s: c2s.clone(),
                upper: false,
            }),
            Reply::Upper => Some(FlowModel::Echo {
                c2s: c2s.clone(),
                upper: true,
            }),
            Reply::Sizes(sizes) => Some(FlowModel::Plain(Stream::replies(
                sizes,
                (replies as usize).clamp(1, MAX_REPLIES),
            ))),
        };
        let c2s = framed.map_or(FlowModel::Plain(c2s), FlowModel::Framed);
        (c2s, s2c)
    }

    /// The messages' places in the flow (frames, with framing).
    pub fn spans(&self) -> &[MessageSpan] {
        match self {
            FlowModel::Plain(s) | FlowModel::Echo { c2s: s, .. } => s.spans(),
            FlowModel::Framed(f) => f.spans(),
        }
    }

    /// Total bytes of the flow.
    pub fn total(&self) -> u64 {
        match self {
            FlowModel::Plain(s) | FlowModel::Echo { c2s: s, .. } => s.total(),
            FlowModel::Framed(f) => f.total(),
        }
    }

    /// Copies up to `max` bytes at `offset` into `out`.
    pub fn bytes(&self, offset: u64, max: u64, out: &mut Vec<u8>) {
        match self {
            FlowModel::Plain(s) => s.bytes(offset, max, out),
            FlowModel::Echo { c2s, upper } => {
                c2s.bytes(offset, max, out);
                if *upper {
                    out.make_ascii_uppercase();
                }
            }
            FlowModel::Framed(f) => f.bytes(offset, max, out),
        }
    }

    /// Checks a read; returns the offset of the first wrong byte.
    pub fn verify(&self, offset: u64, data: &[u8]) -> Result<(), u64> {
        match self {
            FlowModel::Plain(s) => s.verify(offset, data),
            FlowModel::Echo { c2s, upper } => c2s.verify_as(offset, data, *upper),
            FlowModel::Framed(_) => {
                let mut want = Vec::with_capacity(data.len());
                self.bytes(offset, data.len() as u64, &mut want);
                match want.iter().zip(data).position(|(a, b)| a != b) {
                    Some(i) => Err(offset + i as u64),
                    None if want.len() < data.len() => Err(offset + want.len() as u64),
                    None => Ok(()),
                }
            }
        }
    }
}

impl ByteSource for FlowModel {
    fn copy(&self, offset: u64, max: u64, out: &mut Vec<u8>) {
        self.bytes(offset, max, out);
    }
}
