//! Connects the `DeskAdapter` global to the desk controller: domain → UI structs, and each
//! callback to one controller method. No decisions here beyond mapping. The record's network
//! parts are `desk::panes` (called from `refresh`), the statistics tab `desk::stats_tab`.

use std::cell::RefCell;
use std::rc::Rc;

use chrono::{NaiveDate, TimeZone};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::clock::{Clock, local_midnight};
use super::controller::{DeskController, Notice};
use super::intake::Stage;
use super::session::{Draft, Session, State, Switch};
use super::store::Search;
use super::view::local_time;
use crate::ui::{DeskAdapter, DeskAnswer, DeskAudit, DeskListItem, DeskRoute, DeskWindow};

fn model<T: Clone + 'static>(v: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(v))
}

fn parse_day(s: &str, tz: chrono_tz::Tz) -> Result<Option<i64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("日付「{s}」が読めません。2026-11-25 の形で入力してください。"))?;
    Ok(d.and_hms_opt(0, 0, 0)
        .and_then(|d| tz.from_local_datetime(&d).earliest())
        .map(|t| t.timestamp()))
}

/// Connects a desk without sign-in (tests and screenshots of the records; the real window
/// uses `connect_team`).
pub fn connect(window: &DeskWindow, ctrl: Rc<RefCell<DeskController>>, clock: Clock) {
    connect_inner(window, ctrl, clock, Rc::new(|| {}));
}

fn connect_inner(
    window: &DeskWindow,
    ctrl: Rc<RefCell<DeskController>>,
    clock: Clock,
    touch: Rc<dyn Fn()>,
) {
    let a = window.global::<DeskAdapter>();
    a.set_signed_in_name(ctrl.borrow().who().into());
    a.set_stages(model(
        Stage::ALL
            .iter()
            .map(|s| SharedString::from(s.label_ja()))
            .collect(),
    ));

    let w = window.as_weak();
    let t = touch.clone();
    let (c, k) = (ctrl.clone(), clock.clone());
    a.on_scanned(move |text| {
        let Some(w) = w.upgrade() else { return };
        t();
        c.borrow_mut().scan(&text, k());
        refresh(&w, &c.borrow(), &k);
        load_list(&w, &c.borrow(), &k, true);
    });
    let w = window.as_weak();
    let t = touch.clone();
    let c = ctrl.clone();
    a.on_edited(move || {
        let Some(w) = w.upgrade() else { return };
        t();
        let a = w.global::<DeskAdapter>();
        let mut ctrl = c.borrow_mut();
        ctrl.edits.name = a.get_name().into();
        ctrl.edits.furigana = a.get_furigana().into();
        ctrl.edits.contact = a.get_contact().into();
        ctrl.edits.assigned_staff = a.get_assigned().into();
        ctrl.edits.next_action = a.get_next_action().into();
        ctrl.edits.notes = a.get_memo().into();
        ctrl.edits.stage = usize::try_from(a.get_stage_index())
            .ok()
            .and_then(|i| Stage::ALL.get(i).copied());
        a.set_dirty(ctrl.is_dirty());
    });
    let w = window.as_weak();
    let t = touch.clone();
    let (c, k) = (ctrl.clone(), clock.clone());
    a.on_save(move || {
        let Some(w) = w.upgrade() else { return };
        t();
        c.borrow_mut().save(k());
        refresh(&w, &c.borrow(), &k);
        load_list(&w, &c.borrow(), &k, true);
    });
    let w = window.as_weak();
    let t = touch.clone();
    let (c, k) = (ctrl.clone(), clock.clone());
    a.on_discard(move || {
        let Some(w) = w.upgrade() else { return };
        t();
        c.borrow_mut().discard(k());
        refresh(&w, &c.borrow(), &k);
    });
    let w = window.as_weak();
    let t = touch.clone();
    let (c, k) = (ctrl.clone(), clock.clone());
    a.on_cancel_pending(move || {
        let Some(w) = w.upgrade() else { return };
        t();
        c.borrow_mut().cancel_pending();
        refresh(&w, &c.borrow(), &k);
    });
    let w = window.as_weak();
    let t = touch.clone();
    let (c, k) = (ctrl.clone(), clock.clone());
    a.on_close_record(move || {
        let Some(w) = w.upgrade() else { return };
        t();
        c.borrow_mut().close();
        refresh(&w, &c.borrow(), &k);
    });
    let w = window.as_weak();
    let t = touch.clone();
    let (c, k) = (ctrl.clone(), clock.clone());
    a.on_open(move |id| {
        let Some(w) = w.upgrade() else { return };
        t();
        c.borrow_mut().open(i64::from(id));
        refresh(&w, &c.borrow(), &k);
    });
    let w = window.as_weak();
    let t = touch.clone();
    let (c, k) = (ctrl.clone(), clock.clone());
    a.on_search(move || {
        let Some(w) = w.upgrade() else { return };
        t();
        load_list(&w, &c.borrow(), &k, false);
    });
    let w = window.as_weak();
    let t = touch.clone();
    let (c, k) = (ctrl.clone(), clock.clone());
    a.on_today(move || {
        let Some(w) = w.upgrade() else { return };
        t();
        let a = w.global::<DeskAdapter>();
        a.set_search_text("".into());
        a.set_search_staff("".into());
        a.set_search_from("".into());
        a.set_search_to("".into());
        a.set_search_stage(0);
        load_list(&w, &c.borrow(), &k, true);
    });
    super::panes::connect(window, ctrl.clone(), clock.clone(), touch);
    super::panes::agencies::load(window, &ctrl.borrow(), clock());
    refresh(window, &ctrl.borrow(), &clock);
    load_list(window, &ctrl.borrow(), &clock, true);
}

fn load_list(w: &DeskWindow, ctrl: &DeskController, clock: &Clock, today: bool) {
    let a = w.global::<DeskAdapter>();
    let tz = ctrl.timezone();
    let now = clock();
    let mut s = Search::default();
    let title;
    if today {
        s.from = Some(local_midnight(now, 0, tz));
        s.to = Some(local_midnight(now, 1, tz));
        title = "今日の受付".to_string();
    } else {
        let from = parse_day(&a.get_search_from(), tz);
        let to = parse_day(&a.get_search_to(), tz);
        match (from, to) {
            (Ok(f), Ok(t)) => {
                s.from = f;
                // The end day is inclusive for staff.
                s.to = t.map(|t| local_midnight(t, 1, tz));
            }
            (Err(e), _) | (_, Err(e)) => {
                a.set_notice(e.into());
                a.set_notice_kind(2);
                return;
            }
        }
        s.text = a.get_search_text().trim().to_string();
        s.assigned_staff = a.get_search_staff().trim().to_string();
        s.stage = usize::try_from(a.get_search_stage() - 1)
            .ok()
            .and_then(|i| Stage::ALL.get(i).copied());
        title = "検索結果".to_string();
    }
    match ctrl.search(&s) {
        Ok(list) => {
            a.set_list_title(format!("{title}（{}件）", list.len()).into());
            a.set_list(model(
                list.iter()
                    .map(|r| DeskListItem {
                        id: i32::try_from(r.id).unwrap_or(i32::MAX),
                        time: short_time(r.issued_at, tz).into(),
                        receipt: r.receipt_no.clone().into(),
                        name: r.name.clone().into(),
                        staff: r.assigned_staff.clone().into(),
                        stage: r.stage.label_ja().into(),
                    })
                    .collect(),
            ));
        }
        Err(e) => {
            a.set_notice(e.to_string().into());
            a.set_notice_kind(3);
        }
    }
}

/// Pushes the controller's state to the window.
pub fn refresh(w: &DeskWindow, ctrl: &DeskController, clock: &Clock) {
    let a = w.global::<DeskAdapter>();
    let (text, kind) = match &ctrl.notice {
        Notice::None => (String::new(), 0),
        Notice::Opened { created: true } => ("新しいインテーク記録を作りました。".to_string(), 1),
        Notice::Opened { created: false } => (
            "この受付票の記録を開きました（前に読み取った受付票です）。".to_string(),
            1,
        ),
        Notice::Saved { changed: 0 } => ("変更はありません。".to_string(), 1),
        Notice::Saved { changed } => (format!("保存しました（{changed}項目）。"), 1),
        Notice::Rejected(m) => (m.clone(), 2),
        Notice::UnsavedEdits => ("保存していない変更があります。".to_string(), 2),
        Notice::Error(m) => (m.clone(), 3),
        Notice::Conflict(m) => (m.clone(), 2),
    };
    a.set_notice(text.into());
    a.set_notice_kind(kind);
    a.set_confirm_unsaved(matches!(ctrl.notice, Notice::UnsavedEdits));
    match &ctrl.current {
        None => a.set_has_record(false),
        Some(v) => {
            a.set_record_id(i32::try_from(v.id).unwrap_or(-1));
            a.set_has_record(true);
            a.set_title(format!("受付番号 {}", v.visit.receipt_no).into());
            let lang = match v.visit.lang.as_str() {
                "ja-easy" => "やさしいにほんご",
                "en" => "English",
                _ => "日本語",
            };
            a.set_visit_line(
                format!(
                    "{} ・ キオスク {} ・ {} ・ 記録 #{}",
                    v.visit.issued_local, v.visit.kiosk_id, lang, v.id
                )
                .into(),
            );
            a.set_warning(v.warning.clone().unwrap_or_default().into());
            a.set_answers(model(
                v.answers
                    .iter()
                    .map(|x| DeskAnswer {
                        question: x.question_text.clone().into(),
                        answer: x.answer_text.clone().into(),
                    })
                    .collect(),
            ));
            a.set_unanswered(v.unanswered.join(" / ").into());
            a.set_routes(model(
                v.routes
                    .iter()
                    .map(|r| DeskRoute {
                        name: r.name.clone().into(),
                        summary: r.summary.clone().into(),
                        reasons: r.reasons.join("／").into(),
                    })
                    .collect(),
            ));
            a.set_notes(model(
                v.notes
                    .iter()
                    .map(|n| SharedString::from(n.as_str()))
                    .collect(),
            ));
            let tz = ctrl.timezone();
            a.set_audit(model(
                v.audit
                    .iter()
                    .map(|e| DeskAudit {
                        at: local_time(e.at, tz).into(),
                        who: e.who.clone().into(),
                        field: field_label(&e.field).into(),
                        change: format!("{} → {}", e.old, e.new).into(),
                    })
                    .collect(),
            ));
            a.set_name(ctrl.edits.name.clone().into());
            a.set_furigana(ctrl.edits.furigana.clone().into());
            a.set_contact(ctrl.edits.contact.clone().into());
            a.set_assigned(ctrl.edits.assigned_staff.clone().into());
            a.set_next_action(ctrl.edits.next_action.clone().into());
            a.set_memo(ctrl.edits.notes.clone().into());
            a.set_stage_index(ctrl.edits.stage.map_or(0, |s| s as i32));
        }
    }
    a.set_dirty(ctrl.is_dirty());
    a.set_refocus(a.get_refocus().wrapping_add(1));
    let now = clock();
    super::panes::load_record(w, ctrl, now);
    super::panes::load_due(w, ctrl, now);
    super::stats_tab::load(w, ctrl, now);
}

fn field_label(f: &str) -> &str {
    match f {
        "name" => "氏名",
        "furigana" => "ふりがな",
        "contact" => "連絡先",
        "assigned_staff" => "担当者",
        "next_action" => "次の行動",
        "notes" => "メモ",
        "stage" => "段階",
        "created" => "作成",
        "deleted" => "削除",
        other => other,
    }
}

/// `11/25 14:05` for the list.
fn short_time(unix: i64, tz: chrono_tz::Tz) -> String {
    chrono::DateTime::from_timestamp(unix, 0).map_or_else(String::new, |t| {
        t.with_timezone(&tz).format("%-m/%-d %H:%M").to_string()
    })
}

/// The real desk window: nobody sees a record before signing in; idle for `lock_minutes`
/// → locked; a disabled account is signed out at its next action (TEAM.md §1).
pub fn connect_team(
    window: &DeskWindow,
    ctrl: Rc<RefCell<DeskController>>,
    clock: Clock,
    lock_minutes: u32,
) -> slint::Timer {
    let session = Rc::new(RefCell::new(Session::new(lock_minutes, clock())));
    // Every desk action: still an active account? then the lock timer starts again.
    let touch: Rc<dyn Fn()> = {
        let (s, c, k, w) = (
            session.clone(),
            ctrl.clone(),
            clock.clone(),
            window.as_weak(),
        );
        Rc::new(move || {
            let Some(w) = w.upgrade() else { return };
            s.borrow_mut().activity(k());
            check_still_allowed(&w, &s, &c);
        })
    };
    connect_inner(window, ctrl.clone(), clock.clone(), touch.clone());
    super::staff_pane::connect(window, ctrl.clone(), clock.clone(), touch);
    let a = window.global::<DeskAdapter>();
    let no_accounts = ctrl
        .borrow()
        .store()
        .staff_list()
        .map(|l| l.is_empty())
        .unwrap_or(false);
    a.set_no_accounts(no_accounts);
    a.set_signed_in(false);
    a.set_locked(false);
    a.set_has_record(false);

    let (s, c, k, w) = (
        session.clone(),
        ctrl.clone(),
        clock.clone(),
        window.as_weak(),
    );
    a.on_sign_in(move |login, pw| {
        let Some(w) = w.upgrade() else { return };
        let a = w.global::<DeskAdapter>();
        let now = k();
        let login = login.trim().to_string();
        let result = c.borrow().store().sign_in(&login, &pw, now);
        let acc = match result {
            Err(e) => {
                a.set_signin_message(e.to_string().into());
                return;
            }
            Ok(Err(why)) => {
                a.set_signin_message(why.message().into());
                return;
            }
            Ok(Ok(acc)) => acc,
        };
        let open = draft_of(&c.borrow());
        let switch = s.borrow_mut().signed_in(acc.clone(), open, now);
        {
            let mut ctrl = c.borrow_mut();
            if let Switch::Swap { restore, .. } = switch {
                ctrl.reset_desk();
                if let Some(d) = restore {
                    ctrl.open(d.record);
                    ctrl.edits = d.edits;
                }
            }
            ctrl.set_who(&acc.login);
            ctrl.who_name = acc.name.clone();
            ctrl.admin = acc.role == crate::desk::accounts::Role::Admin;
        }
        super::panes::agencies::load(&w, &c.borrow(), now);
        super::staff_pane::load(&w, &c.borrow(), now);
        a.set_signed_in_name(format!("{}（{}・{}）", acc.name, acc.login, acc.role.id()).into());
        a.set_signin_message("".into());
        a.set_signed_in(true);
        a.set_locked(false);
        refresh(&w, &c.borrow(), &k);
        load_list(&w, &c.borrow(), &k, true);
    });
    let (s, c, w) = (session.clone(), ctrl.clone(), window.as_weak());
    a.on_sign_out(move || {
        let Some(w) = w.upgrade() else { return };
        let a = w.global::<DeskAdapter>();
        let open = draft_of(&c.borrow());
        s.borrow_mut().sign_out(open);
        c.borrow_mut().reset_desk();
        super::panes::clear(&w);
        super::staff_pane::clear(&w);
        a.set_signed_in(false);
        a.set_locked(false);
        a.set_signin_login("".into());
        a.set_signin_message(
            "サインアウトしました。保存前の入力は、次にサインインした時に戻ります。".into(),
        );
    });
    let (s, w) = (session.clone(), window.as_weak());
    a.on_lock_now(move || {
        let Some(w) = w.upgrade() else { return };
        s.borrow_mut().lock();
        show_lock(&w, &s);
    });
    let (s, k) = (session.clone(), clock.clone());
    a.on_activity(move || s.borrow_mut().activity(k()));

    let timer = slint::Timer::default();
    let (s, k, w) = (session, clock, window.as_weak());
    timer.start(
        slint::TimerMode::Repeated,
        std::time::Duration::from_secs(5),
        move || {
            let Some(w) = w.upgrade() else { return };
            if s.borrow_mut().tick(k()) {
                show_lock(&w, &s);
            }
        },
    );
    timer
}

fn draft_of(c: &DeskController) -> Option<Draft> {
    c.current.as_ref().filter(|_| c.is_dirty()).map(|v| Draft {
        record: v.id,
        edits: c.edits.clone(),
    })
}

fn show_lock(w: &DeskWindow, s: &Rc<RefCell<Session>>) {
    super::panes::clear(w);
    super::staff_pane::clear(w);
    let a = w.global::<DeskAdapter>();
    a.set_locked(s.borrow().state == State::Locked);
    a.set_signin_login(s.borrow().login().unwrap_or("").into());
    a.set_signin_message("".into());
}

/// A disabled account (or a failing store) is signed out at the next action.
fn check_still_allowed(w: &DeskWindow, s: &Rc<RefCell<Session>>, c: &Rc<RefCell<DeskController>>) {
    let Some(login) = s.borrow().login().map(str::to_string) else {
        return;
    };
    let active = c
        .borrow()
        .store()
        .staff_get(&login)
        .ok()
        .flatten()
        .is_some_and(|a| a.active);
    if !active {
        s.borrow_mut().lock();
        show_lock(w, s);
        w.global::<DeskAdapter>().set_signin_message(
            "このアカウントは 使えなくなりました。管理者に 連絡してください。 / This account was disabled.".into(),
        );
    }
}
