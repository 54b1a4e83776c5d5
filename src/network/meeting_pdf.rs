//! Renders a Japanese meeting record (個別支援会議 記録) as an A4 portrait PDF: a title block,
//! labelled sections, optional sign/confirmation boxes and a footer with page numbers. The
//! caller passes the TrueType files (BIZ UD Gothic); krilla embeds subsets of them and writes
//! ToUnicode maps, so the text can be selected and extracted. Layout (wrapping with kinsoku,
//! page breaks) is done first as a list of drawing operations per page, then drawn with krilla.

use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

/// One document: a title block and labelled sections, in order.
#[derive(Debug, Clone, Default)]
pub struct PdfDoc {
    /// Small line above the title, e.g. the centre's name.
    pub header: String,
    /// e.g. "個別支援会議 記録"
    pub title: String,
    /// (label, value) in order. A value may contain '\n' (kept as line breaks) and may be empty (then "—" is printed).
    pub fields: Vec<(String, String)>,
    /// Labels of sign/confirmation boxes drawn at the end, e.g. ["本人", "家族", "担当者"] (may be empty).
    pub signatures: Vec<String>,
    /// Small line at the bottom of every page, e.g. "記録: sato ・ 作成 2026-12-02 10:30"; the page number "1 / 2" is added by the renderer.
    pub footer: String,
}

const MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const LEFT: f32 = 18.0 * MM;
const TOP: f32 = 20.0 * MM;
const TEXT_W: f32 = PAGE_W - 2.0 * LEFT;
/// Lowest y (from the top) the body may reach; the footer lives below it, inside the margin.
const BODY_BOTTOM: f32 = PAGE_H - 20.0 * MM;
const VALUE_LH: f32 = 11.0 * 1.6;
/// Labels and values start this far right of the band's left edge.
const INDENT: f32 = 10.0;
const BAND_LH: f32 = 20.0;
const SIG_H: f32 = 20.0 * MM;
// Grey levels (0 = black): everything is plain luma, so it prints the same in grey-scale.
const INK: u8 = 25;
const GREY: u8 = 90;
const BAND: u8 = 232;
const RULE: u8 = 175;

/// Lines may not start with these (行頭禁則).
const NO_START: &str =
    "、。，．）」』】〉》ー々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ・：；！？〜)]},.:;!?”’";
/// Lines may not end with these (行末禁則).
const NO_END: &str = "（「『【〈《〔［｛([{“‘";

/// Horizontal advances of one font, read with ttf-parser.
struct Metrics<'a> {
    face: ttf_parser::Face<'a>,
    upem: f32,
}

impl<'a> Metrics<'a> {
    fn new(data: &'a [u8], name: &str) -> Result<Self, String> {
        let face = ttf_parser::Face::parse(data, 0)
            .map_err(|e| format!("{name} font: cannot read font data ({e})"))?;
        let upem = f32::from(face.units_per_em().max(1));
        Ok(Metrics { face, upem })
    }

    /// Advance of `c` in pt; a missing glyph is drawn as .notdef, so measure that.
    fn adv(&self, c: char, size: f32) -> f32 {
        if is_mark(c) {
            return 0.0; // shaped into the previous glyph
        }
        let g = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
        f32::from(self.face.glyph_hor_advance(g).unwrap_or(0)) * size / self.upem
    }

    fn width(&self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.adv(c, size)).sum()
    }
}

/// Variation selectors (異体字 IVS) and kana voicing marks: never split from the base char.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{3099}'..='\u{309A}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Latin letters, digits and ASCII punctuation: runs of these are kept together when they fit.
fn is_word_char(c: char) -> bool {
    !c.is_whitespace() && (c as u32) < 0x2000
}

/// May a line break go between `chars[b-1]` and `chars[b]`? Spaces around the break are
/// dropped, so kinsoku looks at the nearest non-space characters on either side.
fn can_break(chars: &[char], b: usize, keep_words: bool) -> bool {
    let before = chars.get(..b).unwrap_or(&[]);
    let after = chars.get(b..).unwrap_or(&[]);
    let Some(&end) = before.iter().rev().find(|c| **c != ' ') else {
        return false;
    };
    let Some(&start) = after.iter().find(|c| **c != ' ') else {
        return true;
    };
    if NO_START.contains(start)
        || NO_END.contains(end)
        || after.first().is_some_and(|&n| is_mark(n))
    {
        return false;
    }
    match (before.last(), after.first()) {
        (Some(&p), Some(&n)) => !(keep_words && is_word_char(p) && is_word_char(n)),
        _ => false,
    }
}

/// Greedy line breaking: '\n' starts a new line; otherwise break at the last point where the
/// line still fits, preferring (1) kinsoku + whole Latin words, then (2) kinsoku only, then
/// (3) anywhere, so a line never exceeds `max_w`. Spaces at a wrap point are dropped.
fn wrap(text: &str, max_w: f32, adv: &dyn Fn(char) -> f32) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split('\n') {
        let chars: Vec<char> = para
            .chars()
            .filter_map(|c| match c {
                '\t' => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect();
        if chars.is_empty() {
            out.push(String::new());
        }
        let mut s = 0;
        while s < chars.len() {
            // Extend while it fits; spaces may hang past the edge since they are trimmed.
            let (mut i, mut w) = (s, 0.0);
            while let Some(&c) = chars.get(i) {
                let a = adv(c);
                if c != ' ' && w + a > max_w + 1e-3 {
                    break;
                }
                w += a;
                i += 1;
            }
            let b = if i >= chars.len() {
                chars.len()
            } else {
                (s + 1..=i)
                    .rev()
                    .find(|&b| can_break(&chars, b, true))
                    .or_else(|| (s + 1..=i).rev().find(|&b| can_break(&chars, b, false)))
                    .unwrap_or(i.max(s + 1))
            };
            let line: String = chars.get(s..b).unwrap_or(&[]).iter().collect();
            out.push(line.trim_end_matches(' ').to_string());
            s = b;
            while chars.get(s) == Some(&' ') {
                s += 1;
            }
        }
    }
    out
}

/// Size, weight and grey level (0 = black) of a piece of text.
#[derive(Debug, Clone, Copy)]
struct Style {
    size: f32,
    bold: bool,
    luma: u8,
}

const fn style(size: f32, bold: bool, luma: u8) -> Style {
    Style { size, bold, luma }
}

const HEADER: Style = style(9.0, false, GREY);
const TITLE: Style = style(18.0, true, INK);
const LABEL: Style = style(10.5, true, INK);
const VALUE: Style = style(11.0, false, INK);
const FOOT: Style = style(8.5, false, GREY);

/// One drawing operation; coordinates in pt from the top-left corner, text `y` is the baseline.
#[derive(Debug)]
enum Op {
    /// x, baseline y, style, text.
    Text(f32, f32, Style, String),
    /// x, y, w, h and grey level of a filled rectangle (bands and rules).
    Fill([f32; 4], u8),
    /// x, y, w, h of a stroked box (signature boxes).
    Frame([f32; 4]),
}

struct Layout<'a> {
    reg: &'a Metrics<'a>,
    bold: &'a Metrics<'a>,
    pages: Vec<Vec<Op>>,
    y: f32,
    /// Nothing placed on this page yet: never break again here (avoids endless empty pages).
    fresh: bool,
    running: String,
}

impl Layout<'_> {
    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// A full-width horizontal rule (or band) at `y`.
    fn rule(&mut self, y: f32, h: f32, luma: u8) {
        self.push(Op::Fill([LEFT, y, TEXT_W, h], luma));
    }

    /// A line of text vertically centred in the box [top, top + lh]: the middle of a CJK
    /// glyph's em box is ≈0.38 em above the baseline; 0.36 also suits kana and digits.
    fn line(&mut self, x: f32, top: f32, lh: f32, st: Style, text: &str) {
        if !text.trim().is_empty() {
            let y = top + lh / 2.0 + 0.36 * st.size;
            self.push(Op::Text(x, y, st, text.to_string()));
        }
    }

    fn wrap(&self, text: &str, w: f32, st: Style) -> Vec<String> {
        let m = if st.bold { self.bold } else { self.reg };
        wrap(text, w, &|c| m.adv(c, st.size))
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        (self.fresh, self.y) = (true, TOP);
        if self.pages.len() > 1 {
            // Continuation pages repeat the title small, with a hairline under it.
            if let Some(first) = self.wrap(&self.running, TEXT_W, HEADER).first() {
                self.line(LEFT, TOP, 12.0, HEADER, first);
            }
            self.rule(TOP + 15.0, 0.5, RULE);
            self.y = TOP + 26.0;
        }
    }

    /// Starts a new page unless `h` more points fit below the cursor.
    fn fit(&mut self, h: f32) {
        if !self.fresh && self.y + h > BODY_BOTTOM {
            self.new_page();
        }
    }

    fn title_block(&mut self, header: &str, title: &str) {
        if !header.trim().is_empty() {
            for l in self.wrap(header, TEXT_W, HEADER) {
                self.line(LEFT, self.y, 13.0, HEADER, &l);
                self.y += 13.0;
            }
            self.y += 4.0;
        }
        for l in self.wrap(title, TEXT_W, TITLE) {
            self.line(LEFT, self.y, 26.0, TITLE, &l);
            self.y += 26.0;
        }
        self.rule(self.y + 5.0, 1.2, INK);
        (self.y, self.fresh) = (self.y + 19.0, false);
    }

    /// Full-width grey band with a dark accent bar, the label in bold.
    fn band(&mut self, label: &str) {
        for l in self.wrap(label, TEXT_W - 2.0 * INDENT, LABEL) {
            self.fit(BAND_LH);
            // Slices overlap by 0.5 pt so a multi-line band shows no seam.
            self.rule(self.y, BAND_LH + 0.5, BAND);
            self.push(Op::Fill([LEFT, self.y, 3.0, BAND_LH + 0.5], GREY));
            self.line(LEFT + INDENT, self.y, BAND_LH, LABEL, &l);
            (self.y, self.fresh) = (self.y + BAND_LH, false);
        }
    }

    fn field(&mut self, label: &str, value: &str) {
        let value = Some(value).filter(|v| !v.trim().is_empty()).unwrap_or("—");
        let lines = self.wrap(value, TEXT_W - 2.0 * INDENT, VALUE);
        // Keep the heading together with the first value line.
        self.fit(BAND_LH + 4.0 + VALUE_LH);
        self.band(label);
        self.y += 4.0;
        for l in lines {
            if !self.fresh && self.y + VALUE_LH > BODY_BOTTOM {
                self.new_page();
                self.band(&format!("{label}（続き）"));
                self.y += 4.0;
            }
            self.line(LEFT + INDENT, self.y, VALUE_LH, VALUE, &l);
            self.y += VALUE_LH;
        }
        self.rule(self.y + 5.0, 0.5, RULE);
        self.y += 15.0;
    }

    /// Rows of at most five equal boxes, label in the top-left corner; a row never splits.
    fn signatures(&mut self, labels: &[String]) {
        let cols = labels.len().min(5);
        if cols == 0 {
            return;
        }
        let gap = 8.0;
        let box_w = (TEXT_W - gap * (cols as f32 - 1.0)) / cols as f32;
        self.y += 6.0;
        for row in labels.chunks(cols) {
            self.fit(SIG_H);
            for (k, label) in row.iter().enumerate() {
                let (x, y) = (LEFT + k as f32 * (box_w + gap), self.y);
                self.push(Op::Frame([x, y, box_w, SIG_H]));
                let lines = self.wrap(label, box_w - 10.0, HEADER);
                for (j, l) in lines.iter().take(3).enumerate() {
                    self.line(x + 5.0, y + 3.0 + j as f32 * 12.0, 12.0, HEADER, l);
                }
            }
            (self.y, self.fresh) = (self.y + SIG_H + gap, false);
        }
    }

    /// Footer text (at most two lines) left and "n / N" right, below a hairline.
    fn footers(&mut self, footer: &str) {
        let (n, top) = (self.pages.len(), BODY_BOTTOM + 12.0);
        let foot = self.wrap(footer, TEXT_W - 70.0, FOOT);
        for (i, page) in self.pages.iter_mut().enumerate() {
            let num = format!("{} / {}", i + 1, n);
            page.push(Op::Fill([LEFT, top, TEXT_W, 0.5], RULE));
            let x = LEFT + TEXT_W - self.reg.width(&num, FOOT.size);
            page.push(Op::Text(x, top + 16.0, FOOT, num));
            for (j, l) in foot.iter().take(2).filter(|l| !l.is_empty()).enumerate() {
                let y = top + 16.0 + j as f32 * 12.0;
                page.push(Op::Text(LEFT, y, FOOT, l.clone()));
            }
        }
    }
}

/// Lays out the whole document into drawing operations, one list per page.
fn layout(doc: &PdfDoc, reg: &Metrics, bold: &Metrics) -> Vec<Vec<Op>> {
    let running = format!("{}（続き）", doc.title);
    let (pages, y, fresh) = (Vec::new(), TOP, true);
    let mut l = Layout {
        reg,
        bold,
        pages,
        y,
        fresh,
        running,
    };
    l.new_page();
    l.title_block(&doc.header, &doc.title);
    for (label, value) in &doc.fields {
        l.field(label, value);
    }
    l.signatures(&doc.signatures);
    l.footers(&doc.footer);
    l.pages
}

fn rect([x, y, w, h]: [f32; 4]) -> Option<krilla::geom::Path> {
    let mut pb = PathBuilder::new();
    pb.push_rect(Rect::from_xywh(x, y, w, h)?);
    pb.finish()
}

fn draw(s: &mut Surface, op: &Op, reg: &Font, bold: &Font) {
    let (luma, stroke) = match op {
        Op::Text(_, _, st, _) => (st.luma, 0.0),
        Op::Fill(_, luma) => (*luma, 0.0),
        Op::Frame(_) => (GREY, 0.6),
    };
    let paint = luma::Color::new(luma).into();
    if stroke > 0.0 {
        s.set_fill(None);
        s.set_stroke(Some(Stroke {
            paint,
            width: stroke,
            ..Stroke::default()
        }));
    } else {
        s.set_stroke(None);
        s.set_fill(Some(Fill {
            paint,
            ..Fill::default()
        }));
    }
    match op {
        Op::Text(x, y, st, text) => {
            let font = if st.bold { bold.clone() } else { reg.clone() };
            let (at, dir) = (Point::from_xy(*x, *y), TextDirection::LeftToRight);
            s.draw_text(at, font, st.size, text, false, dir);
        }
        Op::Fill(r, _) | Op::Frame(r) => {
            if let Some(path) = rect(*r) {
                s.draw_path(&path);
            }
        }
    }
}

/// Renders `doc` as A4 portrait PDF bytes. `regular`/`bold` are TrueType font files. Errors are plain messages (bad font data, etc.) — never panic: no unwrap/expect/indexing that can panic on any input.
pub fn render(doc: &PdfDoc, regular: &[u8], bold: &[u8]) -> Result<Vec<u8>, String> {
    let reg_m = Metrics::new(regular, "regular")?;
    let bold_m = Metrics::new(bold, "bold")?;
    let reg = Font::new(regular.to_vec().into(), 0).ok_or("regular font: unsupported font data")?;
    let bold_f = Font::new(bold.to_vec().into(), 0).ok_or("bold font: unsupported font data")?;
    let pages = layout(doc, &reg_m, &bold_m);
    let size = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("invalid page size")?;

    let mut document = Document::new();
    let meta = Metadata::new().title(doc.title.clone());
    document.set_metadata(meta.language("ja".to_string()));
    for ops in &pages {
        let mut page = document.start_page_with(size.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, op, &reg, &bold_f);
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| format!("PDF generation failed: {e:?}"))
}

/// 2026年12月1日（火） from YYYY-MM-DD (the text as given when it is not a date).
pub fn ja_date(day: &str) -> String {
    use chrono::Datelike;
    const WEEKDAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
    match chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") {
        Ok(d) => format!(
            "{}年{}月{}日（{}）",
            d.year(),
            d.month(),
            d.day(),
            WEEKDAYS[d.weekday().num_days_from_monday() as usize % 7]
        ),
        Err(_) => day.to_string(),
    }
}

/// The printed record of one 個別支援会議: what the participants take home. `person` is the
/// record's name (may be empty), `receipt` its 受付番号, `made` the local time of printing.
pub fn meeting_doc(
    m: &super::meeting::Meeting,
    centre: &str,
    person: &str,
    receipt: &str,
    made: &str,
) -> PdfDoc {
    let who = if person.trim().is_empty() {
        format!("（氏名未入力）受付番号 {receipt}")
    } else {
        format!("{}（受付番号 {receipt}）", person.trim())
    };
    PdfDoc {
        header: centre.to_string(),
        title: "個別支援会議 記録".into(),
        fields: vec![
            ("開催日".into(), ja_date(&m.date)),
            ("本人".into(), who),
            ("参加者".into(), m.participants.clone()),
            ("議題".into(), m.agenda.clone()),
            ("決まったこと（支援方針）".into(), m.decision.clone()),
            ("短期目標".into(), m.goal.clone()),
            ("目標の期日".into(), ja_date(&m.goal_date)),
            ("次回の見直し".into(), ja_date(&m.review)),
        ],
        signatures: vec!["本人".into(), "家族・支援者".into(), "担当者".into()],
        footer: format!("会議 #{} ・ 記録: {} ・ 印刷 {made}", m.id, m.by),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The fonts the desk prints with (`crate::slip::fonts`, the same files).
    const REG: &[u8] = include_bytes!("../../assets/fonts/BIZUDPGothic-Regular.ttf");
    const BOLD: &[u8] = include_bytes!("../../assets/fonts/BIZUDPGothic-Bold.ttf");
    const SAMPLE: &str = "本人は「毎朝起きるのがつらい」と話した。（母も同意。）就労移行支援 Sakura-Works \
        の見学を2026年12月10日に行う！体調を見ながら、週3日から始めることにした？\
        しゅっちょうやきゅうけいのルールも確認した。ハローワークの田中さんと連絡を取り合い、次回までに履歴書を準備する。『目標』【確認】〈注〉《参考》";

    fn doc(value: &str) -> PdfDoc {
        PdfDoc {
            header: "センター".into(),
            title: "個別支援会議 記録".into(),
            fields: vec![
                ("開催日".into(), "2026年12月1日".into()),
                ("決まったこと".into(), value.into()),
            ],
            signatures: vec!["本人".into(), "家族".into(), "担当者".into()],
            footer: "記録: sato".into(),
        }
    }

    #[test]
    fn renders_a_pdf_and_rejects_bad_fonts() {
        let pdf = render(&doc("テスト"), REG, BOLD).unwrap();
        assert!(pdf.starts_with(b"%PDF") && pdf.len() > 1000);
        assert!(render(&doc("x"), b"not a font", BOLD).is_err());
        assert!(render(&doc("x"), REG, &[]).is_err());
    }

    #[test]
    fn long_text_makes_more_pages_and_keeps_every_char() {
        let long = SAMPLE.repeat(20);
        let (reg, bold) = (
            Metrics::new(REG, "r").unwrap(),
            Metrics::new(BOLD, "b").unwrap(),
        );
        let pages = layout(&doc(&long), &reg, &bold);
        assert!(pages.len() > 1);
        let drawn: String = pages
            .iter()
            .flatten()
            .filter_map(|op| match op {
                // Value text only (headings, running header and footers are other sizes).
                Op::Text(_, _, st, text) if st.size == VALUE.size => Some(text.as_str()),
                _ => None,
            })
            .collect::<String>()
            .split_whitespace()
            .collect();
        let want: String = long.split_whitespace().collect();
        assert!(drawn.contains(&want));
        let bytes = render(&doc(&long), REG, BOLD).unwrap();
        assert!(bytes.starts_with(b"%PDF"));
    }

    #[test]
    fn wrapping_fits_and_obeys_kinsoku() {
        let m = Metrics::new(REG, "r").unwrap();
        let adv = |c| m.adv(c, VALUE.size);
        for w in (60..=480).step_by(3) {
            let max_w = w as f32;
            let lines = wrap(SAMPLE, max_w, &adv);
            for l in &lines {
                assert!(m.width(l, VALUE.size) <= max_w + 1e-3, "too wide: {l}");
                let (first, last) = (l.chars().next().unwrap(), l.chars().last().unwrap());
                assert!(
                    !"、。，．）」』】〉》ー々ぁぃぅぇぉっゃゅょ！？".contains(first),
                    "{l}"
                );
                assert!(!"（「『【〈《".contains(last), "{l}");
            }
            let joined: String = lines.concat().split_whitespace().collect();
            assert_eq!(joined, SAMPLE.split_whitespace().collect::<String>());
        }
    }

    #[test]
    fn wrapping_keeps_words_breaks_long_runs_and_newlines() {
        let adv = |_c| 10.0;
        assert_eq!(wrap("ab cd\n\nあい", 100.0, &adv), ["ab cd", "", "あい"]);
        // "1125-023" fits on a line, so it moves whole instead of splitting.
        assert_eq!(
            wrap("受付番号 1125-023", 100.0, &adv),
            ["受付番号", "1125-023"]
        );
        let run = "x".repeat(25);
        let lines = wrap(&run, 100.0, &adv);
        assert_eq!(lines, ["x".repeat(10), "x".repeat(10), "x".repeat(5)]);
        // Narrower than one glyph: still progresses one char per line.
        assert_eq!(wrap("あい", 5.0, &adv), ["あ", "い"]);
        // A variation selector (IVS) stays with its base character.
        assert_eq!(
            wrap("葛\u{E0100}葛\u{E0100}", 25.0, &adv),
            ["葛\u{E0100}"; 2]
        );
    }
}
