//! `[expect]`: what a correct run shows. Bounds on summary figures
//! (`intact = "== 1"`), the first trial's recv payloads, `[[expect.compare]]`
//! directions of effect and `[expect.when."key=value"]` per-scenario bounds,
//! parsed and checked here so a typo is an error at load, not a silent pass.

use super::invalid::{bad, Invalid};
use super::model::Flow;
use super::model::SUMMARY_COLUMNS;
use super::model::*;
use std::sync::LazyLock;

type V<T> = Result<T, Invalid>;

/// Figures `[expect]` may bound beyond the summary.csv columns: derived
/// (`intact_fraction`) or kept elsewhere (sends, meta.json).
const BEYOND_SUMMARY: &[&str] = &[
    "intact_fraction",
    "short_writes",
    "would_block",
    "utf8_cuts",
    "discarded",
    "drops",
    "decode_errors",
];

/// Figures that `[expect]` may bound: every summary.csv figure but the
/// trial's wall time (not reproducible), then [`BEYOND_SUMMARY`].
pub static FIGURES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    SUMMARY_COLUMNS
        .iter()
        .filter(|c| **c != "duration_ns")
        .chain(BEYOND_SUMMARY)
        .copied()
        .collect()
});

pub(super) fn expect(table: Option<&toml::Table>) -> V<Expect> {
    let mut out = Expect::default();
    let Some(table) = table else { return Ok(out) };
    for (key, value) in table {
        let path = format!("expect.{key}");
        match key.as_str() {
            "flow" => {
                out.flow = Some(match value.as_str() {
                    Some("c2s") => Flow::C2s,
                    Some("s2c") => Flow::S2c,
                    _ => return Err(bad(&path, "allowed: \"c2s\", \"s2c\"")),
                })
            }
            "recvs" => {
                let list = value.as_array().and_then(|a| {
                    a.iter()
                        .map(|v| v.as_str().map(String::from))
                        .collect::<Option<Vec<_>>>()
                });
                out.recvs = Some(list.ok_or_else(|| {
                    bad(
                        &path,
                        "must be a list of strings, the recv payloads in order",
                    )
                })?);
            }
            "compare" => out.compares = compares(value).map_err(|m| bad(&path, m))?,
            "when" => out.when = when_tables(value)?,
            figure if FIGURES.contains(&figure) => {
                let text = value
                    .as_str()
                    .ok_or_else(|| bad(&path, "must be a string like \">= 0.9\" or \"== 2\""))?;
                let (op, value) = parse_bound(text).map_err(|m| bad(&path, m))?;
                out.bounds.push(Bound {
                    figure: figure.to_string(),
                    op,
                    value,
                });
            }
            _ => {
                return Err(bad(
                    &path,
                    format!(
                        "unknown expectation; allowed: flow, recvs (a list of payloads, or a bound), compare, when, and bounds on {}",
                        FIGURES.iter().filter(|f| **f != "recvs").copied().collect::<Vec<_>>().join(", ")
                    ),
                ))
            }
        }
    }
    Ok(out)
}

/// Parses `">= 0.9"`, `"== 2"`, `"< 3"`.
pub fn parse_bound(text: &str) -> Result<(Op, f64), BoundError> {
    let t = text.trim();
    let (op, rest) = [
        (">=", Op::Ge),
        ("<=", Op::Le),
        ("==", Op::Eq),
        (">", Op::Gt),
        ("<", Op::Lt),
    ]
    .iter()
    .find_map(|(s, op)| t.strip_prefix(s).map(|rest| (*op, rest)))
    .ok_or_else(|| BoundError::NoComparison(t.into()))?;
    let value = rest
        .trim()
        .parse::<f64>()
        .map_err(|_| BoundError::NotANumber {
            bound: t.into(),
            number: rest.trim().into(),
        })?;
    Ok((op, value))
}

/// Why a bound like `">= 0.9"` is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoundError {
    /// No `>=`, `>`, `<=`, `<` or `==` first.
    #[error("`{0}` needs a comparison first: >=, >, <=, <, ==")]
    NoComparison(String),
    /// The number after the comparison does not parse.
    #[error("`{bound}`: `{number}` is not a number")]
    NotANumber { bound: String, number: String },
}

/// Why `[[expect.compare]]` is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum CompareError {
    #[error("a list of tables like {{ figure = \"segments\", less = {{ \"sender.nodelay\" = false }}, than = {{ \"sender.nodelay\" = true }} }}")]
    Shape,
    #[error("unknown key `{0}`; allowed: figure, less, than, times")]
    UnknownKey(String),
    #[error("`times` must be a number of at least 1, like 50")]
    Times,
    #[error("`{0}` is not a figure; allowed: {}", FIGURES.join(", "))]
    UnknownFigure(String),
}

/// Parses `[[expect.compare]]` tables: `figure`, `less = {key = value}`, `than = {key = value}`.
fn compares(value: &toml::Value) -> Result<Vec<Compare>, CompareError> {
    let list = value.as_array().ok_or(CompareError::Shape)?;
    list.iter()
        .map(|t| {
            let t = t.as_table().ok_or(CompareError::Shape)?;
            if let Some(k) = t
                .keys()
                .find(|k| !["figure", "less", "than", "times"].contains(&k.as_str()))
            {
                return Err(CompareError::UnknownKey(k.clone()));
            }
            let figure = t
                .get("figure")
                .and_then(|f| f.as_str())
                .ok_or(CompareError::Shape)?;
            if !FIGURES.contains(&figure) {
                return Err(CompareError::UnknownFigure(figure.into()));
            }
            let side = |k: &str| -> Result<Vec<(String, String)>, CompareError> {
                let table = t
                    .get(k)
                    .and_then(|v| v.as_table())
                    .ok_or(CompareError::Shape)?;
                Ok(table
                    .iter()
                    .map(|(k, v)| (k.clone(), super::overrides::display_value(v)))
                    .collect())
            };
            let times = match t.get("times") {
                None => 1.0,
                Some(v) => match v.as_float().or(v.as_integer().map(|i| i as f64)) {
                    Some(x) if x >= 1.0 && x.is_finite() => x,
                    _ => return Err(CompareError::Times),
                },
            };
            Ok(Compare {
                figure: figure.to_string(),
                times,
                less: side("less")?,
                than: side("than")?,
            })
        })
        .collect()
}

/// Parses `[expect.when]`: `"key=value"` → a table of bounds (and `recvs`).
fn when_tables(table: &toml::Value) -> Result<Vec<When>, Invalid> {
    let path = "expect.when";
    let t = table.as_table().ok_or_else(|| {
        bad(
            path,
            "must be tables like [expect.when.\"transport.framing=none\"]",
        )
    })?;
    let mut out = Vec::new();
    for (cond, sub) in t {
        let (key, value) = cond.split_once('=').ok_or_else(|| {
            bad(
                path,
                format!("`{cond}` is not a condition; write \"key=value\", like \"transport.framing=none\""),
            )
        })?;
        let sub = sub
            .as_table()
            .ok_or_else(|| bad(path, format!("`{cond}` must be a table of bounds")))?;
        if sub.contains_key("when") || sub.contains_key("flow") {
            return Err(bad(
                &format!("{path}.{cond}"),
                "may hold recvs and figure bounds only",
            ));
        }
        let e = expect(Some(sub))?;
        out.push(When {
            key: key.trim().to_string(),
            value: value.trim().to_string(),
            recvs: e.recvs,
            bounds: e.bounds,
        });
    }
    Ok(out)
}

/// The verdict of one trial against `[expect]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    /// True when every expectation held (or there were none).
    pub ok: bool,
    /// What did not hold, in words.
    pub failures: Vec<String>,
}

impl Outcome {
    /// An outcome from what did not hold.
    pub fn from_failures(failures: Vec<String>) -> Self {
        Outcome {
            ok: failures.is_empty(),
            failures,
        }
    }
}

impl Expect {
    /// Checks one trial's figures, and its `recvs` payloads: `recv_text(i)`
    /// is recv `i`'s, escaped (asked for only when `recvs` is expected, and
    /// only as many as it takes: a run of a million recvs is never held as
    /// a million strings).
    pub fn check(
        &self,
        figures: &std::collections::BTreeMap<&'static str, f64>,
        recvs: usize,
        mut recv_text: impl FnMut(usize) -> String,
    ) -> Outcome {
        let mut failures = Vec::new();
        if let Some(want) = &self.recvs {
            let same = recvs == want.len() && (0..recvs).all(|i| recv_text(i) == want[i]);
            if !same {
                let got: Vec<String> = (0..recvs.min(SHOWN)).map(recv_text).collect();
                failures.push(format!(
                    "recvs: expected {}, got {}",
                    short_list(want, want.len()),
                    short_list(&got, recvs)
                ));
            }
        }
        for b in &self.bounds {
            let v = figures.get(b.figure.as_str()).copied().unwrap_or(f64::NAN);
            if !b.op.holds(v, b.value) {
                failures.push(format!(
                    "{}: expected {} {}, got {}",
                    b.figure,
                    b.op.as_str(),
                    b.value,
                    fmt_num(v)
                ));
            }
        }
        Outcome::from_failures(failures)
    }

    /// `[[expect.compare]]`: each comparison whose `less` mean is not below
    /// its `than` mean, in words. `mean(figure, params)` is the figure's mean
    /// over every trial of the scenarios with those parameters (NaN if none).
    pub fn compare_failures(&self, mean: impl Fn(&str, &[(String, String)]) -> f64) -> Vec<String> {
        let show = |params: &[(String, String)]| {
            let inner: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("[{}]", inner.join(" "))
        };
        self.compares
            .iter()
            .filter_map(|c| {
                let (a, b) = (mean(&c.figure, &c.less), mean(&c.figure, &c.than));
                let by = match c.times {
                    1.0 => String::new(),
                    t => format!(" by {}×", fmt_num(t)),
                };
                (a * c.times >= b || a.is_nan() || b.is_nan()).then(|| {
                    format!(
                        "compare: mean {} {} = {} is not below {} = {}{by}",
                        c.figure,
                        show(&c.less),
                        fmt_num(a),
                        show(&c.than),
                        fmt_num(b)
                    )
                })
            })
            .collect()
    }
}

/// Recv payloads a message shows.
const SHOWN: usize = 8;

/// A list of `count` recv payloads for a message: the first of them (at
/// most [`SHOWN`]), each cut to 40 characters, and how many there were (a
/// run of a million recvs must not print them all).
fn short_list(list: &[String], count: usize) -> String {
    let items: Vec<String> = list
        .iter()
        .take(SHOWN)
        .map(|t| match t.chars().count() > 40 {
            true => format!("{:?}", t.chars().take(39).chain(['…']).collect::<String>()),
            false => format!("{t:?}"),
        })
        .collect();
    let more = match count.saturating_sub(SHOWN) {
        0 => String::new(),
        n => format!(", … {n} more"),
    };
    format!(
        "{} [{}{more}]",
        crate::units::plural(count as u64, "recv"),
        items.join(", ")
    )
}

/// A figure as text: integers without decimals, `unknown` for NaN.
pub fn fmt_num(v: f64) -> String {
    if v.is_nan() {
        "unknown".into()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.3}")
    }
}
