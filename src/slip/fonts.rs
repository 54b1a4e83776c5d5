//! The slip's fonts: BIZ UDPGothic regular and bold (Morisawa, SIL OFL 1.1), bundled.
//!
//! `ab_glyph` rather than `fontdue`: fontdue turns every glyph of a font into outlines when it
//! loads it — for this 20 000-glyph CJK face that took 83 ms and 75 MB of RSS per weight,
//! twice the kiosk's whole memory budget for two weights (PRODUCT.md §11). ab_glyph reads
//! outlines on demand from the font bytes (load ≈ 30 µs, < 1 MB; ≈ 2.5 µs per glyph drawn).

use std::fmt;
use std::path::{Path, PathBuf};

use ab_glyph::{Font, FontArc, GlyphId, PxScale, point};

use super::bitmap::Bitmap;

/// The bundled BIZ UDPGothic, once in the binary for the slip and the kiosk's line breaking.
pub static REGULAR: &[u8] = include_bytes!("../../assets/fonts/BIZUDPGothic-Regular.ttf");
pub static BOLD: &[u8] = include_bytes!("../../assets/fonts/BIZUDPGothic-Bold.ttf");

/// Coverage from which a dot is printed: a little under half, so thin strokes of small kana
/// and ruby survive the 1-bit threshold.
const INK_THRESHOLD: f32 = 0.42;

/// A font file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontError {
    pub path: Option<PathBuf>,
    pub problem: String,
}

impl fmt::Display for FontError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self
            .path
            .as_ref()
            .map_or_else(|| "bundled font".to_string(), |p| p.display().to_string());
        write!(
            f,
            "受付票のフォント {p} を使えません（{}）。TrueType/OpenType のフォントファイルを指定してください。 / Cannot use the slip font {p} ({}): give a TrueType/OpenType font file.",
            self.problem, self.problem
        )
    }
}

impl std::error::Error for FontError {}

/// Regular and bold faces. Cheap to clone (shared); make it once and reuse it for every slip.
#[derive(Clone)]
pub struct SlipFonts {
    regular: Face,
    bold: Face,
}

impl fmt::Debug for SlipFonts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SlipFonts")
    }
}

#[derive(Clone)]
struct Face {
    font: FontArc,
    /// ab_glyph scales by ascent − descent; this converts an em size in pixels to that.
    em_to_scale: f32,
    units_per_em: f32,
    /// Ascent and descent (positive) per em.
    ascent: f32,
    descent: f32,
}

impl Face {
    fn new(font: FontArc, path: Option<&Path>) -> Result<Face, FontError> {
        let upem = font
            .units_per_em()
            .filter(|u| *u > 0.0)
            .ok_or_else(|| FontError {
                path: path.map(Path::to_path_buf),
                problem: "no units per em".into(),
            })?;
        let height = font.height_unscaled();
        if height <= 0.0 || font.glyph_id('あ') == GlyphId(0) {
            return Err(FontError {
                path: path.map(Path::to_path_buf),
                problem: "the font has no Japanese glyphs".into(),
            });
        }
        Ok(Face {
            em_to_scale: height / upem,
            units_per_em: upem,
            ascent: font.ascent_unscaled() / upem,
            descent: -font.descent_unscaled() / upem,
            font,
        })
    }

    fn scale(&self, px: f32) -> PxScale {
        PxScale::from(px * self.em_to_scale)
    }
}

impl SlipFonts {
    /// The bundled BIZ UDPGothic faces.
    pub fn bundled() -> Result<SlipFonts, FontError> {
        let face = |bytes: &'static [u8]| {
            FontArc::try_from_slice(bytes)
                .map_err(|e| FontError {
                    path: None,
                    problem: e.to_string(),
                })
                .and_then(|f| Face::new(f, None))
        };
        Ok(SlipFonts {
            regular: face(REGULAR)?,
            bold: face(BOLD)?,
        })
    }

    /// Fonts from files (e.g. a centre's own). `bold` may be the same file as `regular`.
    pub fn from_files(regular: &Path, bold: &Path) -> Result<SlipFonts, FontError> {
        let face = |path: &Path| {
            let bytes = std::fs::read(path).map_err(|e| FontError {
                path: Some(path.to_path_buf()),
                problem: e.to_string(),
            })?;
            let font = FontArc::try_from_vec(bytes).map_err(|e| FontError {
                path: Some(path.to_path_buf()),
                problem: e.to_string(),
            })?;
            Face::new(font, Some(path))
        };
        Ok(SlipFonts {
            regular: face(regular)?,
            bold: face(bold)?,
        })
    }

    fn face(&self, bold: bool) -> &Face {
        if bold { &self.bold } else { &self.regular }
    }

    /// Advance width of `c` at an em size of `px`.
    pub(crate) fn advance(&self, c: char, px: f32, bold: bool) -> f32 {
        let f = self.face(bold);
        let id = f.font.glyph_id(c);
        f.font.h_advance_unscaled(id) * px / f.units_per_em
    }

    /// Ascent and descent in pixels at an em size of `px`.
    pub(crate) fn ascent_descent(&self, px: f32, bold: bool) -> (f32, f32) {
        let f = self.face(bold);
        (f.ascent * px, f.descent * px)
    }

    /// Draws `c` with its pen at (x, baseline), thresholded to 1 bit.
    pub(crate) fn draw(
        &self,
        bmp: &mut Bitmap,
        c: char,
        px: f32,
        bold: bool,
        x: f32,
        baseline: f32,
    ) {
        let f = self.face(bold);
        let glyph = f
            .font
            .glyph_id(c)
            .with_scale_and_position(f.scale(px), point(x, baseline));
        if let Some(outline) = f.font.outline_glyph(glyph) {
            let b = outline.px_bounds();
            let (x0, y0) = (b.min.x as i32, b.min.y as i32);
            outline.draw(|gx, gy, cov| {
                if cov >= INK_THRESHOLD {
                    bmp.set(x0 + gx as i32, y0 + gy as i32);
                }
            });
        }
    }
}
