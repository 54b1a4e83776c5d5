//! What the screen shows: plain data built from the controller's state; the adapter maps it to
//! Slint structs and models, and speech reads it aloud.

use super::{CallView, Controller, Screen, SetupStep, SlipStatus, SpeechMode};
use crate::kiosk::rtext::RText;
use crate::lang::Lang;
use crate::matcher;

#[derive(Debug, Clone, PartialEq)]
pub struct OptionView {
    pub index: usize,
    pub label: RText,
    pub selected: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionView {
    pub index: usize,
    pub total: usize,
    pub text: RText,
    /// The answer options; the question's skip option (わからない) is the separate skip button.
    pub options: Vec<OptionView>,
    pub skip_selected: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FactView {
    pub label: RText,
    pub value: RText,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CardView {
    pub name: RText,
    pub summary: RText,
    pub facts: Vec<FactView>,
    pub reasons: Vec<RText>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResultsView {
    pub cards: Vec<CardView>,
    pub notes: Vec<RText>,
    pub handoff: RText,
    pub slip_error: bool,
    /// The take-home choices (SHEET.md §1).
    pub sheet: super::SheetChoice,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SlipView {
    /// Changes with every new slip, so the adapter converts the bitmap once.
    pub visit: u64,
    pub status: SlipStatus,
    pub receipt_no: String,
    pub payload: String,
    /// The take-home sheet's print, when one was asked for.
    pub sheet: Option<SlipStatus>,
    /// Only the take-home sheet (no staff slip): the preview is the sheet.
    pub sheet_only: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PinView {
    pub digits: usize,
    pub message: Option<RText>,
    /// The keypad refuses digits: locked after wrong PINs, or the PIN file is unusable.
    pub locked: bool,
}

/// The one-time setup (shown while no PIN exists).
#[derive(Debug, Clone, PartialEq)]
pub struct SetupView {
    pub step: SetupStep,
    /// 「受付端末 N」, the name when none is given.
    pub default_name: String,
    /// 「あとで決める（受付端末 N）」 (with readings in やさしいにほんご).
    pub skip_label: RText,
    /// The test print's state and what it says, once started.
    pub print: Option<SlipStatus>,
    pub print_text: Option<RText>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub screen: Screen,
    pub lang: Lang,
    pub large: bool,
    pub question: Option<QuestionView>,
    pub results: Option<ResultsView>,
    /// 「ぜんたいの 地図」.
    pub map: Option<super::MapView>,
    pub slip: Option<SlipView>,
    /// Seconds left on the idle dialog, when it is shown.
    pub idle_left: Option<u32>,
    pub pin: PinView,
    pub setup: Option<SetupView>,
    /// The kiosk's name (given at the setup, else 「受付端末 N」).
    pub kiosk_name: String,
    pub staff_status: String,
    /// Keys and speech (ACCESS.md): the focused control's key, a serial that asks the UI to
    /// (re)apply focus, whether the outline shows, and speech mode.
    pub focus_key: String,
    pub focus_serial: u64,
    pub focus_visible: bool,
    pub speech: SpeechMode,
    pub speech_available: bool,
    /// The staff-call screen's words (call.rs) and the call button's label key.
    pub call: CallView,
}

impl Controller {
    pub(super) fn t(&self, key: &str) -> RText {
        self.texts.get(key, self.lang)
    }

    pub(super) fn markup(&self, s: &str) -> RText {
        RText::for_lang(s, self.lang)
    }

    pub fn view(&self) -> View {
        let question = match self.screen {
            Screen::Question(i) => self.question_view(i),
            Screen::StaffCall => match self.call_return {
                Screen::Question(i) => self.question_view(i),
                _ => None,
            },
            _ => None,
        };
        let results = match (self.screen, self.call_return) {
            (Screen::Results, _) | (Screen::StaffCall, Screen::Results) => self.results_view(),
            _ => None,
        };
        let slip = self.slip.as_ref().map(|(t, s)| SlipView {
            visit: self.visit_serial,
            status: s.clone(),
            receipt_no: t.receipt_no.clone(),
            payload: t.payload.clone(),
            sheet: self.sheet_status(),
            sheet_only: self.sheet_only(),
        });
        let map = match self.screen {
            Screen::Map => self.map_view(),
            _ => None,
        };
        let locked = self.pad_locked(self.clock);
        let setup = self.setup_view();
        let mut staff_status = self.backend.status();
        if let Some(p) = self.pin_gate.problem() {
            if !staff_status.is_empty() {
                staff_status.push('\n');
            }
            staff_status.push_str(&format!("暗証番号のロックを保存できません / {p}"));
        }
        View {
            screen: self.screen,
            lang: self.lang,
            large: self.large,
            question,
            results,
            map,
            slip,
            idle_left: self.idle_left,
            pin: PinView {
                digits: self.pin_entry.len(),
                message: self
                    .pin_message
                    .as_ref()
                    .map(|(k, arg)| self.texts.format(k, self.lang, arg)),
                locked,
            },
            setup,
            kiosk_name: self.kiosk_name(),
            staff_status,
            focus_key: self.focus_key().0,
            focus_serial: self.focus_serial,
            focus_visible: self.focus_visible(),
            speech: self.speech,
            speech_available: self.speech_available,
            call: self.call_view(),
        }
    }

    fn setup_view(&self) -> Option<SetupView> {
        let step = self.setup_step()?;
        let print = self.setup.as_ref().and_then(|s| s.print.clone());
        let print_text = print.as_ref().map(|p| match p {
            SlipStatus::Printing => self.t("setup.printing"),
            SlipStatus::Printed => self.t("setup.printed"),
            SlipStatus::Failed(why) => self.texts.format("setup.print_failed", self.lang, why),
        });
        let default_name = self.default_kiosk_name();
        let shown_name = match self.lang {
            crate::lang::Lang::JaEasy => {
                default_name.replacen("受付端末", "{受付|うけつけ}{端末|たんまつ}", 1)
            }
            _ => default_name.clone(),
        };
        Some(SetupView {
            step,
            skip_label: self.texts.format("setup.name_skip", self.lang, &shown_name),
            default_name,
            print,
            print_text,
        })
    }

    fn question_view(&self, i: usize) -> Option<QuestionView> {
        let q = self.content.questionnaire.questions.get(i)?;
        let chosen = self.answers.get(i).map(usize::from);
        let options = q
            .options
            .iter()
            .enumerate()
            .filter(|(_, o)| !o.skip)
            .map(|(oi, o)| OptionView {
                index: oi,
                label: self.markup(o.text.get(self.lang)),
                selected: chosen == Some(oi),
            })
            .collect();
        let skip_selected = chosen.is_some_and(|c| q.options.get(c).is_some_and(|o| o.skip));
        Some(QuestionView {
            index: i,
            total: self.questions(),
            text: self.markup(q.text.get(self.lang)),
            options,
            skip_selected,
        })
    }

    fn results_view(&self) -> Option<ResultsView> {
        let outcome = self.outcome.as_ref()?;
        let cat = &self.content.catalogue;
        let cards = outcome
            .routes
            .iter()
            .filter_map(|hit| {
                let r = cat.routes.get(hit.route)?;
                let f = &r.facts;
                let facts = [
                    ("fact.period", &f.period),
                    ("fact.days", &f.days),
                    ("fact.money", &f.money),
                    ("fact.place", &f.place),
                ]
                .into_iter()
                .map(|(k, v)| FactView {
                    label: self.t(k),
                    value: self.markup(v.get(self.lang)),
                })
                .collect();
                let reasons = hit
                    .reasons
                    .iter()
                    .map(|&re| matcher::reason_text(&self.content, re, self.lang))
                    .filter(|s| !s.is_empty())
                    .map(|s| self.markup(s))
                    .collect();
                Some(CardView {
                    name: self.markup(r.name.get(self.lang)),
                    summary: self.markup(r.summary.get(self.lang)),
                    facts,
                    reasons,
                })
            })
            .collect();
        let notes = outcome
            .notes
            .iter()
            .filter_map(|&n| cat.notes.get(n))
            .map(|n| self.markup(n.text.get(self.lang)))
            .collect();
        Some(ResultsView {
            cards,
            notes,
            handoff: self.markup(cat.handoff_text.get(self.lang)),
            slip_error: self.slip_error,
            sheet: self.sheet_choice(),
        })
    }
}
