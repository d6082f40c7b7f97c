//! Fonts for charts, compiled into the binary so that a chart comes out the
//! same on every machine, whatever fonts it has installed, and registered
//! with plotters' `ab_glyph` text renderer.
//!
//! Latin text uses a subset of DejaVu Sans; CJK text such as 粘包 uses a
//! subset of Noto Sans CJK SC (all of GB2312, CJK punctuation, full-width
//! forms). `assets/fonts/` holds both, their licences and the script that
//! makes them. A character neither face has is shown escaped (`\u{4f60}`),
//! never as an empty box.

use super::ChartError;
use ab_glyph::{Font, FontRef, InvalidFont};
use plotters::style::{register_font, FontStyle};
use std::sync::OnceLock;

/// plotters family name of the Latin font.
pub const SANS: &str = "nianbao-sans";

/// DejaVu Sans: Latin, Greek, Cyrillic, punctuation, arrows, box drawing.
static SANS_FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-subset.ttf");
/// Noto Sans CJK SC: GB2312 and the CJK characters the repository uses.
static CJK_FONT: &[u8] = include_bytes!("../../../assets/fonts/NotoSansCJKsc-Regular-subset.otf");

/// The embedded faces.
pub struct Fonts {
    sans: FontRef<'static>,
    cjk: FontRef<'static>,
}

/// The file name of an embedded font that did not parse, and why.
type Unreadable = (&'static str, InvalidFont);

static FONTS: OnceLock<Result<Fonts, Unreadable>> = OnceLock::new();

fn parse(name: &'static str, bytes: &'static [u8]) -> Result<FontRef<'static>, Unreadable> {
    FontRef::try_from_slice(bytes).map_err(|e| (name, e))
}

fn init() -> Result<Fonts, Unreadable> {
    let sans_name = "DejaVuSans-subset.ttf";
    let sans = parse(sans_name, SANS_FONT)?;
    let cjk = parse("NotoSansCJKsc-Regular-subset.otf", CJK_FONT)?;
    // plotters draws axis labels itself, with DejaVu only. Its error is its own
    // opaque type for the same ab_glyph parse that just succeeded.
    register_font(SANS, FontStyle::Normal, SANS_FONT).map_err(|_| (sans_name, InvalidFont))?;
    Ok(Fonts { sans, cjk })
}

/// The embedded fonts, parsed on first use.
pub fn fonts() -> Result<&'static Fonts, ChartError> {
    FONTS
        .get_or_init(init)
        .as_ref()
        .map_err(|&(name, source)| ChartError::BadFont { name, source })
}

fn has(font: &FontRef<'_>, c: char) -> bool {
    c.is_whitespace() || font.glyph_id(c).0 != 0
}

impl Fonts {
    /// The faces, Latin first.
    pub fn faces(&self) -> impl Iterator<Item = &FontRef<'static>> {
        [&self.sans, &self.cjk].into_iter()
    }

    /// The first face with a glyph for `c`.
    pub fn face_for(&self, c: char) -> Option<&FontRef<'static>> {
        self.faces().find(|f| has(f, c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Fate;
    use crate::report::chart::common::{kind_name, KINDS};

    /// Every chart module's source, so that any text literal a chart draws
    /// (legends, titles, `…`, `·`, `→`) is checked, comments included.
    const CHART_SOURCES: [&str; 11] = [
        include_str!("boundaries.rs"),
        include_str!("boundary_rows.rs"),
        include_str!("common.rs"),
        include_str!("compare.rs"),
        include_str!("fonts.rs"),
        include_str!("mod.rs"),
        include_str!("recv_sizes.rs"),
        include_str!("sweep_plot.rs"),
        include_str!("text.rs"),
        include_str!("timeline.rs"),
        include_str!("values.rs"),
    ];

    #[test]
    fn every_face_is_the_embedded_bytes() {
        // Nothing installed on the machine can change what charts draw with.
        let f = fonts().expect("embedded fonts parse");
        let data: Vec<*const u8> = f.faces().map(|x| x.font_data().as_ptr()).collect();
        assert_eq!(data, [SANS_FONT.as_ptr(), CJK_FONT.as_ptr()]);
    }

    #[test]
    fn latin_from_dejavu_chinese_from_noto() {
        let f = fonts().unwrap();
        let is =
            |c: char, face: &FontRef<'static>| f.face_for(c).is_some_and(|x| std::ptr::eq(x, face));
        for c in "whole merged µs ×–—…→·".chars() {
            assert!(is(c, &f.sans), "{c:?} not from DejaVu");
        }
        for c in "粘包分你好世界，。、（）".chars() {
            assert!(is(c, &f.cjk), "{c:?} not from Noto Sans CJK");
        }
        assert!(f.face_for('\u{10ffff}').is_none());
    }

    #[test]
    fn every_legend_and_chart_character_has_a_glyph() {
        let f = fonts().unwrap();
        let legends = KINDS.map(kind_name).into_iter();
        let fates = Fate::ALL.iter().map(|x| x.as_str());
        for text in legends.chain(fates).chain(CHART_SOURCES) {
            for c in text.chars().filter(|c| !c.is_control()) {
                assert!(f.face_for(c).is_some(), "no glyph for {c:?} in {text:?}");
            }
        }
    }
}
