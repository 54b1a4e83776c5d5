//! The take-home sheet as one A4 page (SHEET.md §2), for kiosks that print on a CUPS printer:
//! the map across the top (marked places black with white text and their rank number, the
//! others outlined), the routes' details below, the 「※手続きは…」 line and the centre's
//! name, phone and hours at the foot. Drawn with krilla like the meeting record: the bundled
//! BIZ UDPGothic is subset and embedded with ToUnicode maps, so the text can be extracted
//! (pdftotext). やさしいにほんご's readings are set above their kanji.

use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

use crate::content::text::parse_ruby;
use crate::lang::Lang;

use super::{SheetData, labels, rank_mark};

const MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const LEFT: f32 = 14.0 * MM;
const TOP: f32 = 14.0 * MM;
const TEXT_W: f32 = PAGE_W - 2.0 * LEFT;
const RUBY: f32 = 0.5;
const NO_START: &str =
    "、。，．）」』】〉》ー々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ・：；！？〜)]},.:;!?”’";
const NO_END: &str = "（「『【〈《〔［｛([{“‘";

struct Metrics<'a> {
    face: ttf_parser::Face<'a>,
    upem: f32,
}

impl<'a> Metrics<'a> {
    fn new(data: &'a [u8]) -> Result<Self, String> {
        let face = ttf_parser::Face::parse(data, 0)
            .map_err(|e| format!("the bundled font cannot be read ({e})"))?;
        let upem = f32::from(face.units_per_em().max(1));
        Ok(Metrics { face, upem })
    }

    fn width(&self, s: &str, size: f32) -> f32 {
        s.chars()
            .map(|c| {
                let g = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
                f32::from(self.face.glyph_hor_advance(g).unwrap_or(0)) * size / self.upem
            })
            .sum()
    }
}

#[derive(Debug, Clone, Copy)]
struct Style {
    size: f32,
    bold: bool,
    white: bool,
}

const fn st(size: f32, bold: bool) -> Style {
    Style {
        size,
        bold,
        white: false,
    }
}

#[derive(Debug, Clone)]
struct Atom {
    base: String,
    ruby: Option<String>,
    width: f32,
    space: bool,
}

#[derive(Debug)]
enum Op {
    /// x, baseline, style, text.
    Text(f32, f32, Style, String),
    /// x, y, w, h, black fill.
    Fill([f32; 4]),
    /// x, y, w, h, stroke width.
    Frame([f32; 4], f32),
}

struct Page<'a> {
    reg: &'a Metrics<'a>,
    bold: &'a Metrics<'a>,
    lang: Lang,
    ops: Vec<Op>,
}

impl Page<'_> {
    fn m(&self, s: Style) -> &Metrics<'_> {
        if s.bold { self.bold } else { self.reg }
    }

    fn atoms(&self, text: &str, s: Style) -> Vec<Atom> {
        let segs = parse_ruby(text).unwrap_or_default();
        let mut out = Vec::new();
        for seg in segs {
            match seg.ruby.filter(|_| self.lang == Lang::JaEasy) {
                Some(r) => {
                    let w = self
                        .m(s)
                        .width(&seg.base, s.size)
                        .max(self.m(s).width(&r, s.size * RUBY));
                    out.push(Atom {
                        base: seg.base,
                        ruby: Some(r),
                        width: w,
                        space: false,
                    });
                }
                None => out.extend(seg.base.chars().map(|c| Atom {
                    base: c.to_string(),
                    ruby: None,
                    width: self.m(s).width(&c.to_string(), s.size),
                    space: c == ' ',
                })),
            }
        }
        out
    }

    /// Lines of atoms no wider than `w`: kinsoku, whole Latin words, spaces preferred.
    fn wrap(&self, text: &str, s: Style, w: f32) -> Vec<Vec<Atom>> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let atoms = self.atoms(para, s);
            let mut start = 0;
            while start < atoms.len() {
                while start < atoms.len() && atoms[start].space {
                    start += 1;
                }
                if start >= atoms.len() {
                    break;
                }
                let (mut i, mut x) = (start, 0.0);
                while i < atoms.len()
                    && (atoms[i].space || x + atoms[i].width <= w + 0.01 || i == start)
                {
                    x += atoms[i].width;
                    i += 1;
                }
                let end = if i >= atoms.len() {
                    atoms.len()
                } else {
                    let ok = |b: usize| {
                        let (a, n) = (&atoms[b - 1], &atoms[b]);
                        let (al, nf) = (
                            a.base.chars().last().unwrap_or(' '),
                            n.base.chars().next().unwrap_or(' '),
                        );
                        !NO_START.contains(nf)
                            && !NO_END.contains(al)
                            && ((al as u32) >= 0x2000
                                || (nf as u32) >= 0x2000
                                || a.space
                                || n.space)
                    };
                    let spaced = (start + 1..=i).rev().find(|&b| atoms[b - 1].space);
                    let prefer_space = self.lang != Lang::Ja;
                    spaced
                        .filter(|_| prefer_space)
                        .or_else(|| (start + 1..=i).rev().find(|&b| ok(b)))
                        .unwrap_or(i)
                };
                let mut line: Vec<Atom> = atoms[start..end].to_vec();
                while line.last().is_some_and(|a| a.space) {
                    line.pop();
                }
                lines.push(line);
                start = end;
            }
        }
        lines
    }

    /// Sets `text` at (x, y) in width `w`; returns the y below it.
    fn text(&mut self, text: &str, s: Style, x: f32, y: f32, w: f32, center: bool) -> f32 {
        let mut y = y;
        for line in self.wrap(text, s, w) {
            let ruby = line.iter().any(|a| a.ruby.is_some());
            let band = if ruby { s.size * RUBY * 1.1 } else { 0.0 };
            let lw: f32 = line.iter().map(|a| a.width).sum();
            let mut cx = if center {
                x + ((w - lw) / 2.0).max(0.0)
            } else {
                x
            };
            let base = y + band + s.size * 1.05;
            for a in &line {
                let bw = self.m(s).width(&a.base, s.size);
                if !a.space {
                    self.ops
                        .push(Op::Text(cx + (a.width - bw) / 2.0, base, s, a.base.clone()));
                }
                if let Some(r) = &a.ruby {
                    let rs = Style {
                        size: s.size * RUBY,
                        ..s
                    };
                    let rw = self.m(rs).width(r, rs.size);
                    self.ops.push(Op::Text(
                        cx + (a.width - rw) / 2.0,
                        y + band * 0.85,
                        rs,
                        r.clone(),
                    ));
                }
                cx += a.width;
            }
            y += band + s.size * 1.4;
        }
        y
    }

    fn height(&self, text: &str, s: Style, w: f32) -> f32 {
        self.wrap(text, s, w)
            .iter()
            .map(|l| {
                let ruby = l.iter().any(|a| a.ruby.is_some());
                (if ruby { s.size * RUBY * 1.1 } else { 0.0 }) + s.size * 1.4
            })
            .sum()
    }
}

fn layout(data: &SheetData, reg: &Metrics, bold: &Metrics) -> Vec<Op> {
    let mut p = Page {
        reg,
        bold,
        lang: data.lang,
        ops: Vec::new(),
    };
    let lab = labels(data.lang);
    let mut y = TOP;
    y = p.text(&data.centre_name, st(9.5, false), LEFT, y, TEXT_W, false);
    let date = super::format_date(data.lang, data.date);
    let dw = reg.width(&crate::content::text::plain(&date), 10.0) + 4.0;
    p.text(&date, st(10.0, false), LEFT + TEXT_W - dw, y, dw, false);
    y = p.text(&data.title, st(20.0, true), LEFT, y, TEXT_W - dw, false) + 4.0;
    // The root.
    let rw = 200.0;
    let rx = LEFT + (TEXT_W - rw) / 2.0;
    let top = y;
    y = p.text(&data.root, st(14.0, true), rx, y + 4.0, rw, true) + 2.0;
    p.ops.push(Op::Frame([rx, top, rw, y - top], 1.6));
    y += 8.0;
    // The branches side by side.
    let n = data.branches.len().max(1) as f32;
    let gap = 6.0;
    let cw = (TEXT_W - gap * (n - 1.0)) / n;
    let map_top = y;
    let mut bottom = y;
    for (i, b) in data.branches.iter().enumerate() {
        let x = LEFT + i as f32 * (cw + gap);
        let hs = Style {
            white: true,
            ..st(10.5, true)
        };
        let hh = p.height(&b.name, hs, cw - 8.0) + 4.0;
        p.ops.push(Op::Fill([x, map_top, cw, hh]));
        let mut cy = p.text(&b.name, hs, x + 4.0, map_top + 1.0, cw - 8.0, true) + 7.0;
        for pl in &b.places {
            let white = pl.rank.is_some();
            let name = match pl.rank {
                Some(r) => format!("{} {}", rank_mark(r), pl.name),
                None => pl.name.clone(),
            };
            let ns = Style {
                white,
                ..st(9.0, true)
            };
            let ws = Style {
                white,
                ..st(8.0, white)
            };
            let h = p.height(&name, ns, cw - 8.0) + p.height(&pl.words, ws, cw - 8.0) + 6.0;
            if white {
                p.ops.push(Op::Fill([x, cy, cw, h]));
            } else {
                p.ops.push(Op::Frame([x, cy, cw, h], 0.8));
            }
            let ny = p.text(&name, ns, x + 4.0, cy + 2.0, cw - 8.0, false);
            p.text(&pl.words, ws, x + 4.0, ny, cw - 8.0, false);
            cy += h + 5.0;
        }
        bottom = bottom.max(cy);
    }
    y = bottom + 2.0;
    if data.marked && !data.details.is_empty() {
        y = p.text(lab.legend, st(8.5, false), LEFT, y, TEXT_W, false);
    }
    p.ops.push(Op::Fill([LEFT, y + 4.0, TEXT_W, 0.8]));
    y += 12.0;
    // The routes' details.
    let sep = if data.lang == Lang::En { ": " } else { "：" };
    let body = st(10.0, false);
    if !data.marked {
        y = p.text(lab.unmarked, body, LEFT, y, TEXT_W, false);
    } else if data.details.is_empty() {
        y = p.text(lab.ask_staff, st(11.0, true), LEFT, y, TEXT_W, false);
    } else {
        y = p.text(lab.yours, st(12.0, true), LEFT, y, TEXT_W, false) + 2.0;
        let ind = LEFT + 16.0;
        let iw = TEXT_W - 16.0;
        for d in &data.details {
            y = p.text(
                &format!("{} {}", rank_mark(d.rank), d.name),
                st(11.5, true),
                LEFT,
                y,
                TEXT_W,
                false,
            );
            let facts: Vec<String> = d
                .facts
                .iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(l, v)| format!("{l}{sep}{v}"))
                .collect();
            y = p.text(&facts.join(" / "), body, ind, y, iw, false);
            y = p.text(
                &format!("{}{sep}{}", lab.needs, d.needs),
                body,
                ind,
                y,
                iw,
                false,
            );
            y = p.text(
                &format!("{}{sep}{}", lab.apply, d.apply),
                body,
                ind,
                y,
                iw,
                false,
            );
            if let Some(c) = &d.contact {
                let mut parts = vec![c.name.clone()];
                parts.extend([c.address.clone()].into_iter().filter(|s| !s.is_empty()));
                if !c.phone.is_empty() {
                    parts.push(format!("{} {}", lab.phone, c.phone));
                }
                parts.extend([c.hours.clone()].into_iter().filter(|s| !s.is_empty()));
                y = p.text(
                    &format!("{}{sep}{}", lab.contact, parts.join(" ")),
                    st(10.0, true),
                    ind,
                    y,
                    iw,
                    false,
                );
            }
            y += 6.0;
        }
    }
    // The foot: pinned to the bottom of the page unless the details reach it.
    let mut foot = vec![(data.procedures.clone(), st(11.0, true), false)];
    foot.push((data.centre_name.clone(), st(11.0, true), true));
    let contact: Vec<String> = [(lab.phone, &data.phone), (lab.hours, &data.hours)]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(l, v)| format!("{l} {v}"))
        .collect();
    if !contact.is_empty() {
        foot.push((contact.join("　"), st(10.5, false), true));
    }
    let fh: f32 = foot
        .iter()
        .map(|(t, s, _)| p.height(t, *s, TEXT_W))
        .sum::<f32>()
        + 10.0;
    let mut fy = (PAGE_H - TOP - fh).max(y + 6.0);
    p.ops.push(Op::Fill([LEFT, fy, TEXT_W, 0.8]));
    fy += 6.0;
    for (t, s, c) in foot {
        fy = p.text(&t, s, LEFT, fy, TEXT_W, c);
    }
    p.ops
}

fn rect([x, y, w, h]: [f32; 4]) -> Option<krilla::geom::Path> {
    let mut pb = PathBuilder::new();
    pb.push_rect(Rect::from_xywh(x, y, w, h)?);
    pb.finish()
}

fn draw(s: &mut Surface, op: &Op, reg: &Font, bold: &Font) {
    let black = luma::Color::new(0);
    match op {
        Op::Text(x, y, style, text) => {
            let c = if style.white {
                luma::Color::new(255)
            } else {
                black
            };
            s.set_stroke(None);
            s.set_fill(Some(Fill {
                paint: c.into(),
                ..Fill::default()
            }));
            let font = if style.bold {
                bold.clone()
            } else {
                reg.clone()
            };
            s.draw_text(
                Point::from_xy(*x, *y),
                font,
                style.size,
                text,
                false,
                TextDirection::LeftToRight,
            );
        }
        Op::Fill(r) => {
            s.set_stroke(None);
            s.set_fill(Some(Fill {
                paint: black.into(),
                ..Fill::default()
            }));
            if let Some(path) = rect(*r) {
                s.draw_path(&path);
            }
        }
        Op::Frame(r, w) => {
            s.set_fill(None);
            s.set_stroke(Some(Stroke {
                paint: black.into(),
                width: *w,
                ..Stroke::default()
            }));
            if let Some(path) = rect(*r) {
                s.draw_path(&path);
            }
        }
    }
}

/// The sheet as a one-page A4 PDF with the bundled fonts.
pub fn render(data: &SheetData) -> Result<Vec<u8>, String> {
    use crate::slip::fonts::{BOLD, REGULAR};
    let reg_m = Metrics::new(REGULAR)?;
    let bold_m = Metrics::new(BOLD)?;
    let reg =
        Font::new(REGULAR.to_vec().into(), 0).ok_or("the bundled regular font cannot be used")?;
    let bold = Font::new(BOLD.to_vec().into(), 0).ok_or("the bundled bold font cannot be used")?;
    let ops = layout(data, &reg_m, &bold_m);
    let size = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("invalid page size")?;
    let mut document = Document::new();
    let meta = Metadata::new().title(crate::content::text::plain(&data.title));
    document
        .set_metadata(meta.language(if data.lang == Lang::En { "en" } else { "ja" }.to_string()));
    let mut page = document.start_page_with(size);
    let mut surface = page.surface();
    for op in &ops {
        draw(&mut surface, op, &reg, &bold);
    }
    surface.finish();
    page.finish();
    document
        .finish()
        .map_err(|e| format!("the PDF could not be made ({e:?})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::tests::sample;

    #[test]
    fn one_a4_page_in_every_language() {
        for lang in Lang::ALL {
            let s = sample(
                lang,
                "goal=train_first,days=d5,commute=far_ok,health=stable",
                true,
            );
            let pdf = render(&s).unwrap();
            assert!(pdf.starts_with(b"%PDF-"));
        }
    }
}
