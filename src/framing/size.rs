//! The size of a frame as nianbao's sender writes it, known before any byte
//! is encoded: the experiment checks frames against `max_frame` with it, and
//! the framed flow lays out its frames with it.

use super::Framing;

/// The `name` a `json-header` frame carries for message `id` (the tutorial's
/// file name); such frames also carry the body's `md5`. Other framings carry
/// no metadata.
pub fn meta_name(framing: &Framing, id: u64) -> Option<String> {
    (*framing == Framing::JsonHeader).then(|| format!("file{id}.bin"))
}

/// Header bytes of `,"md5":"…"`: 32 hex digits and 9 of JSON around them.
const MD5_JSON: u64 = 32 + 9;

/// Bytes of the frame of message `id` with a payload of `len` bytes.
pub fn frame_len(framing: &Framing, id: u64, len: u64) -> u64 {
    // serde_json writes `{"size":S,"name":"N","md5":"H"}`: the name adds
    // `,"name":""` + N, the md5 `,"md5":""` + 32 hex digits.
    let meta = meta_name(framing, id).map_or(0, |n| n.len() as u64 + 10 + MD5_JSON);
    framing.header_overhead(len as usize) as u64 + len + meta
}
