//! `recv-sizes.png`: how many bytes each recv returned, over every scenario
//! and trial, stacked by recv kind. Bins double in width when sizes spread
//! over more than two orders of magnitude.

use super::common::{self, canvas, header, kind_color, tidy, Canvas, Plot, INK, KINDS};
use super::fonts::{fonts, Fonts, SANS};
use super::{ChartError, ChartOptions};
use crate::report::load::{RecvKind, Results};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::path::Path;

/// Bin edges `[lo, hi)` covering `1..=max`: powers of two when the spread is
/// wide, otherwise about 20 equal bins of whole bytes.
pub fn bins(min: u64, max: u64) -> Vec<(u64, u64)> {
    let (min, max) = (min.max(1), max.max(1));
    // Arithmetic saturates: a recvs.csv read back may hold any u64.
    if max / min >= 100 {
        let mut lo = 1u64 << (63 - min.leading_zeros());
        let mut out = Vec::new();
        loop {
            let hi = lo.saturating_mul(2);
            out.push((lo, hi));
            if hi > max || hi == u64::MAX {
                return out;
            }
            lo = hi;
        }
    }
    let width = (max - min).saturating_add(1).div_ceil(20).max(1);
    (0..=20u64)
        .map_while(|i| {
            let lo = min.checked_add(i.checked_mul(width)?)?;
            Some((lo, lo.saturating_add(width)))
        })
        .take_while(|b| b.0 <= max)
        .collect()
}

fn bin_label((lo, hi): (u64, u64)) -> String {
    match hi - lo {
        1 => lo.to_string(),
        _ => format!("{lo}–{}", hi - 1),
    }
}

/// Whether the chart says anything: recvs of at least two sizes (one bar
/// only repeats the one size the ruler already shows).
pub fn applies(res: &Results) -> bool {
    let mut lens = sizes(res).into_iter().map(|s| s.0);
    lens.next().is_some_and(|first| lens.any(|l| l != first))
}

/// Recvs of each kind in one bin, in [`KINDS`] order.
type Counts = [u32; KINDS.len()];

/// The bins (`[lo, hi)` byte ranges) and the counts in each.
type Histogram = (Vec<(u64, u64)>, Vec<Counts>);

/// Draws `recv-sizes.png` into `out`.
pub fn recv_sizes(res: &Results, opts: &ChartOptions, out: &Path) -> Result<(), ChartError> {
    let sizes = sizes(res);
    let (edges, counts) = histogram(&sizes)?;
    let f = fonts()?;
    let root = canvas(out, opts.width, 600)?;
    let plot = heading(&root, f, res, sizes.iter().map(|s| s.2).sum())?;
    let mut chart = axes(&plot, edges.len(), tallest(&counts))?;
    draw_bars(&mut chart, &counts)?;
    bin_labels(&root, f, &chart, &edges)?;
    x_desc(&root, f, &chart, &edges)?;
    root.present()?;
    Ok(())
}

/// Recv lengths, the index of their kind in [`KINDS`] and how many recvs
/// had both: one entry per recv, or the loader's tally of every recv when
/// it kept only a sample of them.
fn sizes(res: &Results) -> Vec<(u64, usize, u64)> {
    let kind = |k: RecvKind| KINDS.iter().position(|x| *x == k).unwrap_or(0);
    match res.recv_tally.is_empty() {
        true => res.recvs.iter().map(|r| (r.len, kind(r.kind), 1)).collect(),
        false => res
            .recv_tally
            .iter()
            .map(|&(len, k, n)| (len, kind(k), n))
            .collect(),
    }
}

/// The bins and, for each, the recvs of each kind that fall in it.
fn histogram(sizes: &[(u64, usize, u64)]) -> Result<Histogram, ChartError> {
    let (Some(min), Some(max)) = (
        sizes.iter().map(|s| s.0).min(),
        sizes.iter().map(|s| s.0).max(),
    ) else {
        let why = "recvs.csv has no rows".to_string();
        return Err(ChartError::NotApplicable {
            chart: "recv-sizes.png",
            why,
        });
    };
    let edges = bins(min, max);
    let mut counts = vec![[0u32; KINDS.len()]; edges.len()];
    for (len, k, n) in sizes {
        if let Some(i) = edges.iter().position(|b| *len >= b.0 && *len < b.1) {
            counts[i][*k] = counts[i][*k].saturating_add(*n as u32);
        }
    }
    Ok((edges, counts))
}

/// The highest stack of any bin (at least 1).
fn tallest(counts: &[Counts]) -> u32 {
    counts
        .iter()
        .map(|c| c.iter().sum::<u32>())
        .max()
        .unwrap_or(1)
        .max(1)
}

/// Draws the title, subtitle and kind legend; returns the plot area below.
fn heading<'a>(
    root: &Canvas<'a>,
    f: &'static Fonts,
    res: &Results,
    recvs: u64,
) -> Result<Canvas<'a>, ChartError> {
    let title = common::title(res, "bytes per recv()");
    let sub = format!("{recvs} recv calls, all scenarios, trials and flows · stacked by recv kind");
    let body = header(root, f, &title, &sub)?;
    let (legend_area, plot) = body.split_vertically(34);
    let items: Vec<(String, RGBColor)> = KINDS
        .iter()
        .map(|k| (common::kind_name(*k).to_string(), kind_color(*k)))
        .collect();
    common::legend(&legend_area, f, (16, 6), &items)?;
    Ok(plot)
}

/// Builds the coordinates for `bins` bins up to `top` recvs and draws the y mesh.
fn axes<'a, 'b>(plot: &'a Canvas<'b>, bins: usize, top: u32) -> Result<Plot<'a, 'b>, ChartError> {
    let n = bins as f64;
    let mut chart = ChartBuilder::on(plot)
        .margin(16)
        .margin_right(30)
        .x_label_area_size(60)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..n, 0.0..f64::from(top) * 1.1)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .light_line_style(RGBColor(238, 238, 238))
        .y_desc("recv calls")
        .axis_desc_style((SANS, 15))
        .label_style((SANS, 13))
        .y_label_formatter(&|v| {
            if v.fract() == 0.0 {
                tidy(*v)
            } else {
                String::new()
            }
        })
        .draw()?;
    Ok(chart)
}

/// Draws each bin's bar, stacked by recv kind.
fn draw_bars(chart: &mut Plot, counts: &[Counts]) -> Result<(), ChartError> {
    for (i, c) in counts.iter().enumerate() {
        let mut base = 0.0;
        for (k, kind) in KINDS.iter().enumerate().filter(|(k, _)| c[*k] > 0) {
            let h = f64::from(c[k]);
            let rect = [(i as f64 + 0.08, base), (i as f64 + 0.92, base + h)];
            chart.draw_series(std::iter::once(Rectangle::new(
                rect,
                kind_color(*kind).filled(),
            )))?;
            chart.draw_series(std::iter::once(Rectangle::new(rect, INK.stroke_width(1))))?;
            base += h;
        }
    }
    Ok(())
}

/// Labels the bins under the x axis (at most about 16 of them).
fn bin_labels(
    root: &Canvas,
    f: &'static Fonts,
    chart: &Plot,
    edges: &[(u64, u64)],
) -> Result<(), ChartError> {
    let step = (edges.len() / 16).max(1);
    let slot = chart.backend_coord(&(1.0, 0.0)).0 - chart.backend_coord(&(0.0, 0.0)).0;
    for (i, b) in edges.iter().enumerate().step_by(step) {
        let (x, y) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
        common::label(
            root,
            f,
            (&bin_label(*b), 13.0, INK),
            (x, y + 8),
            (HPos::Center, VPos::Top),
            slot * step as i32 - 4,
        )?;
    }
    Ok(())
}

/// Names the x axis, saying when the bins double in width.
fn x_desc(
    root: &Canvas,
    f: &'static Fonts,
    chart: &Plot,
    edges: &[(u64, u64)],
) -> Result<(), ChartError> {
    let n = edges.len() as f64;
    let (x0, y0) = chart.backend_coord(&(0.0, 0.0));
    let (x1, _) = chart.backend_coord(&(n, 0.0));
    let doubling = edges.len() > 1 && edges.iter().all(|b| b.1 == 2 * b.0);
    let log = if doubling {
        ", bins double in width"
    } else {
        ""
    };
    let desc = format!("bytes returned by one recv(){log}");
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
    use super::bins;

    #[test]
    fn bins_cover_the_sizes_and_end_even_at_u64_max() {
        assert_eq!(bins(3, 5), vec![(3, 4), (4, 5), (5, 6)]);
        let wide = bins(1, 1000);
        assert_eq!((wide[0], *wide.last().unwrap()), ((1, 2), (512, 1024)));
        for (min, max) in [(1, u64::MAX), (u64::MAX - 5, u64::MAX), (0, 0)] {
            let b = bins(min, max);
            assert!(!b.is_empty() && b.len() <= 64, "{min} {max}: {}", b.len());
            assert!(b[0].0 <= min.max(1), "{min} {max}: {b:?}");
        }
    }
}
