//! `--set key=value` and sweeps: edits to the experiment's TOML tree before it
//! is validated, and the pure expansion of `[sweep]` into scenarios.

use toml::{Table, Value};

/// Parses the right side of `key=value`: a TOML value when it is one
/// (`true`, `3`, `[2, 10]`, `"x"`), otherwise the text as a string (`1ms`).
pub fn parse_value(text: &str) -> Value {
    let doc = format!("v = {text}");
    match doc.parse::<Table>() {
        Ok(mut t) => t.remove("v").unwrap_or_else(|| Value::String(text.into())),
        Err(_) => Value::String(text.to_string()),
    }
}

/// When a `--set` value is not a TOML value (so it was taken as text), why
/// not and how to write it: `2,10` is no list, `[2,10]` is.
pub fn toml_hint(key: &str, text: &str, why: &str) -> String {
    let Err(e) = format!("v = {text}").parse::<Table>() else {
        return String::new();
    };
    let form = if why.contains("expected a sequence") {
        format!("a list in brackets, like {key}=[2,10]")
    } else if why.contains("expected a boolean") {
        format!("true or false, like {key}=true")
    } else if why.contains("expected i") || why.contains("expected u") {
        format!("a whole number, like {key}=3")
    } else {
        format!("text in quotes, like {key}='\"…\"'")
    };
    let reason = e.message().lines().next().unwrap_or("").trim().to_string();
    format!(
        "; `{}` is not a TOML value ({reason}), so it was read as text: write {form}",
        crate::units::preview(text.as_bytes(), 40),
    )
}

/// Splits `key=value` (as given to `--set`).
pub fn split_assignment(arg: &str) -> Option<(String, String)> {
    let (k, v) = arg.split_once('=')?;
    let k = k.trim();
    if k.is_empty() {
        return None;
    }
    Some((k.to_string(), v.trim().to_string()))
}

/// Keys that replace one another: setting one way of giving the messages
/// (`messages`, or `count` and `size`) drops the other, so `--set
/// sender.count=5` switches a built-in's explicit messages to generated ones.
const EXCLUSIVE: [(&str, &[&str]); 3] = [
    ("sender.messages", &["count", "size"]),
    ("sender.count", &["messages"]),
    ("sender.size", &["messages"]),
];

/// Sets the dotted `key` in `table`, creating tables on the way.
pub fn set_path(table: &mut Table, key: &str, value: Value) -> Result<(), SetPathError> {
    if let Some((_, drop)) = EXCLUSIVE.iter().find(|(k, _)| *k == key) {
        if let Some(sender) = table.get_mut("sender").and_then(Value::as_table_mut) {
            for d in drop.iter() {
                sender.remove(*d);
            }
        }
    }
    let mut parts: Vec<&str> = key.split('.').collect();
    let last = parts.pop().ok_or(SetPathError::EmptyKey)?;
    let mut here = table;
    for part in parts {
        let entry = here
            .entry(part.to_string())
            .or_insert_with(|| Value::Table(Table::new()));
        here = entry
            .as_table_mut()
            .ok_or_else(|| SetPathError::NotATable {
                part: part.into(),
                key: key.into(),
            })?;
    }
    here.insert(last.to_string(), value);
    Ok(())
}

/// Why a dotted key cannot be set in a tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetPathError {
    /// The key is empty.
    #[error("empty key")]
    EmptyKey,
    /// A part of the key names a value, not a table.
    #[error("`{part}` is a value, not a table, so `{key}` cannot be set")]
    NotATable { part: String, key: String },
}

/// Shows a value the way a user types it: strings bare, others as TOML.
pub fn display_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The cartesian product of the swept values, first key slowest:
/// `[(a,[1,2]), (b,[x,y])]` gives `a=1 b=x, a=1 b=y, a=2 b=x, a=2 b=y`.
pub fn expand(axes: &[(String, Vec<Value>)]) -> Vec<Vec<(String, Value)>> {
    let mut points: Vec<Vec<(String, Value)>> = vec![Vec::new()];
    for (key, values) in axes {
        let mut next = Vec::with_capacity(points.len() * values.len());
        for point in &points {
            for v in values {
                let mut p = point.clone();
                p.push((key.clone(), v.clone()));
                next.push(p);
            }
        }
        points = next;
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_as_toml_or_text() {
        assert_eq!(parse_value("true"), Value::Boolean(true));
        assert_eq!(parse_value("3"), Value::Integer(3));
        assert_eq!(parse_value("1ms"), Value::String("1ms".into()));
        assert_eq!(parse_value("[2, 10]").as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn sweep_expansion_order_is_pinned() {
        let axes = vec![
            (
                "sender.gap".to_string(),
                vec![parse_value("0"), parse_value("1ms")],
            ),
            (
                "sender.nodelay".to_string(),
                vec![Value::Boolean(false), Value::Boolean(true)],
            ),
        ];
        let shown: Vec<String> = expand(&axes)
            .iter()
            .map(|p| {
                p.iter()
                    .map(|(k, v)| format!("{k}={}", display_value(v)))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(
            shown,
            [
                "sender.gap=0 sender.nodelay=false",
                "sender.gap=0 sender.nodelay=true",
                "sender.gap=1ms sender.nodelay=false",
                "sender.gap=1ms sender.nodelay=true"
            ]
        );
        assert_eq!(expand(&[]), vec![Vec::new()]);
    }

    #[test]
    fn set_path_creates_tables_and_refuses_values() {
        let mut t = Table::new();
        set_path(&mut t, "sender.nodelay", Value::Boolean(true)).unwrap();
        assert_eq!(t["sender"]["nodelay"], Value::Boolean(true));
        assert!(set_path(&mut t, "sender.nodelay.x", Value::Integer(1)).is_err());
    }

    #[test]
    fn count_replaces_explicit_messages_and_back() {
        let mut t: Table = "[sender]\nmessages = [\"a\"]\n".parse().unwrap();
        set_path(&mut t, "sender.count", Value::Integer(5)).unwrap();
        assert!(t["sender"].get("messages").is_none());
        set_path(&mut t, "sender.messages", parse_value("[\"x\"]")).unwrap();
        assert!(t["sender"].get("count").is_none());
    }
}
