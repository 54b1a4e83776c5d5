//! The desk's screens for `hatarakitai screenshots`: empty, a record opened from a real slip
//! (with staff fields and audit trail), a refused scan, the unsaved-edits question and the
//! statistics tab, at 1920×1080 and 1366×768. Everything runs on a throwaway desk.sqlite.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use slint::ComponentHandle;
use slint::platform::software_renderer::MinimalSoftwareWindow;

use super::{render_window, write_png};
use crate::answers::Answers;
use crate::content::Content;
use crate::desk::adapter;
use crate::desk::controller::DeskController;
use crate::desk::intake::Stage;
use crate::desk::store::DeskStore;
use crate::lang::Lang;
use crate::matcher;
use crate::payload::{self, CentreKey, VisitRecord};
use crate::ui::{DeskAdapter, DeskWindow};

const RESOLUTIONS: [(u32, u32); 2] = [(1920, 1080), (1366, 768)];
/// 2026-11-25 14:05 JST.
const NOW: i64 = 1_795_583_100;

fn slip(
    content: &Content,
    key: &CentreKey,
    serial: u32,
    answers: &str,
    at: i64,
) -> Result<String, String> {
    let a = Answers::parse_kv(&content.questionnaire, answers).map_err(|e| e.0)?;
    let o = matcher::match_answers(content, &a);
    let rec = VisitRecord::from_visit(content, &a, &o, Lang::JaEasy, 1, serial, at)
        .map_err(|e| e.to_string())?;
    payload::encode(&rec, key, [serial as u8; 24]).map_err(|e| e.to_string())
}

/// Renders one screen at every resolution into `out`, adding the files to the list.
type Shot<'a> = dyn Fn(&str, &mut Vec<PathBuf>) -> Result<(), String> + 'a;

/// The element labelled `label` with one of `roles`: the first in the window's order, and the
/// search stops there. (A search of the whole window would lay out the hidden 機関 tab in the
/// tall typing window, and its scroll bars — animated, on a frozen clock — would then keep
/// that size in the shots.)
fn element(
    w: &DeskWindow,
    label: &str,
    roles: &'static [AccessibleRole],
) -> Result<ElementHandle, String> {
    let label_owned = label.to_string();
    ElementQuery::from_root(w)
        .match_descendants()
        .match_predicate(move |e| {
            e.accessible_label()
                .is_some_and(|l| l == label_owned.as_str())
                && e.accessible_role().is_some_and(|r| roles.contains(&r))
        })
        .find_first()
        .ok_or_else(|| format!("no element labelled {label}"))
}

/// Types `value` into the field labelled `label`, or picks it in the pick list, as staff do.
fn fill(w: &DeskWindow, label: &str, value: &str) -> Result<(), String> {
    element(
        w,
        label,
        &[AccessibleRole::TextInput, AccessibleRole::Combobox],
    )?
    .set_accessible_value(value);
    // A pick list finds the row with that text in its change handler.
    slint::platform::update_timers_and_animations();
    Ok(())
}

/// Presses the button (or sub-tab, chip) labelled `label`.
fn press(w: &DeskWindow, label: &str) -> Result<(), String> {
    element(
        w,
        label,
        &[
            AccessibleRole::Button,
            AccessibleRole::Tab,
            AccessibleRole::RadioButton,
        ],
    )?
    .invoke_accessible_default_action();
    Ok(())
}

/// The support network on the open record, entered through the desk's own forms (found by
/// their accessible labels in a tall window, so every field is in view): 連携 with a consent
/// and a refused contact, 会議 (and its PDF), 評価 beside the previous one, 予定, the home's
/// due list and the agency directory.
fn network_shots(
    w: &DeskWindow,
    ctrl: &Rc<RefCell<DeskController>>,
    tmp: &Path,
    out: &Path,
    only: Option<&str>,
    written: &mut Vec<PathBuf>,
    shot: &Shot<'_>,
) -> Result<(), String> {
    use crate::network::agency::METHODS;
    use crate::network::case::ROLES;
    use crate::network::followup::{Kind, PHASES};
    use crate::network::meeting::LEVELS;
    use crate::ui::{AgenciesAdapter, DueAdapter, LinksAdapter, MeetingsAdapter, RecordPanes};
    use slint::Model;
    let r = w.global::<RecordPanes>();
    let a = w.global::<DeskAdapter>();
    // Tall while typing, so that every field is in view; each shot sets its own size.
    let tall = || w.window().set_size(slint::PhysicalSize::new(1366, 4000));
    ctrl.borrow_mut().pdf_dir = tmp.join("pdf");
    ctrl.borrow_mut().centre = "高槻市障がい者就業・生活支援センター".into();
    let agencies = crate::desk::network::directory(&ctrl.borrow(), NOW)?;
    let choice = |id: &str| {
        agencies
            .iter()
            .find(|x| x.id == id)
            .map(|x| crate::desk::pane_text::choice(&x.name, &x.kind))
            .unwrap_or_default()
    };
    let record = ctrl.borrow().record_id().ok_or("no record open")?;
    // An earlier assessment, two months before (the desk shows it beside the new one).
    ctrl.borrow()
        .store()
        .add_assessment(
            &crate::network::meeting::Assessment {
                id: 0,
                record,
                date: "2026-09-23".into(),
                ratings: vec![2, 1, 2, 1, 1],
                notes: vec![String::new(); 5],
                by: "tanaka".into(),
            },
            NOW - 60 * 86_400,
        )
        .map_err(|e| e.to_string())?;
    tall();
    r.set_tab(1);
    for (id, role, person, consent, scope) in [
        (
            "hw-town",
            0,
            "田中さん（専門援助）",
            "2026-11-25",
            "就労に関する情報（求人・実習）",
        ),
        ("ikou-sample", 0, "", "", ""),
        ("clinic-sample", 2, "", "2026-11-25", "通院と服薬の状況"),
    ] {
        fill(w, "つなぐ機関", &choice(id))?;
        fill(w, "機関の役割", ROLES[role])?;
        fill(w, "機関の担当の人", person)?;
        fill(w, "本人が情報共有に同意した日", consent)?;
        fill(w, "共有してよい情報の範囲", scope)?;
        press(w, "機関をつなぐ")?;
    }
    let linked = |i: usize| {
        w.global::<LinksAdapter>()
            .get_view()
            .linked_choices
            .row_data(i)
            .unwrap_or_default()
    };
    fill(w, "やりとりした機関", &linked(0))?;
    fill(w, "連絡の方法", METHODS[0])?;
    fill(w, "情報の向き", "送った（こちらから伝えた）")?;
    fill(w, "やりとりの内容", "障がい者求人の紹介を依頼")?;
    press(w, "やりとりを記録する")?;
    // Sending to the agency without consent is refused (the message says why).
    fill(w, "やりとりした機関", &linked(1))?;
    fill(w, "連絡の方法", METHODS[2])?;
    fill(w, "やりとりの内容", "アセスメント結果を送付")?;
    press(w, "やりとりを記録する")?;
    shot("32-desk-network-refused", written)?;
    tall();
    fill(w, "情報の向き", "受けた（相手から聞いた）")?;
    fill(w, "やりとりの内容", "見学の日程について連絡を受けた")?;
    press(w, "やりとりを記録する")?;
    shot("33-desk-network", written)?;
    tall();
    r.set_tab(2);
    fill(w, "開催日", "2026-11-25")?;
    fill(
        w,
        "参加者",
        "本人、母、ハローワーク 田中、さくら就労移行 山本、センター 佐藤",
    )?;
    fill(w, "議題", "就職に向けた進め方と生活リズム")?;
    fill(
        w,
        "決まったこと（支援方針）",
        "就労移行支援（さくら）の体験利用を12月中に3回行う。\n母は送迎を週2回まで協力する。ハローワークは体験後に求人を紹介する。",
    )?;
    fill(w, "短期目標", "毎朝8時に起きて、週3日 事業所に通う")?;
    fill(w, "目標の期日", "2027-01-31")?;
    fill(w, "次の見直しの日", "2026-12-01")?;
    press(w, "会議を記録する")?;
    let m = w.global::<MeetingsAdapter>();
    let id = m.get_view().meetings.row_data(0).map_or(0, |m| m.id);
    m.invoke_pdf(id);
    shot("34-desk-meetings", written)?;
    let pdf = tmp.join("pdf").join(format!("meeting-{id}.pdf"));
    // The printed record goes beside the screenshots, to be looked at and read back.
    let name = format!("meeting-{id}.pdf");
    if only.is_none_or(|o| name.contains(o)) {
        std::fs::copy(&pdf, out.join(&name))
            .map_err(|e| format!("copying {}: {e}", pdf.display()))?;
        written.push(out.join(name));
    }
    tall();
    r.set_tab(3);
    let ratings = [
        "1 課題が大きい",
        "2 支援があればできる",
        "3 おおむねできる",
        "4 十分できる",
    ];
    for (level, rating) in [3usize, 2, 2, 1, 1].into_iter().enumerate() {
        press(w, &format!("{} {}", LEVELS[level], ratings[rating - 1]))?;
    }
    fill(
        w,
        &format!("{} のメモ", LEVELS[0]),
        "服薬は安定。通院は月1回",
    )?;
    fill(w, &format!("{} のメモ", LEVELS[1]), "朝が弱い日がある")?;
    press(w, "評価を記録する")?;
    shot("35-desk-pyramid", written)?;
    tall();
    r.set_tab(4);
    fill(w, "種類", Kind::Jobcoach.label_ja())?;
    fill(w, "ジョブコーチの段階", PHASES[0])?;
    fill(w, "日付", "2026-11-20")?;
    fill(w, "段階の終わりの日", "2026-11-30")?;
    fill(w, "メモ", "体験先の作業内容を確認")?;
    press(w, "予定を記録する")?;
    fill(w, "種類", Kind::Retention.label_ja())?;
    fill(w, "内容", "職場訪問（体験先）")?;
    fill(w, "日付", "2026-11-24")?;
    press(w, "予定を記録する")?;
    shot("36-desk-followups", written)?;
    r.set_tab(0);
    r.set_message("".into());
    a.invoke_close_record();
    w.global::<DueAdapter>().invoke_show(false);
    shot("37-desk-home-due", written)?;
    a.set_tab(1);
    w.global::<AgenciesAdapter>()
        .invoke_select("hw-town".into());
    shot("38-desk-agencies", written)?;
    a.set_tab(0);
    Ok(())
}

pub fn render_all(
    window: &Rc<MinimalSoftwareWindow>,
    out: &Path,
    only: Option<&str>,
) -> Result<Vec<PathBuf>, String> {
    let tmp = std::env::temp_dir().join(format!("hatarakitai-desk-shots-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let result = render_in(window, &tmp, out, only);
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

/// Two kiosks' published figures for the last two weeks (as `hatarakitai publish` sends
/// them), for the statistics tab.
fn publish_samples(
    ctrl: &DeskController,
    content: &Content,
    tz: chrono_tz::Tz,
) -> Result<(), String> {
    use crate::stats::Figures;
    use crate::stats::figures::Bucket;
    let today = chrono::DateTime::from_timestamp(NOW, 0).map_or(chrono::NaiveDate::MIN, |t| {
        t.with_timezone(&tz).date_naive()
    });
    let cat = &content.catalogue;
    let routes: Vec<&str> = cat
        .routes
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != cat.handoff)
        .map(|(_, r)| r.id.as_str())
        .collect();
    for kiosk in [1u16, 2] {
        for back in 0..14i64 {
            let day = today - chrono::Duration::days(back);
            let mut buckets = Vec::new();
            for (hour, n) in [
                (10u8, 2 + (back * 3 + i64::from(kiosk)) % 4),
                (14, 1 + (back * 5) % 3),
            ] {
                let n = u64::try_from(n / i64::from(kiosk)).unwrap_or(0);
                let mut f = Figures {
                    started: n,
                    completed: n,
                    ..Figures::default()
                };
                for k in 0..n {
                    let pick =
                        (back as usize * 7 + usize::from(hour) + k as usize * 3) % routes.len();
                    *f.routes_first.entry(routes[pick].to_string()).or_default() += 1;
                }
                buckets.push(Bucket {
                    date: day,
                    hour,
                    figures: f,
                });
            }
            ctrl.store()
                .publish_day(kiosk, day, &buckets, NOW)
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

fn render_in(
    window: &Rc<MinimalSoftwareWindow>,
    tmp: &Path,
    out: &Path,
    only: Option<&str>,
) -> Result<Vec<PathBuf>, String> {
    let content = Content::embedded().map_err(|e| e.to_string())?;
    let key = CentreKey {
        id: 1,
        key: [42; 32],
    };
    let tz = chrono_tz::Asia::Tokyo;
    let store = DeskStore::open(&tmp.join("desk.sqlite")).map_err(|e| e.to_string())?;
    let ctrl = DeskController::new(
        store,
        content.clone(),
        tz,
        "佐藤".into(),
        crate::desk::run::decoder(vec![key.clone()], content.clone(), tz),
    );
    let ctrl = Rc::new(RefCell::new(ctrl));
    // A few earlier intakes for the list and the chart.
    let samples = [
        (
            "goal=work_now,days=d5,health=stable,income=salary,disclose=open,techo=yes",
            "山田 太郎",
            "やまだ たろう",
            Stage::Planning,
            3,
        ),
        (
            "goal=place_to_go,days=d1_2,health=sometimes,income=some",
            "田中 花子",
            "たなか はなこ",
            Stage::Assessment,
            2,
        ),
        (
            "goal=health_first,days=d0,health=unstable",
            "",
            "",
            Stage::Intake,
            1,
        ),
    ];
    for (i, (answers, name, kana, stage, days_ago)) in samples.iter().enumerate() {
        let at = NOW - days_ago * 86_400;
        let text = slip(&content, &key, 10 + i as u32, answers, at)?;
        let mut c = ctrl.borrow_mut();
        c.scan(&text, at + 300);
        c.edits.name = name.to_string();
        c.edits.furigana = kana.to_string();
        c.edits.assigned_staff = "佐藤".into();
        c.edits.stage = Some(*stage);
        c.save(at + 600);
        c.close();
    }
    let today = slip(
        &content,
        &key,
        23,
        "goal=train_first,days=d3_4,health=sometimes,rhythm=mostly,income=not_now,disclose=open,techo=yes,commute=near",
        NOW - 600,
    )?;
    publish_samples(&ctrl.borrow(), &content, tz)?;
    let w = DeskWindow::new().map_err(|e| format!("cannot create the desk window: {e}"))?;
    w.show()
        .map_err(|e| format!("cannot show the desk window: {e}"))?;
    adapter::connect(&w, ctrl.clone(), Rc::new(|| NOW));
    let a = w.global::<DeskAdapter>();
    let mut written = Vec::new();
    let shot = |name: &str, written: &mut Vec<PathBuf>| -> Result<(), String> {
        for (width, height) in RESOLUTIONS {
            let file = format!("{name}_{width}x{height}.png");
            if only.is_some_and(|o| !file.contains(o)) {
                continue;
            }
            let rgb = render_window(window, width, height);
            let path = out.join(file);
            write_png(&path, width, height, &rgb)?;
            written.push(path);
        }
        Ok(())
    };
    shot("21-desk-empty", &mut written)?;
    a.invoke_scanned(today.clone().into());
    shot("22-desk-record-new", &mut written)?;
    a.set_name("鈴木 一郎".into());
    a.set_furigana("すずき いちろう".into());
    a.set_contact("090-0000-0000".into());
    a.set_assigned("佐藤".into());
    a.set_next_action("就労移行支援の事業所見学を調整".into());
    a.set_memo("お母さんと来所。体調の波について主治医と相談中。".into());
    a.set_stage_index(1);
    a.invoke_edited();
    a.invoke_save();
    shot("23-desk-record-saved", &mut written)?;
    a.invoke_scanned("HELLO WORLD".into());
    shot("24-desk-bad-scan", &mut written)?;
    a.set_memo("見学の日程を電話で連絡する".into());
    a.invoke_edited();
    a.invoke_scanned(today.into());
    shot("25-desk-unsaved", &mut written)?;
    a.invoke_cancel_pending();
    a.set_tab(2);
    shot("26-desk-stats", &mut written)?;
    // Two desks on one record: another desk saves first, this one's save is refused.
    a.set_tab(0);
    a.invoke_discard();
    if let Some(id) = ctrl.borrow().current.as_ref().map(|v| v.id) {
        let mut other = DeskStore::open(&tmp.join("desk.sqlite")).map_err(|e| e.to_string())?;
        if let Some(rec) = other.get(id).map_err(|e| e.to_string())? {
            let mut theirs = rec.staff.clone();
            theirs.next_action = "来週 事業所見学（田中が同行）".into();
            other
                .save_version(id, rec.version, &theirs, "tanaka", NOW + 60)
                .map_err(|e| e.to_string())?;
        }
    }
    a.set_next_action("見学は再来週に変更".into());
    a.invoke_edited();
    a.invoke_save();
    shot("27-desk-conflict", &mut written)?;
    a.invoke_discard();
    network_shots(&w, &ctrl, tmp, out, only, &mut written, &shot)?;
    let _ = w.hide();
    drop(w);

    // The sign-in screen, before any account exists and with a refused password; the lock.
    let w = DeskWindow::new().map_err(|e| format!("cannot create the desk window: {e}"))?;
    w.show()
        .map_err(|e| format!("cannot show the desk window: {e}"))?;
    let _timer = adapter::connect_team(&w, ctrl.clone(), Rc::new(|| NOW), 5);
    shot("28-desk-signin-no-account", &mut written)?;
    let acc = crate::desk::accounts::Account {
        login: "sato".into(),
        name: "佐藤 花子".into(),
        role: crate::desk::accounts::Role::Staff,
        active: true,
        hash: crate::desk::accounts::hash_password("sato-pass-1")?,
        failures: 0,
        locked_until: None,
    };
    ctrl.borrow()
        .store()
        .staff_insert(&acc, NOW)
        .map_err(|e| e.to_string())?;
    let a = w.global::<DeskAdapter>();
    a.set_no_accounts(false);
    a.set_signin_login("sato".into());
    a.invoke_sign_in("sato".into(), "wrong-password".into());
    shot("29-desk-signin-wrong", &mut written)?;
    a.invoke_sign_in("sato".into(), "sato-pass-1".into());
    shot("30-desk-signed-in", &mut written)?;
    a.invoke_lock_now();
    shot("31-desk-locked", &mut written)?;
    // An administrator's 「職員」 tab (TRUST.md §1), with a locked account among them.
    for (login, name, role, locked) in [
        (
            "kanri",
            "山本 管理",
            crate::desk::accounts::Role::Admin,
            None,
        ),
        (
            "t.tanaka",
            "田中 一郎",
            crate::desk::accounts::Role::Staff,
            Some(NOW + 240),
        ),
    ] {
        let acc = crate::desk::accounts::Account {
            login: login.into(),
            name: name.into(),
            role,
            active: true,
            hash: crate::desk::accounts::hash_password("kanri-pass-1")?,
            failures: 0,
            locked_until: locked,
        };
        ctrl.borrow()
            .store()
            .staff_insert(&acc, NOW)
            .map_err(|e| e.to_string())?;
    }
    a.invoke_sign_in("kanri".into(), "kanri-pass-1".into());
    a.set_tab(3);
    shot("39-desk-staff", &mut written)?;
    // The lobby (LOBBY.md) as a desk on the team's server shows it: a staff call, two visitors
    // waiting (one being seen to), a kiosk out of paper; then the same call on the lock screen.
    a.set_tab(0);
    w.global::<crate::ui::LobbyAdapter>().set_available(true);
    crate::desk::panes::lobby::show(&w, &sample_lobby(), tz, "kanri");
    shot("40-desk-lobby", &mut written)?;
    a.invoke_lock_now();
    shot("41-desk-lobby-locked", &mut written)?;
    let _ = w.hide();
    Ok(written)
}

/// A lobby mid-morning: one open call, one answered a moment ago, two visitors waiting, two
/// kiosks (one out of paper).
fn sample_lobby() -> crate::lobby::Lobby {
    use crate::lobby::{Arrival, Call, KioskHealth, Lobby, PrinterState};
    let call = |id: i64, kiosk: i64, name: &str, at: i64| Call {
        id,
        kiosk_id: kiosk,
        kiosk_name: name.into(),
        called_at: at,
        expires_at: at + 60,
        lang: "ja-easy".into(),
        speech: true,
        keys: true,
        answered_by: None,
        answered_name: None,
        answered_at: None,
    };
    let mut answered = call(1, 2, "2階 相談室前", NOW - 40);
    answered.answered_by = Some("t.tanaka".into());
    answered.answered_name = Some("田中".into());
    answered.answered_at = Some(NOW - 30);
    let arrival = |id: i64, serial: i64, at: i64, lang: &str| Arrival {
        id,
        receipt_no: format!("1207-{serial:03}"),
        kiosk_id: 1,
        kiosk_name: "1階ロビー".into(),
        serial,
        arrived_at: at,
        lang: lang.into(),
        speech: false,
        keys: false,
        large_text: lang == "ja",
        handling_by: None,
        handling_name: None,
        scanned_at: None,
    };
    let mut seen = arrival(2, 5, NOW - 14 * 60, "en");
    seen.handling_by = Some("kanri".into());
    seen.handling_name = Some("山本".into());
    let kiosk = |id: i64, name: &str, printer: PrinterState| KioskHealth {
        kiosk_id: id,
        kiosk_name: name.into(),
        running_since: NOW - 3 * 3600,
        printer,
        speech: true,
        version: "0.1.0".into(),
        seen_at: NOW - 20,
    };
    Lobby {
        now: NOW,
        calls: vec![answered, call(2, 1, "1階ロビー", NOW - 12)],
        arrivals: vec![seen, arrival(3, 6, NOW - 6 * 60, "ja")],
        kiosks: vec![
            kiosk(1, "1階ロビー", PrinterState::Ok),
            kiosk(2, "2階 相談室前", PrinterState::PaperOut),
        ],
    }
}
