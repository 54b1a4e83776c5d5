//! The check in front of every route (SERVER.md §2), with the route's `Access` from the one
//! table: the Host is the centre's; a session is required (none → 303 to the sign-in page,
//! or 401 for the page's own fetches); a locked session gets the lock page (a POST's form is
//! kept as the person's draft); an ended or disabled account's session is gone; staff on an
//! admin route get 403; every POST carries the session's token and comes from the desk's own
//! Origin, else 403 and an access-log line. Nothing is read or written before this passes.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::App;
use super::routes::{Access, MAX_BODY};
use super::session::{self, Cookies, State as SessionState};
use crate::desk::accounts::{AccessEntry, Account, Role};
use crate::desk::store::web_sql::WebSession;

#[derive(Clone)]
pub struct Guard {
    pub app: Arc<App>,
    pub access: Access,
}

/// The signed-in person, for the handlers (an extension of the request).
#[derive(Clone, Debug)]
pub struct Signed {
    pub session: WebSession,
    pub account: Account,
    pub locked: bool,
}

impl Signed {
    pub fn login(&self) -> &str {
        &self.account.login
    }

    pub fn csrf(&self) -> &str {
        &self.session.csrf
    }

    pub fn is_admin(&self) -> bool {
        self.account.role == Role::Admin
    }
}

/// The form fields of a POST, read once by the guard (the handler gets the same body).
#[derive(Clone, Debug, Default)]
pub struct FormBody(pub Vec<(String, String)>);

impl FormBody {
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }
}

pub async fn check(State(g): State<Guard>, req: Request, next: Next) -> Response {
    let app = &g.app;
    if !host_ok(req.headers(), &app.public.authority) {
        return super::views::errors::page(
            StatusCode::MISDIRECTED_REQUEST,
            "この アドレスでは 開けません / Wrong address",
            &format!(
                "デスクは {} で 開いてください。 / Open the desk at {}.",
                app.public.origin(),
                app.public.origin()
            ),
        );
    }
    let post = req.method() == Method::POST;
    // A POST's body, read here (≤ 64 KiB) for its token, then handed on unchanged.
    let (req, form) = if post {
        match read_form(req).await {
            Ok(x) => x,
            Err(r) => return r,
        }
    } else {
        (req, FormBody::default())
    };
    if g.access == Access::Public {
        if post && !public_post_ok(app, req.headers(), &form) {
            log(app, "", "csrf_refused").await;
            return forbidden_csrf();
        }
        return next.run(with(req, form)).await;
    }
    let path = req.uri().path().to_string();
    let is_events = path == "/events";
    let now = app.now();
    let signed = match load(
        app,
        req.headers(),
        now,
        !is_events && g.access != Access::Locked,
    )
    .await
    {
        Ok(Some(s)) => s,
        Ok(None) => return no_session(req.headers(), post),
        Err(e) => return super::views::errors::store_down(&e),
    };
    if post && !post_ok(req.headers(), &form, &app.public.origin(), signed.csrf()) {
        log(app, signed.login(), "csrf_refused").await;
        return forbidden_csrf();
    }
    if signed.locked && g.access != Access::Locked {
        if post && path != "/ping" {
            keep_draft(app, signed.login(), &path, &form);
        }
        if is_fetch(req.headers()) {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        return super::views::lock::page(app, &signed, post).into_response();
    }
    if signed.session.must_change && g.access != Access::Locked && path != "/password" {
        return Redirect::to("/password").into_response();
    }
    if g.access == Access::Admin && !signed.is_admin() {
        log(app, signed.login(), "forbidden").await;
        return super::views::errors::page(
            StatusCode::FORBIDDEN,
            "管理者だけが 使えます / Administrators only",
            "このページは 管理者の アカウントで 開いてください。 / Sign in as an administrator to open this page.",
        );
    }
    let mut req = with(req, form);
    req.extensions_mut().insert(signed);
    next.run(req).await
}

/// Reads the session's row and account; marks activity when `touch` (not the lobby's
/// stream). None = no valid session (none, unknown, ended, or the account disabled).
async fn load(
    app: &App,
    headers: &HeaderMap,
    now: i64,
    touch: bool,
) -> Result<Option<Signed>, String> {
    let Some(id) = cookie(headers, app.cookies.session) else {
        return Ok(None);
    };
    let hash = session::hash_id(id);
    let lock = app.lock_secs;
    app.pool
        .run(move |store| {
            let Some(s) = store.session_get(&hash)? else {
                return Ok(None);
            };
            let Some(acc) = store.staff_get(&s.login)? else {
                store.session_delete(&hash)?;
                return Ok(None);
            };
            if !acc.active {
                store.session_delete(&hash)?;
                return Ok(None);
            }
            let locked = match session::state(&s, now, lock) {
                SessionState::Ended => {
                    store.session_delete(&hash)?;
                    return Ok(None);
                }
                SessionState::Locked => true,
                SessionState::Active => {
                    // Lost a race with the lock: locked after all.
                    touch && !store.session_touch(&hash, now, now - lock)?
                }
            };
            Ok(Some(Signed {
                session: s,
                account: acc,
                locked,
            }))
        })
        .await
        .map_err(|e| e.0)
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| Cookies::read(h, name))
}

/// The page's own fetches (the ping, the event stream) get 401 instead of a redirect.
pub fn is_fetch(headers: &HeaderMap) -> bool {
    let mode = headers
        .get("sec-fetch-mode")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("navigate");
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    (mode != "navigate" && mode != "nested-navigate") || accept.contains("text/event-stream")
}

fn no_session(headers: &HeaderMap, post: bool) -> Response {
    if is_fetch(headers) && !post {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    Redirect::to("/sign-in").into_response()
}

fn host_ok(headers: &HeaderMap, authority: &str) -> bool {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|h| h.eq_ignore_ascii_case(authority))
}

/// Same-origin checks of a POST: `Origin` (when sent) must be the desk's own and
/// `Sec-Fetch-Site` (when sent) same-origin or a typed address. Under `Referrer-Policy:
/// no-referrer` a browser sends `Origin: null` with its own forms: then only
/// `Sec-Fetch-Site: same-origin` vouches for it.
fn origin_ok(headers: &HeaderMap, origin: &str) -> bool {
    let o = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let site_ok = site.is_none_or(|s| matches!(s, "same-origin" | "none"));
    match o {
        Some("null") => site == Some("same-origin"),
        Some(o) => o == origin && site_ok,
        None => site_ok,
    }
}

fn token_of<'a>(headers: &'a HeaderMap, form: &'a FormBody) -> &'a str {
    headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .or_else(|| form.get("csrf"))
        .unwrap_or("")
}

fn post_ok(headers: &HeaderMap, form: &FormBody, origin: &str, want: &str) -> bool {
    origin_ok(headers, origin) && session::same_token(token_of(headers, form), want)
}

/// The sign-in form's token is bound to the pre-session cookie it was served with.
fn public_post_ok(app: &App, headers: &HeaderMap, form: &FormBody) -> bool {
    let pre = cookie(headers, app.cookies.pre).unwrap_or("");
    post_ok(headers, form, &app.public.origin(), pre)
}

fn forbidden_csrf() -> Response {
    super::views::errors::page(
        StatusCode::FORBIDDEN,
        "送信を 受け付けませんでした / Not accepted",
        "この送信は デスクの ページから 来たものと 確かめられませんでした。ページを 開き直して もう一度 送ってください。 / This request could not be confirmed as coming from the desk's own page: reload the page and send it again.",
    )
}

async fn read_form(req: Request) -> Result<(Request, FormBody), Response> {
    let too_big = || {
        super::views::errors::page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "送る内容が 大きすぎます / Too large",
            "64 KB までに してください。 / Keep it under 64 KB.",
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return Err(too_big());
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| too_big())?;
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let form = if is_form {
        FormBody(form_urlencoded::parse(&bytes).into_owned().collect())
    } else {
        FormBody::default()
    };
    Ok((Request::from_parts(parts, Body::from(bytes)), form))
}

fn with(mut req: Request, form: FormBody) -> Request {
    req.extensions_mut().insert(form);
    req
}

fn keep_draft(app: &App, login: &str, path: &str, form: &FormBody) {
    let fields: Vec<(String, String)> = form
        .0
        .iter()
        .filter(|(k, _)| k != "csrf")
        .cloned()
        .collect();
    if let Ok(mut d) = app.drafts.lock() {
        d.insert((login.to_string(), path.to_string()), fields);
    }
}

/// An access-log line for a refused request (who, if known; never what was sent).
pub async fn log(app: &App, login: &str, action: &str) {
    let e = AccessEntry {
        at: app.now(),
        login: login.chars().take(64).collect(),
        action: action.into(),
        record: None,
        target: String::new(),
    };
    let _ = app.pool.run(move |s| s.log_access(&e)).await;
}
