//! Keys, focus and speech mode (ACCESS.md §2–3), in plain Rust like the rest of the controller.
//!
//! Focus: every control on a screen is a `Target` with a stable key (`"start"`, `"opt.2"`,
//! …) that the Slint buttons carry as `key` and `accessible-id`. `targets()` lists them in
//! reading order (top bar, then the screen, left to right, then down); Tab and the arrows
//! move through that list, and a new screen puts focus on its primary action. The Slint side
//! moves real keyboard focus (and so the screen reader's) to the button with that key.
//!
//! Speech: when speech mode is on, each new screen is spoken from the top (`Effect::Speak`);
//! moving focus speaks the focused control; a first tap on a control speaks it, a second
//! activates it. Speech stops when the screen changes, the mode goes off or the kiosk resets.

use super::{Controller, Effect, Screen, SetupStep};
use crate::kiosk::controller::speech_script::{self, Script};
use crate::kiosk::keys::KeyAction;
use crate::kiosk::rtext::RText;
use crate::lang::Lang;

/// One focusable control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Lang(Lang),
    Size(bool),
    Speech,
    Slow,
    Quieter,
    Louder,
    Call,
    Start,
    ConsentDecline,
    ConsentAccept,
    /// An answer option, by its index in the question's options.
    Option(usize),
    Back,
    Skip,
    ResultsBack,
    Print,
    /// 「ぜんたいの 地図」, 「持ち帰り用も 印刷」, 「地図に 印を つける」, 「持ち帰り用だけ 印刷」.
    Map,
    TakeHome,
    Marks,
    SheetOnly,
    MapBack,
    Finish,
    DoneHome,
    StaffCallClose,
    IdleContinue,
    PinDigit(u8),
    PinClear,
    PinSubmit,
    PinCancel,
    /// The setup's kiosk-name field (a text field, not a button).
    SetupName,
    SetupNameOk,
    SetupNameSkip,
    SetupPrint,
    SetupFinish,
}

impl Target {
    /// The key the Slint button carries (`key`, `accessible-id`).
    pub fn key(self) -> String {
        match self {
            Target::Lang(l) => format!("lang.{}", l.id()),
            Target::Size(large) => (if large { "size.large" } else { "size.normal" }).into(),
            Target::Speech => "speech".into(),
            Target::Slow => "speech.slow".into(),
            Target::Quieter => "speech.quieter".into(),
            Target::Louder => "speech.louder".into(),
            Target::Call => "call".into(),
            Target::Start => "start".into(),
            Target::ConsentDecline => "consent.decline".into(),
            Target::ConsentAccept => "consent.accept".into(),
            Target::Option(i) => format!("opt.{i}"),
            Target::Back => "q.back".into(),
            Target::Skip => "q.skip".into(),
            Target::ResultsBack => "results.back".into(),
            Target::Print => "results.print".into(),
            Target::Map => "results.map".into(),
            Target::TakeHome => "results.take_home".into(),
            Target::Marks => "results.marks".into(),
            Target::SheetOnly => "results.sheet_only".into(),
            Target::MapBack => "map.back".into(),
            Target::Finish => "slip.finish".into(),
            Target::DoneHome => "done.home".into(),
            Target::StaffCallClose => "staffcall.back".into(),
            Target::IdleContinue => "idle.continue".into(),
            Target::PinDigit(d) => format!("pin.{d}"),
            Target::PinClear => "pin.clear".into(),
            Target::PinSubmit => "pin.ok".into(),
            Target::PinCancel => "pin.cancel".into(),
            // Named like their labels' text keys, as the keypad's 「けす」 and 「OK」 are.
            Target::SetupName => "setup.name_field".into(),
            Target::SetupNameOk => "setup.name_ok".into(),
            Target::SetupNameSkip => "setup.name_skip".into(),
            Target::SetupPrint => "setup.print".into(),
            Target::SetupFinish => "setup.finish".into(),
        }
    }
}

/// What a key press asks the Slint side to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOutcome {
    /// Not ours: let Slint handle it (e.g. Tab on the staff screen's own controls).
    Ignored,
    /// Done here.
    Handled,
    /// Activate the focused button (the same `clicked` a tap runs).
    Activate,
}

/// Speech mode and its settings; all go back to the defaults for the next visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeechMode {
    pub on: bool,
    pub slow: bool,
    /// 1 (quiet) ..= 5 (loud).
    pub volume: u8,
}

impl Default for SpeechMode {
    fn default() -> Self {
        SpeechMode {
            on: false,
            slow: false,
            volume: 3,
        }
    }
}

pub const MAX_VOLUME: u8 = 5;

impl Controller {
    /// The controls of the current screen in reading order.
    pub fn targets(&self) -> Vec<Target> {
        if self.idle_left.is_some() {
            return vec![Target::IdleContinue];
        }
        let mut t = Vec::new();
        let staff_side = matches!(
            self.screen,
            Screen::StaffPin | Screen::StaffSetup | Screen::Staff
        );
        if !staff_side {
            t.extend(Lang::ALL.map(Target::Lang));
            t.extend([Target::Size(false), Target::Size(true), Target::Speech]);
            if self.speech.on {
                t.extend([Target::Slow, Target::Quieter, Target::Louder]);
            }
            if self.screen != Screen::StaffCall {
                t.push(Target::Call);
            }
        }
        match self.screen {
            Screen::Attract => t.push(Target::Start),
            Screen::Consent => t.extend([Target::ConsentDecline, Target::ConsentAccept]),
            Screen::Question(i) => {
                if let Some(q) = self.content.questionnaire.questions.get(i) {
                    t.extend(
                        q.options
                            .iter()
                            .enumerate()
                            .filter(|(_, o)| !o.skip)
                            .map(|(oi, _)| Target::Option(oi)),
                    );
                }
                t.extend([Target::Back, Target::Skip]);
            }
            // Reading order: the take-home choices above the buttons row, then left to right.
            Screen::Results if self.sheet_tree.is_some() => t.extend([
                Target::TakeHome,
                Target::Marks,
                Target::ResultsBack,
                Target::Map,
                Target::SheetOnly,
                Target::Print,
            ]),
            Screen::Results => t.extend([Target::ResultsBack, Target::Print]),
            Screen::Map => t.push(Target::MapBack),
            Screen::Slip => t.push(Target::Finish),
            Screen::Done => t.push(Target::DoneHome),
            Screen::StaffCall => t.push(Target::StaffCallClose),
            Screen::StaffPin => t.extend(Self::pad_targets()),
            Screen::StaffSetup => match self.setup_step() {
                Some(SetupStep::NewPin | SetupStep::Confirm) => t.extend(Self::pad_targets()),
                Some(SetupStep::Name) => t.extend([
                    Target::SetupName,
                    Target::SetupNameSkip,
                    Target::SetupNameOk,
                ]),
                Some(SetupStep::Print) => t.extend([Target::SetupPrint, Target::SetupFinish]),
                None => {}
            },
            // The staff screen's own controls use Slint's focus chain (staff use touch).
            Screen::Staff => {}
        }
        t
    }

    /// The keypad's keys in reading order (the PIN screen and the setup's PIN steps).
    fn pad_targets() -> Vec<Target> {
        let mut t: Vec<Target> = (1..=9).map(Target::PinDigit).collect();
        t.extend([
            Target::PinClear,
            Target::PinDigit(0),
            Target::PinSubmit,
            Target::PinCancel,
        ]);
        t
    }

    /// Where focus starts on the current screen (ACCESS.md §2).
    pub fn primary_target(&self) -> Option<Target> {
        if self.idle_left.is_some() {
            return Some(Target::IdleContinue);
        }
        Some(match self.screen {
            Screen::Attract => Target::Start,
            Screen::Consent => Target::ConsentAccept,
            Screen::Question(i) => {
                let q = self.content.questionnaire.questions.get(i)?;
                // The visitor's answer when they come back, else the first option.
                let chosen = self.answers.get(i).map(usize::from);
                match chosen {
                    Some(c) if q.options.get(c).is_some_and(|o| o.skip) => Target::Skip,
                    Some(c) => Target::Option(c),
                    None => Target::Option(q.options.iter().position(|o| !o.skip)?),
                }
            }
            Screen::Results => Target::Print,
            Screen::Map => Target::MapBack,
            Screen::Slip => Target::Finish,
            Screen::Done => Target::DoneHome,
            Screen::StaffCall => Target::StaffCallClose,
            Screen::StaffPin => Target::PinDigit(1),
            Screen::StaffSetup => match self.setup_step()? {
                SetupStep::NewPin | SetupStep::Confirm => Target::PinDigit(1),
                SetupStep::Name => Target::SetupName,
                SetupStep::Print => Target::SetupPrint,
            },
            Screen::Staff => return None,
        })
    }

    /// The focused control's key ("" = none), and a serial that changes whenever focus must be
    /// (re)applied on the Slint side.
    pub fn focus_key(&self) -> (String, u64) {
        (
            self.focus.map(Target::key).unwrap_or_default(),
            self.focus_serial,
        )
    }

    /// Is the focus outline shown? After a key press in this visit, or in speech mode (touch
    /// users who never used a key see no rings).
    pub fn focus_visible(&self) -> bool {
        self.keys_used || self.speech.on
    }

    /// The key of the button that last reported real keyboard focus (tests).
    pub fn reported_focus(&self) -> &str {
        &self.reported_focus
    }

    pub fn speech_mode(&self) -> SpeechMode {
        self.speech
    }

    /// Whether speech can be used on this kiosk (engine found); set by the adapter.
    pub fn set_speech_available(&mut self, available: bool) {
        if self.speech_available != available {
            self.speech_available = available;
            self.changed();
        }
    }

    pub fn speech_available(&self) -> bool {
        self.speech_available
    }

    fn set_focus(&mut self, t: Option<Target>) {
        self.focus = t;
        self.focus_serial += 1;
        self.changed();
    }

    /// Keeps focus valid after any change: a new screen (or dialog) starts on its primary
    /// action; a control that disappeared gives focus back to it too.
    pub(super) fn settle_focus(&mut self) {
        let place = (self.screen, self.idle_left.is_some());
        let valid = self.focus.is_some_and(|f| self.targets().contains(&f));
        if place != self.focus_place || !valid {
            self.focus_place = place;
            let p = self.primary_target();
            self.set_focus(p);
        }
    }

    /// Slint reports that a button got keyboard focus some other way (a screen reader's
    /// focus command, Slint's own Tab chain).
    pub fn focus_reported(&mut self, key: &str) {
        self.reported_focus = key.to_string();
        if let Some(t) = self.targets().into_iter().find(|t| t.key() == key)
            && self.focus != Some(t)
        {
            self.focus = Some(t);
            self.changed();
        }
    }

    /// A key press (`name` from `keys::key_name`) while `on` is focused ("" = nothing).
    pub fn key(&mut self, now: u64, action: KeyAction) -> KeyOutcome {
        self.touch(now);
        let first = !self.keys_used;
        self.keys_used = true;
        if first {
            self.changed();
            if self.speech_available && !self.speech.on {
                // The first key of a visit turns speech on and explains the keys; the key
                // still does what it does.
                self.speech.on = true;
                self.pending_intro = true;
            }
        }
        let targets = self.targets();
        let out = match action {
            KeyAction::Next | KeyAction::Previous => {
                if targets.is_empty() {
                    return KeyOutcome::Ignored;
                }
                let n = targets.len();
                let at = self
                    .focus
                    .and_then(|f| targets.iter().position(|t| *t == f));
                let next = match (at, action) {
                    (None, _) => self.primary_target().unwrap_or(targets[0]),
                    (Some(i), KeyAction::Next) => targets[(i + 1) % n],
                    (Some(i), _) => targets[(i + n - 1) % n],
                };
                self.set_focus(Some(next));
                self.say_focus();
                KeyOutcome::Handled
            }
            KeyAction::Select => {
                if self.focus.is_some_and(|f| targets.contains(&f)) {
                    KeyOutcome::Activate
                } else if self.screen == Screen::Staff {
                    KeyOutcome::Ignored
                } else {
                    let p = self.primary_target();
                    self.set_focus(p);
                    self.say_focus();
                    KeyOutcome::Handled
                }
            }
            KeyAction::Back => {
                self.key_back(now);
                KeyOutcome::Handled
            }
            KeyAction::Help => {
                self.say_help();
                KeyOutcome::Handled
            }
            KeyAction::VolumeUp | KeyAction::VolumeDown => {
                let up = action == KeyAction::VolumeUp;
                self.step_volume(up);
                KeyOutcome::Handled
            }
            KeyAction::Speech => {
                self.toggle_speech_inner(!self.speech.on);
                KeyOutcome::Handled
            }
            KeyAction::Slow => {
                self.toggle_slow_inner();
                KeyOutcome::Handled
            }
        };
        self.after_input();
        out
    }

    /// A digit typed on the keypad's screens goes into the PIN, not into navigation.
    pub fn key_digit(&mut self, now: u64, digit: u8) -> bool {
        if !self.pad_shown() {
            return false;
        }
        self.keys_used = true;
        self.pin_digit(now, digit)
    }

    /// Enter on the PIN screen with digits typed: submit (staff type the PIN, then Enter).
    pub fn key_pin_enter(&mut self, now: u64) -> bool {
        if !self.pad_shown() || self.pin_entry.is_empty() {
            return false;
        }
        self.keys_used = true;
        self.pin_submit(now)
    }

    fn key_back(&mut self, now: u64) {
        if self.idle_left.is_some() {
            self.idle_continue(now);
            return;
        }
        // Keys wait for the screen to settle like taps do: Back is never a double step.
        match self.screen {
            Screen::Consent => {
                self.consent_decline(now);
            }
            Screen::Question(q) => {
                self.back(now, q);
            }
            Screen::Results => {
                self.results_back(now);
            }
            Screen::Map => {
                self.map_back(now);
            }
            Screen::StaffCall => {
                self.staff_call_close(now);
            }
            Screen::StaffPin => {
                self.pin_cancel(now);
            }
            // The setup's name and print steps have their own buttons: after the PIN is
            // stored, Back never leaves half-way by accident.
            Screen::StaffSetup => {
                if self.pad_shown() {
                    self.pin_cancel(now);
                }
            }
            Screen::Staff => {
                self.staff_close(now);
            }
            Screen::Attract | Screen::Slip | Screen::Done => {}
        }
    }

    /// A tap on the control with `key` in speech mode: the first tap speaks it and focuses
    /// it, the second (or Enter) activates it. Returns true when the tap should act now.
    pub fn tap_target(&mut self, now: u64, key: &str) -> bool {
        if !self.speech.on || key.is_empty() {
            return true;
        }
        let Some(t) = self.targets().into_iter().find(|t| t.key() == key) else {
            return true;
        };
        if self.focus == Some(t) && self.heard == Some(t) {
            return true;
        }
        self.touch(now);
        self.set_focus(Some(t));
        self.say_focus();
        self.after_input();
        false
    }

    /// 「よみあげ」 tapped.
    pub fn toggle_speech(&mut self, now: u64) {
        self.touch(now);
        self.toggle_speech_inner(!self.speech.on);
        self.after_input();
    }

    pub fn toggle_slow(&mut self, now: u64) {
        self.touch(now);
        self.toggle_slow_inner();
        self.after_input();
    }

    pub fn volume(&mut self, now: u64, up: bool) {
        self.touch(now);
        self.step_volume(up);
        self.after_input();
    }

    fn toggle_speech_inner(&mut self, on: bool) {
        if !self.speech_available {
            self.speech.on = false;
            self.changed();
            return;
        }
        self.speech.on = on;
        self.changed();
        if on {
            self.pending_intro = false;
            let mut s = self.script_start();
            s.push(&self.t("speech.on"));
            s.extend(self.screen_script());
            self.speak(s);
        } else {
            self.effects.push(Effect::StopSpeech);
            self.spoken_place = None;
        }
    }

    fn toggle_slow_inner(&mut self) {
        self.speech.slow = !self.speech.slow;
        self.changed();
        let key = if self.speech.slow {
            "speech.rate_slow"
        } else {
            "speech.rate_normal"
        };
        let t = self.t(key);
        self.say_one(&t);
    }

    fn step_volume(&mut self, up: bool) {
        let v = self.speech.volume;
        self.speech.volume = if up {
            (v + 1).min(MAX_VOLUME)
        } else {
            v.saturating_sub(1).max(1)
        };
        self.changed();
        let t = self
            .texts
            .format("speech.volume", self.lang, &self.speech.volume.to_string());
        self.say_one(&t);
    }

    fn script_start(&self) -> Script {
        Script::new(self.lang)
    }

    fn screen_script(&self) -> Script {
        speech_script::screen(&self.view(), &self.texts)
    }

    fn say_one(&mut self, t: &RText) {
        if !self.speech.on {
            return;
        }
        let mut s = self.script_start();
        s.push(t);
        self.speak(s);
    }

    fn say_focus(&mut self) {
        let Some(f) = self.focus else { return };
        self.heard = Some(f);
        if !self.speech.on {
            return;
        }
        let s = speech_script::target(&self.view(), &self.texts, f);
        self.speak(s);
    }

    fn say_help(&mut self) {
        if !self.speech_available {
            return;
        }
        let key = match self.screen {
            _ if self.idle_left.is_some() => "help.idle",
            Screen::Attract => "help.attract",
            Screen::Consent => "help.consent",
            Screen::Question(_) => "help.question",
            Screen::Results => "help.results",
            Screen::Map => "help.map",
            Screen::Slip => "help.slip",
            Screen::Done => "help.done",
            Screen::StaffCall => "help.staff-call",
            Screen::StaffSetup => "help.setup",
            Screen::StaffPin | Screen::Staff => "help.staff",
        };
        let mut s = self.script_start();
        s.push(&self.t(key));
        s.push(&self.t("keys.intro"));
        self.speak(s);
    }

    fn speak(&mut self, s: Script) {
        self.effects.retain(|e| !matches!(e, Effect::Speak(_)));
        self.effects.push(Effect::Speak(s));
    }

    /// After every input: keep focus valid, and speak a new screen (or stop speaking).
    pub fn after_input(&mut self) {
        self.settle_focus();
        let place = (
            self.screen,
            self.idle_left.is_some(),
            self.lang,
            self.shown_call_phase(),
        );
        if !self.speech.on {
            if self.spoken_place.take().is_some() {
                self.effects.push(Effect::StopSpeech);
            }
            return;
        }
        let new_place = self.spoken_place != Some(place);
        let intro = std::mem::take(&mut self.pending_intro);
        if new_place || intro {
            // A new screen (or the first key's explanation) is spoken from the top.
            self.spoken_place = Some(place);
            let mut s = self.script_start();
            if intro {
                s.push(&self.t("speech.on"));
                s.push(&self.t("keys.intro"));
            }
            s.extend(self.screen_script());
            if new_place {
                self.heard = None;
            }
            self.speak(s);
        }
    }
}
