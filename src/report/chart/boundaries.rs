//! `boundaries.png`: the byte-offset ruler. Stacked rows of one trial's
//! messages, segments and recv calls on one byte axis, with every message
//! boundary drawn through all rows, so `hello` and `feng` inside one recv
//! show at a glance.

use super::boundary_rows::{panel, Block, Panel, Scale};
use super::common::{
    self, canvas, fate_color, fate_name, header, kind_color, kind_name, label, Canvas, INK, MUTED,
};
use super::fonts::{fonts, Fonts};
use super::text::Label;
use super::{ChartError, ChartOptions};
use crate::report::load::{Fate, Flow, Results};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::path::Path;

const ROW_H: u32 = 62;
const PANEL_EXTRA: u32 = 100;
const LEGEND_H: u32 = 34;
const NOTE_H: u32 = 30;
const NAMES_W: u32 = 150;

/// The first framed scenario, when scenario 0 is raw: framing-compare's
/// chart then shows the cure under the problem.
fn framed_scenario(res: &Results) -> Option<u32> {
    if common::framing_of(res, 0) != "none" {
        return None;
    }
    common::scenarios(res)
        .into_iter()
        .find(|&s| common::framing_of(res, s) != "none")
}

/// Draws the ruler of scenario 0, trial 0 into `out` (and of the first
/// framed scenario, trial 0, when scenario 0 is raw).
pub fn boundaries(res: &Results, opts: &ChartOptions, out: &Path) -> Result<(), ChartError> {
    let f = fonts()?;
    let framed = framed_scenario(res);
    let panels: Vec<Panel> = [Flow::C2s, Flow::S2c]
        .into_iter()
        .filter_map(|fl| panel(res, fl, (0, 0), opts.max_messages))
        .chain(framed.and_then(|s| panel(res, Flow::C2s, (s, 0), opts.max_messages)))
        .collect();
    if panels.is_empty() {
        let why = "no rows for scenario 0, trial 0".to_string();
        return Err(ChartError::NotApplicable {
            chart: "boundaries.png",
            why,
        });
    }
    let heights: Vec<u32> = panels
        .iter()
        .map(|p| p.rows.len() as u32 * ROW_H + PANEL_EXTRA)
        .collect();
    let height = common::HEADER_H + LEGEND_H + heights.iter().sum::<u32>() + NOTE_H;
    let root = canvas(out, opts.width, height)?;
    let title = common::title(res, "where message boundaries land");
    let body = header(&root, f, &title, &common::subtitle(res, 0, 0))?;
    let (legend_area, mut rest) = body.split_vertically(LEGEND_H);
    draw_legend(&legend_area, f, &panels)?;
    for (p, h) in panels.iter().zip(&heights) {
        let (area, below) = rest.split_vertically(*h);
        draw_panel(&area, f, p)?;
        rest = below;
    }
    draw_note(&rest, f, &panels)?;
    root.present()?;
    Ok(())
}

/// The legend of what the panels show: only the kinds and fates drawn, so
/// it fits and every entry is on the chart.
fn draw_legend(area: &Canvas<'_>, f: &'static Fonts, panels: &[Panel]) -> Result<(), ChartError> {
    let drawn = |c: RGBColor| {
        panels
            .iter()
            .flat_map(|p| &p.rows)
            .flat_map(|r| &r.blocks)
            .any(|b| b.fill == c)
    };
    let sent = match panels.iter().all(|p| p.known) {
        true => "message sent",
        false => "bytes sent",
    };
    let mut items: Vec<(String, RGBColor)> = vec![
        (sent.into(), common::SENT),
        (
            "TCP segment (captured)".into(),
            super::boundary_rows::SEGMENT,
        ),
    ];
    items.extend(
        common::KINDS
            .iter()
            .map(|k| (format!("recv: {}", kind_name(*k)), kind_color(*k))),
    );
    items.extend(
        Fate::ALL
            .iter()
            .filter(|x| fate_color(**x) != kind_color(crate::report::load::RecvKind::Truncated))
            .map(|x| (format!("frame: {}", fate_name(*x)), fate_color(*x))),
    );
    items.retain(|(_, c)| drawn(*c));
    common::legend(area, f, (16, 6), &items)?;
    Ok(())
}

fn draw_note(area: &Canvas<'_>, f: &'static Fonts, panels: &[Panel]) -> Result<(), ChartError> {
    let mut note = match panels.iter().all(|p| p.known) {
        true => "Vertical lines: message boundaries. A recv block crossing one holds bytes of two messages (粘包).",
        false => "Message boundaries are unknown (no framing, no declared messages): each block is one recv() call and the bytes it returned; no message is told from another.",
    }
    .to_string();
    let cut: Vec<&Panel> = panels.iter().filter(|p| p.shown < p.total).collect();
    let same = cut
        .windows(2)
        .all(|w| (w[0].shown, w[0].total) == (w[1].shown, w[1].total));
    match cut.first() {
        Some(p) if same && cut.len() == panels.len() => note.push_str(&format!(
            "  Each panel shows its first {} of {} messages.",
            p.shown, p.total
        )),
        _ => {
            for p in cut {
                let name = match &p.scenario {
                    (s, Some(_)) => format!("scenario {s}"),
                    _ => p.flow.as_str().to_string(),
                };
                note.push_str(&format!(
                    "  {name}: first {} of {} messages shown (bytes {}–{}).",
                    p.shown, p.total, p.window.0, p.window.1
                ));
            }
        }
    }
    let width = area.dim_in_pixel().0 as i32 - 32;
    label(
        area,
        f,
        (&note, 14.0, MUTED),
        (16, 6),
        (HPos::Left, VPos::Top),
        width,
    )
}

fn flow_caption(p: &Panel) -> String {
    let dir = match p.flow {
        Flow::C2s => "client → server",
        Flow::S2c => "server → client (replies)",
    };
    let plural = if p.total == 1 { "" } else { "s" };
    let caption = match p.known {
        true => format!("{} · {dir} · {} message{plural}", p.flow.as_str(), p.total),
        false => format!("{} · {dir} · message boundaries unknown", p.flow.as_str()),
    };
    match &p.scenario {
        (s, Some(params)) => format!("scenario {s} ({params}) · {caption}"),
        _ => caption,
    }
}

const TOP: i32 = 34;

fn draw_panel(area: &Canvas<'_>, f: &'static Fonts, p: &Panel) -> Result<(), ChartError> {
    let w = area.dim_in_pixel().0 as i32;
    let caption_text = flow_caption(p);
    let caption = (caption_text.as_str(), 17.0, INK);
    label(
        area,
        f,
        caption,
        (w / 2, 4),
        (HPos::Center, VPos::Top),
        w - 32,
    )?;
    let x0 = 16 + NAMES_W as i32;
    let scale = Scale::new(&p.guides, p.window, (f64::from(x0), f64::from(w - 28)));
    for (i, row) in p.rows.iter().enumerate() {
        let y = TOP + i as i32 * ROW_H as i32;
        let at = (x0 - 10, y + ROW_H as i32 / 2);
        label(
            area,
            f,
            (&row.name, 15.0, INK),
            at,
            (HPos::Right, VPos::Center),
            NAMES_W as i32 - 14,
        )?;
        for b in &row.blocks {
            let rect = (
                scale.px(b.start),
                y + 5,
                scale.px(b.end),
                y + ROW_H as i32 - 5,
            );
            draw_block(area, f, b, rect)?;
        }
    }
    let bottom = TOP + p.rows.len() as i32 * ROW_H as i32;
    let guide = INK.mix(0.6).stroke_width(1);
    for g in &p.guides {
        let x = scale.px(*g);
        let line = vec![(x, TOP), (x, bottom + 2)];
        area.draw(&PathElement::new(line, guide))?;
    }
    draw_axis(area, f, p, &scale, bottom + 4)
}

fn draw_axis(
    area: &Canvas<'_>,
    f: &'static Fonts,
    p: &Panel,
    scale: &Scale,
    y: i32,
) -> Result<(), ChartError> {
    let (x0, x1) = (scale.px(p.window.0), scale.px(p.window.1));
    area.draw(&PathElement::new(
        vec![(x0, y), (x1, y)],
        INK.stroke_width(1),
    ))?;
    let mut free_from = i32::MIN;
    let knots: Vec<u64> = scale.knots().collect();
    for (i, k) in knots.iter().enumerate() {
        let x = scale.px(*k);
        area.draw(&PathElement::new(
            vec![(x, y), (x, y + 6)],
            INK.stroke_width(1),
        ))?;
        let l = Label::new(f, &k.to_string(), 13.0, INK);
        let half = l.width() / 2 + 4;
        let last = i + 1 == knots.len();
        if x - half >= free_from || last {
            area.draw(&l.at((x, y + 9), (HPos::Center, VPos::Top)))?;
            free_from = x + half;
        }
    }
    let mut desc = format!(
        "byte offset in the {} stream (bytes); ticks at {} boundaries",
        p.flow.as_str(),
        if p.known { "message" } else { "recv" }
    );
    if scale.uneven {
        desc.push_str("; short messages drawn wider than their share");
    }
    let mid = (x0 + x1) / 2;
    label(
        area,
        f,
        (&desc, 14.0, INK),
        (mid, y + 30),
        (HPos::Center, VPos::Top),
        x1 - x0,
    )
}

fn draw_block(
    area: &Canvas<'_>,
    f: &'static Fonts,
    b: &Block,
    (x0, y0, x1, y1): (i32, i32, i32, i32),
) -> Result<(), ChartError> {
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], b.fill.filled()))?;
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], INK.stroke_width(1)))?;
    let inner = x1 - x0 - 6;
    let cx = (x0 + x1) / 2;
    let center = (HPos::Center, VPos::Center);
    if !b.label.is_empty() {
        label(
            area,
            f,
            (&b.label, 17.0, INK),
            (cx, y0 + (y1 - y0) * 2 / 5),
            center,
            inner,
        )?;
    }
    let sy = if b.label.is_empty() {
        (y0 + y1) / 2
    } else {
        y0 + (y1 - y0) * 4 / 5
    };
    label(area, f, (&b.sub, 12.0, INK), (cx, sy), center, inner)
}
