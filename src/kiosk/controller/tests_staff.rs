//! The staff corner without a default PIN (TRUST.md §4): no PIN opens anything until the
//! one-time setup has stored one (as an Argon2 hash in a 0600 file in the data dir); the
//! setup can never be reached again once a PIN exists; 5 wrong PINs lock the pad for 5
//! minutes, also for the next controller started on the same data dir.

use std::path::Path;

use super::*;
use crate::kiosk::backend::MemoryBackend;
use crate::kiosk::pin_files::{LOCK_FILE, NAME_FILE, PIN_FILE};
use std::cell::RefCell;

type Shared = Rc<RefCell<MemoryBackend>>;

const PIN: [u8; 6] = [2, 4, 6, 8, 1, 3];

struct T {
    c: Controller,
    b: Shared,
    now: u64,
}

impl T {
    /// A kiosk on `dir` (None: nothing on disk), with `hash` as `[kiosk] staff_pin_hash`.
    fn new(dir: Option<&Path>, hash: Option<String>) -> T {
        let content = Rc::new(Content::embedded().unwrap_or_else(|e| panic!("{e}")));
        let texts = Rc::new(UiTexts::embedded().unwrap_or_else(|e| panic!("{e:?}")));
        let b = Shared::default();
        let settings = KioskSettings {
            staff_pin_hash: hash,
            data_dir: dir.map(Path::to_path_buf),
            kiosk_id: 3,
            ..KioskSettings::default()
        };
        let c = Controller::new(content, texts, settings, Box::new(b.clone()));
        T { c, b, now: 1_000 }
    }
    fn later<R>(&mut self, f: impl FnOnce(&mut Controller, u64) -> R) -> R {
        self.now += 500;
        f(&mut self.c, self.now)
    }
    /// Types `digits` on the keypad and presses OK.
    fn enter(&mut self, digits: &[u8]) {
        for &d in digits {
            assert!(self.later(|c, n| c.pin_digit(n, d)), "digit {d}");
        }
        assert!(self.later(|c, n| c.pin_submit(n)));
    }
    fn message(&self) -> String {
        self.c
            .view()
            .pin
            .message
            .map(|m| m.plain)
            .unwrap_or_default()
    }
    /// The whole setup: PIN twice, a name, a test print, the staff screen.
    fn set_up(&mut self, name: &str) {
        assert!(self.later(|c, n| c.open_staff(n)));
        assert_eq!(self.c.screen(), Screen::StaffSetup);
        self.enter(&PIN);
        self.enter(&PIN);
        assert_eq!(self.c.setup_step(), Some(SetupStep::Name));
        assert!(self.later(|c, n| c.setup_name(n, name)));
        assert!(self.later(|c, n| c.setup_test_print(n)));
        let Some(Effect::TestPrint { job }) = self.c.take_effects().into_iter().next() else {
            panic!("test print effect")
        };
        assert!(self.c.test_print_finished(job()));
        assert!(self.later(|c, n| c.setup_finish(n)));
        assert_eq!(self.c.screen(), Screen::Staff);
    }
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0)
}

#[test]
fn without_a_pin_no_pin_opens_the_staff_screen_and_the_corner_opens_the_setup() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut t = T::new(Some(dir.path()), None);
    assert!(t.later(|c, n| c.open_staff(n)));
    assert_eq!(t.c.screen(), Screen::StaffSetup, "no PIN pad without a PIN");
    assert_eq!(t.c.setup_step(), Some(SetupStep::NewPin));
    // The old default and other short PINs: refused as a new PIN, never a way in.
    t.enter(&[1, 2, 3, 4]);
    assert_eq!(t.c.screen(), Screen::StaffSetup);
    assert_eq!(t.c.setup_step(), Some(SetupStep::NewPin));
    assert!(t.message().contains("6けた"), "{}", t.message());
    // A long PIN typed once only moves on to "again": the staff screen stays closed.
    t.enter(&[1, 2, 3, 4, 5, 6]);
    assert_eq!(t.c.setup_step(), Some(SetupStep::Confirm));
    assert!(!t.later(|c, n| c.exit_kiosk(n)));
    assert!(!t.later(|c, n| c.staff_close(n)));
    // Leaving half-way stores nothing: the corner opens the setup again.
    assert!(t.later(|c, n| c.pin_cancel(n)));
    assert_eq!(t.c.screen(), Screen::Attract);
    assert!(!dir.path().join(PIN_FILE).exists());
    assert!(t.later(|c, n| c.open_staff(n)));
    assert_eq!(t.c.screen(), Screen::StaffSetup);
    assert_eq!(t.c.setup_step(), Some(SetupStep::NewPin), "starts over");
}

#[test]
fn setup_refuses_mismatched_pins() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut t = T::new(Some(dir.path()), None);
    assert!(t.later(|c, n| c.open_staff(n)));
    t.enter(&PIN);
    assert_eq!(t.c.setup_step(), Some(SetupStep::Confirm));
    t.enter(&[2, 4, 6, 8, 1, 4]);
    assert_eq!(t.c.setup_step(), Some(SetupStep::NewPin), "start over");
    assert!(t.message().contains("ちがいます"), "{}", t.message());
    assert!(!dir.path().join(PIN_FILE).exists());
    // The first entry was dropped: the old one "again" is a new first entry.
    t.enter(&PIN);
    assert_eq!(t.c.setup_step(), Some(SetupStep::Confirm));
}

#[test]
fn setup_refuses_a_five_digit_pin() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut t = T::new(Some(dir.path()), None);
    assert!(t.later(|c, n| c.open_staff(n)));
    t.enter(&[9, 7, 5, 3, 1]);
    assert_eq!(t.c.setup_step(), Some(SetupStep::NewPin));
    assert!(t.message().contains("6けた以上"), "{}", t.message());
    assert!(!dir.path().join(PIN_FILE).exists());
}

#[test]
fn setup_stores_only_an_argon2_hash_in_a_private_file_and_then_the_pin_is_asked_for() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut t = T::new(Some(dir.path()), None);
    // The name step offers 「受付端末 3」 (the kiosk id) when skipped.
    assert!(t.later(|c, n| c.open_staff(n)));
    t.enter(&PIN);
    t.enter(&PIN);
    let v = t.c.view();
    assert_eq!(
        v.setup.as_ref().map(|s| s.default_name.as_str()),
        Some("受付端末 3")
    );
    assert!(
        !t.later(|c, n| c.pin_cancel(n)),
        "no cancel once the PIN is stored"
    );
    assert!(t.later(|c, n| c.setup_name(n, &"ロビー".repeat(10))));
    assert_eq!(
        t.c.setup_step(),
        Some(SetupStep::Name),
        "a name of 30 characters is refused"
    );
    assert!(t.message().contains("文字"), "{}", t.message());
    assert!(t.later(|c, n| c.setup_name(n, "  1階ロビー  ")));
    assert_eq!(t.c.setup_step(), Some(SetupStep::Print));
    assert!(t.later(|c, n| c.setup_test_print(n)));
    assert!(
        !t.later(|c, n| c.setup_test_print(n)),
        "one print at a time"
    );
    let Some(Effect::TestPrint { job }) = t.c.take_effects().into_iter().next() else {
        panic!("test print effect")
    };
    assert_eq!(
        t.c.view().setup.and_then(|s| s.print),
        Some(SlipStatus::Printing)
    );
    assert!(t.c.test_print_finished(job()));
    let v = t.c.view();
    assert_eq!(
        v.setup.as_ref().and_then(|s| s.print.clone()),
        Some(SlipStatus::Printed)
    );
    assert!(
        v.setup
            .and_then(|s| s.print_text)
            .is_some_and(|p| p.plain.contains("印刷できました"))
    );
    assert!(t.b.borrow().events.contains(&"test print".to_string()));
    assert!(t.later(|c, n| c.setup_finish(n)));
    assert_eq!(t.c.screen(), Screen::Staff);
    assert_eq!(t.c.view().kiosk_name, "1階ロビー");

    // What is on disk: a 0600 file with an Argon2 hash, never the PIN.
    let pin_path = dir.path().join(PIN_FILE);
    let stored = std::fs::read_to_string(&pin_path).unwrap_or_default();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    assert!(!stored.contains("246813"));
    assert_eq!(mode(&pin_path), 0o600);
    assert_eq!(mode(&dir.path().join(NAME_FILE)), 0o600);
    assert_eq!(
        std::fs::read_to_string(dir.path().join(NAME_FILE)).unwrap_or_default(),
        "1階ロビー\n"
    );

    // From now on the corner asks for the PIN; the setup cannot be reached again.
    assert!(t.later(|c, n| c.staff_close(n)));
    assert!(t.later(|c, n| c.open_staff(n)));
    assert_eq!(t.c.screen(), Screen::StaffPin);
    t.enter(&[1, 2, 3, 4]);
    assert_eq!(t.c.screen(), Screen::StaffPin);
    assert!(t.message().contains("ちがいます"), "{}", t.message());
    t.enter(&PIN);
    assert_eq!(t.c.screen(), Screen::Staff);

    // A restarted kiosk reads the PIN and the name back.
    let mut again = T::new(Some(dir.path()), None);
    assert_eq!(again.c.view().kiosk_name, "1階ロビー");
    assert!(again.later(|c, n| c.open_staff(n)));
    assert_eq!(again.c.screen(), Screen::StaffPin);
    again.enter(&PIN);
    assert_eq!(again.c.screen(), Screen::Staff);
}

#[test]
fn a_skipped_name_is_the_default_and_a_failed_test_print_is_shown() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut t = T::new(Some(dir.path()), None);
    t.b.borrow_mut().fail_print = Some("paper end".into());
    assert!(t.later(|c, n| c.open_staff(n)));
    t.enter(&PIN);
    t.enter(&PIN);
    // An empty field is the same as 「あとで決める」: the name its placeholder shows.
    assert!(t.later(|c, n| c.setup_name(n, " ")));
    assert_eq!(
        std::fs::read_to_string(dir.path().join(NAME_FILE)).unwrap_or_default(),
        "受付端末 3\n"
    );
    assert!(t.later(|c, n| c.setup_test_print(n)));
    let Some(Effect::TestPrint { job }) = t.c.take_effects().into_iter().next() else {
        panic!("test print effect")
    };
    assert!(t.c.test_print_finished(job()));
    let text =
        t.c.view()
            .setup
            .and_then(|s| s.print_text)
            .map(|p| p.plain)
            .unwrap_or_default();
    assert!(text.contains("paper end"), "{text}");
    // A result that arrives after the setup was left changes nothing.
    assert!(t.later(|c, n| c.setup_finish(n)));
    assert!(!t.c.test_print_finished(PrintResult::Printed));
}

#[test]
fn five_wrong_pins_lock_the_pad_across_a_restart() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut t = T::new(Some(dir.path()), None);
    t.set_up("受付");
    assert!(t.later(|c, n| c.staff_close(n)));
    assert!(t.later(|c, n| c.open_staff(n)));
    for _ in 0..5 {
        t.enter(&[9, 9, 9, 9, 9, 9]);
    }
    assert!(t.c.view().pin.locked);
    assert!(t.message().contains("ロック"), "{}", t.message());
    assert!(dir.path().join(LOCK_FILE).exists());
    assert_eq!(mode(&dir.path().join(LOCK_FILE)), 0o600);

    // A new controller on the same data dir: still locked, even for the right PIN.
    let mut r = T::new(Some(dir.path()), None);
    assert!(r.later(|c, n| c.open_staff(n)));
    assert_eq!(r.c.screen(), Screen::StaffPin);
    assert!(r.c.view().pin.locked);
    assert!(!r.later(|c, n| c.pin_digit(n, 2)), "no digits while locked");
    // Typed past the pad (the keyboard's Enter with digits): refused all the same.
    r.c.pin_entry = "246813".into();
    assert!(r.later(|c, n| c.pin_submit(n)));
    assert_eq!(r.c.screen(), Screen::StaffPin);
    assert!(r.message().contains("ロック"), "{}", r.message());
    // Five minutes of kiosk time later (the idle reset has gone back to the start), the
    // right PIN opens it.
    r.now += crate::kiosk::pin::LOCK_MS;
    assert!(r.c.tick(r.now));
    assert_eq!(r.c.screen(), Screen::Attract);
    assert!(r.later(|c, n| c.open_staff(n)));
    assert!(!r.c.view().pin.locked);
    r.enter(&PIN);
    assert_eq!(r.c.screen(), Screen::Staff);
    assert!(r.later(|c, n| c.exit_kiosk(n)));
    assert!(matches!(r.c.take_effects().as_slice(), [Effect::ExitKiosk]));
}

#[test]
fn the_config_hash_wins_and_no_setup_is_offered() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let hash = crate::kiosk::pin::hash_pin("135790").ok();
    let mut t = T::new(Some(dir.path()), hash);
    assert!(t.later(|c, n| c.open_staff(n)));
    assert_eq!(t.c.screen(), Screen::StaffPin);
    t.enter(&[1, 3, 5, 7, 9, 0]);
    assert_eq!(t.c.screen(), Screen::Staff);
    assert!(!dir.path().join(PIN_FILE).exists());
}

#[test]
fn an_unreadable_pin_file_opens_neither_the_setup_nor_the_staff_screen() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join(PIN_FILE), "not a hash\n").unwrap_or_else(|e| panic!("{e}"));
    let mut t = T::new(Some(dir.path()), None);
    assert!(t.later(|c, n| c.open_staff(n)));
    assert_eq!(
        t.c.screen(),
        Screen::StaffPin,
        "never the setup over a PIN file"
    );
    assert!(t.c.view().pin.locked);
    let m = t.message();
    assert!(m.contains(PIN_FILE) && m.contains("hash-pin"), "{m}");
    assert!(!t.later(|c, n| c.pin_digit(n, 1)));
    t.c.pin_entry = "246813".into();
    assert!(t.later(|c, n| c.pin_submit(n)));
    assert_eq!(t.c.screen(), Screen::StaffPin);
    assert_eq!(
        std::fs::read_to_string(dir.path().join(PIN_FILE)).unwrap_or_default(),
        "not a hash\n"
    );
    // An administrator removes it: the next press of the corner offers the setup.
    assert!(t.later(|c, n| c.pin_cancel(n)));
    std::fs::remove_file(dir.path().join(PIN_FILE)).unwrap_or_else(|e| panic!("{e}"));
    assert!(t.later(|c, n| c.open_staff(n)));
    assert_eq!(t.c.screen(), Screen::StaffSetup);
}

#[test]
fn a_pin_file_that_appears_while_the_kiosk_runs_closes_the_setup() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut t = T::new(Some(dir.path()), None);
    assert!(t.later(|c, n| c.open_staff(n)));
    t.enter(&PIN);
    // An administrator puts a hash in place meanwhile.
    let hash = crate::kiosk::pin::hash_pin("135790").unwrap_or_default();
    std::fs::write(dir.path().join(PIN_FILE), format!("{hash}\n"))
        .unwrap_or_else(|e| panic!("{e}"));
    t.enter(&PIN);
    assert_eq!(
        t.c.screen(),
        Screen::StaffPin,
        "the administrator's PIN is asked for"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(PIN_FILE)).unwrap_or_default(),
        format!("{hash}\n"),
        "and kept"
    );
    t.enter(&[1, 3, 5, 7, 9, 0]);
    assert_eq!(t.c.screen(), Screen::Staff);
}

#[test]
fn the_setup_has_focus_targets_and_speech_of_its_own() {
    let mut t = T::new(None, None);
    assert!(t.later(|c, n| c.open_staff(n)));
    t.c.after_input();
    assert_eq!(t.c.focus_key().0, "pin.1");
    assert!(t.c.targets().contains(&Target::PinCancel));
    let said = crate::kiosk::controller::speech_script::screen(&t.c.view(), t.c.texts()).text();
    assert!(
        said.contains("はじめの設定") && said.contains("暗証番号を 決めて"),
        "{said}"
    );
    t.enter(&PIN);
    let said = crate::kiosk::controller::speech_script::screen(&t.c.view(), t.c.texts()).text();
    assert!(said.contains("もう一度"), "{said}");
    t.enter(&PIN);
    t.c.after_input();
    assert_eq!(t.c.focus_key().0, "setup.name_field");
    assert_eq!(
        t.c.targets(),
        vec![
            Target::SetupName,
            Target::SetupNameSkip,
            Target::SetupNameOk
        ]
    );
    let said = crate::kiosk::controller::speech_script::screen(&t.c.view(), t.c.texts()).text();
    assert!(
        said.contains("保存しました") && said.contains("名前"),
        "{said}"
    );
    // Tab from the field goes to 「あとで決める」; Back does not leave the stored PIN's setup.
    t.now += 500;
    t.c.key(t.now, crate::kiosk::keys::KeyAction::Next);
    assert_eq!(t.c.focus_key().0, "setup.name_skip");
    t.now += 500;
    t.c.key(t.now, crate::kiosk::keys::KeyAction::Back);
    assert_eq!(t.c.screen(), Screen::StaffSetup);
    assert!(t.later(|c, n| c.setup_name_skip(n)));
    t.c.after_input();
    assert_eq!(t.c.focus_key().0, "setup.print");
    let said = crate::kiosk::controller::speech_script::screen(&t.c.view(), t.c.texts()).text();
    assert!(
        said.contains("受付端末 3") && said.contains("テスト印刷"),
        "{said}"
    );
    // English too.
    let mut e = T::new(None, None);
    e.c.set_lang(e.now, crate::lang::Lang::En);
    assert!(e.later(|c, n| c.open_staff(n)));
    let said = crate::kiosk::controller::speech_script::screen(&e.c.view(), e.c.texts()).text();
    assert!(
        said.contains("First-time setup") && said.contains("6 to 12 digits"),
        "{said}"
    );
}
