//! The desk's screens for `hatarakitai screenshots`: empty, a record opened from a real slip
//! (with staff fields and audit trail), a refused scan, the unsaved-edits question and the
//! statistics tab, at 1920×1080 and 1366×768. Everything runs on a throwaway desk.sqlite.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use slint::ComponentHandle;
use slint::platform::software_renderer::MinimalSoftwareWindow;

use super::adapter;
use super::controller::DeskController;
use super::intake::Stage;
use super::store::DeskStore;
use super::ui::{DeskAdapter, DeskWindow};
use crate::answers::Answers;
use crate::content::Content;
use crate::kiosk::screenshots::{render_window, write_png};
use crate::lang::Lang;
use crate::matcher;
use crate::payload::{self, CentreKey, VisitRecord};

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
    use crate::store::kiosk::Bucket;
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
        super::run::decoder(vec![key.clone()], content.clone(), tz),
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
    a.set_tab(1);
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
    let _ = w.hide();
    Ok(written)
}
