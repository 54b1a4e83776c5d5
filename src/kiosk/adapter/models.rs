//! The kiosk's `View` parts as Slint structs and models: ruby texts and their measured lines,
//! questions, result cards, the slip's and QR's images. Pure mapping (also used by the
//! benchmark); `super` decides when to call it.

use slint::{Image, Model, ModelRc, Rgb8Pixel, SharedPixelBuffer, VecModel};

use crate::kiosk::controller::{CardView, QuestionView, ResultsView};
use crate::kiosk::{measure, rtext};
use crate::ui;

pub(super) fn words_of(t: &ui::RText) -> Vec<rtext::Word> {
    t.words
        .iter()
        .map(|w| rtext::Word {
            segs: w
                .segs
                .iter()
                .map(|s| rtext::Seg {
                    base: s.base.to_string(),
                    ruby: s.ruby.to_string(),
                })
                .collect(),
            gap: w.gap,
        })
        .collect()
}

/// The lines of a ruby text at `width` (logical px), measured with the UI font.
pub fn ruby_lines(text: ui::RText, width: f32, size: f32, bold: bool) -> ModelRc<ui::RubyLine> {
    let words = words_of(&text);
    let ui_words: Vec<ui::RubyWord> = text.words.iter().collect();
    let lines: Vec<ui::RubyLine> = measure::break_lines(&words, width, size, bold)
        .into_iter()
        .map(|r| ui::RubyLine {
            words: ModelRc::new(VecModel::from(
                ui_words.get(r).map(<[_]>::to_vec).unwrap_or_default(),
            )),
        })
        .collect();
    ModelRc::new(VecModel::from(lines))
}

pub fn to_rtext(t: &rtext::RText) -> ui::RText {
    let words: Vec<ui::RubyWord> = t
        .words
        .iter()
        .map(|w| ui::RubyWord {
            segs: ModelRc::new(VecModel::from(
                w.segs
                    .iter()
                    .map(|s| ui::RubySeg {
                        base: s.base.as_str().into(),
                        ruby: s.ruby.as_str().into(),
                    })
                    .collect::<Vec<_>>(),
            )),
            gap: w.gap,
        })
        .collect();
    ui::RText {
        plain: t.plain.as_str().into(),
        words: ModelRc::new(VecModel::from(words)),
        ruby: t.ruby,
        readings: t.readings,
    }
}

fn rtexts(ts: &[rtext::RText]) -> ModelRc<ui::RText> {
    ModelRc::new(VecModel::from(ts.iter().map(to_rtext).collect::<Vec<_>>()))
}

pub struct QuestionModels {
    pub index: i32,
    pub total: i32,
    pub text: ui::RText,
    pub options: ModelRc<ui::OptionItem>,
    pub skip_selected: bool,
}

/// The question screen's models; `None` gives empty ones (nothing of a visit stays).
pub fn map_question(q: Option<&QuestionView>) -> QuestionModels {
    let Some(q) = q else {
        return QuestionModels {
            index: -1,
            total: 8,
            text: ui::RText::default(),
            options: ModelRc::default(),
            skip_selected: false,
        };
    };
    let options: Vec<ui::OptionItem> = q
        .options
        .iter()
        .map(|o| ui::OptionItem {
            index: i32::try_from(o.index).unwrap_or(0),
            label: to_rtext(&o.label),
            selected: o.selected,
        })
        .collect();
    QuestionModels {
        index: i32::try_from(q.index).unwrap_or(0),
        total: i32::try_from(q.total).unwrap_or(0),
        text: to_rtext(&q.text),
        options: ModelRc::new(VecModel::from(options)),
        skip_selected: q.skip_selected,
    }
}

pub struct ResultsModels {
    pub routes: ModelRc<ui::RouteCardItem>,
    pub notes: ModelRc<ui::RText>,
    pub handoff: ui::RText,
    pub slip_error: bool,
}

fn map_card(c: &CardView) -> ui::RouteCardItem {
    ui::RouteCardItem {
        name: to_rtext(&c.name),
        summary: to_rtext(&c.summary),
        facts: ModelRc::new(VecModel::from(
            c.facts
                .iter()
                .map(|f| ui::FactItem {
                    label: to_rtext(&f.label),
                    value: to_rtext(&f.value),
                })
                .collect::<Vec<_>>(),
        )),
        reasons: rtexts(&c.reasons),
    }
}

pub fn map_results(r: Option<&ResultsView>) -> ResultsModels {
    let Some(r) = r else {
        return ResultsModels {
            routes: ModelRc::default(),
            notes: ModelRc::default(),
            handoff: ui::RText::default(),
            slip_error: false,
        };
    };
    ResultsModels {
        routes: ModelRc::new(VecModel::from(
            r.cards.iter().map(map_card).collect::<Vec<_>>(),
        )),
        notes: rtexts(&r.notes),
        handoff: to_rtext(&r.handoff),
        slip_error: r.slip_error,
    }
}

/// The slip bitmap (8-bit grey) as an image; a malformed one shows nothing rather than panic.
pub fn luma_image(width: u32, height: u32, luma: &[u8]) -> Image {
    let expected = usize::try_from(u64::from(width) * u64::from(height)).unwrap_or(usize::MAX);
    if width == 0 || height == 0 || luma.len() != expected {
        return Image::default();
    }
    let mut buf = SharedPixelBuffer::<Rgb8Pixel>::new(width, height);
    for (px, &l) in buf.make_mut_slice().iter_mut().zip(luma) {
        *px = Rgb8Pixel { r: l, g: l, b: l };
    }
    Image::from_rgb8(buf)
}

/// Pixels per QR module in the fallback image; Slint scales it to the screen.
const QR_MODULE_PX: usize = 12;

/// The QR (with its 4-module quiet zone) as a black-on-white image.
pub fn qr_image(payload: &str) -> Image {
    let Ok(code) =
        qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::Q)
    else {
        return Image::default();
    };
    let n = code.width();
    let colors = code.to_colors();
    let quiet = 4;
    let side = (n + 2 * quiet) * QR_MODULE_PX;
    let Ok(side32) = u32::try_from(side) else {
        return Image::default();
    };
    let mut buf = SharedPixelBuffer::<Rgb8Pixel>::new(side32, side32);
    let pixels = buf.make_mut_slice();
    for (i, px) in pixels.iter_mut().enumerate() {
        let (x, y) = (i % side / QR_MODULE_PX, i / side / QR_MODULE_PX);
        let dark = x >= quiet
            && y >= quiet
            && x < n + quiet
            && y < n + quiet
            && colors[(y - quiet) * n + (x - quiet)] == qrcode::Color::Dark;
        let v = if dark { 0 } else { 255 };
        *px = Rgb8Pixel { r: v, g: v, b: v };
    }
    Image::from_rgb8(buf)
}

/// The 「ぜんたいの 地図」 screen's models.
pub struct MapModels {
    pub root: ui::RText,
    pub branches: ModelRc<ui::MapBranchItem>,
    pub yours: ModelRc<ui::RText>,
}

/// Places per row on the map screen (landscape; portrait has two).
pub const MAP_COLUMNS: usize = 3;

pub fn map_map(m: Option<&crate::kiosk::controller::MapView>) -> MapModels {
    let Some(m) = m else {
        return MapModels {
            root: ui::RText::default(),
            branches: ModelRc::default(),
            yours: ModelRc::default(),
        };
    };
    let rows = |places: &[crate::kiosk::controller::MapPlaceView], n: usize| {
        ModelRc::new(VecModel::from(
            places
                .chunks(n)
                .map(|row| ui::MapRowItem {
                    places: ModelRc::new(VecModel::from(
                        row.iter()
                            .map(|p| ui::MapPlaceItem {
                                name: to_rtext(&p.name),
                                words: to_rtext(&p.words),
                                rank: i32::from(p.rank),
                            })
                            .collect::<Vec<_>>(),
                    )),
                })
                .collect::<Vec<_>>(),
        ))
    };
    let branches: Vec<ui::MapBranchItem> = m
        .branches
        .iter()
        .map(|b| ui::MapBranchItem {
            name: to_rtext(&b.name),
            rows: rows(&b.places, MAP_COLUMNS),
            rows_narrow: rows(&b.places, 2),
        })
        .collect();
    MapModels {
        root: to_rtext(&m.root),
        branches: ModelRc::new(VecModel::from(branches)),
        yours: rtexts(&m.yours),
    }
}

/// The slip screen's line about the take-home copy ("" = none asked for).
pub fn sheet_line(
    s: &crate::kiosk::controller::SlipView,
    texts: &crate::kiosk::ui_texts::UiTexts,
    lang: crate::lang::Lang,
) -> ui::RText {
    use crate::kiosk::controller::SlipStatus;
    if s.sheet_only {
        let key = match s.status {
            SlipStatus::Printing => "slip.sheet_printing",
            SlipStatus::Printed => "slip.sheet_only_printed",
            SlipStatus::Failed(_) => "slip.sheet_only_failed",
        };
        return to_rtext(&texts.get(key, lang));
    }
    match &s.sheet {
        Some(sh) => to_rtext(&texts.get(
            crate::kiosk::controller::speech_script::sheet_key(sh, &s.status),
            lang,
        )),
        None => ui::RText::default(),
    }
}
