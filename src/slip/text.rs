//! Paragraph layout for the slip: Japanese line breaking with kinsoku (JIS X 4051, strict),
//! English breaking at spaces, and ruby (furigana) over its base for やさしいにほんご.
//!
//! Text is cut into atoms: one per character, except that a ruby base with its reading is one
//! atom and never split. Between two atoms a line may break unless the next one must not start
//! a line (。、」）ー, small kana, …), the previous one must not end it (「（), or both are parts
//! of one Latin word. Where the language writes spaces between phrases (English, and the
//! 分かち書き of やさしいにほんご) a break at a space is preferred.

use crate::content::text::{Segment, parse_ruby};
use crate::lang::Lang;

use super::bitmap::Bitmap;
use super::fonts::SlipFonts;

/// Must not begin a line.
const NO_START: &str = "、。，．,.・：；:;？！?!ー－―‐–〜～゠)）]］}｝〕〉》」』】〙〗〟’”｠»%％‰℃°′″ヽヾゝゞ々〻ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ";
/// Must not end a line.
const NO_END: &str = "(（[［{｛〔〈《「『【〘〖〝‘“｟«";

/// Readings are drawn at this fraction of the base size.
pub(crate) const RUBY_RATIO: f32 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Style {
    pub px: f32,
    pub bold: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
}

#[derive(Debug, Clone)]
struct Atom {
    base: String,
    ruby: Option<String>,
    /// Advance: the base, widened where the reading is longer and cannot overhang.
    width: f32,
    base_width: f32,
    ruby_width: f32,
    /// Where base and reading start, from the atom's pen position (the reading may start
    /// left of it, over the previous character).
    base_off: f32,
    ruby_off: f32,
    first: char,
    last: char,
    space: bool,
}

/// One laid-out line.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    atoms: Vec<Atom>,
    pub width: f32,
    pub has_ruby: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prio {
    Char,
    Space,
}

fn is_word(c: char) -> bool {
    (c as u32) < 0x2000 && !c.is_whitespace()
}

/// May a line break between `a` and `b`, and how good a place is it?
fn opportunity(a: &Atom, b: &Atom) -> Option<Prio> {
    if b.space {
        return None;
    }
    if a.space {
        return Some(Prio::Space);
    }
    if NO_START.contains(b.first)
        || NO_END.contains(a.last)
        || (is_word(a.last) && is_word(b.first))
    {
        return None;
    }
    Some(Prio::Char)
}

fn ruby_px(px: f32) -> f32 {
    (px * RUBY_RATIO).max(11.0)
}

/// Clear space between a reading and the top of its base.
fn ruby_gap(px: f32) -> f32 {
    (px * 0.08).round().max(2.0)
}

/// Cuts `text` (ruby markup allowed) into atoms. Readings are kept only for `ja-easy`.
fn atoms(fonts: &SlipFonts, text: &str, style: Style, lang: Lang) -> Vec<Atom> {
    let segs = parse_ruby(text).unwrap_or_else(|_| {
        vec![Segment {
            base: text.to_string(),
            ruby: None,
        }]
    });
    let adv = |s: &str, px: f32| {
        s.chars()
            .map(|c| fonts.advance(c, px, style.bold))
            .sum::<f32>()
    };
    let mut out = Vec::new();
    for seg in segs {
        match seg.ruby.filter(|_| lang == Lang::JaEasy) {
            Some(ruby) => {
                let base_width = adv(&seg.base, style.px);
                let ruby_width = adv(&ruby, ruby_px(style.px));
                out.push(Atom {
                    first: seg.base.chars().next().unwrap_or(' '),
                    last: seg.base.chars().last().unwrap_or(' '),
                    width: base_width.max(ruby_width),
                    base: seg.base,
                    ruby: Some(ruby),
                    base_width,
                    ruby_width,
                    base_off: 0.0,
                    ruby_off: 0.0,
                    space: false,
                });
            }
            None => {
                for c in seg.base.chars() {
                    let space = c.is_whitespace();
                    let w = fonts.advance(if space { ' ' } else { c }, style.px, style.bold);
                    out.push(Atom {
                        base: c.to_string(),
                        ruby: None,
                        width: w,
                        base_width: w,
                        ruby_width: 0.0,
                        base_off: 0.0,
                        ruby_off: 0.0,
                        first: c,
                        last: c,
                        space,
                    });
                }
            }
        }
    }
    place_ruby(&mut out, ruby_px(style.px));
    out
}

/// Centres each reading over its base. A reading longer than its base may overhang a
/// neighbour without a reading by up to one ruby character (and half that neighbour), as
/// JIS X 4051 allows, instead of pushing the text apart. Where a line breaks next to an
/// overhang anyway, `draw_lines` keeps the reading inside the column.
fn place_ruby(atoms: &mut [Atom], rpx: f32) {
    for i in 0..atoms.len() {
        if atoms[i].ruby.is_none() {
            continue;
        }
        let excess = atoms[i].ruby_width - atoms[i].base_width;
        if excess <= 0.0 {
            let a = &mut atoms[i];
            (a.width, a.base_off, a.ruby_off) = (a.base_width, 0.0, -excess / 2.0);
            continue;
        }
        // Not over a space: a line may break there, and the reading would stick out.
        let room = |j: Option<usize>| match j.and_then(|j| atoms.get(j)) {
            Some(n) if n.ruby.is_none() && !n.space => (excess / 2.0).min(rpx).min(n.width / 2.0),
            _ => 0.0,
        };
        let (left, right) = (room(i.checked_sub(1)), room(Some(i + 1)));
        let a = &mut atoms[i];
        a.width = a.base_width + excess - left - right;
        a.base_off = excess / 2.0 - left;
        a.ruby_off = -left;
    }
}

/// Lays out `text` in lines no wider than `max_width` (a `\n` forces a break).
pub(crate) fn layout(
    fonts: &SlipFonts,
    text: &str,
    style: Style,
    lang: Lang,
    max_width: f32,
) -> Vec<Line> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let atoms = atoms(fonts, para, style, lang);
        break_lines(atoms, lang, max_width, &mut lines);
    }
    lines
}

fn break_lines(atoms: Vec<Atom>, lang: Lang, max_width: f32, lines: &mut Vec<Line>) {
    let n = atoms.len();
    let mut cuts = Vec::new();
    let mut start = 0;
    loop {
        while start < n && atoms[start].space {
            start += 1;
        }
        if start >= n {
            break;
        }
        // (break index, priority, width of the line if broken there)
        let mut opps: Vec<(usize, Prio, f32)> = Vec::new();
        let mut x = 0.0;
        let mut trailing_space = 0.0;
        let mut end = n;
        for i in start..n {
            if i > start
                && let Some(p) = opportunity(&atoms[i - 1], &atoms[i])
            {
                opps.push((i, p, x - trailing_space));
            }
            let a = &atoms[i];
            if !a.space && i > start && x + a.width > max_width + 0.01 {
                end = choose(&opps, lang, max_width).unwrap_or(i);
                break;
            }
            x += a.width;
            trailing_space = if a.space {
                trailing_space + a.width
            } else {
                0.0
            };
        }
        cuts.push((start, end));
        start = end;
    }
    let mut it = atoms.into_iter();
    let mut pos = 0;
    for (s, e) in cuts {
        let mut line: Vec<Atom> = it.by_ref().take(e - pos).skip(s - pos).collect();
        pos = e;
        while line.last().is_some_and(|a| a.space) {
            line.pop();
        }
        let width = line.iter().map(|a| a.width).sum();
        let has_ruby = line.iter().any(|a| a.ruby.is_some());
        lines.push(Line {
            atoms: line,
            width,
            has_ruby,
        });
    }
    if lines.is_empty() {
        lines.push(Line {
            atoms: Vec::new(),
            width: 0.0,
            has_ruby: false,
        });
    }
}

/// Picks where to break among the opportunities of an overfull line.
fn choose(opps: &[(usize, Prio, f32)], lang: Lang, max_width: f32) -> Option<usize> {
    let last_space = opps.iter().rev().find(|o| o.1 == Prio::Space);
    let last_any = opps.last();
    let pick = match lang {
        // Words, and the spaced phrases of やさしいにほんご, are split only when one alone
        // is wider than the line.
        Lang::En | Lang::JaEasy => last_space.or(last_any),
        // Japanese may break anywhere, but a phrase space late in the line reads better
        // (and leaves no lone kana on the next line).
        Lang::Ja => last_space.filter(|o| o.2 >= max_width * 0.4).or(last_any),
    };
    pick.map(|o| o.0)
}

/// Vertical metrics of a line of `style`.
pub(crate) struct LineBox {
    pub height: i32,
    /// Baseline offset from the top of the box.
    pub baseline: i32,
}

/// Space between lines, as a fraction of the em.
const LEADING: f32 = 0.42;

pub(crate) fn line_box(fonts: &SlipFonts, style: Style, has_ruby: bool) -> LineBox {
    let (asc, desc) = fonts.ascent_descent(style.px, style.bold);
    let ruby_band = if has_ruby {
        (ruby_px(style.px) * 1.05 + ruby_gap(style.px)).ceil()
    } else {
        0.0
    };
    let half_leading = (style.px * LEADING / 2.0).round();
    LineBox {
        height: (ruby_band + half_leading * 2.0 + asc + desc).ceil() as i32,
        baseline: (ruby_band + half_leading + asc).round() as i32,
    }
}

/// A horizontal band of the paper that text is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Column {
    pub x: i32,
    pub width: i32,
}

/// Draws laid-out lines from `top` in `col`. Returns the y below them.
pub(crate) fn draw_lines(
    bmp: &mut Bitmap,
    fonts: &SlipFonts,
    lines: &[Line],
    style: Style,
    align: Align,
    col: Column,
    top: i32,
) -> i32 {
    let Column { x: x0, width } = col;
    let mut y = top;
    for line in lines {
        let lb = line_box(fonts, style, line.has_ruby);
        bmp.grow((y + lb.height).max(0) as u32);
        let baseline = (y + lb.baseline) as f32;
        // A reading that overhangs the line's first or last character stays in the column.
        let lead = line.atoms.first().map_or(0.0, |a| (-a.ruby_off).max(0.0));
        let trail = line
            .atoms
            .last()
            .map_or(0.0, |a| (a.ruby_off + a.ruby_width - a.width).max(0.0));
        let full = lead + line.width + trail;
        let mut x = lead
            + match align {
                Align::Left => x0 as f32,
                Align::Center => x0 as f32 + ((width as f32 - full) / 2.0).max(0.0).round(),
            };
        let (asc, _) = fonts.ascent_descent(style.px, style.bold);
        for a in &line.atoms {
            let mut bx = x + a.base_off;
            for c in a.base.chars() {
                if !c.is_whitespace() {
                    fonts.draw(bmp, c, style.px, style.bold, bx, baseline);
                }
                bx += fonts.advance(c, style.px, style.bold);
            }
            if let Some(ruby) = &a.ruby {
                let rpx = ruby_px(style.px);
                let (_, rdesc) = fonts.ascent_descent(rpx, style.bold);
                // The reading sits just above the base's em box, centred on it.
                let rbase = baseline - asc - rdesc.max(1.0) - ruby_gap(style.px);
                let mut rx = x + a.ruby_off;
                for c in ruby.chars() {
                    fonts.draw(bmp, c, rpx, style.bold, rx, rbase);
                    rx += fonts.advance(c, rpx, style.bold);
                }
            }
            x += a.width;
        }
        y += lb.height;
    }
    y
}

/// One line's base text (readings left out): what the take-home sheet reports it printed.
pub(crate) fn line_plain(line: &Line) -> String {
    line.atoms.iter().map(|a| a.base.as_str()).collect()
}

/// The lines as plain strings (tests): what went on which line.
#[cfg(test)]
pub(crate) fn line_texts(lines: &[Line]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l.atoms.iter().map(|a| a.base.as_str()).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> SlipFonts {
        SlipFonts::bundled().unwrap()
    }

    const S: Style = Style {
        px: 24.0,
        bold: false,
    };

    fn check_kinsoku(lines: &[String]) {
        for (i, l) in lines.iter().enumerate() {
            let first = l.chars().next().unwrap();
            let last = l.chars().last().unwrap();
            assert!(
                !NO_START.contains(first),
                "line {i} starts with {first}: {lines:?}"
            );
            assert!(
                !NO_END.contains(last),
                "line {i} ends with {last}: {lines:?}"
            );
        }
    }

    #[test]
    fn japanese_breaks_obey_kinsoku() {
        let f = fonts();
        let text = "障がいを伝えて働く（オープン就労）。仕事の相談と紹介、「トライアル雇用」もあります。ハローワークで相談できます。";
        for w in 60..400 {
            let lines = layout(&f, text, S, Lang::Ja, w as f32);
            let texts = line_texts(&lines);
            assert_eq!(texts.concat(), text);
            check_kinsoku(&texts);
            for l in &lines {
                assert!(
                    l.width <= w as f32 + 0.01 || l.atoms.len() == 1,
                    "{w}: {texts:?}"
                );
            }
        }
    }

    #[test]
    fn english_breaks_at_spaces() {
        let f = fonts();
        let text = "Work with your disability known (open). Job advice and placement";
        let lines = line_texts(&layout(&f, text, S, Lang::En, 200.0));
        assert!(lines.len() > 2);
        for l in &lines {
            assert!(!l.starts_with(' ') && !l.ends_with(' '), "{lines:?}");
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn easy_japanese_keeps_phrases_and_ruby_whole() {
        let f = fonts();
        let text = "この {紙|かみ}を {受付|うけつけ}の スタッフに わたしてください";
        let lines = layout(&f, text, S, Lang::JaEasy, 260.0);
        let texts = line_texts(&lines);
        assert!(texts.len() >= 2, "{texts:?}");
        assert!(lines.iter().any(|l| l.has_ruby));
        assert_eq!(
            texts.concat().replace(' ', ""),
            "この紙を受付のスタッフにわたしてください"
        );
        // Phrases stay whole: every line is made of whole space-separated phrases.
        let plain = crate::content::text::plain(text);
        let phrases: Vec<&str> = plain.split(' ').collect();
        for t in &texts {
            assert!(t.split(' ').all(|p| phrases.contains(&p)), "{texts:?}");
        }
        // Ruby is dropped outside ja-easy.
        assert!(
            !layout(&f, text, S, Lang::Ja, 260.0)
                .iter()
                .any(|l| l.has_ruby)
        );
    }
}
