//! `GET /events` (SERVER.md §5): the lobby pushed to every open page as Server-Sent Events.
//! One watcher reads today's lobby from the store and publishes it when it changed (the
//! server's own writes wake it at once; writes by kiosks, the command line or another
//! process are seen within `POLL` on either database); each stream renders the section for
//! its own session (its form token, and nothing but the calls once the session is locked).
//! A new stream gets the whole section first; a comment every 20 s keeps proxies from
//! holding it; streams end when the server shuts down.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};

use super::App;
use super::guard::Signed;
use super::session::{self, State as SessionState};

/// How often the watcher reads the lobby when nothing woke it.
pub const POLL: Duration = Duration::from_millis(200);
/// The lines say 「3分前」: the section is sent again this often even without a change.
const REFRESH: Duration = Duration::from_secs(30);

/// Wakes the watcher now (after this server's own lobby writes).
pub fn nudge(app: &App) {
    app.wake.notify_one();
}

pub fn spawn_watcher(app: Arc<App>, mut stop: tokio::sync::watch::Receiver<bool>) {
    tokio::spawn(async move {
        let mut last: Option<String> = None;
        let mut sent = tokio::time::Instant::now();
        loop {
            let now = app.now();
            let since = crate::desk::clock::local_midnight(now, 0, app.tz);
            if let Ok(l) = app.pool.run(move |s| s.lobby(since, now)).await {
                // Compared without its clock, so only a real change (or the refresh) is sent.
                let key = serde_json::to_string(&(&l.calls, &l.arrivals, &l.kiosks)).ok();
                if key != last || sent.elapsed() >= REFRESH {
                    last = key;
                    sent = tokio::time::Instant::now();
                    let _ = app.lobby.send(Some(Arc::new(l)));
                }
            }
            tokio::select! {
                _ = stop.changed() => {
                    let _ = app.lobby.send(None);
                    return;
                }
                () = app.wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    });
}

pub async fn stream(State(app): State<Arc<App>>, Extension(s): Extension<Signed>) -> Response {
    let rx = app.lobby.subscribe();
    let stop = app.stop.clone();
    let st = futures_util::stream::unfold(
        (app, s, rx, stop, true),
        |(app, s, mut rx, mut stop, first)| async move {
            if !first {
                tokio::select! {
                    r = rx.changed() => { if r.is_err() { return None; } }
                    _ = stop.changed() => { return None; }
                }
            }
            if *stop.borrow() {
                return None;
            }
            let lobby = rx.borrow_and_update().clone();
            let lobby = lobby?;
            // The session as it is now: a lock since the stream began shows calls only.
            let hash = s.session.id_hash.clone();
            let row = app
                .pool
                .run(move |st| st.session_get(&hash))
                .await
                .ok()
                .flatten()?;
            let html = match session::state(&row, app.now(), app.lock_secs) {
                SessionState::Ended => return None,
                SessionState::Locked => super::views::lobby::calls(&app, &lobby, None),
                SessionState::Active => super::views::lobby::section_inner(&app, &lobby, &s),
            };
            let ev: Result<Event, Infallible> = Ok(Event::default()
                .event("lobby")
                .data(html.into_string().replace('\n', " ")));
            Some((ev, (app, s, rx, stop, false)))
        },
    );
    let mut res = Sse::new(st)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
        .into_response();
    res.headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    res
}
