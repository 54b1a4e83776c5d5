//! `GET|POST /sign-in` (`login`, `password`, `csrf`) and `POST /sign-out`. The same
//! `desk::accounts` rules as everywhere (argon2, the atomic lockout, disabled accounts) and
//! the same access-log lines, through `DeskStore::sign_in`. A new session id at every
//! sign-in (no fixation); the form's token is bound to a pre-session cookie.

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::layout::{Page, page as frame};
use crate::desk::store::web_sql::WebSession;
use crate::serve::App;
use crate::serve::guard::{FormBody, Signed};
use crate::serve::session;

pub async fn page(State(app): State<Arc<App>>) -> Response {
    form(&app, "", None, StatusCode::OK)
}

fn form(app: &App, login: &str, error: Option<(&str, String)>, status: StatusCode) -> Response {
    let Ok(token) = session::random_token() else {
        return crate::serve::views::errors::page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "サインインできません / Cannot sign in",
            "サーバーが 乱数を 作れませんでした。管理者に 知らせてください。 / The server could not make random numbers: tell the administrator.",
        );
    };
    let (bad_field, message) = match &error {
        Some((f, m)) => (*f, m.as_str()),
        None => ("", ""),
    };
    let body: Markup = html! {
        form.card method="post" action="/sign-in" {
            input type="hidden" name="csrf" value=(token);
            @if !message.is_empty() {
                p #sign-in-error .error role="alert" { (message) }
            }
            label for="login" { "ログインID" }
            input #login type="text" name="login" value=(login) autocomplete="username"
                autocapitalize="none" spellcheck="false" required autofocus
                aria-invalid=(if bad_field == "login" { "true" } else { "false" })
                aria-describedby=[(bad_field == "login").then_some("sign-in-error")];
            label for="password" { "パスワード" }
            input #password type="password" name="password" autocomplete="current-password" required
                aria-invalid=(if bad_field == "password" { "true" } else { "false" })
                aria-describedby=[(bad_field == "password").then_some("sign-in-error")];
            p { button type="submit" { "サインイン" } }
        }
        p { "アカウントは 管理者が 作ります。パスワードを 忘れたときは 管理者に 頼んでください。" }
    };
    let html = frame(
        app,
        Page {
            title: "サインイン",
            signed: None,
            lobby: None,
        },
        body,
    );
    let mut res = (status, html).into_response();
    if let Ok(v) = HeaderValue::from_str(&app.cookies.set_pre(&token)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn submit(State(app): State<Arc<App>>, Extension(f): Extension<FormBody>) -> Response {
    let login = f.get("login").unwrap_or("").trim().to_string();
    let password = f.get("password").unwrap_or("").to_string();
    if login.is_empty() {
        return form(
            &app,
            "",
            Some((
                "login",
                "ログインIDを 入れてください / Enter your login".into(),
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    if password.is_empty() || password.len() > 1024 {
        return form(
            &app,
            &login,
            Some((
                "password",
                "パスワードを 入れてください / Enter your password".into(),
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let (Ok(id), Ok(csrf)) = (session::random_token(), session::random_token()) else {
        return form(
            &app,
            &login,
            Some((
                "login",
                "サーバーが 乱数を 作れませんでした / No random numbers".into(),
            )),
            StatusCode::INTERNAL_SERVER_ERROR,
        );
    };
    let now = app.now();
    let short = password.chars().count() < session::MIN_WEB_PASSWORD_CHARS;
    let row = WebSession {
        id_hash: session::hash_id(&id),
        login: login.clone(),
        csrf,
        created_at: now,
        seen_at: now,
        must_change: short,
    };
    let l = login.clone();
    let result = app
        .pool
        .run(move |store| {
            let r = store.sign_in(&l, &password, now)?;
            if r.is_ok() {
                store.session_insert(&row)?;
            }
            Ok(r)
        })
        .await;
    match result {
        Ok(Ok(_)) => {
            let mut res = Redirect::to(if short { "/password" } else { "/" }).into_response();
            if let Ok(v) = HeaderValue::from_str(&app.cookies.set_session(&id)) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Ok(Err(why)) => form(
            &app,
            &login,
            Some(("password", why.message())),
            StatusCode::UNAUTHORIZED,
        ),
        Err(e) => form(
            &app,
            &login,
            Some((
                "login",
                format!(
                    "データベースに つながりません。しばらく待って もう一度 / The database cannot be reached ({e})"
                ),
            )),
            StatusCode::SERVICE_UNAVAILABLE,
        ),
    }
}

pub async fn sign_out(State(app): State<Arc<App>>, Extension(s): Extension<Signed>) -> Response {
    let hash = s.session.id_hash.clone();
    let login = s.login().to_string();
    let now = app.now();
    let _ = app
        .pool
        .run(move |store| {
            store.session_delete(&hash)?;
            store.log_access(&crate::desk::accounts::AccessEntry {
                at: now,
                login,
                action: "sign_out".into(),
                record: None,
                target: String::new(),
            })
        })
        .await;
    let mut res = Redirect::to("/sign-in").into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&app.cookies.clear_session()) {
        h.append(header::SET_COOKIE, v);
    }
    h.insert(
        "clear-site-data",
        HeaderValue::from_static("\"cache\", \"cookies\", \"storage\""),
    );
    res
}
