//! The lobby's rows (LOBBY.md), read and changed by the desks. The kiosks never come here:
//! they write through `schema::PG_ROUTINES`. The same statements run on SQLite, where the
//! tables stay empty (kiosks publish only to the team's PostgreSQL).

use super::DeskError;
use super::sql::{Row, Sql, first, rows, vals};
use crate::lobby::{Arrival, Call, KioskHealth, Lobby, PrinterState};

// One column list per row type, read by one mapping function each (`call`, `arrival`).
macro_rules! call_select {
    () => {
        "SELECT id, kiosk_id, kiosk_name, called_at, expires_at, lang, speech, keys, \
         answered_by, answered_name, answered_at FROM lobby_call"
    };
}
macro_rules! arrival_select {
    () => {
        "SELECT id, receipt_no, kiosk_id, kiosk_name, serial, arrived_at, lang, speech, keys, \
         large_text, handling_by, handling_name, scanned_at FROM lobby_arrival"
    };
}
const CALLS: &str = concat!(call_select!(), " WHERE called_at >= ?1 ORDER BY id");
const CALL: &str = concat!(call_select!(), " WHERE id = ?1");
const ARRIVALS: &str = concat!(arrival_select!(), " WHERE arrived_at >= ?1 ORDER BY id");
const ARRIVAL: &str = concat!(arrival_select!(), " WHERE id = ?1");
const KIOSKS: &str = "SELECT kiosk_id, kiosk_name, running_since, printer, speech, version, \
     seen_at FROM kiosk_health ORDER BY kiosk_id";
/// The first 「行きます」 wins: the row changes only while nobody has answered and the call
/// has not expired, in one statement, so two desks pressing at once cannot both win.
const ANSWER: &str = "UPDATE lobby_call SET answered_by = ?2, answered_name = ?3, \
     answered_at = ?4 WHERE id = ?1 AND answered_by IS NULL AND expires_at > ?4";
const HANDLE: &str = "UPDATE lobby_arrival SET handling_by = ?2, handling_name = ?3 \
     WHERE id = ?1 AND scanned_at IS NULL AND (handling_by IS NULL OR handling_by = ?2)";
/// The scan of a slip takes its holder off the waiting list (in the scan's transaction).
pub(super) const SCANNED: &str = "UPDATE lobby_arrival SET scanned_at = ?3 \
     WHERE kiosk_id = ?1 AND serial = ?2 AND scanned_at IS NULL";
const PRUNE_CALLS: &str = "DELETE FROM lobby_call WHERE called_at < ?1";
const PRUNE_ARRIVALS: &str = "DELETE FROM lobby_arrival WHERE arrived_at < ?1";

fn call(r: &dyn Row) -> Result<Call, DeskError> {
    Ok(Call {
        id: r.i64(0)?,
        kiosk_id: r.i64(1)?,
        kiosk_name: r.text(2)?,
        called_at: r.i64(3)?,
        expires_at: r.i64(4)?,
        lang: r.text(5)?,
        speech: r.bool(6)?,
        keys: r.bool(7)?,
        answered_by: opt_text(r, 8)?,
        answered_name: opt_text(r, 9)?,
        answered_at: r.opt_i64(10)?,
    })
}

fn arrival(r: &dyn Row) -> Result<Arrival, DeskError> {
    Ok(Arrival {
        id: r.i64(0)?,
        receipt_no: r.text(1)?,
        kiosk_id: r.i64(2)?,
        kiosk_name: r.text(3)?,
        serial: r.i64(4)?,
        arrived_at: r.i64(5)?,
        lang: r.text(6)?,
        speech: r.bool(7)?,
        keys: r.bool(8)?,
        large_text: r.bool(9)?,
        handling_by: opt_text(r, 10)?,
        handling_name: opt_text(r, 11)?,
        scanned_at: r.opt_i64(12)?,
    })
}

fn kiosk(r: &dyn Row) -> Result<KioskHealth, DeskError> {
    Ok(KioskHealth {
        kiosk_id: r.i64(0)?,
        kiosk_name: r.text(1)?,
        running_since: r.i64(2)?,
        printer: PrinterState::from_id(&r.text(3)?),
        speech: r.bool(4)?,
        version: r.text(5)?,
        seen_at: r.i64(6)?,
    })
}

/// A nullable text column (the `Row` trait reads NULL text as an error).
fn opt_text(r: &dyn Row, i: usize) -> Result<Option<String>, DeskError> {
    Ok(r.opt_text(i)?.filter(|s| !s.is_empty()))
}

/// Today's lobby (`since` = local midnight), read at `now`.
pub fn read(db: &mut dyn Sql, since: i64, now: i64) -> Result<Lobby, DeskError> {
    Ok(Lobby {
        now,
        calls: rows(db, "reading the staff calls", CALLS, vals![since], call)?,
        arrivals: rows(
            db,
            "reading the waiting list",
            ARRIVALS,
            vals![since],
            arrival,
        )?,
        kiosks: rows(db, "reading the kiosks' state", KIOSKS, vals![], kiosk)?,
    })
}

/// Why 「行きます」 or 「対応します」 changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    NotFound,
    /// Someone else was first: their display name (or login).
    Taken(String),
    /// The call expired: the kiosk already sent the visitor to the window.
    Expired,
    /// The slip was scanned meanwhile.
    Scanned,
}

/// 「行きます」: answers call `id` for every desk, unless someone was first.
pub fn answer(
    db: &mut dyn Sql,
    id: i64,
    login: &str,
    name: &str,
    now: i64,
) -> Result<Result<Call, Refused>, DeskError> {
    let won = db.exec(
        "answering the staff call",
        ANSWER,
        vals![id, login, name, now],
    )? == 1;
    let Some(c) = first(db, "reading the staff call", CALL, vals![id], call)? else {
        return Ok(Err(Refused::NotFound));
    };
    Ok(match (&c.answered_by, &c.answered_name) {
        _ if won => Ok(c),
        (Some(by), n) => Err(Refused::Taken(n.clone().unwrap_or_else(|| by.clone()))),
        (None, _) => Err(Refused::Expired),
    })
}

/// 「対応します」: marks a waiting visitor as being seen to, so two staff don't walk up.
pub fn handle(
    db: &mut dyn Sql,
    id: i64,
    login: &str,
    name: &str,
) -> Result<Result<Arrival, Refused>, DeskError> {
    db.exec("marking the visitor 対応中", HANDLE, vals![id, login, name])?;
    let Some(a) = first(db, "reading the waiting list", ARRIVAL, vals![id], arrival)? else {
        return Ok(Err(Refused::NotFound));
    };
    Ok(match (&a.handling_by, &a.handling_name, a.scanned_at) {
        (_, _, Some(_)) => Err(Refused::Scanned),
        (Some(by), _, None) if by == login => Ok(a),
        (Some(by), n, None) => Err(Refused::Taken(n.clone().unwrap_or_else(|| by.clone()))),
        (None, _, None) => Err(Refused::NotFound),
    })
}

/// Rows of earlier days go (the lobby is a day's; nothing in it is a record).
pub fn prune(db: &mut dyn Sql, before: i64) -> Result<u64, DeskError> {
    Ok(
        db.exec("clearing old staff calls", PRUNE_CALLS, vals![before])?
            + db.exec(
                "clearing the old waiting list",
                PRUNE_ARRIVALS,
                vals![before],
            )?,
    )
}
