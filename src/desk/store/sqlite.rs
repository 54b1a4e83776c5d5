//! `desk.sqlite`, the store of a one-PC centre. Personal data lives here, so the file is
//! created 0600 and nothing from it is ever logged.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::{
    Backend, CouncilRows, DeskError, IntakeSummary, MonthSpan, RECORD_COLUMNS, RawRecord, Saved,
    Search, account_from, network_sql, trust_sql,
};
use crate::desk::accounts::{AccessEntry, Account};
use crate::desk::intake::{AuditEntry, IntakeRecord, ScannedVisit, StaffFields, Stage};
use crate::desk::retention::{self, Policy, Report, Run};
use crate::network::case::{ConsentChange, ConsentEvent};
use crate::network::case::{Contact, Link};
use crate::network::due::DueRow;
use crate::network::followup::FollowUp;
use crate::network::meeting::{Assessment, Meeting};
use crate::stats::figures::Bucket;
use crate::store::kiosk::day_key;
use chrono::NaiveDate;

/// The desk schema this code speaks (`user_version` after the last step; PostgreSQL's
/// `hatarakitai_schema` has the same steps).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Schema versions in order: entry N brings `user_version` from N to N+1.
const MIGRATIONS: &[&str] = &[
    SCHEMA_V1,
    SCHEMA_V2,
    SCHEMA_V3,
    crate::store::shared::TABLE_SQL,
    crate::network::NETWORK_SQLITE,
    crate::network::FOLLOWUP_SQLITE,
    trust_sql::SCHEMA_SQLITE,
];

const SCHEMA_V1: &str = "
    CREATE TABLE intake (
        id INTEGER PRIMARY KEY,
        kiosk_id INTEGER NOT NULL,
        serial INTEGER NOT NULL,
        issued_at INTEGER NOT NULL,
        lang TEXT NOT NULL,
        questionnaire_version INTEGER NOT NULL,
        answers TEXT NOT NULL,
        routes TEXT NOT NULL,
        receipt_no TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        furigana TEXT NOT NULL DEFAULT '',
        contact TEXT NOT NULL DEFAULT '',
        assigned_staff TEXT NOT NULL DEFAULT '',
        next_action TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        stage INTEGER NOT NULL DEFAULT 0,
        closed_at INTEGER,
        UNIQUE (kiosk_id, serial)
    );
    CREATE INDEX intake_issued ON intake(issued_at);
    CREATE INDEX intake_created ON intake(created_at);
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        intake_id INTEGER NOT NULL,
        at INTEGER NOT NULL,
        who TEXT NOT NULL,
        field TEXT NOT NULL,
        old TEXT NOT NULL,
        new TEXT NOT NULL
    );
    CREATE INDEX audit_intake ON audit(intake_id, id);
";

/// Optimistic concurrency: every save bumps the record's version.
const SCHEMA_V2: &str = "ALTER TABLE intake ADD COLUMN version INTEGER NOT NULL DEFAULT 0;";

/// Staff accounts and the access log (record ids only, never a visitor's name).
const SCHEMA_V3: &str = "
    CREATE TABLE staff (
        login TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        active INTEGER NOT NULL,
        hash TEXT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE access_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        login TEXT NOT NULL,
        action TEXT NOT NULL,
        record_id INTEGER
    );
    CREATE INDEX access_at ON access_log(at);
";

fn db_err(what: &str, path: &str) -> impl Fn(rusqlite::Error) -> DeskError {
    let (what, path) = (what.to_string(), path.to_string());
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
        let conn =
            crate::store::open_db(path, true, MIGRATIONS).map_err(|e| DeskError(e.to_string()))?;
        conn.execute_batch("PRAGMA foreign_keys=ON;")
            .map_err(db_err("setting foreign keys", &path.display().to_string()))?;
        Ok(SqliteStore {
            conn,
            path: path.display().to_string(),
        })
    }
}

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRecord> {
    Ok(RawRecord {
        id: r.get(0)?,
        kiosk_id: r.get(1)?,
        serial: r.get(2)?,
        issued_at: r.get(3)?,
        lang: r.get(4)?,
        questionnaire_version: r.get(5)?,
        answers: r.get(6)?,
        routes: r.get(7)?,
        receipt_no: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
        staff: [
            r.get(11)?,
            r.get(12)?,
            r.get(13)?,
            r.get(14)?,
            r.get(15)?,
            r.get(16)?,
        ],
        stage: r.get(17)?,
        version: r.get(18)?,
    })
}

fn audit_rows(
    conn: &Connection,
    p: &str,
    id: i64,
    after: i64,
) -> Result<Vec<AuditEntry>, DeskError> {
    let mut st = conn
        .prepare_cached(
            "SELECT at, who, field, old, new FROM audit WHERE intake_id = ?1 AND id > ?2 ORDER BY id",
        )
        .map_err(db_err("reading the audit trail", p))?;
    let rows = st
        .query_map(params![id, after], |r| {
            Ok(AuditEntry {
                at: r.get(0)?,
                who: r.get(1)?,
                field: r.get(2)?,
                old: r.get(3)?,
                new: r.get(4)?,
            })
        })
        .map_err(db_err("reading the audit trail", p))?;
    rows.collect::<Result<Vec<_>, _>>()
        .map_err(db_err("reading the audit trail", p))
}

impl Backend for SqliteStore {
    fn describe(&self) -> String {
        format!("desk.sqlite at {}", self.path)
    }

    fn open_or_create(
        &mut self,
        visit: &ScannedVisit,
        who: &str,
        now: i64,
    ) -> Result<(i64, bool), DeskError> {
        let p = self.path.clone();
        let answers =
            serde_json::to_string(&visit.answers).map_err(|e| DeskError(e.to_string()))?;
        let routes = serde_json::to_string(&visit.routes).map_err(|e| DeskError(e.to_string()))?;
        let tx = self
            .conn
            .transaction()
            .map_err(db_err("starting a transaction", &p))?;
        // The unique (kiosk_id, serial) key decides; no check-then-insert.
        let inserted: Option<i64> = tx
            .query_row(
                "INSERT INTO intake (kiosk_id, serial, issued_at, lang, questionnaire_version, answers, routes, receipt_no, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
                 ON CONFLICT (kiosk_id, serial) DO NOTHING RETURNING id",
                params![visit.kiosk_id, visit.serial, visit.issued_at, visit.lang, visit.questionnaire_version, answers, routes, visit.receipt_no, now],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err("creating the intake record", &p))?;
        let out = match inserted {
            Some(id) => {
                tx.execute(
                    trust_sql::AUDIT_INSERT,
                    params![id, now, who, "created", "", "scan"],
                )
                .map_err(db_err("writing the audit trail", &p))?;
                (id, true)
            }
            None => {
                let id = tx
                    .query_row(
                        "SELECT id FROM intake WHERE kiosk_id = ?1 AND serial = ?2",
                        params![visit.kiosk_id, visit.serial],
                        |r| r.get(0),
                    )
                    .map_err(db_err("looking up the slip", &p))?;
                (id, false)
            }
        };
        tx.commit().map_err(db_err("saving", &p))?;
        Ok(out)
    }

    fn get(&mut self, id: i64) -> Result<Option<IntakeRecord>, DeskError> {
        let p = self.path.as_str();
        let row = self
            .conn
            .query_row(
                &format!("SELECT {RECORD_COLUMNS} FROM intake WHERE id = ?1"),
                params![id],
                raw,
            )
            .optional()
            .map_err(db_err("reading a record", p))?;
        row.map(RawRecord::into_record).transpose()
    }

    fn save(
        &mut self,
        id: i64,
        base: Option<i64>,
        edits: &StaffFields,
        who: &str,
        now: i64,
    ) -> Result<Saved, DeskError> {
        let p = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(db_err("starting a transaction", &p))?;
        let current = tx
            .query_row(
                &format!("SELECT {RECORD_COLUMNS} FROM intake WHERE id = ?1"),
                params![id],
                raw,
            )
            .optional()
            .map_err(db_err("reading a record", &p))?
            .map(RawRecord::into_record)
            .transpose()?
            .ok_or_else(|| {
                DeskError(format!(
                    "record {id} does not exist (it may have been deleted by retention)"
                ))
            })?;
        if let Some(v) = base
            && v != current.version
        {
            let theirs = audit_since_version(&tx, &p, id, v)?;
            return Ok(Saved::Conflict {
                current: Box::new(current),
                theirs,
            });
        }
        let changed = super::changes(&current.staff, edits);
        for (field, old, new) in &changed {
            tx.execute(
                "INSERT INTO audit (intake_id, at, who, field, old, new) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, now, who, field, old, new],
            )
            .map_err(db_err("writing the audit trail", &p))?;
        }
        let mut version = current.version;
        if !changed.is_empty() {
            let stage = edits.stage.unwrap_or(Stage::Intake);
            let closed_at: Option<i64> = (stage == Stage::Termination).then_some(now);
            version += 1;
            tx.execute(
                "UPDATE intake SET name=?2, furigana=?3, contact=?4, assigned_staff=?5, next_action=?6, notes=?7, stage=?8, updated_at=?9,
                        closed_at = CASE WHEN ?8 = 6 THEN COALESCE(closed_at, ?10) ELSE NULL END,
                        version = ?11
                 WHERE id = ?1",
                params![id, edits.name, edits.furigana, edits.contact, edits.assigned_staff, edits.next_action, edits.notes, stage.code(), now, closed_at, version],
            )
            .map_err(db_err("saving the record", &p))?;
            // Which audit rows belong to which version: the save's last row carries it.
            tx.execute(
                "INSERT INTO audit (intake_id, at, who, field, old, new) VALUES (?1, ?2, ?3, 'version', ?4, ?5)",
                params![id, now, who, (version - 1).to_string(), version.to_string()],
            )
            .map_err(db_err("writing the audit trail", &p))?;
        }
        tx.commit().map_err(db_err("saving", &p))?;
        Ok(Saved::Changed {
            fields: changed.len(),
            version,
        })
    }

    fn audit(&mut self, id: i64) -> Result<Vec<AuditEntry>, DeskError> {
        Ok(audit_rows(&self.conn, &self.path, id, 0)?
            .into_iter()
            .filter(|a| a.field != "version")
            .collect())
    }

    fn search(&mut self, s: &Search) -> Result<Vec<IntakeSummary>, DeskError> {
        let p = self.path.as_str();
        let like = super::like_pattern(&s.text);
        let staff = super::like_pattern(&s.assigned_staff);
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT id, issued_at, receipt_no, name, furigana, assigned_staff, stage FROM intake
                 WHERE issued_at >= ?1 AND issued_at < ?2
                   AND (?3 = '%%' OR name LIKE ?3 ESCAPE '\\' OR furigana LIKE ?3 ESCAPE '\\')
                   AND (?4 < 0 OR stage = ?4)
                   AND (?5 = '%%' OR assigned_staff LIKE ?5 ESCAPE '\\')
                 ORDER BY issued_at DESC, id DESC LIMIT 500",
            )
            .map_err(db_err("searching", p))?;
        let rows = st
            .query_map(
                params![
                    s.from.unwrap_or(i64::MIN),
                    s.to.unwrap_or(i64::MAX),
                    like,
                    s.stage.map_or(-1, Stage::code),
                    staff
                ],
                |r| {
                    Ok(IntakeSummary {
                        id: r.get(0)?,
                        issued_at: r.get(1)?,
                        receipt_no: r.get(2)?,
                        name: r.get(3)?,
                        furigana: r.get(4)?,
                        assigned_staff: r.get(5)?,
                        stage: Stage::from_code(r.get(6)?).unwrap_or(Stage::Intake),
                    })
                },
            )
            .map_err(db_err("searching", p))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(db_err("searching", p))
    }

    fn opened_per_day(&mut self, day_starts: &[i64]) -> Result<Vec<u32>, DeskError> {
        let p = self.path.as_str();
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT COUNT(*) FROM intake WHERE created_at >= ?1 AND created_at < ?2",
            )
            .map_err(db_err("counting intakes", p))?;
        day_starts
            .windows(2)
            .map(|w| {
                st.query_row(params![w[0], w[1]], |r| r.get::<_, u32>(0))
                    .map_err(db_err("counting intakes", p))
            })
            .collect()
    }

    fn retention(
        &mut self,
        now: i64,
        policy: Policy,
        run: Run,
        who: &str,
    ) -> Result<Report, DeskError> {
        let p = self.path.clone();
        // IMMEDIATE takes the write lock now: one desk at a time decides and deletes.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(db_err("starting retention", &p))?;
        let last: Option<i64> = tx
            .query_row(trust_sql::MAINTENANCE_GET, params!["retention"], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db_err("reading the last retention run", &p))?;
        if !retention::due(run, last, now) {
            return Ok(Report::default());
        }
        let rows: Vec<(i64, Option<i64>, i64)> = {
            let mut st = tx
                .prepare(trust_sql::ACTIVITY)
                .map_err(db_err("reading records' activity", &p))?;
            st.query_map([], |r| {
                let created: Option<i64> = r.get(2)?;
                Ok((r.get(0)?, r.get(1)?, created.unwrap_or(0)))
            })
            .map_err(db_err("reading records' activity", &p))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err("reading records' activity", &p))?
        };
        let mut removed = retention::decide(&rows, now, policy);
        for r in &mut removed {
            let mut st = tx
                .prepare_cached(trust_sql::MEETINGS_OF)
                .map_err(db_err("reading a record's meetings", &p))?;
            r.meetings = st
                .query_map(params![r.record], |row| row.get(0))
                .map_err(db_err("reading a record's meetings", &p))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(db_err("reading a record's meetings", &p))?;
        }
        let dry_run = run == Run::DryRun;
        if dry_run {
            return Ok(Report {
                ran: true,
                dry_run,
                removed,
            });
        }
        for r in &removed {
            let id = r.record;
            // The record's own audit rows hold old values (names): they go too.
            tx.execute("DELETE FROM audit WHERE intake_id = ?1", params![id])
                .map_err(db_err("deleting audit rows", &p))?;
            // So do its network, meetings, assessments, follow-ups and consent history.
            for t in crate::network::CASE_TABLES {
                tx.execute(
                    &format!("DELETE FROM {t} WHERE intake_id = ?1"),
                    params![id],
                )
                .map_err(db_err("deleting a record's network", &p))?;
            }
            tx.execute("DELETE FROM intake WHERE id = ?1", params![id])
                .map_err(db_err("deleting a record", &p))?;
            tx.execute(
                trust_sql::AUDIT_INSERT,
                params![
                    id,
                    now,
                    who,
                    "deleted",
                    "",
                    super::retention_note(r, policy)
                ],
            )
            .map_err(db_err("writing the audit trail", &p))?;
        }
        tx.execute(trust_sql::MAINTENANCE_SET, params!["retention", now])
            .map_err(db_err("noting the retention run", &p))?;
        tx.commit().map_err(db_err("saving", &p))?;
        Ok(Report {
            ran: true,
            dry_run,
            removed,
        })
    }

    fn has_visit(&mut self, kiosk_id: u16, serial: u32) -> Result<bool, DeskError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM intake WHERE kiosk_id = ?1 AND serial = ?2)",
                params![kiosk_id, serial],
                |r| r.get(0),
            )
            .map_err(db_err("looking up a visit", &self.path))
    }

    fn count(&mut self) -> Result<i64, DeskError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM intake", [], |r| r.get(0))
            .map_err(db_err("counting", &self.path))
    }

    fn staff_get(&mut self, login: &str) -> Result<Option<Account>, DeskError> {
        self.conn
            .query_row(
                "SELECT login, name, role, active, hash, failures, locked_until FROM staff WHERE login = ?1",
                params![login],
                account_row,
            )
            .optional()
            .map_err(db_err("reading an account", &self.path))
    }

    fn staff_list(&mut self) -> Result<Vec<Account>, DeskError> {
        let p = self.path.as_str();
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT login, name, role, active, hash, failures, locked_until FROM staff ORDER BY login",
            )
            .map_err(db_err("listing accounts", p))?;
        let rows = st
            .query_map([], account_row)
            .map_err(db_err("listing accounts", p))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(db_err("listing accounts", p))
    }

    fn staff_insert(&mut self, a: &Account, now: i64) -> Result<bool, DeskError> {
        let n = self
            .conn
            .execute(
                "INSERT INTO staff (login, name, role, active, hash, failures, locked_until, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (login) DO NOTHING",
                params![a.login, a.name, a.role.id(), a.active, a.hash, a.failures, a.locked_until, now],
            )
            .map_err(db_err("adding an account", &self.path))?;
        Ok(n == 1)
    }

    fn staff_update(&mut self, a: &Account) -> Result<(), DeskError> {
        self.conn
            .execute(
                "UPDATE staff SET name=?2, role=?3, active=?4, hash=?5, failures=?6, locked_until=?7 WHERE login=?1",
                params![a.login, a.name, a.role.id(), a.active, a.hash, a.failures, a.locked_until],
            )
            .map_err(db_err("saving an account", &self.path))?;
        Ok(())
    }

    fn staff_fail(
        &mut self,
        login: &str,
        now: i64,
        lock_until: i64,
    ) -> Result<Option<(i64, Option<i64>)>, DeskError> {
        self.conn
            .query_row(
                trust_sql::STAFF_FAIL,
                params![login, now, crate::desk::accounts::MAX_FAILURES, lock_until],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db_err("counting a failed sign-in", &self.path))
    }

    fn staff_ok(&mut self, login: &str, now: i64) -> Result<bool, DeskError> {
        self.conn
            .execute(trust_sql::STAFF_OK, params![login, now])
            .map(|n| n == 1)
            .map_err(db_err("signing in", &self.path))
    }

    fn log_access(&mut self, e: &AccessEntry) -> Result<(), DeskError> {
        self.conn
            .execute(
                "INSERT INTO access_log (at, login, action, record_id, target) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![e.at, e.login, e.action, e.record, e.target],
            )
            .map_err(db_err("writing the access log", &self.path))?;
        Ok(())
    }

    fn access_log(&mut self, from: i64, to: i64) -> Result<Vec<AccessEntry>, DeskError> {
        let p = self.path.as_str();
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT at, login, action, record_id, target FROM access_log WHERE at >= ?1 AND at < ?2 ORDER BY id",
            )
            .map_err(db_err("reading the access log", p))?;
        let rows = st
            .query_map(params![from, to], |r| {
                Ok(AccessEntry {
                    at: r.get(0)?,
                    login: r.get(1)?,
                    action: r.get(2)?,
                    record: r.get(3)?,
                    target: r.get(4)?,
                })
            })
            .map_err(db_err("reading the access log", p))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(db_err("reading the access log", p))
    }

    fn publish_day(
        &mut self,
        kiosk_id: u16,
        day: NaiveDate,
        buckets: &[Bucket],
        now: i64,
    ) -> Result<usize, DeskError> {
        let p = self.path.clone();
        let tx = self
            .conn
            .transaction()
            .map_err(db_err("starting a transaction", &p))?;
        let d = day_key(day);
        tx.execute(
            "UPDATE kiosk_stats SET n = 0, published_at = ?3 WHERE kiosk_id = ?1 AND day = ?2 AND n <> 0",
            params![kiosk_id, d, now],
        )
        .map_err(db_err("writing kiosk statistics", &p))?;
        let mut rows = 0;
        {
            let mut st = tx
                .prepare(
                    "INSERT INTO kiosk_stats (kiosk_id, day, hour, metric, key, n, published_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (kiosk_id, day, hour, metric, key)
                     DO UPDATE SET n = excluded.n, published_at = excluded.published_at",
                )
                .map_err(db_err("writing kiosk statistics", &p))?;
            for (hour, metric, key, n) in crate::store::shared::day_rows(buckets, day) {
                st.execute(params![kiosk_id, d, hour, metric, key, n, now])
                    .map_err(db_err("writing kiosk statistics", &p))?;
                rows += 1;
            }
        }
        tx.commit()
            .map_err(db_err("writing kiosk statistics", &p))?;
        Ok(rows)
    }

    fn kiosk_buckets(
        &mut self,
        kiosk: Option<u16>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(u16, Bucket)>, DeskError> {
        let p = self.path.clone();
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT kiosk_id, day, hour, metric, key, n FROM kiosk_stats
                 WHERE day BETWEEN ?1 AND ?2 AND n > 0 AND (?3 IS NULL OR kiosk_id = ?3)",
            )
            .map_err(db_err("reading kiosk statistics", &p))?;
        let rows = st
            .query_map(params![day_key(from), day_key(to), kiosk], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .map_err(db_err("reading kiosk statistics", &p))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err("reading kiosk statistics", &p))?;
        Ok(crate::store::shared::buckets_from_rows(rows))
    }

    fn agency_get(&mut self, id: &str) -> Result<Option<String>, DeskError> {
        let p = self.path.clone();
        self.conn
            .query_row("SELECT data FROM agency WHERE id = ?1", params![id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db_err("reading the agency directory", &p))
    }

    fn agency_all(&mut self) -> Result<Vec<String>, DeskError> {
        let p = self.path.clone();
        let mut st = self
            .conn
            .prepare_cached("SELECT data FROM agency ORDER BY id")
            .map_err(db_err("reading the agency directory", &p))?;
        st.query_map([], |r| r.get(0))
            .map_err(db_err("reading the agency directory", &p))?
            .collect::<Result<Vec<String>, _>>()
            .map_err(db_err("reading the agency directory", &p))
    }

    fn agency_write(
        &mut self,
        id: &str,
        json: &str,
        audit: &[(String, String, String)],
        who: &str,
        now: i64,
    ) -> Result<(), DeskError> {
        let p = self.path.clone();
        let tx = self
            .conn
            .transaction()
            .map_err(db_err("starting a transaction", &p))?;
        tx.execute(
            "INSERT INTO agency (id, data, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            params![id, json, now, who],
        )
        .map_err(db_err("writing the agency", &p))?;
        for (field, old, new) in audit {
            tx.execute(
                "INSERT INTO agency_audit (agency_id, at, who, field, old, new) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, now, who, field, old, new],
            )
            .map_err(db_err("auditing the agency", &p))?;
        }
        tx.commit().map_err(db_err("writing the agency", &p))
    }

    fn link_insert(&mut self, l: &Link, who: &str, now: i64) -> Result<i64, DeskError> {
        let p = self.path.clone();
        self.conn
            .execute(
                "INSERT INTO case_link (intake_id, agency_id, role, from_day, to_day, consent_day, consent_scope, consent_by, created_at, created_by, person)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![l.record, l.agency, l.role, l.from, l.to, l.consent_date, l.consent_scope, l.consent_by, now, who, l.person],
            )
            .map_err(db_err("linking the agency", &p))?;
        Ok(self.conn.last_insert_rowid())
    }

    fn links(&mut self, record: i64) -> Result<Vec<Link>, DeskError> {
        let p = self.path.clone();
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT id, intake_id, agency_id, role, from_day, to_day, consent_day, consent_scope, consent_by, person, consent_withdrawn
                 FROM case_link WHERE intake_id = ?1 ORDER BY id",
            )
            .map_err(db_err("reading the case's network", &p))?;
        st.query_map(params![record], |r| {
            Ok(Link {
                id: r.get(0)?,
                record: r.get(1)?,
                agency: r.get(2)?,
                role: r.get(3)?,
                from: r.get(4)?,
                to: r.get(5)?,
                consent_date: r.get(6)?,
                consent_scope: r.get(7)?,
                consent_by: r.get(8)?,
                person: r.get(9)?,
                consent_withdrawn: r.get(10)?,
            })
        })
        .map_err(db_err("reading the case's network", &p))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err("reading the case's network", &p))
    }

    fn contact_insert(&mut self, c: &Contact) -> Result<i64, DeskError> {
        let p = self.path.clone();
        self.conn
            .execute(
                "INSERT INTO contact (intake_id, agency_id, at, method, direction, summary, who)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    c.record,
                    c.agency,
                    c.at,
                    c.method,
                    c.direction,
                    c.summary,
                    c.who
                ],
            )
            .map_err(db_err("logging the contact", &p))?;
        Ok(self.conn.last_insert_rowid())
    }

    fn contacts(&mut self, record: i64) -> Result<Vec<Contact>, DeskError> {
        let p = self.path.clone();
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT id, intake_id, agency_id, at, method, direction, summary, who
                 FROM contact WHERE intake_id = ?1 ORDER BY at, id",
            )
            .map_err(db_err("reading the contact log", &p))?;
        st.query_map(params![record], |r| {
            Ok(Contact {
                id: r.get(0)?,
                record: r.get(1)?,
                agency: r.get(2)?,
                at: r.get(3)?,
                method: r.get(4)?,
                direction: r.get(5)?,
                summary: r.get(6)?,
                who: r.get(7)?,
            })
        })
        .map_err(db_err("reading the contact log", &p))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err("reading the contact log", &p))
    }

    fn meeting_insert(&mut self, m: &Meeting, now: i64) -> Result<i64, DeskError> {
        let p = self.path.clone();
        self.conn
            .execute(
                "INSERT INTO meeting (intake_id, day, participants, agenda, decision, goal, goal_day, review_day, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![m.record, m.date, m.participants, m.agenda, m.decision, m.goal, m.goal_date, m.review, m.by, now],
            )
            .map_err(db_err("saving the meeting", &p))?;
        Ok(self.conn.last_insert_rowid())
    }

    fn meetings(&mut self, record: Option<i64>) -> Result<Vec<Meeting>, DeskError> {
        let p = self.path.clone();
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT id, intake_id, day, participants, agenda, decision, goal, goal_day, review_day, created_by
                 FROM meeting WHERE (?1 IS NULL OR intake_id = ?1) ORDER BY day, id",
            )
            .map_err(db_err("reading meetings", &p))?;
        st.query_map(params![record], meeting_row)
            .map_err(db_err("reading meetings", &p))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err("reading meetings", &p))
    }

    fn assessment_insert(&mut self, a: &Assessment, now: i64) -> Result<i64, DeskError> {
        let p = self.path.clone();
        let ratings = super::ratings_text(&a.ratings);
        let notes = serde_json::to_string(&a.notes).unwrap_or_else(|_| "[]".into());
        self.conn
            .execute(
                "INSERT INTO assessment (intake_id, day, ratings, notes, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![a.record, a.date, ratings, notes, a.by, now],
            )
            .map_err(db_err("saving the assessment", &p))?;
        Ok(self.conn.last_insert_rowid())
    }

    fn assessments(&mut self, record: i64) -> Result<Vec<Assessment>, DeskError> {
        let p = self.path.clone();
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT id, intake_id, day, ratings, notes, created_by FROM assessment WHERE intake_id = ?1 ORDER BY day, id",
            )
            .map_err(db_err("reading assessments", &p))?;
        let rows = st
            .query_map(params![record], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .map_err(db_err("reading assessments", &p))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err("reading assessments", &p))?;
        Ok(rows.into_iter().map(super::assessment_from).collect())
    }

    fn link_end(&mut self, id: i64, record: i64, day: &str) -> Result<bool, DeskError> {
        let p = self.path.clone();
        self.conn
            .execute(
                "UPDATE case_link SET to_day = ?3 WHERE id = ?1 AND intake_id = ?2 AND to_day = ''",
                params![id, record, day],
            )
            .map(|n| n == 1)
            .map_err(db_err("ending the link", &p))
    }

    fn consent_write(
        &mut self,
        record: i64,
        link: &Link,
        change: &ConsentChange,
        note: &str,
        who: &str,
        now: i64,
    ) -> Result<bool, DeskError> {
        let p = self.path.clone();
        let tx = self
            .conn
            .transaction()
            .map_err(db_err("starting a transaction", &p))?;
        let (n, scope) = match change {
            ConsentChange::Given { day, scope } => (
                tx.execute(
                    trust_sql::CONSENT_GIVE,
                    params![link.id, record, day, scope, who],
                ),
                scope.as_str(),
            ),
            ConsentChange::Withdrawn { day } => (
                tx.execute(trust_sql::CONSENT_WITHDRAW, params![link.id, record, day]),
                "",
            ),
        };
        if n.map_err(db_err("changing the consent", &p))? != 1 {
            return Ok(false);
        }
        let (kind, day) = (change.kind(), change.day());
        tx.execute(
            trust_sql::CONSENT_EVENT,
            params![link.id, record, kind, day, scope, note, who, now],
        )
        .map_err(db_err("writing the consent history", &p))?;
        let (field, old, new) = super::consent_audit(link, change);
        tx.execute(
            trust_sql::AUDIT_INSERT,
            params![record, now, who, field, old, new],
        )
        .map_err(db_err("writing the audit trail", &p))?;
        tx.commit().map_err(db_err("saving", &p))?;
        Ok(true)
    }

    fn consent_events(&mut self, record: i64) -> Result<Vec<ConsentEvent>, DeskError> {
        let p = self.path.clone();
        let mut st = self
            .conn
            .prepare_cached(trust_sql::CONSENT_EVENTS)
            .map_err(db_err("reading the consent history", &p))?;
        st.query_map(params![record], |r| {
            Ok(ConsentEvent {
                id: r.get(0)?,
                link: r.get(1)?,
                kind: r.get(2)?,
                day: r.get(3)?,
                scope: r.get(4)?,
                note: r.get(5)?,
                who: r.get(6)?,
                at: r.get(7)?,
            })
        })
        .map_err(db_err("reading the consent history", &p))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err("reading the consent history", &p))
    }

    fn meeting_get(&mut self, id: i64) -> Result<Option<Meeting>, DeskError> {
        let p = self.path.clone();
        self.conn
            .query_row(
                "SELECT id, intake_id, day, participants, agenda, decision, goal, goal_day, review_day, created_by
                 FROM meeting WHERE id = ?1",
                params![id],
                meeting_row,
            )
            .optional()
            .map_err(db_err("reading the meeting", &p))
    }

    fn followup_insert(&mut self, f: &FollowUp, now: i64) -> Result<i64, DeskError> {
        let p = self.path.clone();
        self.conn
            .execute(
                "INSERT INTO followup (intake_id, kind, phase, from_day, to_day, due_day, note, done_day, done_by, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '', '', ?8, ?9)",
                params![f.record, f.kind.id(), f.phase, f.from, f.to, f.due_day(), f.note, f.by, now],
            )
            .map_err(db_err("saving the follow-up", &p))?;
        Ok(self.conn.last_insert_rowid())
    }

    fn followups(&mut self, record: i64) -> Result<Vec<FollowUp>, DeskError> {
        let p = self.path.clone();
        let mut st = self
            .conn
            .prepare_cached(&format!(
                "SELECT {} FROM followup WHERE intake_id = ?1 ORDER BY from_day, id",
                network_sql::FOLLOWUP_COLUMNS
            ))
            .map_err(db_err("reading follow-ups", &p))?;
        st.query_map(params![record], |r| {
            Ok(network_sql::followup_from(
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
            ))
        })
        .map_err(db_err("reading follow-ups", &p))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err("reading follow-ups", &p))
    }

    fn followup_done(&mut self, id: i64, day: &str, who: &str) -> Result<Option<i64>, DeskError> {
        let p = self.path.clone();
        self.conn
            .query_row(
                "UPDATE followup SET done_day = ?2, done_by = ?3 WHERE id = ?1 AND done_day = '' RETURNING intake_id",
                params![id, day, who],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err("marking the follow-up done", &p))
    }

    fn due_rows(&mut self, until: &str) -> Result<Vec<DueRow>, DeskError> {
        let p = self.path.clone();
        let mut st = self
            .conn
            .prepare_cached(network_sql::DUE_SQLITE)
            .map_err(db_err("reading what is due", &p))?;
        st.query_map(params![until], |r| {
            Ok(network_sql::due_row(
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
            ))
        })
        .map_err(db_err("reading what is due", &p))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_err("reading what is due", &p))
    }

    fn council_rows(
        &mut self,
        months: &[MonthSpan],
        routes: &[String],
    ) -> Result<CouncilRows, DeskError> {
        let p = self.path.clone();
        let width = network_sql::matchable_routes(routes).len();
        let mut st = self
            .conn
            .prepare(&network_sql::intake_month_sql(months, routes))
            .map_err(db_err("counting for the council", &p))?;
        let intakes = st
            .query_map([], |r| {
                let shown = (0..width)
                    .map(|k| {
                        r.get::<_, Option<i64>>(k + 2)
                            .map(Option::unwrap_or_default)
                    })
                    .collect::<rusqlite::Result<Vec<i64>>>()?;
                Ok((r.get(0)?, r.get(1)?, shown))
            })
            .map_err(db_err("counting for the council", &p))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err("counting for the council", &p))?;
        let mut st = self
            .conn
            .prepare(&network_sql::council_sql(months))
            .map_err(db_err("counting for the council", &p))?;
        let counts = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .map_err(db_err("counting for the council", &p))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err("counting for the council", &p))?;
        let first = months.first().map_or(0, |m| m.end);
        let end = months.last().map_or(0, |m| m.end);
        let mut st = self
            .conn
            .prepare_cached(network_sql::OPEN_SQLITE)
            .map_err(db_err("counting open cases", &p))?;
        let open = st
            .query_map(params![first, end], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .map_err(db_err("counting open cases", &p))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err("counting open cases", &p))?;
        let mut st = self
            .conn
            .prepare_cached(network_sql::STAGE_CHANGES_SQLITE)
            .map_err(db_err("reading stage changes", &p))?;
        let changes = st
            .query_map(params![first], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(db_err("reading stage changes", &p))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err("reading stage changes", &p))?;
        Ok(CouncilRows {
            intakes,
            counts,
            open,
            changes,
        })
    }
}

fn meeting_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Meeting> {
    Ok(Meeting {
        id: r.get(0)?,
        record: r.get(1)?,
        date: r.get(2)?,
        participants: r.get(3)?,
        agenda: r.get(4)?,
        decision: r.get(5)?,
        goal: r.get(6)?,
        goal_date: r.get(7)?,
        review: r.get(8)?,
        by: r.get(9)?,
    })
}

fn account_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    Ok(account_from(
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

/// The audit entries of the saves after version `v` (what the other person changed).
fn audit_since_version(
    conn: &Connection,
    p: &str,
    id: i64,
    v: i64,
) -> Result<Vec<AuditEntry>, DeskError> {
    // The 'version' row ending the save that made version v (none for v = 0: all saves).
    let from: i64 = conn
        .query_row(
            "SELECT COALESCE(MAX(id), 0) FROM audit WHERE intake_id = ?1 AND field = 'version' AND new = ?2",
            params![id, v.to_string()],
            |r| r.get(0),
        )
        .map_err(db_err("reading the audit trail", p))?;
    Ok(audit_rows(conn, p, id, from)?
        .into_iter()
        .filter(|a| a.field != "version" && a.field != "created")
        .collect())
}
