//! What each flow carries, byte for byte, computed from the experiment alone:
//! the sender fills its buffers from here, the receiver checks every byte it
//! reads against it, and labels are cut from it. Nothing records the stream.
//!
//! Generated message `k` of length `n` is `#k:` followed by letters that
//! depend on `k` and the position, so a misplaced byte shows.

use crate::experiment::{Messages, Reply, Sizes};
use crate::trace::MessageSpan;

/// Byte `j` of generated message `k`.
#[inline]
fn letter(k: u64, j: u64) -> u8 {
    b'a' + ((k.wrapping_mul(7).wrapping_add(j)) % 26) as u8
}

/// `#id:`, the start of generated message `id`, without allocating.
fn prefix(id: u64) -> ([u8; 22], usize) {
    let mut digits = [0u8; 20];
    let (mut n, mut d) = (id, digits.len());
    loop {
        d -= 1;
        digits[d] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut out = [0u8; 22];
    out[0] = b'#';
    let len = digits.len() - d;
    out[1..=len].copy_from_slice(&digits[d..]);
    out[len + 1] = b':';
    (out, len + 2)
}

/// Writes generated message `id` of `len` bytes into `out` (cleared first).
pub fn generate(id: u64, len: u64, out: &mut Vec<u8>) {
    out.clear();
    generate_range(id, 0..len, out);
}

/// Appends bytes `range` of generated message `id` to `out`: a window of a
/// long message costs the window, not the message.
fn generate_range(id: u64, range: std::ops::Range<u64>, out: &mut Vec<u8>) {
    let (head, n) = prefix(id);
    let n = n as u64;
    if range.start < n {
        let end = range.end.min(n);
        out.extend_from_slice(&head[range.start as usize..end as usize]);
    }
    out.extend((range.start.max(n)..range.end).map(|j| letter(id, j)));
}

/// A small deterministic generator (SplitMix64), seeded from the experiment.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator with this seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `[lo, hi]`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.next_u64() % (hi - lo + 1)
    }
}

/// The messages of one flow: their places in the stream and their bytes.
#[derive(Clone, Debug)]
pub struct Stream {
    spans: Vec<MessageSpan>,
    body: Body,
}

#[derive(Clone, Debug)]
enum Body {
    Explicit(Vec<Vec<u8>>),
    Generated,
}

impl Stream {
    /// The c2s stream of `[sender]` (payloads only, no framing).
    pub fn from_messages(m: &Messages) -> Stream {
        match m {
            Messages::Explicit(list) => {
                let lens: Vec<u64> = list.iter().map(|p| p.len() as u64).collect();
                Stream {
                    spans: spans(&lens),
                    body: Body::Explicit(list.clone()),
                }
            }
            Messages::Generated {
                count,
                min,
                max,
                seed,
            } => {
                let mut rng = Rng::new(*seed);
                let lens: Vec<u64> = (0..*count).map(|_| rng.range(*min, *max)).collect();
                Stream {
                    spans: spans(&lens),
                    body: Body::Generated,
                }
            }
        }
    }

    /// Reply messages of these sizes (the last repeats), `count` of them.
    pub fn replies(sizes: &Sizes, count: usize) -> Stream {
        let lens: Vec<u64> = (0..count).map(|i| sizes.at(i)).collect();
        Stream {
            spans: spans(&lens),
            body: Body::Generated,
        }
    }

    /// Message places in the stream.
    pub fn spans(&self) -> &[MessageSpan] {
        &self.spans
    }

    /// Total bytes.
    pub fn total(&self) -> u64 {
        self.spans.last().map_or(0, |s| s.offset + s.len)
    }

    /// Writes message `id`'s payload into `out`.
    pub fn payload(&self, id: u64, out: &mut Vec<u8>) {
        match &self.body {
            Body::Explicit(list) => {
                out.clear();
                out.extend_from_slice(&list[id as usize]);
            }
            Body::Generated => generate(id, self.spans[id as usize].len, out),
        }
    }

    /// The index of the message holding byte `offset`, if any.
    pub fn message_at(&self, offset: u64) -> Option<usize> {
        let i = self.spans.partition_point(|s| s.offset + s.len <= offset);
        (i < self.spans.len() && self.spans[i].offset <= offset).then_some(i)
    }

    /// Copies up to `max` bytes starting at `offset` into `out`.
    pub fn bytes(&self, offset: u64, max: u64, out: &mut Vec<u8>) {
        out.clear();
        let mut at = offset;
        while (out.len() as u64) < max {
            let Some(i) = self.message_at(at) else { break };
            let s = &self.spans[i];
            let from = at - s.offset;
            let take = (s.len - from).min(max - out.len() as u64);
            match &self.body {
                Body::Explicit(list) => out
                    .extend_from_slice(&list[s.id as usize][from as usize..(from + take) as usize]),
                Body::Generated => generate_range(s.id, from..from + take, out),
            }
            at += take;
        }
    }

    /// Checks that `data`, read at stream `offset`, is what was sent there.
    /// Returns the offset of the first wrong byte.
    pub fn verify(&self, offset: u64, data: &[u8]) -> Result<(), u64> {
        match &self.body {
            Body::Explicit(list) => {
                self.verify_with(offset, data, |id, j| list[id as usize][j as usize])
            }
            Body::Generated => {
                let mut head = (u64::MAX, prefix(0));
                self.verify_with(offset, data, |id, j| {
                    if head.0 != id {
                        head = (id, prefix(id));
                    }
                    let (bytes, n) = &head.1;
                    bytes[..*n]
                        .get(j as usize)
                        .copied()
                        .unwrap_or_else(|| letter(id, j))
                })
            }
        }
    }

    fn verify_with(
        &self,
        offset: u64,
        data: &[u8],
        mut byte: impl FnMut(u64, u64) -> u8,
    ) -> Result<(), u64> {
        let mut at = offset;
        let mut rest = data;
        while !rest.is_empty() {
            let i = self.message_at(at).ok_or(at)?;
            let s = &self.spans[i];
            let from = at - s.offset;
            let take = ((s.len - from) as usize).min(rest.len());
            for (j, &b) in rest[..take].iter().enumerate() {
                if b != byte(s.id, from + j as u64) {
                    return Err(at + j as u64);
                }
            }
            at += take as u64;
            rest = &rest[take..];
        }
        Ok(())
    }
}

/// The bytes an echo or upper server sends back for `read`.
pub fn reply_bytes(reply: &Reply, read: &[u8], out: &mut Vec<u8>) {
    out.clear();
    match reply {
        Reply::Upper => out.extend(read.iter().map(u8::to_ascii_uppercase)),
        _ => out.extend_from_slice(read),
    }
}

fn spans(lens: &[u64]) -> Vec<MessageSpan> {
    let mut offset = 0;
    lens.iter()
        .enumerate()
        .map(|(id, &len)| {
            let s = MessageSpan {
                id: id as u64,
                offset,
                len,
            };
            offset += len;
            s
        })
        .collect()
}

/// Most reply messages a reply-size server can produce in one trial.
pub const MAX_REPLIES: usize = 1_000_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_messages_start_with_their_id() {
        let mut out = Vec::new();
        generate(12, 10, &mut out);
        assert_eq!(&out[..4], b"#12:");
        assert_eq!(out.len(), 10);
        generate(12, 2, &mut out);
        assert_eq!(out, b"#1");
    }

    #[test]
    fn verify_finds_the_wrong_byte() {
        let s = Stream::from_messages(&Messages::Generated {
            count: 3,
            min: 8,
            max: 8,
            seed: 1,
        });
        let mut all = Vec::new();
        s.bytes(0, 24, &mut all);
        assert_eq!(all.len(), 24);
        assert_eq!(s.verify(3, &all[3..20]), Ok(()));
        let mut bad = all.clone();
        bad[9] ^= 1;
        assert_eq!(s.verify(0, &bad), Err(9));
        assert_eq!(s.verify(20, &all[20..24]), Ok(()));
        assert_eq!(s.verify(20, &[0; 5]), Err(20));
    }

    #[test]
    fn explicit_messages_lay_out_in_order() {
        let s = Stream::from_messages(&Messages::Explicit(vec![
            b"hello".to_vec(),
            b"feng".to_vec(),
        ]));
        assert_eq!(s.total(), 9);
        assert_eq!(s.message_at(5), Some(1));
        assert_eq!(s.message_at(9), None);
        let mut out = Vec::new();
        s.bytes(3, 4, &mut out);
        assert_eq!(out, b"lofe");
    }

    #[test]
    fn any_window_of_a_generated_message_is_that_slice_of_it() {
        for (id, len) in [(0u64, 1u64), (7, 3), (12345, 40), (u64::MAX, 30)] {
            let mut whole = Vec::new();
            generate(id, len, &mut whole);
            let head = format!("#{id}:");
            assert_eq!(
                whole[..head.len().min(len as usize)],
                head.as_bytes()[..head.len().min(len as usize)]
            );
            for a in 0..len {
                for b in a..=len {
                    let mut part = Vec::new();
                    generate_range(id, a..b, &mut part);
                    assert_eq!(part, whole[a as usize..b as usize], "{id} {a}..{b}");
                }
            }
        }
    }
}
