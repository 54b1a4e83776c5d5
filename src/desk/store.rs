//! `desk.sqlite`: intake records created from scanned slips, staff edits with an audit trail,
//! search, and retention. Personal data lives here, so the file is created 0600 and nothing
//! from it is ever logged. One scan of a slip = one record: the (kiosk id, visit serial) pair
//! is unique, so a second scan opens the same record.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::intake::{AuditEntry, IntakeRecord, ScannedVisit, StaffFields, Stage};

/// Schema versions in order: entry N brings `user_version` from N to N+1.
const MIGRATIONS: &[&str] = &[SCHEMA_V1];

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

#[derive(Debug)]
pub struct DeskError(pub String);

impl std::fmt::Display for DeskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeskError {}

fn db_err(what: &str, path: &str) -> impl Fn(rusqlite::Error) -> DeskError {
    let (what, path) = (what.to_string(), path.to_string());
    move |e| {
        DeskError(format!(
            "desk database {path}: {what} failed ({e}); if this repeats, check free disk space and restart the desk"
        ))
    }
}

pub struct DeskStore {
    conn: Connection,
    path: String,
}

/// A line in the record list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IntakeSummary {
    pub id: i64,
    pub issued_at: i64,
    pub receipt_no: String,
    pub name: String,
    pub furigana: String,
    pub assigned_staff: String,
    pub stage: Stage,
}

/// Filters for the record list; empty = no filter on that field.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Unix seconds, inclusive..exclusive, on the visit time.
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Matches name or ふりがな (substring).
    pub text: String,
    pub stage: Option<Stage>,
    pub assigned_staff: String,
}

impl DeskStore {
    /// Opens or creates `desk.sqlite` with the project's one database opener (0600 files, WAL,
    /// `synchronous=FULL`, `quick_check`, migrations by `user_version`, a writability check).
    pub fn open(path: &Path) -> Result<DeskStore, DeskError> {
        let conn =
            crate::store::open_db(path, true, MIGRATIONS).map_err(|e| DeskError(e.to_string()))?;
        conn.execute_batch("PRAGMA foreign_keys=ON;")
            .map_err(db_err("setting foreign keys", &path.display().to_string()))?;
        Ok(DeskStore {
            conn,
            path: path.display().to_string(),
        })
    }

    /// The scan path: opens the record for this slip, creating it on the first scan.
    /// Returns the record and whether it was created now.
    pub fn open_or_create(
        &mut self,
        visit: &ScannedVisit,
        now: i64,
    ) -> Result<(IntakeRecord, bool), DeskError> {
        let p = self.path.clone();
        let tx = self
            .conn
            .transaction()
            .map_err(db_err("starting a transaction", &p))?;
        let existing: Option<i64> = tx
            .query_row(
                "SELECT id FROM intake WHERE kiosk_id = ?1 AND serial = ?2",
                params![visit.kiosk_id, visit.serial],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err("looking up the slip", &p))?;
        let (id, created) = match existing {
            Some(id) => (id, false),
            None => {
                let answers =
                    serde_json::to_string(&visit.answers).map_err(|e| DeskError(e.to_string()))?;
                let routes =
                    serde_json::to_string(&visit.routes).map_err(|e| DeskError(e.to_string()))?;
                tx.execute(
                    "INSERT INTO intake (kiosk_id, serial, issued_at, lang, questionnaire_version, answers, routes, receipt_no, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
                    params![visit.kiosk_id, visit.serial, visit.issued_at, visit.lang, visit.questionnaire_version, answers, routes, visit.receipt_no, now],
                )
                .map_err(db_err("creating the intake record", &p))?;
                let id = tx.last_insert_rowid();
                tx.execute(
                    "INSERT INTO audit (intake_id, at, who, field, old, new) VALUES (?1, ?2, 'desk', 'created', '', 'scan')",
                    params![id, now],
                )
                .map_err(db_err("writing the audit trail", &p))?;
                (id, true)
            }
        };
        tx.commit().map_err(db_err("saving", &p))?;
        let rec = self
            .get(id)?
            .ok_or_else(|| DeskError(format!("record {id} vanished while opening it")))?;
        Ok((rec, created))
    }

    pub fn get(&self, id: i64) -> Result<Option<IntakeRecord>, DeskError> {
        let p = self.path.as_str();
        let row = self
            .conn
            .query_row(
                "SELECT id, kiosk_id, serial, issued_at, lang, questionnaire_version, answers, routes, receipt_no, created_at, updated_at,
                        name, furigana, contact, assigned_staff, next_action, notes, stage
                 FROM intake WHERE id = ?1",
                params![id],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, u16>(1)?,
                        r.get::<_, u32>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, u8>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, String>(8)?,
                        r.get::<_, i64>(9)?,
                        r.get::<_, i64>(10)?,
                        [r.get::<_, String>(11)?, r.get(12)?, r.get(13)?, r.get(14)?, r.get(15)?, r.get(16)?],
                        r.get::<_, i64>(17)?,
                    ))
                },
            )
            .optional()
            .map_err(db_err("reading a record", p))?;
        let Some((
            id,
            kiosk_id,
            serial,
            issued_at,
            lang,
            qv,
            answers,
            routes,
            receipt_no,
            created_at,
            updated_at,
            s,
            stage,
        )) = row
        else {
            return Ok(None);
        };
        let answers: Vec<(String, String)> = serde_json::from_str(&answers)
            .map_err(|e| DeskError(format!("record {id} has unreadable answers ({e})")))?;
        let routes: Vec<String> = serde_json::from_str(&routes)
            .map_err(|e| DeskError(format!("record {id} has unreadable routes ({e})")))?;
        let [name, furigana, contact, assigned_staff, next_action, notes] = s;
        Ok(Some(IntakeRecord {
            id,
            visit: ScannedVisit {
                kiosk_id,
                serial,
                issued_at,
                lang,
                questionnaire_version: qv,
                answers,
                routes,
                receipt_no,
            },
            created_at,
            updated_at,
            staff: StaffFields {
                name,
                furigana,
                contact,
                assigned_staff,
                next_action,
                notes,
                stage: Stage::from_code(stage),
            },
        }))
    }

    /// Saves staff edits. Each changed field becomes one audit entry (who, when, old → new),
    /// in the same transaction as the change. Returns the number of changed fields.
    pub fn save(
        &mut self,
        id: i64,
        edits: &StaffFields,
        who: &str,
        now: i64,
    ) -> Result<usize, DeskError> {
        let p = self.path.clone();
        let current = self.get(id)?.ok_or_else(|| {
            DeskError(format!(
                "record {id} does not exist (it may have been deleted by retention)"
            ))
        })?;
        let before = current.staff.fields();
        let after = edits.fields();
        let stage = edits.stage.unwrap_or(Stage::Intake);
        let tx = self
            .conn
            .transaction()
            .map_err(db_err("starting a transaction", &p))?;
        let mut changed = 0;
        for ((field, _, old), (_, _, new)) in before.iter().zip(after.iter()) {
            if old != new {
                changed += 1;
                tx.execute(
                    "INSERT INTO audit (intake_id, at, who, field, old, new) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![id, now, who, field, old, new],
                )
                .map_err(db_err("writing the audit trail", &p))?;
            }
        }
        if changed > 0 {
            let closed_at: Option<i64> = (stage == Stage::Termination).then_some(now);
            tx.execute(
                "UPDATE intake SET name=?2, furigana=?3, contact=?4, assigned_staff=?5, next_action=?6, notes=?7, stage=?8, updated_at=?9,
                        closed_at = CASE WHEN ?8 = 6 THEN COALESCE(closed_at, ?10) ELSE NULL END
                 WHERE id = ?1",
                params![id, edits.name, edits.furigana, edits.contact, edits.assigned_staff, edits.next_action, edits.notes, stage.code(), now, closed_at],
            )
            .map_err(db_err("saving the record", &p))?;
        }
        tx.commit().map_err(db_err("saving", &p))?;
        Ok(changed)
    }

    pub fn audit(&self, id: i64) -> Result<Vec<AuditEntry>, DeskError> {
        let p = self.path.as_str();
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT at, who, field, old, new FROM audit WHERE intake_id = ?1 ORDER BY id",
            )
            .map_err(db_err("reading the audit trail", p))?;
        let rows = st
            .query_map(params![id], |r| {
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

    pub fn search(&self, s: &Search) -> Result<Vec<IntakeSummary>, DeskError> {
        let p = self.path.as_str();
        let like = format!(
            "%{}%",
            s.text
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let staff = format!(
            "%{}%",
            s.assigned_staff
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
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

    /// Intakes opened (records created) per local day in [from, to), as (day start unix, count).
    /// `day_starts` are the unix times of local midnights, ascending, with one extra at the end.
    pub fn opened_per_day(&self, day_starts: &[i64]) -> Result<Vec<u32>, DeskError> {
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

    /// Deletes closed (ターミネーション) records closed more than `days` ago. The deletion is
    /// audited without any personal data. Returns how many were deleted.
    pub fn apply_retention(&mut self, now: i64, days: u32) -> Result<usize, DeskError> {
        let p = self.path.clone();
        let cutoff = now - i64::from(days) * 86_400;
        let tx = self
            .conn
            .transaction()
            .map_err(db_err("starting a transaction", &p))?;
        let ids: Vec<i64> = {
            let mut st = tx
                .prepare("SELECT id FROM intake WHERE stage = 6 AND closed_at IS NOT NULL AND closed_at < ?1")
                .map_err(db_err("finding expired records", &p))?;
            let rows = st
                .query_map(params![cutoff], |r| r.get(0))
                .map_err(db_err("finding expired records", &p))?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(db_err("finding expired records", &p))?
        };
        for id in &ids {
            // The record's own audit rows hold old values (names): they go too.
            tx.execute("DELETE FROM audit WHERE intake_id = ?1", params![id])
                .map_err(db_err("deleting audit rows", &p))?;
            tx.execute("DELETE FROM intake WHERE id = ?1", params![id])
                .map_err(db_err("deleting a record", &p))?;
            tx.execute(
                "INSERT INTO audit (intake_id, at, who, field, old, new) VALUES (?1, ?2, 'retention', 'deleted', '', ?3)",
                params![id, now, format!("closed more than {days} days ago")],
            )
            .map_err(db_err("writing the audit trail", &p))?;
        }
        tx.commit().map_err(db_err("saving", &p))?;
        Ok(ids.len())
    }

    /// Whether this desk has a record for the kiosk's visit.
    pub fn has_visit(&self, kiosk_id: u16, serial: u32) -> Result<bool, DeskError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM intake WHERE kiosk_id = ?1 AND serial = ?2)",
                params![kiosk_id, serial],
                |r| r.get(0),
            )
            .map_err(db_err("looking up a visit", &self.path))
    }

    pub fn count(&self) -> Result<i64, DeskError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM intake", [], |r| r.get(0))
            .map_err(db_err("counting", &self.path))
    }
}
