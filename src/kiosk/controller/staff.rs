//! The staff side of the kiosk: the hidden corner gesture, the PIN pad and the staff screen.

use super::{Controller, Effect, Screen};
use crate::kiosk::pin::{MAX_DIGITS, PinResult};

impl Controller {
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
}
