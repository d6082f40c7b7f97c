//! Pieces every chart shares: colours with one meaning everywhere, the title
//! block, legends, text that fits a box, and scenario labels.

use super::fonts::Fonts;
use super::text::{fit, Label};
use super::ChartError;
use crate::report::load::{Fate, RecvKind, Results};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::path::Path;

/// A bitmap canvas that writes a PNG on `present()`.
pub type Canvas<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// A chart on a [`Canvas`] with `f64` coordinates on both axes.
pub type Plot<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Text colour.
pub const INK: RGBColor = RGBColor(30, 30, 30);
/// Secondary text colour.
pub const MUTED: RGBColor = RGBColor(95, 95, 95);
/// Fill of sent-message blocks.
pub const SENT: RGBColor = RGBColor(215, 218, 224);

/// Colour of a recv kind: whole green, sticky orange, fragment blue,
/// truncated purple, unknown (no message boundaries known) slate. Each colour of a kind or a fate means one thing in
/// every chart: no fate shares a colour with a kind, except `truncated`,
/// which is the same word for the recv and for its message.
pub fn kind_color(kind: RecvKind) -> RGBColor {
    match kind {
        RecvKind::Whole => RGBColor(110, 190, 110),
        RecvKind::Sticky => RGBColor(240, 135, 60),
        RecvKind::Fragment => RGBColor(100, 150, 230),
        RecvKind::Truncated => TRUNCATED,
        RecvKind::Unknown => RGBColor(125, 125, 165),
    }
}

/// The one colour of "truncated", recv or message.
const TRUNCATED: RGBColor = RGBColor(150, 90, 200);

/// Legend text of a recv kind.
pub fn kind_name(kind: RecvKind) -> &'static str {
    match kind {
        RecvKind::Whole => "whole",
        RecvKind::Sticky => "sticky 粘包",
        RecvKind::Fragment => "fragment 分包",
        RecvKind::Truncated => "truncated",
        RecvKind::Unknown => "read (boundaries unknown)",
    }
}

/// Every recv kind, in legend order.
pub const KINDS: [RecvKind; 5] = [
    RecvKind::Whole,
    RecvKind::Sticky,
    RecvKind::Fragment,
    RecvKind::Truncated,
    RecvKind::Unknown,
];

/// Colour of a message fate: none shared with a recv kind (but truncated),
/// so a legend never gives one colour two meanings.
pub fn fate_color(fate: Fate) -> RGBColor {
    match fate {
        Fate::Intact => RGBColor(20, 130, 110),
        Fate::Merged => RGBColor(200, 60, 130),
        Fate::Split => RGBColor(150, 105, 50),
        Fate::Truncated => TRUNCATED,
        Fate::Lost => RGBColor(150, 150, 150),
        Fate::Corrupt => RGBColor(200, 40, 40),
    }
}

/// Legend text of a fate.
pub fn fate_name(fate: Fate) -> &'static str {
    fate.as_str()
}

/// A white canvas of `width` × `height` that will be written to `path`.
pub fn canvas(path: &Path, width: u32, height: u32) -> Result<Canvas<'_>, ChartError> {
    let root = BitMapBackend::new(path, (width, height)).into_drawing_area();
    root.fill(&WHITE)?;
    Ok(root)
}

/// Pixel height of the block [`header`] draws.
pub const HEADER_H: u32 = 70;

/// Draws the title and a subtitle of knobs; returns the area below them.
pub fn header<'a>(
    root: &Canvas<'a>,
    f: &'static Fonts,
    title: &str,
    subtitle: &str,
) -> Result<Canvas<'a>, ChartError> {
    let width = root.dim_in_pixel().0 as i32 - 32;
    let top_left = (HPos::Left, VPos::Top);
    if let Some(t) = shrink_to_fit(f, title, (22.0, 17.0), INK, width) {
        root.draw(&t.at((16, 10), top_left))?;
    }
    if let Some(s) = shrink_to_fit(f, subtitle, (14.0, 11.0), MUTED, width) {
        root.draw(&s.at((16, 44), top_left))?;
    }
    Ok(root.split_vertically(HEADER_H).1)
}

/// `text` at the largest size from `sizes.0` down to `sizes.1` at which it
/// fits `max_px`; cut with `…` at the smallest size only when nothing fits.
fn shrink_to_fit(
    f: &'static Fonts,
    text: &str,
    (largest, smallest): (f32, f32),
    color: RGBColor,
    max_px: i32,
) -> Option<super::text::Label> {
    let mut size = largest;
    while size > smallest {
        let l = super::text::Label::new(f, text, size, color);
        if l.width() <= max_px {
            return Some(l);
        }
        size -= 1.0;
    }
    fit(f, text, smallest, color, max_px)
}

/// Draws `text` with its `anchor` at `pos`, cut to `max_px` wide.
pub fn label<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    f: &'static Fonts,
    (text, size, color): (&str, f32, RGBColor),
    pos: (i32, i32),
    anchor: (HPos, VPos),
    max_px: i32,
) -> Result<(), ChartError> {
    if let Some(l) = fit(f, text, size, color, max_px) {
        area.draw(&l.at(pos, anchor))
            .map_err(|e| ChartError::Draw(e.to_string()))?;
    }
    Ok(())
}

/// Draws swatches with names in one row from (`x`, `y`); returns the end x.
pub fn legend(
    root: &Canvas<'_>,
    f: &'static Fonts,
    (x, y): (i32, i32),
    items: &[(String, RGBColor)],
) -> Result<i32, ChartError> {
    let mut x = x;
    for (name, color) in items {
        root.draw(&Rectangle::new([(x, y), (x + 18, y + 16)], color.filled()))?;
        root.draw(&Rectangle::new(
            [(x, y), (x + 18, y + 16)],
            INK.stroke_width(1),
        ))?;
        let l = Label::new(f, name, 15.0, INK);
        let w = l.width();
        root.draw(&l.at((x + 25, y + 8), (HPos::Left, VPos::Center)))?;
        x += 25 + w + 24;
    }
    Ok(x)
}

/// Distinct scenario numbers, ascending.
pub fn scenarios(res: &Results) -> Vec<u32> {
    let mut s: Vec<u32> = res.summary.iter().map(|r| r.scenario).collect();
    s.sort_unstable();
    s.dedup();
    s
}

/// The swept parameter values of one scenario, as `(key, value)`.
pub fn scenario_params(res: &Results, scenario: u32) -> Vec<(String, String)> {
    let row = res.summary.iter().find(|r| r.scenario == scenario);
    let values = row.map(|r| r.params.clone()).unwrap_or_default();
    res.param_keys.iter().cloned().zip(values).collect()
}

/// A parameter key without its section (`sender.gap` → `gap`).
pub fn short_key(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

/// What a chart of one trial says under its title.
pub fn subtitle(res: &Results, scenario: u32, trial: u32) -> String {
    let mut parts = vec![format!(
        "{} · framing {}",
        kind_of(res, scenario),
        framing_of(res, scenario)
    )];
    let swept = scenario_params(res, scenario);
    if !swept.is_empty() || scenario > 0 {
        parts.push(format!("scenario {scenario}"));
    }
    parts.extend(swept.iter().map(|(k, v)| format!("{k}={v}")));
    parts.push(format!("trial {trial}"));
    let own = variant_keys(res, scenario);
    let mut fixed: Vec<(String, String)> = res.experiment.knobs.clone();
    for (k, v) in own.iter().filter(|(k, _)| !k.starts_with("transport.")) {
        match fixed.iter_mut().find(|(f, _)| f == k) {
            Some(slot) => slot.1 = v.clone(),
            None => fixed.push((k.clone(), v.clone())),
        }
    }
    let fixed = fixed.iter().filter(|(k, _)| !res.param_keys.contains(k));
    parts.extend(fixed.map(|(k, v)| format!("{k}={v}")));
    parts.join(" · ")
}

/// The keys the `[[variant]]` of scenario `s` sets (none without variants).
fn variant_keys(res: &Results, s: u32) -> Vec<(String, String)> {
    let Some((_, name)) = scenario_params(res, s)
        .into_iter()
        .find(|(k, _)| k == crate::experiment::VARIANT_AXIS)
    else {
        return Vec::new();
    };
    let v = res.experiment.variants.iter().find(|(n, _)| *n == name);
    v.map(|(_, keys)| keys.clone()).unwrap_or_default()
}

/// The value of `key` in scenario `s`: swept, else set by its variant.
fn scenario_setting(res: &Results, s: u32, key: &str) -> Option<String> {
    let swept = scenario_params(res, s).into_iter().find(|(k, _)| k == key);
    let from_variant = || variant_keys(res, s).into_iter().find(|(k, _)| k == key);
    swept.or_else(from_variant).map(|(_, v)| v)
}

/// The transport (`tcp`, `udp`) scenario `s` ran with.
pub fn kind_of(res: &Results, s: u32) -> String {
    scenario_setting(res, s, "transport.kind").unwrap_or_else(|| res.experiment.kind.clone())
}

/// The chart title: the experiment's title, or its name.
pub fn title(res: &Results, chart: &str) -> String {
    let e = &res.experiment;
    let name = if e.title.is_empty() {
        &e.name
    } else {
        &e.title
    };
    match name.is_empty() {
        true => chart.to_string(),
        false => format!("{name} — {chart}"),
    }
}

/// Anchor: horizontally centred, top edge.
pub const CENTER_TOP: (HPos, VPos) = (HPos::Center, VPos::Top);

/// A number with at most three decimals and no trailing zeros.
pub fn tidy(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    match s {
        "-0" => "0".to_string(),
        _ => s.to_string(),
    }
}

/// The framing scenario `s` ran with: swept, set by its variant, or the file's.
pub fn framing_of(res: &Results, s: u32) -> String {
    scenario_setting(res, s, "transport.framing").unwrap_or_else(|| res.experiment.framing.clone())
}
