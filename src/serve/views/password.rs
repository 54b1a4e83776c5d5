//! `GET|POST /password`: a person changes their own password. A session signed in with a
//! password shorter than the web's 12 characters comes here first and can go nowhere else
//! until it is changed (SERVER.md §2); every other session of the person then ends.

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use super::layout::{Page, csrf, page as frame};
use crate::serve::App;
use crate::serve::guard::{FormBody, Signed};
use crate::serve::session;

pub async fn page(State(app): State<Arc<App>>, Extension(s): Extension<Signed>) -> Response {
    form(&app, &s, None, StatusCode::OK)
}

fn form(app: &App, s: &Signed, error: Option<(&str, String)>, status: StatusCode) -> Response {
    let (bad, msg) = error.as_ref().map_or(("", ""), |(f, m)| (*f, m.as_str()));
    let invalid = |f: &str| if bad == f { "true" } else { "false" };
    let described = |f: &str| (bad == f).then_some("password-error");
    let body = html! {
        @if s.session.must_change {
            p.notice role="status" {
                "パスワードが 短いので、先に 変えてください（" (session::MIN_WEB_PASSWORD_CHARS) "文字以上）。"
            }
        }
        form.card method="post" action="/password" {
            (csrf(s))
            @if !msg.is_empty() { p #password-error .error role="alert" { (msg) } }
            label for="current" { "今の パスワード" }
            input #current type="password" name="current" autocomplete="current-password" required
                aria-invalid=(invalid("current")) aria-describedby=[described("current")];
            label for="new" { "新しい パスワード（" (session::MIN_WEB_PASSWORD_CHARS) "文字以上）" }
            input #new type="password" name="new" autocomplete="new-password" required
                aria-invalid=(invalid("new")) aria-describedby=[described("new")];
            label for="again" { "新しい パスワード（もう一度）" }
            input #again type="password" name="again" autocomplete="new-password" required
                aria-invalid=(invalid("again")) aria-describedby=[described("again")];
            p { button type="submit" { "変える" } }
        }
    };
    let html = frame(
        app,
        Page {
            title: "パスワードを 変える",
            signed: Some(s),
            lobby: None,
        },
        body,
    );
    (status, html).into_response()
}

pub async fn submit(
    State(app): State<Arc<App>>,
    Extension(s): Extension<Signed>,
    Extension(f): Extension<FormBody>,
) -> Response {
    let current = f.get("current").unwrap_or("").to_string();
    let new = f.get("new").unwrap_or("").to_string();
    if f.get("again").unwrap_or("") != new {
        return form(
            &app,
            &s,
            Some((
                "again",
                "2回の 入力が 違います / The two new passwords differ".into(),
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let login = s.login().to_string();
    let hash = s.session.id_hash.clone();
    let now = app.now();
    let r = app
        .pool
        .run(move |store| {
            let r = crate::desk::staff_admin::change_own_password(
                store,
                &login,
                &current,
                &new,
                session::check_web_password,
                now,
            )?;
            if r.is_ok() {
                store.session_password_changed(&hash, &login)?;
            }
            Ok(r)
        })
        .await;
    match r {
        Ok(Ok(_)) => Redirect::to("/").into_response(),
        Ok(Err((field, m))) => form(&app, &s, Some((field, m)), StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => crate::serve::views::errors::store_down(&e.0),
    }
}
