//! `[[variant]]`: named configurations compared in one run. Each variant is a
//! name plus dotted-key overrides, applied like `--set` (after the command
//! line's `--set`, before the other sweep axes' values). Together they form
//! the sweep axis `variant`, always the first (outermost), in file order:
//!
//! ```toml
//! [[variant]]
//! name = "raw TCP"
//!
//! [[variant]]
//! name = "fixed:64"
//! "transport.framing" = "fixed:64"
//! "sender.size" = 64
//! ```
//!
//! An array keeps the user's order (TOML tables are sorted by key). A sweep
//! of `transport.kind` × `transport.framing` cannot do this: UDP with framing
//! is invalid, and `fixed:N` needs `sender.size = N` as well.

use super::file::FileExperiment;
use super::origin::{locate, variant_origin};
use super::overrides::{set_path, split_assignment};
use super::{check_tree, validate, Source};
use crate::error::{Error, Result};
use toml::{Table, Value};

/// The sweep axis (and summary.csv column) the variants form.
pub const AXIS: &str = "variant";

/// Top-level keys a variant may not set: they describe the whole run.
const RUN_WIDE: &[&str] = &[
    "name",
    "title",
    "about",
    "trials",
    "chart_metric",
    "sweep",
    "expect",
    "variant",
];

/// One `[[variant]]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// Its label: the `variant` column's value.
    pub name: String,
    /// Dotted keys and values, applied in this order.
    pub sets: Vec<(String, Value)>,
    /// Position in the file, for error messages.
    index: usize,
    /// The table as written, for `experiment.toml`.
    raw: Table,
}

/// The dotted keys of a table: `transport.kind = "udp"` (a nested table) and
/// `"transport.kind" = "udp"` (a quoted key) both give `transport.kind`.
pub fn flatten(table: &Table) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (k, v) in table {
        match v {
            Value::Table(t) => out.extend(
                flatten(t)
                    .into_iter()
                    .map(|(sub, v)| (format!("{k}.{sub}"), v)),
            ),
            other => out.push((k.clone(), other.clone())),
        }
    }
    out
}

/// Takes `[[variant]]` out of the merged table and checks names and keys.
pub(super) fn take(table: &mut Table, source: &Source) -> Result<Vec<Variant>> {
    if let Some(Value::Table(s)) = table.get("sweep") {
        if s.contains_key(AXIS) {
            return Err(Error::Config {
                origin: format!("{}: [sweep] {AXIS}", source.label),
                msg: "the variant axis comes from [[variant]] tables; pick some of them with --sweep variant=NAME,NAME".into(),
            });
        }
    }
    let Some(value) = table.remove(AXIS) else {
        return Ok(Vec::new());
    };
    let err = |index: usize, name: &str, key: Option<&str>, msg: String| Error::Config {
        origin: variant_origin(source, index, name, key),
        msg,
    };
    let list = value
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| Error::Config {
            origin: format!("{}: key `{AXIS}`", source.label),
            msg: "must be one or more [[variant]] tables, each with a `name`".into(),
        })?;
    let mut out: Vec<Variant> = Vec::with_capacity(list.len());
    for (index, item) in list.iter().enumerate() {
        let raw = item
            .as_table()
            .cloned()
            .ok_or_else(|| err(index, "", None, "must be a table with a `name`".into()))?;
        let name = label(&raw).map_err(|m| err(index, "", None, m.to_string()))?;
        if out.iter().any(|v| v.name == name) {
            let msg = "another [[variant]] has this name; names must be unique".into();
            return Err(err(index, &name, Some("name"), msg));
        }
        let sets: Vec<(String, Value)> = flatten(&raw)
            .into_iter()
            .filter(|(k, _)| k != "name")
            .collect();
        for (key, _) in &sets {
            let top = key.split('.').next().unwrap_or(key);
            if RUN_WIDE.contains(&top) {
                let msg = format!("`{top}` belongs to the whole run, not one variant; a variant may set [transport], [sender], [receiver] keys and `deadline`");
                return Err(err(index, &name, Some(key), msg));
            }
        }
        out.push(Variant {
            name,
            sets,
            index,
            raw,
        });
    }
    Ok(out)
}

/// A variant's `name`: a non-empty string that `--sweep variant=` can pick.
fn label(raw: &Table) -> std::result::Result<String, LabelError> {
    let name = match raw.get("name") {
        None => return Err(LabelError::Missing),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(LabelError::NotAString),
    };
    if name.trim().is_empty() {
        return Err(LabelError::Empty);
    }
    if name.chars().any(char::is_control) || name.chars().count() > 64 {
        return Err(LabelError::NotOneLine(name));
    }
    if name.trim() != name || name.contains(',') {
        return Err(LabelError::Untrimmed(name));
    }
    Ok(name)
}

/// Why a `[[variant]]`'s `name` is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum LabelError {
    #[error("has no `name`; give each variant one, like name = \"UDP\"")]
    Missing,
    #[error("`name` must be a string, like name = \"UDP\"")]
    NotAString,
    #[error("`name` is empty; give the variant a name, like name = \"UDP\"")]
    Empty,
    #[error("`name` {} must be one line of at most 64 characters, with no control characters", crate::units::shown(.0))]
    NotOneLine(String),
    #[error("`name` {0:?} cannot start or end with spaces or hold a comma (--sweep variant=A,B lists names)")]
    Untrimmed(String),
}

/// Every `[expect.when."variant=NAME"]` names a variant of the file (picked
/// or not, so one file serves every `--sweep variant=` subset).
pub(super) fn check_when(conds: &[String], names: &[String]) -> Result<()> {
    for cond in conds {
        let Some((key, value)) = cond.split_once('=') else {
            continue;
        };
        if key.trim() == AXIS && !names.iter().any(|n| n == value.trim()) {
            return Err(Error::Config {
                origin: format!("[expect.when.\"{cond}\"]"),
                msg: format!(
                    "no [[variant]] is named {:?}, so this condition never applies; names: {}",
                    value.trim(),
                    names.join(", ")
                ),
            });
        }
    }
    Ok(())
}

/// Drops `[expect.when."variant=NAME"]` of the variants that did not run, so
/// the written experiment.toml (which keeps only the variants that ran)
/// loads again for `show` and a rerun.
pub(super) fn drop_unpicked_when(table: &mut Table, picked: &[Variant]) {
    let when = table
        .get_mut("expect")
        .and_then(|e| e.get_mut("when"))
        .and_then(Value::as_table_mut);
    if let Some(when) = when {
        when.retain(|cond, _| match cond.split_once('=') {
            Some((key, name)) if key.trim() == AXIS => picked.iter().any(|v| v.name == name.trim()),
            _ => true,
        });
    }
}

/// Whether a `--sweep` argument picks variants (`variant=A,B`).
pub(super) fn is_pick(arg: &str) -> bool {
    split_assignment(arg).is_some_and(|(k, _)| k == AXIS)
}

/// Why `--set KEY=…` may not touch `[[variant]]`, if it tries.
pub(super) fn set_refusal(key: &str) -> Option<&'static str> {
    match key.split('.').next() {
        Some(AXIS) => Some("--set cannot change [[variant]] tables; edit the file, or pick variants with --sweep variant=A,B"),
        Some("sweep") => Some("--set cannot change [sweep]; sweep a key with --sweep key=v1,v2"),
        _ => None,
    }
}

/// Why a sweep may not vary `key`, if it may not: like a variant, a sweep
/// point sets [transport], [sender], [receiver] keys and `deadline`.
pub(super) fn sweep_refusal(key: &str) -> Option<String> {
    let top = key.split('.').next().unwrap_or(key);
    (RUN_WIDE.contains(&top) || key.is_empty()).then(|| {
        format!("{} belongs to the whole run and cannot be swept; a sweep varies [transport], [sender], [receiver] keys and `deadline`", crate::units::shown(key))
    })
}

/// Keeps the variants `--sweep variant=A,B` names, in that order.
pub(super) fn pick(all: Vec<Variant>, arg: Option<&str>) -> Result<Vec<Variant>> {
    let Some(arg) = arg else { return Ok(all) };
    let flag = |msg: String| Error::Config {
        origin: format!("--sweep {arg}"),
        msg,
    };
    if all.is_empty() {
        return Err(flag(
            "this experiment has no [[variant]] tables to pick from".into(),
        ));
    }
    let allowed = all
        .iter()
        .map(|v| v.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let list = split_assignment(arg).map(|(_, v)| v).unwrap_or_default();
    let mut out: Vec<Variant> = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let v = all.iter().find(|v| v.name == name).ok_or_else(|| {
            flag(format!(
                "no [[variant]] is named {name:?}; allowed: {allowed}"
            ))
        })?;
        if out.contains(v) {
            return Err(flag(format!("{name:?} is named twice")));
        }
        out.push(v.clone());
    }
    if out.is_empty() {
        return Err(flag(format!(
            "give at least one name after =; allowed: {allowed}"
        )));
    }
    Ok(out)
}

impl Variant {
    /// Sets this variant's keys in `table`, checking each key's name and type.
    pub(super) fn apply(&self, table: &mut Table, source: &Source) -> Result<()> {
        for (key, value) in &self.sets {
            let err = |msg: String| Error::Config {
                origin: variant_origin(source, self.index, &self.name, Some(key)),
                msg,
            };
            set_path(table, key, value.clone()).map_err(|e| err(e.to_string()))?;
            check_tree(table).map_err(|e| err(e.to_string()))?;
        }
        Ok(())
    }

    /// Applies this variant to `table` and validates the result. A bad key
    /// the variant set names the variant; any other names its own origin.
    pub(super) fn check(
        &self,
        table: &Table,
        source: &Source,
        set_keys: &[(String, String)],
    ) -> Result<()> {
        let mut t = table.clone();
        self.apply(&mut t, source)?;
        let f: FileExperiment =
            Value::Table(t)
                .try_into()
                .map_err(|e: toml::de::Error| Error::Config {
                    origin: variant_origin(source, self.index, &self.name, None),
                    msg: e.message().to_string(),
                })?;
        validate::validate(&f, &source.stem).map_err(|inv| {
            let own = self.sets.iter().any(|(k, _)| *k == inv.key);
            let origin = match own {
                true => variant_origin(source, self.index, &self.name, Some(&inv.key)),
                false => format!(
                    "{} (with [[variant]] {:?})",
                    locate(source, set_keys, &inv.key),
                    self.name
                ),
            };
            Error::Config {
                origin,
                msg: inv.msg,
            }
        })?;
        Ok(())
    }
}

/// The variant named `name` (a sweep point's value).
pub(super) fn named<'a>(all: &'a [Variant], name: &Value) -> Option<&'a Variant> {
    all.iter().find(|v| name.as_str() == Some(v.name.as_str()))
}

/// The `variant` sweep axis: the names in order.
pub(super) fn axis(all: &[Variant]) -> (String, Vec<Value>) {
    let names = all.iter().map(|v| Value::String(v.name.clone()));
    (AXIS.to_string(), names.collect())
}

/// The variants as written, for `experiment.toml`.
pub(super) fn to_value(all: &[Variant]) -> Value {
    Value::Array(all.iter().map(|v| Value::Table(v.raw.clone())).collect())
}
