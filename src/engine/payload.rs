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

/// The alphabet, over and over: after its `#k:`, a generated message is a
/// run of it starting at letter `(7k + j) % 26`, so its bytes are copied
/// (and reads compared) a slice at a time instead of made one by one.
static CYCLE: [u8; CYCLE_LEN] = {
    let mut t = [0u8; CYCLE_LEN];
    let mut i = 0;
    while i < CYCLE_LEN {
        t[i] = b'a' + (i % 26) as u8;
        i += 1;
    }
    t
};
const CYCLE_LEN: usize = 26 * 80;
/// The longest run taken from [`CYCLE`] at once: a whole number of
/// alphabets, so the next run starts at the same letter.
const RUN: usize = CYCLE_LEN - 26;

/// Calls `f` with the bytes `range` of generated message `id`, in order,
/// a slice at a time (no allocation).
#[inline]
fn for_each_run(id: u64, range: std::ops::Range<u64>, mut f: impl FnMut(&[u8]) -> bool) -> bool {
    let (head, start) = prefix(id);
    let head = &head[start..];
    let n = head.len() as u64;
    if range.start < n {
        let end = range.end.min(n);
        if !f(&head[range.start as usize..end as usize]) {
            return false;
        }
    }
    let from = range.start.max(n);
    if from >= range.end {
        return true;
    }
    let len = range.end - from;
    let first = id.wrapping_mul(7).wrapping_add(from);
    if first.checked_add(len - 1).is_none() {
        // The letter index wraps past u64::MAX inside the range (only for
        // ids near 2^64 / 7): byte by byte, as `letter` defines it.
        return (from..range.end).all(|j| f(&[letter(id, j)]));
    }
    let phase = (first % 26) as usize;
    let mut left = len as usize;
    while left > 0 {
        let take = left.min(RUN);
        if !f(&CYCLE[phase..phase + take]) {
            return false;
        }
        left -= take;
    }
    true
}

/// `#id:`, the start of generated message `id`, without allocating: it is
/// `head[start..]`, written from the end two digits at a time (it is made
/// for every message sent and every message checked). Inlined, so the array
/// is built where it is read instead of copied out through memory.
#[inline]
fn prefix(id: u64) -> ([u8; PREFIX_MAX], usize) {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut head = [0u8; PREFIX_MAX];
    let mut at = PREFIX_MAX - 1;
    head[at] = b':';
    let mut n = id;
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        at -= 2;
        head[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        at -= 2;
        head[at..at + 2].copy_from_slice(&PAIRS[n as usize * 2..n as usize * 2 + 2]);
    } else {
        at -= 1;
        head[at] = b'0' + n as u8;
    }
    at -= 1;
    head[at] = b'#';
    (head, at)
}

/// `#`, the 20 digits of u64::MAX and `:`.
const PREFIX_MAX: usize = 22;

/// Writes generated message `id` of `len` bytes into `out` (cleared first).
pub fn generate(id: u64, len: u64, out: &mut Vec<u8>) {
    out.clear();
    generate_range(id, 0..len, out);
}

/// Appends bytes `range` of generated message `id` to `out`: a window of a
/// long message costs the window, not the message.
fn generate_range(id: u64, range: std::ops::Range<u64>, out: &mut Vec<u8>) {
    out.reserve((range.end - range.start) as usize);
    for_each_run(id, range, |run| {
        out.extend_from_slice(run);
        true
    });
}

/// Whether `data` is bytes `from..` of generated message `id` (upper-cased
/// when `upper`); if not, the index in `data` of the first wrong byte.
fn verify_generated(id: u64, from: u64, data: &[u8], upper: bool) -> Result<(), usize> {
    let mut at = 0;
    let mut wrong = None;
    for_each_run(id, from..from + data.len() as u64, |want| {
        let got = &data[at..at + want.len()];
        if let Err(j) = compare(got, want, upper) {
            wrong = Some(at + j);
            return false;
        }
        at += want.len();
        true
    });
    wrong.map_or(Ok(()), Err)
}

/// Whether `got` is `want` (upper-cased when `upper`; equally long); if
/// not, the index of the first byte where they differ.
#[inline]
fn compare(got: &[u8], want: &[u8], upper: bool) -> Result<(), usize> {
    let differ = match upper {
        false if got == want => return Ok(()),
        false => got.iter().zip(want).position(|(g, w)| g != w),
        true => got
            .iter()
            .zip(want)
            .position(|(g, w)| *g != w.to_ascii_uppercase()),
    };
    differ.map_or(Ok(()), Err)
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
        self.verify_as(offset, data, false)
    }

    /// [`Stream::verify`] for the stream upper-cased when `upper` (what an
    /// `upper` server sends back), without making the expected bytes.
    pub fn verify_as(&self, offset: u64, data: &[u8], upper: bool) -> Result<(), u64> {
        let mut at = offset;
        let mut rest = data;
        let mut i = match rest.is_empty() {
            true => return Ok(()),
            false => self.message_at(at).ok_or(at)?,
        };
        while !rest.is_empty() {
            // The next message in the flow (a binary search only for the first).
            while self.spans.get(i).is_some_and(|s| s.offset + s.len <= at) {
                i += 1;
            }
            let s = self.spans.get(i).filter(|s| s.offset <= at).ok_or(at)?;
            let from = at - s.offset;
            let take = ((s.len - from) as usize).min(rest.len());
            let (part, next) = rest.split_at(take);
            let checked = match &self.body {
                Body::Explicit(list) => compare(
                    part,
                    &list[s.id as usize][from as usize..from as usize + take],
                    upper,
                ),
                Body::Generated => verify_generated(s.id, from, part, upper),
            };
            checked.map_err(|j| at + j as u64)?;
            at += take as u64;
            rest = next;
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

    /// Message `id` of `len` bytes, made byte by byte from its definition.
    fn by_letter(id: u64, len: u64) -> Vec<u8> {
        let head = format!("#{id}:").into_bytes();
        (0..len)
            .map(|j| {
                head.get(j as usize)
                    .copied()
                    .unwrap_or_else(|| letter(id, j))
            })
            .collect()
    }

    #[test]
    fn runs_of_the_alphabet_are_the_letters_byte_by_byte() {
        let near_wrap = u64::MAX / 7;
        for id in [
            0,
            1,
            25,
            26,
            12345,
            near_wrap - 300,
            near_wrap,
            near_wrap + 1,
            u64::MAX,
        ] {
            for len in [
                0,
                1,
                3,
                30,
                64,
                1024,
                RUN as u64 + 27,
                3 * CYCLE_LEN as u64 + 5,
            ] {
                let mut got = Vec::new();
                generate(id, len, &mut got);
                assert_eq!(got, by_letter(id, len), "message {id} of {len} bytes");
            }
        }
    }

    #[test]
    fn verify_names_the_first_wrong_byte_of_a_long_read() {
        let s = Stream::from_messages(&Messages::Generated {
            count: 5,
            min: 3000,
            max: 5000,
            seed: 7,
        });
        let mut all = Vec::new();
        s.bytes(0, s.total(), &mut all);
        assert_eq!(s.verify(0, &all), Ok(()));
        for at in [0, 1, 2999, 3000, 4100, all.len() - 1] {
            let mut bad = all.clone();
            bad[at] ^= 0x20;
            // A second wrong byte later on does not hide the first.
            bad[all.len() - 1] ^= 0x40;
            assert_eq!(s.verify(0, &bad), Err(at as u64), "wrong byte at {at}");
            assert_eq!(s.verify(at as u64, &bad[at..]), Err(at as u64));
        }
        assert_eq!(s.verify(10, &all[10..]), Ok(()));
        assert_eq!(
            s.verify(0, &[all.clone(), vec![b'x']].concat()),
            Err(s.total())
        );
    }

    #[test]
    fn an_upper_cased_echo_is_checked_as_its_bytes_upper_cased() {
        let generated = Stream::from_messages(&Messages::Generated {
            count: 4,
            min: 5,
            max: 40,
            seed: 3,
        });
        let explicit = Stream::from_messages(&Messages::Explicit(vec![
            b"hello".to_vec(),
            b"Feng-2!".to_vec(),
        ]));
        for s in [generated, explicit] {
            let mut all = Vec::new();
            s.bytes(0, s.total(), &mut all);
            all.make_ascii_uppercase();
            assert_eq!(s.verify_as(0, &all, true), Ok(()));
            assert_eq!(s.verify_as(2, &all[2..], true), Ok(()));
            if all.iter().any(u8::is_ascii_uppercase) {
                assert!(s.verify(0, &all).is_err(), "upper-cased is not the stream");
            }
            for at in 0..all.len() {
                let mut bad = all.clone();
                bad[at] = b'?';
                assert_eq!(s.verify_as(0, &bad, true), Err(at as u64));
            }
            let longer = [all.clone(), b"X".to_vec()].concat();
            assert_eq!(s.verify_as(0, &longer, true), Err(s.total()));
        }
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
