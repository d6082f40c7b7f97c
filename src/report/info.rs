//! The few facts of `experiment.toml` that charts print in their titles. The
//! file is read as a plain TOML table so that charts keep working when the
//! experiment schema grows.

use super::open::{read_text, SMALL_CAP};
use super::rows::ExperimentInfo;
use crate::error::LoadError;
use std::path::Path;
use toml::{Table, Value};

/// Reads `experiment.toml` (through [`super::open`], at most 1 MiB)
/// leniently: absent keys become defaults.
pub fn read(path: &Path) -> Result<ExperimentInfo, LoadError> {
    let text = read_text(path, SMALL_CAP)?;
    let table: Table = text.parse().map_err(|source| LoadError::Toml {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(ExperimentInfo {
        toml: text,
        ..from_table(&table)
    })
}

fn string(table: &Table, key: &str) -> String {
    match table.get(key) {
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    }
}

/// Short text for a scalar or a short array; `None` for anything longer.
fn knob_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s.chars().count() <= 24 => {
            Some(crate::units::escape_bytes(s.as_bytes()))
        }
        Value::Integer(_) | Value::Float(_) | Value::Boolean(_) => Some(v.to_string()),
        Value::Array(a) if a.len() <= 4 => {
            let items: Option<Vec<String>> = a.iter().map(knob_text).collect();
            Some(format!("[{}]", items?.join(", ")))
        }
        _ => None,
    }
}

fn from_table(table: &Table) -> ExperimentInfo {
    let section = |name: &str| match table.get(name) {
        Some(Value::Table(t)) => t.clone(),
        _ => Table::new(),
    };
    let transport = section("transport");
    let mut knobs = Vec::new();
    for name in ["sender", "receiver"] {
        for (k, v) in section(name).iter() {
            if let Some(text) = knob_text(v) {
                knobs.push((format!("{name}.{k}"), text));
            }
        }
    }
    let variants = match table.get(crate::experiment::VARIANT_AXIS) {
        Some(Value::Array(list)) => list.iter().filter_map(variant).collect(),
        _ => Vec::new(),
    };
    let or = |s: String, d: &str| if s.is_empty() { d.to_string() } else { s };
    ExperimentInfo {
        name: string(table, "name"),
        title: string(table, "title"),
        about: string(table, "about"),
        kind: or(string(&transport, "kind"), "tcp"),
        framing: or(string(&transport, "framing"), "none"),
        knobs,
        variants,
        chart_metric: table
            .get("chart_metric")
            .and_then(Value::as_str)
            .map(String::from),
        toml: String::new(),
    }
}

/// One `[[variant]]` table: its name and its keys (short values only).
fn variant(v: &Value) -> Option<(String, Vec<(String, String)>)> {
    let t = v.as_table()?;
    let name = t.get("name")?.as_str()?.to_string();
    let keys = crate::experiment::flatten_keys(t)
        .into_iter()
        .filter(|(k, _)| k != "name")
        .filter_map(|(k, v)| Some((k, knob_text(&v)?)))
        .collect();
    Some((name, keys))
}
