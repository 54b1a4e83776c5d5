//! `GET /` — the home: the lobby, the scan field (「受付票を 読む」, for scanners not set to
//! type into any field), what is due this week, the newest records; `GET /records` — the
//! record list with search (name or ふりがな, stage).

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::layout::{Page, csrf, page as frame};
use crate::desk::intake::Stage;
use crate::desk::pane_text;
use crate::desk::store::{IntakeSummary, Search};
use crate::serve::App;
use crate::serve::guard::Signed;

/// The scan form: the page's script sends a scanner's burst here from any field.
pub fn scan_form(s: &Signed, value: &str, error: Option<&str>) -> Markup {
    html! {
        form #scan-form .card method="post" action="/scan" {
            (csrf(s))
            label for="payload" { "受付票を 読む（QRコードの 文字）" }
            @if let Some(e) = error { p #scan-error .error role="alert" { (e) } }
            input #payload type="text" name="payload" value=(value) autocomplete="off" spellcheck="false"
                aria-invalid=(if error.is_some() { "true" } else { "false" })
                aria-describedby=[error.map(|_| "scan-error")];
            p { button type="submit" { "開く" } }
        }
    }
}

fn record_table(rows: &[IntakeSummary], app: &App) -> Markup {
    html! {
        @if rows.is_empty() {
            p { "該当する 記録は ありません。" }
        } @else {
            table {
                thead { tr { th scope="col" { "番号" } th scope="col" { "受付" } th scope="col" { "氏名" } th scope="col" { "担当" } th scope="col" { "段階" } } }
                tbody {
                    @for r in rows {
                        tr {
                            td { a href={ "/records/" (r.id) } { (r.id) } }
                            td { (r.receipt_no) "（" (crate::desk::view::local_time(r.issued_at, app.tz)) "）" }
                            td { @if r.name.is_empty() { "（未記入）" } @else { (r.name) } }
                            td { (r.assigned_staff) }
                            td { (r.stage.label_ja()) }
                        }
                    }
                }
            }
        }
    }
}

pub async fn page(State(app): State<Arc<App>>, Extension(s): Extension<Signed>) -> Response {
    let today = crate::desk::clock::local_day(app.now(), app.tz);
    let login = s.login().to_string();
    let r = app
        .pool
        .run(move |store| {
            let due = store.due(today, 7)?;
            let recent = store.search(&Search::default())?;
            store.log_access(&crate::desk::accounts::AccessEntry {
                at: chrono::Utc::now().timestamp(),
                login,
                action: "home".into(),
                record: None,
                target: String::new(),
            })?;
            Ok((due, recent))
        })
        .await;
    let (due, mut recent) = match r {
        Ok(x) => x,
        Err(e) => return super::errors::store_down(&e.0),
    };
    recent.truncate(20);
    let overdue = due.iter().filter(|d| d.in_days < 0).count();
    let flash = super::take_flash(&app, &s);
    let body = html! {
        @if let Some(m) = flash { p.notice role="status" { (m) } }
        div.grid2 {
            div { (scan_form(&s, "", None)) }
            section.card aria-labelledby="due-h" {
                h2 #due-h { (pane_text::due_caption(false, due.len(), overdue)) }
                @if due.is_empty() {
                    p { "今週の 予定は ありません。" }
                } @else {
                    ul.plain {
                        @for d in &due {
                            @let line = pane_text::due_line(d, String::new());
                            li {
                                a href={ "/records/" (line.record) } { (line.day) "（" (line.when) "）" }
                                " " (line.what)
                                @if line.overdue { " " strong { "遅れ" } }
                                @if !line.goal.is_empty() { br; (line.goal) }
                            }
                        }
                    }
                }
            }
        }
        section.card aria-labelledby="recent-h" {
            h2 #recent-h { "新しい 記録" }
            (record_table(&recent, &app))
            p { a href="/records" { "記録を さがす" } }
        }
    };
    frame(
        &app,
        Page {
            title: "ホーム",
            signed: Some(&s),
            lobby: Some(super::lobby::section(&app, &s)),
        },
        body,
    )
    .into_response()
}

#[derive(serde::Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    text: String,
    #[serde(default)]
    stage: String,
}

pub async fn search(
    State(app): State<Arc<App>>,
    Extension(s): Extension<Signed>,
    q: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let text: String = q.text.trim().chars().take(100).collect();
    let stage = Stage::parse(&q.stage);
    let bad_stage = !q.stage.is_empty() && stage.is_none();
    let search = Search {
        text: text.clone(),
        stage,
        ..Search::default()
    };
    let login = s.login().to_string();
    let r = app
        .pool
        .run(move |store| {
            let rows = store.search(&search)?;
            store.log_access(&crate::desk::accounts::AccessEntry {
                at: chrono::Utc::now().timestamp(),
                login,
                action: "list".into(),
                record: None,
                target: String::new(),
            })?;
            Ok(rows)
        })
        .await;
    let rows = match r {
        Ok(x) => x,
        Err(e) => return super::errors::store_down(&e.0),
    };
    let body = html! {
        form.card method="get" action="/records" role="search" {
            label for="text" { "氏名・ふりがな" }
            input #text type="search" name="text" value=(text);
            label for="stage" { "段階" }
            @if bad_stage { p #stage-error .error role="alert" { "段階を 一覧から 選んでください" } }
            select #stage name="stage" aria-invalid=(if bad_stage { "true" } else { "false" })
                aria-describedby=[bad_stage.then_some("stage-error")] {
                option value="" { "すべて" }
                @for st in Stage::ALL {
                    option value=(st.id()) selected[stage == Some(st)] { (st.label_ja()) }
                }
            }
            p { button type="submit" { "さがす" } }
        }
        section aria-labelledby="found-h" {
            h2 #found-h { (rows.len()) "件" }
            (record_table(&rows, &app))
        }
    };
    frame(
        &app,
        Page {
            title: "記録の一覧",
            signed: Some(&s),
            lobby: Some(super::lobby::section(&app, &s)),
        },
        body,
    )
    .into_response()
}
