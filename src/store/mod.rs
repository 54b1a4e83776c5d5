//! Storage on disk: one SQLite file per side (`kiosk.sqlite` here; the desk has its own).
//!
//! This module holds what a store needs to be trusted for years on a small PC: opening a file
//! safely (created 0600, WAL, `synchronous=FULL`, `secure_delete`, `busy_timeout`, a
//! `quick_check` before use), schema migrations by `PRAGMA user_version`, moving a damaged
//! file aside, and errors that say what failed, where, and what to do. Never a panic, and never
//! a stored value (an answer) in a message: SQLite's own messages name tables and columns only,
//! and any other rusqlite error is reported without its text.

pub mod key_file;
pub mod kiosk;
pub mod pg;
pub mod shared;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

/// What kind of trouble, so the caller can decide (e.g. the kiosk's safe mode on `Corrupt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The folder or file cannot be created or written (permissions, read-only medium).
    Unwritable,
    /// Not a SQLite file, or damaged (`quick_check` failed).
    Corrupt,
    /// The disk (or the database's page limit) is full.
    DiskFull,
    /// Written by a newer hatarakitai: this program must be updated.
    TooNew,
    /// Another process held the database for longer than the busy timeout.
    Busy,
    /// The file or the visit is not there (never created, or folded by retention).
    NotFound,
    /// Anything else (I/O errors, unexpected data).
    Other,
}

/// A store failure: what failed, where, and what to do. Safe to show to staff and to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    pub kind: ErrorKind,
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for StoreError {}

impl StoreError {
    pub(crate) fn new(kind: ErrorKind, path: &Path, message: impl Into<String>) -> StoreError {
        StoreError {
            kind,
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    /// A SQLite failure while doing `what` (e.g. "recording an answer").
    pub(crate) fn sql(path: &Path, what: &str, e: &rusqlite::Error) -> StoreError {
        let (kind, detail) = match e {
            rusqlite::Error::SqliteFailure(f, msg) => {
                let kind = match f.code {
                    ErrorCode::DiskFull => ErrorKind::DiskFull,
                    ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied => {
                        ErrorKind::Unwritable
                    }
                    ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => ErrorKind::Corrupt,
                    ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => ErrorKind::Busy,
                    _ => ErrorKind::Other,
                };
                // SQLite's messages name files, tables and columns, never bound values.
                let detail = msg.clone().unwrap_or_else(|| f.to_string());
                (kind, detail)
            }
            // Conversion errors can quote a stored value: never repeat them.
            _ => (
                ErrorKind::Other,
                "unexpected data in the database".to_string(),
            ),
        };
        StoreError::new(
            kind,
            path,
            format!("{what} failed ({detail}); {}", advice(kind)),
        )
    }

    pub(crate) fn io(path: &Path, what: &str, e: &std::io::Error) -> StoreError {
        use std::io::ErrorKind as Io;
        let kind = match e.kind() {
            Io::PermissionDenied | Io::ReadOnlyFilesystem | Io::NotADirectory => {
                ErrorKind::Unwritable
            }
            Io::StorageFull | Io::QuotaExceeded => ErrorKind::DiskFull,
            Io::NotFound => ErrorKind::NotFound,
            _ => ErrorKind::Other,
        };
        StoreError::new(kind, path, format!("{what} failed ({e}); {}", advice(kind)))
    }
}

/// What staff or the administrator can do about each kind of failure.
fn advice(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Unwritable => {
            "the folder must exist on a writable disk and belong to the user running hatarakitai: check its owner and permissions, or choose another folder with --data-dir"
        }
        ErrorKind::Corrupt => {
            "the file is damaged or is not a hatarakitai database: move it aside (keep it for inspection) or restore it from a backup; once it is gone, a new empty database is made on the next start"
        }
        ErrorKind::DiskFull => {
            "the disk is full: free some space (for example old slip images in slips/) and try again"
        }
        ErrorKind::TooNew => "update hatarakitai to the version that wrote this file",
        ErrorKind::Busy => {
            "another program is holding the database: close it (for example a sqlite3 shell) and try again"
        }
        ErrorKind::NotFound => "check the path (--data-dir or --db)",
        ErrorKind::Other => {
            "if this repeats, check the disk (system log) and restore the file from a backup"
        }
    }
}

/// How long a writer waits for another connection (e.g. `hatarakitai stats`) before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens (and with `create`, first creates, mode 0600) a database file and makes it ready:
/// quick_check, WAL, `synchronous=FULL`, `secure_delete`, then `migrations` up to the newest
/// schema. `migrations[i]` takes the schema from version `i` to `i + 1`.
pub fn open_db(path: &Path, create: bool, migrations: &[&str]) -> Result<Connection, StoreError> {
    prepare_file(path, create)?;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags)
        .map_err(|e| StoreError::sql(path, "opening the database", &e))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| StoreError::sql(path, "setting the busy timeout", &e))?;
    quick_check(&conn, path)?;
    let mode = switch_to_wal(&conn).map_err(|e| StoreError::sql(path, "switching to WAL", &e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::new(
            ErrorKind::Unwritable,
            path,
            format!(
                "the database cannot use write-ahead logging (journal mode is {mode}); {}",
                advice(ErrorKind::Unwritable)
            ),
        ));
    }
    conn.execute_batch(
        "PRAGMA synchronous=FULL;
         PRAGMA secure_delete=ON;
         PRAGMA journal_size_limit=4194304;",
    )
    .map_err(|e| StoreError::sql(path, "setting durability options", &e))?;
    migrate(&mut conn, path, migrations)?;
    // A write lock proves the file and its folder are writable now, not at the first visit.
    conn.execute_batch("BEGIN IMMEDIATE; COMMIT;")
        .map_err(|e| StoreError::sql(path, "checking that the database is writable", &e))?;
    Ok(conn)
}

/// `PRAGMA journal_mode=WAL`, retried while another opener holds the file. On a new file
/// several openers (desks starting together, an `intake` command) race to upgrade a shared
/// lock, and SQLite answers BUSY at once, without the busy handler, to avoid a deadlock; the
/// retry gives the winner time to finish, up to [`BUSY_TIMEOUT`] as for any other write.
fn switch_to_wal(conn: &Connection) -> rusqlite::Result<String> {
    let started = std::time::Instant::now();
    loop {
        match conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)) {
            Err(rusqlite::Error::SqliteFailure(f, _))
                if matches!(f.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

/// Creates the folder and an empty 0600 file, or tightens an existing file to 0600.
fn prepare_file(path: &Path, create: bool) -> Result<(), StoreError> {
    if path.is_dir() {
        return Err(StoreError::new(
            ErrorKind::NotFound,
            path,
            "this is a folder, not a database file: give the path of the .sqlite file",
        ));
    }
    let exists = match path.try_exists() {
        Ok(b) => b,
        // Part of the folder path is a file: creating the folder below says so clearly.
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => false,
        Err(e) => return Err(StoreError::io(path, "looking for the database file", &e)),
    };
    if exists {
        tighten_mode(path);
        return Ok(());
    }
    if !create {
        return Err(StoreError::new(
            ErrorKind::NotFound,
            path,
            "no database here: check --data-dir / --db, or start the kiosk once to create it",
        ));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::io(dir, "creating the data folder", &e))?;
    }
    create_private(path).map_err(|e| StoreError::io(path, "creating the database file", &e))
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        // Another process made it between our check and now: fine.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map(|_| ())
}

/// Best effort: a file copied in with looser permissions is made private again. SQLite gives
/// its -wal and -shm files the database file's mode.
#[cfg(unix)]
fn tighten_mode(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

#[cfg(not(unix))]
fn tighten_mode(_path: &Path) {}

fn quick_check(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let first: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| StoreError::sql(path, "checking the database (quick_check)", &e))?;
    if first != "ok" {
        return Err(StoreError::new(
            ErrorKind::Corrupt,
            path,
            format!(
                "the database is damaged (quick_check: {}); {}",
                first
                    .replace('\n', " | ")
                    .chars()
                    .take(200)
                    .collect::<String>(),
                advice(ErrorKind::Corrupt)
            ),
        ));
    }
    Ok(())
}

fn migrate(conn: &mut Connection, path: &Path, migrations: &[&str]) -> Result<(), StoreError> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| StoreError::sql(path, "reading the schema version", &e))?;
    let newest = migrations.len() as i64;
    if version > newest {
        return Err(StoreError::new(
            ErrorKind::TooNew,
            path,
            format!(
                "this database has schema version {version} but this hatarakitai knows only up to {newest}; {}",
                advice(ErrorKind::TooNew)
            ),
        ));
    }
    for (i, sql) in migrations.iter().enumerate().skip(version.max(0) as usize) {
        let what = format!("upgrading the schema to version {}", i + 1);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::sql(path, &what, &e))?;
        // Another process opening the same file at the same moment may have applied this
        // step while we waited for the write lock: read the version again under the lock.
        let now: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| StoreError::sql(path, &what, &e))?;
        if now > i as i64 {
            continue;
        }
        tx.execute_batch(sql)
            .map_err(|e| StoreError::sql(path, &what, &e))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)
            .map_err(|e| StoreError::sql(path, &what, &e))?;
        tx.commit().map_err(|e| StoreError::sql(path, &what, &e))?;
    }
    Ok(())
}

/// Moves a damaged database (and its -wal / -shm) aside as `NAME.damaged-YYYYMMDDTHHMMSS`, so
/// the next start makes a new one instead of failing in a loop. Returns the new path.
pub fn quarantine(path: &Path, now: chrono::DateTime<chrono::Utc>) -> Result<PathBuf, StoreError> {
    let stamp = now.format("%Y%m%dT%H%M%S");
    let mut target = path.as_os_str().to_owned();
    target.push(format!(".damaged-{stamp}"));
    let target = PathBuf::from(target);
    std::fs::rename(path, &target)
        .map_err(|e| StoreError::io(path, "moving the damaged database aside", &e))?;
    for suffix in ["-wal", "-shm"] {
        let mut from = path.as_os_str().to_owned();
        from.push(suffix);
        let mut to = target.as_os_str().to_owned();
        to.push(suffix);
        if Path::new(&from).exists() {
            std::fs::rename(&from, &to).map_err(|e| {
                StoreError::io(Path::new(&from), "moving the damaged database aside", &e)
            })?;
        }
    }
    Ok(target)
}
