//! Where a bad value came from, in words: a file's line and column, a
//! `--set` or `--sweep` flag, or a sweep point. Every experiment error names
//! one of these before saying what is wrong.

use super::overrides::display_value;
use super::spans::{key_at, key_start, line_col, variant_key_start};
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

/// Says where `key` came from: a `--set`, or where it is written in the file.
pub(super) fn locate(source: &Source, sets: &[(String, String)], key: &str) -> String {
    if let Some((_, arg)) = sets
        .iter()
        .rev()
        .find(|(k, _)| k == key || key.starts_with(&format!("{k}.")))
    {
        return format!("{arg}: key `{key}`");
    }
    match key_start(&source.text, key).map(|at| line_col(&source.text, at)) {
        Some((line, col)) => format!("{}:{line}:{col}: key `{key}`", source.label),
        None => format!("{}: key `{key}`", source.label),
    }
}

/// `file:line:col: [[variant]] "UDP": key `transport.kind``, as far as known.
pub(super) fn variant_origin(
    source: &Source,
    index: usize,
    name: &str,
    key: Option<&str>,
) -> String {
    let text = &source.text;
    let mut out = match variant_key_start(text, index, key).map(|at| line_col(text, at)) {
        Some((line, col)) => format!("{}:{line}:{col}: [[variant]]", source.label),
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
