//! Line breaking for ruby text. Slint lays out plain text itself, but text with furigana is a
//! row of words (ui/widgets/ruby_text.slint); its lines are decided here, by measuring each
//! word with the same BIZ UDPGothic font the UI draws with (glyph advances from the font's
//! own tables). A text then reports an exact height for its width, so nothing overlaps.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::kiosk::rtext::{Seg, Word};

/// The UI font's bytes (also embedded by Slint from ui/theme.slint). Public so other
/// in-process renderers (the slip) can reuse them instead of embedding another copy.
pub use crate::slip::fonts::{BOLD, REGULAR};

/// Reading size relative to the base text, and how far a reading may overhang (as in print,
/// a reading wider than its kanji may reach over the kana beside it): ruby_text.slint uses
/// the same numbers.
pub const RUBY_SCALE: f32 = 0.5;
pub const RUBY_OVERHANG: f32 = 0.78;
/// Space after a word that had a space in the text.
pub const WORD_GAP: f32 = 0.3;

struct Metrics {
    faces: [Option<ttf_parser::Face<'static>>; 2],
    /// (char, bold) → advance in em.
    cache: HashMap<(char, bool), f32>,
}

thread_local! {
    static METRICS: RefCell<Metrics> = RefCell::new(Metrics {
        faces: [ttf_parser::Face::parse(REGULAR, 0).ok(), ttf_parser::Face::parse(BOLD, 0).ok()],
        cache: HashMap::new(),
    });
}

/// Checks that the bundled fonts can be read (start-up check, before any window opens).
pub fn check_fonts() -> Result<(), String> {
    for (name, data) in [
        ("BIZUDPGothic-Regular.ttf", REGULAR),
        ("BIZUDPGothic-Bold.ttf", BOLD),
    ] {
        let face = ttf_parser::Face::parse(data, 0).map_err(|e| {
            format!(
                "assets/fonts/{name} is not a usable font ({e}): restore it from the repository"
            )
        })?;
        if face.glyph_index('働').is_none() || face.glyph_index('A').is_none() {
            return Err(format!(
                "assets/fonts/{name} lacks Japanese glyphs: restore the BIZ UDPGothic font from the repository"
            ));
        }
    }
    Ok(())
}

/// Width of `s` in em.
pub fn text_em(s: &str, bold: bool) -> f32 {
    METRICS.with(|m| {
        let mut m = m.borrow_mut();
        let mut total = 0.0;
        for c in s.chars() {
            let key = (c, bold);
            let w = match m.cache.get(&key) {
                Some(&w) => w,
                None => {
                    let w = m.faces[usize::from(bold)]
                        .as_ref()
                        .and_then(|f| {
                            let gid = f.glyph_index(c)?;
                            let adv = f.glyph_hor_advance(gid)?;
                            Some(f32::from(adv) / f32::from(f.units_per_em()))
                        })
                        .unwrap_or(1.0);
                    m.cache.insert(key, w);
                    w
                }
            };
            total += w;
        }
        total
    })
}

/// Width of one segment in px at `size` (the reading may be the wider part).
pub fn seg_px(seg: &Seg, size: f32, bold: bool) -> f32 {
    let base = text_em(&seg.base, bold) * size;
    let ruby = text_em(&seg.ruby, false) * size * RUBY_SCALE * RUBY_OVERHANG;
    base.max(ruby)
}

/// A word's width, 3 % generous: the renderer may space glyphs slightly differently, and a
/// line must never run past its box.
fn word_px(w: &Word, size: f32, bold: bool) -> f32 {
    w.segs.iter().map(|s| seg_px(s, size, bold)).sum::<f32>() * 1.03
}

/// Splits words into lines no wider than `width` px (a word wider than a line gets its own).
/// Returns indices into `words` per line.
pub fn break_lines(
    words: &[Word],
    width: f32,
    size: f32,
    bold: bool,
) -> Vec<std::ops::Range<usize>> {
    // Half a pixel of rounding: a text given its own natural width stays on one line.
    let width = width + 0.5;
    let mut lines = Vec::new();
    let mut start = 0;
    let mut used = 0.0f32;
    for (i, w) in words.iter().enumerate() {
        let wpx = word_px(w, size, bold);
        let gap_before = if i > start {
            gap_px(&words[i - 1], size)
        } else {
            0.0
        };
        if i > start && used + gap_before + wpx > width {
            lines.push(start..i);
            start = i;
            used = wpx;
        } else {
            used += gap_before + wpx;
        }
    }
    if start < words.len() {
        lines.push(start..words.len());
    }
    lines
}

fn gap_px(w: &Word, size: f32) -> f32 {
    if w.gap { size * WORD_GAP } else { 0.0 }
}

/// (natural width on one line, widest word) in px.
pub fn extent(words: &[Word], size: f32, bold: bool) -> (f32, f32) {
    let mut natural = 0.0f32;
    let mut widest = 0.0f32;
    for (i, w) in words.iter().enumerate() {
        let wpx = word_px(w, size, bold);
        widest = widest.max(wpx);
        natural += wpx
            + if i + 1 < words.len() {
                gap_px(w, size)
            } else {
                0.0
            };
    }
    (natural, widest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kiosk::rtext::RText;

    #[test]
    fn fonts_are_usable() {
        assert!(check_fonts().is_ok());
        // Full-width kanji is 1 em; Latin letters are narrower in the proportional font.
        assert!((text_em("働", false) - 1.0).abs() < 0.01);
        assert!(text_em("i", false) < 0.5);
    }

    #[test]
    fn lines_fit_and_keep_order() {
        let t = RText::from_markup(
            "8つの {質問|しつもん}に こたえると、あなたに あいそうな {働|はたら}きかたが わかります。",
            true,
        );
        let size = 34.0;
        let (natural, widest) = extent(&t.words, size, false);
        assert!(natural > widest && widest > 0.0);
        let lines = break_lines(&t.words, natural / 2.0, size, false);
        assert!(lines.len() >= 2);
        assert_eq!(lines.first().map(|l| l.start), Some(0));
        assert_eq!(lines.last().map(|l| l.end), Some(t.words.len()));
        for l in &lines {
            let (w, _) = extent(&t.words[l.clone()], size, false);
            assert!(w <= natural / 2.0 + 0.5 || l.len() == 1);
        }
        assert_eq!(break_lines(&t.words, natural + 10.0, size, false).len(), 1);
    }
}
