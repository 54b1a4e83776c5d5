//! Every route and who may use it, in one table (SERVER.md §2). The router is made from this
//! table and `guard::check` runs in front of every route with the route's `Access`, so a
//! route cannot exist without a rule; `tests/serve.rs` walks the table from outside.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

use super::App;
use super::views;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: sign-in, `/healthz`, the static files.
    Public,
    /// A signed-in person whose session is not locked (a locked one gets the lock page).
    Staff,
    /// A signed-in person, also while locked: the lock page's own actions and the lobby's
    /// stream (calls carry no personal data; the lock screen shows them without buttons).
    Locked,
    /// An administrator (staff get 403).
    Admin,
}

#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

/// Bodies larger than this are refused with 413 (SERVER.md §4).
pub const MAX_BODY: usize = 64 * 1024;

const fn r(method: &'static str, path: &'static str, access: Access) -> Route {
    Route {
        method,
        path,
        access,
    }
}

/// The table. The contract of SERVER.md §2 is here as written: `/healthz`, `/sign-in`,
/// `/sign-out`, `/scan`, `/records/{id}`, `/events`.
pub const ROUTES: &[Route] = &[
    r("GET", "/healthz", Access::Public),
    r("GET", "/sign-in", Access::Public),
    r("POST", "/sign-in", Access::Public),
    r("GET", "/static/{file}", Access::Public),
    r("POST", "/sign-out", Access::Locked),
    r("POST", "/unlock", Access::Locked),
    r("GET", "/events", Access::Locked),
    r("POST", "/ping", Access::Staff),
    r("GET", "/password", Access::Staff),
    r("POST", "/password", Access::Staff),
    r("GET", "/", Access::Staff),
    r("POST", "/scan", Access::Staff),
    r("GET", "/records", Access::Staff),
    r("GET", "/records/{id}", Access::Staff),
    r("POST", "/records/{id}", Access::Staff),
    r("POST", "/lobby/calls/{id}/answer", Access::Staff),
    r("POST", "/lobby/arrivals/{id}/handle", Access::Staff),
    r("GET", "/admin/access-log", Access::Admin),
];

fn handler(route: &Route) -> MethodRouter<Arc<App>> {
    use views::*;
    match (route.method, route.path) {
        ("GET", "/healthz") => get(|| async { "ok" }),
        ("GET", "/sign-in") => get(sign_in::page),
        ("POST", "/sign-in") => post(sign_in::submit),
        ("GET", "/static/{file}") => get(super::assets::file),
        ("POST", "/sign-out") => post(sign_in::sign_out),
        ("POST", "/unlock") => post(lock::unlock),
        ("GET", "/events") => get(super::events::stream),
        ("POST", "/ping") => post(|| async { axum::http::StatusCode::NO_CONTENT }),
        ("GET", "/password") => get(password::page),
        ("POST", "/password") => post(password::submit),
        ("GET", "/") => get(home::page),
        ("POST", "/scan") => post(record::scan),
        ("GET", "/records") => get(home::search),
        ("GET", "/records/{id}") => get(record::page),
        ("POST", "/records/{id}") => post(record::save),
        ("POST", "/lobby/calls/{id}/answer") => post(lobby::answer),
        ("POST", "/lobby/arrivals/{id}/handle") => post(lobby::handle),
        ("GET", "/admin/access-log") => get(access_log::page),
        // The table and this match are kept together; a route without a handler is a bug
        // that the router test finds at once.
        _ => get(errors::not_found),
    }
}

/// The router: every route of `ROUTES` behind `guard::check` with its access, the
/// security headers on every response, a 404 page for the rest.
pub fn router(app: Arc<App>) -> Router {
    let mut router: Router<Arc<App>> = Router::new();
    for route in ROUTES {
        let guard = super::guard::Guard {
            app: Arc::clone(&app),
            access: route.access,
        };
        let mr = handler(route).route_layer(axum::middleware::from_fn_with_state(
            guard,
            super::guard::check,
        ));
        router = router.route(route.path, mr);
    }
    router
        .fallback(views::errors::not_found)
        .method_not_allowed_fallback(views::errors::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            super::headers::add,
        ))
        .with_state(app)
}

/// The method as axum's `Method`.
pub fn method(route: &Route) -> Method {
    Method::from_bytes(route.method.as_bytes()).unwrap_or(Method::GET)
}
