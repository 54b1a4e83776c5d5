//! The staff desk with real slips: payloads sealed with a real centre key, a real desk.sqlite,
//! the desk controller, and the desk window driven through Slint's testing backend.

use std::cell::RefCell;
use std::rc::Rc;

use hatarakitai::answers::Answers;
use hatarakitai::content::Content;
use hatarakitai::desk::controller::{DeskController, Notice};
use hatarakitai::desk::intake::Stage;
use hatarakitai::desk::run::decoder;
use hatarakitai::desk::store::DeskStore;
use hatarakitai::lang::Lang;
use hatarakitai::matcher;
use hatarakitai::payload::{self, CentreKey, VisitRecord};
use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use slint::ComponentHandle;

const T0: i64 = 1_795_600_000;
const TZ: chrono_tz::Tz = chrono_tz::Asia::Tokyo;

fn slip_text(content: &Content, key: &CentreKey, serial: u32, answers: &str) -> String {
    let a = Answers::parse_kv(&content.questionnaire, answers).unwrap();
    let o = matcher::match_answers(content, &a);
    let rec = VisitRecord::from_visit(content, &a, &o, Lang::JaEasy, 1, serial, T0).unwrap();
    payload::encode(&rec, key, payload::random_nonce().unwrap()).unwrap()
}

fn desk(dir: &std::path::Path, keys: Vec<CentreKey>) -> DeskController {
    let content = Content::embedded().unwrap();
    let store = DeskStore::open(&dir.join("desk.sqlite")).unwrap();
    DeskController::new(
        store,
        content.clone(),
        TZ,
        "佐藤".into(),
        decoder(keys, content, TZ),
    )
}

const FULL: &str = "goal=train_first,days=d3_4,health=sometimes,rhythm=mostly,income=not_now,disclose=open,techo=yes,commute=near";

#[test]
fn a_scan_opens_a_filled_record_and_a_rescan_opens_the_same_one() {
    let dir = tempfile::tempdir().unwrap();
    let content = Content::embedded().unwrap();
    let key = CentreKey::generate().unwrap();
    let text = slip_text(&content, &key, 42, FULL);
    let mut d = desk(dir.path(), vec![key.clone()]);
    assert_eq!(
        d.scan(&format!("{text}\r\n"), T0 + 60),
        &Notice::Opened { created: true }
    );
    let v = d.current.clone().unwrap();
    assert_eq!(v.visit.serial, 42);
    assert_eq!(v.answers.len(), 8);
    assert_eq!(v.answers[0].answer_text, "練習や訓練をしてから働きたい");
    assert_eq!(v.routes[0].id, "ikou");
    assert!(
        !v.routes[0].reasons.is_empty(),
        "reasons as the kiosk showed them"
    );
    assert!(v.notes.iter().any(|n| n.contains("受給者証")));
    assert!(v.warning.is_none());
    // Lower case, stray tab: same slip, same record.
    assert_eq!(
        d.scan(&format!("\t{}", text.to_lowercase()), T0 + 120),
        &Notice::Opened { created: false }
    );
    assert_eq!(d.current.as_ref().unwrap().id, v.id);
    assert_eq!(d.store().count().unwrap(), 1);
}

#[test]
fn every_kind_of_bad_scan_gets_its_own_message_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let content = Content::embedded().unwrap();
    let key = CentreKey::generate().unwrap();
    let other = CentreKey {
        id: key.id,
        key: [7; 32],
    };
    let stranger = CentreKey {
        id: key.id.wrapping_add(1),
        key: [9; 32],
    };
    let good = slip_text(&content, &key, 1, FULL);
    let mut d = desk(dir.path(), vec![key.clone()]);
    let mut changed = good.clone().into_bytes();
    let i = 40;
    changed[i] = if changed[i] == b'A' { b'B' } else { b'A' };
    let changed = String::from_utf8(changed).unwrap();
    let random: String = (0..300u32)
        .map(|i| char::from(b'!' + (i.wrapping_mul(2_654_435_761) % 90) as u8))
        .collect();
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "空"),
        ("\r\n\t".into(), "空"),
        (random, "記号"),
        ("A".repeat(10_000), "長すぎ"),
        ("https://example.com".into(), "記号"),
        ("HELLO123".into(), "受付票のものではありません"),
        (
            good[..good.len() - 10].to_string(),
            "最後まで読み取れません",
        ),
        (changed, ""),
        (good.replacen("HT1", "HT2", 1), "新しい"),
        (slip_text(&content, &other, 2, FULL), ""),
        (slip_text(&content, &stranger, 3, FULL), ""),
        ("ｈｔ１あいう".into(), "日本語入力"),
        (payload::test_payload(), ""),
    ];
    for (input, needle) in &cases {
        match d.scan(input, T0) {
            Notice::Rejected(m) => assert!(m.contains(needle), "{input:.20}: {m}"),
            other => panic!("{input:.20} should be rejected, got {other:?}"),
        }
    }
    assert_eq!(d.store().count().unwrap(), 0, "no record from a bad scan");
    // Wrong key and unknown key are told apart.
    let wrong = d.scan(&slip_text(&content, &other, 4, FULL), T0).clone();
    let unknown = d.scan(&slip_text(&content, &stranger, 5, FULL), T0).clone();
    assert_ne!(wrong, unknown);
    // A good scan still works after all that.
    assert_eq!(d.scan(&good, T0), &Notice::Opened { created: true });
}

#[test]
fn unsaved_edits_are_never_lost_to_a_new_scan() {
    let dir = tempfile::tempdir().unwrap();
    let content = Content::embedded().unwrap();
    let key = CentreKey::generate().unwrap();
    let (a, b) = (
        slip_text(&content, &key, 1, FULL),
        slip_text(&content, &key, 2, "goal=work_now"),
    );
    let mut d = desk(dir.path(), vec![key]);
    d.scan(&a, T0);
    let first = d.current.as_ref().unwrap().id;
    d.edits.name = "山田 花子".into();
    d.edits.stage = Some(Stage::Assessment);
    assert_eq!(d.scan(&b, T0 + 5), &Notice::UnsavedEdits);
    assert_eq!(
        d.current.as_ref().unwrap().id,
        first,
        "still on the first record"
    );
    assert_eq!(
        d.save(T0 + 10),
        &Notice::Opened { created: true },
        "saved, then the held scan opened"
    );
    let rec = d.store().get(first).unwrap().unwrap();
    assert_eq!(rec.staff.name, "山田 花子");
    let audit = d.store().audit(first).unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.field == "name" && e.new == "山田 花子" && e.who == "佐藤")
    );
    assert!(
        audit
            .iter()
            .any(|e| e.field == "stage" && e.new == "アセスメント")
    );
}

#[test]
fn old_keys_still_open_old_slips_after_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let content = Content::embedded().unwrap();
    let (old, new) = (
        CentreKey::generate().unwrap(),
        CentreKey {
            id: 200,
            key: [3; 32],
        },
    );
    let slip = slip_text(&content, &old, 9, FULL);
    let mut d = desk(dir.path(), vec![new, old]);
    assert_eq!(d.scan(&slip, T0), &Notice::Opened { created: true });
}

/// The window: a scanner's key burst ending in Enter opens the record; a rescan opens the
/// same; an edit and save leaves an audit entry; a bad scan shows its message.
#[test]
fn desk_window_scan_edit_save_by_keyboard() {
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().unwrap();
    let content = Content::embedded().unwrap();
    let key = CentreKey::generate().unwrap();
    let text = slip_text(&content, &key, 7, FULL);
    let ctrl = Rc::new(RefCell::new(desk(dir.path(), vec![key])));
    let w = hatarakitai::ui::DeskWindow::new().unwrap();
    w.window().set_size(slint::PhysicalSize::new(1920, 1080));
    hatarakitai::desk::adapter::connect(&w, ctrl.clone(), Rc::new(|| T0 + 100));
    w.show().unwrap();
    let a = w.global::<hatarakitai::ui::DeskAdapter>();

    let burst = |s: &str| {
        for ch in s.chars() {
            let t: slint::SharedString = ch.to_string().into();
            w.window()
                .dispatch_event(slint::platform::WindowEvent::KeyPressed { text: t.clone() });
            w.window()
                .dispatch_event(slint::platform::WindowEvent::KeyReleased { text: t });
        }
        let enter: slint::SharedString = slint::platform::Key::Return.into();
        w.window()
            .dispatch_event(slint::platform::WindowEvent::KeyPressed {
                text: enter.clone(),
            });
        w.window()
            .dispatch_event(slint::platform::WindowEvent::KeyReleased { text: enter });
    };
    assert!(!a.get_has_record());
    burst(&text);
    assert!(a.get_has_record(), "notice: {}", a.get_notice());
    assert!(a.get_title().contains("-007"), "{}", a.get_title());
    assert!(
        a.get_notice().contains("新しいインテーク記録"),
        "{}",
        a.get_notice()
    );
    let id = ctrl.borrow().current.as_ref().unwrap().id;

    // The scan field took focus back: a second burst is read as a scan, not typed elsewhere.
    burst(&text.to_lowercase());
    assert!(
        a.get_notice().contains("前に読み取った"),
        "{}",
        a.get_notice()
    );
    assert_eq!(ctrl.borrow().current.as_ref().unwrap().id, id);

    // Edit the name through its field (found by accessible label) and save.
    let name = ElementHandle::find_by_accessible_label(&w, "氏名")
        .find(|e| e.accessible_role() == Some(AccessibleRole::TextInput))
        .expect("name field");
    name.set_accessible_value("鈴木 一郎");
    a.invoke_edited();
    assert!(a.get_dirty());
    let save = ElementHandle::find_by_accessible_label(&w, "保存")
        .find(|e| e.accessible_role() == Some(AccessibleRole::Button))
        .expect("save button");
    save.invoke_accessible_default_action();
    assert!(
        a.get_notice().contains("保存しました"),
        "{}",
        a.get_notice()
    );
    assert!(!a.get_dirty());
    let audit = ctrl.borrow().store().audit(id).unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.field == "name" && e.new == "鈴木 一郎")
    );

    // A bad scan: a clear message, the record stays open.
    burst("HELLO");
    assert!(
        a.get_notice().contains("受付票のものではありません"),
        "{}",
        a.get_notice()
    );
    assert!(a.get_has_record());

    // Search by name finds it.
    a.set_search_text("鈴木".into());
    a.invoke_search();
    assert_eq!(slint::Model::row_count(&a.get_list()), 1);
    a.set_search_text("該当なし".into());
    a.invoke_search();
    assert_eq!(slint::Model::row_count(&a.get_list()), 0);
}

/// On a PC with the kiosk's DB, the desk tells how many printed slips reached it.
#[test]
fn printed_slips_that_reached_the_desk_are_counted_per_day() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_hatarakitai");
    let mut payloads = Vec::new();
    for answers in ["goal=work_now", "days=d3_4", "health=stable"] {
        let o = std::process::Command::new(bin)
            .args([
                "--data-dir",
                dir.path().to_str().unwrap(),
                "slip",
                "--answers",
                answers,
                "--out",
            ])
            .arg(dir.path().join("s.png"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        payloads.push(v["payload"].as_str().unwrap().to_string());
    }
    let loaded = hatarakitai::config::Loaded::load(None).unwrap();
    let now = chrono::Utc::now().timestamp();
    let mut ctrl = hatarakitai::desk::run::controller(&loaded, dir.path(), now).unwrap();
    assert!(ctrl.kiosk_db.is_some());
    // Nobody signed in: the store writes nothing (TRUST.md §3).
    assert!(matches!(ctrl.scan(&payloads[1], now), Notice::Error(m) if m.contains("sign in")));
    ctrl.set_who("sato");
    assert_eq!(
        ctrl.scan(&payloads[1], now),
        &Notice::Opened { created: true }
    );
    let today = chrono::Utc::now().with_timezone(&TZ).date_naive();
    let days = hatarakitai::desk::arrivals::arrivals(
        ctrl.store(),
        ctrl.kiosk_db.as_deref().unwrap(),
        ctrl.content(),
        TZ,
        today,
        today,
    )
    .unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!(
        (days[0].started, days[0].printed, days[0].arrived),
        (3, 3, Some(1))
    );
}

/// Two desks on one record: the second save is refused with who changed what, the refused
/// edits stay on screen (unsaved), and saving again puts them over the other desk's.
#[test]
fn a_conflicting_save_keeps_the_edits_and_says_who_changed_what() {
    let dir = tempfile::tempdir().unwrap();
    let content = Content::embedded().unwrap();
    let key = CentreKey::generate().unwrap();
    let text = slip_text(&content, &key, 3, FULL);
    let mut mine = desk(dir.path(), vec![key.clone()]);
    let mut theirs = desk(dir.path(), vec![key]);
    mine.scan(&text, T0);
    theirs.scan(&text, T0 + 1);
    theirs.edits.next_action = "来週 見学".into();
    assert_eq!(theirs.save(T0 + 2), &Notice::Saved { changed: 1 });
    mine.edits.next_action = "再来週 見学".into();
    let n = mine.save(T0 + 3).clone();
    let Notice::Conflict(m) = n else {
        panic!("expected a conflict, got {n:?}")
    };
    assert!(m.contains("佐藤") && m.contains("来週 見学"), "{m}");
    assert_eq!(
        mine.edits.next_action, "再来週 見学",
        "my edit is still there"
    );
    assert!(mine.is_dirty(), "and still unsaved");
    assert_eq!(mine.save(T0 + 4), &Notice::Saved { changed: 1 });
    let id = mine.current.as_ref().unwrap().id;
    assert_eq!(
        mine.store().get(id).unwrap().unwrap().staff.next_action,
        "再来週 見学"
    );
}

/// The desk window for a team: nothing before sign-in (and how to make the first admin),
/// a wrong password refused, the record list after sign-in, a lock after 5 idle minutes
/// that removes every record from the window, and the same person finding their unsaved
/// edits again; another person gets a clean desk.
#[test]
fn desk_window_sign_in_lock_and_resume() {
    use hatarakitai::desk::accounts::{Account, Role, hash_password};
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().unwrap();
    let content = Content::embedded().unwrap();
    let key = CentreKey::generate().unwrap();
    let text = slip_text(&content, &key, 8, FULL);
    let ctrl = Rc::new(RefCell::new(desk(dir.path(), vec![key])));
    let now = Rc::new(std::cell::Cell::new(T0));
    let w = hatarakitai::ui::DeskWindow::new().unwrap();
    w.window().set_size(slint::PhysicalSize::new(1366, 768));
    let clock = now.clone();
    let _timer =
        hatarakitai::desk::adapter::connect_team(&w, ctrl.clone(), Rc::new(move || clock.get()), 5);
    w.show().unwrap();
    let a = w.global::<hatarakitai::ui::DeskAdapter>();
    assert!(!a.get_signed_in() && a.get_no_accounts());
    let has_label = |l: &str| {
        ElementHandle::find_by_accessible_label(&w, l)
            .next()
            .is_some()
    };
    assert!(
        !has_label("受付票のQRを読み取る"),
        "no scan field before sign-in"
    );
    for (login, name, role) in [
        ("sato", "佐藤 花子", Role::Staff),
        ("tanaka", "田中 一郎", Role::Staff),
    ] {
        let acc = Account {
            login: login.into(),
            name: name.into(),
            role,
            active: true,
            hash: hash_password(&format!("{login}-pass-1")).unwrap(),
            failures: 0,
            locked_until: None,
        };
        assert!(ctrl.borrow().store().staff_insert(&acc, T0).unwrap());
    }
    a.invoke_sign_in("sato".into(), "nope-nope".into());
    assert!(!a.get_signed_in() && a.get_signin_message().contains("違います"));
    a.invoke_sign_in("sato".into(), "sato-pass-1".into());
    assert!(a.get_signed_in());
    i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_millis(100));
    assert!(has_label("受付票のQRを読み取る"));
    a.invoke_scanned(text.clone().into());
    assert!(a.get_has_record());
    a.set_memo("電話で 見学の日程を 相談".into());
    a.invoke_edited();
    // 5 idle minutes: locked; no record left in the window's tree.
    now.set(T0 + 301);
    i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_millis(6_000));
    assert!(a.get_locked());
    assert!(!has_label("受付票のQRを読み取る") && !has_label("メモ"));
    // Nor in the network's models: the record's links, meetings and the due list are emptied.
    use hatarakitai::ui::{AgenciesAdapter, DueAdapter, LinksAdapter, RecordPanes};
    assert_eq!(w.global::<RecordPanes>().get_record(), -1);
    assert_eq!(
        slint::Model::row_count(&w.global::<LinksAdapter>().get_view().links),
        0
    );
    assert_eq!(
        slint::Model::row_count(&w.global::<DueAdapter>().get_view().items),
        0
    );
    assert!(
        !w.global::<AgenciesAdapter>().get_view().can_edit,
        "sato is not an administrator: the directory is read-only"
    );
    // The same person: the edit is still there.
    a.invoke_sign_in("sato".into(), "sato-pass-1".into());
    assert!(!a.get_locked() && ctrl.borrow().is_dirty());
    assert_eq!(ctrl.borrow().edits.notes, "電話で 見学の日程を 相談");
    // Someone else: a clean desk; sato's draft waits for sato.
    a.invoke_lock_now();
    a.invoke_sign_in("tanaka".into(), "tanaka-pass-1".into());
    assert!(ctrl.borrow().current.is_none() && !ctrl.borrow().is_dirty());
    assert_eq!(ctrl.borrow().who(), "tanaka");
    a.invoke_lock_now();
    a.invoke_sign_in("sato".into(), "sato-pass-1".into());
    assert_eq!(ctrl.borrow().edits.notes, "電話で 見学の日程を 相談");
    // The views were logged by login and record id.
    let log = ctrl.borrow().store().access_log(0, i64::MAX).unwrap();
    assert!(
        log.iter()
            .any(|e| e.login == "sato" && e.action == "create" && e.record.is_some())
    );
    assert!(log.iter().any(|e| e.action == "sign_in_failed"));
}

/// TRUST.md §9: a USB scanner fired while the cursor is in 「メモ」 goes to the scan, and the
/// note keeps its text; a person typing in the note (slower than a scanner) is unaffected,
/// even when a word starts with the slip's first letter.
#[test]
fn a_scanner_burst_in_the_memo_goes_to_the_scan_not_into_the_note() {
    use hatarakitai::desk::accounts::{Account, Role, hash_password};
    use slint::platform::{PointerEventButton, WindowEvent};
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().unwrap();
    let content = Content::embedded().unwrap();
    let key = CentreKey::generate().unwrap();
    let first = slip_text(&content, &key, 21, FULL);
    let second = slip_text(&content, &key, 22, FULL);
    let ctrl = Rc::new(RefCell::new(desk(dir.path(), vec![key])));
    let w = hatarakitai::ui::DeskWindow::new().unwrap();
    w.window().set_size(slint::PhysicalSize::new(1366, 768));
    let _timer = hatarakitai::desk::adapter::connect_team(&w, ctrl.clone(), Rc::new(|| T0), 5);
    let _wedge = hatarakitai::desk::wedge::connect(&w);
    w.show().unwrap();
    let acc = Account {
        login: "sato".into(),
        name: "佐藤 花子".into(),
        role: Role::Staff,
        active: true,
        hash: hash_password("sato-pass-1").unwrap(),
        failures: 0,
        locked_until: None,
    };
    assert!(ctrl.borrow().store().staff_insert(&acc, T0).unwrap());
    let a = w.global::<hatarakitai::ui::DeskAdapter>();
    a.invoke_sign_in("sato".into(), "sato-pass-1".into());
    let tick =
        |ms: u64| i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_millis(ms));
    tick(100);
    a.invoke_scanned(first.clone().into());
    let opened = ctrl.borrow().record_id().unwrap();
    a.set_memo("電話で相談".into());
    a.invoke_edited();
    tick(100);
    // Click into the note, as staff would.
    let memo = ElementHandle::find_by_accessible_label(&w, "メモ")
        .find(|e| e.accessible_value().is_some_and(|v| v == "電話で相談"))
        .expect("the record's メモ field");
    let p = memo.absolute_position();
    let at = slint::LogicalPosition::new(p.x + 40.0, p.y + 16.0);
    let button = PointerEventButton::Left;
    w.window().dispatch_event(WindowEvent::PointerPressed {
        position: at,
        button,
    });
    w.window().dispatch_event(WindowEvent::PointerReleased {
        position: at,
        button,
    });
    tick(50);
    let key = |t: &str| {
        let text: slint::SharedString = t.into();
        w.window()
            .dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
        w.window().dispatch_event(WindowEvent::KeyReleased { text });
    };
    // A person types 「 Hi」 at a person's speed: it arrives in the note, H included.
    let end: slint::SharedString = slint::platform::Key::End.into();
    for t in [end.as_str(), " ", "H", "i"] {
        key(t);
        std::thread::sleep(std::time::Duration::from_millis(120));
        tick(80);
    }
    assert_eq!(
        a.get_memo(),
        "電話で相談 Hi",
        "a person's typing reaches the note"
    );
    // The scanner: the whole payload and Enter, as fast as the keys can be sent.
    for c in second.chars() {
        key(&c.to_string());
    }
    key("\n");
    tick(80);
    assert_eq!(
        a.get_memo(),
        "電話で相談 Hi",
        "the note keeps its text: nothing of the payload in it"
    );
    // The burst went to the scan: with unsaved edits the desk asks first (the scan waits).
    let c = ctrl.borrow();
    assert_eq!(c.record_id(), Some(opened));
    assert_eq!(c.pending_scan.as_deref(), Some(second.as_str()));
    assert_eq!(c.notice, Notice::UnsavedEdits);
}

/// TRUST.md §1 at the desk: the 「職員」 tab exists for an administrator only; there they add
/// an account, disable it, and are refused disabling the last administrator; each action acts
/// on the row's login and is in the access log with its target.
#[test]
fn the_staff_tab_is_an_administrators_only() {
    use hatarakitai::desk::accounts::{Account, Role, hash_password};
    use hatarakitai::ui::StaffAdapter;
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().unwrap();
    let ctrl = Rc::new(RefCell::new(desk(dir.path(), vec![])));
    let w = hatarakitai::ui::DeskWindow::new().unwrap();
    w.window().set_size(slint::PhysicalSize::new(1366, 1400));
    let _timer = hatarakitai::desk::adapter::connect_team(&w, ctrl.clone(), Rc::new(|| T0), 5);
    w.show().unwrap();
    for (login, role) in [("boss", Role::Admin), ("sato", Role::Staff)] {
        let acc = Account {
            login: login.into(),
            name: format!("{login} さん"),
            role,
            active: true,
            hash: hash_password(&format!("{login}-pass-1")).unwrap(),
            failures: 0,
            locked_until: None,
        };
        assert!(ctrl.borrow().store().staff_insert(&acc, T0).unwrap());
    }
    let a = w.global::<hatarakitai::ui::DeskAdapter>();
    let s = w.global::<StaffAdapter>();
    let tick = || i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_millis(50));
    let has = |label: &str| {
        ElementHandle::find_by_accessible_label(&w, label)
            .next()
            .is_some()
    };
    let press = |label: &str| {
        ElementHandle::find_by_accessible_label(&w, label)
            .find(|e| e.accessible_role() == Some(AccessibleRole::Button))
            .unwrap_or_else(|| panic!("no button {label}"))
            .invoke_accessible_default_action();
        tick();
    };
    // Staff: no tab, nothing to act on.
    a.invoke_sign_in("sato".into(), "sato-pass-1".into());
    a.set_tab(3);
    tick();
    assert!(!s.get_is_admin() && !has("職員を追加する"));
    assert_eq!(slint::Model::row_count(&s.get_accounts()), 0);
    a.invoke_sign_out();
    // The administrator: the tab, the accounts, an added one.
    a.invoke_sign_in("boss".into(), "boss-pass-1".into());
    a.set_tab(3);
    tick();
    assert!(s.get_is_admin() && has("職員を追加する"));
    s.set_new_login("t.tanaka".into());
    s.set_new_name("田中 一郎".into());
    s.set_new_password("tanaka-pass-1".into());
    press("職員を追加する");
    assert!(
        s.get_message().contains("追加しました"),
        "{}",
        s.get_message()
    );
    assert_eq!(slint::Model::row_count(&s.get_accounts()), 3);
    // Disable it by its row's login.
    press("t.tanaka を使えなくする");
    assert!(s.get_message().contains("使えなく"), "{}", s.get_message());
    let tanaka = ctrl
        .borrow()
        .store()
        .staff_get("t.tanaka")
        .unwrap()
        .unwrap();
    assert!(!tanaka.active);
    // The last administrator stays.
    press("boss を使えなくする");
    assert!(
        s.get_message().contains("最後の管理者"),
        "{}",
        s.get_message()
    );
    assert!(
        ctrl.borrow()
            .store()
            .staff_get("boss")
            .unwrap()
            .unwrap()
            .active
    );
    // A new password for sato, picked by login.
    press("sato のパスワードを再設定する");
    assert_eq!(s.get_reset_login(), "sato");
    s.set_reset_password("sato-pass-2".into());
    press("パスワードを変える");
    assert!(
        s.get_message().contains("パスワードを変えました"),
        "{}",
        s.get_message()
    );
    let log = ctrl.borrow().store().access_log(0, i64::MAX).unwrap();
    for (action, target) in [
        ("staff_add", "t.tanaka"),
        ("staff_disable", "t.tanaka"),
        ("staff_refused", "boss"),
        ("staff_reset_password", "sato"),
    ] {
        assert!(
            log.iter()
                .any(|e| e.login == "boss" && e.action == action && e.target == target),
            "{action} {target}: {log:?}"
        );
    }
    // Locking empties the list.
    a.invoke_lock_now();
    assert_eq!(slint::Model::row_count(&s.get_accounts()), 0);
    assert!(!s.get_is_admin());
}

/// Every text a person can see: each element's accessible label and value.
fn visible_texts(w: &hatarakitai::ui::DeskWindow) -> Vec<String> {
    i_slint_backend_testing::ElementQuery::from_root(w)
        .match_descendants()
        .find_all()
        .iter()
        .flat_map(|e| [e.accessible_label(), e.accessible_value()])
        .flatten()
        .map(|s| s.to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Types into the field labelled `label` (or picks `value` in that pick list).
fn fill(w: &hatarakitai::ui::DeskWindow, label: &str, value: &str) {
    let e = ElementHandle::find_by_accessible_label(w, label)
        .find(|e| {
            matches!(
                e.accessible_role(),
                Some(AccessibleRole::TextInput | AccessibleRole::Combobox)
            )
        })
        .unwrap_or_else(|| panic!("no field labelled {label}"));
    e.set_accessible_value(value);
    slint::platform::update_timers_and_animations();
}

fn field(w: &hatarakitai::ui::DeskWindow, label: &str) -> Option<String> {
    ElementHandle::find_by_accessible_label(w, label)
        .find_map(|e| e.accessible_value())
        .map(|s| s.to_string())
}

fn press(w: &hatarakitai::ui::DeskWindow, label: &str) {
    ElementHandle::find_by_accessible_label(w, label)
        .find(|e| {
            matches!(
                e.accessible_role(),
                Some(AccessibleRole::Button | AccessibleRole::Tab)
            )
        })
        .unwrap_or_else(|| panic!("no control labelled {label}"))
        .invoke_accessible_default_action();
}

/// HOUSE.md: the panes own their forms. Text typed into the network forms stays while staff
/// switch between the record's parts; after a lock nothing of the person is left — not in
/// the window's elements (forms, lists, names), not in the panes' globals — and when the same
/// person signs in again their record comes back with empty forms (only the saved staff
/// draft returns).
#[test]
fn a_lock_leaves_nothing_of_the_person_in_the_panes() {
    use hatarakitai::desk::accounts::{Account, Role, hash_password};
    use hatarakitai::ui::{
        DeskAdapter, DueAdapter, FollowupsAdapter, LinksAdapter, MeetingsAdapter, PyramidAdapter,
        RecordPanes,
    };
    use slint::Model;
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().unwrap();
    let content = Content::embedded().unwrap();
    let key = CentreKey::generate().unwrap();
    let text = slip_text(&content, &key, 31, FULL);
    let ctrl = Rc::new(RefCell::new(desk(dir.path(), vec![key])));
    let w = hatarakitai::ui::DeskWindow::new().unwrap();
    w.window().set_size(slint::PhysicalSize::new(1366, 4000));
    let _timer = hatarakitai::desk::adapter::connect_team(&w, ctrl.clone(), Rc::new(|| T0), 5);
    w.show().unwrap();
    let acc = Account {
        login: "sato".into(),
        name: "佐藤 花子".into(),
        role: Role::Staff,
        active: true,
        hash: hash_password("sato-pass-1").unwrap(),
        failures: 0,
        locked_until: None,
    };
    assert!(ctrl.borrow().store().staff_insert(&acc, T0).unwrap());
    let a = w.global::<DeskAdapter>();
    a.invoke_sign_in("sato".into(), "sato-pass-1".into());
    i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_millis(100));
    a.invoke_scanned(text.into());
    fill(&w, "氏名", "鈴木 一郎");
    a.invoke_edited();

    // 連携: a link made, then text typed and not sent.
    press(&w, "連携 0");
    let links = w.global::<LinksAdapter>().get_view();
    let hw = links
        .agency_choices
        .iter()
        .find(|c| c.contains("ハローワーク"))
        .expect("Hello Work");
    fill(&w, "つなぐ機関", &hw);
    fill(&w, "本人が情報共有に同意した日", "2026-11-25");
    fill(&w, "共有してよい情報の範囲", "就労に関する情報");
    fill(&w, "機関の担当の人", "田中さん");
    press(&w, "機関をつなぐ");
    assert_eq!(
        w.global::<LinksAdapter>().get_view().links.row_count(),
        1,
        "{}",
        w.global::<RecordPanes>().get_message()
    );
    fill(&w, "機関の担当の人", "未送信の担当の人");
    fill(&w, "やりとりの内容", "未送信のやりとり");
    // 会議: typed; back to 連携, the typed text is still there.
    press(&w, "会議 0");
    fill(&w, "参加者", "未送信の参加者");
    press(&w, "連携 1");
    assert_eq!(
        field(&w, "機関の担当の人").as_deref(),
        Some("未送信の担当の人")
    );
    press(&w, "会議 0");
    assert_eq!(field(&w, "参加者").as_deref(), Some("未送信の参加者"));
    let seen = visible_texts(&w).join("\n");
    for s in ["未送信の参加者", "鈴木 一郎"] {
        assert!(seen.contains(s), "{s} is shown before the lock");
    }

    a.invoke_lock_now();
    assert!(a.get_locked());
    let seen = visible_texts(&w).join("\n");
    for s in [
        "未送信",
        "田中さん",
        "鈴木 一郎",
        "ハローワーク",
        "就労に関する情報",
        "1125-",
    ] {
        assert!(
            !seen.contains(s),
            "{s} is still in the window after the lock:\n{seen}"
        );
    }
    // What Rust loaded for the panes is gone too, each in one call.
    assert_eq!(w.global::<RecordPanes>().get_record(), -1);
    assert_eq!(w.global::<RecordPanes>().get_message(), "");
    assert_eq!(w.global::<LinksAdapter>().get_view().links.row_count(), 0);
    assert_eq!(
        w.global::<LinksAdapter>()
            .get_view()
            .consent_choices
            .row_count(),
        0
    );
    assert_eq!(
        w.global::<MeetingsAdapter>()
            .get_view()
            .meetings
            .row_count(),
        0
    );
    assert_eq!(
        w.global::<PyramidAdapter>().get_view().latest.row_count(),
        0
    );
    assert_eq!(
        w.global::<FollowupsAdapter>()
            .get_view()
            .followups
            .row_count(),
        0
    );
    assert_eq!(w.global::<DueAdapter>().get_view().items.row_count(), 0);

    // The same person again: the staff draft returns, the network forms start empty.
    a.invoke_sign_in("sato".into(), "sato-pass-1".into());
    i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_millis(100));
    assert!(a.get_has_record() && ctrl.borrow().is_dirty());
    press(&w, "連携 1");
    assert_eq!(field(&w, "機関の担当の人").as_deref(), Some(""));
    assert_eq!(field(&w, "やりとりの内容").as_deref(), Some(""));
    press(&w, "会議 0");
    assert_eq!(field(&w, "参加者").as_deref(), Some(""));
}
