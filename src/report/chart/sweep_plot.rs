//! `sweep.png`: one summary figure (default `merged_fraction`) against the
//! first swept parameter, one series per combination of the others, mean over
//! trials with min–max bars. Durations and sizes are parsed for the axis,
//! which turns logarithmic when values span a decade or more (0 still shown,
//! left).

use super::common::{self, canvas, header, short_key, tidy, Canvas, Plot, INK};
use super::fonts::{fonts, Fonts, SANS};
use super::values::parse_all;
use super::{ChartError, ChartOptions};
use crate::analysis::stats;
use crate::report::load::Results;
use crate::report::summary::FIGURES;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::path::Path;

/// Series colours (not the kind/fate colours: series are configurations).
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 90, 170),
    RGBColor(200, 50, 50),
    RGBColor(40, 140, 70),
    RGBColor(130, 70, 170),
    RGBColor(150, 100, 40),
    RGBColor(20, 140, 150),
];

/// Where each distinct x value sits on the axis, and how the axis reads.
struct XAxis {
    key: String,
    values: Vec<String>,
    pos: Vec<f64>,
    note: &'static str,
    /// Names (framings, variants), not numbers: points are not joined by
    /// lines, since nothing lies between two names.
    categorical: bool,
}

/// Places `values` of `key` on the axis: as numbers (log when they span decades) or as names.
fn x_axis(key: &str, values: Vec<String>) -> XAxis {
    let key = key.to_string();
    let Some((nums, _)) = parse_all(&values) else {
        let pos = (0..values.len()).map(|i| i as f64).collect();
        return XAxis {
            key,
            values,
            pos,
            note: "",
            categorical: true,
        };
    };
    let positive: Vec<f64> = nums.iter().copied().filter(|v| *v > 0.0).collect();
    let (lo, hi) = (stats::min(&positive), stats::max(&positive));
    match (lo, hi) {
        (Some(lo), Some(hi)) if hi / lo >= 10.0 && nums.iter().all(|v| *v >= 0.0) => {
            let zero = lo.log10() - 1.0;
            let pos = nums
                .iter()
                .map(|v| if *v > 0.0 { v.log10() } else { zero })
                .collect();
            XAxis {
                key,
                values,
                pos,
                note: " (log scale; 0 placed one decade left)",
                categorical: false,
            }
        }
        _ => XAxis {
            key,
            values,
            pos: nums,
            note: "",
            categorical: false,
        },
    }
}

/// What a metric's values are multiplied by on the y axis: a time in ns
/// (`latency_median_ns`) is drawn in ms, so its labels stay short.
fn ms_scale(metric: &str) -> f64 {
    match metric.ends_with("_ns") {
        true => 1e-6,
        false => 1.0,
    }
}

/// Mean, min and max of the metric at each x, per series.
type Series = (String, Vec<(f64, f64, f64, f64)>);

/// One series per combination of the other swept values, each point at its x.
fn series(res: &Results, opts: &ChartOptions, xa: &XAxis) -> Vec<Series> {
    let rows: Vec<_> = res.summary.iter().filter(|r| r.flow == opts.flow).collect();
    let mut combos: Vec<Vec<String>> = Vec::new();
    for r in &rows {
        let rest = r.params[1..].to_vec();
        if !combos.contains(&rest) {
            combos.push(rest);
        }
    }
    let name = |combo: &[String]| {
        let parts = res.param_keys[1..].iter().zip(combo);
        let parts: Vec<String> = parts
            .map(|(k, v)| format!("{}={v}", short_key(k)))
            .collect();
        if parts.is_empty() {
            opts.metric.clone()
        } else {
            parts.join(", ")
        }
    };
    let points = |combo: &[String]| {
        let at = |(x, pos): (&String, &f64)| {
            let m = rows
                .iter()
                .filter(|r| &r.params[0] == x && r.params[1..] == *combo);
            let scale = ms_scale(&opts.metric);
            let ys: Vec<f64> = m
                .filter_map(|r| r.figure(&opts.metric))
                .map(|v| v * scale)
                .collect();
            Some((*pos, stats::mean(&ys)?, stats::min(&ys)?, stats::max(&ys)?))
        };
        xa.values.iter().zip(&xa.pos).filter_map(at).collect()
    };
    combos.iter().map(|c| (name(c), points(c))).collect()
}

/// Draws `sweep.png` into `out`.
pub fn sweep(res: &Results, opts: &ChartOptions, out: &Path) -> Result<(), ChartError> {
    applicable(res, opts)?;
    let f = fonts()?;
    let xa = x_axis(&res.param_keys[0], x_values(res));
    let all = series(res, opts, &xa);
    let root = canvas(out, opts.width, 640)?;
    let title = common::title(res, &format!("{} vs {}", opts.metric, res.param_keys[0]));
    let body = header(&root, f, &title, &subtitle(res, opts))?;
    let (legend_area, plot) = body.split_vertically(34);
    let items: Vec<(String, RGBColor)> = all
        .iter()
        .zip(PALETTE.iter().cycle())
        .map(|(s, c)| (s.0.clone(), *c))
        .collect();
    common::legend(&legend_area, f, (16, 6), &items)?;
    draw_plot(&root, &plot, opts, &xa, &all)?;
    root.present()?;
    Ok(())
}

/// Fails unless the results have a swept parameter and the metric is a summary figure.
fn applicable(res: &Results, opts: &ChartOptions) -> Result<(), ChartError> {
    let not = |why: String| ChartError::NotApplicable {
        chart: "sweep.png",
        why,
    };
    if res.param_keys.is_empty() {
        return Err(not("summary.csv has no swept parameter columns".into()));
    }
    if !FIGURES.contains(&opts.metric.as_str()) {
        return Err(not(format!(
            "unknown metric `{}`; use one of {}",
            opts.metric,
            FIGURES.join(", ")
        )));
    }
    Ok(())
}

/// The distinct values of the first swept parameter, in summary.csv order.
fn x_values(res: &Results) -> Vec<String> {
    let mut xs: Vec<String> = Vec::new();
    for r in &res.summary {
        if !xs.contains(&r.params[0]) {
            xs.push(r.params[0].clone());
        }
    }
    xs
}

/// The subtitle: flow, trials, transport kinds and framings.
fn subtitle(res: &Results, opts: &ChartOptions) -> String {
    let trials = res
        .summary
        .iter()
        .map(|r| r.trial)
        .max()
        .map_or(0, |t| t + 1);
    let distinct = |of: fn(&Results, u32) -> String| {
        let mut seen: Vec<String> = Vec::new();
        for v in common::scenarios(res).into_iter().map(|s| of(res, s)) {
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
        seen.join("/")
    };
    let spread = match trials {
        1 => "1 trial".to_string(),
        n => format!("mean of {n} trials, bars min–max"),
    };
    format!(
        "{} flow · {spread} · {} · framing {}",
        opts.flow.as_str(),
        distinct(common::kind_of),
        distinct(common::framing_of)
    )
}

/// The x extent: lowest and highest position, and the padding on each side.
type Span = (f64, f64, f64);

/// Draws the axes, the series and the x labels into `plot`.
fn draw_plot(
    root: &Canvas<'_>,
    plot: &Canvas<'_>,
    opts: &ChartOptions,
    xa: &XAxis,
    all: &[Series],
) -> Result<(), ChartError> {
    let f = fonts()?;
    let (lo, hi) = (
        stats::min(&xa.pos).unwrap_or(0.0),
        stats::max(&xa.pos).unwrap_or(1.0),
    );
    let span = (lo, hi, pad(lo, hi));
    let mut chart = axes(plot, opts, span, all)?;
    draw_series(&mut chart, xa, all, span)?;
    x_labels(root, f, &chart, xa, span)
}

/// The margin beside the first and last x: of the axis's own size, since
/// sweep values can be microseconds (a fixed 0.5 once squeezed a sweep of
/// 0 to 100 µs into one column).
fn pad(lo: f64, hi: f64) -> f64 {
    match hi > lo {
        true => (hi - lo) * 0.08,
        false => hi.abs().max(1.0) * 0.5,
    }
}

/// Builds the coordinates (y up to 1.05 for a fraction) and draws the y mesh.
fn axes<'a, 'b>(
    plot: &'a Canvas<'b>,
    opts: &ChartOptions,
    (lo, hi, pad): Span,
    all: &[Series],
) -> Result<Plot<'a, 'b>, ChartError> {
    let fraction = opts.metric.ends_with("_fraction");
    let top = all
        .iter()
        .flat_map(|s| s.1.iter().map(|p| p.3))
        .fold(0.0, f64::max);
    let y_max = if fraction {
        1.05
    } else {
        (top * 1.15).max(1.0)
    };
    let mut chart = ChartBuilder::on(plot)
        .margin(16)
        .margin_right(30)
        .x_label_area_size(60)
        .y_label_area_size(80)
        .build_cartesian_2d(lo - pad..hi + pad, 0.0..y_max)?;
    let unit = match (fraction, ms_scale(&opts.metric) != 1.0) {
        (true, _) => " (0–1)",
        (_, true) => ", in ms",
        _ => "",
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .light_line_style(RGBColor(238, 238, 238))
        .y_desc(format!("{}{unit}", opts.metric))
        .axis_desc_style((SANS, 15))
        .label_style((SANS, 13))
        .y_label_formatter(&|v| tidy(*v))
        .draw()?;
    Ok(chart)
}

/// Draws each series (line unless categorical, min–max bars, dots), dodged apart.
fn draw_series(
    chart: &mut Plot,
    xa: &XAxis,
    all: &[Series],
    (lo, hi, pad): Span,
) -> Result<(), ChartError> {
    let dodge = (hi - lo + 2.0 * pad) * 0.006;
    for (k, (s, color)) in all.iter().zip(PALETTE.iter().cycle()).enumerate() {
        let off = (k as f64 - (all.len() as f64 - 1.0) / 2.0) * dodge;
        let pts: Vec<(f64, f64)> = s.1.iter().map(|p| (p.0 + off, p.1)).collect();
        if !xa.categorical {
            chart.draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))?;
        }
        let bars = s
            .1
            .iter()
            .map(|p| ErrorBar::new_vertical(p.0 + off, p.2, p.1, p.3, color.stroke_width(2), 10));
        chart.draw_series(bars)?;
        chart.draw_series(pts.iter().map(|p| Circle::new(*p, 5, color.filled())))?;
    }
    Ok(())
}

/// Writes each x value under its position, and the axis name below.
fn x_labels(
    root: &Canvas<'_>,
    f: &'static Fonts,
    chart: &Plot,
    xa: &XAxis,
    (lo, hi, pad): Span,
) -> Result<(), ChartError> {
    for (v, p) in xa.values.iter().zip(&xa.pos) {
        let (x, y) = chart.backend_coord(&(*p, 0.0));
        common::label(
            root,
            f,
            (v, 14.0, INK),
            (x, y + 8),
            (HPos::Center, VPos::Top),
            120,
        )?;
    }
    let (x0, y0) = chart.backend_coord(&(lo - pad, 0.0));
    let (x1, _) = chart.backend_coord(&(hi + pad, 0.0));
    let desc = format!("{}{}", xa.key, xa.note);
    common::label(
        root,
        f,
        (&desc, 15.0, INK),
        ((x0 + x1) / 2, y0 + 34),
        (HPos::Center, VPos::Top),
        x1 - x0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsecond_values_keep_their_own_margin() {
        let xa = x_axis("sender.gap", vec!["1us".into(), "2us".into(), "4us".into()]);
        assert_eq!(xa.note, "", "under a decade: linear");
        let (lo, hi) = (xa.pos[0], xa.pos[2]);
        assert!(pad(lo, hi) < (hi - lo) / 10.0, "{lo} {hi}: {}", pad(lo, hi));
        let xa = x_axis(
            "sender.gap",
            ["0", "5us", "20us", "100us"].map(String::from).into(),
        );
        assert!(xa.note.contains("log"), "a decade or more: log");
    }
}
