//! The take-home sheet as a 1-bit receipt raster (SHEET.md §2): the slip's dot width (576 on
//! 80 mm paper), its fonts, Japanese line breaking and furigana. Marked places are white on
//! black with their rank number, the others outlined: no greys anywhere. The paper stays
//! within [`MAX_DOTS`] (25 cm at the slip's 8 dots/mm): when the routes' details would pass
//! it, the last route's details are left out (its name stays, marked on the map) and the
//! sheet says 「くわしくは スタッフに」.
//!
//! Besides the bitmap, [`render`] reports every line of text it set (readings left out), so
//! tests read back what was printed without OCR.

use crate::lang::Lang;
use crate::slip::text::{Align, Column, Style, draw_lines, layout, line_box, line_plain};
use crate::slip::{Bitmap, DOTS_PER_MM, SlipFonts};

use super::{SheetData, labels, rank_mark};

/// 25 cm of paper at the slip's resolution (8 dots/mm, 203 dpi).
pub const MAX_DOTS: u32 = 250 * DOTS_PER_MM;

/// A rendered sheet.
#[derive(Debug, Clone)]
pub struct SheetRaster {
    pub bitmap: Bitmap,
    /// Every line of text set, top to bottom (base text only).
    pub lines: Vec<String>,
    /// How many routes' details were left out to stay within 25 cm.
    pub dropped: usize,
}

impl SheetRaster {
    /// The paper's length in millimetres.
    pub fn length_mm(&self) -> f32 {
        self.bitmap.height as f32 / DOTS_PER_MM as f32
    }
}

struct Pen<'a> {
    bmp: Bitmap,
    fonts: &'a SlipFonts,
    lang: Lang,
    y: i32,
    k: f32,
    col: Column,
    lines: Vec<String>,
    /// Unmarked places without their words (a tall sheet keeps the routes' details first).
    compact: bool,
}

impl Pen<'_> {
    fn gap(&self, d: f32) -> i32 {
        (d * self.k).round() as i32
    }

    fn skip(&mut self, d: f32) {
        self.y += self.gap(d);
    }

    fn st(&self, px: f32, bold: bool) -> Style {
        Style {
            px: (px * self.k).round(),
            bold,
        }
    }

    /// Sets `text` in `col` from `y`; returns the y below.
    fn text_at(&mut self, text: &str, style: Style, align: Align, col: Column, y: i32) -> i32 {
        let lines = layout(self.fonts, text, style, self.lang, col.width as f32);
        self.lines.extend(lines.iter().map(line_plain));
        draw_lines(&mut self.bmp, self.fonts, &lines, style, align, col, y)
    }

    fn para(&mut self, text: &str, style: Style, align: Align) {
        if text.trim().is_empty() {
            return;
        }
        self.y = self.text_at(text, style, align, self.col, self.y);
    }

    fn para_in(&mut self, text: &str, style: Style, col: Column) {
        if text.trim().is_empty() {
            return;
        }
        self.y = self.text_at(text, style, Align::Left, col, self.y);
    }

    /// The height `text` would take in `width`.
    fn measure(&self, text: &str, style: Style, width: i32) -> i32 {
        if text.trim().is_empty() {
            return 0;
        }
        layout(self.fonts, text, style, self.lang, width as f32)
            .iter()
            .map(|l| line_box(self.fonts, style, l.has_ruby).height)
            .sum()
    }

    fn frame(&mut self, x: i32, y: i32, w: i32, h: i32, t: i32) {
        self.bmp.grow((y + h).max(0) as u32);
        self.bmp.fill_rect(x, y, w, t);
        self.bmp.fill_rect(x, y + h - t, w, t);
        self.bmp.fill_rect(x, y, t, h);
        self.bmp.fill_rect(x + w - t, y, t, h);
    }

    fn dashed_rule(&mut self) {
        let thick = self.gap(2.0).max(2);
        self.bmp.grow((self.y + thick) as u32);
        let (dash, space) = (thick * 4, thick * 3);
        let Column { x: x0, width } = self.col;
        let mut x = x0;
        while x < x0 + width {
            self.bmp
                .fill_rect(x, self.y, dash.min(x0 + width - x), thick);
            x += dash + space;
        }
        self.y += thick;
    }

    /// One place's box: name (with its rank when marked) and words. Returns its height.
    fn place_box(&mut self, p: &super::PlaceView, x: i32, w: i32, y: i32, h: Option<i32>) -> i32 {
        let pad = self.gap(6.0);
        let border = self.gap(3.0).max(2);
        let name = match p.rank {
            Some(r) => format!("{} {}", rank_mark(r), p.name),
            None => p.name.clone(),
        };
        let (nst, wst) = (self.st(22.0, true), self.st(19.0, p.rank.is_some()));
        let inner = Column {
            x: x + border + pad,
            width: w - 2 * (border + pad),
        };
        // A compact map's marked places keep only their names: their words are in the details.
        let words = if self.compact { "" } else { p.words.as_str() };
        let need = 2 * (border + pad)
            + self.measure(&name, nst, inner.width)
            + self.measure(words, wst, inner.width);
        let Some(h) = h else {
            return need;
        };
        let y1 = self.text_at(&name, nst, Align::Left, inner, y + border + pad);
        if !words.is_empty() {
            self.text_at(words, wst, Align::Left, inner, y1);
        }
        self.bmp.grow((y + h) as u32);
        if p.rank.is_some() {
            // White on black: the text was set black on white; turn the whole box over.
            self.bmp.invert_rect(x, y, w, h);
        } else {
            self.frame(x, y, w, h, border);
        }
        need
    }

    fn map(&mut self, data: &SheetData) {
        let head = self.st(22.0, true);
        let gutter = self.gap(8.0);
        let pad = self.gap(10.0);
        for b in &data.branches {
            // The branch: its name white on a black band.
            let top = self.y;
            let c = Column {
                x: self.col.x + pad,
                width: self.col.width - 2 * pad,
            };
            self.y =
                self.text_at(&b.name, head, Align::Left, c, self.y + self.gap(2.0)) + self.gap(2.0);
            self.bmp.grow(self.y as u32);
            self.bmp
                .invert_rect(self.col.x, top, self.col.width, self.y - top);
            self.skip(6.0);
            // Its places, two to a row; a compact map lists the unmarked ones' names in one
            // outlined box under the marked ones.
            let w = (self.col.width - gutter) / 2;
            let boxed: Vec<&super::PlaceView> = b
                .places
                .iter()
                .filter(|p| !self.compact || p.rank.is_some())
                .collect();
            for row in boxed.chunks(2) {
                let h = row
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        self.place_box(p, self.col.x + i as i32 * (w + gutter), w, 0, None)
                    })
                    .max()
                    .unwrap_or(0);
                let y = self.y;
                for (i, p) in row.iter().enumerate() {
                    self.place_box(p, self.col.x + i as i32 * (w + gutter), w, y, Some(h));
                }
                self.y = y + h + self.gap(6.0);
            }
            let rest: Vec<&str> = b
                .places
                .iter()
                .filter(|p| self.compact && p.rank.is_none())
                .map(|p| p.name.as_str())
                .collect();
            if !rest.is_empty() {
                let sep = if self.lang == Lang::En {
                    " / "
                } else {
                    "　・　"
                };
                let border = self.gap(3.0).max(2);
                let top = self.y;
                let inner = Column {
                    x: self.col.x + border + pad,
                    width: self.col.width - 2 * (border + pad),
                };
                self.y = self.text_at(
                    &rest.join(sep),
                    self.st(20.0, true),
                    Align::Left,
                    inner,
                    top + border + self.gap(4.0),
                );
                self.y += border + self.gap(4.0);
                let (x, w) = (self.col.x, self.col.width);
                self.frame(x, top, w, self.y - top, border);
                self.y += self.gap(6.0);
            }
            self.skip(6.0);
        }
    }

    fn details(&mut self, data: &SheetData, keep: usize) {
        let lab = labels(self.lang);
        if !data.marked {
            self.para(lab.unmarked, self.st(22.0, false), Align::Left);
            return;
        }
        if data.details.is_empty() {
            self.para(lab.ask_staff, self.st(24.0, true), Align::Left);
            return;
        }
        self.para(lab.yours, self.st(26.0, true), Align::Left);
        self.skip(6.0);
        let indent = self.gap(32.0);
        let inner = Column {
            x: self.col.x + indent,
            width: self.col.width - indent,
        };
        let (name_st, body) = (self.st(24.0, true), self.st(20.0, false));
        let sep = if self.lang == Lang::En { ": " } else { "：" };
        for (i, d) in data.details.iter().enumerate() {
            self.para(
                &format!("{} {}", rank_mark(d.rank), d.name),
                name_st,
                Align::Left,
            );
            if i >= keep {
                self.para_in(lab.ask_staff, self.st(22.0, true), inner);
                self.skip(8.0);
                continue;
            }
            let facts: Vec<String> = d
                .facts
                .iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(l, v)| format!("{l}{sep}{v}"))
                .collect();
            self.para_in(&facts.join(" / "), body, inner);
            self.para_in(&format!("{}{sep}{}", lab.needs, d.needs), body, inner);
            self.para_in(&format!("{}{sep}{}", lab.apply, d.apply), body, inner);
            if let Some(c) = &d.contact {
                let mut parts = vec![c.name.clone()];
                parts.extend([c.address.clone()].into_iter().filter(|s| !s.is_empty()));
                if !c.phone.is_empty() {
                    parts.push(format!("{} {}", lab.phone, c.phone));
                }
                parts.extend([c.hours.clone()].into_iter().filter(|s| !s.is_empty()));
                self.para_in(
                    &format!("{}{sep}{}", lab.contact, parts.join(" ")),
                    self.st(20.0, true),
                    inner,
                );
            }
            self.skip(8.0);
        }
    }
}

fn render_keep(
    data: &SheetData,
    fonts: &SlipFonts,
    dots: u32,
    keep: usize,
    compact: bool,
) -> SheetRaster {
    let dots = dots.clamp(200, 2048);
    let margin = (dots / 36) as i32;
    let k = (dots as f32 / 576.0).sqrt();
    let mut p = Pen {
        bmp: Bitmap::new(dots, 0),
        fonts,
        lang: data.lang,
        y: (8.0 * k).round() as i32,
        k,
        col: Column {
            x: margin,
            width: dots as i32 - 2 * margin,
        },
        lines: Vec::new(),
        compact,
    };
    let lab = labels(data.lang);
    p.para(&data.centre_name, p.st(20.0, false), Align::Center);
    p.para(
        &data.title,
        p.st(if compact { 32.0 } else { 40.0 }, true),
        Align::Center,
    );
    p.para(
        &super::format_date(data.lang, data.date),
        p.st(22.0, false),
        Align::Center,
    );
    p.skip(10.0);
    // The root 「働きたい!!」 in a thick frame.
    let top = p.y;
    let border = p.gap(4.0);
    p.y += border + p.gap(2.0);
    p.para(&data.root, p.st(28.0, true), Align::Center);
    p.y += p.gap(2.0) + border;
    let (x, w) = (p.col.x, p.col.width);
    p.frame(x, top, w, p.y - top, border);
    p.skip(10.0);
    if data.marked && !data.details.is_empty() {
        p.para(lab.legend, p.st(20.0, false), Align::Left);
        p.skip(6.0);
    }
    p.map(data);
    p.dashed_rule();
    p.skip(12.0);
    p.details(data, keep);
    p.skip(4.0);
    p.dashed_rule();
    p.skip(12.0);
    p.para(&data.procedures, p.st(22.0, true), Align::Left);
    p.skip(6.0);
    p.para(&data.centre_name, p.st(22.0, true), Align::Center);
    let contact: Vec<String> = [(lab.phone, &data.phone), (lab.hours, &data.hours)]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(l, v)| format!("{l} {v}"))
        .collect();
    p.para(&contact.join("　"), p.st(22.0, false), Align::Center);
    p.skip(20.0);
    let mut bmp = p.bmp;
    let height = p.y.max(1) as u32;
    bmp.grow(height);
    bmp.truncate(height);
    SheetRaster {
        bitmap: bmp,
        lines: p.lines,
        dropped: data.details.len().saturating_sub(keep),
    }
}

/// Renders the sheet `dots` wide, within [`MAX_DOTS`]: if the whole sheet would be longer,
/// the third route's details are left out (SHEET.md §2); if it is still too long, the map
/// gets compact (marked places by name, the unmarked ones' names listed in one box per
/// branch), and then routes' details go from the last on.
pub fn render(data: &SheetData, fonts: &SlipFonts, dots: u32) -> SheetRaster {
    let n = data.details.len();
    // (details kept, compact map), best first: with three routes the third's details go
    // first (SHEET.md §2): (3), (2), (2, compact), (1, c), (0, c); with one: (1), (1, c), (0, c).
    let mut tries = vec![(n, false)];
    let start = if n >= 3 {
        tries.push((n - 1, false));
        n - 1
    } else {
        n
    };
    tries.extend((0..=start).rev().map(|k| (k, true)));
    let mut out = None;
    for (keep, compact) in tries {
        let r = render_keep(data, fonts, dots, keep, compact);
        let fits = r.bitmap.height <= MAX_DOTS;
        out = Some(r);
        if fits {
            break;
        }
    }
    out.unwrap_or_else(|| render_keep(data, fonts, dots, 0, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::tests::sample;

    fn fonts() -> SlipFonts {
        SlipFonts::bundled().unwrap()
    }

    #[test]
    fn names_routes_and_phones_as_text_within_25_cm() {
        let f = fonts();
        for lang in Lang::ALL {
            let s = sample(
                lang,
                "goal=work_now,days=d5,health=stable,income=salary,disclose=open,techo=yes",
                true,
            );
            let r = render(&s, &f, 576);
            assert!(r.bitmap.height <= MAX_DOTS, "{lang}: {}", r.bitmap.height);
            let all = r.lines.join("\n");
            assert!(all.contains("072-675-0600"), "{lang}: {all}");
            assert!(all.contains("072-000-0000"), "{lang}: {all}");
            assert!(all.contains('①'), "{lang}: {all}");
            // Nothing that links it to the visit.
            assert!(
                !all.contains("受付番号") && !all.contains("Receipt"),
                "{all}"
            );
        }
    }

    #[test]
    fn marked_places_are_white_on_black_and_unmarked_sheets_mark_nothing() {
        let f = fonts();
        let s = sample(Lang::Ja, "goal=place_to_go,days=d1_2,health=unstable", true);
        let r = render(&s, &f, 576);
        let u = render(
            &sample(
                Lang::Ja,
                "goal=place_to_go,days=d1_2,health=unstable",
                false,
            ),
            &f,
            576,
        );
        // A marked box is mostly black; the unmarked sheet has far less ink.
        assert!(r.bitmap.count_black() > u.bitmap.count_black() + 20_000);
        assert!(!u.lines.join("").contains('①'));
        assert!(u.lines.iter().any(|l| l.contains("地図だけ")));
    }
}
