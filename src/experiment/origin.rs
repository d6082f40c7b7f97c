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
        msg: format!("{key}: {msg}"),
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
            format!("{label}:{line}:{col}")
        }
        None => label.to_string(),
    };
    Error::Config {
        origin,
        msg: msg.trim().to_string(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lines_of_keys() {
        let text = "name = \"x\"\n[receiver]\nrecv_sizes = [0]\n";
        assert_eq!(find_key_line(text, "receiver.recv_sizes"), Some(3));
        assert_eq!(find_key_line(text, "name"), Some(1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }
}
