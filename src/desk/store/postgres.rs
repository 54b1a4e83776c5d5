//! The team's store: every desk of a centre on one PostgreSQL database (TEAM.md §2), as the
//! `Sql` backend. Same behaviour as `sqlite`; the differences are the database's own (see
//! `sql`): `$n` parameters, integer widths and booleans converted to the column's type,
//! row locks, and a schema table with an advisory lock so two desks starting at the same
//! moment migrate once.
//!
//! Reaching the server (URL, password file, TLS) is `crate::store::pg`.

use std::collections::HashMap;

use postgres::types::{ToSql, Type};
use postgres::{Client, Statement};

use super::DeskError;
use super::schema::{self, Dialect};
use super::sql::{self, Lock, Row, Sql, Val};
pub use crate::store::pg::PgTarget;

pub struct PgStore {
    client: Client,
    name: String,
    /// To connect again after the server restarted or the network dropped.
    target: PgTarget,
    /// Prepared statements by their text (dropped with the connection).
    statements: HashMap<String, Statement>,
    /// Connected as the application role, not the owner (SERVER.md §3): no DDL, retention
    /// only through the owner's `hatarakitai_retention`.
    app_role: bool,
}

fn pg_err<'a>(what: &'a str, name: &'a str) -> impl Fn(postgres::Error) -> DeskError + 'a {
    move |e| {
        let detail = e
            .as_db_error()
            .map(|d| d.message().to_string())
            .unwrap_or_else(|| e.to_string());
        let hint = if e.is_closed() || detail.contains("connect") || detail.contains("Connection") {
            "; check that the server is running and reachable from this PC, then try again (your edits are kept)"
        } else {
            ""
        };
        DeskError(format!("{name}: {what} failed ({detail}){hint}"))
    }
}

/// Statements are prepared once and kept (`PgStore::statement`), but planned for each run's
/// own values: a generic plan cannot use the search's and the due list's optional filters
/// (`?3 = '%%' OR name LIKE ?3`) and made them 1.3–2.7× slower than the unnamed statements
/// the desk used before.
fn custom_plans(client: &mut Client, name: &str) -> Result<(), DeskError> {
    client
        .batch_execute("SET plan_cache_mode = force_custom_plan")
        .map_err(pg_err("setting up the session", name))
}

impl PgStore {
    /// Connects and brings the schema up to date (or refuses a schema newer than this desk).
    pub fn connect(t: &PgTarget) -> Result<PgStore, DeskError> {
        let name = t.describe();
        let mut client = t
            .connect("hatarakitai-desk", std::time::Duration::from_secs(5))
            .map_err(DeskError)?;
        let app_role = migrate(&mut client, &name)?;
        custom_plans(&mut client, &name)?;
        Ok(PgStore {
            client,
            name,
            target: t.clone(),
            statements: HashMap::new(),
            app_role,
        })
    }

    /// The client, for the tests' own checks and `desk migrate`.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }

    fn statement(&mut self, what: &str, text: &str) -> Result<Statement, DeskError> {
        if let Some(st) = self.statements.get(text) {
            return Ok(st.clone());
        }
        let st = self
            .client
            .prepare(&sql::postgres_text(text))
            .map_err(pg_err(what, &self.name))?;
        // The council's statements carry their months: keep the cache small.
        if self.statements.len() >= 256 {
            self.statements.clear();
        }
        self.statements.insert(text.to_string(), st.clone());
        Ok(st)
    }

    /// The values as the statement's parameter types want them.
    fn bind(
        &self,
        what: &str,
        st: &Statement,
        p: &[Val],
    ) -> Result<Vec<Box<dyn ToSql + Sync>>, DeskError> {
        let bad = |i: usize| {
            DeskError(format!(
                "{}: {what} failed (parameter {} does not fit its column)",
                self.name,
                i + 1
            ))
        };
        st.params()
            .iter()
            .zip(p)
            .enumerate()
            .map(|(i, (ty, v))| {
                let n = match *v {
                    Val::I64(n) => Some(n),
                    Val::OptI64(n) => n,
                    Val::Bool(b) => Some(i64::from(b)),
                    Val::Text(s) => {
                        return Ok(Box::new(s.to_string()) as Box<dyn ToSql + Sync>);
                    }
                };
                Ok(match *ty {
                    Type::INT2 => Box::new(n.map(i16::try_from).transpose().map_err(|_| bad(i))?)
                        as Box<dyn ToSql + Sync>,
                    Type::INT4 => Box::new(n.map(i32::try_from).transpose().map_err(|_| bad(i))?),
                    Type::BOOL => Box::new(n.map(|n| n != 0)),
                    _ => Box::new(n),
                })
            })
            .collect()
    }
}

/// An advisory lock number for the schema (any constant shared by every desk).
const SCHEMA_LOCK: i64 = 0x6861_7461_7261;
/// … and one for retention, held by the desk running it.
const RETENTION_LOCK: i64 = 0x6861_7461_7262;

/// Whether this connection is not the schema's owner (the application role of SERVER.md
/// §3): such a role only reads the schema's version and refuses any other than its own.
fn is_app_role(client: &mut Client, name: &str) -> Result<bool, DeskError> {
    let row = client
        .query_one(
            "SELECT (SELECT tableowner <> current_user FROM pg_tables
                 WHERE schemaname = current_schema() AND tablename = 'hatarakitai_schema')",
            &[],
        )
        .map_err(pg_err("checking the database role", name))?;
    let app: Option<bool> = row
        .try_get(0)
        .map_err(pg_err("checking the database role", name))?;
    Ok(app.unwrap_or(false))
}

/// The application role's check: the schema must be exactly this program's.
fn check_version(client: &mut Client, name: &str) -> Result<(), DeskError> {
    let row = client
        .query_opt("SELECT version FROM hatarakitai_schema", &[])
        .map_err(pg_err("reading the schema version", name))?;
    let have: i32 = match row {
        Some(r) => r
            .try_get(0)
            .map_err(pg_err("reading the schema version", name))?,
        None => 0,
    };
    let known = schema::steps(Dialect::Postgres).len() as i32;
    if have == known {
        return Ok(());
    }
    let what = if have < known { "older" } else { "newer" };
    Err(DeskError(format!(
        "{name}: the database has schema version {have}, {what} than this program's ({known}); the application role changes no schema: the administrator runs `hatarakitai db upgrade` as the database's owner with this version of hatarakitai (nothing was changed)"
    )))
}

/// Brings the schema up to date as its owner; as the application role, only checks it.
/// Returns whether this is the application role.
fn migrate(client: &mut Client, name: &str) -> Result<bool, DeskError> {
    if is_app_role(client, name)? {
        check_version(client, name)?;
        return Ok(true);
    }
    owner_migrate(client, name)?;
    Ok(false)
}

fn owner_migrate(client: &mut Client, name: &str) -> Result<(), DeskError> {
    let mut tx = client
        .transaction()
        .map_err(pg_err("starting the schema check", name))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])
        .map_err(pg_err("locking the schema", name))?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS hatarakitai_schema (version INTEGER NOT NULL)")
        .map_err(pg_err("reading the schema version", name))?;
    let row = tx
        .query_opt("SELECT version FROM hatarakitai_schema", &[])
        .map_err(pg_err("reading the schema version", name))?;
    let have: i32 = match row {
        Some(r) => r
            .try_get(0)
            .map_err(pg_err("reading the schema version", name))?,
        None => {
            tx.execute("INSERT INTO hatarakitai_schema (version) VALUES (0)", &[])
                .map_err(pg_err("writing the schema version", name))?;
            0
        }
    };
    let steps = schema::steps(Dialect::Postgres);
    let known = steps.len() as i32;
    if have > known {
        return Err(DeskError(format!(
            "{name}: the database has schema version {have}, newer than this desk knows ({known}); update hatarakitai on this PC before using it here (nothing was changed)"
        )));
    }
    for (i, m) in steps.iter().enumerate().skip(have as usize) {
        tx.batch_execute(m)
            .map_err(pg_err("upgrading the schema", name))?;
        tx.execute(
            "UPDATE hatarakitai_schema SET version = $1",
            &[&(i as i32 + 1)],
        )
        .map_err(pg_err("writing the schema version", name))?;
    }
    tx.commit().map_err(pg_err("upgrading the schema", name))
}

struct PgRow<'a> {
    row: &'a postgres::Row,
    what: &'a str,
    name: &'a str,
}

impl PgRow<'_> {
    fn get<T: for<'b> postgres::types::FromSql<'b>>(&self, i: usize) -> Result<T, DeskError> {
        self.row.try_get(i).map_err(pg_err(self.what, self.name))
    }
}

impl Row for PgRow<'_> {
    fn i64(&self, i: usize) -> Result<i64, DeskError> {
        self.opt_i64(i)?.ok_or_else(|| {
            DeskError(format!(
                "{}: {} failed (column {i} is NULL)",
                self.name, self.what
            ))
        })
    }
    fn opt_i64(&self, i: usize) -> Result<Option<i64>, DeskError> {
        match self.row.columns().get(i).map(|c| c.type_().clone()) {
            Some(Type::INT2) => Ok(self.get::<Option<i16>>(i)?.map(i64::from)),
            Some(Type::INT4) => Ok(self.get::<Option<i32>>(i)?.map(i64::from)),
            Some(Type::BOOL) => Ok(self.get::<Option<bool>>(i)?.map(i64::from)),
            _ => self.get(i),
        }
    }
    fn text(&self, i: usize) -> Result<String, DeskError> {
        self.get(i)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, DeskError> {
        self.get(i)
    }
    fn bool(&self, i: usize) -> Result<bool, DeskError> {
        match self.row.columns().get(i).map(|c| c.type_().clone()) {
            Some(Type::BOOL) => self.get(i),
            _ => Ok(self.i64(i)? != 0),
        }
    }
}

impl Sql for PgStore {
    fn describe(&self) -> String {
        self.name.clone()
    }

    fn app_role(&self) -> bool {
        self.app_role
    }

    fn reconnect_if_closed(&mut self) -> Result<(), DeskError> {
        if self.client.is_closed() {
            let mut client = self
                .target
                .connect("hatarakitai-desk", std::time::Duration::from_secs(5))
                .map_err(|e| DeskError(format!("{e} (your edits are kept: try again)")))?;
            migrate(&mut client, &self.name)?;
            custom_plans(&mut client, &self.name)?;
            self.client = client;
            self.statements.clear();
        }
        Ok(())
    }

    fn exec(&mut self, what: &str, text: &str, p: &[Val]) -> Result<u64, DeskError> {
        let st = self.statement(what, text)?;
        let params = self.bind(what, &st, p)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(AsRef::as_ref).collect();
        self.client
            .execute(&st, &refs)
            .map_err(pg_err(what, &self.name))
    }

    fn query(
        &mut self,
        what: &str,
        text: &str,
        p: &[Val],
        f: &mut dyn FnMut(&dyn Row) -> Result<(), DeskError>,
    ) -> Result<(), DeskError> {
        let st = self.statement(what, text)?;
        let params = self.bind(what, &st, p)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(AsRef::as_ref).collect();
        let rows = self
            .client
            .query(&st, &refs)
            .map_err(pg_err(what, &self.name))?;
        for row in &rows {
            f(&PgRow {
                row,
                what,
                name: &self.name,
            })?;
        }
        Ok(())
    }

    fn begin(&mut self, what: &str, lock: Lock) -> Result<bool, DeskError> {
        self.client
            .batch_execute("BEGIN")
            .map_err(pg_err(what, &self.name))?;
        if lock == Lock::Retention {
            // One desk at a time: the others skip (they will find the day's run done).
            let got = self
                .client
                .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&RETENTION_LOCK])
                .and_then(|r| r.try_get::<_, bool>(0))
                .map_err(pg_err("locking retention", &self.name));
            if !matches!(got, Ok(true)) {
                self.rollback();
                return got.map(|_| false);
            }
        }
        Ok(true)
    }

    fn commit(&mut self, what: &str) -> Result<(), DeskError> {
        self.client
            .batch_execute("COMMIT")
            .map_err(pg_err(what, &self.name))
    }

    fn rollback(&mut self) {
        if !self.client.is_closed() {
            let _ = self.client.batch_execute("ROLLBACK");
        }
    }
}
