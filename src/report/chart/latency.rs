//! `latency.png`: how long each request waited for its reply (from
//! requests.csv), one series per scenario on a log axis, so a 40 ms stall
//! and a 0.1 ms fix sit on one chart.

use super::common::{self, canvas, header, tidy, Canvas, INK};
use super::fonts::{fonts, Fonts, SANS};
use super::sweep_plot::PALETTE;
use super::{ChartError, ChartOptions};
use crate::analysis::stats;
use crate::report::load::Results;
use plotters::coord::combinators::IntoLogRange;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::path::Path;

/// One scenario's requests: its label, every `(request, latency ms)` of
/// every trial, and the median over trials at each request.
struct Series {
    label: String,
    points: Vec<(f64, f64)>,
    medians: Vec<(f64, f64)>,
    /// The median of every request of every trial, ms.
    median: f64,
}

/// Whether requests.csv has rows.
pub fn applies(res: &Results) -> bool {
    !res.requests.is_empty()
}

/// Draws `latency.png` into `out`.
pub fn latency(res: &Results, opts: &ChartOptions, out: &Path) -> Result<(), ChartError> {
    let all = series(res);
    let ms: Vec<f64> = all
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .collect();
    let (Some(lo), Some(hi)) = (stats::min(&ms), stats::max(&ms)) else {
        return Err(ChartError::NotApplicable {
            chart: "latency.png",
            why: "requests.csv has no rows".into(),
        });
    };
    let requests = res
        .requests
        .iter()
        .map(|r| r.request)
        .max()
        .unwrap_or(0)
        .saturating_add(1);
    let trials = {
        let mut t: Vec<(u32, u32)> = res.requests.iter().map(|r| (r.scenario, r.trial)).collect();
        t.sort_unstable();
        t.dedup();
        t.len()
    };
    let f = fonts()?;
    let root = canvas(out, opts.width, 620)?;
    let title = common::title(res, "latency per request");
    let sub = format!(
        "{requests} requests a trial, {trials} trials · latency: from the start of the request's first send() to the read that completed its reply · dots: one request of one trial, line: median over trials · log scale"
    );
    let plot = header(&root, f, &title, &sub)?;
    // The log axis spans whole decades around the data.
    let (y0, y1) = (
        10f64.powf(lo.max(1e-4).log10().floor()),
        10f64.powf(
            hi.max(1e-4)
                .log10()
                .ceil()
                .max(lo.max(1e-4).log10().floor() + 1.0),
        ),
    );
    let mut chart = ChartBuilder::on(&plot)
        .margin(16)
        .margin_right(300)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5..requests as f64 - 0.5, (y0..y1).log_scale())?;
    chart
        .configure_mesh()
        .light_line_style(RGBColor(238, 238, 238))
        .x_desc("request")
        .y_desc("latency, ms (log scale)")
        .axis_desc_style((SANS, 15))
        .label_style((SANS, 13))
        .x_label_formatter(&|v| tidy(*v))
        .y_label_formatter(&|v| tidy(*v))
        .draw()?;
    for (s, color) in all.iter().zip(PALETTE.iter().cycle()) {
        chart.draw_series(LineSeries::new(s.medians.clone(), color.stroke_width(2)))?;
        chart.draw_series(
            s.points
                .iter()
                .map(|p| Circle::new(*p, 3, color.mix(0.55).filled())),
        )?;
    }
    key(&plot, f, &all)
}

/// The series, one per scenario with requests, in scenario order.
fn series(res: &Results) -> Vec<Series> {
    common::scenarios(res)
        .into_iter()
        .filter_map(|s| {
            let rows: Vec<_> = res.requests.iter().filter(|r| r.scenario == s).collect();
            if rows.is_empty() {
                return None;
            }
            let ms = |ns: u64| ns as f64 / 1e6;
            let points: Vec<(f64, f64)> = rows
                .iter()
                .map(|r| (r.request as f64, ms(r.latency_ns).max(1e-4)))
                .collect();
            // The median at each request number that has points, in one
            // pass (a folder read back may number its requests anyhow).
            let mut by_request: std::collections::BTreeMap<u64, Vec<f64>> = Default::default();
            for r in &rows {
                by_request
                    .entry(r.request)
                    .or_default()
                    .push(ms(r.latency_ns).max(1e-4));
            }
            let medians = by_request
                .iter()
                .filter_map(|(i, at)| Some((*i as f64, stats::median(at)?)))
                .collect();
            let every: Vec<f64> = points.iter().map(|p| p.1).collect();
            Some(Series {
                label: label(res, s),
                median: stats::median(&every).unwrap_or(0.0),
                points,
                medians,
            })
        })
        .collect()
}

/// A scenario's name: its variant, or its swept values.
fn label(res: &Results, s: u32) -> String {
    let params = common::scenario_params(res, s);
    match params.len() {
        0 => format!("scenario {s}"),
        _ => params
            .iter()
            .map(|(k, v)| match k == crate::experiment::VARIANT_AXIS {
                true => v.clone(),
                false => format!("{}={v}", common::short_key(k)),
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// The key at the right: each series' colour, name and median.
fn key(plot: &Canvas, f: &'static Fonts, all: &[Series]) -> Result<(), ChartError> {
    let x = plot.dim_in_pixel().0 as i32 - 280;
    common::label(
        plot,
        f,
        ("median latency", 15.0, INK),
        (x, 24),
        (HPos::Left, VPos::Center),
        270,
    )?;
    for (i, (s, color)) in all.iter().zip(PALETTE.iter().cycle()).enumerate() {
        let y = 56 + 30 * i as i32;
        plot.draw(&Rectangle::new(
            [(x, y - 8), (x + 18, y + 8)],
            color.filled(),
        ))?;
        let text = format!("{} · {} ms", s.label, tidy(s.median));
        common::label(
            plot,
            f,
            (&text, 14.0, INK),
            (x + 26, y),
            (HPos::Left, VPos::Center),
            244,
        )?;
    }
    Ok(())
}
