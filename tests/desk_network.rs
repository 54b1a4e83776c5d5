//! The support network in the desk window (NETWORK.md §2–3, §6): the record's 連携 / 会議 / 評価
//! / 予定 forms, the due list on the home and the agency editor, driven through Slint's testing
//! backend by accessible labels, with what they wrote checked in a real desk.sqlite (and the
//! meeting's PDF on disk).

use std::cell::RefCell;
use std::rc::Rc;

use hatarakitai::answers::Answers;
use hatarakitai::content::Content;
use hatarakitai::desk::controller::DeskController;
use hatarakitai::desk::run::decoder;
use hatarakitai::desk::store::DeskStore;
use hatarakitai::lang::Lang;
use hatarakitai::matcher;
use hatarakitai::payload::{self, CentreKey, VisitRecord};
use hatarakitai::ui::{
    AgenciesAdapter, DeskAdapter, DeskWindow, DueAdapter, LinksAdapter, PyramidAdapter, RecordPanes,
};
use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use slint::{ComponentHandle, Model};

/// 2026-11-25 14:06 JST.
const T0: i64 = 1_795_583_160;
const TZ: chrono_tz::Tz = chrono_tz::Asia::Tokyo;
const FULL: &str = "goal=train_first,days=d3_4,health=sometimes,rhythm=mostly,income=not_now,disclose=open,techo=yes,commute=near";

fn press(w: &DeskWindow, label: &str) {
    let e = ElementHandle::find_by_accessible_label(w, label)
        .find(|e| {
            matches!(
                e.accessible_role(),
                Some(AccessibleRole::Button | AccessibleRole::Tab | AccessibleRole::RadioButton)
            )
        })
        .unwrap_or_else(|| panic!("no control labelled {label}"));
    e.invoke_accessible_default_action();
}

/// Types into the field labelled `label`, or picks `value` in that pick list, as staff do
/// (the forms' text lives in the panes' components).
fn fill(w: &DeskWindow, label: &str, value: &str) {
    let e = ElementHandle::find_by_accessible_label(w, label)
        .find(|e| {
            matches!(
                e.accessible_role(),
                Some(AccessibleRole::TextInput | AccessibleRole::Combobox)
            )
        })
        .unwrap_or_else(|| panic!("no field labelled {label}"));
    e.set_accessible_value(value);
    // A pick list finds the row with that text in its change handler.
    slint::platform::update_timers_and_animations();
    assert_eq!(e.accessible_value().unwrap_or_default(), value, "{label}");
}

/// What the field labelled `label` shows.
fn value(w: &DeskWindow, label: &str) -> String {
    ElementHandle::find_by_accessible_label(w, label)
        .find_map(|e| e.accessible_value())
        .unwrap_or_else(|| panic!("no field labelled {label}"))
        .to_string()
}

/// The answer to the last action above the record's parts.
fn message(n: &RecordPanes<'_>) -> String {
    n.get_message().to_string()
}

/// A desk on a fresh desk.sqlite as `who`, its clock at `now`, its window tall enough that
/// every form is inside its scroll area (the testing backend reports only what is in view;
/// the 1366×768 layout is checked by `hatarakitai screenshots`).
fn open_desk(
    who: &str,
    now: i64,
) -> (
    tempfile::TempDir,
    CentreKey,
    Rc<RefCell<DeskController>>,
    DeskWindow,
) {
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().unwrap();
    let content = Content::embedded().unwrap();
    let key = CentreKey::generate().unwrap();
    let store = DeskStore::open(&dir.path().join("desk.sqlite")).unwrap();
    let ctrl = DeskController::new(
        store,
        content.clone(),
        TZ,
        who.into(),
        decoder(vec![key.clone()], content, TZ),
    );
    let ctrl = Rc::new(RefCell::new(ctrl));
    let w = DeskWindow::new().unwrap();
    w.window().set_size(slint::PhysicalSize::new(1366, 4000));
    hatarakitai::desk::adapter::connect(&w, ctrl.clone(), Rc::new(move || now));
    w.show().unwrap();
    (dir, key, ctrl, w)
}

/// A real slip of the FULL answers, sealed with `key`.
fn slip(key: &CentreKey, serial: u32, lang: Lang, at: i64) -> String {
    let content = Content::embedded().unwrap();
    let a = Answers::parse_kv(&content.questionnaire, FULL).unwrap();
    let o = matcher::match_answers(&content, &a);
    let rec = VisitRecord::from_visit(&content, &a, &o, lang, 1, serial, at).unwrap();
    payload::encode(&rec, key, payload::random_nonce().unwrap()).unwrap()
}

#[test]
fn staff_record_a_persons_network_meeting_pyramid_and_follow_ups_at_the_desk() {
    let (dir, key, ctrl, w) = open_desk("sato", T0);
    ctrl.borrow_mut().pdf_dir = dir.path().join("pdf");
    ctrl.borrow_mut().centre = "テストセンター".into();
    let d = w.global::<DeskAdapter>();
    let n = w.global::<RecordPanes>();
    let links = w.global::<LinksAdapter>();
    d.invoke_scanned(slip(&key, 7, Lang::JaEasy, T0 - 600).into());
    let record = ctrl.borrow().record_id().expect("the slip opened a record");
    let store = || DeskStore::open(&dir.path().join("desk.sqlite")).unwrap();

    // 連携: the sample directory was imported; link Hello Work without consent first.
    press(&w, "連携 0");
    assert_eq!(n.get_tab(), 1);
    let choices: Vec<String> = links
        .get_view()
        .agency_choices
        .iter()
        .map(|s| s.to_string())
        .collect();
    let hw = choices
        .iter()
        .position(|c| c.contains("ハローワーク"))
        .expect("Hello Work in the directory");
    fill(&w, "つなぐ機関", &choices[hw]);
    fill(&w, "機関の役割", "就労");
    press(&w, "機関をつなぐ");
    assert!(message(&n).contains("同意がないため"), "{}", message(&n));
    assert!(!links.get_view().links.row_data(0).unwrap().consent);
    // Sending information to it is refused, and nothing is written.
    let linked = links.get_view().linked_choices.row_data(0).unwrap();
    fill(&w, "やりとりした機関", &linked);
    fill(&w, "情報の向き", "送った（こちらから伝えた）");
    fill(&w, "やりとりの内容", "アセスメント結果を送付");
    press(&w, "やりとりを記録する");
    assert!(message(&n).contains("同意なし"), "{}", message(&n));
    assert_eq!(n.get_message_kind(), 2);
    assert!(store().contacts(record).unwrap().is_empty());
    // A consent in the future is refused naming the field in Japanese.
    fill(&w, "つなぐ機関", &choices[hw]);
    fill(&w, "本人が情報共有に同意した日", "2026-11-26");
    fill(&w, "共有してよい情報の範囲", "就労に関する情報");
    press(&w, "機関をつなぐ");
    assert!(message(&n).contains("「同意した日」"), "{}", message(&n));
    assert_eq!(store().links(record).unwrap().len(), 1);
    // A refused form keeps what was typed.
    assert_eq!(value(&w, "共有してよい情報の範囲"), "就労に関する情報");
    // With the consent recorded (and the counsellor named), the same contact is logged.
    fill(&w, "本人が情報共有に同意した日", "2026-11-25");
    fill(&w, "機関の担当の人", "田中さん");
    press(&w, "機関をつなぐ");
    assert_eq!(store().links(record).unwrap()[1].person, "田中さん");
    assert!(message(&n).contains("同意あり"), "{}", message(&n));
    // A link made empties the typed text (the picked agency and role stay).
    assert_eq!(value(&w, "機関の担当の人"), "");
    assert_eq!(value(&w, "共有してよい情報の範囲"), "");
    assert_eq!(value(&w, "つなぐ機関"), choices[hw]);
    fill(&w, "やりとりの内容", "アセスメント結果を送付");
    press(&w, "やりとりを記録する");
    assert!(message(&n).contains("記録しました"), "{}", message(&n));
    let contacts = store().contacts(record).unwrap();
    assert_eq!(contacts.len(), 1);
    assert_eq!(
        (contacts[0].direction.as_str(), contacts[0].who.as_str()),
        ("sent", "sato")
    );
    assert_eq!(links.get_view().contacts.row_count(), 1);
    assert_eq!(value(&w, "やりとりの内容"), "");
    // The first (no-consent) link ends today: its 「終了にする」 goes, the dates say so.
    let first = links.get_view().links.row_data(0).unwrap();
    assert!(first.open);
    press(&w, &format!("{} との連携を終了にする", first.agency));
    assert_eq!(store().links(record).unwrap()[0].to, "2026-11-25");
    let first = links.get_view().links.row_data(0).unwrap();
    assert!(
        !first.open && first.dates.contains("〜 2026-11-25"),
        "{}",
        first.dates
    );

    // 会議: a review before the meeting is refused; then recorded, then printed.
    press(&w, "会議 0");
    fill(&w, "開催日", "2026-11-25");
    fill(&w, "参加者", "本人、母、ハローワーク 田中");
    fill(
        &w,
        "決まったこと（支援方針）",
        "就労移行支援の体験利用を12月中に3回行う",
    );
    fill(&w, "短期目標", "毎朝8時に起きる");
    fill(&w, "目標の期日", "2027-01-31");
    fill(&w, "次の見直しの日", "2026-11-20");
    press(&w, "会議を記録する");
    assert!(message(&n).contains("「次の見直し」"), "{}", message(&n));
    assert!(store().meetings(Some(record)).unwrap().is_empty());
    fill(&w, "次の見直しの日", "2026-11-30");
    press(&w, "会議を記録する");
    assert!(
        message(&n).contains("会議を記録しました"),
        "{}",
        message(&n)
    );
    let meetings = store().meetings(Some(record)).unwrap();
    assert_eq!(meetings.len(), 1);
    assert_eq!(meetings[0].by, "sato");
    // The form starts again on today.
    assert_eq!(value(&w, "参加者"), "");
    assert_eq!(value(&w, "開催日"), "2026-11-25");
    press(&w, "会議 2026年11月25日（水） の記録をPDFにする");
    let pdf = dir
        .path()
        .join("pdf")
        .join(format!("meeting-{}.pdf", meetings[0].id));
    let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("{}: {e}", message(&n)));
    assert!(bytes.starts_with(b"%PDF"));
    assert!(message(&n).contains(&format!("meeting-{}.pdf", meetings[0].id)));

    // 評価: all five levels are needed; chips set them.
    press(&w, "評価");
    for (i, r) in [3, 2, 2, 1].iter().enumerate() {
        let level = hatarakitai::network::meeting::LEVELS[i];
        let name = [
            "",
            "1 課題が大きい",
            "2 支援があればできる",
            "3 おおむねできる",
        ][*r];
        press(&w, &format!("{level} {name}"));
    }
    press(&w, "評価を記録する");
    assert!(message(&n).contains("職業適性"), "{}", message(&n));
    assert!(store().assessments(record).unwrap().is_empty());
    press(&w, "職業適性 1 課題が大きい");
    fill(
        &w,
        &format!("{} のメモ", hatarakitai::network::meeting::LEVELS[1]),
        "朝が弱い",
    );
    press(&w, "評価を記録する");
    assert!(
        message(&n).contains("評価を記録しました"),
        "{}",
        message(&n)
    );
    let a = store().assessments(record).unwrap();
    assert_eq!(a[0].ratings, vec![3, 2, 2, 1, 1]);
    assert_eq!(a[0].notes[1], "朝が弱い");
    assert_eq!(a[0].date, "2026-11-25");
    // Ratings and notes start again.
    assert_eq!(
        value(
            &w,
            &format!("{} のメモ", hatarakitai::network::meeting::LEVELS[1])
        ),
        ""
    );
    // The visitor's own words stand beside 健康管理 and 生活のリズム, not as ratings.
    let latest = w.global::<PyramidAdapter>().get_view().latest;
    assert!(latest.row_data(0).unwrap().own_words.contains("体調"));
    assert!(!latest.row_data(1).unwrap().own_words.is_empty());
    assert!(latest.row_data(2).unwrap().own_words.is_empty());

    // 予定: employment with its 定着支援 plan; one of them done.
    press(&w, "予定 1");
    fill(&w, "種類", "就職");
    fill(&w, "就職先", "株式会社サンプル 軽作業");
    fill(&w, "日付", "2026-11-11");
    let plan = ElementHandle::find_by_accessible_label(&w, "定着支援の予定も作る")
        .next()
        .expect("the plan check box");
    assert_eq!(plan.accessible_checked(), Some(true), "on by default");
    press(&w, "予定を記録する");
    assert!(
        message(&n).contains("定着支援の予定を4件"),
        "{}",
        message(&n)
    );
    let f = store().followups(record).unwrap();
    assert_eq!(f.len(), 5);
    assert_eq!(f[1].from, "2026-11-25", "two weeks after 11-11");
    press(&w, "定着支援（2週間） を済みにする");
    assert_eq!(store().followups(record).unwrap()[1].done, "2026-11-25");
    // A job coach phase without its end is refused.
    fill(&w, "種類", "ジョブコーチ");
    fill(&w, "段階の終わりの日", "");
    press(&w, "予定を記録する");
    assert!(message(&n).contains("「おわりの日」"), "{}", message(&n));

    // The home: the review (11-30) is due this week; the 1か月 contact (12-11) is not.
    d.invoke_close_record();
    assert!(!d.get_has_record());
    press(&w, "チーム全体");
    let due = || w.global::<DueAdapter>().get_view().items;
    let whats: Vec<String> = due().iter().map(|x| x.what.to_string()).collect();
    assert_eq!(whats, vec!["個別支援会議の見直し"], "{whats:?}");
    assert!(due().row_data(0).unwrap().when.contains("あと5日"));
    // Mine: sato recorded it.
    press(&w, "自分の担当");
    assert_eq!(due().row_count(), 1);

    // Every action is in the access log, with the record id and no name.
    let log = store().access_log(0, i64::MAX).unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for want in [
        "link",
        "contact",
        "meeting",
        "meeting_pdf",
        "assessment",
        "followup",
        "followup_done",
    ] {
        assert!(actions.contains(&want), "{want}: {actions:?}");
    }
    assert!(
        log.iter()
            .filter(|e| e.action != "view" && e.action != "create")
            .all(|e| e.record == Some(record))
    );
}

#[test]
fn only_administrators_edit_the_agency_directory_and_every_change_is_audited() {
    let (dir, _key, ctrl, w) = open_desk("kato", T0);
    let n = w.global::<AgenciesAdapter>();
    w.global::<DeskAdapter>().set_tab(1);
    let count = n.get_view().agencies.row_count();
    assert!(count >= 10, "the sample directory");

    // A new agency with a bad id is refused; a good one is added and listed.
    press(&w, "新しい機関を追加");
    assert!(n.get_current().is_new);
    assert_eq!(value(&w, "機関のID"), "");
    fill(&w, "機関のID", "Sakura Works");
    fill(&w, "機関の名前", "さくら就労支援");
    press(&w, "機関を保存");
    assert!(
        n.get_message().contains("ID「Sakura Works」"),
        "{}",
        n.get_message()
    );
    fill(&w, "機関のID", "sakura-works");
    fill(&w, "担当の人の名前", "山本");
    fill(&w, "担当の人の役職", "サービス管理責任者");
    press(&w, "担当の人を加える");
    assert_eq!(value(&w, "担当の人の名前"), "");
    press(&w, "機関を保存");
    assert!(
        n.get_message().contains("追加しました"),
        "{}",
        n.get_message()
    );
    assert_eq!(n.get_view().agencies.row_count(), count + 1);
    let check = DeskStore::open(&dir.path().join("desk.sqlite")).unwrap();
    let saved = check.agency("sakura-works").unwrap().unwrap();
    assert_eq!(saved.people[0].name, "山本");
    // The same id again as "new" is refused.
    press(&w, "新しい機関を追加");
    fill(&w, "機関のID", "sakura-works");
    fill(&w, "機関の名前", "別の名前");
    press(&w, "機関を保存");
    assert!(
        n.get_message().contains("もうあります"),
        "{}",
        n.get_message()
    );
    // An edit of the limits is saved and audited.
    assert!(n.get_view().agencies.iter().any(|x| x.id == "sakura-works"));
    press(&w, "さくら就労支援（その他）");
    assert_eq!(n.get_current().name, "さくら就労支援");
    assert_eq!(value(&w, "機関の名前"), "さくら就労支援");
    fill(&w, "制度の限界", "利用は原則2年");
    press(&w, "機関を保存");
    assert!(n.get_message().contains("1項目"), "{}", n.get_message());
    assert_eq!(
        check.agency("sakura-works").unwrap().unwrap().limits,
        "利用は原則2年"
    );

    // Not an administrator: the editor is read-only and a save is refused.
    ctrl.borrow_mut().admin = false;
    hatarakitai::desk::panes::agencies::load(&w, &ctrl.borrow(), T0);
    assert!(!n.get_view().can_edit);
    // The editor has no save button now; the callback itself refuses.
    let mut form = n.get_current();
    form.limits = "書き換え".into();
    assert!(!n.invoke_save(form));
    assert!(
        n.get_message().contains("管理者だけ"),
        "{}",
        n.get_message()
    );
    assert_eq!(
        check.agency("sakura-works").unwrap().unwrap().limits,
        "利用は原則2年"
    );
}

/// Due days are the centre's local days: at 15:30 UTC on 30 November it is already 00:30 on
/// 1 December in Asia/Tokyo, so a review on 12-01 is 「今日」 and a contact planned for 11-30
/// is a day late — across the month end.
#[test]
fn the_home_counts_days_in_the_centres_time_zone() {
    use hatarakitai::network::followup::{FollowUp, Kind};
    // 2026-11-30 15:30 UTC = 2026-12-01 00:30 JST.
    let now = 1_796_052_600;
    let (_dir, key, ctrl, w) = open_desk("sato", now);
    let d = w.global::<DeskAdapter>();
    d.invoke_scanned(slip(&key, 9, Lang::Ja, T0).into());
    let record = ctrl.borrow().record_id().unwrap();
    {
        let c = ctrl.borrow();
        let s = c.store();
        let m = hatarakitai::network::meeting::Meeting {
            id: 0,
            record,
            date: "2026-11-01".into(),
            participants: String::new(),
            agenda: String::new(),
            decision: "方針".into(),
            goal: "目標".into(),
            goal_date: "2026-12-31".into(),
            review: "2026-12-01".into(),
            by: "sato".into(),
        };
        s.add_meeting(&m, now).unwrap();
        s.add_followup(
            &FollowUp {
                id: 0,
                record,
                kind: Kind::Retention,
                phase: "1か月".into(),
                from: "2026-11-30".into(),
                to: String::new(),
                note: String::new(),
                done: String::new(),
                by: "sato".into(),
            },
            now,
        )
        .unwrap();
    }
    // The meeting form starts on the local day, too.
    press(&w, "会議 0");
    assert_eq!(value(&w, "開催日"), "2026-12-01");
    d.invoke_close_record();
    let due_list = || w.global::<DueAdapter>().get_view().items;
    let due: Vec<(String, String)> = due_list()
        .iter()
        .map(|x| (x.day.to_string(), x.when.to_string()))
        .collect();
    assert_eq!(
        due,
        vec![
            ("11/30(月)".to_string(), "1日 遅れ".to_string()),
            ("12/1(火)".to_string(), "今日".to_string()),
        ]
    );
    assert!(due_list().row_data(0).unwrap().overdue);
}

/// TRUST.md §8 and §6 at the desk: the agency picked is the one linked even when another desk
/// adds an agency that sorts before it meanwhile (the pick list carries ids); a consent is
/// withdrawn and given again through 「同意の記録・撤回」, 「送った」 refused in between, and the
/// link shows its history.
#[test]
fn pick_lists_act_on_ids_and_consent_is_withdrawn_and_given_again() {
    use hatarakitai::network::agency::{Agency, KINDS};
    let (dir, key, ctrl, w) = open_desk("sato", T0);
    let d = w.global::<DeskAdapter>();
    let n = w.global::<RecordPanes>();
    let view = || w.global::<LinksAdapter>().get_view();
    d.invoke_scanned(slip(&key, 9, Lang::Ja, T0 - 600).into());
    let record = ctrl.borrow().record_id().expect("the slip opened a record");
    let store = || DeskStore::open(&dir.path().join("desk.sqlite")).unwrap();
    press(&w, "連携 0");
    let hw = view()
        .agency_choices
        .iter()
        .position(|c| c.contains("ハローワーク"))
        .expect("Hello Work in the directory");
    let hw_id = view().agency_choice_ids.row_data(hw).unwrap().to_string();
    let hw_choice = view().agency_choices.row_data(hw).unwrap();
    fill(&w, "つなぐ機関", &hw_choice);
    fill(&w, "機関の役割", "就労");
    fill(&w, "本人が情報共有に同意した日", "2026-11-25");
    fill(&w, "共有してよい情報の範囲", "就労に関する情報");
    // Meanwhile another desk adds an agency that sorts before Hello Work.
    let first = Agency {
        id: "aoba-soudan".into(),
        name: "あおば職業相談".into(),
        kind: KINDS[0].into(),
        ..Agency::default()
    };
    store().agency_upsert(&first, "tanaka", T0).unwrap();
    press(&w, "機関をつなぐ");
    let links = store().links(record).unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].agency, hw_id, "the agency the person picked");
    // Withdrawn: 「送った」 is refused, nothing written.
    let consent_link = view().consent_choices.row_data(0).unwrap();
    fill(&w, "同意を記録・撤回する連携", &consent_link);
    fill(&w, "同意した日、または撤回した日", "2026-11-25");
    fill(&w, "同意の記録・撤回のメモ", "本人から電話で申し出");
    press(&w, "同意の撤回を記録する");
    assert!(
        message(&n).contains("撤回を記録しました"),
        "{}",
        message(&n)
    );
    fill(
        &w,
        "やりとりした機関",
        &view().linked_choices.row_data(0).unwrap(),
    );
    fill(&w, "情報の向き", "送った（こちらから伝えた）");
    fill(&w, "やりとりの内容", "求人票を送付");
    press(&w, "やりとりを記録する");
    assert!(message(&n).contains("同意撤回"), "{}", message(&n));
    assert!(store().contacts(record).unwrap().is_empty());
    // Given again: sent is logged; the link shows both steps.
    assert_eq!(
        value(&w, "同意の記録・撤回のメモ"),
        "",
        "emptied after the withdrawal"
    );
    fill(&w, "同意を記録・撤回する連携", &consent_link);
    fill(
        &w,
        "同意を記録する範囲（共有してよい情報）",
        "就労に関する情報",
    );
    press(&w, "同意を記録する");
    assert!(
        message(&n).contains("同意を記録しました"),
        "{}",
        message(&n)
    );
    fill(&w, "やりとりの内容", "求人票を送付");
    press(&w, "やりとりを記録する");
    assert!(message(&n).contains("記録しました"), "{}", message(&n));
    assert_eq!(store().contacts(record).unwrap().len(), 1);
    let history = view().links.row_data(0).unwrap().history.to_string();
    assert!(
        history.contains("撤回 2026-11-25") && history.contains("本人から電話で申し出"),
        "{history}"
    );
    let audit = store().audit(record).unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.field == format!("consent:{hw_id}") && a.who == "sato")
            .count(),
        2
    );
}
