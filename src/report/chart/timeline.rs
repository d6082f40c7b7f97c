//! `timeline.png`: time across, stream offset up. Sends, segments and recvs
//! of scenario 0, trial 0 as step lines and marks, so a late receiver (a
//! flat recv line, then one tall step) or a burst shows as a shape.

use super::common::{self, canvas, header, kind_color, Canvas, Plot, INK};
use super::fonts::{fonts, Fonts, SANS};
use super::{ChartError, ChartOptions};
use crate::report::load::{Flow, Results};
use plotters::prelude::*;
use std::path::Path;

const SEND: RGBColor = RGBColor(90, 90, 100);
/// A send() that took fewer bytes than asked (a short write).
const SHORT: RGBColor = RGBColor(200, 40, 40);
const SEGMENT: RGBColor = RGBColor(150, 80, 170);
const RECV: RGBColor = RGBColor(20, 30, 70);
const PANEL_H: u32 = 380;

/// Time unit for the x axis: (divisor from ns, name).
fn unit(max_ns: u64) -> (f64, &'static str) {
    match max_ns {
        0..=1_999_999 => (1e3, "µs"),
        _ => (1e6, "ms"),
    }
}

/// One flow's marks: (t_ns, stream offset after the event).
struct Marks {
    sends: Vec<(u64, u64)>,
    /// The sends that were short writes.
    short: Vec<(u64, u64)>,
    segments: Vec<(u64, u64)>,
    recvs: Vec<(u64, u64, RGBColor)>,
}

/// The marks of `flow` in scenario 0, trial 0.
fn marks(res: &Results, flow: Flow) -> Marks {
    let pick = |s: u32, t: u32, f: Flow| s == 0 && t == 0 && f == flow;
    let sends = res
        .sends
        .iter()
        .filter(|r| pick(r.scenario, r.trial, r.flow));
    let segs = res
        .segments
        .iter()
        .flatten()
        .filter(|r| pick(r.scenario, r.trial, r.flow));
    let recvs = res
        .recvs
        .iter()
        .filter(|r| pick(r.scenario, r.trial, r.flow));
    let sends: Vec<_> = sends.collect();
    Marks {
        short: sends
            .iter()
            .filter(|r| r.ret < r.len as i64)
            .map(|r| (r.t_ns, r.offset + r.ret.max(0) as u64))
            .collect(),
        sends: sends
            .iter()
            .map(|r| (r.t_ns, r.offset + r.ret.max(0) as u64))
            .collect(),
        segments: segs.map(|r| (r.t_ns, r.offset + r.len)).collect(),
        recvs: recvs
            .map(|r| (r.t_ns, r.offset + r.len, kind_color(r.kind)))
            .collect(),
    }
}

/// Step-line points through `(t, y)` marks, starting from zero.
fn steps(points: impl Iterator<Item = (u64, u64)>, div: f64) -> Vec<(f64, f64)> {
    let mut out = vec![(0.0, 0.0)];
    let mut level = 0.0;
    for (t, y) in points {
        let t = t as f64 / div;
        out.push((t, level));
        level = y as f64;
        out.push((t, level));
    }
    out
}

/// Draws the timeline of scenario 0, trial 0 into `out`.
pub fn timeline(res: &Results, opts: &ChartOptions, out: &Path) -> Result<(), ChartError> {
    let f = fonts()?;
    let flows: Vec<(Flow, Marks)> = [Flow::C2s, Flow::S2c]
        .into_iter()
        .map(|fl| (fl, marks(res, fl)))
        .filter(|(_, m)| !(m.sends.is_empty() && m.recvs.is_empty()))
        .collect();
    if flows.is_empty() {
        let why = "no sends or recvs in scenario 0, trial 0".to_string();
        return Err(ChartError::NotApplicable {
            chart: "timeline.png",
            why,
        });
    }
    let height = common::HEADER_H + 34 + PANEL_H * flows.len() as u32;
    let root = canvas(out, opts.width, height)?;
    let title = common::title(res, "bytes over time");
    let body = header(&root, f, &title, &common::subtitle(res, 0, 0))?;
    let (legend_area, mut rest) = body.split_vertically(34);
    common::legend(&legend_area, f, (16, 6), &legend_items(res, &flows))?;
    for (flow, m) in &flows {
        let (area, below) = rest.split_vertically(PANEL_H);
        draw_panel(&area, f, *flow, m, sample_note(res, *flow))?;
        rest = below;
    }
    root.present()?;
    Ok(())
}

/// The legend: the marks drawn, and only the recv kinds that occur.
fn legend_items(res: &Results, flows: &[(Flow, Marks)]) -> Vec<(String, RGBColor)> {
    let mut items = vec![("send()".to_string(), SEND)];
    if flows.iter().any(|(_, m)| !m.short.is_empty()) {
        items.push(("short write (send took less)".to_string(), SHORT));
    }
    if res.segments.as_ref().is_some_and(|s| !s.is_empty()) {
        items.push(("segment".to_string(), SEGMENT));
    }
    items.push(("recv()".to_string(), RECV));
    // Only the kinds drawn: every legend entry is on the chart.
    let kinds = common::KINDS
        .iter()
        .filter(|k| {
            flows
                .iter()
                .any(|(_, m)| m.recvs.iter().any(|r| r.2 == kind_color(**k)))
        })
        .map(|k| (format!("recv {}", common::kind_name(*k)), kind_color(*k)));
    items.extend(kinds);
    items
}

/// Draws one flow's panel: caption, axes, then its lines and marks.
fn draw_panel(
    area: &Canvas<'_>,
    f: &'static Fonts,
    flow: Flow,
    m: &Marks,
    note: Option<String>,
) -> Result<(), ChartError> {
    let (max_t, max_y) = extent(m);
    let (div, name) = unit(max_t);
    let caption = match note {
        Some(note) => format!("{} stream · {note}", flow.as_str()),
        None => format!("{} stream", flow.as_str()),
    };
    let w = area.dim_in_pixel().0 as i32;
    common::label(
        area,
        f,
        (&caption, 17.0, INK),
        (w / 2, 2),
        super::common::CENTER_TOP,
        w,
    )?;
    let mut chart = axes(area, flow, (max_t as f64 / div, max_y), name)?;
    draw_marks(&mut chart, m, div)
}

/// What a panel drawn from a sample of its flow's rows says about it:
/// `every 64th of 1000000 send() calls drawn (the first 4096 all)`.
fn sample_note(res: &Results, flow: Flow) -> Option<String> {
    let parts: Vec<String> = [
        ("sends", "send() calls"),
        ("segments", "segments"),
        ("recvs", "recvs"),
    ]
    .iter()
    .filter_map(|(table, what)| {
        let t = res.thinned(table, (0, 0), flow)?;
        Some(format!("every {} of {} {what}", ordinal(t.every), t.total))
    })
    .collect();
    match parts.is_empty() {
        true => None,
        false => Some(format!(
            "drawn: {} (the first {} all)",
            parts.join(", "),
            crate::report::rows::Thinned::HEAD
        )),
    }
}

/// `2nd`, `64th`.
fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, x) if x != 11 => "st",
        (2, x) if x != 12 => "nd",
        (3, x) if x != 13 => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The latest time (ns, at least 1) and the highest offset (at least 1) of a flow's marks.
fn extent(m: &Marks) -> (u64, f64) {
    let all_t = m
        .sends
        .iter()
        .map(|p| p.0)
        .chain(m.segments.iter().map(|p| p.0));
    let max_t = all_t
        .chain(m.recvs.iter().map(|p| p.0))
        .max()
        .unwrap_or(0)
        .max(1);
    let all_y = m
        .sends
        .iter()
        .map(|p| p.1)
        .chain(m.recvs.iter().map(|p| p.1));
    let max_y = all_y.max().unwrap_or(0).max(1) as f64;
    (max_t, max_y)
}

/// Builds the coordinates up to `max` (time in `unit`, bytes) and draws the mesh.
fn axes<'a, 'b>(
    area: &'a Canvas<'b>,
    flow: Flow,
    (max_t, max_y): (f64, f64),
    unit: &str,
) -> Result<Plot<'a, 'b>, ChartError> {
    let mut chart = ChartBuilder::on(area)
        .margin_top(28)
        .margin_right(30)
        .margin_left(16)
        .margin_bottom(10)
        .x_label_area_size(48)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..max_t * 1.04, 0.0..max_y * 1.08)?;
    chart
        .configure_mesh()
        .light_line_style(RGBColor(235, 235, 235))
        .x_desc(format!("time since trial start ({unit})"))
        .y_desc(format!("{} stream offset (bytes)", flow.as_str()))
        .axis_desc_style((SANS, 15))
        .label_style((SANS, 13))
        .x_label_formatter(&|v| common::tidy(*v))
        .y_label_formatter(&|v| match v.fract() == 0.0 {
            true => format!("{v:.0}"),
            false => String::new(),
        })
        .draw()?;
    Ok(chart)
}

/// Draws the recv and send step lines and every mark, times divided by `div`.
fn draw_marks(chart: &mut Plot, m: &Marks, div: f64) -> Result<(), ChartError> {
    // Recvs first, sends over them: the send line is never hidden.
    let recv_line = steps(m.recvs.iter().map(|p| (p.0, p.1)), div);
    chart.draw_series(LineSeries::new(recv_line, RECV.stroke_width(2)))?;
    // Big dots for a handful of recvs, small ones when they would smear.
    let r = if m.recvs.len() > 200 { 2 } else { 6 };
    let recv_marks = m
        .recvs
        .iter()
        .map(|p| Circle::new((p.0 as f64 / div, p.1 as f64), r, p.2.filled()));
    chart.draw_series(recv_marks)?;
    let send_line = steps(m.sends.iter().copied(), div);
    chart.draw_series(LineSeries::new(send_line, SEND.stroke_width(2)))?;
    let send_marks = m
        .sends
        .iter()
        .map(|p| Circle::new((p.0 as f64 / div, p.1 as f64), 2, SEND.filled()));
    chart.draw_series(send_marks)?;
    let seg_marks = m
        .segments
        .iter()
        .map(|p| TriangleMarker::new((p.0 as f64 / div, p.1 as f64), 5, SEGMENT.filled()));
    chart.draw_series(seg_marks)?;
    // Short writes on top: the point of a non-blocking sender with a small
    // send buffer, never hidden under the recv dots.
    let short_marks = m
        .short
        .iter()
        .map(|p| Cross::new((p.0 as f64 / div, p.1 as f64), 5, SHORT.stroke_width(2)));
    chart.draw_series(short_marks)?;
    Ok(())
}
