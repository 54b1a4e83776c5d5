//! The kiosk driven through its real UI with Slint's testing backend: elements are found by
//! their accessible label and tapped with pointer events, time is Slint's mock time.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

use hatarakitai::config::Loaded;
use hatarakitai::kiosk::adapter::{AdapterOptions, Kiosk, PrintRunner};
use hatarakitai::kiosk::backend::MemoryBackend;
use hatarakitai::kiosk::controller::{Controller, Screen};
use hatarakitai::kiosk::run::prepare;
use hatarakitai::ui::{AppWindow, KioskAdapter};
use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use slint::platform::PointerEventButton;
use slint::{ComponentHandle, Model};

/// A backend whose events the test can read.
type Shared = Rc<RefCell<MemoryBackend>>;

struct Ui {
    app: AppWindow,
    kiosk: Kiosk,
    backend: Shared,
}

fn start_with(on_call_staff: Option<String>) -> Ui {
    start_on(None, on_call_staff)
}

/// A kiosk whose PIN files live in `data_dir` (None: in memory, no PIN).
fn start_on(data_dir: Option<&Path>, on_call_staff: Option<String>) -> Ui {
    i_slint_backend_testing::init_no_event_loop();
    build_on(data_dir, on_call_staff)
}

/// Another kiosk in the same test thread (the testing backend is set up once per thread):
/// a restart on the same data dir.
fn build_on(data_dir: Option<&Path>, on_call_staff: Option<String>) -> Ui {
    let loaded = Loaded::load(None).unwrap_or_else(|e| panic!("{e}"));
    let content = loaded.content().unwrap_or_else(|e| panic!("{e}"));
    let mut prepared = prepare(&loaded, content).unwrap_or_else(|e| panic!("{e}"));
    prepared.settings.data_dir = data_dir.map(Path::to_path_buf);
    if on_call_staff.is_some() {
        prepared.settings.call_channel = hatarakitai::kiosk::controller::CallChannel::Hook;
    }
    let backend = Shared::default();
    let ctrl = Controller::new(
        prepared.content,
        prepared.texts,
        prepared.settings,
        Box::new(backend.clone()),
    );
    let app = AppWindow::new().unwrap_or_else(|e| panic!("{e}"));
    app.window().set_size(slint::PhysicalSize::new(1920, 1080));
    let kiosk = Kiosk::connect(
        &app,
        ctrl,
        AdapterOptions {
            clock: Rc::new(i_slint_backend_testing::get_mocked_time),
            print_runner: PrintRunner::Inline,
            on_call_staff,
            lobby: None,
            news: Default::default(),
            speaker: None,
            keymap: Default::default(),
        },
    );
    app.show().unwrap_or_else(|e| panic!("{e}"));
    let ui = Ui {
        app,
        kiosk,
        backend,
    };
    ui.wait(1000);
    ui
}

fn start() -> Ui {
    start_with(None)
}

/// The staff PIN these tests set, as an administrator would for a scripted install: its
/// `hatarakitai hash-pin` hash in the data dir's `staff-pin` file.
const PIN: [&str; 6] = ["2", "4", "6", "8", "1", "3"];

fn data_dir_with_pin() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let hash = hatarakitai::kiosk::pin::hash_pin(&PIN.concat()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("staff-pin"), format!("{hash}\n"))
        .unwrap_or_else(|e| panic!("{e}"));
    dir
}

impl Ui {
    fn wait(&self, ms: u64) {
        i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(ms));
    }

    fn buttons(&self, label: &str) -> Vec<ElementHandle> {
        ElementHandle::find_by_accessible_label(&self.app, label)
            .filter(|e| {
                matches!(
                    e.accessible_role(),
                    Some(AccessibleRole::Button | AccessibleRole::RadioButton)
                )
            })
            .collect()
    }

    /// A key press and release as the window gets it from the keyboard or keypad.
    fn key(&self, text: &str) {
        let w = self.app.window();
        w.dispatch_event(slint::platform::WindowEvent::KeyPressed { text: text.into() });
        w.dispatch_event(slint::platform::WindowEvent::KeyReleased { text: text.into() });
        self.wait(400);
    }

    /// The control the kiosk means to focus, and the one that really has Slint's focus.
    fn focus(&self) -> (String, String) {
        self.kiosk
            .with_controller(|c| (c.focus_key().0, c.reported_focus().to_string()))
    }

    fn assert_focus(&self, want: &str) {
        let (meant, real) = self.focus();
        assert_eq!(meant, want, "focus on {:?}", self.screen());
        assert_eq!(
            real,
            want,
            "keyboard focus really on {want} ({:?})",
            self.screen()
        );
        // The focused button is the one with that accessible id, and it is on screen.
        let id = want.to_string();
        let el = i_slint_backend_testing::ElementQuery::from_root(&self.app)
            .match_descendants()
            .match_predicate(move |e| e.accessible_id().as_deref() == Some(id.as_str()))
            .find_all();
        // (One item can appear once per component it is an instance of.)
        assert!(!el.is_empty(), "a button with accessible-id {want}");
    }

    fn has_text(&self, label: &str) -> bool {
        ElementHandle::find_by_accessible_label(&self.app, label)
            .next()
            .is_some()
    }

    /// Taps the one button with this label, then lets a human's half second pass.
    fn tap(&self, label: &str) {
        let found = self.buttons(label);
        assert_eq!(
            found.len(),
            1,
            "expected one button `{label}` on {:?}",
            self.screen()
        );
        found[0].mock_single_click(PointerEventButton::Left);
        self.wait(450);
    }

    /// Two taps 80 ms apart on the same spot (a tremor, an impatient finger): the second
    /// lands on whatever the next screen shows there.
    fn double_tap(&self, label: &str) {
        let found = self.buttons(label);
        assert_eq!(found.len(), 1, "expected one button `{label}`");
        let (pos, size) = (found[0].absolute_position(), found[0].size());
        let at = slint::LogicalPosition::new(pos.x + size.width / 2.0, pos.y + size.height / 2.0);
        let w = self.app.window();
        for _ in 0..2 {
            w.dispatch_event(slint::platform::WindowEvent::PointerPressed {
                position: at,
                button: PointerEventButton::Left,
            });
            self.wait(30);
            w.dispatch_event(slint::platform::WindowEvent::PointerReleased {
                position: at,
                button: PointerEventButton::Left,
            });
            self.wait(50);
        }
        self.wait(450);
    }

    fn screen(&self) -> Screen {
        self.kiosk.with_controller(|c| c.screen())
    }

    /// The staff corner's accessible action (what a screen reader or a switch would do).
    fn open_staff_corner(&self) {
        let corner =
            ElementHandle::find_by_accessible_label(&self.app, "スタッフ用 (staff-corner)")
                .next()
                .unwrap_or_else(|| panic!("corner"));
        corner.invoke_accessible_default_action();
        self.wait(450);
    }

    fn answers(&self) -> Vec<Option<u8>> {
        self.kiosk.with_controller(|c| c.answers().slots().to_vec())
    }

    fn events(&self) -> Vec<String> {
        self.backend.borrow().events.clone()
    }

    fn checked(&self, label: &str) -> bool {
        self.buttons(label)
            .first()
            .and_then(ElementHandle::accessible_checked)
            .unwrap_or(false)
    }

    /// Pages down with 「▼ 下に つづきます」 until the results end (elements scrolled out of
    /// view are not found by label).
    fn scroll_results_to_end(&self) {
        for _ in 0..10 {
            if self.buttons("▼ 下に つづきます").is_empty() {
                return;
            }
            self.tap("▼ 下に つづきます");
        }
        panic!("the results never reached their end");
    }

    fn goto_first_question(&self) {
        self.tap("働きたい!!　はじめる");
        assert_eq!(self.screen(), Screen::Consent);
        self.tap("はじめる");
        assert_eq!(self.screen(), Screen::Question(0));
        assert!(self.has_text("質問 1 / 8"));
    }
}

/// The first option of each question, by its 日本語 label.
const FIRST_OPTIONS: [&str; 8] = [
    "すぐに働きたい",
    "5日",
    "安定している",
    "はい",
    "給料をもらって働きたい",
    "伝えたい（障がい者枠・オープン就労）",
    "持っている",
    "近いほうがいい（市内）",
];

#[test]
fn full_visit_by_taps_from_attract_to_slip() {
    let ui = start();
    ui.goto_first_question();
    for (i, label) in FIRST_OPTIONS.iter().enumerate() {
        assert_eq!(ui.screen(), Screen::Question(i));
        ui.tap(label);
    }
    assert_eq!(ui.screen(), Screen::Results);
    ui.scroll_results_to_end();
    assert!(ui.has_text("このセンターのスタッフと 一緒に考えましょう"));
    let a = ui.app.global::<KioskAdapter>();
    assert!((1..=3).contains(&a.get_routes().row_count()));
    ui.tap("受付票を印刷");
    assert_eq!(ui.screen(), Screen::Slip);
    assert!(ui.has_text("この紙を 受付の スタッフに わたしてください"));
    ui.tap("おわる");
    assert_eq!(ui.screen(), Screen::Done);
    ui.tap("はじめの画面に もどる");
    assert_eq!(ui.screen(), Screen::Attract);
    let ev = ui.events();
    assert_eq!(ev.iter().filter(|e| e.starts_with("answered")).count(), 8);
    assert!(ev.contains(&"slip".to_string()) && ev.contains(&"ended Completed".to_string()));
}

#[test]
fn rapid_double_taps_never_skip_a_question() {
    let ui = start();
    ui.goto_first_question();
    ui.double_tap("すぐに働きたい");
    assert_eq!(ui.screen(), Screen::Question(1));
    ui.double_tap("わからない・こたえない");
    assert_eq!(ui.screen(), Screen::Question(2));
    assert_eq!(
        ui.events()
            .iter()
            .filter(|e| e.starts_with("answered"))
            .count(),
        2
    );
    assert_eq!(&ui.answers()[..3], &[Some(0), Some(4), None]);
    // Without the guard the second tap would have answered: with time between, it does.
    ui.tap("安定している");
    assert_eq!(ui.screen(), Screen::Question(3));
}

#[test]
fn back_then_change_an_answer() {
    let ui = start();
    ui.goto_first_question();
    ui.tap("すぐに働きたい");
    ui.tap("5日");
    assert_eq!(ui.screen(), Screen::Question(2));
    ui.tap("もどる");
    assert_eq!(ui.screen(), Screen::Question(1));
    assert!(ui.checked("5日"), "the earlier answer is shown as chosen");
    ui.tap("1〜2日");
    assert_eq!(ui.screen(), Screen::Question(2));
    assert_eq!(ui.answers()[1], Some(2));
}

#[test]
fn skip_all_eight() {
    let ui = start();
    ui.goto_first_question();
    for _ in 0..8 {
        ui.tap("わからない・こたえない");
    }
    assert_eq!(ui.screen(), Screen::Results);
    ui.scroll_results_to_end();
    assert!(ui.has_text("このセンターのスタッフと 一緒に考えましょう"));
    // Every skip is recorded as that question's own わからない option.
    assert!(ui.answers().iter().all(Option::is_some));
}

#[test]
fn language_switch_mid_flow_keeps_answers() {
    let ui = start();
    ui.goto_first_question();
    ui.tap("練習や訓練をしてから働きたい");
    ui.tap("English");
    assert_eq!(ui.screen(), Screen::Question(1));
    assert!(ui.has_text("How many days a week can you go out?"));
    ui.tap("Back");
    assert!(ui.checked("I want to train first, then work"));
    ui.tap("やさしい にほんご");
    ui.tap("おおきい");
    assert!(ui.has_text("いまの 気持ちに いちばん 近いのは どれですか？"));
    assert!(ui.checked("練習してから 働きたい"));
    assert_eq!(ui.answers()[0], Some(1));
}

#[test]
fn idle_timeout_resets_and_leaves_no_answer_anywhere() {
    let ui = start();
    ui.goto_first_question();
    ui.tap("すぐに働きたい");
    ui.tap("5日");
    ui.tap("English");
    for _ in 0..91 {
        ui.wait(1000);
    }
    assert!(ui.has_text("Are you still there?"));
    ui.tap("Continue");
    assert!(!ui.has_text("Are you still there?"));
    assert_eq!(ui.screen(), Screen::Question(2));
    for _ in 0..122 {
        ui.wait(1000);
    }
    assert_eq!(ui.screen(), Screen::Attract);
    assert!(ui.answers().iter().all(Option::is_none));
    let a = ui.app.global::<KioskAdapter>();
    assert_eq!(
        (
            a.get_q_options().row_count(),
            a.get_routes().row_count(),
            a.get_notes().row_count()
        ),
        (0, 0, 0)
    );
    assert_eq!(a.get_q_text().plain, "");
    assert_eq!(a.get_lang(), 0, "the next visitor starts in 日本語");
    for label in FIRST_OPTIONS
        .iter()
        .chain(["I want to work soon", "5 days"].iter())
    {
        assert!(!ui.has_text(label), "`{label}` still on screen");
    }
    assert!(
        ui.events()
            .contains(&"ended IdleReset { at_question: Some(2) }".to_string())
    );
}

#[test]
fn staff_pin_locks_after_five_wrong_tries() {
    let dir = data_dir_with_pin();
    let ui = start_on(Some(dir.path()), None);
    // The hidden gesture: a 3-second press on the lower-left corner.
    let corner = ElementHandle::find_by_accessible_label(&ui.app, "スタッフ用 (staff-corner)")
        .next()
        .unwrap_or_else(|| panic!("corner"));
    let pos = corner.absolute_position();
    let size = corner.size();
    let at = slint::LogicalPosition::new(pos.x + size.width / 2.0, pos.y + size.height / 2.0);
    let w = ui.app.window();
    w.dispatch_event(slint::platform::WindowEvent::PointerPressed {
        position: at,
        button: PointerEventButton::Left,
    });
    ui.wait(1500);
    assert_eq!(ui.screen(), Screen::Attract, "a short press does nothing");
    ui.wait(1600);
    w.dispatch_event(slint::platform::WindowEvent::PointerReleased {
        position: at,
        button: PointerEventButton::Left,
    });
    ui.wait(100);
    assert_eq!(ui.screen(), Screen::StaffPin);
    for _ in 0..5 {
        for _ in 0..6 {
            ui.tap("9");
        }
        ui.tap("OK");
    }
    assert!(ui.has_text("5回 まちがえたので ロックしました。5 分後に もう一度 ためしてください"));
    assert_eq!(
        ui.buttons("1")
            .first()
            .and_then(ElementHandle::accessible_enabled),
        Some(false)
    );
    // Even the right PIN cannot get in while locked: typed on the keyboard, then Enter.
    for d in PIN {
        ui.key(d);
    }
    ui.key(ENTER);
    assert_eq!(ui.screen(), Screen::StaffPin);
    // The lock is on disk: a kiosk started again on this data dir is locked too.
    drop(ui);
    let ui = build_on(Some(dir.path()), None);
    ui.open_staff_corner();
    assert_eq!(ui.screen(), Screen::StaffPin);
    assert_eq!(
        ui.buttons("1")
            .first()
            .and_then(ElementHandle::accessible_enabled),
        Some(false),
        "still locked after a restart"
    );
}

#[test]
fn no_pin_works_until_the_first_time_setup_sets_one() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let ui = start_on(Some(dir.path()), None);
    ui.open_staff_corner();
    assert_eq!(ui.screen(), Screen::StaffSetup, "no PIN pad without a PIN");
    assert!(ui.has_text("はじめの設定"));
    assert!(ui.has_text("手順 1 / 3"));
    // The old default: too short, and never a way in.
    for d in ["1", "2", "3", "4"] {
        ui.tap(d);
    }
    ui.tap("OK");
    assert_eq!(ui.screen(), Screen::StaffSetup);
    assert!(ui.has_text("暗証番号は 6けた以上の 数字に してください。"));
    // Two different PINs: start over.
    for d in PIN {
        ui.tap(d);
    }
    ui.tap("OK");
    assert!(ui.has_text("確認のため、同じ 暗証番号を もう一度 入れてください。"));
    for d in ["1", "3", "5", "7", "9", "0"] {
        ui.tap(d);
    }
    ui.tap("OK");
    assert!(ui.has_text("1回目と 2回目の 番号が ちがいます。はじめから 入れなおしてください。"));
    assert!(!dir.path().join("staff-pin").exists());
    // The same PIN twice: stored, and the name step has the keyboard.
    for _ in 0..2 {
        for d in PIN {
            ui.tap(d);
        }
        ui.tap("OK");
    }
    assert!(ui.has_text("暗証番号を 保存しました。"));
    let stored = std::fs::read_to_string(dir.path().join("staff-pin")).unwrap_or_default();
    assert!(stored.starts_with("$argon2id$") && !stored.contains(&PIN.concat()));
    ui.assert_focus("setup.name_field");
    let field: Vec<ElementHandle> = ElementHandle::find_by_accessible_label(&ui.app, "端末の名前")
        .filter(|e| e.accessible_role() == Some(AccessibleRole::TextInput))
        .collect();
    assert_eq!(field.len(), 1, "one name field");
    assert_eq!(
        field[0].accessible_placeholder_text().as_deref(),
        Some("受付端末 1")
    );
    // Typed on a keyboard (the name arrives as an IME would commit it), then Enter.
    ui.key("1階ロビー");
    assert_eq!(field[0].accessible_value().as_deref(), Some("1階ロビー"));
    ui.key(ENTER);
    assert!(ui.has_text("この端末: 1階ロビー"));
    ui.assert_focus("setup.print");
    ui.tap("テスト印刷");
    assert!(ui.has_text(
        "印刷できました。紙の QRコードを 受付のデスクで 読みとれるか 確かめてください。"
    ));
    assert!(ui.events().contains(&"test print".to_string()));
    ui.tap("スタッフ画面へ");
    assert_eq!(ui.screen(), Screen::Staff);
    assert!(ui.has_text("この端末: 1階ロビー"));
    assert!(ui.has_text("stats"));
    ui.tap("キオスクにもどる");
    assert_eq!(ui.screen(), Screen::Attract);
    // From now on the corner asks for the PIN; the setup is gone for good.
    ui.open_staff_corner();
    assert_eq!(ui.screen(), Screen::StaffPin);
    for d in PIN {
        ui.tap(d);
    }
    ui.tap("OK");
    assert_eq!(ui.screen(), Screen::Staff);
}

#[test]
fn call_staff_shows_the_screen_records_and_runs_the_command() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let marker = dir.path().join("called");
    let ui = start_with(Some(format!("touch {}", marker.display())));
    ui.goto_first_question();
    ui.tap("すぐに働きたい");
    ui.tap("スタッフをよぶ");
    assert_eq!(ui.screen(), Screen::StaffCall);
    // A command cannot answer: the kiosk says staff were told, never that someone comes.
    assert!(ui.has_text("スタッフに 知らせました"));
    assert!(
        ui.buttons("スタッフをよぶ").is_empty(),
        "no second call from the staff-coming screen"
    );
    assert_eq!(ui.events().iter().filter(|e| *e == "staff").count(), 1);
    // The command runs in the background; give it a moment.
    for _ in 0..50 {
        if marker.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(marker.exists(), "kiosk.on_call_staff was run");
    ui.tap("もとの画面に もどる");
    assert_eq!(ui.screen(), Screen::Question(1));
    assert_eq!(ui.answers()[0], Some(0));
}

/// LOBBY.md §1: with no way to reach staff the button and its screen send the visitor to
/// the reception window, and nothing on screen says staff are coming.
#[test]
fn without_a_channel_the_button_points_to_the_reception_window() {
    let ui = start_with(None);
    ui.goto_first_question();
    assert!(ui.buttons("スタッフをよぶ").is_empty());
    ui.tap("こまったとき");
    assert_eq!(ui.screen(), Screen::StaffCall);
    assert!(ui.has_text("受付の 窓口で 声を かけてください"));
    assert_eq!(ui.events().iter().filter(|e| *e == "staff").count(), 1);
}

const ENTER: &str = "\n";
const TAB: &str = "\t";
const DOWN: &str = "\u{F701}";
const ESCAPE: &str = "\u{1b}";

#[test]
fn a_whole_visit_by_keys_alone_prints_a_slip() {
    let ui = start();
    // (Slint focused 「はじめる」 while the window was built, before the adapter listened.)
    assert_eq!(ui.focus().0, "start");
    ui.key(ENTER);
    assert_eq!(ui.screen(), Screen::Consent);
    ui.assert_focus("consent.accept");
    ui.key("5"); // keypad 5 = select
    for q in 0..8 {
        assert_eq!(ui.screen(), Screen::Question(q));
        ui.assert_focus("opt.0");
        // Keypad 2 (down) and arrow down both move on; Enter answers.
        ui.key(if q % 2 == 0 { "2" } else { DOWN });
        ui.assert_focus("opt.1");
        ui.key(ENTER);
    }
    assert_eq!(ui.screen(), Screen::Results);
    assert!(
        ui.answers().iter().all(|a| *a == Some(1)),
        "{:?}",
        ui.answers()
    );
    ui.assert_focus("results.print");
    ui.key(" ");
    assert_eq!(ui.screen(), Screen::Slip);
    assert!(ui.events().iter().any(|e| e == "slip"), "{:?}", ui.events());
    ui.assert_focus("slip.finish");
    ui.key(ENTER);
    assert_eq!(ui.screen(), Screen::Done);
}

#[test]
fn tab_walks_the_controls_in_reading_order_and_escape_goes_back() {
    let ui = start();
    let order = [
        "lang.ja",
        "lang.ja-easy",
        "lang.en",
        "size.normal",
        "size.large",
        "speech",
        "call",
        "start",
    ];
    for want in order {
        ui.key(TAB);
        ui.assert_focus(want);
    }
    ui.key(ENTER);
    ui.key(ENTER);
    assert_eq!(ui.screen(), Screen::Question(0));
    for want in ["opt.1", "opt.2", "opt.3", "q.back", "q.skip", "lang.ja"] {
        ui.key(TAB);
        ui.assert_focus(want);
    }
    ui.key(ESCAPE);
    assert_eq!(ui.screen(), Screen::Consent);
    ui.assert_focus("consent.accept");
}

#[test]
fn keys_hammered_twenty_times_a_second_never_skip_a_question() {
    let ui = start();
    ui.key(ENTER);
    ui.key(ENTER);
    let w = ui.app.window();
    for _ in 0..20 {
        w.dispatch_event(slint::platform::WindowEvent::KeyPressed { text: ENTER.into() });
        w.dispatch_event(slint::platform::WindowEvent::KeyReleased { text: ENTER.into() });
        ui.wait(50);
    }
    // One answer per settled screen at most: 1 s of hammering is at most 3–4 questions.
    let answered = ui.answers().iter().flatten().count();
    assert!((1..=4).contains(&answered), "{answered} answers");
    assert_eq!(ui.screen(), Screen::Question(answered));
}

#[test]
fn digits_type_the_staff_pin() {
    let dir = data_dir_with_pin();
    let ui = start_on(Some(dir.path()), None);
    ui.kiosk.act(|c, n| c.open_staff(n));
    ui.wait(400);
    assert_eq!(ui.screen(), Screen::StaffPin);
    for d in PIN {
        ui.key(d);
    }
    // Enter on a keyboard submits the typed PIN.
    ui.key(ENTER);
    assert_eq!(ui.screen(), Screen::Staff, "the PIN typed on the keyboard");
}
