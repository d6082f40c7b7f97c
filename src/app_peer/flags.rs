//! A peer command's flags as experiment keys and checked values, and the
//! plan's names and address set afterwards.

use crate::error::{Error, Result};
use crate::experiment::Plan;
use crate::units::{parse_duration, parse_size};

/// A TOML string.
pub(super) fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A command's flags that stand for experiment keys: (the flag as typed, `key=value`).
pub(super) type Flags = Vec<(String, String)>;

/// `flag VALUE` as `key = "VALUE"`.
pub(super) fn push_str(flags: &mut Flags, flag: &str, key: &str, v: &Option<String>) {
    if let Some(v) = v {
        flags.push((format!("{flag} {v}"), format!("{key}={}", quote(v))));
    }
}

/// A size: a whole number as such, `4KiB` as a string.
pub(super) fn size_value(v: &str) -> String {
    match v.trim().parse::<u64>() {
        Ok(n) => n.to_string(),
        Err(_) => quote(v.trim()),
    }
}

pub(super) fn push_size(flags: &mut Flags, flag: &str, key: &str, v: &Option<String>) {
    if let Some(v) = v {
        flags.push((format!("{flag} {v}"), format!("{key}={}", size_value(v))));
    }
}

/// `2,1024` as a TOML list of sizes.
pub(super) fn push_list(flags: &mut Flags, flag: &str, key: &str, v: &Option<String>) {
    if let Some(v) = v {
        let items: Vec<String> = v.split(',').map(size_value).collect();
        flags.push((
            format!("{flag} {v}"),
            format!("{key}=[{}]", items.join(",")),
        ));
    }
}

pub(super) fn duration(flag: &str, v: &Option<String>) -> Result<Option<std::time::Duration>> {
    v.as_deref()
        .map(|text| {
            let d = parse_duration(text).map_err(|e| flag_error(flag, text, &e.to_string()))?;
            if d.is_zero() || d > crate::experiment::MAX_DEADLINE {
                return Err(flag_error(
                    flag,
                    text,
                    "must be more than 0 and at most 600s",
                ));
            }
            Ok(d)
        })
        .transpose()
}

/// `--keep-bytes`: at most 1 GiB.
pub(super) fn keep_bytes(text: &str) -> Result<u64> {
    let n = parse_size(text).map_err(|e| flag_error("--keep-bytes", text, &e.to_string()))?;
    match n <= crate::report::recorded::BYTES_CAP {
        true => Ok(n),
        false => Err(flag_error(
            "--keep-bytes",
            text,
            "is over the limit of 1 GiB",
        )),
    }
}

pub(super) fn flag_error(flag: &str, value: &str, msg: &str) -> Error {
    Error::Config {
        origin: format!("{flag} {value}"),
        msg: msg.to_string(),
    }
}

/// Names the plan and its one experiment anew, with no `about`.
pub(super) fn rename(plan: &mut Plan, name: &str, title: &str) {
    plan.name = name.to_string();
    let exp = &mut plan.scenarios[0].experiment;
    exp.name = name.to_string();
    exp.title = title.to_string();
    exp.about = String::new();
    if let Ok(mut t) = plan.config.parse::<toml::Table>() {
        t.insert("name".into(), toml::Value::String(name.into()));
        t.insert("title".into(), toml::Value::String(title.into()));
        t.remove("about");
        if let Ok(text) = toml::to_string(&t) {
            plan.config = text;
        }
    }
}

/// The merged configuration with `trials = n`.
pub(super) fn with_trials(config: &str, n: u32) -> String {
    match config.parse::<toml::Table>() {
        Ok(mut t) => {
            t.insert("trials".into(), toml::Value::Integer(n.into()));
            toml::to_string(&t).unwrap_or_else(|_| config.to_string())
        }
        Err(_) => config.to_string(),
    }
}
