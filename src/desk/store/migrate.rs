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
use super::sqlite::SqliteStore;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    /// BIGINT in PostgreSQL.
    Int,
    Int32,
    Int16,
    OptInt,
    Text,
    Bool,
}

struct Table {
    name: &'static str,
    cols: &'static [(&'static str, Col)],
    order: &'static str,
    /// A BIGSERIAL column whose sequence must continue after the copied ids.
    serial: Option<&'static str>,
}

const TABLES: &[Table] = &[
    Table {
        name: "intake",
        cols: &[
            ("id", Col::Int),
            ("kiosk_id", Col::Int32),
            ("serial", Col::Int),
            ("issued_at", Col::Int),
            ("lang", Col::Text),
            ("questionnaire_version", Col::Int32),
            ("answers", Col::Text),
            ("routes", Col::Text),
            ("receipt_no", Col::Text),
            ("created_at", Col::Int),
            ("updated_at", Col::Int),
            ("name", Col::Text),
            ("furigana", Col::Text),
            ("contact", Col::Text),
            ("assigned_staff", Col::Text),
            ("next_action", Col::Text),
            ("notes", Col::Text),
            ("stage", Col::Int32),
            ("closed_at", Col::OptInt),
            ("version", Col::Int),
        ],
        order: "id",
        serial: Some("id"),
    },
    Table {
        name: "audit",
        cols: &[
            ("id", Col::Int),
            ("intake_id", Col::Int),
            ("at", Col::Int),
            ("who", Col::Text),
            ("field", Col::Text),
            ("old", Col::Text),
            ("new", Col::Text),
        ],
        order: "id",
        serial: Some("id"),
    },
    Table {
        name: "staff",
        cols: &[
            ("login", Col::Text),
            ("name", Col::Text),
            ("role", Col::Text),
            ("active", Col::Bool),
            ("hash", Col::Text),
            ("failures", Col::Int),
            ("locked_until", Col::OptInt),
            ("created_at", Col::Int),
        ],
        order: "login",
        serial: None,
    },
    Table {
        name: "access_log",
        cols: &[
            ("id", Col::Int),
            ("at", Col::Int),
            ("login", Col::Text),
            ("action", Col::Text),
            ("record_id", Col::OptInt),
            ("target", Col::Text),
        ],
        order: "id",
        serial: Some("id"),
    },
    Table {
        name: "kiosk_stats",
        cols: &[
            ("kiosk_id", Col::Int32),
            ("day", Col::Int32),
            ("hour", Col::Int16),
            ("metric", Col::Text),
            ("key", Col::Text),
            ("n", Col::Int),
            ("published_at", Col::Int),
        ],
        order: "kiosk_id, day, hour, metric, key",
        serial: None,
    },
    Table {
        name: "agency",
        cols: &[
            ("id", Col::Text),
            ("data", Col::Text),
            ("updated_at", Col::Int),
            ("updated_by", Col::Text),
        ],
        order: "id",
        serial: None,
    },
    Table {
        name: "agency_audit",
        cols: &[
            ("id", Col::Int),
            ("agency_id", Col::Text),
            ("at", Col::Int),
            ("who", Col::Text),
            ("field", Col::Text),
            ("old", Col::Text),
            ("new", Col::Text),
        ],
        order: "id",
        serial: Some("id"),
    },
    Table {
        name: "case_link",
        cols: &[
            ("id", Col::Int),
            ("intake_id", Col::Int),
            ("agency_id", Col::Text),
            ("role", Col::Text),
            ("from_day", Col::Text),
            ("to_day", Col::Text),
            ("consent_day", Col::Text),
            ("consent_scope", Col::Text),
            ("consent_by", Col::Text),
            ("created_at", Col::Int),
            ("created_by", Col::Text),
            ("person", Col::Text),
            ("consent_withdrawn", Col::Text),
        ],
        order: "id",
        serial: Some("id"),
    },
    Table {
        name: "contact",
        cols: &[
            ("id", Col::Int),
            ("intake_id", Col::Int),
            ("agency_id", Col::Text),
            ("at", Col::Int),
            ("method", Col::Text),
            ("direction", Col::Text),
            ("summary", Col::Text),
            ("who", Col::Text),
        ],
        order: "id",
        serial: Some("id"),
    },
    Table {
        name: "meeting",
        cols: &[
            ("id", Col::Int),
            ("intake_id", Col::Int),
            ("day", Col::Text),
            ("participants", Col::Text),
            ("agenda", Col::Text),
            ("decision", Col::Text),
            ("goal", Col::Text),
            ("goal_day", Col::Text),
            ("review_day", Col::Text),
            ("created_by", Col::Text),
            ("created_at", Col::Int),
        ],
        order: "id",
        serial: Some("id"),
    },
    Table {
        name: "assessment",
        cols: &[
            ("id", Col::Int),
            ("intake_id", Col::Int),
            ("day", Col::Text),
            ("ratings", Col::Text),
            ("notes", Col::Text),
            ("created_by", Col::Text),
            ("created_at", Col::Int),
        ],
        order: "id",
        serial: Some("id"),
    },
    Table {
        name: "followup",
        cols: &[
            ("id", Col::Int),
            ("intake_id", Col::Int),
            ("kind", Col::Text),
            ("phase", Col::Text),
            ("from_day", Col::Text),
            ("to_day", Col::Text),
            ("due_day", Col::Text),
            ("note", Col::Text),
            ("done_day", Col::Text),
            ("done_by", Col::Text),
            ("created_by", Col::Text),
            ("created_at", Col::Int),
        ],
        order: "id",
        serial: Some("id"),
    },
    Table {
        name: "consent_event",
        cols: &[
            ("id", Col::Int),
            ("link_id", Col::Int),
            ("intake_id", Col::Int),
            ("kind", Col::Text),
            ("day", Col::Text),
            ("scope", Col::Text),
            ("note", Col::Text),
            ("who", Col::Text),
            ("at", Col::Int),
        ],
        order: "id",
        serial: Some("id"),
    },
    Table {
        name: "maintenance",
        cols: &[("name", Col::Text), ("last_run", Col::Int)],
        order: "name",
        serial: None,
    },
];

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
    let cols: Vec<&str> = t.cols.iter().map(|c| c.0).collect();
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
            t.cols
                .iter()
                .enumerate()
                .map(|(i, (_, c))| {
                    Ok(match c {
                        Col::Int | Col::Int32 | Col::Int16 => V::I(r.get(i)?),
                        Col::OptInt => r.get::<_, Option<i64>>(i)?.map_or(V::Null, V::I),
                        Col::Text => V::T(r.get(i)?),
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
        let mut row = Vec::with_capacity(t.cols.len());
        for (i, (_, c)) in t.cols.iter().enumerate() {
            row.push(match c {
                Col::Int => V::I(r.try_get(i)?),
                Col::Int32 => V::I(i64::from(r.try_get::<_, i32>(i)?)),
                Col::Int16 => V::I(i64::from(r.try_get::<_, i16>(i)?)),
                Col::OptInt => r.try_get::<_, Option<i64>>(i)?.map_or(V::Null, V::I),
                Col::Text => V::T(r.try_get(i)?),
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
    let name = super::Backend::describe(dst);
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
        let cols: Vec<&str> = t.cols.iter().map(|c| c.0).collect();
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
                .zip(t.cols)
                .map(|(v, (_, c))| param(v, *c, t.name))
                .collect::<Result<_, _>>()?;
            let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(AsRef::as_ref).collect();
            tx.execute(&st, &refs).map_err(pg("copying rows"))?;
        }
        if let Some(col) = t.serial {
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
