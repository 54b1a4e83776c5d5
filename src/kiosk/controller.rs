//! The kiosk's state machine, in plain Rust: which screen is shown, the visitor's answers,
//! idle handling, the staff gate. No Slint here — the adapter feeds it taps and clock ticks
//! and shows `view()`; side effects go through `KioskBackend` or come out as `Effect`s.
//!
//! Every input carries the kiosk clock in milliseconds (`now`). Guards against double taps:
//! an answer names the question it answers (a tap meant for question 3 can never answer
//! question 4), and taps that arrive within `tap_guard_ms` of a screen change are ignored
//! (a tremor's second tap lands on the new screen's button at the same spot).

use std::rc::Rc;

use crate::answers::Answers;
use crate::content::Content;
use crate::kiosk::backend::{EndReason, KioskBackend, PrintJob, PrintResult, SlipTicket};
use crate::kiosk::pin::{MAX_DIGITS, PinGate, PinResult};
use crate::kiosk::rtext::RText;
use crate::kiosk::ui_texts::UiTexts;
use crate::lang::Lang;
use crate::matcher::{self, Outcome};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskSettings {
    pub idle_seconds: u32,
    pub warning_seconds: u32,
    /// The done screen goes back to the start after this long.
    pub done_seconds: u32,
    /// Taps this soon after a screen change are ignored.
    pub tap_guard_ms: u64,
    pub staff_pin_hash: Option<String>,
}

impl Default for KioskSettings {
    fn default() -> Self {
        KioskSettings {
            idle_seconds: 90,
            warning_seconds: 30,
            done_seconds: 10,
            tap_guard_ms: 300,
            staff_pin_hash: None,
        }
    }
}

impl KioskSettings {
    pub fn from_config(k: &crate::config::KioskConfig) -> KioskSettings {
        KioskSettings {
            idle_seconds: k.idle_seconds,
            warning_seconds: k.warning_seconds,
            staff_pin_hash: k.staff_pin_hash.clone(),
            ..KioskSettings::default()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Attract,
    Consent,
    /// 0-based question index.
    Question(usize),
    Results,
    Slip,
    Done,
    StaffCall,
    StaffPin,
    Staff,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlipStatus {
    Printing,
    Printed,
    Failed(String),
}

/// Work for the adapter to do outside the controller.
pub enum Effect {
    /// Run the print job off the UI thread; report back with `print_finished(visit, …)`.
    Print { visit: u64, job: PrintJob },
    /// Run the configured `kiosk.on_call_staff` command (not waited for).
    NotifyStaff,
    /// Staff chose "exit kiosk".
    ExitKiosk,
}

impl std::fmt::Debug for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Effect::Print { visit, .. } => write!(f, "Print {{ visit: {visit} }}"),
            Effect::NotifyStaff => f.write_str("NotifyStaff"),
            Effect::ExitKiosk => f.write_str("ExitKiosk"),
        }
    }
}

// ---- What the screen shows (plain data; the adapter maps it to Slint structs) ----

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
}

#[derive(Debug, Clone, PartialEq)]
pub struct SlipView {
    /// Changes with every new slip, so the adapter converts the bitmap once.
    pub visit: u64,
    pub status: SlipStatus,
    pub receipt_no: String,
    pub payload: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PinView {
    pub digits: usize,
    pub message: Option<RText>,
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub screen: Screen,
    pub lang: Lang,
    pub large: bool,
    pub question: Option<QuestionView>,
    pub results: Option<ResultsView>,
    pub slip: Option<SlipView>,
    /// Seconds left on the idle dialog, when it is shown.
    pub idle_left: Option<u32>,
    pub pin: PinView,
    pub default_pin: bool,
    pub staff_status: String,
}

pub struct Controller {
    content: Rc<Content>,
    texts: Rc<UiTexts>,
    settings: KioskSettings,
    backend: Box<dyn KioskBackend>,
    screen: Screen,
    /// Where 「もとの画面に もどる」 goes from the staff-call screen.
    call_return: Screen,
    lang: Lang,
    large: bool,
    answers: Answers,
    visit_active: bool,
    results_seen: bool,
    outcome: Option<Outcome>,
    slip: Option<(SlipTicket, SlipStatus)>,
    slip_error: bool,
    /// Numbers visits, so a late print result never lands on the next visitor's screen.
    visit_serial: u64,
    last_touch: u64,
    /// The latest time seen (for the view's lock state).
    clock: u64,
    screen_since: u64,
    idle_left: Option<u32>,
    pin_entry: String,
    pin_gate: PinGate,
    pin_message: Option<(String, String)>,
    effects: Vec<Effect>,
    /// Bumped on every visible change; the adapter re-syncs only then.
    revision: u64,
}

impl Controller {
    pub fn new(
        content: Rc<Content>,
        texts: Rc<UiTexts>,
        settings: KioskSettings,
        backend: Box<dyn KioskBackend>,
    ) -> Controller {
        let answers = Answers::new(&content.questionnaire);
        let pin_gate = PinGate::new(settings.staff_pin_hash.clone());
        Controller {
            content,
            texts,
            settings,
            backend,
            screen: Screen::Attract,
            call_return: Screen::Attract,
            lang: Lang::Ja,
            large: false,
            answers,
            visit_active: false,
            results_seen: false,
            outcome: None,
            slip: None,
            slip_error: false,
            visit_serial: 0,
            last_touch: 0,
            clock: 0,
            screen_since: 0,
            idle_left: None,
            pin_entry: String::new(),
            pin_gate,
            pin_message: None,
            effects: Vec::new(),
            revision: 1,
        }
    }

    // ---- small accessors (tests, adapter) ----

    pub fn screen(&self) -> Screen {
        self.screen
    }
    pub fn lang(&self) -> Lang {
        self.lang
    }
    pub fn large_text(&self) -> bool {
        self.large
    }
    pub fn answers(&self) -> &Answers {
        &self.answers
    }
    pub fn revision(&self) -> u64 {
        self.revision
    }
    pub fn texts(&self) -> &UiTexts {
        &self.texts
    }
    pub fn slip_ticket(&self) -> Option<&SlipTicket> {
        self.slip.as_ref().map(|(t, _)| t)
    }
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }
    /// The backend, for the adapter's status line and for tests.
    pub fn backend(&self) -> &dyn KioskBackend {
        self.backend.as_ref()
    }

    fn questions(&self) -> usize {
        self.content.questionnaire.len()
    }

    fn changed(&mut self) {
        self.revision += 1;
    }

    fn set_screen(&mut self, now: u64, s: Screen) {
        self.screen = s;
        self.screen_since = now;
        self.changed();
    }

    /// A touch: someone is here. Closes the idle dialog.
    fn touch(&mut self, now: u64) {
        self.last_touch = now;
        self.clock = self.clock.max(now);
        if self.idle_left.take().is_some() {
            self.changed();
        }
    }

    /// Is a navigation tap at `now` far enough from the last screen change?
    fn settled(&self, now: u64) -> bool {
        now.saturating_sub(self.screen_since) >= self.settings.tap_guard_ms
    }

    /// A navigation tap on `expected`: accepted only on that screen, once it has settled.
    fn tap(&mut self, now: u64, expected: Screen) -> bool {
        self.touch(now);
        self.screen == expected && self.settled(now)
    }

    // ---- the visitor's flow ----

    /// 「働きたい!! はじめる」
    pub fn start(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::Attract) {
            return false;
        }
        self.set_screen(now, Screen::Consent);
        true
    }

    /// 「はじめる」 on the consent screen: the visit begins.
    pub fn consent_accept(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::Consent) {
            return false;
        }
        if !self.visit_active {
            self.visit_active = true;
            self.visit_serial += 1;
            self.answers = Answers::new(&self.content.questionnaire);
            self.backend.visit_started(self.lang, self.large);
        }
        self.set_screen(now, Screen::Question(0));
        true
    }

    /// 「やめる」 on the consent screen: back to the start, nothing kept.
    pub fn consent_decline(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::Consent) {
            return false;
        }
        self.end_visit(EndReason::Abandoned { at_question: None });
        self.reset(now);
        true
    }

    /// An option tapped on question `question` (its index among the question's options).
    pub fn answer(&mut self, now: u64, question: usize, option: usize) -> bool {
        if !self.tap(now, Screen::Question(question)) {
            return false;
        }
        let Some(q) = self.content.questionnaire.questions.get(question) else {
            return false;
        };
        let Some(opt) = q.options.get(option) else {
            return false;
        };
        if opt.skip {
            return self.record_skip(now, question);
        }
        let Ok(code) = u8::try_from(option) else {
            return false;
        };
        self.answers.set(question, Some(code));
        self.backend.answered(question, Some(code));
        self.advance(now, question);
        true
    }

    /// 「わからない・こたえない」 on question `question`.
    pub fn skip(&mut self, now: u64, question: usize) -> bool {
        if !self.tap(now, Screen::Question(question)) {
            return false;
        }
        self.record_skip(now, question)
    }

    fn record_skip(&mut self, now: u64, question: usize) -> bool {
        // Recorded as the question's own skip option (stats count わからない), or as no answer.
        let skip_opt = self
            .content
            .questionnaire
            .questions
            .get(question)
            .and_then(|q| q.options.iter().position(|o| o.skip));
        let code = skip_opt.and_then(|i| u8::try_from(i).ok());
        self.answers.set(question, code);
        self.backend.answered(question, code);
        self.advance(now, question);
        true
    }

    fn advance(&mut self, now: u64, question: usize) {
        if question + 1 < self.questions() {
            self.set_screen(now, Screen::Question(question + 1));
        } else {
            self.show_results(now);
        }
    }

    fn show_results(&mut self, now: u64) {
        let outcome = matcher::match_answers(&self.content, &self.answers);
        self.backend
            .results_shown(&self.answers, &outcome, self.lang);
        self.outcome = Some(outcome);
        self.results_seen = true;
        self.slip_error = false;
        self.set_screen(now, Screen::Results);
    }

    /// 「もどる」 on question `question`: the previous question (its answer kept and marked),
    /// or the consent screen from the first.
    pub fn back(&mut self, now: u64, question: usize) -> bool {
        if !self.tap(now, Screen::Question(question)) {
            return false;
        }
        let to = if question == 0 {
            Screen::Consent
        } else {
            Screen::Question(question - 1)
        };
        self.set_screen(now, to);
        true
    }

    /// 「もどる」 on the results: the last question.
    pub fn results_back(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::Results) {
            return false;
        }
        self.slip_error = false;
        let last = self.questions().saturating_sub(1);
        self.set_screen(now, Screen::Question(last));
        true
    }

    /// 「受付票を印刷」: the backend commits the visit and makes the slip; printing runs as an
    /// effect. If the slip cannot be made, the results stay with a call-staff message.
    pub fn print(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::Results) {
            return false;
        }
        let Some(outcome) = self.outcome.as_ref() else {
            return false;
        };
        match self.backend.make_slip(&self.answers, outcome, self.lang) {
            Ok((ticket, job)) => {
                self.slip = Some((ticket, SlipStatus::Printing));
                self.effects.push(Effect::Print {
                    visit: self.visit_serial,
                    job,
                });
                self.set_screen(now, Screen::Slip);
            }
            Err(_reason) => {
                // The reason is for staff (backend status); the visitor gets a kind message.
                self.slip_error = true;
                self.backend.staff_called();
                self.effects.push(Effect::NotifyStaff);
                self.changed();
            }
        }
        true
    }

    /// The print job's result (on the UI thread). Stale results (another visit) are dropped.
    pub fn print_finished(&mut self, visit: u64, result: PrintResult) -> bool {
        let shown =
            visit == self.visit_serial && matches!(self.slip, Some((_, SlipStatus::Printing)));
        if !shown {
            // The visitor has moved on: nothing changes on screen, but the result still
            // belongs in the record of the visit that printed (stats count print failures).
            self.backend.print_finished(&result);
            return false;
        }
        let Some((_, status)) = self.slip.as_mut() else {
            return false;
        };
        self.backend.print_finished(&result);
        *status = match result {
            PrintResult::Printed => SlipStatus::Printed,
            PrintResult::Failed(why) => SlipStatus::Failed(why),
        };
        self.changed();
        true
    }

    /// 「おわる」 on the slip screen.
    pub fn finish(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::Slip) {
            return false;
        }
        self.end_visit(EndReason::Completed);
        self.clear_visit();
        self.set_screen(now, Screen::Done);
        true
    }

    /// 「はじめの画面に もどる」 on the done screen.
    pub fn done_home(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::Done) {
            return false;
        }
        self.reset(now);
        true
    }

    // ---- always available ----

    pub fn set_lang(&mut self, now: u64, lang: Lang) -> bool {
        self.touch(now);
        if self.lang == lang {
            return false;
        }
        self.lang = lang;
        if self.visit_active {
            self.backend.display_changed(self.lang, self.large);
        }
        self.changed();
        true
    }

    pub fn set_large(&mut self, now: u64, large: bool) -> bool {
        self.touch(now);
        if self.large == large {
            return false;
        }
        self.large = large;
        if self.visit_active {
            self.backend.display_changed(self.lang, self.large);
        }
        self.changed();
        true
    }

    /// 「スタッフをよぶ」: the staff-coming screen, the event recorded, the command run.
    pub fn call_staff(&mut self, now: u64) -> bool {
        self.touch(now);
        if matches!(
            self.screen,
            Screen::StaffCall | Screen::StaffPin | Screen::Staff
        ) {
            return false;
        }
        self.call_return = self.screen;
        self.backend.staff_called();
        self.effects.push(Effect::NotifyStaff);
        self.set_screen(now, Screen::StaffCall);
        true
    }

    /// 「もとの画面に もどる」 on the staff-coming screen.
    pub fn staff_call_close(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::StaffCall) {
            return false;
        }
        let to = self.call_return;
        self.set_screen(now, to);
        true
    }

    /// A touch that does nothing else (background, scrolling).
    pub fn activity(&mut self, now: u64) {
        self.touch(now);
    }

    /// 「つづける」 on the idle dialog.
    pub fn idle_continue(&mut self, now: u64) {
        self.touch(now);
    }

    /// Called about once a second: the idle dialog, its countdown and the reset; the done
    /// screen's return to the start. Returns true when the view changed.
    pub fn tick(&mut self, now: u64) -> bool {
        let before = self.revision;
        let was_locked = self.pin_gate.locked(self.clock).is_some();
        self.clock = self.clock.max(now);
        if self.screen == Screen::StaffPin && was_locked && self.pin_gate.locked(now).is_none() {
            self.pin_message = None;
            self.changed();
        }
        let idle_ms = u64::from(self.settings.idle_seconds) * 1000;
        let warn_ms = u64::from(self.settings.warning_seconds) * 1000;
        let quiet = now.saturating_sub(self.last_touch);
        match self.screen {
            Screen::Done => {
                if now.saturating_sub(self.screen_since)
                    >= u64::from(self.settings.done_seconds) * 1000
                {
                    self.reset(now);
                }
            }
            Screen::Attract => {
                // Nothing to protect; a previous visitor's language and size quietly go back.
                if quiet >= idle_ms && (self.lang != Lang::Ja || self.large) {
                    self.lang = Lang::Ja;
                    self.large = false;
                    self.changed();
                }
            }
            _ => {
                if quiet >= idle_ms + warn_ms {
                    let reason = self.idle_reason();
                    self.end_visit(reason);
                    self.reset(now);
                } else if quiet >= idle_ms {
                    let left = ((idle_ms + warn_ms - quiet).div_ceil(1000)) as u32;
                    if self.idle_left != Some(left) {
                        self.idle_left = Some(left);
                        self.changed();
                    }
                }
            }
        }
        self.revision != before
    }

    fn idle_reason(&self) -> EndReason {
        if self.results_seen {
            // The visitor saw their results: the visit is complete even without a slip.
            return EndReason::Completed;
        }
        let on = if self.screen == Screen::StaffCall {
            self.call_return
        } else {
            self.screen
        };
        let at_question = match on {
            Screen::Question(q) => u8::try_from(q).ok(),
            _ => None,
        };
        EndReason::IdleReset { at_question }
    }

    // ---- staff ----

    /// The hidden corner gesture (3-second press on the attract screen).
    pub fn open_staff(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::Attract) {
            return false;
        }
        self.pin_entry.clear();
        self.pin_message = None;
        self.set_screen(now, Screen::StaffPin);
        true
    }

    pub fn pin_digit(&mut self, now: u64, digit: u8) -> bool {
        self.touch(now);
        if self.screen != Screen::StaffPin
            || digit > 9
            || self.pin_entry.len() >= MAX_DIGITS
            || self.pin_gate.locked(now).is_some()
        {
            return false;
        }
        self.pin_entry.push(char::from(b'0' + digit));
        self.pin_message = None;
        self.changed();
        true
    }

    pub fn pin_clear(&mut self, now: u64) -> bool {
        self.touch(now);
        if self.screen != Screen::StaffPin {
            return false;
        }
        self.pin_entry.clear();
        self.changed();
        true
    }

    pub fn pin_cancel(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::StaffPin) {
            return false;
        }
        self.reset(now);
        true
    }

    pub fn pin_submit(&mut self, now: u64) -> bool {
        self.touch(now);
        if self.screen != Screen::StaffPin {
            return false;
        }
        let entry = std::mem::take(&mut self.pin_entry);
        match self.pin_gate.check(now, &entry) {
            PinResult::Ok => {
                self.pin_message = None;
                self.set_screen(now, Screen::Staff);
            }
            PinResult::Wrong { tries_left } => {
                self.pin_message = Some(("pin.wrong".into(), tries_left.to_string()));
                self.changed();
            }
            PinResult::Locked { minutes_left } => {
                self.pin_message = Some(("pin.locked".into(), minutes_left.to_string()));
                self.changed();
            }
        }
        true
    }

    pub fn staff_close(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::Staff) {
            return false;
        }
        self.reset(now);
        true
    }

    pub fn exit_kiosk(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::Staff) {
            return false;
        }
        self.effects.push(Effect::ExitKiosk);
        true
    }

    // ---- resets ----

    fn end_visit(&mut self, reason: EndReason) {
        if self.visit_active {
            self.backend.visit_ended(reason);
            self.visit_active = false;
        }
    }

    /// Forgets everything about the visit: answers, results, slip.
    fn clear_visit(&mut self) {
        self.answers.clear();
        self.answers = Answers::new(&self.content.questionnaire);
        self.outcome = None;
        self.slip = None;
        self.slip_error = false;
        self.results_seen = false;
        self.visit_active = false;
    }

    /// Back to the attract screen as a new visitor would find it.
    fn reset(&mut self, now: u64) {
        self.clear_visit();
        self.lang = Lang::Ja;
        self.large = false;
        self.idle_left = None;
        self.pin_entry.clear();
        self.pin_message = None;
        self.call_return = Screen::Attract;
        self.last_touch = now;
        self.set_screen(now, Screen::Attract);
    }

    // ---- the view ----

    fn t(&self, key: &str) -> RText {
        self.texts.get(key, self.lang)
    }

    fn markup(&self, s: &str) -> RText {
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
        });
        let locked = self.pin_gate.locked(self.clock).is_some();
        View {
            screen: self.screen,
            lang: self.lang,
            large: self.large,
            question,
            results,
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
            default_pin: self.pin_gate.is_default(),
            staff_status: self.backend.status(),
        }
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
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kiosk::backend::MemoryBackend;
    use std::cell::RefCell;

    /// A backend that shares its event list with the test.
    type Shared = Rc<RefCell<MemoryBackend>>;

    struct T {
        c: Controller,
        b: Shared,
        now: u64,
    }

    impl T {
        fn new() -> T {
            let content = Rc::new(Content::embedded().unwrap_or_else(|e| panic!("{e}")));
            let texts = Rc::new(UiTexts::embedded().unwrap_or_else(|e| panic!("{e:?}")));
            let b = Shared::default();
            let c = Controller::new(
                content,
                texts,
                KioskSettings::default(),
                Box::new(b.clone()),
            );
            T { c, b, now: 1_000 }
        }
        /// Time passes (more than the tap guard), then `f` runs.
        fn later<R>(&mut self, f: impl FnOnce(&mut Controller, u64) -> R) -> R {
            self.now += 500;
            f(&mut self.c, self.now)
        }
        fn events(&self) -> Vec<String> {
            self.b.borrow().events.clone()
        }
        fn goto_first_question(&mut self) {
            assert!(self.later(|c, n| c.start(n)));
            assert!(self.later(|c, n| c.consent_accept(n)));
            assert_eq!(self.c.screen(), Screen::Question(0));
        }
    }

    #[test]
    fn a_print_result_after_the_visitor_left_is_still_recorded_but_not_shown() {
        let mut t = T::new();
        t.b.borrow_mut().fail_print = Some("paper end".into());
        t.goto_first_question();
        for q in 0..8 {
            assert!(t.later(|c, n| c.answer(n, q, 0)), "question {q}");
        }
        assert!(t.later(|c, n| c.print(n)));
        let Some(Effect::Print { visit, job }) = t.c.take_effects().into_iter().next() else {
            panic!("print effect")
        };
        // The visitor taps おわる before the printer answers.
        assert!(t.later(|c, n| c.finish(n)));
        assert_eq!(t.c.screen(), Screen::Done);
        assert!(
            !t.c.print_finished(visit, job()),
            "nothing changes on screen"
        );
        assert_eq!(t.c.screen(), Screen::Done);
        let ev = t.events();
        assert!(ev.iter().any(|e| e.contains("printed Failed")), "{ev:?}");
    }

    #[test]
    fn full_visit_to_slip_and_done() {
        let mut t = T::new();
        t.goto_first_question();
        for q in 0..8 {
            assert!(t.later(|c, n| c.answer(n, q, 0)), "question {q}");
        }
        assert_eq!(t.c.screen(), Screen::Results);
        let v = t.c.view();
        let r = v.results.unwrap_or_else(|| panic!("results view"));
        assert!(!r.cards.is_empty() && r.cards.len() <= 3);
        assert!(
            r.cards
                .iter()
                .all(|c| c.facts.len() == 4 && !c.reasons.is_empty())
        );
        assert!(t.later(|c, n| c.print(n)));
        assert_eq!(t.c.screen(), Screen::Slip);
        let effects = t.c.take_effects();
        let [Effect::Print { visit, job }] =
            <[Effect; 1]>::try_from(effects).unwrap_or_else(|e| panic!("{e:?}"))
        else {
            panic!("print effect")
        };
        assert!(t.c.print_finished(visit, job()));
        assert_eq!(t.c.view().slip.map(|s| s.status), Some(SlipStatus::Printed));
        assert!(t.later(|c, n| c.finish(n)));
        assert_eq!(t.c.screen(), Screen::Done);
        assert_eq!(t.c.answers().slots().iter().flatten().count(), 0);
        // The done screen goes home by itself.
        t.now += 11_000;
        assert!(t.c.tick(t.now));
        assert_eq!(t.c.screen(), Screen::Attract);
        let ev = t.events();
        assert_eq!(
            ev.first().map(String::as_str),
            Some("started ja large=false")
        );
        assert!(ev.contains(&"slip".to_string()) && ev.contains(&"ended Completed".to_string()));
    }

    #[test]
    fn double_tap_never_skips_a_question() {
        let mut t = T::new();
        t.goto_first_question();
        assert!(t.later(|c, n| c.answer(n, 0, 1)));
        // The same tap delivered twice (same question index): refused.
        assert!(!t.c.answer(t.now + 10, 0, 1));
        // A second tap 100 ms later lands on the next question's button: refused too.
        assert!(!t.c.answer(t.now + 100, 1, 2));
        assert!(!t.c.skip(t.now + 120, 1));
        assert_eq!(t.c.screen(), Screen::Question(1));
        assert_eq!(t.c.answers().get(1), None);
        // After the guard, question 2 can be answered.
        assert!(t.later(|c, n| c.answer(n, 1, 2)));
        assert_eq!(t.c.screen(), Screen::Question(2));
        assert_eq!(
            t.events()
                .iter()
                .filter(|e| e.starts_with("answered"))
                .count(),
            2
        );
    }

    #[test]
    fn back_then_change_an_answer() {
        let mut t = T::new();
        t.goto_first_question();
        assert!(t.later(|c, n| c.answer(n, 0, 0)));
        assert!(t.later(|c, n| c.answer(n, 1, 0)));
        assert!(t.later(|c, n| c.back(n, 2)));
        assert_eq!(t.c.screen(), Screen::Question(1));
        let q = t.c.view().question.unwrap_or_else(|| panic!("question"));
        assert!(q.options[0].selected && !q.options[1].selected);
        assert!(t.later(|c, n| c.answer(n, 1, 2)));
        assert_eq!(t.c.answers().get(1), Some(2));
        assert!(
            t.later(|c, n| c.back(n, 2))
                && t.later(|c, n| c.back(n, 1))
                && t.later(|c, n| c.back(n, 0))
        );
        assert_eq!(t.c.screen(), Screen::Consent);
    }

    #[test]
    fn skip_all_eight() {
        let mut t = T::new();
        t.goto_first_question();
        for q in 0..8 {
            assert!(t.later(|c, n| c.skip(n, q)));
        }
        assert_eq!(t.c.screen(), Screen::Results);
        assert_eq!(
            t.c.answers().answered_count(
                &Content::embedded()
                    .unwrap_or_else(|e| panic!("{e}"))
                    .questionnaire
            ),
            0
        );
        let r = t.c.view().results.unwrap_or_else(|| panic!("results"));
        assert!(!r.handoff.plain.is_empty());
        // Going back shows the skip as chosen.
        assert!(t.later(|c, n| c.results_back(n)));
        assert!(t.c.view().question.is_some_and(|q| q.skip_selected));
    }

    #[test]
    fn language_switch_keeps_answers() {
        let mut t = T::new();
        t.goto_first_question();
        assert!(t.later(|c, n| c.answer(n, 0, 1)));
        assert!(t.later(|c, n| c.set_lang(n, Lang::En)));
        assert!(t.later(|c, n| c.set_large(n, true)));
        assert_eq!(t.c.screen(), Screen::Question(1));
        assert_eq!(t.c.answers().get(0), Some(1));
        let v = t.c.view();
        assert_eq!(
            v.question.map(|q| q.text.plain),
            Some("How many days a week can you go out?".to_string())
        );
        assert!(t.later(|c, n| c.set_lang(n, Lang::JaEasy)));
        assert!(t.c.view().question.is_some_and(|q| q.text.ruby));
        assert!(t.events().contains(&"display en large=false".to_string()));
    }

    #[test]
    fn idle_dialog_counts_down_then_resets_everything() {
        let mut t = T::new();
        t.goto_first_question();
        assert!(t.later(|c, n| c.answer(n, 0, 0)));
        assert!(t.later(|c, n| c.set_lang(n, Lang::En)));
        let last = t.now;
        assert!(!t.c.tick(last + 89_000));
        assert!(t.c.tick(last + 90_000));
        assert_eq!(t.c.view().idle_left, Some(30));
        assert!(t.c.tick(last + 100_500));
        assert_eq!(t.c.view().idle_left, Some(20));
        // つづける: the dialog closes, answers stay.
        t.c.idle_continue(last + 101_000);
        assert_eq!(t.c.view().idle_left, None);
        assert_eq!(t.c.answers().get(0), Some(0));
        // Then nobody: reset at idle + warning.
        let last = last + 101_000;
        t.c.tick(last + 90_000);
        assert!(t.c.tick(last + 120_000));
        let v = t.c.view();
        assert_eq!(
            (v.screen, v.lang, v.large, v.idle_left),
            (Screen::Attract, Lang::Ja, false, None)
        );
        assert!(v.question.is_none() && v.results.is_none() && v.slip.is_none());
        assert!(t.c.answers().slots().iter().all(Option::is_none));
        assert!(
            t.events()
                .contains(&"ended IdleReset { at_question: Some(1) }".to_string())
        );
    }

    #[test]
    fn staff_call_returns_to_where_the_visitor_was() {
        let mut t = T::new();
        t.goto_first_question();
        assert!(t.later(|c, n| c.answer(n, 0, 0)));
        assert!(t.later(|c, n| c.call_staff(n)));
        assert_eq!(t.c.screen(), Screen::StaffCall);
        assert!(matches!(
            t.c.take_effects().as_slice(),
            [Effect::NotifyStaff]
        ));
        assert!(
            !t.later(|c, n| c.call_staff(n)),
            "no second call from the staff-coming screen"
        );
        assert!(t.later(|c, n| c.staff_call_close(n)));
        assert_eq!(t.c.screen(), Screen::Question(1));
        assert_eq!(t.events().iter().filter(|e| *e == "staff").count(), 1);
    }

    #[test]
    fn print_failure_shows_fallback_and_stale_results_are_ignored() {
        let mut t = T::new();
        t.b.borrow_mut().fail_print = Some("paper end".into());
        t.goto_first_question();
        for q in 0..8 {
            assert!(t.later(|c, n| c.skip(n, q)));
        }
        assert!(t.later(|c, n| c.print(n)));
        assert!(!t.c.print(t.now + 50), "a double tap does not print twice");
        let Some(Effect::Print { visit, job }) = t.c.take_effects().into_iter().next() else {
            panic!("print effect")
        };
        assert!(!t.c.print_finished(visit + 1, PrintResult::Printed));
        assert!(t.c.print_finished(visit, job()));
        assert_eq!(
            t.c.view().slip.map(|s| s.status),
            Some(SlipStatus::Failed("paper end".into()))
        );
        assert_eq!(t.events().iter().filter(|e| *e == "slip").count(), 1);
    }

    #[test]
    fn staff_pin_locks_after_five_wrong_tries() {
        let mut t = T::new();
        assert!(t.later(|c, n| c.open_staff(n)));
        assert_eq!(t.c.screen(), Screen::StaffPin);
        for _ in 0..5 {
            for d in [9, 9, 9, 9] {
                t.later(|c, n| c.pin_digit(n, d));
            }
            assert!(t.later(|c, n| c.pin_submit(n)));
        }
        assert!(t.c.view().pin.locked);
        assert!(
            t.c.view()
                .pin
                .message
                .is_some_and(|m| m.plain.contains('5'))
        );
        assert!(!t.later(|c, n| c.pin_digit(n, 1)), "no digits while locked");
        // After five minutes the right PIN opens the staff screen.
        t.now += 5 * 60 * 1000;
        for d in [1, 2, 3, 4] {
            assert!(t.later(|c, n| c.pin_digit(n, d)));
        }
        assert!(t.later(|c, n| c.pin_submit(n)));
        assert_eq!(t.c.screen(), Screen::Staff);
        assert!(t.c.view().default_pin);
        assert!(t.later(|c, n| c.exit_kiosk(n)));
        assert!(matches!(t.c.take_effects().as_slice(), [Effect::ExitKiosk]));
    }
}
