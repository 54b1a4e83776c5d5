//! Upgrades never lose data: each schema version this project has shipped, as written by the
//! code of that version (tests/fixtures/README.md), is opened by today's code, migrated, and
//! read back with every row of every old table intact — on desk.sqlite and, through
//! `desk migrate`, on a real PostgreSQL server.

mod pg_support;

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use rusqlite::types::ValueRef;

fn fixture(name: &str, dir: &Path, as_name: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dst = dir.join(as_name);
    std::fs::copy(&src, &dst).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(0o600)).unwrap();
    dst
}

/// Every table's rows (rowid order) as text, by column name.
type Tables = Vec<(String, Vec<String>, Vec<Vec<String>>)>;

fn read_all(path: &Path) -> Tables {
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
            let cols: Vec<String> = c
                .prepare(&format!("PRAGMA table_info({t})"))
                .unwrap()
                .query_map([], |r| r.get(1))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let rows = rows_of(&c, &t, &cols);
            (t, cols, rows)
        })
        .collect()
}

fn rows_of(c: &Connection, table: &str, cols: &[String]) -> Vec<Vec<String>> {
    // Rowid order, or every column for a WITHOUT ROWID table.
    let all: Vec<String> = (1..=cols.len()).map(|i| i.to_string()).collect();
    let mut st = c
        .prepare(&format!(
            "SELECT {} FROM {table} ORDER BY rowid",
            cols.join(", ")
        ))
        .or_else(|_| {
            c.prepare(&format!(
                "SELECT {} FROM {table} ORDER BY {}",
                cols.join(", "),
                all.join(", ")
            ))
        })
        .unwrap();
    let n = cols.len();
    st.query_map([], |r| {
        Ok((0..n)
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

fn user_version(path: &Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

/// Opens a desk.sqlite fixture of schema `version` with today's code and checks that every
/// row of every old table is still there, unchanged (the sign-in adds to the access log).
/// Returns the upgraded file and the rows read before.
fn desk_sqlite_upgrade(name: &str, version: i64, dir: &Path) -> (PathBuf, Tables) {
    use hatarakitai::desk::store::DeskStore;
    let path = fixture(name, dir, "desk.sqlite");
    assert_eq!(user_version(&path), version);
    let before = read_all(&path);
    assert!(
        before
            .iter()
            .filter(|(_, _, rows)| !rows.is_empty())
            .count()
            >= 10,
        "the fixture holds data in most tables"
    );
    {
        let s = DeskStore::open(&path).unwrap();
        // Today's code reads the old rows as they were meant.
        let rec = s.get(1).unwrap().unwrap();
        assert_eq!(rec.staff.name, "鈴木 一郎");
        assert_eq!(rec.staff.notes, "見学を希望");
        let links = s.links(1).unwrap();
        assert!(links[0].has_consent() && links[0].person == "田中さん");
        assert_eq!(s.followups(1).unwrap().len(), 5);
        assert!(matches!(
            s.sign_in("boss", "boss-pass-1", 2_000_000_000),
            Ok(Ok(_))
        ));
    }
    assert_eq!(
        user_version(&path),
        hatarakitai::desk::store::sqlite::SCHEMA_VERSION
    );
    let c = Connection::open(&path).unwrap();
    for (table, cols, rows) in &before {
        let now = rows_of(&c, table, cols);
        assert!(
            now.len() >= rows.len() && now[..rows.len()] == rows[..],
            "{table}: rows changed by the upgrade"
        );
        if table != "access_log" {
            assert_eq!(now.len(), rows.len(), "{table}");
        }
    }
    (path, before)
}

/// The upgraded file moved to a PostgreSQL server by `desk migrate`'s copy: every old table
/// arrives with at least its rows, and today's desk reads them there.
fn desk_migrate_to_postgres(path: &Path, before: &Tables, stem: &str) {
    use hatarakitai::desk::store::DeskStore;
    let Some(pg) = pg_support::server() else {
        return;
    };
    let url = pg.new_database(stem);
    let target = hatarakitai::desk::store::postgres::PgTarget::new(&url, None).unwrap();
    let src = hatarakitai::desk::store::sqlite::SqliteStore::open(path).unwrap();
    let mut dst = hatarakitai::desk::store::postgres::PgStore::connect(&target).unwrap();
    let copied = hatarakitai::desk::store::migrate::copy(&src, &mut dst).unwrap();
    for (table, _, rows) in before {
        let c = copied
            .iter()
            .find(|c| c.table == table)
            .unwrap_or_else(|| panic!("desk migrate does not know {table}"));
        assert!(c.rows as usize >= rows.len(), "{table}");
    }
    let s = DeskStore::connect(&target).unwrap();
    assert_eq!(s.get(1).unwrap().unwrap().staff.name, "鈴木 一郎");
}

#[test]
fn desk_v6_upgrades_with_every_row_intact_on_sqlite_and_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let (path, before) = desk_sqlite_upgrade("desk-v6.sqlite", 6, dir.path());
    desk_migrate_to_postgres(&path, &before, "upgrade_v6");
}

#[test]
fn desk_v7_upgrades_with_every_row_intact_on_sqlite_and_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let (path, before) = desk_sqlite_upgrade("desk-v7.sqlite", 7, dir.path());
    // Schema 7's own tables hold rows: a consent withdrawn and given again, retention's run.
    for t in ["consent_event", "maintenance"] {
        let rows = &before.iter().find(|(n, _, _)| n == t).unwrap().2;
        assert!(!rows.is_empty(), "{t} is empty in the fixture");
    }
    desk_migrate_to_postgres(&path, &before, "upgrade_v7");
}

/// Every table of a PostgreSQL database (public schema) with its columns and its rows, each
/// row as PostgreSQL's text of the row over those columns, sorted.
fn pg_read_all(c: &mut postgres::Client) -> Vec<(String, Vec<String>, Vec<String>)> {
    let tables: Vec<String> = c
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    tables
        .into_iter()
        .map(|t| {
            let cols: Vec<String> = c
                .query(
                    "SELECT column_name::text FROM information_schema.columns \
                     WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
                    &[&t],
                )
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            let rows = pg_rows(c, &t, &cols);
            (t, cols, rows)
        })
        .collect()
}

fn pg_rows(c: &mut postgres::Client, table: &str, cols: &[String]) -> Vec<String> {
    let mut rows: Vec<String> = c
        .query(
            &format!("SELECT ROW({})::text FROM {table}", cols.join(", ")),
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    rows.sort();
    rows
}

/// A team's server as the desks of schema 7 left it (`pg_dump` of a database they wrote:
/// tests/fixtures/README.md), restored and opened by today's desk: the schema is upgraded in
/// place and every row of every old table is still there, unchanged.
#[test]
fn desk_v7_postgres_server_upgrades_in_place_with_every_row_intact() {
    use hatarakitai::desk::store::DeskStore;
    let Some(pg) = pg_support::server() else {
        return;
    };
    let url = pg.new_database("upgrade_pg_v7");
    let dump = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/desk-v7-postgres.sql");
    let o = pg.psql(&url, &["-f", dump.to_str().unwrap()]);
    assert!(
        o.status.success(),
        "restoring the v7 dump: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut c = pg.client(&url);
    let version: i32 = c
        .query_one("SELECT version FROM hatarakitai_schema", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, 7);
    let before = pg_read_all(&mut c);
    assert!(
        before.iter().filter(|(_, _, r)| !r.is_empty()).count() >= 12,
        "the dump holds data in most tables"
    );
    let target = hatarakitai::desk::store::postgres::PgTarget::new(&url, None).unwrap();
    {
        let s = DeskStore::connect(&target).unwrap();
        let rec = s.get(1).unwrap().unwrap();
        assert_eq!(rec.staff.name, "鈴木 一郎");
        assert_eq!(rec.staff.notes, "見学を希望");
        assert!(s.links(1).unwrap()[0].person == "田中さん");
        assert_eq!(s.followups(1).unwrap().len(), 5);
    }
    let version: i32 = c
        .query_one("SELECT version FROM hatarakitai_schema", &[])
        .unwrap()
        .get(0);
    assert_eq!(
        i64::from(version),
        hatarakitai::desk::store::sqlite::SCHEMA_VERSION
    );
    for (table, cols, rows) in &before {
        if table == "hatarakitai_schema" {
            continue;
        }
        assert_eq!(
            &pg_rows(&mut c, table, cols),
            rows,
            "{table}: rows changed by the upgrade"
        );
    }
}

#[test]
fn kiosk_v1_opens_and_keeps_every_visit() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("kiosk-v1.sqlite", dir.path(), "kiosk.sqlite");
    let before = read_all(&path);
    let visits = before
        .iter()
        .find(|(t, _, _)| t == "visit")
        .map(|(_, _, r)| r.len())
        .unwrap();
    assert!(visits >= 30);
    let tz = chrono_tz::Asia::Tokyo;
    let store = hatarakitai::store::kiosk::KioskStore::open_existing(&path, tz).unwrap();
    let from = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let to = chrono::NaiveDate::from_ymd_opt(2027, 12, 31).unwrap();
    let counted: u64 = store
        .buckets(from, to)
        .unwrap()
        .iter()
        .map(|b| b.figures.started)
        .sum();
    assert_eq!(counted as usize, visits, "every visit still counts");
    drop(store);
    let after = read_all(&path);
    for ((t, cols, rows), (t2, _, _)) in before.iter().zip(&after) {
        assert_eq!(t, t2);
        let c = Connection::open(&path).unwrap();
        assert_eq!(&rows_of(&c, t, cols), rows, "{t}");
    }
}

#[test]
fn version_names_the_commit_and_the_schemas_it_speaks() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_hatarakitai"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(o.status.success());
    let v = String::from_utf8_lossy(&o.stdout).into_owned();
    let want = format!("hatarakitai {} (commit ", env!("CARGO_PKG_VERSION"));
    assert!(v.starts_with(&want), "{v}");
    assert!(
        v.trim_end().ends_with(&format!(
            "; desk schema {}, kiosk schema {})",
            hatarakitai::desk::store::sqlite::SCHEMA_VERSION,
            hatarakitai::store::kiosk::SCHEMA_VERSION
        )),
        "{v}"
    );
    assert!(!v.contains("commit ;"), "{v}");
}
