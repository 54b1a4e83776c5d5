//! `POST /scan` (`payload` → 303 to the record) and `GET|POST /records/{id}`: the intake
//! record — the visit, the answers, routes and reasons in plain Japanese (`desk::view`), the
//! staff fields and stage, the save with its version (a stale save shows what the other
//! person changed; the refused text stays in the form), the audit trail. Every view is in
//! the access log; every field is checked on the server and a refusal keeps what was typed.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::layout::{Page, csrf, page as frame};
use crate::desk::accounts::AccessEntry;
use crate::desk::intake::{StaffFields, Stage};
use crate::desk::scan::{self, ScanInput};
use crate::desk::store::Saved;
use crate::desk::view::{self, IntakeView};
use crate::serve::App;
use crate::serve::guard::{FormBody, Signed};

fn access(login: &str, action: &str, record: Option<i64>) -> AccessEntry {
    AccessEntry {
        at: chrono::Utc::now().timestamp(),
        login: login.to_string(),
        action: action.into(),
        record,
        target: String::new(),
    }
}

pub async fn scan(
    State(app): State<Arc<App>>,
    Extension(s): Extension<Signed>,
    Extension(f): Extension<FormBody>,
) -> Response {
    let raw = f.get("payload").unwrap_or("");
    let refuse = |msg: String| {
        let body = html! {
            (super::home::scan_form(&s, raw, Some(&msg)))
        };
        let page = frame(
            &app,
            Page {
                title: "受付票を 読む",
                signed: Some(&s),
                lobby: Some(super::lobby::section(&app, &s)),
            },
            body,
        );
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    };
    let text = match scan::clean(raw) {
        ScanInput::Text(t) => t,
        other => return refuse(other.problem().unwrap_or_default()),
    };
    let visit = match (app.decode)(&text) {
        Ok(v) => v,
        Err(m) => return refuse(m),
    };
    let (login, now) = (s.login().to_string(), app.now());
    let r = app
        .pool
        .run(move |store| {
            let (rec, created) = store.open_or_create(&visit, &login, now)?;
            store.log_access(&access(
                &login,
                if created { "create" } else { "view" },
                Some(rec.id),
            ))?;
            Ok((rec.id, created))
        })
        .await;
    match r {
        Ok((id, created)) => {
            crate::serve::events::nudge(&app);
            if created {
                super::flash(&app, &s, "新しい 記録を 作りました".into());
            }
            Redirect::to(&format!("/records/{id}")).into_response()
        }
        Err(e) => refuse(format!(
            "データベースに つながりません。しばらく待って もう一度 / The database cannot be reached ({e})"
        )),
    }
}

/// The form as it is shown: the record's fields, or what was typed.
struct Form {
    fields: StaffFields,
    version: i64,
    /// (field, message) of a refusal, or a conflict's message for the whole form.
    error: Option<(String, String)>,
    notice: Option<String>,
}

pub async fn page(
    State(app): State<Arc<App>>,
    Extension(s): Extension<Signed>,
    Path(id): Path<i64>,
) -> Response {
    let login = s.login().to_string();
    let r = app
        .pool
        .run(move |store| {
            let Some(rec) = store.get(id)? else {
                return Ok(None);
            };
            store.log_access(&access(&login, "view", Some(id)))?;
            let audit = store.audit(id)?;
            Ok(Some((rec, audit)))
        })
        .await;
    let (rec, audit) = match r {
        Ok(Some(x)) => x,
        Ok(None) => return super::errors::not_found().await,
        Err(e) => return super::errors::store_down(&e.0),
    };
    let v = view::build(&rec, false, audit, &app.content, app.tz);
    // Text sent after the lock comes back to the same person only.
    let draft = app
        .drafts
        .lock()
        .ok()
        .and_then(|mut d| d.remove(&(s.login().to_string(), format!("/records/{id}"))));
    let mut form = Form {
        fields: rec.staff.clone(),
        version: rec.version,
        error: None,
        notice: super::take_flash(&app, &s),
    };
    if let Some(d) = draft {
        let d = FormBody(d);
        if let Ok((fields, version)) = parse(&d) {
            form.fields = fields;
            form.version = version;
            form.notice =
                Some("ロックの後に 送られた 入力を 戻しました。まだ 保存していません。".into());
        }
    }
    render(&app, &s, &v, &form, StatusCode::OK)
}

const LIMITS: [(&str, usize); 6] = [
    ("name", 100),
    ("furigana", 100),
    ("contact", 200),
    ("assigned_staff", 100),
    ("next_action", 2000),
    ("notes", 20000),
];

/// A refused form: what was typed, its version, the field and the message.
type Refusal = (StaffFields, i64, String, String);

/// The posted fields, checked: lengths, no control characters but line breaks in the long
/// ones, a stage of the list, a version number.
fn parse(f: &FormBody) -> Result<(StaffFields, i64), Box<Refusal>> {
    let get = |k: &str| f.get(k).unwrap_or("").replace("\r\n", "\n");
    let mut fields = StaffFields {
        name: get("name").trim().to_string(),
        furigana: get("furigana").trim().to_string(),
        contact: get("contact").trim().to_string(),
        assigned_staff: get("assigned_staff").trim().to_string(),
        next_action: get("next_action"),
        notes: get("notes"),
        stage: None,
    };
    let version = f
        .get("version")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(-1);
    let stage_text = f.get("stage").unwrap_or("");
    fields.stage = Stage::parse(stage_text);
    let values = [
        &fields.name,
        &fields.furigana,
        &fields.contact,
        &fields.assigned_staff,
        &fields.next_action,
        &fields.notes,
    ];
    for ((field, max), value) in LIMITS.iter().zip(values) {
        let multi = matches!(*field, "next_action" | "notes");
        if value.chars().count() > *max {
            let m = format!(
                "{max}文字までに してください（いま {}文字） / At most {max} characters",
                value.chars().count()
            );
            return Err(Box::new((fields.clone(), version, (*field).into(), m)));
        }
        if value
            .chars()
            .any(|c| c.is_control() && !(multi && (c == '\n' || c == '\t')))
        {
            let m = "制御文字は 使えません（改行は メモと 次の行動だけ） / Control characters are not allowed".to_string();
            return Err(Box::new((fields.clone(), version, (*field).into(), m)));
        }
    }
    if fields.stage.is_none() {
        return Err(Box::new((
            fields,
            version,
            "stage".into(),
            "段階を 一覧から 選んでください / Choose a stage from the list".into(),
        )));
    }
    if version < 0 {
        return Err(Box::new((
            fields,
            version,
            "version".into(),
            "ページを 開き直してください（版が ありません） / Reload the page".into(),
        )));
    }
    Ok((fields, version))
}

pub async fn save(
    State(app): State<Arc<App>>,
    Extension(s): Extension<Signed>,
    Extension(f): Extension<FormBody>,
    Path(id): Path<i64>,
) -> Response {
    let (login, now) = (s.login().to_string(), app.now());
    let parsed = parse(&f);
    let r = {
        let parsed = parsed.clone();
        app.pool
            .run(move |store| {
                let Some(rec) = store.get(id)? else {
                    return Ok(None);
                };
                let saved = match &parsed {
                    Ok((fields, version)) => {
                        Some(store.save_version(id, *version, fields, &login, now)?)
                    }
                    Err(_) => None,
                };
                let rec = store.get(id)?.unwrap_or(rec);
                store.log_access(&access(
                    &login,
                    if saved.is_some() { "save" } else { "view" },
                    Some(id),
                ))?;
                let audit = store.audit(id)?;
                Ok(Some((rec, audit, saved)))
            })
            .await
    };
    let (rec, audit, saved) = match r {
        Ok(Some(x)) => x,
        Ok(None) => return super::errors::not_found().await,
        Err(e) => {
            // The store is away: the same form, with what was typed, and the reason.
            let (fields, version) = match parsed {
                Ok(x) => x,
                Err(r) => (r.0, r.1),
            };
            return unsaved_page(&app, &s, id, &fields, version, &e.0);
        }
    };
    let v = view::build(&rec, false, audit, &app.content, app.tz);
    match (parsed, saved) {
        (Err(r), _) => {
            let (fields, version, field, message) = *r;
            let form = Form {
                fields,
                version,
                error: Some((field, message)),
                notice: None,
            };
            render(&app, &s, &v, &form, StatusCode::UNPROCESSABLE_ENTITY)
        }
        (Ok(_), Some(Saved::Changed { fields, .. })) => {
            super::flash(&app, &s, format!("保存しました（{fields}項目）"));
            Redirect::to(&format!("/records/{id}")).into_response()
        }
        (Ok((mine, _)), Some(Saved::Conflict { current, theirs })) => {
            let what: Vec<String> = theirs
                .iter()
                .map(|a| format!("{}: {} → {}", a.field, a.old, a.new))
                .collect();
            let mut who: Vec<&str> = theirs.iter().map(|a| a.who.as_str()).collect();
            who.dedup();
            let message = format!(
                "保存していません: この記録は {} さんが 先に 保存しました（{}）。あなたの 入力は 下に 残っています。もう一度「保存」で あなたの 入力を 上書きします。",
                who.join("、"),
                what.join("、")
            );
            let form = Form {
                fields: mine,
                version: current.version,
                error: Some(("form".into(), message)),
                notice: None,
            };
            render(&app, &s, &v, &form, StatusCode::CONFLICT)
        }
        (Ok(_), None) => super::errors::not_found().await,
    }
}

fn unsaved_page(
    app: &App,
    s: &Signed,
    id: i64,
    fields: &StaffFields,
    version: i64,
    e: &str,
) -> Response {
    let form = Form {
        fields: fields.clone(),
        version,
        error: Some((
            "form".into(),
            format!(
                "保存できませんでした: データベースに つながりません。入力は このままです。しばらく待って もう一度「保存」 / Not saved: the database cannot be reached; your input is kept ({e})"
            ),
        )),
        notice: None,
    };
    let body = staff_form(s, id, &form);
    let page = frame(
        app,
        Page {
            title: "保存できませんでした",
            signed: Some(s),
            lobby: None,
        },
        body,
    );
    (StatusCode::SERVICE_UNAVAILABLE, page).into_response()
}

fn staff_form(s: &Signed, id: i64, form: &Form) -> Markup {
    let err_field = form.error.as_ref().map(|(f, _)| f.as_str()).unwrap_or("");
    let err_msg = form.error.as_ref().map(|(_, m)| m.as_str()).unwrap_or("");
    let f = &form.fields;
    let text_fields: [(&str, &str, &str); 4] = [
        ("name", "氏名", &f.name),
        ("furigana", "ふりがな", &f.furigana),
        ("contact", "連絡先", &f.contact),
        ("assigned_staff", "担当者", &f.assigned_staff),
    ];
    let areas: [(&str, &str, &str); 2] = [
        ("next_action", "次の行動", &f.next_action),
        ("notes", "メモ", &f.notes),
    ];
    let stage = f.stage.unwrap_or(Stage::Intake);
    html! {
        form #staff-form .card method="post" action={ "/records/" (id) } {
            (csrf(s))
            input type="hidden" name="version" value=(form.version);
            @if err_field == "form" || err_field == "version" {
                p #form-error .error role="alert" tabindex="-1" { (err_msg) }
            }
            @for (name, label, value) in text_fields {
                label for=(name) { (label) }
                @if err_field == name { p id={ (name) "-error" } .field-error role="alert" { (err_msg) } }
                input id=(name) type="text" name=(name) value=(value)
                    aria-invalid=(if err_field == name { "true" } else { "false" })
                    aria-describedby=[(err_field == name).then(|| format!("{name}-error"))];
            }
            label for="stage" { "段階" }
            @if err_field == "stage" { p #stage-error .field-error role="alert" { (err_msg) } }
            select #stage name="stage" aria-invalid=(if err_field == "stage" { "true" } else { "false" })
                aria-describedby=[(err_field == "stage").then_some("stage-error")] {
                @for st in Stage::ALL {
                    option value=(st.id()) selected[st == stage] { (st.label_ja()) }
                }
            }
            @for (name, label, value) in areas {
                label for=(name) { (label) }
                @if err_field == name { p id={ (name) "-error" } .field-error role="alert" { (err_msg) } }
                textarea id=(name) name=(name)
                    aria-invalid=(if err_field == name { "true" } else { "false" })
                    aria-describedby=[(err_field == name).then(|| format!("{name}-error"))] { (value) }
            }
            p { button type="submit" { "保存" } }
        }
    }
}

fn render(app: &App, s: &Signed, v: &IntakeView, form: &Form, status: StatusCode) -> Response {
    let title = format!("記録 {}", v.id);
    let body = html! {
        @if let Some(n) = &form.notice { p.ok role="status" { (n) } }
        @if let Some(w) = &v.warning { p.notice { (w) } }
        div.grid2 {
            div {
                section.card aria-labelledby="visit-h" {
                    h2 #visit-h { "受付" }
                    dl.pairs {
                        dt { "受付番号" } dd { (v.visit.receipt_no) }
                        dt { "日時" } dd { (v.visit.issued_local) }
                        dt { "キオスク" } dd { (v.visit.kiosk_id) }
                        dt { "画面の ことば" } dd { (crate::lobby::text::lang_name(&v.visit.lang)) }
                    }
                }
                section.card aria-labelledby="answers-h" {
                    h2 #answers-h { "キオスクでの 答え" }
                    @if v.answers.is_empty() { p { "答えは ありません。" } }
                    dl.pairs {
                        @for a in &v.answers { dt { (a.question_text) } dd { (a.answer_text) } }
                    }
                    @if !v.unanswered.is_empty() {
                        h3 { "答えなかった 質問" }
                        ul { @for q in &v.unanswered { li { (q) } } }
                    }
                }
                section.card aria-labelledby="routes-h" {
                    h2 #routes-h { "見せた 道と 理由" }
                    ol.routes {
                        @for r in &v.routes {
                            li {
                                strong { (r.name) } " — " (r.summary)
                                @if !r.reasons.is_empty() { ul { @for why in &r.reasons { li { (why) } } } }
                            }
                        }
                    }
                    @if !v.notes.is_empty() {
                        h3 { "お知らせ" }
                        ul { @for n in &v.notes { li { (n) } } }
                    }
                }
            }
            div {
                h2 { "職員の 記入" }
                (staff_form(s, v.id, form))
            }
        }
        section.card aria-labelledby="audit-h" {
            h2 #audit-h { "変更の 記録" }
            @if v.audit.is_empty() { p { "まだ 変更は ありません。" } } @else {
                table {
                    thead { tr { th scope="col" { "日時" } th scope="col" { "だれ" } th scope="col" { "項目" } th scope="col" { "前" } th scope="col" { "後" } } }
                    tbody {
                        @for a in &v.audit {
                            tr { td { (view::local_time(a.at, app.tz)) } td { (a.who) } td { (a.field) } td { (a.old) } td { (a.new) } }
                        }
                    }
                }
            }
        }
    };
    let page = frame(
        app,
        Page {
            title: &title,
            signed: Some(s),
            lobby: Some(super::lobby::section(app, s)),
        },
        body,
    );
    (status, page).into_response()
}
