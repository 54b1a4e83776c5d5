//! `desk.sqlite`, the store of a one-PC centre: the `Sql` backend on one rusqlite connection.
//! Personal data lives here, so the file is created 0600 and nothing from it is ever logged.

use std::path::Path;

use rusqlite::Connection;
use rusqlite::types::{ToSqlOutput, Value};

use super::DeskError;
use super::schema::{self, Dialect};
use super::sql::{self, Lock, Row, Sql, Val};

/// The desk schema this code speaks (`user_version` after the last step; PostgreSQL's
/// `hatarakitai_schema` has the same steps).
pub const SCHEMA_VERSION: i64 = schema::VERSION;

fn db_err<'a>(what: &'a str, path: &'a str) -> impl Fn(rusqlite::Error) -> DeskError + 'a {
    move |e| {
        DeskError(format!(
            "desk database {path}: {what} failed ({e}); if this repeats, check free disk space and restart the desk"
        ))
    }
}

pub struct SqliteStore {
    conn: Connection,
    path: String,
}

impl SqliteStore {
    /// The connection, for `desk migrate`'s copy.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Opens or creates `desk.sqlite` with the project's one database opener (0600 files, WAL,
    /// `synchronous=FULL`, `quick_check`, migrations by `user_version`, a writability check).
    pub fn open(path: &Path) -> Result<SqliteStore, DeskError> {
        let steps: Vec<&str> = schema::steps(Dialect::Sqlite)
            .iter()
            .map(String::as_str)
            .collect();
        let conn =
            crate::store::open_db(path, true, &steps).map_err(|e| DeskError(e.to_string()))?;
        let shown = path.display().to_string();
        conn.execute_batch("PRAGMA foreign_keys=ON;")
            .map_err(db_err("setting foreign keys", &shown))?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(SqliteStore {
            conn,
            path: path.display().to_string(),
        })
    }
}

impl rusqlite::ToSql for Val<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Val::I64(n) => ToSqlOutput::Owned(Value::Integer(n)),
            Val::OptI64(n) => ToSqlOutput::Owned(n.map_or(Value::Null, Value::Integer)),
            Val::Text(s) => ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(s.as_bytes())),
            Val::Bool(b) => ToSqlOutput::Owned(Value::Integer(i64::from(b))),
        })
    }
}

struct SqliteRow<'a, 'r> {
    row: &'a rusqlite::Row<'r>,
    what: &'a str,
    path: &'a str,
}

impl SqliteRow<'_, '_> {
    fn get<T: rusqlite::types::FromSql>(&self, i: usize) -> Result<T, DeskError> {
        self.row.get(i).map_err(db_err(self.what, self.path))
    }
}

impl Row for SqliteRow<'_, '_> {
    fn i64(&self, i: usize) -> Result<i64, DeskError> {
        self.get(i)
    }
    fn opt_i64(&self, i: usize) -> Result<Option<i64>, DeskError> {
        self.get(i)
    }
    fn text(&self, i: usize) -> Result<String, DeskError> {
        self.get(i)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, DeskError> {
        self.get(i)
    }
    fn bool(&self, i: usize) -> Result<bool, DeskError> {
        self.get(i)
    }
}

impl Sql for SqliteStore {
    fn describe(&self) -> String {
        format!("desk.sqlite at {}", self.path)
    }

    fn exec(&mut self, what: &str, text: &str, p: &[Val]) -> Result<u64, DeskError> {
        let err = db_err(what, &self.path);
        let mut st = self
            .conn
            .prepare_cached(sql::sqlite_text(text))
            .map_err(&err)?;
        // A statement with RETURNING answers rows: step through them all.
        if st.column_count() > 0 {
            let mut rows = st.query(rusqlite::params_from_iter(p)).map_err(&err)?;
            let mut n = 0;
            while rows.next().map_err(&err)?.is_some() {
                n += 1;
            }
            return Ok(n);
        }
        st.execute(rusqlite::params_from_iter(p))
            .map(|n| n as u64)
            .map_err(&err)
    }

    fn query(
        &mut self,
        what: &str,
        text: &str,
        p: &[Val],
        f: &mut dyn FnMut(&dyn Row) -> Result<(), DeskError>,
    ) -> Result<(), DeskError> {
        let err = db_err(what, &self.path);
        let mut st = self
            .conn
            .prepare_cached(sql::sqlite_text(text))
            .map_err(&err)?;
        let mut rows = st.query(rusqlite::params_from_iter(p)).map_err(&err)?;
        while let Some(row) = rows.next().map_err(&err)? {
            f(&SqliteRow {
                row,
                what,
                path: &self.path,
            })?;
        }
        Ok(())
    }

    fn begin(&mut self, what: &str, lock: Lock) -> Result<bool, DeskError> {
        // IMMEDIATE takes the write lock now: one desk at a time decides and writes.
        let begin = match lock {
            Lock::None => "BEGIN",
            Lock::Write | Lock::Retention => "BEGIN IMMEDIATE",
        };
        self.conn
            .execute_batch(begin)
            .map_err(db_err(what, &self.path))?;
        Ok(true)
    }

    fn commit(&mut self, what: &str) -> Result<(), DeskError> {
        self.conn
            .execute_batch("COMMIT")
            .map_err(db_err(what, &self.path))
    }

    fn rollback(&mut self) {
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}
