//! The lock page (SERVER.md §2): after `[desk] lock_minutes` without activity, every request
//! gets this page instead of data. It shows no person's data, only the lobby's calls
//! (without buttons), and asks the same person's password; anyone else signs out first and
//! gets a clean session. Form text that arrived after the lock waits as the person's draft.

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use super::layout::{Page, csrf, page as frame};
use crate::serve::App;
use crate::serve::guard::{FormBody, Signed};

pub fn page(app: &App, s: &Signed, kept_draft: bool) -> Response {
    page_with(app, s, kept_draft, None)
}

fn page_with(app: &App, s: &Signed, kept_draft: bool, error: Option<String>) -> Response {
    let lobby = app.lobby.borrow().clone();
    let body = html! {
        div.lockbox {
            @if let Some(l) = &lobby {
                (super::lobby::calls(app, l, None))
            }
            p { "しばらく 操作が なかったので、画面を 隠しました。" }
            @if kept_draft {
                p.notice role="status" { "送った 入力は 保存していません。サインインすると 入力欄に 戻ります。" }
            }
            form.card method="post" action="/unlock" {
                (csrf(s))
                @if let Some(e) = &error {
                    p #unlock-error .error role="alert" { (e) }
                }
                p { (s.account.name) "（" (s.login()) "）さんの パスワードで 続けます。" }
                label for="password" { "パスワード" }
                input #password type="password" name="password" autocomplete="current-password" required autofocus
                    aria-invalid=(if error.is_some() { "true" } else { "false" })
                    aria-describedby=[error.as_ref().map(|_| "unlock-error")];
                p { button type="submit" { "続ける" } }
            }
            form method="post" action="/sign-out" {
                (csrf(s))
                button.quiet type="submit" { "別の人が サインインする（サインアウト）" }
            }
        }
    };
    let html = frame(
        app,
        Page {
            title: "ロック中",
            signed: Some(s),
            lobby: None,
        },
        body,
    );
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    (status, html).into_response()
}

pub async fn unlock(
    State(app): State<Arc<App>>,
    Extension(s): Extension<Signed>,
    Extension(f): Extension<FormBody>,
) -> Response {
    let pw = f.get("password").unwrap_or("").to_string();
    let login = s.login().to_string();
    let hash = s.session.id_hash.clone();
    let now = app.now();
    let r = app
        .pool
        .run(move |store| {
            let r = store.sign_in(&login, &pw, now)?;
            if r.is_ok() {
                store.session_unlock(&hash, now)?;
            }
            Ok(r)
        })
        .await;
    match r {
        Ok(Ok(_)) => {
            // Back where the person's draft waits, if any (their own only).
            let to = app
                .drafts
                .lock()
                .ok()
                .and_then(|d| {
                    d.keys()
                        .find(|(who, _)| who == s.login())
                        .map(|(_, path)| path.clone())
                })
                .unwrap_or_else(|| "/".to_string());
            Redirect::to(&to).into_response()
        }
        Ok(Err(why)) => page_with(&app, &s, false, Some(why.message())),
        Err(e) => crate::serve::views::errors::store_down(&e.0),
    }
}
