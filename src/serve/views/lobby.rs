//! The lobby on every signed-in page (SERVER.md §5, LOBBY.md): the banner of staff calls
//! with 「行きます」, who is on the way, the waiting list with 「対応します」, the kiosks'
//! warnings. The same section is pushed by `/events`; the lock page shows the calls alone,
//! without buttons. The words come from `lobby::text`, as at every desk.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::layout::csrf;
use crate::lobby::Lobby;
use crate::lobby::text;
use crate::serve::App;
use crate::serve::guard::{FormBody, Signed, is_fetch};
use axum::http::HeaderMap;

/// The banner of open calls; `signed` = None on the lock page (no button, nothing else).
pub fn calls(app: &App, l: &Lobby, signed: Option<&Signed>) -> Markup {
    let rows = text::rows(l, app.tz, signed.map_or("", |s| s.login()));
    html! {
        @if !rows.calls.is_empty() {
            div.calls role="alert" {
                h2 { "スタッフ呼び出し（" (rows.calls.len()) "件）" }
                ul {
                    @for (id, line) in &rows.calls {
                        li data-call=(id) {
                            span { (line) }
                            @if let Some(s) = signed {
                                form method="post" action={ "/lobby/calls/" (id) "/answer" } {
                                    (csrf(s))
                                    button.call type="submit" id={ "answer-" (id) } { "行きます" }
                                }
                            } @else {
                                span { "サインインすると 応答できます" }
                            }
                        }
                    }
                }
                button #sound-on .quiet.hidden type="button" { "音を出す（ブラウザが 音を 止めています）" }
            }
        }
        @for a in &rows.answered { p.ok { (a) } }
    }
}

/// Everything of the lobby a signed-in page shows.
pub fn section_inner(app: &App, l: &Lobby, s: &Signed) -> Markup {
    let rows = text::rows(l, app.tz, s.login());
    html! {
        (calls(app, l, Some(s)))
        @if !rows.waiting.is_empty() {
            section.waiting.card aria-labelledby="waiting-h" {
                h2 #waiting-h { "受付票を 持って お待ちの方（" (rows.waiting.len()) "人）" }
                ul {
                    @for w in &rows.waiting {
                        li {
                            span { (w.line) }
                            @if !w.handling.is_empty() { span { (w.handling) } }
                            @if !w.mine {
                                form method="post" action={ "/lobby/arrivals/" (w.id) "/handle" } {
                                    (csrf(s))
                                    button.quiet type="submit" id={ "handle-" (w.id) } { "対応します" }
                                }
                            }
                        }
                    }
                }
            }
        }
        @for w in &rows.warnings { p.notice { (w) } }
    }
}

/// The section around it, with the chime's volume for the page's script.
pub fn section(app: &App, s: &Signed) -> Markup {
    let lobby = app.lobby.borrow().clone();
    html! {
        section #lobby aria-live="polite" aria-label="ロビー" data-volume=(app.chime_volume) {
            @if let Some(l) = &lobby { (section_inner(app, l, s)) }
        }
        p #lobby-status .visually-quiet role="status" {}
    }
}

pub async fn answer(
    State(app): State<Arc<App>>,
    Extension(s): Extension<Signed>,
    Extension(f): Extension<FormBody>,
    h: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let (login, name, now) = (s.login().to_string(), s.account.name.clone(), app.now());
    let r = app
        .pool
        .run(move |store| store.lobby_answer(id, &login, &name, now))
        .await;
    finish(is_fetch(&h), &app, &s, &f, r.map(|r| r.err()))
}

pub async fn handle(
    State(app): State<Arc<App>>,
    Extension(s): Extension<Signed>,
    Extension(f): Extension<FormBody>,
    h: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let (login, name) = (s.login().to_string(), s.account.name.clone());
    let r = app
        .pool
        .run(move |store| store.lobby_handle(id, &login, &name))
        .await;
    finish(is_fetch(&h), &app, &s, &f, r.map(|r| r.err()))
}

fn finish(
    fetch: bool,
    app: &App,
    s: &Signed,
    f: &FormBody,
    r: Result<Option<crate::desk::store::lobby_sql::Refused>, crate::desk::store::DeskError>,
) -> Response {
    use crate::desk::store::lobby_sql::Refused;
    let msg = match r {
        Ok(None) => None,
        Ok(Some(Refused::Taken(who))) => Some(format!("{who}さんが 先に 応じました")),
        Ok(Some(Refused::Expired)) => {
            Some("この呼び出しは 時間が 過ぎ、キオスクは 窓口へ 案内しました".to_string())
        }
        Ok(Some(Refused::Scanned)) => Some("この方の 受付票は もう 読み取られました".to_string()),
        Ok(Some(Refused::NotFound)) => Some("見つかりません（終わった 呼び出しです）".to_string()),
        Err(e) => return crate::serve::views::errors::store_down(&e.0),
    };
    crate::serve::events::nudge(app);
    if fetch {
        // The page's script stays on its page and says the result in its live region.
        return msg
            .unwrap_or_else(|| "受け付けました".to_string())
            .into_response();
    }
    if let Some(m) = msg {
        super::flash(app, s, m);
    }
    Redirect::to(&back(f)).into_response()
}

/// Where a lobby button's page was: a path of this site only.
fn back(f: &FormBody) -> String {
    match f.get("back") {
        Some(b) if b.starts_with('/') && !b.starts_with("//") && !b.contains('\\') => b.to_string(),
        _ => "/".to_string(),
    }
}
