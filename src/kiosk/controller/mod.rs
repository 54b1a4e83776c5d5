//! The kiosk's state machine, in plain Rust: which screen is shown, the visitor's answers,
//! idle handling, the staff gate. No Slint here — the adapter feeds it taps and clock ticks
//! and shows `view()`; side effects go through `KioskBackend` or come out as `Effect`s.
//!
//! Every input carries the kiosk clock in milliseconds (`now`). Guards against double taps:
//! an answer names the question it answers (a tap meant for question 3 can never answer
//! question 4), and taps that arrive within `tap_guard_ms` of a screen change are ignored
//! (a tremor's second tap lands on the new screen's button at the same spot).

use std::path::PathBuf;
use std::rc::Rc;

use crate::answers::Answers;
use crate::content::Content;
use crate::kiosk::backend::{EndReason, KioskBackend, PrintJob, PrintResult, SlipTicket};
use crate::kiosk::controller::speech_script::Script;
use crate::kiosk::pin::PinGate;
use crate::kiosk::pin_files::StaffFiles;
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
    /// `[kiosk] id`, for the default kiosk name (「受付端末 1」).
    pub kiosk_id: u16,
    /// Where the PIN set at the kiosk, its lock and the kiosk's name are kept (the data dir);
    /// None = in memory only (screenshots, `speak`, tests).
    pub data_dir: Option<PathBuf>,
    /// How 「スタッフを よぶ」 reaches staff, and how long a call waits for an answer.
    pub call_channel: CallChannel,
    pub call_answer_seconds: u32,
    pub show_staff_name: bool,
    /// `[kiosk.call_help]`: where to go when no desk can come (ja, ja-easy, en).
    pub call_help: Option<[String; 3]>,
    /// `[sheet] take_home`: 「持ち帰り用も 印刷」 already chosen on the results.
    pub take_home_default: bool,
}

impl Default for KioskSettings {
    fn default() -> Self {
        KioskSettings {
            idle_seconds: 90,
            warning_seconds: 30,
            done_seconds: 10,
            tap_guard_ms: 300,
            staff_pin_hash: None,
            kiosk_id: 1,
            data_dir: None,
            call_channel: CallChannel::None,
            call_answer_seconds: 60,
            show_staff_name: false,
            call_help: None,
            take_home_default: false,
        }
    }
}

impl KioskSettings {
    pub fn from_config(k: &crate::config::KioskConfig) -> KioskSettings {
        KioskSettings {
            idle_seconds: k.idle_seconds,
            warning_seconds: k.warning_seconds,
            staff_pin_hash: k.staff_pin_hash.clone(),
            kiosk_id: k.id,
            call_channel: if k.publish_to.is_some() {
                CallChannel::Lobby
            } else if k.on_call_staff.is_some() {
                CallChannel::Hook
            } else {
                CallChannel::None
            },
            call_answer_seconds: k.call_answer_seconds,
            show_staff_name: k.show_staff_name,
            call_help: k
                .call_help
                .as_ref()
                .map(|h| [h.ja.clone(), h.ja_easy.clone(), h.en.clone()]),
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
    /// 「ぜんたいの 地図」: the centre's map with the visitor's routes marked.
    Map,
    Slip,
    Done,
    StaffCall,
    StaffPin,
    /// The one-time setup while no PIN exists (new PIN twice, kiosk name, test print).
    StaffSetup,
    Staff,
}

/// The steps of the one-time setup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupStep {
    NewPin,
    Confirm,
    Name,
    Print,
}

/// The setup in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Setup {
    step: SetupStep,
    /// The first entry of the new PIN, until it is confirmed.
    first: String,
    /// The test print's state, once started.
    print: Option<SlipStatus>,
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
    /// Send the call to the lobby, or run the `kiosk.on_call_staff` command; report back
    /// with `call_news(seq, …)`.
    CallStaff(CallRequest),
    /// Staff chose "exit kiosk".
    ExitKiosk,
    /// The setup's test print: run `job` off the UI thread; report with `test_print_finished`.
    TestPrint { job: PrintJob },
    /// Speak this (stopping whatever is being spoken).
    Speak(Script),
    /// Stop speaking at once.
    StopSpeech,
}

impl std::fmt::Debug for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Effect::Print { visit, .. } => write!(f, "Print {{ visit: {visit} }}"),
            Effect::CallStaff(r) => write!(f, "CallStaff {{ seq: {} }}", r.seq),
            Effect::ExitKiosk => f.write_str("ExitKiosk"),
            Effect::TestPrint { .. } => f.write_str("TestPrint"),
            Effect::Speak(s) => write!(f, "Speak({} sentences)", s.parts.len()),
            Effect::StopSpeech => f.write_str("StopSpeech"),
        }
    }
}

pub use access::{KeyOutcome, MAX_VOLUME, SpeechMode, Target};
pub use call::{CallChannel, CallNews, CallPhase, CallRequest, CallView};
pub use take_home::{MapBranchView, MapPlaceView, MapView, SheetChoice};
pub use view::*;

pub struct Controller {
    content: Rc<Content>,
    texts: Rc<UiTexts>,
    settings: KioskSettings,
    backend: Box<dyn KioskBackend>,
    screen: Screen,
    /// Where 「もとの画面に もどる」 goes from the staff-call screen.
    call_return: Screen,
    /// The visitor's call (call.rs): numbered so late news of an older one is ignored.
    call_phase: CallPhase,
    call_seq: u64,
    call_deadline: u64,
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
    setup: Option<Setup>,
    /// The name given at the setup (or read from the data dir); None = 「受付端末 N」.
    kiosk_name: Option<String>,
    effects: Vec<Effect>,
    /// Bumped on every visible change; the adapter re-syncs only then.
    revision: u64,
    // Keys, focus and speech (access.rs).
    focus: Option<Target>,
    focus_serial: u64,
    /// The screen (and idle dialog) focus was last placed for.
    focus_place: (Screen, bool),
    keys_used: bool,
    speech: SpeechMode,
    speech_available: bool,
    /// The first key of a visit: explain the keys before the screen.
    pending_intro: bool,
    /// The screen, dialog and language last spoken in full.
    spoken_place: Option<(Screen, bool, Lang, &'static str)>,
    /// The control last spoken by touch-to-hear or focus (a second tap activates it).
    heard: Option<Target>,
    reported_focus: String,
    // The take-home sheet (take_home.rs).
    sheet_tree: Option<Rc<crate::content::SheetTree>>,
    take_home: bool,
    sheet_marked: bool,
    sheet: Option<take_home::SheetPrint>,
}

impl Controller {
    pub fn new(
        content: Rc<Content>,
        texts: Rc<UiTexts>,
        settings: KioskSettings,
        backend: Box<dyn KioskBackend>,
    ) -> Controller {
        let answers = Answers::new(&content.questionnaire);
        let content_for_sheet = content.clone();
        let take_home_default = settings.take_home_default;
        let files = settings.data_dir.as_deref().map(StaffFiles::new);
        let kiosk_name = files.as_ref().and_then(StaffFiles::read_name);
        let pin_gate = PinGate::open(
            settings.staff_pin_hash.clone(),
            files,
            crate::kiosk::pin::wall_now(),
        );
        Controller {
            content,
            texts,
            settings,
            backend,
            screen: Screen::Attract,
            call_return: Screen::Attract,
            call_phase: CallPhase::NoChannel,
            call_seq: 0,
            call_deadline: 0,
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
            setup: None,
            kiosk_name,
            effects: Vec::new(),
            revision: 1,
            focus: Some(Target::Start),
            focus_serial: 1,
            focus_place: (Screen::Attract, false),
            keys_used: false,
            speech: SpeechMode::default(),
            speech_available: false,
            pending_intro: false,
            spoken_place: None,
            heard: None,
            reported_focus: String::new(),
            sheet_tree: crate::content::SheetTree::embedded(&content_for_sheet.catalogue)
                .ok()
                .map(Rc::new),
            take_home: take_home_default,
            sheet_marked: true,
            sheet: None,
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
    pub fn texts_rc(&self) -> Rc<UiTexts> {
        self.texts.clone()
    }
    pub fn content(&self) -> &Rc<Content> {
        &self.content
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
        self.pin_gate.settle(now);
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
        self.backend.slip_aids(super::backend::Aids {
            speech: self.speech.on,
            keys: self.keys_used,
            large_text: self.large,
        });
        match self.backend.make_slip(&self.answers, outcome, self.lang) {
            Ok((ticket, job)) => {
                self.slip = Some((ticket, SlipStatus::Printing));
                let job = self.with_sheet(job);
                self.effects.push(Effect::Print {
                    visit: self.visit_serial,
                    job,
                });
                self.set_screen(now, Screen::Slip);
            }
            Err(_reason) => {
                // The reason is for staff (backend status); the visitor gets a kind message.
                self.slip_error = true;
                self.send_call(now);
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
        if self.slip.is_none() {
            return false;
        }
        if !self.sheet_only() {
            self.backend.print_finished(&result);
        }
        self.sheet_finished(&result);
        let Some((_, status)) = self.slip.as_mut() else {
            return false;
        };
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
}

mod access;
mod call;
mod idle;
pub mod speech_script;
mod staff;
mod take_home;
mod view;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_access;
#[cfg(test)]
mod tests_staff;
#[cfg(test)]
mod tests_take_home;
