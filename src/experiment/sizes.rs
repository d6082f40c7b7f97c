//! A list of sizes in which the last one repeats: the receiver's recv
//! sizes, the client's, and the reply sizes. The one place that rule lives.

use std::fmt;

/// A non-empty list of sizes, bytes; item `i` past the end is the last.
#[derive(Clone, PartialEq, Eq)]
pub struct Sizes(Vec<u64>);

impl Sizes {
    /// The sizes, or `None` when the list is empty.
    pub fn new(sizes: Vec<u64>) -> Option<Sizes> {
        (!sizes.is_empty()).then_some(Sizes(sizes))
    }

    /// One size.
    pub fn one(size: u64) -> Sizes {
        Sizes(vec![size])
    }

    /// Size `i`: the listed one, or the last once the list runs out.
    #[inline]
    pub fn at(&self, i: usize) -> u64 {
        self.0.get(i).or(self.0.last()).copied().unwrap_or(0)
    }

    /// The largest size (the buffer that holds any of them).
    pub fn max(&self) -> u64 {
        self.0.iter().copied().max().unwrap_or(0)
    }

    /// The sizes as listed.
    pub fn as_slice(&self) -> &[u64] {
        &self.0
    }

    /// How many are listed.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a list of sizes has at least one.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Sizes {
    /// As the list: `[2, 10]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_size_repeats() {
        let s = Sizes::new(vec![2, 10]).unwrap();
        assert_eq!([s.at(0), s.at(1), s.at(2), s.at(99)], [2, 10, 10, 10]);
        assert_eq!(s.max(), 10);
        assert_eq!(format!("{s:?}"), "[2, 10]");
        assert!(Sizes::new(Vec::new()).is_none());
    }
}
