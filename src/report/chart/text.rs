//! Text as a plotters element, laid out and rasterised with `ab_glyph`
//! directly: glyphs keep their side bearings and sub-pixel positions, each
//! character comes from the first font that has it (DejaVu, then CJK), and a
//! character no font has is drawn as its `\u{..}` escape.

use super::fonts::Fonts;
use ab_glyph::{point, Font, FontRef, Glyph, PxScale, ScaleFont};
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, DrawingErrorKind};

/// One line of text at a pixel position, anchored as asked.
pub struct Label {
    glyphs: Vec<(&'static FontRef<'static>, Glyph)>,
    width: f32,
    ascent: f32,
    descent: f32,
    color: RGBColor,
    pos: BackendCoord,
    anchor: (HPos, VPos),
}

/// The scale that gives `font` an em of `size` pixels.
fn scale_for(font: &FontRef<'_>, size: f32) -> PxScale {
    let upem = font.units_per_em().unwrap_or(1000.0);
    PxScale::from(size * font.height_unscaled() / upem)
}

impl Label {
    /// Lays out `text` at `size` pixels per em, top-left anchored at (0, 0).
    pub fn new(fonts: &'static Fonts, text: &str, size: f32, color: RGBColor) -> Label {
        let mut glyphs = Vec::with_capacity(text.len());
        let mut x = 0.0f32;
        let mut prev: Option<(&FontRef<'static>, ab_glyph::GlyphId)> = None;
        let mut push = |font: &'static FontRef<'static>, c: char| {
            let sf = font.as_scaled(scale_for(font, size));
            let id = font.glyph_id(c);
            if let Some((pf, pid)) = prev {
                if std::ptr::eq(pf, font) {
                    x += sf.kern(pid, id);
                }
            }
            glyphs.push((font, id.with_scale_and_position(sf.scale(), point(x, 0.0))));
            x += sf.h_advance(id);
            prev = Some((font, id));
        };
        for c in text.chars() {
            match fonts.face_for(c) {
                Some(font) => push(font, c),
                None => {
                    let escaped = format!("\\u{{{:x}}}", c as u32);
                    for e in escaped.chars() {
                        if let Some(font) = fonts.face_for(e) {
                            push(font, e);
                        }
                    }
                }
            }
        }
        let (ascent, descent) = fonts.faces().next().map_or((size, 0.0), |f| {
            let sf = f.as_scaled(scale_for(f, size));
            (sf.ascent(), sf.descent())
        });
        Label {
            glyphs,
            width: x,
            ascent,
            descent,
            color,
            pos: (0, 0),
            anchor: (HPos::Left, VPos::Top),
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> i32 {
        self.width.ceil() as i32
    }

    /// Places the label with its `anchor` point at `pos`.
    pub fn at(mut self, pos: BackendCoord, anchor: (HPos, VPos)) -> Label {
        self.pos = pos;
        self.anchor = anchor;
        self
    }

    /// Where the first glyph's baseline starts, for a label anchored at `p`.
    fn origin(&self, p: BackendCoord) -> (f32, f32) {
        let x = match self.anchor.0 {
            HPos::Left => p.0 as f32,
            HPos::Center => p.0 as f32 - self.width / 2.0,
            HPos::Right => p.0 as f32 - self.width,
        };
        let y = match self.anchor.1 {
            VPos::Top => p.1 as f32 + self.ascent,
            VPos::Center => p.1 as f32 + (self.ascent + self.descent) / 2.0,
            VPos::Bottom => p.1 as f32 + self.descent,
        };
        (x.round(), y.round())
    }
}

impl<'a> PointCollection<'a, BackendCoord> for &'a Label {
    type Point = &'a BackendCoord;
    type IntoIter = std::iter::Once<&'a BackendCoord>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.pos)
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Label {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        let Some(p) = pos.next() else { return Ok(()) };
        let (ox, oy) = self.origin(p);
        let rgb = (self.color.0, self.color.1, self.color.2);
        for (font, glyph) in &self.glyphs {
            let mut g = glyph.clone();
            g.position = point(g.position.x + ox, g.position.y + oy);
            let Some(outline) = font.outline_glyph(g) else {
                continue;
            };
            let b = outline.px_bounds();
            let mut pixels = Vec::new();
            outline.draw(|x, y, c| pixels.push((x, y, c)));
            for (x, y, c) in pixels {
                let at = (b.min.x as i32 + x as i32, b.min.y as i32 + y as i32);
                let alpha = f64::from(c.clamp(0.0, 1.0));
                backend.draw_pixel(at, BackendColor { alpha, rgb })?;
            }
        }
        Ok(())
    }
}

/// `text` cut with "…" so it is at most `max_px` wide; `None` if nothing fits.
pub fn fit(
    fonts: &'static Fonts,
    text: &str,
    size: f32,
    color: RGBColor,
    max_px: i32,
) -> Option<Label> {
    let full = Label::new(fonts, text, size, color);
    if full.width() <= max_px {
        return Some(full);
    }
    let chars: Vec<char> = text.chars().collect();
    let cut = |n: usize| chars[..n].iter().chain(['…'].iter()).collect::<String>();
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        match Label::new(fonts, &cut(mid), size, color).width() <= max_px {
            true => lo = mid,
            false => hi = mid - 1,
        }
    }
    (lo > 0).then(|| Label::new(fonts, &cut(lo), size, color))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::fonts::fonts;

    #[test]
    fn sticky_legend_is_drawn_with_chinese_glyphs() {
        let f = fonts().unwrap();
        let l = Label::new(f, "粘包", 15.0, BLACK);
        assert_eq!(l.glyphs.len(), 2, "drawn escaped");
        for (font, glyph) in &l.glyphs {
            assert!(font.outline_glyph(glyph.clone()).is_some(), "no outline");
        }
        // Two full-width glyphs: close to two ems wide at 15 px per em.
        assert!((28..=32).contains(&l.width()), "width {}", l.width());
    }

    #[test]
    fn a_character_no_face_has_is_drawn_as_its_escape() {
        let f = fonts().unwrap();
        let l = Label::new(f, "\u{10ffff}", 15.0, BLACK);
        assert_eq!(l.glyphs.len(), "\\u{10ffff}".len());
    }
}
