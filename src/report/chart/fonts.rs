//! Fonts for charts, found at run time among the system's TTF/OTF files and
//! registered with plotters' `ab_glyph` text renderer (no fontconfig needed).
//!
//! Latin text uses DejaVu Sans (Debian `fonts-dejavu-core`); text with CJK
//! characters such as 粘包 uses Noto Sans CJK (`fonts-noto-cjk`) or WenQuanYi
//! Zen Hei (`fonts-wqy-zenhei`) when one is installed. A character that no
//! loaded font has is shown escaped (`\u{4f60}`), never as an empty box.
//! `NIANBAO_FONT` and `NIANBAO_CJK_FONT` name other files to try first.

use super::ChartError;
use ab_glyph::{Font, FontRef};
use plotters::style::{register_font, FontStyle};
use std::borrow::Cow;
use std::sync::OnceLock;

/// plotters family name of the Latin font.
pub const SANS: &str = "nianbao-sans";
/// plotters family name of the CJK font.
pub const CJK: &str = "nianbao-cjk";

const SANS_FILES: [&str; 4] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
];

/// Collections (`.ttc`) are read at face 0, which is all plotters supports;
/// every face of these files has the Chinese glyphs.
const CJK_FILES: [&str; 5] = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
];

/// The fonts this process found.
pub struct Fonts {
    sans: Option<FontRef<'static>>,
    cjk: Option<FontRef<'static>>,
}

static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();

/// Loads the first readable font among `env` and `files` and registers it.
fn load(family: &str, env: &str, files: &[&str]) -> Option<FontRef<'static>> {
    let from_env = std::env::var(env).ok();
    for path in from_env
        .iter()
        .map(String::as_str)
        .chain(files.iter().copied())
    {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        // Fonts live for the whole process; plotters wants `&'static`.
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        if let Ok(font) = FontRef::try_from_slice(bytes) {
            if register_font(family, FontStyle::Normal, bytes).is_ok() {
                return Some(font);
            }
        }
    }
    None
}

fn init() -> Option<Fonts> {
    let sans = load(SANS, "NIANBAO_FONT", &SANS_FILES);
    let cjk = load(CJK, "NIANBAO_CJK_FONT", &CJK_FILES);
    (sans.is_some() || cjk.is_some()).then_some(Fonts { sans, cjk })
}

/// The process's fonts, loaded on first use.
pub fn fonts() -> Result<&'static Fonts, ChartError> {
    FONTS
        .get_or_init(init)
        .as_ref()
        .ok_or_else(|| ChartError::NoFont {
            searched: [&SANS_FILES[..], &CJK_FILES[..]].concat().join(", "),
        })
}

fn has(font: &FontRef<'_>, c: char) -> bool {
    c.is_whitespace() || font.glyph_id(c).0 != 0
}

/// Replaces every character `covered` rejects by its `\u{..}` escape.
pub fn escape_uncovered(text: &str, covered: impl Fn(char) -> bool) -> Cow<'_, str> {
    if text.chars().all(&covered) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match covered(c) {
            true => out.push(c),
            false => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

impl Fonts {
    /// The loaded faces, Latin first.
    pub fn faces(&self) -> impl Iterator<Item = &FontRef<'static>> {
        self.sans.iter().chain(self.cjk.iter())
    }

    /// The first face with a glyph for `c`.
    pub fn face_for(&self, c: char) -> Option<&FontRef<'static>> {
        self.faces().find(|f| has(f, c))
    }

    /// Whether a CJK font was found.
    pub fn has_cjk(&self) -> bool {
        self.cjk.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_only_uncovered_characters() {
        let ascii = |c: char| c.is_ascii();
        assert_eq!(escape_uncovered("hello", ascii), "hello");
        assert_eq!(
            escape_uncovered("sticky 粘包", ascii),
            "sticky \\u{7c98}\\u{5305}"
        );
    }

    #[test]
    fn latin_comes_from_the_first_face() {
        let f = fonts().expect("a system font");
        assert!(f.face_for('a').is_some());
        assert!(f.face_for('\u{10ffff}').is_none());
        assert_eq!(f.face_for('粘').is_some(), f.has_cjk());
    }
}
