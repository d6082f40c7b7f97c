//! Framing: how an application finds message boundaries in a TCP byte stream.
//!
//! TCP delivers bytes, not messages, so a receiver that takes "one `recv()` =
//! one message" sees 粘包 (two messages in one read) and 分包 (one message over
//! several reads). The cure is a framing codec. This module holds one codec
//! per file behind one [`Encoder`] and one [`Decoder`] trait, so the engine can
//! run the same traffic raw and framed and show the difference.
//!
//! Decoders are pure state machines with no I/O (the model is tokio-util's
//! `codec/length_delimited.rs`): the caller keeps a buffer of received bytes
//! that are not yet consumed, calls [`Decoder::decode`] with it, and
//! - `Ok(None)` means "need more bytes" (never an error);
//! - `Ok(Some(frame))` gives the payload as a range *inside the buffer*
//!   (decode in place, no allocation per frame) and how many bytes to drop
//!   from the front of the buffer before the next call;
//! - `Err(_)` means the stream is corrupt or over a limit; stop reading.
//!
//! At EOF the caller calls [`Decoder::decode_eof`] with the leftover bytes,
//! which reports a frame cut short as "got N of M bytes".
//!
//! # Frame layouts
//!
//! ```text
//! none         +---------------------------+   each read is one message
//!              | bytes of one recv()       |   (what the tutorial's code does)
//!              +---------------------------+
//! u32be        +--------+------------------+   len = payload length, big-endian;
//!              | len:4  | payload: len     |   Python struct.pack('!I', n) + payload,
//!              +--------+------------------+   tokio-util LengthDelimitedCodec default
//! u16be        +--------+------------------+
//!              | len:2  | payload: len     |   payloads up to 65535 bytes
//!              +--------+------------------+
//! varint       +----------+----------------+   len as unsigned LEB128, 1..=10 bytes,
//!              | len:1-10 | payload: len   |   7 bits per byte, low bits first,
//!              +----------+----------------+   high bit = "more bytes follow"
//! line         +--------------+-----------+    delimiter default "\n", stripped;
//!              | payload      | delimiter |    the encoder does not escape, so a
//!              +--------------+-----------+    delimiter inside a payload corrupts
//! fixed:N      +----------------------------+
//!              | payload: exactly N bytes   |
//!              +----------------------------+
//! json-header  +--------+-------------------------------+-------------+
//!              | hlen:4 | {"size":S,"name":..,"md5":..} | body: S     |
//!              +--------+-------------------------------+-------------+
//!              hlen = JSON length, big-endian (the tutorial's
//!              struct.pack('!i', len(header_json)) + header_json + body)
//! ```
//!
//! # Zero-length frames
//!
//! Allowed, and they mean an empty message: a length prefix of 0 (u32be,
//! u16be, varint), a JSON header with `"size": 0`, and for `line` an empty line
//! (a delimiter right after the previous one). `fixed:0` is rejected by
//! [`Framing::validate`]; `none` never yields an empty frame (an empty read is
//! EOF, not a message).
//!
//! # Limits
//!
//! [`Limits::max_frame`] bounds a whole frame, header included, so a decoder
//! that returns `Ok(None)` always holds fewer than `max_frame` bytes. Lengths
//! are checked from the header alone, before any body byte is buffered. The
//! JSON header of `json-header` is also capped by [`Limits::max_json_header`]
//! and its fields are type-checked; JSON nested too deeply is rejected by
//! serde_json's recursion limit, never by a stack overflow.

mod error;
mod fixed;
mod json_fields;
#[cfg(test)]
mod json_fields_same;
mod json_header;
mod length;
mod line;
mod parse;
mod raw;
mod reader;
mod size;
mod varint;

use std::ops::Range;

pub use error::{EscapeError, FrameError, ParseReason, ALLOWED};
pub use json_header::{md5_hex, md5_matches};
pub use reader::{ReadFrame, StreamReader};
pub use size::{frame_len, meta_name};

/// How the application marks message boundaries (SPEC §1 "framing").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framing {
    /// Raw bytes: each read is taken as one message.
    None,
    /// 4-byte big-endian payload length, then the payload.
    U32Be,
    /// 2-byte big-endian payload length, then the payload.
    U16Be,
    /// Unsigned LEB128 payload length (1 to 10 bytes), then the payload.
    Varint,
    /// Payload, then a delimiter (default `\n`), stripped when decoding.
    Line {
        /// The bytes that end every frame; never empty once validated.
        delimiter: Vec<u8>,
    },
    /// Every frame is exactly this many bytes.
    Fixed(usize),
    /// 4-byte big-endian header length, a JSON header with `size`, the body.
    JsonHeader,
}

/// Memory limits a decoder enforces before it buffers anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest whole frame (header plus payload), in bytes. Default 8 MiB.
    pub max_frame: usize,
    /// Largest JSON header of `json-header`, in bytes. Default 8 KiB.
    pub max_json_header: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame: 8 << 20,
            max_json_header: 8 << 10,
        }
    }
}

/// Per-frame metadata for the encoder; only `json-header` writes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameMeta<'a> {
    /// Written as the header's `name` field.
    pub name: Option<&'a str>,
    /// Written as the header's `md5` field; must be 32 hex digits.
    pub md5: Option<&'a str>,
}

/// One decoded frame, located inside the caller's buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Bytes to drop from the front of the buffer (header, payload, delimiter).
    pub consumed: usize,
    /// Where the payload lies inside the buffer passed to `decode`.
    pub payload: Range<usize>,
    /// The parsed JSON header, for `json-header` only.
    pub header: Option<HeaderInfo>,
}

/// The fields of a `json-header` header that nianbao understands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderInfo {
    /// Body length in bytes (`size`, or the tutorial's `file_size`).
    pub size: u64,
    /// `name` (or the tutorial's `file_name`), if present.
    pub name: Option<String>,
    /// `md5` as 32 hex digits, if present.
    pub md5: Option<String>,
}

/// Writes frames. On error `out` is left exactly as it was.
pub trait Encoder {
    /// Appends one frame carrying `payload` to `out`.
    fn encode(
        &mut self,
        payload: &[u8],
        meta: &FrameMeta,
        out: &mut Vec<u8>,
    ) -> Result<(), FrameError>;
}

/// Finds frames at the front of a buffer of received, not-yet-consumed bytes.
pub trait Decoder {
    /// Decodes one frame from the front of `buf`. `Ok(None)` = need more bytes.
    ///
    /// After `Ok(Some(frame))` the caller drops `frame.consumed` bytes from the
    /// front of its buffer; after `Ok(None)` it appends bytes and calls again
    /// with the same front. The decoder remembers its progress between calls.
    fn decode(&mut self, buf: &[u8]) -> Result<Option<Frame>, FrameError>;

    /// Called at EOF with the leftover bytes: `Ok(())` if there are none, else
    /// [`FrameError::Eof`] saying how many bytes of the frame arrived.
    fn decode_eof(&mut self, buf: &[u8]) -> Result<(), FrameError>;

    /// After `Ok(None)`: the buffer length at which `decode` can next make
    /// progress, when the header already told it; `None` when unknown.
    fn need(&self) -> Option<usize> {
        None
    }
}

impl Framing {
    /// Rejects configurations no frame could satisfy: `fixed:0`, an empty
    /// delimiter, a `max_frame` below the smallest frame of the codec, a JSON
    /// header cap too small for `{"size":0}`.
    pub fn validate(&self, limits: &Limits) -> Result<(), FrameError> {
        match self.config_problem(limits) {
            None => Ok(()),
            Some(reason) => Err(FrameError::Config {
                framing: self.to_string(),
                reason,
            }),
        }
    }

    /// What `validate` rejects, in words.
    fn config_problem(&self, limits: &Limits) -> Option<String> {
        match self {
            Framing::Fixed(0) => return Some("frame size must be at least 1 byte".into()),
            Framing::Line { delimiter } if delimiter.is_empty() => {
                return Some("the delimiter must not be empty".into())
            }
            Framing::JsonHeader if limits.max_json_header < json_header::MIN_HEADER => {
                return Some(format!(
                    "max_json_header = {} is below the smallest header {{\"size\":0}} ({} bytes)",
                    limits.max_json_header,
                    json_header::MIN_HEADER
                ))
            }
            _ => {}
        }
        let smallest = match self {
            Framing::Fixed(n) => *n,
            _ => self.header_overhead(0).max(1),
        };
        (limits.max_frame < smallest).then(|| {
            format!(
                "max_frame = {} is below the smallest frame of this framing ({smallest} bytes)",
                limits.max_frame
            )
        })
    }

    /// A fresh encoder for this framing.
    pub fn encoder(&self, limits: &Limits) -> Box<dyn Encoder + Send> {
        match self {
            Framing::None => Box::new(raw::Raw),
            Framing::U32Be => Box::new(length::LengthPrefix::u32be(limits)),
            Framing::U16Be => Box::new(length::LengthPrefix::u16be(limits)),
            Framing::Varint => Box::new(varint::Varint::new(limits)),
            Framing::Line { delimiter } => Box::new(line::Line::new(delimiter, limits)),
            Framing::Fixed(n) => Box::new(fixed::Fixed::new(*n)),
            Framing::JsonHeader => Box::new(json_header::JsonHeader::new(limits)),
        }
    }

    /// A fresh decoder for this framing, starting at a frame boundary.
    pub fn decoder(&self, limits: &Limits) -> Box<dyn Decoder + Send> {
        match self {
            Framing::None => Box::new(raw::Raw),
            Framing::U32Be => Box::new(length::LengthPrefix::u32be(limits)),
            Framing::U16Be => Box::new(length::LengthPrefix::u16be(limits)),
            Framing::Varint => Box::new(varint::Varint::new(limits)),
            Framing::Line { delimiter } => Box::new(line::Line::new(delimiter, limits)),
            Framing::Fixed(n) => Box::new(fixed::Fixed::new(*n)),
            Framing::JsonHeader => Box::new(json_header::JsonHeader::new(limits)),
        }
    }

    /// Bytes the encoder adds to a payload of `payload_len` bytes. For
    /// `json-header` this is the header without `name` or `md5`.
    pub fn header_overhead(&self, payload_len: usize) -> usize {
        match self {
            Framing::None | Framing::Fixed(_) => 0,
            Framing::U32Be => 4,
            Framing::U16Be => 2,
            Framing::Varint => varint::encoded_len(payload_len as u64),
            Framing::Line { delimiter } => delimiter.len(),
            Framing::JsonHeader => json_header::overhead(payload_len as u64),
        }
    }
}
