//! The slip (受付票, PRODUCT.md §5): a pure function from the slip's data to the 1-bit raster
//! the thermal printer prints and the kiosk previews — the very same bitmap.
//!
//! Top to bottom: centre name; 受付票; date and time; 受付番号; the routes shown (name and
//! one-line summary); the handoff line; 「この紙を受付のスタッフにお渡しください」 in a box; the
//! QR (level Q, ≥ 30 mm, whole-dot modules, 4-module quiet zone); centre phone and hours.
//! Sizes are set for 576 dots (80 mm paper at 203 dpi, 8 dots/mm) and scaled for narrower
//! paper a little less than the width, so text on 58 mm paper stays readable.

pub mod bitmap;
pub mod fonts;
pub(crate) mod text;

use chrono::{Datelike, NaiveDateTime, Timelike};
use qrcode::{Color, EcLevel, QrCode};

pub use bitmap::{Bitmap, PngError};
pub use fonts::{FontError, SlipFonts};

use crate::config::CentreConfig;
use crate::content::Content;
use crate::lang::Lang;
use crate::matcher::Outcome;
use crate::visit::SlipTicket;
use text::{Align, Column, Style, draw_lines, layout, line_box};

/// Everything printed on a slip. Texts may carry ruby markup `{漢字|かんじ}`; readings are
/// drawn for `ja-easy` only.
#[derive(Debug, Clone, PartialEq)]
pub struct SlipData {
    pub lang: Lang,
    pub centre_name: String,
    /// 「受付票」 (see [`title`]).
    pub title: String,
    /// Local time of the centre.
    pub issued: NaiveDateTime,
    /// 受付番号, e.g. `1125-023`.
    pub receipt_no: String,
    /// (name, one-line summary) of each route shown, best first.
    pub routes: Vec<(String, String)>,
    /// 「このセンターのスタッフと 一緒に考えましょう」.
    pub handoff_line: String,
    /// 「この紙を受付のスタッフにお渡しください」 (see [`instruction`]).
    pub instruction: String,
    /// The QR text.
    pub payload: String,
    pub phone: String,
    pub hours: String,
}

impl SlipData {
    /// The slip of a visit with the texts the kiosk showed.
    pub fn for_visit(
        content: &Content,
        outcome: &Outcome,
        lang: Lang,
        centre: &CentreConfig,
        issued: NaiveDateTime,
        receipt_no: String,
        payload: String,
    ) -> SlipData {
        let cat = &content.catalogue;
        SlipData {
            lang,
            centre_name: centre.name.clone(),
            title: title(lang).to_string(),
            issued,
            receipt_no,
            routes: outcome
                .routes
                .iter()
                .filter_map(|h| cat.routes.get(h.route))
                .map(|r| {
                    (
                        r.name.get(lang).to_string(),
                        r.summary.get(lang).to_string(),
                    )
                })
                .collect(),
            handoff_line: cat.handoff_text.get(lang).to_string(),
            instruction: instruction(lang).to_string(),
            payload,
            phone: centre.phone.clone(),
            hours: centre.hours.clone(),
        }
    }
}

/// The slip's title. Staff know the slip as 受付票 whatever the visitor's language.
pub fn title(lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => "受付票",
        Lang::JaEasy => "{受付票|うけつけひょう}",
        Lang::En => "受付票\nReception slip",
    }
}

/// What to do with the slip.
pub fn instruction(lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => "この紙を受付のスタッフにお渡しください",
        Lang::JaEasy => "この {紙|かみ}を {受付|うけつけ}の スタッフに わたしてください",
        Lang::En => "Please hand this slip to the staff at the reception desk",
    }
}

struct Labels {
    receipt: &'static str,
    routes: &'static str,
    phone: &'static str,
    hours: &'static str,
}

fn labels(lang: Lang) -> Labels {
    match lang {
        Lang::Ja => Labels {
            receipt: "受付番号",
            routes: "あなたに合いそうな支援",
            phone: "電話",
            hours: "受付時間",
        },
        Lang::JaEasy => Labels {
            receipt: "{受付|うけつけ}{番号|ばんごう}",
            routes: "あなたに あいそうな {支援|しえん}",
            phone: "{電話|でんわ}",
            hours: "あいている {時間|じかん}",
        },
        Lang::En => Labels {
            receipt: "Receipt no. / 受付番号",
            routes: "Support that may suit you",
            phone: "Phone",
            hours: "Hours",
        },
    }
}

/// `2026年11月25日(水) 14:05`; in ja-easy with readings; `Wed 25 Nov 2026, 14:05` in English.
pub fn format_issued(lang: Lang, t: NaiveDateTime) -> String {
    const WD_JA: [(&str, &str); 7] = [
        ("月", "げつ"),
        ("火", "か"),
        ("水", "すい"),
        ("木", "もく"),
        ("金", "きん"),
        ("土", "ど"),
        ("日", "にち"),
    ];
    const WD_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTH_EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let wd = t.weekday().num_days_from_monday() as usize;
    let (y, m, d, hh, mm) = (t.year(), t.month(), t.day(), t.hour(), t.minute());
    match lang {
        Lang::Ja => format!("{y}年{m}月{d}日({}) {hh:02}:{mm:02}", WD_JA[wd].0),
        Lang::JaEasy => {
            // Days with their own reading (ついたち, ふつか, …); the rest read N にち.
            let special = match d {
                1 => Some("ついたち"),
                2 => Some("ふつか"),
                3 => Some("みっか"),
                4 => Some("よっか"),
                5 => Some("いつか"),
                6 => Some("むいか"),
                7 => Some("なのか"),
                8 => Some("ようか"),
                9 => Some("ここのか"),
                10 => Some("とおか"),
                14 => Some("じゅうよっか"),
                20 => Some("はつか"),
                24 => Some("にじゅうよっか"),
                _ => None,
            };
            let day = match special {
                Some(r) => format!("{{{d}日|{r}}}"),
                None => format!("{d}{{日|にち}}"),
            };
            let (w, wr) = WD_JA[wd];
            format!("{y}{{年|ねん}}{m}{{月|がつ}}{day}({{{w}|{wr}}}) {hh:02}:{mm:02}")
        }
        Lang::En => format!(
            "{} {d} {} {y}, {hh:02}:{mm:02}",
            WD_EN[wd],
            MONTH_EN[(m as usize - 1) % 12]
        ),
    }
}

/// The kiosk's view of a rendered slip.
pub fn ticket(bitmap: &Bitmap, payload: &str, receipt_no: &str) -> SlipTicket {
    SlipTicket {
        width: bitmap.width,
        height: bitmap.height,
        luma: bitmap.to_luma8(),
        payload: payload.to_string(),
        receipt_no: receipt_no.to_string(),
    }
}

/// Dots per millimetre of thermal printers (203 dpi).
pub const DOTS_PER_MM: u32 = 8;
/// The QR's smallest width on paper (§5: ≥ 30 mm), in dots.
pub const QR_MIN_DOTS: u32 = 30 * DOTS_PER_MM;
/// White modules around the QR.
pub const QR_QUIET_MODULES: u32 = 4;

/// The QR's modules (true = dark) and its width in modules, at level Q.
pub fn qr_modules(payload: &str) -> Option<(Vec<bool>, u32)> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::Q).ok()?;
    let n = code.width() as u32;
    Some((
        code.to_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect(),
        n,
    ))
}

/// Dots per QR module for a `n`-module symbol on `dots`-wide paper: the smallest whole
/// number reaching 30 mm (6 on 80 mm paper, where scanners like bigger modules), reduced
/// only if the symbol with its quiet zone would not fit.
pub fn qr_module_dots(n: u32, dots: u32) -> u32 {
    let want = QR_MIN_DOTS
        .div_ceil(n.max(1))
        .max(if dots >= 576 { 6 } else { 1 });
    let fit = dots / (n + 2 * QR_QUIET_MODULES).max(1);
    want.min(fit).max(1)
}

/// Draws the slip top to bottom: a bitmap that grows, the pen's y, and the paper's scale.
struct Painter<'a> {
    bmp: Bitmap,
    fonts: &'a SlipFonts,
    lang: Lang,
    y: i32,
    /// Sizes are given for 576 dots and multiplied by this.
    k: f32,
    /// The text column.
    col: Column,
}

impl Painter<'_> {
    fn gap(&self, d: f32) -> i32 {
        (d * self.k).round() as i32
    }

    fn skip(&mut self, d: f32) {
        self.y += self.gap(d);
    }

    /// A style for headings and numbers.
    fn st(&self, px: f32, bold: bool) -> Style {
        Style {
            px: (px * self.k).round(),
            bold,
        }
    }

    /// A style for running text: a little larger in ja-easy, whose readings are small.
    fn body(&self, px: f32, bold: bool) -> Style {
        let easy = if self.lang == Lang::JaEasy { 1.08 } else { 1.0 };
        Style {
            px: (px * self.k * easy).round(),
            bold,
        }
    }

    fn para_in(&mut self, text: &str, style: Style, align: Align, col: Column) {
        let lines = layout(self.fonts, text, style, self.lang, col.width as f32);
        self.y = draw_lines(&mut self.bmp, self.fonts, &lines, style, align, col, self.y);
    }

    fn para(&mut self, text: &str, style: Style, align: Align) {
        self.para_in(text, style, align, self.col);
    }

    /// Like `para`, but a heading that would wrap is first shrunk (down to 70 %) so that each
    /// of its `\n` lines stays on one line: 「Reception slip」 on 58 mm paper.
    fn heading(&mut self, text: &str, style: Style, align: Align) {
        let want = text.split('\n').count();
        let mut st = style;
        while st.px > style.px * 0.7
            && layout(self.fonts, text, st, self.lang, self.col.width as f32).len() > want
        {
            st.px = (st.px * 0.93).floor();
        }
        self.para(text, st, align);
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

    /// Numbered routes: ① name (bold) with the summary under it, both indented.
    fn routes(&mut self, routes: &[(String, String)]) {
        const MARKS: [char; 9] = ['①', '②', '③', '④', '⑤', '⑥', '⑦', '⑧', '⑨'];
        let name_st = self.body(28.0, true);
        let sum_st = self.body(24.0, false);
        let indent = (self.fonts.advance('①', name_st.px, true) + name_st.px * 0.35).ceil() as i32;
        let inner = Column {
            x: self.col.x + indent,
            width: self.col.width - indent,
        };
        for (i, (name, summary)) in routes.iter().enumerate() {
            let lines = layout(self.fonts, name, name_st, self.lang, inner.width as f32);
            // The mark sits on the first line's baseline, which a reading may push down.
            let first = line_box(
                self.fonts,
                name_st,
                lines.first().is_some_and(|l| l.has_ruby),
            );
            self.bmp.grow((self.y + first.height).max(0) as u32);
            let (mx, my) = (self.col.x as f32, (self.y + first.baseline) as f32);
            self.fonts.draw(
                &mut self.bmp,
                MARKS[i % MARKS.len()],
                name_st.px,
                true,
                mx,
                my,
            );
            self.y = draw_lines(
                &mut self.bmp,
                self.fonts,
                &lines,
                name_st,
                Align::Left,
                inner,
                self.y,
            );
            if !summary.trim().is_empty() {
                self.para_in(summary, sum_st, Align::Left, inner);
            }
            self.skip(12.0);
        }
    }

    /// Centred text in a ruled box.
    fn boxed(&mut self, text: &str, style: Style) {
        let border = self.gap(3.0).max(2);
        let pad = self.gap(12.0);
        let Column { x, width } = self.col;
        let top = self.y;
        self.y += border + pad;
        self.para_in(
            text,
            style,
            Align::Center,
            Column {
                x: x + border + pad,
                width: width - 2 * (border + pad),
            },
        );
        self.y += pad + border;
        self.bmp.grow(self.y as u32);
        let h = self.y - top;
        self.bmp.fill_rect(x, top, width, border);
        self.bmp.fill_rect(x, self.y - border, width, border);
        self.bmp.fill_rect(x, top, border, h);
        self.bmp.fill_rect(x + width - border, top, border, h);
    }

    /// The QR centred on the paper, with its quiet zone above and below.
    fn qr(&mut self, payload: &str) {
        let Some((modules, n)) = qr_modules(payload) else {
            // Cannot happen with our payloads (always 119 characters); say so, never panic.
            self.skip(16.0);
            let st = self.body(24.0, true);
            self.para("QRコードを作れませんでした。スタッフをお呼びください。\n(No QR code: please call staff.)", st, Align::Center);
            self.skip(16.0);
            return;
        };
        let m = qr_module_dots(n, self.bmp.width) as i32;
        let quiet = QR_QUIET_MODULES as i32 * m;
        let size = n as i32 * m;
        let x0 = (self.bmp.width as i32 - size) / 2;
        let y0 = self.y + quiet;
        self.bmp.grow((y0 + size + quiet) as u32);
        for (i, _) in modules.iter().enumerate().filter(|(_, dark)| **dark) {
            let (mx, my) = ((i as u32 % n) as i32, (i as u32 / n) as i32);
            self.bmp.fill_rect(x0 + mx * m, y0 + my * m, m, m);
        }
        self.y = y0 + size + quiet;
    }
}

/// Renders the slip `dots` wide (576 for 80 mm paper, 384 for 58 mm).
pub fn render(data: &SlipData, fonts: &SlipFonts, dots: u32) -> Bitmap {
    let dots = dots.clamp(200, 2048);
    let lang = data.lang;
    let margin = (dots / 36) as i32;
    // Text shrinks less than the paper: 0.82 on 58 mm.
    let k = (dots as f32 / 576.0).sqrt();
    let mut p = Painter {
        bmp: Bitmap::new(dots, 0),
        fonts,
        lang,
        y: (8.0 * k).round() as i32,
        k,
        col: Column {
            x: margin,
            width: dots as i32 - 2 * margin,
        },
    };
    let lab = labels(lang);

    p.heading(&data.centre_name, p.st(26.0, true), Align::Center);
    p.skip(10.0);
    p.heading(&data.title, p.st(56.0, true), Align::Center);
    p.skip(6.0);
    p.para(
        &format_issued(lang, data.issued),
        p.body(26.0, false),
        Align::Center,
    );
    p.skip(14.0);
    p.para(lab.receipt, p.body(24.0, false), Align::Center);
    p.heading(&data.receipt_no, p.st(60.0, true), Align::Center);
    p.skip(14.0);
    p.dashed_rule();
    p.skip(16.0);

    if !data.routes.is_empty() {
        p.para(lab.routes, p.body(24.0, true), Align::Left);
        p.skip(8.0);
        p.routes(&data.routes);
    }
    if !data.handoff_line.trim().is_empty() {
        p.para(&data.handoff_line, p.body(24.0, false), Align::Left);
    }
    p.skip(12.0);
    p.dashed_rule();
    p.skip(18.0);

    p.boxed(&data.instruction, p.body(28.0, true));
    p.qr(&data.payload);

    for (label, value) in [(lab.phone, &data.phone), (lab.hours, &data.hours)] {
        if !value.trim().is_empty() {
            p.para(
                &format!("{label} {value}"),
                p.body(24.0, false),
                Align::Center,
            );
        }
    }
    p.skip(24.0);
    let mut bmp = p.bmp;
    let height = p.y.max(1) as u32;
    bmp.grow(height);
    bmp.truncate(height);
    bmp
}
