//! Where a bad value came from, in words: a file's line and column, a
//! `--set` or `--sweep` flag, or a sweep point. Every experiment error names
//! one of these before saying what is wrong.

use super::overrides::display_value;
use super::Source;
use crate::error::Error;
use toml::Value;

pub(super) fn flag_err(flag: &str, arg: &str, msg: &str) -> Error {
    Error::Config {
        origin: format!("{flag} {arg}").trim_end().to_string(),
        msg: msg.to_string(),
    }
}

pub(super) fn sweep_err(key: &str, value: &Value, msg: &str) -> Error {
    Error::Config {
        origin: format!("sweep {key} = {}", display_value(value)),
        msg: msg.to_string(),
    }
}

/// A sweep point that fails validation at `key`: names the swept value of
/// `key` when it was swept, else the whole point (with its variant).
pub(super) fn point_err(point: &[(String, Value)], key: &str, msg: &str) -> Error {
    let rest: Vec<&(String, Value)> = point
        .iter()
        .filter(|(k, _)| k != super::VARIANT_AXIS)
        .collect();
    let variant = point
        .iter()
        .find(|(k, _)| k == super::VARIANT_AXIS)
        .map(|(_, v)| format!(" (with [[variant]] {:?})", display_value(v)))
        .unwrap_or_default();
    match rest.iter().find(|(k, _)| k == key) {
        Some((k, v)) => {
            let mut e = sweep_err(k, v, msg);
            if let Error::Config { origin, .. } = &mut e {
                origin.push_str(&variant);
            }
            e
        }
        None => {
            let shown: Vec<String> = rest
                .iter()
                .map(|(k, v)| format!("{k}={}", display_value(v)))
                .collect();
            Error::Config {
                origin: format!("sweep {}{variant}", shown.join(" ")),
                msg: format!("{key}: {msg}"),
            }
        }
    }
}

pub(super) fn config_err(
    label: &str,
    text: &str,
    span: Option<std::ops::Range<usize>>,
    msg: &str,
) -> Error {
    let origin = match span {
        Some(r) => {
            let (line, col) = line_col(text, r.start);
            match key_at(text, r.start) {
                Some(key) => format!("{label}:{line}:{col}: key `{key}`"),
                None => format!("{label}:{line}:{col}"),
            }
        }
        None => label.to_string(),
    };
    Error::Config {
        origin,
        msg: msg.trim().to_string(),
    }
}

/// The dotted key written on the line that holds byte `at` of a flat TOML
/// file (`[sender]` then `nodelay = "yes"` gives `sender.nodelay`), when
/// that line is a `key = value` line.
fn key_at(text: &str, at: usize) -> Option<String> {
    let before = text.get(..at.min(text.len()))?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    if key.is_empty() || key.starts_with('[') || key.starts_with('#') {
        return None;
    }
    let table = before[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|h| h.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_string(),
    })
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Says where `key` came from: a `--set`, or its line in the file.
pub(super) fn locate(source: &Source, sets: &[(String, String)], key: &str) -> String {
    if let Some((_, arg)) = sets
        .iter()
        .rev()
        .find(|(k, _)| k == key || key.starts_with(&format!("{k}.")))
    {
        return format!("--set {arg}: key `{key}`");
    }
    match find_key_line(&source.text, key) {
        Some(line) => format!("{}:{line}:1: key `{key}`", source.label),
        None => format!("{}: key `{key}`", source.label),
    }
}

/// The line where a dotted key is written in a flat TOML file.
pub(super) fn find_key_line(text: &str, key: &str) -> Option<usize> {
    let (table, leaf) = key.rsplit_once('.').unwrap_or(("", key));
    let mut current = String::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(h) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = h.trim().to_string();
            continue;
        }
        let Some((k, _)) = line.split_once('=') else {
            continue;
        };
        let k = k.trim().trim_matches('"');
        if (current == table && k == leaf) || (current.is_empty() && k == key) {
            return Some(i + 1);
        }
    }
    None
}

/// `file:line:1: [[variant]] "UDP": key `transport.kind``, as far as known.
pub(super) fn variant_origin(
    source: &Source,
    index: usize,
    name: &str,
    key: Option<&str>,
) -> String {
    let line = key_line(&source.text, index, key);
    let mut out = match line {
        Some(l) => format!("{}:{l}:1: [[variant]]", source.label),
        None => format!("{}: [[variant]]", source.label),
    };
    match name.is_empty() {
        true => out += &format!(" #{}", index + 1),
        false => out += &format!(" {name:?}"),
    }
    if let Some(k) = key {
        out += &format!(": key `{k}`");
    }
    out
}

/// The line of `key` in the `index`-th `[[variant]]` table (or one of its
/// `[variant.section]` sub-tables), else the line of its header.
fn key_line(text: &str, index: usize, key: Option<&str>) -> Option<usize> {
    let bare = |k: &str| {
        let parts: Vec<&str> = k.split('.').map(|p| p.trim().trim_matches('"')).collect();
        parts.join(".")
    };
    let (mut seen, mut header, mut prefix) = (0, None, String::new());
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or(raw).trim();
        if line.starts_with('[') {
            let head = line.replace(' ', "");
            if let Some(sub) = head
                .strip_prefix("[variant.")
                .and_then(|h| h.strip_suffix(']'))
            {
                prefix = format!("{}.", bare(sub));
                continue;
            }
            if header.is_some() {
                break;
            }
            if head == "[[variant]]" {
                header = (seen == index).then_some(i + 1);
                seen += 1;
            }
            prefix.clear();
            continue;
        }
        let (Some(_), Some(key)) = (header, key) else {
            continue;
        };
        let written = line
            .split_once('=')
            .map(|(k, _)| format!("{prefix}{}", bare(k)));
        if written.as_deref() == Some(key) {
            return Some(i + 1);
        }
    }
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lines_of_keys() {
        let text = "name = \"x\"\n[receiver]\nrecv_sizes = [0]\n";
        assert_eq!(find_key_line(text, "receiver.recv_sizes"), Some(3));
        assert_eq!(find_key_line(text, "name"), Some(1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        let text = "trials = 1\n[sender]\nnodelay = \"yes\"\n";
        assert_eq!(
            key_at(text, text.find("\"yes").unwrap()).as_deref(),
            Some("sender.nodelay")
        );
        assert_eq!(key_at(text, 3).as_deref(), Some("trials"));
    }

    #[test]
    fn finds_lines_of_variant_keys() {
        let text = "[sender]\ncount = 3\n[[variant]]\nname = \"a\"\n[[variant]] # b\nname = \"b\"\n\"sender.count\" = 0\n[variant.transport]\nkind = \"x\"\n[receiver]\n";
        assert_eq!(key_line(text, 1, Some("sender.count")), Some(7));
        assert_eq!(key_line(text, 1, Some("transport.kind")), Some(9));
        assert_eq!(key_line(text, 1, None), Some(5));
        assert_eq!(key_line(text, 0, Some("sender.count")), Some(3));
        assert_eq!(key_line(text, 2, None), None);
    }
}
