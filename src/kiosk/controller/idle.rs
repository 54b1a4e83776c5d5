//! Idle handling (PRODUCT.md): the idle dialog and its countdown, the done screen's return to
//! the start, and the reset that ends the visit and clears everything the visitor left.

use super::{Controller, Effect, Screen, SpeechMode};
use crate::answers::Answers;
use crate::kiosk::backend::EndReason;
use crate::lang::Lang;

impl Controller {
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
        self.pin_gate.settle(now);
        let was_locked = self.pin_gate.locked(self.clock).is_some();
        self.clock = self.clock.max(now);
        self.call_deadline_passed(now);
        if self.screen == Screen::StaffPin
            && was_locked
            && self.pin_gate.locked(now).is_none()
            && self.pin_gate.unreadable().is_none()
        {
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

    // ---- resets ----

    pub(super) fn end_visit(&mut self, reason: EndReason) {
        if self.visit_active {
            self.backend.visit_ended(reason);
            self.visit_active = false;
        }
    }

    /// Forgets everything about the visit: answers, results, slip.
    pub(super) fn clear_visit(&mut self) {
        self.answers.clear();
        self.answers = Answers::new(&self.content.questionnaire);
        self.outcome = None;
        self.slip = None;
        self.slip_error = false;
        self.results_seen = false;
        self.visit_active = false;
        self.clear_sheet();
    }

    /// Back to the attract screen as a new visitor would find it.
    pub(super) fn reset(&mut self, now: u64) {
        self.clear_visit();
        self.lang = Lang::Ja;
        self.large = false;
        self.idle_left = None;
        self.pin_entry.clear();
        self.pin_message = None;
        self.setup = None;
        self.call_return = Screen::Attract;
        self.last_touch = now;
        // Nothing of this visit may still be said after the reset.
        self.effects.retain(|e| !matches!(e, Effect::Speak(_)));
        if self.speech.on || self.spoken_place.is_some() {
            self.effects.push(Effect::StopSpeech);
        }
        self.speech = SpeechMode::default();
        self.spoken_place = None;
        self.pending_intro = false;
        self.keys_used = false;
        self.heard = None;
        self.set_screen(now, Screen::Attract);
        self.settle_focus();
    }
}
