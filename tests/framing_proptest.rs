//! Property tests: any list of messages, cut into reads at any points, decodes
//! to the same list, for every codec; and arbitrary bytes cut anyhow never
//! panic and never make a decoder buffer past `max_frame`.

mod framing_support;

use framing_support::{decode_split, encode_all, framed, max_frame};
use nianbao::framing::{Framing, Limits};
use proptest::collection::vec;
use proptest::prelude::*;

/// Messages `framing` can carry: any bytes, except that `line` payloads never
/// contain `\n` (so neither `\n` nor `\r\n` can occur) and `fixed:N` ones are N long.
fn messages_for(framing: Framing) -> impl Strategy<Value = (Framing, Vec<Vec<u8>>)> {
    let byte = match framing {
        Framing::Line { .. } => any::<u8>()
            .prop_map(|b| if b == b'\n' { b'n' } else { b })
            .boxed(),
        _ => any::<u8>().boxed(),
    };
    let len = match framing {
        Framing::Fixed(n) => n..n + 1,
        _ => 0..300,
    };
    (Just(framing), vec(vec(byte, len), 0..8))
}

fn framing_and_messages() -> impl Strategy<Value = (Framing, Vec<Vec<u8>>)> {
    proptest::sample::select(framed()).prop_flat_map(messages_for)
}

/// Sorted cut offsets within a stream of `len` bytes.
fn cuts_within(raw: &[usize], len: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = raw.iter().map(|c| c % (len + 1)).collect();
    cuts.sort_unstable();
    cuts
}

proptest! {
    #[test]
    fn any_split_gives_the_same_frames(
        (framing, messages) in framing_and_messages(),
        raw_cuts in vec(any::<usize>(), 0..12),
    ) {
        let stream = encode_all(&framing, &messages);
        let cuts = cuts_within(&raw_cuts, stream.len());
        let got = decode_split(&framing, &Limits::default(), &stream, &cuts);
        prop_assert_eq!(got.unwrap(), messages, "{} cuts {:?}", framing, cuts);
    }

    #[test]
    fn arbitrary_bytes_never_panic_or_overbuffer(
        framing in proptest::sample::select(framed()),
        stream in vec(any::<u8>(), 0..2000),
        raw_cuts in vec(any::<usize>(), 0..20),
    ) {
        // decode_split asserts bounded buffering; errors are fine here.
        let cuts = cuts_within(&raw_cuts, stream.len());
        let _ = decode_split(&framing, &max_frame(256), &stream, &cuts);
    }

    #[test]
    fn raw_yields_each_nonempty_read(reads in vec(vec(any::<u8>(), 1..100), 0..8)) {
        let mut decoder = Framing::None.decoder(&Limits::default());
        for read in &reads {
            let frame = decoder.decode(read).unwrap().unwrap();
            prop_assert_eq!(&read[frame.payload], &read[..]);
        }
    }
}
