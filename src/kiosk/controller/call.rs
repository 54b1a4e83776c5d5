//! 「スタッフを よぶ」 and what the visitor is told after it (LOBBY.md §1). The kiosk never
//! says staff are coming unless a desk said so: with the lobby (`[kiosk] publish_to`) the
//! screen goes 呼んでいます → 向かっています on an answer, or → 「窓口で 声を かけてください」
//! when nobody answered within `call_answer_seconds` or the server could not be reached; with
//! only the `on_call_staff` command it says staff were told, and after the same time where to
//! go; with neither (or a command that failed) it tells the visitor where to go at once.

use super::{Controller, Effect, Screen};
use crate::kiosk::rtext::RText;

/// How this kiosk reaches staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallChannel {
    /// Nothing configured: the button reads 「こまったとき」 and points to the window.
    #[default]
    None,
    /// `[kiosk] on_call_staff`: a command is run; nobody can answer through it.
    Hook,
    /// `[kiosk] publish_to`: the desks hear the call and answer it.
    Lobby,
}

/// Where the visitor's current call stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CallPhase {
    /// No channel (or it failed for this call): go to the reception window.
    #[default]
    NoChannel,
    /// The command ran; nobody can say whether someone comes.
    Notified,
    /// Sent to the desks; waiting for 「行きます」.
    Calling,
    /// A desk answered (with the answering person's name when the kiosk shows it).
    Coming(Option<String>),
    /// Nobody answered in time.
    Unanswered,
    /// The server could not be reached (the call is retried until it would be too late).
    Unreachable,
}

impl CallPhase {
    /// The ui.toml key prefix of its title and body.
    pub fn key(&self) -> &'static str {
        match self {
            CallPhase::NoChannel => "staffcall.none",
            CallPhase::Notified => "staffcall.notified",
            CallPhase::Calling => "staffcall.calling",
            CallPhase::Coming(_) => "staffcall.coming",
            CallPhase::Unanswered => "staffcall.busy",
            CallPhase::Unreachable => "staffcall.unreachable",
        }
    }
}

/// What the kiosk's lobby link reports of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallNews {
    /// The server could not be reached, or the command could not run.
    Failed,
    /// A desk answered; the name only when `[kiosk] show_staff_name`.
    Answered(Option<String>),
}

/// What the backend publishes for a call: no answers, only the language and aids in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRequest {
    pub seq: u64,
    pub lang: &'static str,
    pub speech: bool,
    pub keys: bool,
}

/// The call screen's words and the button's label.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallView {
    pub title: RText,
    pub body: RText,
    /// `call_staff`, or `call_help` when there is no channel.
    pub button_key: &'static str,
}

impl Controller {
    pub(super) fn call_button_key(&self) -> &'static str {
        match self.settings.call_channel {
            CallChannel::None => "call_help",
            CallChannel::Hook | CallChannel::Lobby => "call_staff",
        }
    }

    pub(super) fn call_view(&self) -> CallView {
        let key = self.call_phase.key();
        let title = match &self.call_phase {
            CallPhase::Coming(Some(name)) => {
                self.texts
                    .format("staffcall.coming-named.title", self.lang, name)
            }
            _ => self.t(&format!("{key}.title")),
        };
        // Where to go instead, in the centre's own words when it gave them.
        let help = matches!(
            self.call_phase,
            CallPhase::NoChannel | CallPhase::Unanswered | CallPhase::Unreachable
        );
        let body = match (&self.settings.call_help, help) {
            (Some(h), true) => self.markup(
                &h[match self.lang {
                    crate::lang::Lang::Ja => 0,
                    crate::lang::Lang::JaEasy => 1,
                    crate::lang::Lang::En => 2,
                }],
            ),
            _ => self.t(&format!("{key}.body")),
        };
        CallView {
            title,
            body,
            button_key: self.call_button_key(),
        }
    }

    /// 「スタッフをよぶ」: the call screen, the event recorded, the call sent.
    pub fn call_staff(&mut self, now: u64) -> bool {
        self.touch(now);
        if matches!(
            self.screen,
            Screen::StaffCall | Screen::StaffPin | Screen::StaffSetup | Screen::Staff
        ) {
            return false;
        }
        self.call_return = self.screen;
        self.send_call(now);
        self.set_screen(now, Screen::StaffCall);
        true
    }

    /// Records the call and sends it (both 「スタッフをよぶ」 and a slip that could not be
    /// made, which calls staff by itself).
    pub(super) fn send_call(&mut self, now: u64) {
        self.backend.staff_called();
        self.call_seq += 1;
        self.call_deadline = now + u64::from(self.settings.call_answer_seconds) * 1000;
        self.call_phase = match self.settings.call_channel {
            CallChannel::None => CallPhase::NoChannel,
            CallChannel::Hook => CallPhase::Notified,
            CallChannel::Lobby => CallPhase::Calling,
        };
        if self.settings.call_channel != CallChannel::None {
            self.effects.push(Effect::CallStaff(CallRequest {
                seq: self.call_seq,
                lang: self.lang.id(),
                speech: self.speech.on,
                keys: self.keys_used,
            }));
        }
        self.changed();
    }

    /// The phase whose words are on screen now ("" when none is), for speaking it anew.
    pub(super) fn shown_call_phase(&self) -> &'static str {
        let shown =
            self.screen == Screen::StaffCall || (self.screen == Screen::Results && self.slip_error);
        if shown { self.call_phase.key() } else { "" }
    }

    /// News of call `seq` from the lobby link or the command; older calls' news is ignored.
    pub fn call_news(&mut self, now: u64, seq: u64, news: CallNews) -> bool {
        self.clock = self.clock.max(now);
        if seq != self.call_seq {
            return false;
        }
        let next = match (news, &self.call_phase) {
            (CallNews::Failed, CallPhase::Notified) => CallPhase::NoChannel,
            (CallNews::Failed, CallPhase::Calling) => CallPhase::Unreachable,
            (CallNews::Answered(name), _) if self.settings.call_channel == CallChannel::Lobby => {
                CallPhase::Coming(name.filter(|_| self.settings.show_staff_name))
            }
            _ => return false,
        };
        self.set_call_phase(next);
        true
    }

    /// Called by `tick`: a call nobody answered in time.
    pub(super) fn call_deadline_passed(&mut self, now: u64) {
        if now >= self.call_deadline
            && matches!(self.call_phase, CallPhase::Calling | CallPhase::Notified)
        {
            self.set_call_phase(CallPhase::Unanswered);
        }
    }

    fn set_call_phase(&mut self, p: CallPhase) {
        if self.call_phase != p {
            self.call_phase = p;
            // Spoken like a new screen by `after_input` (its place includes the phase).
            self.changed();
        }
    }

    pub fn call_phase(&self) -> &CallPhase {
        &self.call_phase
    }

    /// 「もとの画面に もどる」 on the staff-call screen.
    pub fn staff_call_close(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::StaffCall) {
            return false;
        }
        let to = self.call_return;
        self.set_screen(now, to);
        true
    }
}

#[cfg(test)]
mod tests;
