//! The desk's tables are defined once (`desk::store::schema`); these tests compare that
//! definition with what the databases really hold — SQLite's `PRAGMA table_info` and
//! PostgreSQL's `information_schema.columns`: every table, every column, in order, with its
//! type — for a fresh database and for one upgraded from the shipped schema 6 (the
//! `desk-v6.sqlite` fixture; on PostgreSQL, the DDL those desks ran). And `desk migrate`
//! copies every column the file holds, value for value.

mod pg_support;

use std::path::{Path, PathBuf};

use hatarakitai::desk::store::DeskStore;
use hatarakitai::desk::store::schema::{Dialect, TABLES, Ty};
use rusqlite::Connection;
use rusqlite::types::ValueRef;

/// (table, [(column, type)]) as the definition says, for `d`.
fn defined(d: Dialect) -> Vec<(String, Vec<(String, String)>)> {
    TABLES
        .iter()
        .map(|t| {
            let cols = t
                .columns
                .iter()
                .map(|c| {
                    let ty = match d {
                        Dialect::Sqlite => c.ty.declared(d).to_string(),
                        Dialect::Postgres => c.ty.pg_data_type().to_string(),
                    };
                    (c.name.to_string(), ty)
                })
                .collect();
            (t.name.to_string(), cols)
        })
        .collect()
}

fn sorted(mut v: Vec<(String, Vec<(String, String)>)>) -> Vec<(String, Vec<(String, String)>)> {
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// What the SQLite file holds, by `PRAGMA table_info`.
fn sqlite_columns(path: &Path) -> Vec<(String, Vec<(String, String)>)> {
    let c = Connection::open(path).unwrap();
    let names: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    names
        .into_iter()
        .map(|t| {
            let cols = c
                .prepare(&format!("PRAGMA table_info({t})"))
                .unwrap()
                .query_map([], |r| Ok((r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            (t, cols)
        })
        .collect()
}

/// What the PostgreSQL database holds, by `information_schema.columns` (the desk's own
/// `hatarakitai_schema` aside).
fn pg_columns(c: &mut postgres::Client) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for r in c
        .query(
            "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> 'hatarakitai_schema'
             ORDER BY table_name, ordinal_position",
            &[],
        )
        .unwrap()
    {
        let (t, col, ty): (String, String, String) = (r.get(0), r.get(1), r.get(2));
        match out.last_mut() {
            Some((name, cols)) if *name == t => cols.push((col, ty)),
            _ => out.push((t, vec![(col, ty)])),
        }
    }
    out
}

fn fixture(dir: &Path) -> PathBuf {
    let dst = dir.join("desk.sqlite");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/desk-v6.sqlite"),
        &dst,
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(0o600)).unwrap();
    dst
}

#[test]
fn sqlite_fresh_and_upgraded_hold_exactly_the_defined_columns() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.sqlite");
    drop(DeskStore::open(&fresh).unwrap());
    let want = sorted(defined(Dialect::Sqlite));
    assert_eq!(sqlite_columns(&fresh), want, "a fresh desk.sqlite");
    let old = fixture(dir.path());
    drop(DeskStore::open(&old).unwrap());
    assert_eq!(sqlite_columns(&old), want, "desk-v6.sqlite upgraded");
}

#[test]
fn postgres_fresh_and_upgraded_hold_exactly_the_defined_columns() {
    use hatarakitai::desk::store::postgres::PgTarget;
    let Some(pg) = pg_support::server() else {
        return;
    };
    let want = sorted(defined(Dialect::Postgres));
    let url = pg.new_database("schema_fresh");
    drop(DeskStore::connect(&PgTarget::new(&url, None).unwrap()).unwrap());
    assert_eq!(pg_columns(&mut pg.client(&url)), want, "a fresh database");

    // A server the desks of schema 6 set up, with their own DDL, then upgraded by today's.
    let url = pg.new_database("schema_v6");
    let mut c = pg.client(&url);
    let v6 = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/desk-v6-postgres-ddl.sql"),
    )
    .unwrap();
    c.batch_execute(&v6).unwrap();
    c.batch_execute(
        "CREATE TABLE hatarakitai_schema (version INTEGER NOT NULL);
         INSERT INTO hatarakitai_schema (version) VALUES (6);",
    )
    .unwrap();
    drop(DeskStore::connect(&PgTarget::new(&url, None).unwrap()).unwrap());
    let version: i32 = c
        .query_one("SELECT version FROM hatarakitai_schema", &[])
        .unwrap()
        .get(0);
    assert_eq!(
        i64::from(version),
        hatarakitai::desk::store::sqlite::SCHEMA_VERSION
    );
    assert_eq!(pg_columns(&mut c), want, "a schema-6 server upgraded");
}

#[test]
fn the_definitions_types_are_the_fields() {
    // The spellings the databases in the field use; changing one would make a fresh database
    // differ from an upgraded one.
    assert_eq!(Ty::Id.declared(Dialect::Sqlite), "INTEGER");
    assert_eq!(Ty::Id.declared(Dialect::Postgres), "BIGSERIAL");
    assert_eq!(Ty::Int64.declared(Dialect::Sqlite), "INTEGER");
    assert_eq!(Ty::Int64.declared(Dialect::Postgres), "BIGINT");
    assert_eq!(Ty::Int32.declared(Dialect::Postgres), "INTEGER");
    assert_eq!(Ty::Bool.declared(Dialect::Postgres), "BOOLEAN");
}

/// Every value of every column of `table`, as text, in the definition's key order.
fn sqlite_values(c: &Connection, table: &str, cols: &[String], order: &str) -> Vec<Vec<String>> {
    let mut st = c
        .prepare(&format!(
            "SELECT {} FROM {table} ORDER BY {order}",
            cols.join(", ")
        ))
        .unwrap();
    st.query_map([], |r| {
        Ok((0..cols.len())
            .map(|i| match r.get_ref(i).unwrap() {
                ValueRef::Null => "NULL".to_string(),
                ValueRef::Integer(v) => v.to_string(),
                ValueRef::Real(v) => v.to_string(),
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                ValueRef::Blob(b) => format!("{b:?}"),
            })
            .collect())
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn pg_values(
    c: &mut postgres::Client,
    table: &str,
    cols: &[String],
    order: &str,
) -> Vec<Vec<String>> {
    // Booleans as SQLite keeps them (0/1); everything else as its text.
    let exprs: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(i, col)| format!("CASE WHEN pg_typeof(t.{col}) = 'boolean'::regtype THEN (CASE WHEN t.{col}::text = 'true' THEN '1' ELSE '0' END) ELSE t.{col}::text END AS v{i}"))
        .collect();
    c.query(
        &format!(
            "SELECT {} FROM {table} t ORDER BY {order}",
            exprs.join(", ")
        ),
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| {
        (0..cols.len())
            .map(|i| {
                r.get::<_, Option<String>>(i)
                    .unwrap_or_else(|| "NULL".into())
            })
            .collect()
    })
    .collect()
}

#[test]
fn desk_migrate_copies_every_column_of_every_table() {
    use hatarakitai::desk::store::postgres::{PgStore, PgTarget};
    use hatarakitai::desk::store::{migrate, schema, sqlite::SqliteStore};
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path());
    drop(DeskStore::open(&path).unwrap());
    // Values in the columns of the last step too (the fixture predates them), none a default.
    let c = Connection::open(&path).unwrap();
    c.execute_batch(
        "UPDATE access_log SET target = 'sato' WHERE id = (SELECT MIN(id) FROM access_log);
         UPDATE case_link SET consent_withdrawn = '2026-03-01';
         INSERT INTO consent_event (link_id, intake_id, kind, day, scope, note, who, at)
             SELECT id, intake_id, 'withdrawn', '2026-03-01', '', 'by phone', 'boss', 1770000000 FROM case_link;
         INSERT INTO maintenance (name, last_run) VALUES ('retention', 1770000000);
         INSERT INTO kiosk_stats (kiosk_id, day, hour, metric, key, n, published_at)
             VALUES (3, 20260301, 9, 'started', '', 4, 1770000000);
         INSERT INTO lobby_call (token, kiosk_id, kiosk_name, called_at, expires_at, lang, speech,
                 keys, answered_by, answered_name, answered_at)
             VALUES ('tok', 2, '1階ロビー', 1770000000, 1770000060, 'ja-easy', 1, 0, 'sato', '佐藤', 1770000010);
         INSERT INTO lobby_arrival (kiosk_id, serial, receipt_no, kiosk_name, arrived_at, lang,
                 speech, keys, large_text, handling_by, handling_name, scanned_at)
             VALUES (2, 7, '0301-001', '1階ロビー', 1770000000, 'en', 1, 1, 1, 'sato', '佐藤', 1770000100);
         INSERT INTO kiosk_health (kiosk_id, kiosk_name, running_since, printer, speech, version, seen_at)
             VALUES (2, '1階ロビー', 1769990000, 'paper_out', 1, '0.1.0', 1770000000);
         INSERT INTO web_session (id_hash, login, csrf, created_at, seen_at, must_change)
             VALUES ('ab12', 'sato', 'cd34', 1770000000, 1770000100, 1);
         INSERT INTO retention_policy (id, closed_days, inactive_years) VALUES (1, 30, 5);",
    )
    .unwrap();
    let held = sqlite_columns(&path);
    for (table, cols) in &held {
        let names: Vec<&str> = cols.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            migrate::columns(table),
            Some(names),
            "desk migrate copies every column of {table}"
        );
    }
    let Some(pg) = pg_support::server() else {
        return;
    };
    let url = pg.new_database("schema_copy");
    let target = PgTarget::new(&url, None).unwrap();
    let src = SqliteStore::open(&path).unwrap();
    let mut dst = PgStore::connect(&target).unwrap();
    let copied = migrate::copy(&src, &mut dst).unwrap();
    drop((src, dst));
    let mut pgc = pg.client(&url);
    for (table, cols) in &held {
        assert!(copied.iter().any(|c| c.table == table), "{table} copied");
        let names: Vec<String> = cols.iter().map(|(n, _)| n.clone()).collect();
        let order = schema::table_named(table).unwrap().order;
        let there = sqlite_values(&c, table, &names, order);
        assert!(!there.is_empty(), "the fixture has rows in {table}");
        assert_eq!(
            pg_values(&mut pgc, table, &names, order),
            there,
            "{table}: every column copied"
        );
    }
}
