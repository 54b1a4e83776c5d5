//! The staff side of the kiosk: the hidden corner gesture, the PIN pad, the one-time setup
//! (while no PIN exists) and the staff screen. There is no default PIN (TRUST.md §4).

use super::{Controller, Effect, Screen, Setup, SetupStep, SlipStatus};
use crate::kiosk::backend::PrintResult;
use crate::kiosk::pin::{self, MAX_DIGITS, PinResult, SetPin};
use crate::kiosk::pin_files;

impl Controller {
    /// The hidden corner gesture (3-second press on the attract screen, or its accessible
    /// action): the PIN pad, or the one-time setup while no PIN exists.
    pub fn open_staff(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::Attract) {
            return false;
        }
        self.pin_entry.clear();
        self.pin_message = None;
        self.pin_gate.reload();
        if self.pin_gate.needs_setup() {
            self.setup = Some(Setup {
                step: SetupStep::NewPin,
                first: String::new(),
                print: None,
            });
            self.set_screen(now, Screen::StaffSetup);
            return true;
        }
        if self.pin_gate.unreadable().is_some() {
            let file = self
                .pin_gate
                .files()
                .map(|f| f.pin_path().display().to_string())
                .unwrap_or_else(|| pin_files::PIN_FILE.to_string());
            self.pin_message = Some(("pin.unreadable".into(), file));
        }
        self.set_screen(now, Screen::StaffPin);
        true
    }

    /// The setup's step, if the setup is on screen.
    pub fn setup_step(&self) -> Option<SetupStep> {
        self.setup
            .as_ref()
            .filter(|_| self.screen == Screen::StaffSetup)
            .map(|s| s.step)
    }

    /// Is the keypad on screen (the PIN screen, or the setup's PIN steps)?
    pub(super) fn pad_shown(&self) -> bool {
        self.screen == Screen::StaffPin
            || matches!(
                self.setup_step(),
                Some(SetupStep::NewPin | SetupStep::Confirm)
            )
    }

    /// Are the keypad's digits and OK refused now (locked, or no usable PIN file)?
    pub(super) fn pad_locked(&self, now: u64) -> bool {
        self.screen == Screen::StaffPin
            && (self.pin_gate.locked(now).is_some() || self.pin_gate.unreadable().is_some())
    }

    pub fn pin_digit(&mut self, now: u64, digit: u8) -> bool {
        self.touch(now);
        if !self.pad_shown()
            || digit > 9
            || self.pin_entry.len() >= MAX_DIGITS
            || self.pad_locked(now)
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
        if !self.pad_shown() {
            return false;
        }
        self.pin_entry.clear();
        self.changed();
        true
    }

    /// 「もどる」 on the keypad: back to the start (a setup left half-way stores nothing).
    pub fn pin_cancel(&mut self, now: u64) -> bool {
        self.touch(now);
        if !self.pad_shown() || !self.settled(now) {
            return false;
        }
        self.reset(now);
        true
    }

    pub fn pin_submit(&mut self, now: u64) -> bool {
        self.touch(now);
        if self.screen == Screen::StaffSetup {
            return self.setup_pin_submit(now);
        }
        if self.screen != Screen::StaffPin {
            return false;
        }
        let entry = std::mem::take(&mut self.pin_entry);
        match self.pin_gate.check(now, pin::wall_now(), &entry) {
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
            PinResult::Unavailable => {
                // Only reachable with an unreadable PIN file: its message stays.
                self.changed();
            }
        }
        true
    }

    /// OK on the setup's keypad: the first entry, then the same again; then the hash is
    /// stored and the kiosk-name step follows.
    fn setup_pin_submit(&mut self, now: u64) -> bool {
        let Some(step) = self.setup_step() else {
            return false;
        };
        let entry = std::mem::take(&mut self.pin_entry);
        match step {
            SetupStep::NewPin => {
                if pin::check_digits(&entry).is_err() {
                    self.pin_message = Some(("setup.too_short".into(), String::new()));
                } else {
                    self.pin_message = None;
                    if let Some(s) = self.setup.as_mut() {
                        s.first = entry;
                        s.step = SetupStep::Confirm;
                    }
                }
                self.changed();
            }
            SetupStep::Confirm => {
                let first = self
                    .setup
                    .as_mut()
                    .map(|s| std::mem::take(&mut s.first))
                    .unwrap_or_default();
                if first != entry {
                    self.setup_restart("setup.mismatch", String::new());
                    return true;
                }
                match self.pin_gate.set_new(&entry) {
                    Ok(()) => {
                        self.pin_message = None;
                        if let Some(s) = self.setup.as_mut() {
                            s.step = SetupStep::Name;
                        }
                        self.changed();
                    }
                    Err(SetPin::AlreadySet) => {
                        // Someone set a PIN meanwhile: it is kept, and asked for.
                        self.setup = None;
                        self.pin_message = Some(("setup.already_set".into(), String::new()));
                        self.set_screen(now, Screen::StaffPin);
                    }
                    Err(SetPin::Invalid(_)) => self.setup_restart("setup.too_short", String::new()),
                    Err(SetPin::Failed(why)) => self.setup_restart("setup.save_failed", why),
                }
            }
            SetupStep::Name | SetupStep::Print => return false,
        }
        true
    }

    /// Back to the first PIN entry with a message (nothing was stored).
    fn setup_restart(&mut self, key: &str, arg: String) {
        self.pin_message = Some((key.into(), arg));
        if let Some(s) = self.setup.as_mut() {
            s.first.clear();
            s.step = SetupStep::NewPin;
        }
        self.changed();
    }

    /// The kiosk name when none was given: 「受付端末 N」 with `[kiosk] id`.
    pub fn default_kiosk_name(&self) -> String {
        crate::kiosk::pin_files::default_name(self.settings.kiosk_id)
    }

    pub fn kiosk_name(&self) -> String {
        self.kiosk_name
            .clone()
            .unwrap_or_else(|| self.default_kiosk_name())
    }

    /// 「この名前にする」 (or Enter in the name field) on the setup's name step. An empty field
    /// gives the default its placeholder shows (「受付端末 N」).
    pub fn setup_name(&mut self, now: u64, name: &str) -> bool {
        if !self.tap(now, Screen::StaffSetup) || self.setup_step() != Some(SetupStep::Name) {
            return false;
        }
        if name.trim().is_empty() {
            let name = self.default_kiosk_name();
            self.store_name(name);
            return true;
        }
        match pin_files::check_name(name) {
            Ok(name) => {
                let name = name.to_string();
                self.store_name(name);
            }
            Err(_) => {
                self.pin_message = Some((
                    "setup.name_bad".into(),
                    pin_files::MAX_NAME_CHARS.to_string(),
                ));
                self.changed();
            }
        }
        true
    }

    /// 「あとで決める」: the default name 「受付端末 N」.
    pub fn setup_name_skip(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::StaffSetup) || self.setup_step() != Some(SetupStep::Name) {
            return false;
        }
        let name = self.default_kiosk_name();
        self.store_name(name);
        true
    }

    fn store_name(&mut self, name: String) {
        self.pin_message = None;
        if let Some(files) = self.pin_gate.files()
            && let Err(why) = files.write_name(&name)
        {
            // The PIN is stored; a name that could not be is said on the next step.
            self.pin_message = Some(("setup.name_failed".into(), why));
        }
        self.kiosk_name = Some(name);
        if let Some(s) = self.setup.as_mut() {
            s.step = SetupStep::Print;
            s.print = None;
        }
        self.changed();
    }

    /// 「テスト印刷」 on the setup's last step: the same test slip as the staff screen's.
    pub fn setup_test_print(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::StaffSetup) || self.setup_step() != Some(SetupStep::Print) {
            return false;
        }
        let Some(s) = self.setup.as_mut() else {
            return false;
        };
        if s.print == Some(SlipStatus::Printing) {
            return false;
        }
        s.print = Some(SlipStatus::Printing);
        let job = self.backend.test_print();
        self.effects.push(Effect::TestPrint { job });
        self.changed();
        true
    }

    /// The test print's result (on the UI thread); dropped if the setup is no longer shown.
    pub fn test_print_finished(&mut self, result: PrintResult) -> bool {
        if self.setup_step() != Some(SetupStep::Print) {
            return false;
        }
        let Some(s) = self.setup.as_mut() else {
            return false;
        };
        if s.print != Some(SlipStatus::Printing) {
            return false;
        }
        s.print = Some(match result {
            PrintResult::Printed => SlipStatus::Printed,
            PrintResult::Failed(why) => SlipStatus::Failed(why),
        });
        self.changed();
        true
    }

    /// 「スタッフ画面へ」: the setup is done; whoever set the PIN is staff.
    pub fn setup_finish(&mut self, now: u64) -> bool {
        if !self.tap(now, Screen::StaffSetup) || self.setup_step() != Some(SetupStep::Print) {
            return false;
        }
        self.setup = None;
        self.pin_message = None;
        self.set_screen(now, Screen::Staff);
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
