//! Intake records, their audit trail and retention; staff accounts and the access log; the
//! kiosks' published statistics — each statement written once (`?N`, see `sql`), each row
//! type built by one function, for both databases.

use chrono::NaiveDate;

use super::sql::{Lock, Row, Sql, first, one, rows, transaction, vals};
use super::{DeskError, IntakeSummary, Saved, Search, trust_sql};
use crate::desk::accounts::{AccessEntry, Account, Role};
use crate::desk::intake::{AuditEntry, IntakeRecord, ScannedVisit, StaffFields, Stage};
use crate::desk::retention::{self, Policy, Report, Run};
use crate::stats::figures::Bucket;
use crate::store::kiosk::day_key;

/// The columns of one intake row, in the order `record_from` reads them.
macro_rules! record_columns {
    () => {
        "id, kiosk_id, serial, issued_at, lang, questionnaire_version, answers, routes, receipt_no, created_at, updated_at, name, furigana, contact, assigned_staff, next_action, notes, stage, version"
    };
}

const RECORD_GET: &str = concat!("SELECT ", record_columns!(), " FROM intake WHERE id = ?1");

/// The record a save decides on; PostgreSQL locks its row (a second desk saving the same
/// record waits here, then sees our version), SQLite's write lock is already held.
const RECORD_FOR_SAVE: &str = concat!(
    "SELECT ",
    record_columns!(),
    " FROM intake WHERE id = ?1 FOR UPDATE"
);

/// The unique (kiosk_id, serial) key decides between desks scanning at the same instant; no
/// check-then-insert.
const INTAKE_INSERT: &str = "INSERT INTO intake (kiosk_id, serial, issued_at, lang, questionnaire_version, answers, routes, receipt_no, created_at, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
     ON CONFLICT (kiosk_id, serial) DO NOTHING RETURNING id";

const INTAKE_OF_VISIT: &str = "SELECT id FROM intake WHERE kiosk_id = ?1 AND serial = ?2";

const INTAKE_UPDATE: &str = "UPDATE intake SET name=?2, furigana=?3, contact=?4, assigned_staff=?5, next_action=?6, notes=?7, stage=?8, updated_at=?9,
        closed_at = CASE WHEN ?8 = 6 THEN COALESCE(closed_at, ?10) ELSE NULL END,
        version = ?11
     WHERE id = ?1";

/// The 'version' row ending the save that made version ?2 (none for 0: all saves).
const VERSION_ROW: &str = "SELECT COALESCE(MAX(id), 0) FROM audit WHERE intake_id = ?1 AND field = 'version' AND new = ?2";

/// What the other person changed: the audit rows after ?2, without the bookkeeping ones.
const AUDIT_SINCE: &str = "SELECT at, who, field, old, new FROM audit WHERE intake_id = ?1 AND id > ?2 AND field NOT IN ('version', 'created') ORDER BY id";

const AUDIT_OF: &str = "SELECT at, who, field, old, new FROM audit WHERE intake_id = ?1 AND field <> 'version' ORDER BY id";

const SEARCH: &str =
    "SELECT id, issued_at, receipt_no, name, furigana, assigned_staff, stage FROM intake
     WHERE issued_at >= ?1 AND issued_at < ?2
       AND (?3 = '%%' OR name LIKE ?3 ESCAPE '\\' OR furigana LIKE ?3 ESCAPE '\\')
       AND (?4 < 0 OR stage = ?4)
       AND (?5 = '%%' OR assigned_staff LIKE ?5 ESCAPE '\\')
     ORDER BY issued_at DESC, id DESC LIMIT 500";

const OPENED_BETWEEN: &str =
    "SELECT COUNT(*) FROM intake WHERE created_at >= ?1 AND created_at < ?2";

const HAS_VISIT: &str = "SELECT EXISTS (SELECT 1 FROM intake WHERE kiosk_id = ?1 AND serial = ?2)";

const ACCOUNT_COLUMNS: &str = "login, name, role, active, hash, failures, locked_until";

const STAFF_INSERT: &str =
    "INSERT INTO staff (login, name, role, active, hash, failures, locked_until, created_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (login) DO NOTHING";

const STAFF_UPDATE: &str = "UPDATE staff SET name=?2, role=?3, active=?4, hash=?5, failures=?6, locked_until=?7 WHERE login=?1";

const ACCESS_INSERT: &str =
    "INSERT INTO access_log (at, login, action, record_id, target) VALUES (?1, ?2, ?3, ?4, ?5)";

const ACCESS_LOG: &str = "SELECT at, login, action, record_id, target FROM access_log WHERE at >= ?1 AND at < ?2 ORDER BY id";

const STATS_ZERO: &str =
    "UPDATE kiosk_stats SET n = 0, published_at = ?3 WHERE kiosk_id = ?1 AND day = ?2 AND n <> 0";

const STATS_UPSERT: &str =
    "INSERT INTO kiosk_stats (kiosk_id, day, hour, metric, key, n, published_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
     ON CONFLICT (kiosk_id, day, hour, metric, key)
     DO UPDATE SET n = excluded.n, published_at = excluded.published_at";

const STATS_READ: &str = "SELECT kiosk_id, day, hour, metric, key, n FROM kiosk_stats
     WHERE day BETWEEN ?1 AND ?2 AND n > 0 AND (CAST(?3 AS INTEGER) IS NULL OR kiosk_id = ?3)";

/// An intake row (`RECORD_COLUMNS`) into its type, checked.
fn record_from(r: &dyn Row) -> Result<IntakeRecord, DeskError> {
    let id = r.i64(0)?;
    let bad = |what: &str| DeskError(format!("record {id} has an unreadable {what}"));
    let answers: Vec<(String, String)> =
        serde_json::from_str(&r.text(6)?).map_err(|_| bad("answer list"))?;
    let routes: Vec<String> = serde_json::from_str(&r.text(7)?).map_err(|_| bad("route list"))?;
    Ok(IntakeRecord {
        id,
        visit: ScannedVisit {
            kiosk_id: u16::try_from(r.i64(1)?).map_err(|_| bad("kiosk id"))?,
            serial: u32::try_from(r.i64(2)?).map_err(|_| bad("visit number"))?,
            issued_at: r.i64(3)?,
            lang: r.text(4)?,
            questionnaire_version: u8::try_from(r.i64(5)?)
                .map_err(|_| bad("questionnaire version"))?,
            answers,
            routes,
            receipt_no: r.text(8)?,
        },
        created_at: r.i64(9)?,
        updated_at: r.i64(10)?,
        staff: StaffFields {
            name: r.text(11)?,
            furigana: r.text(12)?,
            contact: r.text(13)?,
            assigned_staff: r.text(14)?,
            next_action: r.text(15)?,
            notes: r.text(16)?,
            stage: Stage::from_code(r.i64(17)?),
        },
        version: r.i64(18)?,
    })
}

fn audit_from(r: &dyn Row) -> Result<AuditEntry, DeskError> {
    Ok(AuditEntry {
        at: r.i64(0)?,
        who: r.text(1)?,
        field: r.text(2)?,
        old: r.text(3)?,
        new: r.text(4)?,
    })
}

fn account_from(r: &dyn Row) -> Result<Account, DeskError> {
    Ok(Account {
        login: r.text(0)?,
        name: r.text(1)?,
        role: Role::parse(&r.text(2)?).unwrap_or(Role::Staff),
        active: r.bool(3)?,
        hash: r.text(4)?,
        failures: r.i64(5)?,
        locked_until: r.opt_i64(6)?,
    })
}

fn access_from(r: &dyn Row) -> Result<AccessEntry, DeskError> {
    Ok(AccessEntry {
        at: r.i64(0)?,
        login: r.text(1)?,
        action: r.text(2)?,
        record: r.opt_i64(3)?,
        target: r.text(4)?,
    })
}

fn summary_from(r: &dyn Row) -> Result<IntakeSummary, DeskError> {
    Ok(IntakeSummary {
        id: r.i64(0)?,
        issued_at: r.i64(1)?,
        receipt_no: r.text(2)?,
        name: r.text(3)?,
        furigana: r.text(4)?,
        assigned_staff: r.text(5)?,
        stage: Stage::from_code(r.i64(6)?).unwrap_or(Stage::Intake),
    })
}

fn id_from(r: &dyn Row) -> Result<i64, DeskError> {
    r.i64(0)
}

pub(super) fn open_or_create(
    db: &mut dyn Sql,
    visit: &ScannedVisit,
    who: &str,
    now: i64,
) -> Result<(i64, bool), DeskError> {
    let answers = serde_json::to_string(&visit.answers).map_err(|e| DeskError(e.to_string()))?;
    let routes = serde_json::to_string(&visit.routes).map_err(|e| DeskError(e.to_string()))?;
    let (kiosk, serial) = (i64::from(visit.kiosk_id), i64::from(visit.serial));
    let qv = i64::from(visit.questionnaire_version);
    let p = vals![
        kiosk,
        serial,
        visit.issued_at,
        &visit.lang,
        qv,
        &answers,
        &routes,
        &visit.receipt_no,
        now
    ];
    let out = transaction(db, "starting a transaction", Lock::None, "saving", |db| {
        db.exec(
            "taking the visitor off the waiting list",
            super::lobby_sql::SCANNED,
            vals![kiosk, serial, now],
        )?;
        match first(db, "creating the intake record", INTAKE_INSERT, p, id_from)? {
            Some(id) => {
                db.exec(
                    "writing the audit trail",
                    trust_sql::AUDIT_INSERT,
                    vals![id, now, who, "created", "", "scan"],
                )?;
                Ok((id, true))
            }
            None => one(
                db,
                "looking up the slip",
                INTAKE_OF_VISIT,
                vals![kiosk, serial],
                id_from,
            )
            .map(|id| (id, false)),
        }
    })?;
    Ok(out.unwrap_or_default())
}

pub(super) fn get(db: &mut dyn Sql, id: i64) -> Result<Option<IntakeRecord>, DeskError> {
    first(db, "reading a record", RECORD_GET, vals![id], record_from)
}

/// The conflict check and the audit of a save, for both databases: in one write-locked
/// transaction, refused with what the other person changed when the record is no longer at
/// `base`; otherwise the changed fields, one audit row each, and a 'version' row that ends
/// the save (which audit rows belong to which version).
pub(super) fn save(
    db: &mut dyn Sql,
    id: i64,
    base: Option<i64>,
    edits: &StaffFields,
    who: &str,
    now: i64,
) -> Result<Saved, DeskError> {
    let saved = transaction(db, "starting a transaction", Lock::Write, "saving", |db| {
        let current = first(
            db,
            "reading a record",
            RECORD_FOR_SAVE,
            vals![id],
            record_from,
        )?
        .ok_or_else(|| {
            DeskError(format!(
                "record {id} does not exist (it may have been deleted by retention)"
            ))
        })?;
        if let Some(v) = base
            && v != current.version
        {
            let what = "reading the audit trail";
            let from = one(db, what, VERSION_ROW, vals![id, &v.to_string()], id_from)?;
            let theirs = rows(db, what, AUDIT_SINCE, vals![id, from], audit_from)?;
            return Ok(Saved::Conflict {
                current: Box::new(current),
                theirs,
            });
        }
        let changed = changes(&current.staff, edits);
        for (field, old, new) in &changed {
            db.exec(
                "writing the audit trail",
                trust_sql::AUDIT_INSERT,
                vals![id, now, who, *field, old, new],
            )?;
        }
        let mut version = current.version;
        if !changed.is_empty() {
            let stage = edits.stage.unwrap_or(Stage::Intake);
            let closed_at: Option<i64> = (stage == Stage::Termination).then_some(now);
            version += 1;
            db.exec(
                "saving the record",
                INTAKE_UPDATE,
                vals![
                    id,
                    &edits.name,
                    &edits.furigana,
                    &edits.contact,
                    &edits.assigned_staff,
                    &edits.next_action,
                    &edits.notes,
                    stage.code(),
                    now,
                    closed_at,
                    version
                ],
            )?;
            db.exec(
                "writing the audit trail",
                trust_sql::AUDIT_INSERT,
                vals![
                    id,
                    now,
                    who,
                    "version",
                    &(version - 1).to_string(),
                    &version.to_string()
                ],
            )?;
        }
        Ok(Saved::Changed {
            fields: changed.len(),
            version,
        })
    })?;
    saved.ok_or_else(|| DeskError("the save did not run".into()))
}

pub(super) fn audit(db: &mut dyn Sql, id: i64) -> Result<Vec<AuditEntry>, DeskError> {
    rows(
        db,
        "reading the audit trail",
        AUDIT_OF,
        vals![id],
        audit_from,
    )
}

pub(super) fn search(db: &mut dyn Sql, s: &Search) -> Result<Vec<IntakeSummary>, DeskError> {
    let like = like_pattern(&s.text);
    let staff = like_pattern(&s.assigned_staff);
    let p = vals![
        s.from.unwrap_or(i64::MIN),
        s.to.unwrap_or(i64::MAX),
        &like,
        s.stage.map_or(-1, Stage::code),
        &staff
    ];
    rows(db, "searching", SEARCH, p, summary_from)
}

pub(super) fn opened_per_day(db: &mut dyn Sql, day_starts: &[i64]) -> Result<Vec<u32>, DeskError> {
    day_starts
        .windows(2)
        .map(|w| {
            let n = one(
                db,
                "counting intakes",
                OPENED_BETWEEN,
                vals![w[0], w[1]],
                id_from,
            )?;
            Ok(u32::try_from(n).unwrap_or(u32::MAX))
        })
        .collect()
}

/// `DeskStore::retention`: under `Lock::Retention`, decided on what the database says of each
/// record's last activity (`trust_sql::ACTIVITY`).
pub(super) fn retention(
    db: &mut dyn Sql,
    now: i64,
    policy: Policy,
    run: Run,
    who: &str,
) -> Result<Report, DeskError> {
    if db.app_role() && run != Run::DryRun {
        return retention_as_owner(db, now, run);
    }
    let report = transaction(db, "starting retention", Lock::Retention, "saving", |db| {
        let last = first(
            db,
            "reading the last retention run",
            trust_sql::MAINTENANCE_GET,
            vals!["retention"],
            id_from,
        )?;
        if !retention::due(run, last, now) {
            return Ok(Report::default());
        }
        let activity = rows(
            db,
            "reading records' activity",
            trust_sql::ACTIVITY,
            &[],
            |r| Ok((r.i64(0)?, r.opt_i64(1)?, r.opt_i64(2)?.unwrap_or(0))),
        )?;
        let mut removed = retention::decide(&activity, now, policy);
        for r in &mut removed {
            r.meetings = rows(
                db,
                "reading a record's meetings",
                trust_sql::MEETINGS_OF,
                vals![r.record],
                id_from,
            )?;
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
            db.exec(
                "deleting audit rows",
                "DELETE FROM audit WHERE intake_id = ?1",
                vals![id],
            )?;
            // So do its network, meetings, assessments, follow-ups and consent history.
            for t in crate::network::CASE_TABLES {
                db.exec(
                    "deleting a record's network",
                    &format!("DELETE FROM {t} WHERE intake_id = ?1"),
                    vals![id],
                )?;
            }
            db.exec(
                "deleting a record",
                "DELETE FROM intake WHERE id = ?1",
                vals![id],
            )?;
            let note = retention_note(r, policy);
            db.exec(
                "writing the audit trail",
                trust_sql::AUDIT_INSERT,
                vals![id, now, who, "deleted", "", &note],
            )?;
        }
        db.exec(
            "noting the retention run",
            trust_sql::MAINTENANCE_SET,
            vals!["retention", now],
        )?;
        Ok(Report {
            ran: true,
            dry_run,
            removed,
        })
    })?;
    // Another desk is running it: nothing to do here.
    Ok(report.unwrap_or_default())
}

pub(super) fn has_visit(db: &mut dyn Sql, kiosk_id: u16, serial: u32) -> Result<bool, DeskError> {
    let p = vals![i64::from(kiosk_id), i64::from(serial)];
    one(db, "looking up a visit", HAS_VISIT, p, |r| r.bool(0))
}

pub(super) fn count(db: &mut dyn Sql) -> Result<i64, DeskError> {
    one(db, "counting", "SELECT COUNT(*) FROM intake", &[], id_from)
}

pub(super) fn staff_get(db: &mut dyn Sql, login: &str) -> Result<Option<Account>, DeskError> {
    let q = format!("SELECT {ACCOUNT_COLUMNS} FROM staff WHERE login = ?1");
    first(db, "reading an account", &q, vals![login], account_from)
}

pub(super) fn staff_list(db: &mut dyn Sql) -> Result<Vec<Account>, DeskError> {
    let q = format!("SELECT {ACCOUNT_COLUMNS} FROM staff ORDER BY login");
    rows(db, "listing accounts", &q, &[], account_from)
}

pub(super) fn staff_insert(db: &mut dyn Sql, a: &Account, now: i64) -> Result<bool, DeskError> {
    let p = vals![
        &a.login,
        &a.name,
        a.role.id(),
        a.active,
        &a.hash,
        a.failures,
        a.locked_until,
        now
    ];
    Ok(db.exec("adding an account", STAFF_INSERT, p)? == 1)
}

pub(super) fn staff_update(db: &mut dyn Sql, a: &Account) -> Result<(), DeskError> {
    let p = vals![
        &a.login,
        &a.name,
        a.role.id(),
        a.active,
        &a.hash,
        a.failures,
        a.locked_until
    ];
    db.exec("saving an account", STAFF_UPDATE, p).map(|_| ())
}

pub(super) fn staff_fail(
    db: &mut dyn Sql,
    login: &str,
    now: i64,
    lock_until: i64,
) -> Result<Option<(i64, Option<i64>)>, DeskError> {
    let p = vals![login, now, crate::desk::accounts::MAX_FAILURES, lock_until];
    first(
        db,
        "counting a failed sign-in",
        trust_sql::STAFF_FAIL,
        p,
        |r| Ok((r.i64(0)?, r.opt_i64(1)?)),
    )
}

pub(super) fn staff_ok(db: &mut dyn Sql, login: &str, now: i64) -> Result<bool, DeskError> {
    Ok(db.exec("signing in", trust_sql::STAFF_OK, vals![login, now])? == 1)
}

pub(super) fn log_access(db: &mut dyn Sql, e: &AccessEntry) -> Result<(), DeskError> {
    let p = vals![e.at, &e.login, &e.action, e.record, &e.target];
    db.exec("writing the access log", ACCESS_INSERT, p)
        .map(|_| ())
}

pub(super) fn access_log(
    db: &mut dyn Sql,
    from: i64,
    to: i64,
) -> Result<Vec<AccessEntry>, DeskError> {
    rows(
        db,
        "reading the access log",
        ACCESS_LOG,
        vals![from, to],
        access_from,
    )
}

/// Replaces a kiosk's figures of `day` (zeroed, then upserted; in one transaction).
pub(super) fn publish_day(
    db: &mut dyn Sql,
    kiosk_id: u16,
    day: NaiveDate,
    buckets: &[Bucket],
    now: i64,
) -> Result<usize, DeskError> {
    let (k, d) = (i64::from(kiosk_id), day_key(day));
    let what = "writing kiosk statistics";
    let n = transaction(db, "starting a transaction", Lock::None, what, |db| {
        db.exec(what, STATS_ZERO, vals![k, d, now])?;
        let mut rows = 0;
        for (hour, metric, key, n) in crate::store::shared::day_rows(buckets, day) {
            let p = vals![k, d, i64::from(hour), &metric, &key, n, now];
            db.exec(what, STATS_UPSERT, p)?;
            rows += 1;
        }
        Ok(rows)
    })?;
    Ok(n.unwrap_or_default())
}

pub(super) fn kiosk_buckets(
    db: &mut dyn Sql,
    kiosk: Option<u16>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(u16, Bucket)>, DeskError> {
    let p = vals![day_key(from), day_key(to), kiosk.map(i64::from)];
    let narrow = |n: i64| i32::try_from(n).unwrap_or(-1);
    let found = rows(db, "reading kiosk statistics", STATS_READ, p, |r| {
        Ok((
            narrow(r.i64(0)?),
            narrow(r.i64(1)?),
            i16::try_from(r.i64(2)?).unwrap_or(-1),
            r.text(3)?,
            r.text(4)?,
            r.i64(5)?,
        ))
    })?;
    Ok(crate::store::shared::buckets_from_rows(found))
}

/// `%text%` for LIKE with `\` as the escape character.
fn like_pattern(text: &str) -> String {
    format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// The (field, old, new) triples a save writes: only what changed.
fn changes(before: &StaffFields, after: &StaffFields) -> Vec<(&'static str, String, String)> {
    before
        .fields()
        .into_iter()
        .zip(after.fields())
        .filter(|((_, _, old), (_, _, new))| old != new)
        .map(|((field, _, old), (_, _, new))| (field, old, new))
        .collect()
}

/// Why retention removed a record, for its audit row (no personal data).
/// Retention by the application role (SERVER.md §3): the owner's SECURITY DEFINER function
/// does all of it, with the periods only the owner can write; this role may delete no audit
/// row itself. What it removed comes back as rows.
fn retention_as_owner(db: &mut dyn Sql, now: i64, run: Run) -> Result<Report, DeskError> {
    use crate::desk::retention::{Reason, Removal};
    let force = run == Run::Now;
    let removed = transaction(db, "starting retention", Lock::None, "saving", |db| {
        rows(
            db,
            "running retention (hatarakitai_retention)",
            "SELECT record, reason, last_activity, meetings FROM hatarakitai_retention(?1, ?2)",
            vals![now, force],
            |r| {
                Ok(Removal {
                    record: r.i64(0)?,
                    reason: if r.text(1)? == "closed" {
                        Reason::Closed
                    } else {
                        Reason::Inactive
                    },
                    last_activity: r.i64(2)?,
                    meetings: r
                        .text(3)?
                        .split(',')
                        .filter_map(|m| m.parse().ok())
                        .collect(),
                })
            },
        )
    })?
    .unwrap_or_default();
    Ok(Report {
        ran: true,
        dry_run: false,
        removed,
    })
}

fn retention_note(r: &crate::desk::retention::Removal, p: Policy) -> String {
    match r.reason {
        crate::desk::retention::Reason::Closed => {
            format!("closed more than {} days ago", p.closed_days)
        }
        crate::desk::retention::Reason::Inactive => {
            format!("no activity for {} years", p.inactive_years)
        }
    }
}
