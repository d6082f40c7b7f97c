//! The framing string of experiment files and `--set transport.framing=…`:
//! `FromStr` and a `Display` that round-trips with it. Delimiters are written
//! with escapes (`line:\r\n`, `line:\x00`) so any byte string fits in TOML.

use std::fmt;
use std::str::FromStr;

use super::{EscapeError, FrameError, Framing, ParseReason};

impl FromStr for Framing {
    type Err = FrameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason: ParseReason| FrameError::Parse {
            input: s.to_string(),
            reason,
        };
        match s {
            "none" => return Ok(Framing::None),
            "u32be" => return Ok(Framing::U32Be),
            "u16be" => return Ok(Framing::U16Be),
            "varint" => return Ok(Framing::Varint),
            "line" => {
                return Ok(Framing::Line {
                    delimiter: vec![b'\n'],
                })
            }
            "json-header" => return Ok(Framing::JsonHeader),
            _ => {}
        }
        if let Some(delim) = s.strip_prefix("line:") {
            let delimiter = unescape(delim).map_err(|e| bad(e.into()))?;
            if delimiter.is_empty() {
                return Err(bad(ParseReason::EmptyDelimiter));
            }
            return Ok(Framing::Line { delimiter });
        }
        if let Some(n) = s.strip_prefix("fixed:") {
            return match n.parse::<usize>() {
                Ok(0) => Err(bad(ParseReason::ZeroSize)),
                Ok(n) => Ok(Framing::Fixed(n)),
                Err(why) => Err(bad(ParseReason::NotASize {
                    text: n.to_string(),
                    why,
                })),
            };
        }
        Err(FrameError::Unknown {
            input: s.to_string(),
        })
    }
}

impl fmt::Display for Framing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Framing::None => f.write_str("none"),
            Framing::U32Be => f.write_str("u32be"),
            Framing::U16Be => f.write_str("u16be"),
            Framing::Varint => f.write_str("varint"),
            Framing::Line { delimiter } if delimiter.as_slice() == b"\n" => f.write_str("line"),
            Framing::Line { delimiter } => write!(f, "line:{}", escape(delimiter)),
            Framing::Fixed(n) => write!(f, "fixed:{n}"),
            Framing::JsonHeader => f.write_str("json-header"),
        }
    }
}

/// Experiment files hold the framing as its string (`framing = "u32be"`).
impl serde::Serialize for Framing {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Framing {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Turns `\n \r \t \0 \\ \xHH` into bytes; other characters stand for their UTF-8.
pub(crate) fn unescape(s: &str) -> Result<Vec<u8>, EscapeError> {
    let mut out = Vec::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut utf8 = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            continue;
        }
        let byte = match chars.next() {
            Some('n') => b'\n',
            Some('r') => b'\r',
            Some('t') => b'\t',
            Some('0') => 0,
            Some('\\') => b'\\',
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                u8::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 2)
                    .ok_or(EscapeError::Hex(hex))?
            }
            Some(other) => return Err(EscapeError::Unknown(other)),
            None => return Err(EscapeError::Lone),
        };
        out.push(byte);
    }
    Ok(out)
}

/// The inverse of [`unescape`]: printable ASCII as is, everything else escaped.
pub(crate) fn escape(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0 => s.push_str("\\0"),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_allowed_value_round_trips() {
        for s in [
            "none",
            "u32be",
            "u16be",
            "varint",
            "line",
            "line:\\r\\n",
            "line:|",
            "line:\\0\\xff\\\\",
            "fixed:16",
            "json-header",
        ] {
            let framing: Framing = s.parse().unwrap();
            assert_eq!(framing.to_string(), s);
            assert_eq!(framing.to_string().parse::<Framing>().unwrap(), framing);
        }
    }

    #[test]
    fn serde_uses_the_framing_string() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Transport {
            framing: Framing,
        }
        let t: Transport = toml::from_str("framing = 'line:\\r\\n'").unwrap();
        assert_eq!(
            t.framing,
            Framing::Line {
                delimiter: b"\r\n".to_vec()
            }
        );
        let written = toml::to_string(&t).unwrap();
        assert_eq!(written, "framing = 'line:\\r\\n'\n");
        assert_eq!(toml::from_str::<Transport>(&written).unwrap(), t);
        let err = toml::from_str::<Transport>("framing = 'fixed:0'").unwrap_err();
        assert!(err.to_string().contains("at least 1 byte"), "{err}");
    }

    #[test]
    fn line_escapes_decode_to_bytes() {
        let f: Framing = "line:\\r\\n".parse().unwrap();
        assert_eq!(
            f,
            Framing::Line {
                delimiter: b"\r\n".to_vec()
            }
        );
        let f: Framing = "line:\\x00\\x7F".parse().unwrap();
        assert_eq!(
            f,
            Framing::Line {
                delimiter: vec![0, 0x7f]
            }
        );
        assert_eq!("line:\\n".parse::<Framing>().unwrap().to_string(), "line");
    }

    #[test]
    fn unknown_value_lists_the_allowed_ones() {
        let err = "u64be".parse::<Framing>().unwrap_err().to_string();
        assert!(err.contains("u64be"), "{err}");
        assert!(err.contains("u32be") && err.contains("fixed:<N>"), "{err}");
    }

    #[test]
    fn bad_arguments_are_rejected() {
        for s in [
            "fixed:0",
            "fixed:",
            "fixed:-1",
            "line:",
            "line:\\q",
            "line:\\x4",
            "line:\\",
        ] {
            let err = s.parse::<Framing>().unwrap_err();
            assert!(matches!(err, FrameError::Parse { .. }), "{s}: {err}");
        }
    }

    #[test]
    fn bad_arguments_keep_their_words() {
        let err = |s: &str| s.parse::<Framing>().unwrap_err().to_string();
        assert_eq!(
            err(r"line:\q"),
            r"invalid framing `line:\q`: unknown escape `\q`; use \n \r \t \0 \\ or \xHH"
        );
        assert_eq!(
            err(r"line:\x4"),
            r"invalid framing `line:\x4`: `\x4` needs two hex digits"
        );
        assert_eq!(
            err(r"line:\"),
            r"invalid framing `line:\`: a lone `\` at the end; write `\\` for a backslash"
        );
        assert_eq!(
            err("fixed:abc"),
            "invalid framing `fixed:abc`: `abc` is not a frame size in bytes (invalid digit found in string)"
        );
    }
}
