//! Units in experiment files: durations (`"0"`, `"250us"`, `"2s"`), byte sizes
//! (`64`, `"64KiB"`), and the escapes allowed in message text (`\xNN`).
//!
//! Every parser returns a [`UnitError`] that says what was expected, so the
//! caller only has to add where the value came from.

use std::time::Duration;

/// Why a duration, a size or an escape in message text is refused. Each
/// message quotes the text and says what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    /// A duration below zero.
    #[error("`{0}` is negative; durations are 0 or more")]
    Negative(String),
    /// A duration other than `0` without a unit.
    #[error("`{0}` has no unit; write it like \"0\", \"250us\", \"100ms\" or \"2s\"")]
    NoUnit(String),
    /// A duration whose number does not parse.
    #[error("`{0}` is not a number with a unit like \"100ms\"")]
    NotANumber(String),
    /// A duration unit other than ns, us, ms, s.
    #[error("`{text}` has unknown unit `{unit}`; allowed units: ns, us, ms, s")]
    DurationUnit { text: String, unit: String },
    /// A duration over one hour.
    #[error("`{0}` is too long; at most one hour")]
    TooLong(String),
    /// A size whose number does not parse.
    #[error("`{0}` is not a size; write bytes like 1024 or \"64KiB\"")]
    NotASize(String),
    /// A size unit other than B, KiB, MiB, GiB, kB, MB.
    #[error("`{text}` has unknown unit `{unit}`; allowed: B, KiB, MiB, GiB, kB, MB")]
    SizeUnit { text: String, unit: String },
    /// A size over `u64::MAX` bytes.
    #[error("`{0}` is too large")]
    TooLarge(String),
    /// `\x` not followed by two hex digits.
    #[error("`\\x{0}` is not a byte escape; write two hex digits, like \\xff")]
    ByteEscape(String),
}

/// Parses a duration string with a unit: `ns`, `us` (or `µs`), `ms`, `s`.
/// `"0"` needs no unit; any other number without one is an error.
pub fn parse_duration(text: &str) -> Result<Duration, UnitError> {
    let t = text.trim();
    if t.starts_with('-') {
        return Err(UnitError::Negative(t.into()));
    }
    if t == "0" {
        return Ok(Duration::ZERO);
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| UnitError::NoUnit(t.into()))?;
    let (num, unit) = t.split_at(split);
    let value: f64 = num.parse().map_err(|_| UnitError::NotANumber(t.into()))?;
    let nanos_per = match unit.trim() {
        "ns" => 1.0,
        "us" | "µs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        other => {
            return Err(UnitError::DurationUnit {
                text: t.into(),
                unit: other.into(),
            })
        }
    };
    let nanos = value * nanos_per;
    if !nanos.is_finite() || nanos > 3600e9 {
        return Err(UnitError::TooLong(t.into()));
    }
    Ok(Duration::from_nanos(nanos.round() as u64))
}

/// Formats a duration the way a user would write it (`0`, `250us`, `1.5ms`).
pub fn format_duration(d: Duration) -> String {
    let ns = d.as_nanos();
    let (value, unit) = match ns {
        0 => return "0".to_string(),
        n if n % 1_000_000_000 == 0 => (n as f64 / 1e9, "s"),
        n if n >= 1_000_000 => (n as f64 / 1e6, "ms"),
        n if n >= 1_000 => (n as f64 / 1e3, "us"),
        n => (n as f64, "ns"),
    };
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}{unit}")
}

/// Parses a byte size: a plain integer, or a string such as `"64KiB"`, `"1MiB"`, `"1500"`.
pub fn parse_size(text: &str) -> Result<u64, UnitError> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: u64 = num.parse().map_err(|_| UnitError::NotASize(t.into()))?;
    let mult = match unit.trim() {
        "" | "B" => 1,
        "KiB" | "K" | "k" => 1 << 10,
        "MiB" | "M" => 1 << 20,
        "GiB" | "G" => 1 << 30,
        "KB" | "kB" => 1000,
        "MB" => 1_000_000,
        other => {
            return Err(UnitError::SizeUnit {
                text: t.into(),
                unit: other.into(),
            })
        }
    };
    value
        .checked_mul(mult)
        .ok_or_else(|| UnitError::TooLarge(t.into()))
}

/// A byte size in the largest binary unit that divides it: `256 MiB`,
/// `1 GiB`, `1500 B` (the inverse of [`parse_size`] for round sizes).
pub fn format_size(n: u64) -> String {
    let units = [(30, "GiB"), (20, "MiB"), (10, "KiB")];
    match units
        .iter()
        .find(|(shift, _)| n > 0 && n.is_multiple_of(1u64 << shift))
    {
        Some((shift, unit)) => format!("{} {unit}", n >> shift),
        None => format!("{n} B"),
    }
}

/// Turns message text into bytes, resolving `\xNN` escapes (TOML already
/// resolves `\n`, `\t` and `\u`; use a literal string `'a\xffb'` for raw bytes)
/// and `\\` for one backslash.
pub fn unescape_bytes(text: &str) -> Result<Vec<u8>, UnitError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() {
            match bytes[i + 1] {
                b'\\' => {
                    out.push(b'\\');
                    i += 2;
                    continue;
                }
                b'x' => {
                    let hex = text.get(i + 2..i + 4).unwrap_or("");
                    let byte = u8::from_str_radix(hex, 16)
                        .map_err(|_| UnitError::ByteEscape(hex.into()))?;
                    out.push(byte);
                    i += 4;
                    continue;
                }
                _ => {}
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    Ok(out)
}

/// Shows bytes as text: printable UTF-8 as is, `\n` `\r` `\t` `\\` escaped,
/// anything else (including a UTF-8 character cut in two) as `\xNN`.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\\' => out.push_str("\\\\"),
                c if c.is_ascii_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
                c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// Text safe to print on a terminal: control characters other than `\n`
/// and `\t` are shown as `\xNN` (`\u{NN}` for C1 controls), except the
/// colour codes nianbao itself writes (`ESC [ digits;… m`). Text read from a
/// results folder (a title, a decoder error) must not move the cursor, clear
/// the screen or retitle the window.
pub fn terminal_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let colour = rest.strip_prefix("\x1b[").and_then(|r| {
            let end = r.find(|c: char| !(c.is_ascii_digit() || c == ';'))?;
            (r.as_bytes()[end] == b'm').then_some(2 + end + 1)
        });
        if let Some(n) = colour {
            out.push_str(&rest[..n]);
            rest = &rest[n..];
            continue;
        }
        match c {
            '\n' | '\t' => out.push(c),
            c if c.is_ascii_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Escaped preview of at most `max_chars` characters, ending in `…` when cut.
pub fn preview(bytes: &[u8], max_chars: usize) -> String {
    let text = escape_bytes(bytes);
    if text.chars().count() <= max_chars {
        return text;
    }
    let mut cut: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// `1 message`, `2 messages`: a count with its noun (an `s` for the plural).
pub fn plural(n: impl Into<u64>, noun: &str) -> String {
    match n.into() {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// User text quoted for an error message: escaped (no control character
/// reaches the terminal) and cut to 40 characters, in backticks.
pub fn shown(text: &str) -> String {
    format!("`{}`", preview(text.as_bytes(), 40))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_safe_keeps_colour_and_escapes_other_controls() {
        assert_eq!(
            terminal_safe("a\x1b[1;31mred\x1b[0m\n"),
            "a\x1b[1;31mred\x1b[0m\n"
        );
        assert_eq!(
            terminal_safe("t\x1b]2;pwned\x07\x1b[2J\u{9b}x"),
            "t\\x1b]2;pwned\\x07\\x1b[2J\\u{9b}x"
        );
        assert_eq!(terminal_safe("粘包\tok"), "粘包\tok");
    }

    #[test]
    fn sizes_format_in_the_largest_whole_unit() {
        assert_eq!(format_size(256 << 20), "256 MiB");
        assert_eq!(format_size(1 << 30), "1 GiB");
        assert_eq!(format_size(3 << 10), "3 KiB");
        assert_eq!(format_size(1500), "1500 B");
        assert_eq!(format_size(0), "0 B");
    }

    #[test]
    fn durations_need_units_except_zero() {
        assert_eq!(parse_duration("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_duration("250us").unwrap(), Duration::from_micros(250));
        assert_eq!(
            parse_duration("1.5ms").unwrap(),
            Duration::from_micros(1500)
        );
        assert_eq!(parse_duration("2s").unwrap(), Duration::from_secs(2));
        let err = |t: &str| parse_duration(t).unwrap_err().to_string();
        assert_eq!(
            err("10"),
            "`10` has no unit; write it like \"0\", \"250us\", \"100ms\" or \"2s\""
        );
        assert_eq!(err("-1ms"), "`-1ms` is negative; durations are 0 or more");
        assert_eq!(
            err("3h"),
            "`3h` has unknown unit `h`; allowed units: ns, us, ms, s"
        );
    }

    #[test]
    fn durations_format_back() {
        for text in ["0", "250us", "1.5ms", "2s", "100ms", "10ns"] {
            assert_eq!(format_duration(parse_duration(text).unwrap()), text);
        }
    }

    #[test]
    fn sizes_accept_units() {
        assert_eq!(parse_size("1024").unwrap(), 1024);
        assert_eq!(parse_size("64KiB").unwrap(), 65536);
        assert_eq!(parse_size("1MiB").unwrap(), 1 << 20);
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("-3").is_err());
    }

    #[test]
    fn escapes_round_trip() {
        assert_eq!(unescape_bytes(r"a\xffb\\").unwrap(), b"a\xffb\\");
        assert_eq!(
            unescape_bytes(r"\xZZ").unwrap_err().to_string(),
            r"`\xZZ` is not a byte escape; write two hex digits, like \xff"
        );
        assert_eq!(escape_bytes("你\n".as_bytes()), "你\\n");
        // A UTF-8 character cut in two shows its bytes.
        assert_eq!(escape_bytes(&"你".as_bytes()[..2]), "\\xe4\\xbd");
        assert_eq!(preview(b"hello feng", 6), "hello…");
    }
}
