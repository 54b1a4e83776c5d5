//! The narrow backend the desk's store is written over: run a statement, read rows, begin and
//! end a transaction under a lock. `sqlite::SqliteStore` and `postgres::PgStore` are its two
//! implementations; everything the store does (`records`, `network_sql`, the conflict check
//! and audit of a save) is written once above it, with one SQL text per statement.
//!
//! The statements are written for SQLite (`?N` placeholders) in the common SQL both databases
//! speak (`RETURNING`, `ON CONFLICT … DO UPDATE SET x = excluded.x`, `CAST`). What differs
//! between the two is kept here and in the two implementations, nowhere else:
//! - placeholders: `postgres_text` turns `?N` into `$N`;
//! - row locks: a statement may end in ` FOR UPDATE` (PostgreSQL locks the row; SQLite, whose
//!   `Lock::Write` transaction already holds the database's write lock, drops the words);
//! - integer widths and booleans: callers bind and read `i64`, `&str` and `bool`; the
//!   PostgreSQL side converts to and from the column's own type (INTEGER, SMALLINT, BOOLEAN)
//!   by looking at the prepared statement, as PostgreSQL will not convert them itself;
//! - identity columns and declared types: `schema::Ty`.

use std::borrow::Cow;

use super::DeskError;

/// A value bound to a statement's placeholder.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val<'a> {
    I64(i64),
    OptI64(Option<i64>),
    Text(&'a str),
    Bool(bool),
}

impl From<i64> for Val<'_> {
    fn from(v: i64) -> Self {
        Val::I64(v)
    }
}

impl From<Option<i64>> for Val<'_> {
    fn from(v: Option<i64>) -> Self {
        Val::OptI64(v)
    }
}

impl<'a> From<&'a str> for Val<'a> {
    fn from(v: &'a str) -> Self {
        Val::Text(v)
    }
}

impl<'a> From<&'a String> for Val<'a> {
    fn from(v: &'a String) -> Self {
        Val::Text(v)
    }
}

impl From<bool> for Val<'_> {
    fn from(v: bool) -> Self {
        Val::Bool(v)
    }
}

/// `[a, b, c]` → `&[Val]` for a statement's parameters.
macro_rules! vals {
    ($($v:expr),* $(,)?) => {
        &[$($crate::desk::store::sql::Val::from($v)),*]
    };
}
pub(crate) use vals;

/// One row of an answer; errors already say which operation failed and on which database.
pub trait Row {
    fn i64(&self, i: usize) -> Result<i64, DeskError>;
    fn opt_i64(&self, i: usize) -> Result<Option<i64>, DeskError>;
    fn text(&self, i: usize) -> Result<String, DeskError>;
    fn opt_text(&self, i: usize) -> Result<Option<String>, DeskError>;
    fn bool(&self, i: usize) -> Result<bool, DeskError>;
}

/// How a transaction begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// A plain transaction.
    None,
    /// The writer decides on what it read: SQLite takes the write lock now (`BEGIN
    /// IMMEDIATE`); PostgreSQL locks the rows read `FOR UPDATE`.
    Write,
    /// Retention, one desk at a time: SQLite's write lock; PostgreSQL's retention advisory
    /// lock, which another desk holding it makes `begin` answer false (skip, do nothing).
    Retention,
}

/// What each database offers the store. `what` names the operation for error messages
/// ("reading a record" → "… reading a record failed (…)").
pub trait Sql: Send {
    /// Which database, for messages ("desk.sqlite at …", "PostgreSQL at host/db").
    fn describe(&self) -> String;
    /// A server connection that was lost is made again before the next operation.
    fn reconnect_if_closed(&mut self) -> Result<(), DeskError> {
        Ok(())
    }
    /// Connected as the application role of SERVER.md §3 (PostgreSQL, not the owner):
    /// retention then runs as the owner's `hatarakitai_retention`.
    fn app_role(&self) -> bool {
        false
    }
    /// Runs a statement; the number of rows it changed.
    fn exec(&mut self, what: &str, sql: &str, p: &[Val]) -> Result<u64, DeskError>;
    /// Runs a statement and hands each row to `f`, in order.
    fn query(
        &mut self,
        what: &str,
        sql: &str,
        p: &[Val],
        f: &mut dyn FnMut(&dyn Row) -> Result<(), DeskError>,
    ) -> Result<(), DeskError>;
    /// Begins a transaction; false = `Lock::Retention` is held by another desk (nothing
    /// begun).
    fn begin(&mut self, what: &str, lock: Lock) -> Result<bool, DeskError>;
    fn commit(&mut self, what: &str) -> Result<(), DeskError>;
    /// Best effort: the transaction is abandoned whatever happens.
    fn rollback(&mut self);
}

/// `?N` → `$N` for PostgreSQL (no `?` appears in the statements otherwise).
pub fn postgres_text(sql: &str) -> Cow<'_, str> {
    if sql.contains('?') {
        Cow::Owned(sql.replace('?', "$"))
    } else {
        Cow::Borrowed(sql)
    }
}

/// The statement as SQLite runs it: without a trailing ` FOR UPDATE` (see the module comment).
pub fn sqlite_text(sql: &str) -> &str {
    sql.strip_suffix(" FOR UPDATE").unwrap_or(sql)
}

/// Every row, mapped.
pub fn rows<T>(
    db: &mut dyn Sql,
    what: &str,
    sql: &str,
    p: &[Val],
    map: impl Fn(&dyn Row) -> Result<T, DeskError>,
) -> Result<Vec<T>, DeskError> {
    let mut out = Vec::new();
    db.query(what, sql, p, &mut |r| {
        out.push(map(r)?);
        Ok(())
    })?;
    Ok(out)
}

/// The first row, mapped, if there is one.
pub fn first<T>(
    db: &mut dyn Sql,
    what: &str,
    sql: &str,
    p: &[Val],
    map: impl Fn(&dyn Row) -> Result<T, DeskError>,
) -> Result<Option<T>, DeskError> {
    let mut out = None;
    db.query(what, sql, p, &mut |r| {
        if out.is_none() {
            out = Some(map(r)?);
        }
        Ok(())
    })?;
    Ok(out)
}

/// The first row, which must exist (a count, an id just looked up).
pub fn one<T>(
    db: &mut dyn Sql,
    what: &str,
    sql: &str,
    p: &[Val],
    map: impl Fn(&dyn Row) -> Result<T, DeskError>,
) -> Result<T, DeskError> {
    first(db, what, sql, p, map)?.ok_or_else(|| {
        DeskError(format!(
            "{}: {what} failed (no row came back)",
            db.describe()
        ))
    })
}

/// Runs `f` in a transaction begun with `lock`: committed when it returns Ok, rolled back
/// when it fails. None = `Lock::Retention` was held by another desk (`f` did not run).
pub fn transaction<R>(
    db: &mut dyn Sql,
    begin: &str,
    lock: Lock,
    commit: &str,
    f: impl FnOnce(&mut dyn Sql) -> Result<R, DeskError>,
) -> Result<Option<R>, DeskError> {
    if !db.begin(begin, lock)? {
        return Ok(None);
    }
    match f(db) {
        Ok(r) => match db.commit(commit) {
            Ok(()) => Ok(Some(r)),
            Err(e) => {
                db.rollback();
                Err(e)
            }
        },
        Err(e) => {
            db.rollback();
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_become_dollars_for_postgres() {
        assert_eq!(
            super::postgres_text("UPDATE t SET a = ?2 WHERE b = ?1"),
            "UPDATE t SET a = $2 WHERE b = $1"
        );
        assert!(!super::postgres_text(super::super::trust_sql::STAFF_FAIL).contains('?'));
    }

    #[test]
    fn sqlite_has_no_row_locks() {
        assert_eq!(
            super::sqlite_text("SELECT 1 FROM t WHERE id = ?1 FOR UPDATE"),
            "SELECT 1 FROM t WHERE id = ?1"
        );
    }
}
