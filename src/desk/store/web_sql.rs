//! The browsers' sessions at `hatarakitai serve` (SERVER.md §2). The server keeps a session
//! id only as its SHA-256; the cookie holds the id itself. What a session allows (signed in,
//! locked, expired) is decided by `crate::serve::session` from these rows.

use super::DeskError;
use super::sql::{Row, Sql, first, vals};

/// One session row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// Hex SHA-256 of the session id.
    pub id_hash: String,
    pub login: String,
    /// The token every form of this session carries.
    pub csrf: String,
    /// Unix seconds: the session ends 12 hours after this, whatever happens.
    pub created_at: i64,
    /// The last activity (page load, POST, the page's ping): the lock counts from here.
    pub seen_at: i64,
    /// The password used was shorter than the web's minimum: change it before anything else.
    pub must_change: bool,
}

const INSERT: &str = "INSERT INTO web_session (id_hash, login, csrf, created_at, seen_at, \
     must_change) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
const GET: &str = "SELECT id_hash, login, csrf, created_at, seen_at, must_change \
     FROM web_session WHERE id_hash = ?1";
/// Activity moves the lock on only while the session is not locked yet (`?3` = the oldest
/// activity that still counts), so a late request cannot unlock a session by arriving.
const TOUCH: &str = "UPDATE web_session SET seen_at = ?2 WHERE id_hash = ?1 AND seen_at >= ?3";
const UNLOCK: &str = "UPDATE web_session SET seen_at = ?2 WHERE id_hash = ?1";
const DELETE: &str = "DELETE FROM web_session WHERE id_hash = ?1";
const CHANGED: &str = "UPDATE web_session SET must_change = ?2 WHERE id_hash = ?1";
const PRUNE: &str = "DELETE FROM web_session WHERE created_at < ?1";
const OF_LOGIN: &str = "DELETE FROM web_session WHERE login = ?1 AND id_hash <> ?2";

fn session(r: &dyn Row) -> Result<WebSession, DeskError> {
    Ok(WebSession {
        id_hash: r.text(0)?,
        login: r.text(1)?,
        csrf: r.text(2)?,
        created_at: r.i64(3)?,
        seen_at: r.i64(4)?,
        must_change: r.bool(5)?,
    })
}

pub fn insert(db: &mut dyn Sql, s: &WebSession) -> Result<(), DeskError> {
    db.exec(
        "starting a session",
        INSERT,
        vals![
            &s.id_hash,
            &s.login,
            &s.csrf,
            s.created_at,
            s.seen_at,
            s.must_change
        ],
    )
    .map(|_| ())
}

pub fn get(db: &mut dyn Sql, id_hash: &str) -> Result<Option<WebSession>, DeskError> {
    first(db, "reading a session", GET, vals![id_hash], session)
}

/// Marks activity at `now` unless the session was already idle since before `idle_from`.
/// True = the session is still unlocked (and now moved on).
pub fn touch(db: &mut dyn Sql, id_hash: &str, now: i64, idle_from: i64) -> Result<bool, DeskError> {
    Ok(db.exec("marking activity", TOUCH, vals![id_hash, now, idle_from])? == 1)
}

/// The same person's password was given again at the lock screen.
pub fn unlock(db: &mut dyn Sql, id_hash: &str, now: i64) -> Result<(), DeskError> {
    db.exec("unlocking a session", UNLOCK, vals![id_hash, now])
        .map(|_| ())
}

pub fn delete(db: &mut dyn Sql, id_hash: &str) -> Result<(), DeskError> {
    db.exec("ending a session", DELETE, vals![id_hash])
        .map(|_| ())
}

pub fn password_changed(db: &mut dyn Sql, id_hash: &str) -> Result<(), DeskError> {
    db.exec(
        "marking the password changed",
        CHANGED,
        vals![id_hash, false],
    )
    .map(|_| ())
}

/// Ends every other session of `login` (after a password change).
pub fn end_others(db: &mut dyn Sql, login: &str, keep: &str) -> Result<u64, DeskError> {
    db.exec("ending the other sessions", OF_LOGIN, vals![login, keep])
}

/// Removes sessions started before `before` (they ended 12 hours after their start).
pub fn prune(db: &mut dyn Sql, before: i64) -> Result<u64, DeskError> {
    db.exec("removing ended sessions", PRUNE, vals![before])
}
