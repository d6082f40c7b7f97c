//! Turns parameter values as written in `summary.csv` (`"0"`, `"100us"`,
//! `"64KiB"`, `"true"`) into numbers for an axis, when they are numbers.

/// Multipliers of duration suffixes, to seconds (longest suffix first).
const DURATIONS: [(&str, f64); 6] = [
    ("ns", 1e-9),
    ("us", 1e-6),
    ("µs", 1e-6),
    ("ms", 1e-3),
    ("min", 60.0),
    ("s", 1.0),
];

/// Multipliers of size suffixes, to bytes.
const SIZES: [(&str, f64); 7] = [
    ("KiB", 1024.0),
    ("MiB", 1048576.0),
    ("GiB", 1073741824.0),
    ("KB", 1e3),
    ("MB", 1e6),
    ("GB", 1e9),
    ("B", 1.0),
];

/// What a parameter's values measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Seconds.
    Duration,
    /// Bytes.
    Size,
    /// A plain number.
    Plain,
}

/// Parses one value: a plain number, a duration (to seconds) or a size (to
/// bytes); `None` for anything else (`"true"`, `"u32be"`).
pub fn parse(text: &str) -> Option<(f64, Unit)> {
    let t = text.trim();
    if let Ok(v) = t.parse::<f64>() {
        return v.is_finite().then_some((v, Unit::Plain));
    }
    let with = |table: &[(&str, f64)], unit| {
        table.iter().find_map(|(suffix, mult)| {
            let num = t.strip_suffix(suffix)?.trim().parse::<f64>().ok()?;
            (num.is_finite() && num >= 0.0).then_some((num * mult, unit))
        })
    };
    with(&DURATIONS, Unit::Duration).or_else(|| with(&SIZES, Unit::Size))
}

/// Parses every value; `None` unless all are numbers. The unit is the first
/// non-plain unit seen (a bare `"0"` fits any unit).
pub fn parse_all(texts: &[String]) -> Option<(Vec<f64>, Unit)> {
    let parsed: Option<Vec<(f64, Unit)>> = texts.iter().map(|t| parse(t)).collect();
    let parsed = parsed?;
    let unit = parsed
        .iter()
        .map(|p| p.1)
        .find(|u| *u != Unit::Plain)
        .unwrap_or(Unit::Plain);
    Some((parsed.into_iter().map(|p| p.0).collect(), unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_sizes_and_words() {
        assert_eq!(parse("0"), Some((0.0, Unit::Plain)));
        let (v, unit) = parse("100us").unwrap();
        assert!((v - 100e-6).abs() < 1e-15 && unit == Unit::Duration);
        assert_eq!(parse("1ms"), Some((1e-3, Unit::Duration)));
        assert_eq!(parse("2s"), Some((2.0, Unit::Duration)));
        assert_eq!(parse("64KiB"), Some((65536.0, Unit::Size)));
        assert_eq!(parse("true"), None);
        assert_eq!(parse("u32be"), None);
    }

    #[test]
    fn all_or_nothing() {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (nums, unit) = parse_all(&v(&["0", "1ms"])).unwrap();
        assert_eq!((nums, unit), (vec![0.0, 1e-3], Unit::Duration));
        assert_eq!(parse_all(&v(&["0", "fast"])), None);
    }
}
