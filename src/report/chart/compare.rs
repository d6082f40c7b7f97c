//! `compare.png`: grouped bars of message fates per configuration (scenario),
//! as fractions of messages averaged over trials, so "framed: 100 % intact;
//! raw: not" reads at a glance.

use super::common::{
    self, canvas, fate_color, fate_name, header, short_key, tidy, Canvas, Plot, INK,
};
use super::fonts::{fonts, Fonts, SANS};
use super::{ChartError, ChartOptions};
use crate::analysis::stats;
use crate::report::load::{Fate, Results};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::path::Path;

/// The configuration's label, one line per swept value (`u32be`, or
/// `gap=1ms` over `nodelay=true`), so it fits under its group of bars.
fn config_label(res: &Results, scenario: u32) -> Vec<String> {
    let params = common::scenario_params(res, scenario);
    match params.len() {
        0 => vec![format!("scenario {scenario}")],
        1 => vec![params[0].1.clone()],
        _ => params
            .iter()
            .map(|(k, v)| format!("{}={v}", short_key(k)))
            .collect(),
    }
}

/// Mean fraction of messages with each fate, for one scenario.
fn fractions(res: &Results, opts: &ChartOptions, scenario: u32) -> [f64; 6] {
    let rows: Vec<_> = res
        .summary
        .iter()
        .filter(|r| r.scenario == scenario && r.flow == opts.flow)
        .collect();
    let mut out = [0.0; 6];
    for (i, fate) in Fate::ALL.iter().enumerate() {
        let share = |r: &&crate::report::summary::SummaryRow| {
            let n = r.figure("messages")?;
            (n > 0.0).then(|| r.figure(fate_name(*fate)).unwrap_or(0.0) / n)
        };
        let xs: Vec<f64> = rows.iter().filter_map(share).collect();
        out[i] = stats::mean(&xs).unwrap_or(0.0);
    }
    out
}

/// Draws `compare.png` into `out`.
pub fn compare(res: &Results, opts: &ChartOptions, out: &Path) -> Result<(), ChartError> {
    let scenarios = common::scenarios(res);
    if scenarios.len() < 2 {
        let why = "needs more than one scenario".to_string();
        return Err(ChartError::NotApplicable {
            chart: "compare.png",
            why,
        });
    }
    let f = fonts()?;
    let root = canvas(out, opts.width, 620)?;
    let all: Vec<[f64; 6]> = scenarios.iter().map(|s| fractions(res, opts, *s)).collect();
    let plot = heading(&root, f, res, opts, &all)?;
    let lines = res.param_keys.len().max(1) as i32;
    let mut chart = axes(&plot, scenarios.len(), lines)?;
    let group_px = (chart.backend_coord(&(1.0, 0.0)).0 - chart.backend_coord(&(0.0, 0.0)).0) - 8;
    for (g, (s, fr)) in scenarios.iter().zip(&all).enumerate() {
        draw_group(&root, f, &mut chart, g, fr)?;
        let (x, y) = chart.backend_coord(&(g as f64 + 0.5, 0.0));
        for (i, line) in config_label(res, *s).iter().enumerate() {
            common::label(
                &root,
                f,
                (line, if lines > 1 { 13.0 } else { 15.0 }, INK),
                (x, y + 10 + 18 * i as i32),
                (HPos::Center, VPos::Top),
                group_px,
            )?;
        }
    }
    x_desc(&root, f, &chart, res, lines)?;
    root.present()?;
    Ok(())
}

/// Draws the title, subtitle and a legend of the fates that occur; returns the plot area.
fn heading<'a>(
    root: &Canvas<'a>,
    f: &'static Fonts,
    res: &Results,
    opts: &ChartOptions,
    all: &[[f64; 6]],
) -> Result<Canvas<'a>, ChartError> {
    let title = common::title(res, "message fates per configuration");
    let keys = res.param_keys.join(", ");
    let sub = format!(
        "{} flow · mean over trials · varied: {keys}",
        opts.flow.as_str()
    );
    let body = header(root, f, &title, &sub)?;
    let (legend_area, plot) = body.split_vertically(34);
    // Only the fates that occur: every legend entry is on the chart.
    let items: Vec<(String, RGBColor)> = Fate::ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| all.iter().any(|fr| fr[*i] > 0.0))
        .map(|(_, x)| (fate_name(*x).to_string(), fate_color(*x)))
        .collect();
    common::legend(&legend_area, f, (16, 6), &items)?;
    Ok(plot)
}

/// Builds the coordinates for `groups` configurations and draws the y mesh;
/// `lines` is the height of the tallest configuration label.
fn axes<'a, 'b>(
    plot: &'a Canvas<'b>,
    groups: usize,
    lines: i32,
) -> Result<Plot<'a, 'b>, ChartError> {
    let n = groups as f64;
    let mut chart = ChartBuilder::on(plot)
        .margin(16)
        .margin_right(30)
        .x_label_area_size(38 + 18 * lines as u32)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..n, 0.0..1.05)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .light_line_style(RGBColor(238, 238, 238))
        .y_desc("fraction of messages (0–1)")
        .axis_desc_style((SANS, 15))
        .label_style((SANS, 13))
        .y_label_formatter(&|v| tidy(*v))
        .draw()?;
    Ok(chart)
}

/// Draws group `g`'s bar per fate, each labelled with its percentage when not zero.
fn draw_group(
    root: &Canvas,
    f: &'static Fonts,
    chart: &mut Plot,
    g: usize,
    fr: &[f64; 6],
) -> Result<(), ChartError> {
    let bar = 0.8 / 6.0;
    for (i, fate) in Fate::ALL.iter().enumerate() {
        let x0 = g as f64 + 0.1 + i as f64 * bar;
        let rect = Rectangle::new(
            [(x0, 0.0), (x0 + bar * 0.9, fr[i])],
            fate_color(*fate).filled(),
        );
        chart.draw_series(std::iter::once(rect))?;
        if fr[i] > 0.0 {
            let (x, y) = chart.backend_coord(&(x0 + bar * 0.45, fr[i]));
            let pct = match fr[i] * 100.0 {
                p if p < 0.5 => "<1%".to_string(),
                p => format!("{p:.0}%"),
            };
            common::label(
                root,
                f,
                (&pct, 12.0, INK),
                (x, y - 3),
                (HPos::Center, VPos::Bottom),
                60,
            )?;
        }
    }
    Ok(())
}

/// Names the x axis after the swept keys, below `lines` lines of labels.
fn x_desc(
    root: &Canvas,
    f: &'static Fonts,
    chart: &Plot,
    res: &Results,
    lines: i32,
) -> Result<(), ChartError> {
    let n = common::scenarios(res).len() as f64;
    let (x0, y0) = chart.backend_coord(&(0.0, 0.0));
    let (x1, _) = chart.backend_coord(&(n, 0.0));
    let desc = format!("configuration ({})", res.param_keys.join(", "));
    common::label(
        root,
        f,
        (&desc, 15.0, INK),
        ((x0 + x1) / 2, y0 + 16 + 18 * lines),
        (HPos::Center, VPos::Top),
        x1 - x0,
    )
}
