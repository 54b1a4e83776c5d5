//! Hearing the lobby (LOBBY.md): a connection of its own that `LISTEN`s on
//! `hatarakitai_lobby` (every change to a lobby table NOTIFYs it, `schema::PG_ROUTINES`),
//! reads the day's lobby whole after each notification, and hands it over with the events
//! since the last reading (`lobby::events`). Used by the desk window (on its own thread) and
//! `hatarakitai lobby --follow`.
//!
//! A lost server is reported (`Heard::Lost`, 「サーバーに つながっていません」) and the
//! connection is made again every few seconds; the first reading after it is compared with
//! the last one before, so what happened meanwhile comes out as events — except calls that
//! expired meanwhile, which are never told late.

use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;

use super::clock::local_midnight;
use super::store::postgres::{PgStore, PgTarget};
use super::store::{DeskError, lobby_sql};
use crate::lobby::Lobby;
use crate::lobby::events::{self, Event};

/// What the listener hands over.
#[derive(Debug, Clone)]
pub enum Heard {
    /// The day's lobby now, and what changed since the last reading.
    Lobby(Lobby, Vec<Event>),
    /// The server cannot be reached (why); tried again every `retry`.
    Lost(String),
}

#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Without notifications the lobby is read again this often (waiting times, silent
    /// kiosks, expired calls change with the clock alone).
    pub refresh: Duration,
    pub retry: Duration,
}

impl Default for Timing {
    fn default() -> Timing {
        Timing {
            refresh: Duration::from_secs(5),
            retry: Duration::from_secs(3),
        }
    }
}

/// The day's lobby from an open store (`now` = this PC's clock).
pub fn read(store: &mut PgStore, tz: chrono_tz::Tz) -> Result<Lobby, DeskError> {
    let now = chrono::Utc::now().timestamp();
    lobby_sql::read(store, local_midnight(now, 0, tz), now)
}

/// Listens until `on` returns false. `first` is the reading to compare the first one with
/// (`Lobby::default()` = everything open counts as new).
pub fn listen(
    target: &PgTarget,
    tz: chrono_tz::Tz,
    timing: Timing,
    first: Lobby,
    mut on: impl FnMut(Heard) -> bool,
) {
    let mut last = first;
    loop {
        match session(target, tz, timing, &mut last, &mut on) {
            Ok(()) => return,
            Err(e) => {
                if !on(Heard::Lost(e.to_string())) {
                    return;
                }
                std::thread::sleep(timing.retry);
            }
        }
    }
}

/// One connection's life: Ok = `on` asked to stop; Err = the connection was lost.
fn session(
    target: &PgTarget,
    tz: chrono_tz::Tz,
    timing: Timing,
    last: &mut Lobby,
    on: &mut impl FnMut(Heard) -> bool,
) -> Result<(), DeskError> {
    let mut store = PgStore::connect(target)?;
    let name = target.describe();
    let lost = |e: postgres::Error| {
        DeskError(format!(
            "{name}: listening for the lobby failed ({e}); check that the server is running"
        ))
    };
    store
        .client()
        .batch_execute("LISTEN hatarakitai_lobby")
        .map_err(&lost)?;
    loop {
        let now = read(&mut store, tz)?;
        let news = events::between(last, &now);
        *last = now.clone();
        if !on(Heard::Lobby(now, news)) {
            return Ok(());
        }
        // Wait for a change (or the refresh); then take every notification already queued,
        // so a burst of changes costs one reading.
        {
            let mut n = store.client().notifications();
            let woke = n
                .timeout_iter(timing.refresh)
                .next()
                .map_err(&lost)?
                .is_some();
            if woke {
                while n.iter().next().map_err(&lost)?.is_some() {}
            }
        }
        if store.client().is_closed() {
            return Err(DeskError(format!("{name}: the connection was closed")));
        }
    }
}
