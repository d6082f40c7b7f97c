//! Reads the few fields of a `json-header` header straight from its JSON text,
//! without building a `serde_json::Value` (a map and a `String` per key, per
//! frame): a serde visitor notes what it sees under `size` / `file_size`,
//! `name` / `file_name` and `md5`, and allocates only for a string there.
//!
//! It asks serde_json for exactly what `Value` asks for (`deserialize_any` on
//! every value, a string for every key, every entry of every object and array
//! visited), so serde_json accepts and rejects the same texts with the same
//! errors, recursion limit included. Its own visits never fail: a field of the
//! wrong type is judged only after the whole text parsed, as before. For a key
//! given twice the last value counts, as `Value`'s map keeps the last one.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// What one JSON value is, as far as the header's checks need to know.
#[derive(Debug)]
pub(super) enum Seen {
    /// A non-negative integer that fits a `u64`.
    Int(u64),
    /// A string.
    Str(String),
    /// An object (its fields are read only at the top of the header).
    Object,
    /// Anything else, described as the error messages describe it.
    Other(&'static str),
}

impl Seen {
    /// A short description of the value's type, for error messages.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Seen::Int(_) => "an integer",
            Seen::Str(_) => "a string",
            Seen::Object => "an object",
            Seen::Other(kind) => kind,
        }
    }
}

/// The values of the keys the header understands, each the last one given.
#[derive(Debug, Default)]
pub(super) struct Fields {
    pub(super) size: Option<Seen>,
    pub(super) file_size: Option<Seen>,
    pub(super) name: Option<Seen>,
    pub(super) file_name: Option<Seen>,
    pub(super) md5: Option<Seen>,
}

impl Fields {
    /// Where the value of `key` goes; `None` for a key the header ignores.
    fn slot(&mut self, key: Key) -> Option<&mut Option<Seen>> {
        match key {
            Key::Size => Some(&mut self.size),
            Key::FileSize => Some(&mut self.file_size),
            Key::Name => Some(&mut self.name),
            Key::FileName => Some(&mut self.file_name),
            Key::Md5 => Some(&mut self.md5),
            Key::Other => None,
        }
    }
}

/// Parses one header: what its top value is and, for an object, its fields.
/// Errors are serde_json's own, exactly as `serde_json::from_slice` gives them.
pub(super) fn read(bytes: &[u8]) -> Result<(Seen, Fields), serde_json::Error> {
    let mut fields = Fields::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let top = Look {
        fields: Some(&mut fields),
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok((top, fields))
}

/// A key of a header object.
#[derive(Debug, Clone, Copy)]
enum Key {
    Size,
    FileSize,
    Name,
    FileName,
    Md5,
    Other,
}

/// Reads one key of an object.
struct ReadKey;

impl<'de> DeserializeSeed<'de> for ReadKey {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for ReadKey {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(match key {
            "size" => Key::Size,
            "file_size" => Key::FileSize,
            "name" => Key::Name,
            "file_name" => Key::FileName,
            "md5" => Key::Md5,
            _ => Key::Other,
        })
    }
}

/// Looks at one JSON value; with `fields`, also reads an object's fields.
struct Look<'f> {
    fields: Option<&'f mut Fields>,
}

/// A look that only walks the value.
const WALK: Look<'static> = Look { fields: None };

impl<'de> DeserializeSeed<'de> for Look<'_> {
    type Value = Seen;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Seen, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Look<'_> {
    type Value = Seen;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Seen, E> {
        Ok(Seen::Other("a boolean"))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Seen, E> {
        Ok(Seen::Int(n))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Seen, E> {
        // As `serde_json::Number::from(i64)`: only below zero is it negative.
        Ok(match u64::try_from(n) {
            Ok(n) => Seen::Int(n),
            Err(_) => Seen::Other("a negative integer"),
        })
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Seen, E> {
        // `Value` turns a non-finite float into null.
        Ok(Seen::Other(if n.is_finite() {
            "a non-integer number"
        } else {
            "null"
        }))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Seen, E> {
        Ok(Seen::Str(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Seen, E> {
        Ok(Seen::Str(s))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Seen, E> {
        Ok(Seen::Other("null"))
    }

    fn visit_none<E: de::Error>(self) -> Result<Seen, E> {
        Ok(Seen::Other("null"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Seen, A::Error> {
        while seq.next_element_seed(WALK)?.is_some() {}
        Ok(Seen::Other("an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Seen, A::Error> {
        let mut fields = self.fields;
        while let Some(key) = map.next_key_seed(ReadKey)? {
            let value = map.next_value_seed(WALK)?;
            if let Some(slot) = fields.as_deref_mut().and_then(|f| f.slot(key)) {
                *slot = Some(value);
            }
        }
        Ok(Seen::Object)
    }
}
