//! How a proxy re-cuts what it forwards: `pass` (each read as it came),
//! `N` (writes of N bytes), `a,b,…` (those sizes in turn, the last
//! repeating) or `random:MIN..MAX[:SEED]` (seeded sizes in the range).

use crate::error::{Error, Result};
use crate::experiment::Sizes;

/// Most bytes one chunk may be.
pub const MAX_CHUNK: u64 = 64 << 20;

/// A chunking of the forwarded bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chunk {
    /// Forward each read as one write.
    Pass,
    /// Writes of these sizes, the last repeating.
    Sizes(Sizes),
    /// Seeded sizes from `min` to `max` bytes.
    Random { min: u64, max: u64, seed: u64 },
}

const FORMS: &str = "allowed: pass, N (bytes), a,b,… (sizes in turn, the last repeating), random:MIN..MAX or random:MIN..MAX:SEED";

impl Chunk {
    /// Parses `--chunk`; an error names the flag and the allowed forms.
    pub fn parse(text: &str) -> Result<Chunk> {
        let bad = |why: &str| Error::Config {
            origin: format!("--chunk {text}"),
            msg: format!("{why}; {FORMS}"),
        };
        let size = |s: &str| -> Result<u64> {
            let n = crate::units::parse_size(s.trim()).map_err(|e| bad(&e.to_string()))?;
            match n {
                0 => Err(bad("a chunk of 0 bytes forwards nothing")),
                n if n > MAX_CHUNK => Err(bad("a chunk is at most 64 MiB")),
                n => Ok(n),
            }
        };
        if text == "pass" {
            return Ok(Chunk::Pass);
        }
        if let Some(range) = text.strip_prefix("random:") {
            let mut parts = range.splitn(2, ':');
            let (lo, hi) = parts
                .next()
                .and_then(|r| r.split_once(".."))
                .ok_or_else(|| bad("random needs a range MIN..MAX"))?;
            let (min, max) = (size(lo)?, size(hi)?);
            if min > max {
                return Err(bad("MIN is larger than MAX"));
            }
            let seed = match parts.next() {
                Some(s) => s.parse().map_err(|_| bad("the seed is a whole number"))?,
                None => 1,
            };
            return Ok(Chunk::Random { min, max, seed });
        }
        let sizes = text.split(',').map(size).collect::<Result<Vec<u64>>>()?;
        if sizes.len() > 10_000 {
            return Err(bad("at most 10000 sizes"));
        }
        Sizes::new(sizes)
            .map(Chunk::Sizes)
            .ok_or_else(|| bad("no size given"))
    }

    /// A cutter that hands out the chunk sizes in turn.
    pub fn cutter(&self) -> Cutter {
        Cutter {
            chunk: self.clone(),
            index: 0,
            state: match self {
                Chunk::Random { seed, .. } => seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
                _ => 0,
            },
        }
    }
}

/// The sizes of successive writes.
#[derive(Clone, Debug)]
pub struct Cutter {
    chunk: Chunk,
    index: usize,
    state: u64,
}

impl Cutter {
    /// The next write's size for `available` bytes held (all of them for `pass`).
    pub fn next(&mut self, available: usize) -> usize {
        let n = match &self.chunk {
            Chunk::Pass => available as u64,
            Chunk::Sizes(s) => s.at(self.index),
            Chunk::Random { min, max, .. } => {
                // xorshift64*: the same seed cuts the same way on every run.
                self.state ^= self.state >> 12;
                self.state ^= self.state << 25;
                self.state ^= self.state >> 27;
                let r = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D);
                min + r % (max - min + 1)
            }
        };
        self.index += 1;
        (n as usize).min(available).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_parses_and_cuts() {
        assert_eq!(Chunk::parse("pass").unwrap(), Chunk::Pass);
        let mut c = Chunk::parse("1").unwrap().cutter();
        assert_eq!([c.next(5), c.next(4)], [1, 1]);
        let mut c = Chunk::parse("2,3").unwrap().cutter();
        assert_eq!([c.next(9), c.next(9), c.next(9), c.next(1)], [2, 3, 3, 1]);
        let r = Chunk::parse("random:2..4:7").unwrap();
        let (mut a, mut b) = (r.cutter(), r.cutter());
        for _ in 0..50 {
            let n = a.next(100);
            assert!((2..=4).contains(&n));
            assert_eq!(n, b.next(100), "seeded");
        }
    }

    #[test]
    fn a_bad_spec_names_the_flag_and_the_forms() {
        for bad in ["0", "x", "random:5..2", "random:1", "1,,2", ""] {
            let e = Chunk::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with(&format!("--chunk {bad}")), "{e}");
            assert!(e.contains("allowed: pass"), "{e}");
        }
    }
}
