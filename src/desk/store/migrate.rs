//! `hatarakitai desk migrate --to postgresql://…` (TEAM.md §2): a one-PC centre moves its
//! `desk.sqlite` (records, audit, accounts, access log, published kiosk figures, the agency
//! directory, each case's network and contacts, meetings, assessments and follow-ups) into an
//! empty PostgreSQL database. Everything is copied in one transaction and read back before it
//! commits: row counts and a SHA-256 per table over the rows in key order must match the
//! source, or nothing is kept. A target that holds any row is refused (so a second run
//! cannot double anything).

use std::fmt::Write as _;

use postgres::types::ToSql;
use sha2::{Digest, Sha256};

use super::DeskError;
use super::postgres::PgStore;
use super::schema::{self, Column, TABLES, Table, Ty};
use super::sqlite::SqliteStore;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    /// BIGINT in PostgreSQL.
    Int,
    Int32,
    Int16,
    OptInt,
    Text,
    /// A text that may be NULL (the lobby's who-answered columns).
    OptText,
    Bool,
}

/// How a column of the definition (`schema::TABLES`) is read and written.
fn col(c: &Column) -> Col {
    match c.ty {
        Ty::Id | Ty::Int64 | Ty::BigInt if c.null => Col::OptInt,
        Ty::Id | Ty::Int64 | Ty::BigInt => Col::Int,
        Ty::Int32 => Col::Int32,
        Ty::Int16 => Col::Int16,
        Ty::Text if c.null => Col::OptText,
        Ty::Text => Col::Text,
        Ty::Bool => Col::Bool,
    }
}

/// The auto-numbered column whose sequence must continue after the copied ids.
fn serial(t: &Table) -> Option<&'static str> {
    t.columns.iter().find(|c| c.ty == Ty::Id).map(|c| c.name)
}

/// The columns `desk migrate` copies and checks: every column of every table.
pub fn columns(table: &str) -> Option<Vec<&'static str>> {
    schema::table_named(table).map(|t| t.columns.iter().map(|c| c.name).collect())
}

#[derive(Debug, Clone, PartialEq)]
enum V {
    I(i64),
    T(String),
    B(bool),
    Null,
}

impl V {
    fn canonical(&self, out: &mut String) {
        match self {
            V::I(n) => {
                let _ = write!(out, "{n}");
            }
            // Tabs, newlines and backslashes escaped, so the text cannot fake a row boundary.
            V::T(s) => {
                for c in s.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\t' => out.push_str("\\t"),
                        '\n' => out.push_str("\\n"),
                        c => out.push(c),
                    }
                }
            }
            V::B(b) => out.push(if *b { 't' } else { 'f' }),
            V::Null => out.push_str("\\N"),
        }
    }
}

/// What one table's copy came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub table: &'static str,
    pub rows: u64,
    pub sha256: String,
}

#[derive(Default)]
struct Digest256 {
    h: Sha256,
    rows: u64,
    line: String,
}

impl Digest256 {
    fn row(&mut self, values: &[V]) {
        self.line.clear();
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.line.push('\t');
            }
            v.canonical(&mut self.line);
        }
        self.line.push('\n');
        self.h.update(self.line.as_bytes());
        self.rows += 1;
    }
    fn finish(self) -> (u64, String) {
        let d = self.h.finalize();
        (
            self.rows,
            d.iter().fold(String::new(), |mut s, b| {
                let _ = write!(s, "{b:02x}");
                s
            }),
        )
    }
}

fn select(t: &Table) -> String {
    let cols: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
    format!(
        "SELECT {} FROM {} ORDER BY {}",
        cols.join(", "),
        t.name,
        t.order
    )
}

fn sqlite_rows(src: &SqliteStore, t: &Table) -> Result<Vec<Vec<V>>, DeskError> {
    let fail =
        |e: rusqlite::Error| DeskError(format!("reading {} from desk.sqlite failed ({e})", t.name));
    let mut st = src.conn().prepare(&select(t)).map_err(fail)?;
    let rows = st
        .query_map([], |r| {
            t.columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    Ok(match col(c) {
                        Col::Int | Col::Int32 | Col::Int16 => V::I(r.get(i)?),
                        Col::OptInt => r.get::<_, Option<i64>>(i)?.map_or(V::Null, V::I),
                        Col::Text => V::T(r.get(i)?),
                        Col::OptText => r.get::<_, Option<String>>(i)?.map_or(V::Null, V::T),
                        Col::Bool => V::B(r.get::<_, i64>(i)? != 0),
                    })
                })
                .collect::<Result<Vec<V>, rusqlite::Error>>()
        })
        .map_err(fail)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail)?;
    Ok(rows)
}

fn pg_rows(tx: &mut postgres::Transaction<'_>, t: &Table) -> Result<Vec<Vec<V>>, postgres::Error> {
    let mut out = Vec::new();
    for r in tx.query(&select(t), &[])? {
        let mut row = Vec::with_capacity(t.columns.len());
        for (i, c) in t.columns.iter().enumerate() {
            row.push(match col(c) {
                Col::Int => V::I(r.try_get(i)?),
                Col::Int32 => V::I(i64::from(r.try_get::<_, i32>(i)?)),
                Col::Int16 => V::I(i64::from(r.try_get::<_, i16>(i)?)),
                Col::OptInt => r.try_get::<_, Option<i64>>(i)?.map_or(V::Null, V::I),
                Col::Text => V::T(r.try_get(i)?),
                Col::OptText => r.try_get::<_, Option<String>>(i)?.map_or(V::Null, V::T),
                Col::Bool => V::B(r.try_get(i)?),
            });
        }
        out.push(row);
    }
    Ok(out)
}

fn param(v: &V, c: Col, table: &str) -> Result<Box<dyn ToSql + Sync>, DeskError> {
    let range = || {
        DeskError(format!(
            "{table}: a number in desk.sqlite does not fit PostgreSQL's column; nothing was copied"
        ))
    };
    Ok(match (v, c) {
        (V::I(n), Col::Int) => Box::new(*n),
        (V::I(n), Col::Int32) => Box::new(i32::try_from(*n).map_err(|_| range())?),
        (V::I(n), Col::Int16) => Box::new(i16::try_from(*n).map_err(|_| range())?),
        (V::I(n), Col::OptInt) => Box::new(Some(*n)),
        (V::Null, Col::OptInt) => Box::new(None::<i64>),
        (V::T(s), Col::Text) => Box::new(s.clone()),
        (V::T(s), Col::OptText) => Box::new(Some(s.clone())),
        (V::Null, Col::OptText) => Box::new(None::<String>),
        (V::B(b), Col::Bool) => Box::new(*b),
        _ => {
            return Err(DeskError(format!(
                "{table}: unexpected value in desk.sqlite; nothing was copied"
            )));
        }
    })
}

fn digest(rows: &[Vec<V>]) -> (u64, String) {
    let mut d = Digest256::default();
    rows.iter().for_each(|r| d.row(r));
    d.finish()
}

/// Copies `src` into `dst` (which must be empty) and verifies before committing.
pub fn copy(src: &SqliteStore, dst: &mut PgStore) -> Result<Vec<Copied>, DeskError> {
    let name = super::sql::Sql::describe(dst);
    let pg = |what: &'static str| {
        let name = name.clone();
        move |e: postgres::Error| {
            DeskError(format!(
                "{name}: {what} failed ({}); nothing was copied",
                e.as_db_error()
                    .map(|d| d.message().to_string())
                    .unwrap_or_else(|| e.to_string())
            ))
        }
    };
    let mut tx = dst
        .client()
        .transaction()
        .map_err(pg("starting the copy"))?;
    for t in TABLES {
        let n: i64 = tx
            .query_one(&format!("SELECT count(*) FROM {}", t.name), &[])
            .and_then(|r| r.try_get(0))
            .map_err(pg("looking at the target"))?;
        if n > 0 {
            return Err(DeskError(format!(
                "{name} is not empty ({} holds {n} rows): `desk migrate` only copies into an empty database, so nothing is counted twice. Nothing was changed. To copy again, drop and re-create that database first.",
                t.name
            )));
        }
    }
    let mut report = Vec::new();
    for t in TABLES {
        let rows = sqlite_rows(src, t)?;
        let cols: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
        let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
        let st = tx
            .prepare(&format!(
                "INSERT INTO {} ({}) VALUES ({})",
                t.name,
                cols.join(", "),
                placeholders.join(", ")
            ))
            .map_err(pg("preparing the copy"))?;
        for row in &rows {
            let params: Vec<Box<dyn ToSql + Sync>> = row
                .iter()
                .zip(t.columns)
                .map(|(v, c)| param(v, col(c), t.name))
                .collect::<Result<_, _>>()?;
            let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(AsRef::as_ref).collect();
            tx.execute(&st, &refs).map_err(pg("copying rows"))?;
        }
        if let Some(col) = serial(t) {
            tx.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', '{1}'), COALESCE((SELECT max({1}) FROM {0}), 0) + 1, false)",
                    t.name, col
                ),
                &[],
            )
            .map_err(pg("moving the id sequence on"))?;
        }
        // Read back what the server now holds, and compare.
        let (src_rows, src_sum) = digest(&rows);
        let back = pg_rows(&mut tx, t).map_err(pg("reading the copy back"))?;
        let (dst_rows, dst_sum) = digest(&back);
        if (src_rows, &src_sum) != (dst_rows, &dst_sum) {
            return Err(DeskError(format!(
                "{name}: {} does not match after copying ({src_rows} rows, sha256 {src_sum} in desk.sqlite; {dst_rows} rows, sha256 {dst_sum} on the server); nothing was kept",
                t.name
            )));
        }
        report.push(Copied {
            table: t.name,
            rows: src_rows,
            sha256: src_sum,
        });
    }
    tx.commit().map_err(pg("committing the copy"))?;
    Ok(report)
}

/// Counts and SHA-256 of the tables as they are in `src` (for tests and the report).
pub fn sqlite_digests(src: &SqliteStore) -> Result<Vec<Copied>, DeskError> {
    TABLES
        .iter()
        .map(|t| {
            let (rows, sha256) = digest(&sqlite_rows(src, t)?);
            Ok(Copied {
                table: t.name,
                rows,
                sha256,
            })
        })
        .collect()
}
