//! Why a framing string, an encode or a decode failed. Every message names the
//! codec, the numbers involved and the limit, so a user can fix the cause
//! without reading the source.

/// The values `Framing::from_str` accepts, for error messages and `--help`.
pub const ALLOWED: &str =
    "none, u32be, u16be, varint, line, line:<delimiter, escapes like \\r\\n>, fixed:<N>, json-header";

/// A framing error: bad configuration, a frame we cannot write, or a corrupt
/// or oversized stream.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// The framing string names no known codec.
    #[error("unknown framing `{input}`; allowed: {}", ALLOWED)]
    Unknown {
        /// What the user wrote.
        input: String,
    },
    /// The framing string names a codec but its argument is bad.
    #[error("invalid framing `{input}`: {reason}")]
    Parse {
        /// What the user wrote.
        input: String,
        /// What is wrong with it (shown in this message, so not a source).
        reason: ParseReason,
    },
    /// `Framing::validate` found a configuration no frame could satisfy.
    #[error("framing {framing}: {reason}")]
    Config {
        /// The framing, as `Display` writes it.
        framing: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A frame (header included) is larger than `Limits::max_frame`.
    #[error("{codec}: frame of {len} bytes exceeds max_frame = {max} bytes")]
    TooLarge {
        /// Codec name, as in the framing string.
        codec: &'static str,
        /// Whole frame length in bytes, as announced or as it would be.
        len: u64,
        /// The limit in bytes.
        max: usize,
    },
    /// The encoder's length prefix cannot express this payload length.
    #[error("{codec}: a {len}-byte payload does not fit the length prefix (at most {max} bytes)")]
    PrefixOverflow {
        /// Codec name.
        codec: &'static str,
        /// Payload length in bytes.
        len: usize,
        /// Largest length the prefix can express.
        max: u64,
    },
    /// `fixed:N` was asked to encode a payload that is not N bytes.
    #[error("fixed:{size}: payload is {len} bytes; every frame must be exactly {size} bytes")]
    WrongSize {
        /// N.
        size: usize,
        /// Payload length in bytes.
        len: usize,
    },
    /// A varint length prefix is malformed.
    #[error("varint: {0}")]
    Varint(&'static str),
    /// No delimiter within the first `max_frame` bytes of a line.
    #[error("line: no delimiter within max_frame = {max} bytes")]
    LineTooLong {
        /// The limit in bytes.
        max: usize,
    },
    /// A JSON header longer than `Limits::max_json_header`.
    #[error("json-header: header of {len} bytes exceeds max_json_header = {max} bytes")]
    HeaderTooLarge {
        /// Announced (or, when encoding, actual) header length in bytes.
        len: u64,
        /// The limit in bytes.
        max: usize,
    },
    /// A JSON header that is not valid JSON or has fields of the wrong type.
    #[error("json-header: {0}")]
    JsonHeader(String),
    /// EOF arrived in the middle of a frame.
    #[error("{codec}: EOF inside a frame ({part}): {}", eof_text(.got, .need))]
    Eof {
        /// Codec name.
        codec: &'static str,
        /// `header`, `body` or `line`: where the stream stopped.
        part: &'static str,
        /// Bytes of the unfinished frame that did arrive.
        got: usize,
        /// Bytes the frame (or the part read so far) needed, when known.
        need: Option<u64>,
    },
}

/// Why the argument of a framing string (`line:…`, `fixed:…`) is bad.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum ParseReason {
    /// A delimiter escape that does not parse.
    #[error(transparent)]
    Escape(#[from] EscapeError),
    /// `line:` with nothing after it.
    #[error("the delimiter must not be empty")]
    EmptyDelimiter,
    /// `fixed:0`.
    #[error("frame size must be at least 1 byte")]
    ZeroSize,
    /// `fixed:N` where N is not a whole number.
    #[error("`{text}` is not a frame size in bytes ({why})")]
    NotASize {
        /// What followed `fixed:`.
        text: String,
        /// Why it does not parse. Shown in this message, so not also given
        /// as `source()` (a chain would print it twice).
        why: std::num::ParseIntError,
    },
}

/// A bad escape in a `line:` delimiter.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum EscapeError {
    /// `\x` without two hex digits after it.
    #[error("`\\x{0}` needs two hex digits")]
    Hex(String),
    /// A backslash before a letter that is no escape.
    #[error("unknown escape `\\{0}`; use \\n \\r \\t \\0 \\\\ or \\xHH")]
    Unknown(char),
    /// A backslash as the last character.
    #[error("a lone `\\` at the end; write `\\\\` for a backslash")]
    Lone,
}

fn eof_text(got: &usize, need: &Option<u64>) -> String {
    match need {
        Some(need) => format!("got {got} of {need} bytes"),
        None if *got == 1 => "got 1 byte, frame length not yet known".into(),
        None => format!("got {got} bytes, frame length not yet known"),
    }
}
