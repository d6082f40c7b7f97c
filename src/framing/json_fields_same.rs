//! `json_fields` must judge every header exactly as the `serde_json::Value`
//! parser it replaced: same result, same error text. The old parser is kept
//! here, word for word, as the reference.

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::json_header::parse_header;
use super::{FrameError, HeaderInfo};

/// The parser before `json_fields`, with its `Value` and map.
fn reference(bytes: &[u8]) -> Result<HeaderInfo, FrameError> {
    let bad = |reason: String| FrameError::JsonHeader(reason);
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| bad(format!("header is not valid JSON: {e}")))?;
    let Value::Object(map) = value else {
        return Err(bad(format!(
            "header must be a JSON object, got {}",
            kind(&value)
        )));
    };
    let size = field(&map, "size", "file_size")?
        .ok_or_else(|| bad("header has no `size` field".into()))?;
    let size = size.as_u64().ok_or_else(|| {
        bad(format!(
            "`size` must be a non-negative integer, got {}",
            kind(size)
        ))
    })?;
    let name = match field(&map, "name", "file_name")? {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(v) => return Err(bad(format!("`name` must be a string, got {}", kind(v)))),
    };
    let md5 = match map.get("md5") {
        None => None,
        Some(Value::String(s)) => Some(check_md5(s)?.to_string()),
        Some(v) => return Err(bad(format!("`md5` must be a string, got {}", kind(v)))),
    };
    Ok(HeaderInfo { size, name, md5 })
}

fn field<'m>(
    map: &'m Map<String, Value>,
    key: &str,
    alias: &str,
) -> Result<Option<&'m Value>, FrameError> {
    match (map.get(key), map.get(alias)) {
        (Some(_), Some(_)) => Err(FrameError::JsonHeader(format!(
            "header has both `{key}` and `{alias}`"
        ))),
        (a, b) => Ok(a.or(b)),
    }
}

fn check_md5(md5: &str) -> Result<&str, FrameError> {
    if md5.len() == 32 && md5.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(md5)
    } else {
        let shown: String = md5.chars().take(40).collect();
        Err(FrameError::JsonHeader(format!(
            "`md5` must be 32 hex digits, got {shown:?} ({} characters)",
            md5.chars().count()
        )))
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_u64() => "an integer",
        Value::Number(n) if n.is_i64() => "a negative integer",
        Value::Number(_) => "a non-integer number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn same(bytes: &[u8]) {
    assert_eq!(
        parse_header(bytes),
        reference(bytes),
        "{:?}",
        String::from_utf8_lossy(bytes)
    );
}

#[test]
fn hand_picked_headers() {
    let deep_array = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let deep_object = format!("{}1{}", r#"{"a":"#.repeat(129), "}".repeat(129));
    let deep_in_field = format!(
        r#"{{"size":1,"x":{}1{}}}"#,
        "[".repeat(127),
        "]".repeat(127)
    );
    for text in [
        "",
        " ",
        "{}",
        "[]",
        "null",
        "true",
        "7",
        "-7",
        "-0",
        "1.0",
        "1e400",
        "\"s\"",
        r#"{"size":0}"#,
        r#"{"size":1024}"#,
        r#" { "size" : 3 } "#,
        r#"{"size":3} x"#,
        r#"{"size":3,}"#,
        r#"{"size":03}"#,
        r#"{"size":-0}"#,
        r#"{"size":-1}"#,
        r#"{"size":1.5}"#,
        r#"{"size":1e2}"#,
        r#"{"size":18446744073709551615}"#,
        r#"{"size":18446744073709551616}"#,
        r#"{"size":"3"}"#,
        r#"{"size":null}"#,
        r#"{"size":[1]}"#,
        r#"{"size":{"size":1}}"#,
        r#"{"file_size":5,"file_name":"a.txt"}"#,
        r#"{"size":1,"file_size":1}"#,
        r#"{"size":"x","size":2}"#,
        r#"{"size":2,"size":"x"}"#,
        r#"{"si\u007ae":4}"#,
        r#"{"size":1,"name":"a","file_name":"b"}"#,
        r#"{"size":1,"name":7}"#,
        r#"{"size":1,"name":"\ud800"}"#,
        r#"{"size":1,"name":"\u00e9\n"}"#,
        r#"{"size":1,"md5":"d41d8cd98f00b204e9800998ecf8427e"}"#,
        r#"{"size":1,"md5":"D41D8CD98F00B204E9800998ECF8427E"}"#,
        r#"{"size":1,"md5":"xyz"}"#,
        r#"{"size":1,"md5":false}"#,
        r#"{"size":1,"md5":"0123456789012345678901234567890123456789012345"}"#,
        r#"{"size":1,"other":1e400}"#,
        r#"{"size":1,"other":[1,"a",{"b":null}]}"#,
        r#"{"size":1,"other":"\x"}"#,
        r#"{"name":7}"#,
        r#"{"size":1"#,
        r#"{"size"}"#,
        r#"{size:1}"#,
        &deep_array,
        &deep_object,
        &deep_in_field,
    ] {
        same(text.as_bytes());
    }
    same(b"{\"size\":1,\"name\":\"\xff\"}");
    same(b"{\"size\":1,\"x\":\"\xff\"}");
}

/// JSON-ish tokens, so random texts hit both parse errors and field checks.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    " ",
    "\"size\"",
    "\"file_size\"",
    "\"name\"",
    "\"file_name\"",
    "\"md5\"",
    "\"x\"",
    "0",
    "7",
    "-1",
    "-0",
    "1.5",
    "1e400",
    "18446744073709551616",
    "true",
    "null",
    "\"d41d8cd98f00b204e9800998ecf8427e\"",
    "\"\\u00e9\"",
    "01",
];

fn value() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(&TOKENS[13..]).prop_map(str::to_string);
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((prop::sample::select(&TOKENS[7..13]), inner), 0..5).prop_map(
                |kv| {
                    let kv: Vec<String> = kv.iter().map(|(k, v)| format!("{k}:{v}")).collect();
                    format!("{{{}}}", kv.join(","))
                }
            ),
        ]
    })
}

proptest! {
    #[test]
    fn token_soup(tokens in prop::collection::vec(prop::sample::select(TOKENS), 0..24)) {
        same(tokens.concat().as_bytes());
    }

    #[test]
    fn well_formed_values(text in value()) {
        same(text.as_bytes());
    }
}
