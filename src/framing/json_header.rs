//! `json-header`: the tutorial's own cure for 粘包. A 4-byte big-endian header
//! length, a JSON object describing the body (`size`, optional `name` and
//! `md5`), then the body: `struct.pack('!i', len(h)) + h + body` in Python.
//! The tutorial's keys `file_size` / `file_name` are accepted as aliases.
//!
//! The header comes from the network, so it is untrusted: its length is capped
//! by `max_json_header` before it is buffered, `size` is checked against
//! `max_frame` before the body is buffered, field types are checked, and
//! serde_json's recursion limit turns deeply nested JSON into an error.

use serde::Serialize;

use super::json_fields::{self, Seen};
use super::{Decoder, Encoder, Frame, FrameError, FrameMeta, HeaderInfo, Limits};

/// Bytes of the header-length prefix.
const PREFIX: usize = 4;
/// `{"size":` + `}`: the header bytes besides the digits of `size`.
const SIZE_JSON: usize = 9;
/// Length of the smallest header, `{"size":0}`.
pub(crate) const MIN_HEADER: usize = SIZE_JSON + 1;

/// Bytes added to a body of `size` bytes when the header has no name or md5.
pub(crate) fn overhead(size: u64) -> usize {
    PREFIX + SIZE_JSON + size.to_string().len()
}

#[derive(Serialize)]
struct HeaderOut<'a> {
    size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    md5: Option<&'a str>,
}

#[derive(Debug)]
enum State {
    Head,
    /// Header parsed; the body starts at `body` and the frame ends at `total`.
    Data {
        body: usize,
        total: usize,
        info: HeaderInfo,
    },
}

/// The JSON-header codec.
#[derive(Debug)]
pub(crate) struct JsonHeader {
    limits: Limits,
    state: State,
}

impl JsonHeader {
    pub(crate) fn new(limits: &Limits) -> Self {
        JsonHeader {
            limits: *limits,
            state: State::Head,
        }
    }

    fn too_large(&self, len: u64) -> FrameError {
        FrameError::TooLarge {
            codec: "json-header",
            len,
            max: self.limits.max_frame,
        }
    }

    /// Length of the JSON header announced at the front of `buf`, capped.
    fn header_len(&self, buf: &[u8]) -> Result<usize, FrameError> {
        let hlen = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as u64;
        if hlen > self.limits.max_json_header as u64 {
            return Err(FrameError::HeaderTooLarge {
                len: hlen,
                max: self.limits.max_json_header,
            });
        }
        if hlen + PREFIX as u64 > self.limits.max_frame as u64 {
            return Err(self.too_large(hlen + PREFIX as u64));
        }
        // hlen <= max_json_header, a usize.
        Ok(hlen as usize)
    }

    /// In state `Head`: parses the header once it is all in `buf`.
    /// Returns whether the decoder moved to `Data`.
    fn read_header(&mut self, buf: &[u8]) -> Result<bool, FrameError> {
        if buf.len() < PREFIX {
            return Ok(false);
        }
        let body = PREFIX + self.header_len(buf)?;
        if buf.len() < body {
            return Ok(false);
        }
        let info = parse_header(&buf[PREFIX..body])?;
        let total = info.size.saturating_add(body as u64);
        if total > self.limits.max_frame as u64 {
            return Err(self.too_large(total));
        }
        // total <= max_frame, a usize.
        let total = total as usize;
        self.state = State::Data { body, total, info };
        Ok(true)
    }
}

impl Encoder for JsonHeader {
    fn encode(
        &mut self,
        payload: &[u8],
        meta: &FrameMeta,
        out: &mut Vec<u8>,
    ) -> Result<(), FrameError> {
        if let Some(md5) = meta.md5 {
            check_md5(md5)?;
        }
        let start = out.len();
        out.extend_from_slice(&[0; PREFIX]);
        let header = HeaderOut {
            size: payload.len() as u64,
            name: meta.name,
            md5: meta.md5,
        };
        let written = serde_json::to_writer(&mut *out, &header);
        let hlen = out.len() - start - PREFIX;
        let total = (out.len() - start + payload.len()) as u64;
        let error = match written {
            Err(e) => Some(FrameError::JsonHeader(format!("cannot write header: {e}"))),
            Ok(()) if hlen > self.limits.max_json_header || hlen > u32::MAX as usize => {
                Some(FrameError::HeaderTooLarge {
                    len: hlen as u64,
                    max: self.limits.max_json_header,
                })
            }
            Ok(()) if total > self.limits.max_frame as u64 => Some(self.too_large(total)),
            Ok(()) => None,
        };
        if let Some(error) = error {
            out.truncate(start);
            return Err(error);
        }
        // hlen <= u32::MAX was checked above.
        out[start..start + PREFIX].copy_from_slice(&(hlen as u32).to_be_bytes());
        out.extend_from_slice(payload);
        Ok(())
    }
}

impl Decoder for JsonHeader {
    fn decode(&mut self, buf: &[u8]) -> Result<Option<Frame>, FrameError> {
        if matches!(self.state, State::Head) && !self.read_header(buf)? {
            return Ok(None);
        }
        let State::Data { body, total, .. } = self.state else {
            return Ok(None);
        };
        if buf.len() < total {
            return Ok(None);
        }
        let State::Data { info, .. } = std::mem::replace(&mut self.state, State::Head) else {
            return Ok(None);
        };
        Ok(Some(Frame {
            consumed: total,
            payload: body..total,
            header: Some(info),
        }))
    }

    fn decode_eof(&mut self, buf: &[u8]) -> Result<(), FrameError> {
        if buf.is_empty() {
            return Ok(());
        }
        let (part, need) = match &self.state {
            State::Data { total, .. } => ("body", Some(*total as u64)),
            State::Head if buf.len() < PREFIX => ("header", Some(PREFIX as u64)),
            State::Head => ("header", Some((PREFIX + self.header_len(buf)?) as u64)),
        };
        Err(FrameError::Eof {
            codec: "json-header",
            part,
            got: buf.len(),
            need,
        })
    }

    fn need(&self) -> Option<usize> {
        match self.state {
            State::Head => None,
            State::Data { total, .. } => Some(total),
        }
    }
}

/// Parses and type-checks one JSON header.
pub(super) fn parse_header(bytes: &[u8]) -> Result<HeaderInfo, FrameError> {
    let bad = |reason: String| FrameError::JsonHeader(reason);
    let (top, fields) =
        json_fields::read(bytes).map_err(|e| bad(format!("header is not valid JSON: {e}")))?;
    if !matches!(top, Seen::Object) {
        return Err(bad(format!(
            "header must be a JSON object, got {}",
            top.kind()
        )));
    }
    let size = match field(fields.size, fields.file_size, "size", "file_size")? {
        None => return Err(bad("header has no `size` field".into())),
        Some(Seen::Int(size)) => size,
        Some(v) => {
            return Err(bad(format!(
                "`size` must be a non-negative integer, got {}",
                v.kind()
            )))
        }
    };
    let name = match field(fields.name, fields.file_name, "name", "file_name")? {
        None => None,
        Some(Seen::Str(s)) => Some(s),
        Some(v) => return Err(bad(format!("`name` must be a string, got {}", v.kind()))),
    };
    let md5 = match fields.md5 {
        None => None,
        Some(Seen::Str(s)) => {
            check_md5(&s)?;
            Some(s)
        }
        Some(v) => return Err(bad(format!("`md5` must be a string, got {}", v.kind()))),
    };
    Ok(HeaderInfo { size, name, md5 })
}

/// The value of `key`, or of the tutorial's `alias`; both at once is ambiguous.
fn field(
    value: Option<Seen>,
    alias_value: Option<Seen>,
    key: &str,
    alias: &str,
) -> Result<Option<Seen>, FrameError> {
    match (value, alias_value) {
        (Some(_), Some(_)) => Err(FrameError::JsonHeader(format!(
            "header has both `{key}` and `{alias}`"
        ))),
        (a, b) => Ok(a.or(b)),
    }
}

fn check_md5(md5: &str) -> Result<&str, FrameError> {
    if md5.len() == 32 && md5.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(md5)
    } else {
        let shown: String = md5.chars().take(40).collect();
        Err(FrameError::JsonHeader(format!(
            "`md5` must be 32 hex digits, got {shown:?} ({} characters)",
            md5.chars().count()
        )))
    }
}

/// The MD5 digest of `data` as 32 lower-case hex digits, as Python's
/// `hashlib.md5(data).hexdigest()` writes it in the tutorial's header.
pub fn md5_hex(data: &[u8]) -> [u8; 32] {
    use md5::{Digest, Md5};
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Md5::digest(data);
    let mut out = [0u8; 32];
    for (i, b) in digest.iter().enumerate() {
        out[2 * i] = HEX[(b >> 4) as usize];
        out[2 * i + 1] = HEX[(b & 15) as usize];
    }
    out
}

/// Whether a header's `md5` (32 hex digits, either case) is the digest of `body`.
pub fn md5_matches(md5: &str, body: &[u8]) -> bool {
    md5.as_bytes().eq_ignore_ascii_case(&md5_hex(body))
}
