//! The steps of [`super::plan`] after the file is parsed: `--set` layered
//! onto the table, the merged base checked, one validated experiment per
//! sweep point, and the merged configuration written back as TOML.

use super::origin::{flag_err, locate, sweep_err};
use super::variant::{self, Variant};
use super::{
    check_tree, display_value, expand, overrides, parse_value, split_assignment, validate,
    FileExperiment, Scenario, Source, VARIANT_AXIS,
};
use crate::error::{Error, Result};
use toml::{Table, Value};

/// Applies each of a command's own `flags` (the flag as typed, and the
/// `key=value` it stands for), then each `--set key=value`, to `table`;
/// returns the keys set, each with the flag that set it, for errors.
pub(super) fn apply_sets(
    table: &mut Table,
    sets: &[String],
    flags: &[(String, String)],
) -> Result<Vec<(String, String)>> {
    let sets = sets.iter().map(|a| (format!("--set {a}"), a.clone()));
    let all: Vec<(String, String)> = flags.iter().cloned().chain(sets).collect();
    let mut set_keys = Vec::new();
    for (origin, arg) in all {
        let fail = |msg: &str| Error::Config {
            origin: origin.clone(),
            msg: msg.to_string(),
        };
        let (key, value) = split_assignment(&arg)
            .ok_or_else(|| fail("write it as key=value, like sender.nodelay=true"))?;
        if let Some(why) = variant::set_refusal(&key) {
            return Err(fail(why));
        }
        overrides::set_path(table, &key, parse_value(&value)).map_err(|m| fail(&m.to_string()))?;
        check_tree(table).map_err(|m| {
            let hint = overrides::toml_hint(&key, &value, &m.to_string());
            fail(&format!("key `{key}`: {m}{hint}"))
        })?;
        set_keys.push((key, origin));
    }
    Ok(set_keys)
}

/// Checks the merged table before sweeping: the base experiment validates,
/// or, with variants, each variant applies to it.
pub(super) fn check_base(
    table: &Table,
    variants: &[Variant],
    source: &Source,
    set_keys: &[(String, String)],
) -> Result<()> {
    if variants.is_empty() {
        let base: FileExperiment = Value::Table(table.clone())
            .try_into()
            .map_err(|e: toml::de::Error| flag_err("--set", "", e.message()))?;
        validate::validate(&base, &source.stem).map_err(|inv| Error::Config {
            origin: locate(source, set_keys, &inv.key),
            msg: inv.msg,
        })?;
    } else {
        for v in variants {
            v.check(table, source, set_keys)?;
        }
    }
    Ok(())
}

/// One validated scenario per point of the sweep, in order.
pub(super) fn scenarios(
    table: &Table,
    axes: &[(String, Vec<Value>)],
    variants: &[Variant],
    source: &Source,
) -> Result<Vec<Scenario>> {
    let mut scenarios = Vec::new();
    for (index, point) in expand(axes).into_iter().enumerate() {
        scenarios.push(scenario(table, index, &point, variants, source)?);
    }
    Ok(scenarios)
}

/// The scenario at sweep `point`: the table with the point's values set, validated.
fn scenario(
    table: &Table,
    index: usize,
    point: &[(String, Value)],
    variants: &[Variant],
    source: &Source,
) -> Result<Scenario> {
    let mut t = table.clone();
    t.remove("sweep");
    for (k, v) in point {
        match variant::named(variants, v).filter(|_| k == VARIANT_AXIS) {
            Some(var) => var.apply(&mut t, source)?,
            None => overrides::set_path(&mut t, k, v.clone())
                .map_err(|m| sweep_err(k, v, &m.to_string()))?,
        }
    }
    let f: FileExperiment = Value::Table(t)
        .try_into()
        .map_err(|e: toml::de::Error| sweep_err(&point[0].0, &point[0].1, e.message()))?;
    let experiment = validate::validate(&f, &source.stem)
        .map_err(|inv| super::origin::point_err(point, &inv.key, &inv.msg))?;
    let params: Vec<(String, String)> = point
        .iter()
        .map(|(k, v)| (k.clone(), display_value(v)))
        .collect();
    let mut experiment = experiment;
    experiment.expect = experiment.expect.resolved(&params);
    Ok(Scenario {
        index,
        params,
        experiment,
    })
}

/// The configuration that runs, as TOML: the merged table with the picked
/// variants and the sweep (the file's and the flags') written back in.
pub(super) fn config(
    mut table: Table,
    axes: &[(String, Vec<Value>)],
    variants: &[Variant],
    source: &Source,
) -> Result<String> {
    if !variants.is_empty() {
        table.insert(VARIANT_AXIS.into(), variant::to_value(variants));
        variant::drop_unpicked_when(&mut table, variants);
    }
    if axes.iter().any(|(k, _)| k != VARIANT_AXIS) {
        let mut sweep = Table::new();
        for (k, vs) in axes.iter().filter(|(k, _)| k != VARIANT_AXIS) {
            sweep.insert(k.clone(), Value::Array(vs.clone()));
        }
        table.insert("sweep".into(), Value::Table(sweep));
    }
    toml::to_string(&table).map_err(|e| Error::Config {
        origin: source.label.clone(),
        msg: e.to_string(),
    })
}
