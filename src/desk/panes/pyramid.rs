//! 評価: the latest 職業準備性ピラミッド beside the previous one, with the visitor's own words,
//! and the form's action (`PyramidAdapter`, ui/desk_pyramid.slint).

use slint::{ComponentHandle, Model};

use super::{Wire, model, show, strings};
use crate::desk::controller::DeskController;
use crate::desk::network as actions;
use crate::desk::pane_text::{self as text, LevelRow};
use crate::desk::view::IntakeView;
use crate::network::meeting::LEVELS;
use crate::ui::{DeskWindow, PyramidAdapter, PyramidLevel, PyramidView};

const RATINGS: [&str; 4] = [
    "1 課題が大きい",
    "2 支援があればできる",
    "3 おおむねできる",
    "4 十分できる",
];

impl From<LevelRow> for PyramidLevel {
    fn from(r: LevelRow) -> Self {
        PyramidLevel {
            label: r.label.into(),
            rating: i32::from(r.rating),
            note: r.note.into(),
            own_words: r.own_words.into(),
        }
    }
}

pub fn clear(w: &DeskWindow) {
    w.global::<PyramidAdapter>()
        .set_view(PyramidView::default());
}

pub fn load(w: &DeskWindow, ctrl: &DeskController, v: &IntakeView, problems: &mut Vec<String>) {
    let assessments = ctrl.store().assessments(v.id).unwrap_or_else(|e| {
        problems.push(e.to_string());
        Vec::new()
    });
    let levels = |rows: Vec<LevelRow>| model(rows.into_iter().map(PyramidLevel::from).collect());
    let latest = assessments.last();
    let previous = assessments
        .len()
        .checked_sub(2)
        .and_then(|i| assessments.get(i));
    w.global::<PyramidAdapter>().set_view(PyramidView {
        level_names: strings(&LEVELS),
        rating_names: strings(&RATINGS),
        latest: levels(latest.map_or_else(Vec::new, |x| {
            text::levels(x, Some((&v.answers, &actions::OWN_WORDS)))
        })),
        previous: levels(previous.map_or_else(Vec::new, |x| text::levels(x, None))),
        latest_caption: latest
            .map_or_else(String::new, |x| text::assessment_caption("今回", x))
            .into(),
        previous_caption: previous
            .map_or_else(String::new, |x| text::assessment_caption("前回", x))
            .into(),
    });
}

pub fn connect(window: &DeskWindow, wire: &Wire) {
    let wi = wire.clone();
    window.global::<PyramidAdapter>().on_add(move |f| {
        wi.act(|w, c, now| {
            let mut ratings = [0u8; 5];
            let mut notes: [String; 5] = Default::default();
            for (i, r) in f.ratings.iter().take(5).enumerate() {
                ratings[i] = u8::try_from(r).unwrap_or(0);
            }
            for (i, n) in f.notes.iter().take(5).enumerate() {
                notes[i] = n.to_string();
            }
            let o =
                actions::add_assessment(c, &ratings, &notes, &f.date, super::today(c, now), now);
            show(w, o)
        })
        .unwrap_or(false)
    });
}
