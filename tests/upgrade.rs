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

/// What the steps of tests/fixtures/README.md wrote into a desk fixture of one schema
/// version, so that today's code can be asked to read it back as it was meant.
struct Shipped {
    version: i64,
    /// Tables holding rows (the fixture is not an empty schema).
    tables_with_rows: usize,
    /// Staff accounts (schema 3 on): boss can sign in with today's code.
    accounts: bool,
    /// The support network (schema 5 on): record 1's link to hw-town, with consent.
    network: bool,
    /// The person named on that link (schema 6 on).
    person: &'static str,
    /// Record 1's follow-ups (schema 6 on: 就職 with its 定着支援 plan).
    followups: usize,
}

const V1: Shipped = Shipped {
    version: 1,
    tables_with_rows: 2,
    accounts: false,
    network: false,
    person: "",
    followups: 0,
};
const V3: Shipped = Shipped {
    version: 3,
    tables_with_rows: 4,
    accounts: true,
    ..V1
};
const V5: Shipped = Shipped {
    version: 5,
    tables_with_rows: 9,
    network: true,
    ..V3
};
const V6: Shipped = Shipped {
    version: 6,
    tables_with_rows: 10,
    person: "田中さん",
    followups: 5,
    ..V5
};
const V7: Shipped = Shipped {
    version: 7,
    tables_with_rows: 12,
    ..V6
};

/// Today's desk reads the old rows as they were meant (on either database).
fn reads_as_meant(s: &hatarakitai::desk::store::DeskStore, f: &Shipped) {
    use hatarakitai::desk::intake::Stage;
    let rec = s.get(1).unwrap().unwrap();
    assert_eq!(rec.staff.name, "鈴木 一郎", "v{}", f.version);
    assert_eq!(rec.staff.notes, "見学を希望", "v{}", f.version);
    let closed = s.get(2).unwrap().unwrap().staff.stage;
    assert_eq!(closed, Some(Stage::Termination), "v{}", f.version);
    let links = s.links(1).unwrap();
    if f.network {
        assert!(links[0].has_consent(), "v{}", f.version);
        assert_eq!(links[0].agency, "hw-town", "v{}", f.version);
        assert_eq!(links[0].person, f.person, "v{}", f.version);
    } else {
        assert!(links.is_empty(), "v{}", f.version);
    }
    assert_eq!(s.followups(1).unwrap().len(), f.followups, "v{}", f.version);
    if f.accounts {
        assert!(
            matches!(s.sign_in("boss", "boss-pass-1", 2_000_000_000), Ok(Ok(_))),
            "v{}",
            f.version
        );
    }
}

/// Opens a desk.sqlite fixture of schema `f.version` with today's code and checks that every
/// row of every old table is still there, unchanged (the sign-in adds to the access log).
/// Returns the upgraded file and the rows read before.
fn desk_sqlite_upgrade(f: &Shipped, dir: &Path) -> (PathBuf, Tables) {
    use hatarakitai::desk::store::DeskStore;
    let path = fixture(&format!("desk-v{}.sqlite", f.version), dir, "desk.sqlite");
    assert_eq!(user_version(&path), f.version);
    let before = read_all(&path);
    assert!(
        before
            .iter()
            .filter(|(_, _, rows)| !rows.is_empty())
            .count()
            >= f.tables_with_rows,
        "the v{} fixture holds data in its tables",
        f.version
    );
    reads_as_meant(&DeskStore::open(&path).unwrap(), f);
    assert_eq!(
        user_version(&path),
        hatarakitai::desk::store::sqlite::SCHEMA_VERSION
    );
    let c = Connection::open(&path).unwrap();
    for (table, cols, rows) in &before {
        let now = rows_of(&c, table, cols);
        assert!(
            now.len() >= rows.len() && now[..rows.len()] == rows[..],
            "v{}: {table}: rows changed by the upgrade",
            f.version
        );
        if table != "access_log" {
            assert_eq!(now.len(), rows.len(), "v{}: {table}", f.version);
        }
    }
    (path, before)
}

/// The upgraded file moved to a PostgreSQL server by `desk migrate`'s copy: every old table
/// arrives with at least its rows, and today's desk reads them there.
fn desk_migrate_to_postgres(path: &Path, before: &Tables, f: &Shipped) {
    use hatarakitai::desk::store::DeskStore;
    let Some(pg) = pg_support::server() else {
        return;
    };
    let url = pg.new_database(&format!("upgrade_v{}", f.version));
    let target = hatarakitai::desk::store::postgres::PgTarget::new(&url, None).unwrap();
    let src = hatarakitai::desk::store::sqlite::SqliteStore::open(path).unwrap();
    let mut dst = hatarakitai::desk::store::postgres::PgStore::connect(&target).unwrap();
    let copied = hatarakitai::desk::store::migrate::copy(&src, &mut dst).unwrap();
    for (table, _, rows) in before {
        let c = copied
            .iter()
            .find(|c| c.table == table)
            .unwrap_or_else(|| panic!("desk migrate does not know {table}"));
        assert!(c.rows as usize >= rows.len(), "v{}: {table}", f.version);
    }
    reads_as_meant(&DeskStore::connect(&target).unwrap(), f);
}

fn desk_sqlite_shipped(f: &Shipped) -> Tables {
    let dir = tempfile::tempdir().unwrap();
    let (path, before) = desk_sqlite_upgrade(f, dir.path());
    desk_migrate_to_postgres(&path, &before, f);
    before
}

#[test]
fn desk_v1_upgrades_with_every_row_intact_on_sqlite_and_postgres() {
    desk_sqlite_shipped(&V1);
}

#[test]
fn desk_v3_upgrades_with_every_row_intact_on_sqlite_and_postgres() {
    desk_sqlite_shipped(&V3);
}

#[test]
fn desk_v5_upgrades_with_every_row_intact_on_sqlite_and_postgres() {
    desk_sqlite_shipped(&V5);
}

#[test]
fn desk_v6_upgrades_with_every_row_intact_on_sqlite_and_postgres() {
    desk_sqlite_shipped(&V6);
}

#[test]
fn desk_v7_upgrades_with_every_row_intact_on_sqlite_and_postgres() {
    let before = desk_sqlite_shipped(&V7);
    // Schema 7's own tables hold rows: a consent withdrawn and given again, retention's run.
    for t in ["consent_event", "maintenance"] {
        let rows = &before.iter().find(|(n, _, _)| n == t).unwrap().2;
        assert!(!rows.is_empty(), "{t} is empty in the fixture");
    }
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

fn pg_schema_version(c: &mut postgres::Client) -> i64 {
    let v: i32 = c
        .query_one("SELECT version FROM hatarakitai_schema", &[])
        .unwrap()
        .get(0);
    i64::from(v)
}

/// A team's server as the desks of schema `f.version` left it (`pg_dump` of a database they
/// wrote: tests/fixtures/README.md), restored and opened by today's desk: the schema is
/// upgraded in place and every row of every old table is still there, unchanged.
fn desk_postgres_shipped(f: &Shipped) {
    use hatarakitai::desk::store::DeskStore;
    let Some(pg) = pg_support::server() else {
        return;
    };
    let url = pg.new_database(&format!("upgrade_pg_v{}", f.version));
    let dump = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/desk-v{}-postgres.sql", f.version));
    let o = pg.psql(
        &url,
        &["-v", "ON_ERROR_STOP=1", "-f", dump.to_str().unwrap()],
    );
    assert!(
        o.status.success(),
        "restoring the v{} dump: {}",
        f.version,
        String::from_utf8_lossy(&o.stderr)
    );
    let mut c = pg.client(&url);
    assert_eq!(pg_schema_version(&mut c), f.version);
    let before = pg_read_all(&mut c);
    assert!(
        before.iter().filter(|(_, _, r)| !r.is_empty()).count() >= f.tables_with_rows,
        "the v{} dump holds data in its tables",
        f.version
    );
    let target = hatarakitai::desk::store::postgres::PgTarget::new(&url, None).unwrap();
    reads_as_meant(&DeskStore::connect(&target).unwrap(), f);
    assert_eq!(
        pg_schema_version(&mut c),
        hatarakitai::desk::store::sqlite::SCHEMA_VERSION
    );
    for (table, cols, rows) in &before {
        if table == "hatarakitai_schema" {
            continue;
        }
        let now = pg_rows(&mut c, table, cols);
        if table == "access_log" {
            // The sign-in above adds its own line.
            assert!(
                rows.iter().all(|r| now.contains(r)),
                "v{}: access_log: rows changed by the upgrade",
                f.version
            );
        } else {
            assert_eq!(
                &now, rows,
                "v{}: {table}: rows changed by the upgrade",
                f.version
            );
        }
    }
}

#[test]
fn desk_v3_postgres_server_upgrades_in_place_with_every_row_intact() {
    desk_postgres_shipped(&V3);
}

#[test]
fn desk_v5_postgres_server_upgrades_in_place_with_every_row_intact() {
    desk_postgres_shipped(&V5);
}

#[test]
fn desk_v6_postgres_server_upgrades_in_place_with_every_row_intact() {
    desk_postgres_shipped(&V6);
}

#[test]
fn desk_v7_postgres_server_upgrades_in_place_with_every_row_intact() {
    desk_postgres_shipped(&V7);
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
