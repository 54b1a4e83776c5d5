//! The team's store: every desk of a centre on one PostgreSQL database (TEAM.md §2). Same
//! behaviour as `sqlite`; the differences are the database's own: `BIGSERIAL` ids,
//! `$n` parameters, and a schema table with an advisory lock so two desks starting at the
//! same moment migrate once.
//!
//! Reaching the server (URL, password file, TLS) is `crate::store::pg`.

use postgres::types::ToSql;
use postgres::{Client, Row};

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
pub use crate::store::pg::PgTarget;
use chrono::NaiveDate;

/// Schema versions in order: entry N brings the database from version N to N+1.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE intake (
        id BIGSERIAL PRIMARY KEY,
        kiosk_id INTEGER NOT NULL,
        serial BIGINT NOT NULL,
        issued_at BIGINT NOT NULL,
        lang TEXT NOT NULL,
        questionnaire_version INTEGER NOT NULL,
        answers TEXT NOT NULL,
        routes TEXT NOT NULL,
        receipt_no TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        furigana TEXT NOT NULL DEFAULT '',
        contact TEXT NOT NULL DEFAULT '',
        assigned_staff TEXT NOT NULL DEFAULT '',
        next_action TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        stage INTEGER NOT NULL DEFAULT 0,
        closed_at BIGINT,
        UNIQUE (kiosk_id, serial)
    );
    CREATE INDEX intake_issued ON intake(issued_at);
    CREATE INDEX intake_created ON intake(created_at);
    CREATE TABLE audit (
        id BIGSERIAL PRIMARY KEY,
        intake_id BIGINT NOT NULL,
        at BIGINT NOT NULL,
        who TEXT NOT NULL,
        field TEXT NOT NULL,
        old TEXT NOT NULL,
        new TEXT NOT NULL
    );
    CREATE INDEX audit_intake ON audit(intake_id, id);",
    "ALTER TABLE intake ADD COLUMN version BIGINT NOT NULL DEFAULT 0;",
    "CREATE TABLE staff (
        login TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        active BOOLEAN NOT NULL,
        hash TEXT NOT NULL,
        failures BIGINT NOT NULL DEFAULT 0,
        locked_until BIGINT,
        created_at BIGINT NOT NULL
    );
    CREATE TABLE access_log (
        id BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
        login TEXT NOT NULL,
        action TEXT NOT NULL,
        record_id BIGINT
    );
    CREATE INDEX access_at ON access_log(at);",
    crate::store::shared::TABLE_SQL,
    crate::network::NETWORK_PG,
    crate::network::FOLLOWUP_PG,
    trust_sql::SCHEMA_PG,
];

pub struct PgStore {
    client: Client,
    name: String,
    /// To connect again after the server restarted or the network dropped.
    target: PgTarget,
}

fn pg_err(what: &'static str, name: &str) -> impl Fn(postgres::Error) -> DeskError {
    let name = name.to_string();
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

impl PgStore {
    /// Connects and brings the schema up to date (or refuses a schema newer than this desk).
    pub fn connect(t: &PgTarget) -> Result<PgStore, DeskError> {
        let name = t.describe();
        let mut client = t
            .connect("hatarakitai-desk", std::time::Duration::from_secs(5))
            .map_err(DeskError)?;
        migrate(&mut client, &name)?;
        Ok(PgStore {
            client,
            name,
            target: t.clone(),
        })
    }

    /// The client, for the tests' own checks and `desk migrate`.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }
}

/// An advisory lock number for the schema (any constant shared by every desk).
const SCHEMA_LOCK: i64 = 0x6861_7461_7261;
/// … and one for retention, held by the desk running it.
const RETENTION_LOCK: i64 = 0x6861_7461_7262;

fn migrate(client: &mut Client, name: &str) -> Result<(), DeskError> {
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
    let known = MIGRATIONS.len() as i32;
    if have > known {
        return Err(DeskError(format!(
            "{name}: the database has schema version {have}, newer than this desk knows ({known}); update hatarakitai on this PC before using it here (nothing was changed)"
        )));
    }
    for (i, m) in MIGRATIONS.iter().enumerate().skip(have as usize) {
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

fn raw(r: &Row) -> Result<RawRecord, postgres::Error> {
    Ok(RawRecord {
        id: r.try_get(0)?,
        kiosk_id: i64::from(r.try_get::<_, i32>(1)?),
        serial: r.try_get(2)?,
        issued_at: r.try_get(3)?,
        lang: r.try_get(4)?,
        questionnaire_version: i64::from(r.try_get::<_, i32>(5)?),
        answers: r.try_get(6)?,
        routes: r.try_get(7)?,
        receipt_no: r.try_get(8)?,
        created_at: r.try_get(9)?,
        updated_at: r.try_get(10)?,
        staff: [
            r.try_get(11)?,
            r.try_get(12)?,
            r.try_get(13)?,
            r.try_get(14)?,
            r.try_get(15)?,
            r.try_get(16)?,
        ],
        stage: i64::from(r.try_get::<_, i32>(17)?),
        version: r.try_get(18)?,
    })
}

fn audit_entry(r: &Row) -> Result<AuditEntry, postgres::Error> {
    Ok(AuditEntry {
        at: r.try_get(0)?,
        who: r.try_get(1)?,
        field: r.try_get(2)?,
        old: r.try_get(3)?,
        new: r.try_get(4)?,
    })
}

fn account_of(r: &Row) -> Result<Account, postgres::Error> {
    Ok(account_from(
        r.try_get(0)?,
        r.try_get(1)?,
        r.try_get(2)?,
        r.try_get(3)?,
        r.try_get(4)?,
        r.try_get(5)?,
        r.try_get(6)?,
    ))
}

/// The first column of a one-row answer (a count, an id, a flag).
fn first<T: for<'a> postgres::types::FromSql<'a>>(r: &Row) -> Result<T, postgres::Error> {
    r.try_get(0)
}

fn stage_i32(s: Stage) -> i32 {
    i32::try_from(s.code()).unwrap_or(0)
}

impl Backend for PgStore {
    fn describe(&self) -> String {
        self.name.clone()
    }

    fn reconnect_if_closed(&mut self) -> Result<(), DeskError> {
        if self.client.is_closed() {
            let mut client = self
                .target
                .connect("hatarakitai-desk", std::time::Duration::from_secs(5))
                .map_err(|e| DeskError(format!("{e} (your edits are kept: try again)")))?;
            migrate(&mut client, &self.name)?;
            self.client = client;
        }
        Ok(())
    }

    fn open_or_create(
        &mut self,
        visit: &ScannedVisit,
        who: &str,
        now: i64,
    ) -> Result<(i64, bool), DeskError> {
        let name = self.name.clone();
        let answers =
            serde_json::to_string(&visit.answers).map_err(|e| DeskError(e.to_string()))?;
        let routes = serde_json::to_string(&visit.routes).map_err(|e| DeskError(e.to_string()))?;
        let c = &mut self.client;
        let mut tx = c
            .transaction()
            .map_err(pg_err("starting a transaction", &name))?;
        let kiosk = i32::from(visit.kiosk_id);
        let serial = i64::from(visit.serial);
        let qv = i32::from(visit.questionnaire_version);
        // The unique (kiosk_id, serial) key decides between desks scanning at the same instant.
        let inserted = tx
            .query_opt(
                "INSERT INTO intake (kiosk_id, serial, issued_at, lang, questionnaire_version, answers, routes, receipt_no, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
                 ON CONFLICT (kiosk_id, serial) DO NOTHING RETURNING id",
                &[&kiosk, &serial, &visit.issued_at, &visit.lang, &qv, &answers, &routes, &visit.receipt_no, &now],
            )
            .map_err(pg_err("creating the intake record", &name))?;
        let out = match inserted {
            Some(row) => {
                let id: i64 = first(&row).map_err(pg_err("creating the intake record", &name))?;
                tx.execute(
                    &*trust_sql::pg(trust_sql::AUDIT_INSERT),
                    &[&id, &now, &who, &"created", &"", &"scan"],
                )
                .map_err(pg_err("writing the audit trail", &name))?;
                (id, true)
            }
            None => {
                let row = tx
                    .query_one(
                        "SELECT id FROM intake WHERE kiosk_id = $1 AND serial = $2",
                        &[&kiosk, &serial],
                    )
                    .map_err(pg_err("looking up the slip", &name))?;
                (
                    first(&row).map_err(pg_err("looking up the slip", &name))?,
                    false,
                )
            }
        };
        tx.commit().map_err(pg_err("saving", &name))?;
        Ok(out)
    }

    fn get(&mut self, id: i64) -> Result<Option<IntakeRecord>, DeskError> {
        let name = self.name.clone();
        let row = self
            .client
            .query_opt(
                &format!("SELECT {RECORD_COLUMNS} FROM intake WHERE id = $1"),
                &[&id],
            )
            .map_err(pg_err("reading a record", &name))?;
        match row {
            None => Ok(None),
            Some(r) => raw(&r)
                .map_err(pg_err("reading a record", &name))?
                .into_record()
                .map(Some),
        }
    }

    fn save(
        &mut self,
        id: i64,
        base: Option<i64>,
        edits: &StaffFields,
        who: &str,
        now: i64,
    ) -> Result<Saved, DeskError> {
        let name = self.name.clone();
        let c = &mut self.client;
        let mut tx = c
            .transaction()
            .map_err(pg_err("starting a transaction", &name))?;
        // FOR UPDATE: a second desk saving the same record waits here, then sees our version.
        let row = tx
            .query_opt(
                &format!("SELECT {RECORD_COLUMNS} FROM intake WHERE id = $1 FOR UPDATE"),
                &[&id],
            )
            .map_err(pg_err("reading a record", &name))?
            .ok_or_else(|| {
                DeskError(format!(
                    "record {id} does not exist (it may have been deleted by retention)"
                ))
            })?;
        let current = raw(&row)
            .map_err(pg_err("reading a record", &name))?
            .into_record()?;
        if let Some(v) = base
            && v != current.version
        {
            let from: i64 = tx
                .query_one(
                    "SELECT COALESCE(MAX(id), 0) FROM audit WHERE intake_id = $1 AND field = 'version' AND new = $2",
                    &[&id, &v.to_string()],
                )
                .and_then(|r| first(&r))
                .map_err(pg_err("reading the audit trail", &name))?;
            let theirs = tx
                .query(
                    "SELECT at, who, field, old, new FROM audit WHERE intake_id = $1 AND id > $2 AND field NOT IN ('version', 'created') ORDER BY id",
                    &[&id, &from],
                )
                .map_err(pg_err("reading the audit trail", &name))?
                .iter()
                .map(audit_entry)
                .collect::<Result<Vec<_>, _>>()
                .map_err(pg_err("reading the audit trail", &name))?;
            return Ok(Saved::Conflict {
                current: Box::new(current),
                theirs,
            });
        }
        let changed = super::changes(&current.staff, edits);
        for (field, old, new) in &changed {
            tx.execute(
                "INSERT INTO audit (intake_id, at, who, field, old, new) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&id, &now, &who, field, old, new],
            )
            .map_err(pg_err("writing the audit trail", &name))?;
        }
        let mut version = current.version;
        if !changed.is_empty() {
            let stage = edits.stage.unwrap_or(Stage::Intake);
            let closed_at: Option<i64> = (stage == Stage::Termination).then_some(now);
            version += 1;
            tx.execute(
                "UPDATE intake SET name=$2, furigana=$3, contact=$4, assigned_staff=$5, next_action=$6, notes=$7, stage=$8, updated_at=$9,
                        closed_at = CASE WHEN $8 = 6 THEN COALESCE(closed_at, $10) ELSE NULL END,
                        version = $11
                 WHERE id = $1",
                &[&id, &edits.name, &edits.furigana, &edits.contact, &edits.assigned_staff, &edits.next_action, &edits.notes, &stage_i32(stage), &now, &closed_at, &version],
            )
            .map_err(pg_err("saving the record", &name))?;
            tx.execute(
                "INSERT INTO audit (intake_id, at, who, field, old, new) VALUES ($1, $2, $3, 'version', $4, $5)",
                &[&id, &now, &who, &(version - 1).to_string(), &version.to_string()],
            )
            .map_err(pg_err("writing the audit trail", &name))?;
        }
        tx.commit().map_err(pg_err("saving", &name))?;
        Ok(Saved::Changed {
            fields: changed.len(),
            version,
        })
    }

    fn audit(&mut self, id: i64) -> Result<Vec<AuditEntry>, DeskError> {
        let name = self.name.clone();
        self
            .client
            .query(
                "SELECT at, who, field, old, new FROM audit WHERE intake_id = $1 AND field <> 'version' ORDER BY id",
                &[&id],
            )
            .map_err(pg_err("reading the audit trail", &name))?
            .iter()
            .map(audit_entry)
            .collect::<Result<Vec<_>, _>>()
            .map_err(pg_err("reading the audit trail", &name))
    }

    fn search(&mut self, s: &Search) -> Result<Vec<IntakeSummary>, DeskError> {
        let name = self.name.clone();
        let like = super::like_pattern(&s.text);
        let staff = super::like_pattern(&s.assigned_staff);
        let stage: i32 = s.stage.map_or(-1, stage_i32);
        let rows = self
            .client
            .query(
                "SELECT id, issued_at, receipt_no, name, furigana, assigned_staff, stage FROM intake
                 WHERE issued_at >= $1 AND issued_at < $2
                   AND ($3 = '%%' OR name LIKE $3 ESCAPE '\\' OR furigana LIKE $3 ESCAPE '\\')
                   AND ($4 < 0 OR stage = $4)
                   AND ($5 = '%%' OR assigned_staff LIKE $5 ESCAPE '\\')
                 ORDER BY issued_at DESC, id DESC LIMIT 500",
                &[
                    &s.from.unwrap_or(i64::MIN) as &(dyn ToSql + Sync),
                    &s.to.unwrap_or(i64::MAX),
                    &like,
                    &stage,
                    &staff,
                ],
            )
            .map_err(pg_err("searching", &name))?;
        rows.iter()
            .map(|r| {
                Ok(IntakeSummary {
                    id: r.try_get(0)?,
                    issued_at: r.try_get(1)?,
                    receipt_no: r.try_get(2)?,
                    name: r.try_get(3)?,
                    furigana: r.try_get(4)?,
                    assigned_staff: r.try_get(5)?,
                    stage: Stage::from_code(i64::from(r.try_get::<_, i32>(6)?))
                        .unwrap_or(Stage::Intake),
                })
            })
            .collect::<Result<Vec<_>, postgres::Error>>()
            .map_err(pg_err("searching", &name))
    }

    fn opened_per_day(&mut self, day_starts: &[i64]) -> Result<Vec<u32>, DeskError> {
        let name = self.name.clone();
        let c = &mut self.client;
        let st = c
            .prepare("SELECT COUNT(*) FROM intake WHERE created_at >= $1 AND created_at < $2")
            .map_err(pg_err("counting intakes", &name))?;
        day_starts
            .windows(2)
            .map(|w| {
                let n: i64 = c
                    .query_one(&st, &[&w[0], &w[1]])
                    .and_then(|r| first(&r))
                    .map_err(pg_err("counting intakes", &name))?;
                Ok(u32::try_from(n).unwrap_or(u32::MAX))
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
        let name = self.name.clone();
        let mut tx = self
            .client
            .transaction()
            .map_err(pg_err("starting retention", &name))?;
        // One desk at a time: the others skip (they will find the day's run done).
        let got: bool = tx
            .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&RETENTION_LOCK])
            .and_then(|r| first(&r))
            .map_err(pg_err("locking retention", &name))?;
        if !got {
            return Ok(Report::default());
        }
        let last: Option<i64> = tx
            .query_opt(&*trust_sql::pg(trust_sql::MAINTENANCE_GET), &[&"retention"])
            .map_err(pg_err("reading the last retention run", &name))?
            .map(|r| first(&r))
            .transpose()
            .map_err(pg_err("reading the last retention run", &name))?;
        if !retention::due(run, last, now) {
            return Ok(Report::default());
        }
        let rows: Vec<(i64, Option<i64>, i64)> = tx
            .query(trust_sql::ACTIVITY, &[])
            .map_err(pg_err("reading records' activity", &name))?
            .iter()
            .map(|r| {
                let last: Option<i64> = r.try_get(2)?;
                Ok((r.try_get(0)?, r.try_get(1)?, last.unwrap_or(0)))
            })
            .collect::<Result<Vec<_>, postgres::Error>>()
            .map_err(pg_err("reading records' activity", &name))?;
        let mut removed = retention::decide(&rows, now, policy);
        for r in &mut removed {
            r.meetings = tx
                .query(&*trust_sql::pg(trust_sql::MEETINGS_OF), &[&r.record])
                .map_err(pg_err("reading a record's meetings", &name))?
                .iter()
                .map(first)
                .collect::<Result<Vec<_>, _>>()
                .map_err(pg_err("reading a record's meetings", &name))?;
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
            let id = &r.record;
            tx.execute("DELETE FROM audit WHERE intake_id = $1", &[id])
                .map_err(pg_err("deleting audit rows", &name))?;
            // So do its network, meetings, assessments, follow-ups and consent history.
            for t in crate::network::CASE_TABLES {
                tx.execute(&format!("DELETE FROM {t} WHERE intake_id = $1"), &[id])
                    .map_err(pg_err("deleting a record's network", &name))?;
            }
            tx.execute("DELETE FROM intake WHERE id = $1", &[id])
                .map_err(pg_err("deleting a record", &name))?;
            let note = super::retention_note(r, policy);
            tx.execute(
                &*trust_sql::pg(trust_sql::AUDIT_INSERT),
                &[
                    id as &(dyn ToSql + Sync),
                    &now,
                    &who,
                    &"deleted",
                    &"",
                    &note,
                ],
            )
            .map_err(pg_err("writing the audit trail", &name))?;
        }
        tx.execute(
            &*trust_sql::pg(trust_sql::MAINTENANCE_SET),
            &[&"retention", &now],
        )
        .map_err(pg_err("noting the retention run", &name))?;
        tx.commit().map_err(pg_err("saving", &name))?;
        Ok(Report {
            ran: true,
            dry_run,
            removed,
        })
    }

    fn has_visit(&mut self, kiosk_id: u16, serial: u32) -> Result<bool, DeskError> {
        let name = self.name.clone();
        self.client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM intake WHERE kiosk_id = $1 AND serial = $2)",
                &[
                    &i32::from(kiosk_id) as &(dyn ToSql + Sync),
                    &i64::from(serial),
                ],
            )
            .and_then(|r| first(&r))
            .map_err(pg_err("looking up a visit", &name))
    }

    fn count(&mut self) -> Result<i64, DeskError> {
        let name = self.name.clone();
        self.client
            .query_one("SELECT COUNT(*) FROM intake", &[])
            .and_then(|r| first(&r))
            .map_err(pg_err("counting", &name))
    }

    fn staff_get(&mut self, login: &str) -> Result<Option<Account>, DeskError> {
        let name = self.name.clone();
        self
            .client
            .query_opt(
                "SELECT login, name, role, active, hash, failures, locked_until FROM staff WHERE login = $1",
                &[&login],
            )
            .map_err(pg_err("reading an account", &name))?
            .map(|r| account_of(&r))
            .transpose()
            .map_err(pg_err("reading an account", &name))
    }

    fn staff_list(&mut self) -> Result<Vec<Account>, DeskError> {
        let name = self.name.clone();
        self
            .client
            .query(
                "SELECT login, name, role, active, hash, failures, locked_until FROM staff ORDER BY login",
                &[],
            )
            .map_err(pg_err("listing accounts", &name))?
            .iter()
            .map(account_of)
            .collect::<Result<Vec<_>, _>>()
            .map_err(pg_err("listing accounts", &name))
    }

    fn staff_insert(&mut self, a: &Account, now: i64) -> Result<bool, DeskError> {
        let name = self.name.clone();
        let n = self
            .client
            .execute(
                "INSERT INTO staff (login, name, role, active, hash, failures, locked_until, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (login) DO NOTHING",
                &[&a.login, &a.name, &a.role.id(), &a.active, &a.hash, &a.failures, &a.locked_until, &now],
            )
            .map_err(pg_err("adding an account", &name))?;
        Ok(n == 1)
    }

    fn staff_update(&mut self, a: &Account) -> Result<(), DeskError> {
        let name = self.name.clone();
        self.client
            .execute(
                "UPDATE staff SET name=$2, role=$3, active=$4, hash=$5, failures=$6, locked_until=$7 WHERE login=$1",
                &[&a.login, &a.name, &a.role.id(), &a.active, &a.hash, &a.failures, &a.locked_until],
            )
            .map_err(pg_err("saving an account", &name))?;
        Ok(())
    }

    fn staff_fail(
        &mut self,
        login: &str,
        now: i64,
        lock_until: i64,
    ) -> Result<Option<(i64, Option<i64>)>, DeskError> {
        let name = self.name.clone();
        self.client
            .query_opt(
                &*trust_sql::pg(trust_sql::STAFF_FAIL),
                &[
                    &login as &(dyn ToSql + Sync),
                    &now,
                    &crate::desk::accounts::MAX_FAILURES,
                    &lock_until,
                ],
            )
            .map_err(pg_err("counting a failed sign-in", &name))?
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .transpose()
            .map_err(pg_err("counting a failed sign-in", &name))
    }

    fn staff_ok(&mut self, login: &str, now: i64) -> Result<bool, DeskError> {
        let name = self.name.clone();
        self.client
            .execute(&*trust_sql::pg(trust_sql::STAFF_OK), &[&login, &now])
            .map(|n| n == 1)
            .map_err(pg_err("signing in", &name))
    }

    fn log_access(&mut self, e: &AccessEntry) -> Result<(), DeskError> {
        let name = self.name.clone();
        self.client
            .execute(
                "INSERT INTO access_log (at, login, action, record_id, target) VALUES ($1, $2, $3, $4, $5)",
                &[&e.at, &e.login, &e.action, &e.record, &e.target],
            )
            .map_err(pg_err("writing the access log", &name))?;
        Ok(())
    }

    fn access_log(&mut self, from: i64, to: i64) -> Result<Vec<AccessEntry>, DeskError> {
        let name = self.name.clone();
        self
            .client
            .query(
                "SELECT at, login, action, record_id, target FROM access_log WHERE at >= $1 AND at < $2 ORDER BY id",
                &[&from, &to],
            )
            .map_err(pg_err("reading the access log", &name))?
            .iter()
            .map(|r| {
                Ok(AccessEntry {
                    at: r.try_get(0)?,
                    login: r.try_get(1)?,
                    action: r.try_get(2)?,
                    record: r.try_get(3)?,
                    target: r.try_get(4)?,
                })
            })
            .collect::<Result<Vec<_>, postgres::Error>>()
            .map_err(pg_err("reading the access log", &name))
    }

    fn publish_day(
        &mut self,
        kiosk_id: u16,
        day: NaiveDate,
        buckets: &[Bucket],
        now: i64,
    ) -> Result<usize, DeskError> {
        let name = self.name.clone();
        let mut tx = self
            .client
            .transaction()
            .map_err(pg_err("starting a transaction", &name))?;
        let n = crate::store::shared::upsert_day(&mut tx, kiosk_id, day, buckets, now)
            .map_err(pg_err("writing kiosk statistics", &name))?;
        tx.commit()
            .map_err(pg_err("writing kiosk statistics", &name))?;
        Ok(n)
    }

    fn kiosk_buckets(
        &mut self,
        kiosk: Option<u16>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(u16, Bucket)>, DeskError> {
        let name = self.name.clone();
        crate::store::shared::read_buckets(&mut self.client, kiosk, from, to)
            .map_err(pg_err("reading kiosk statistics", &name))
    }

    fn agency_get(&mut self, id: &str) -> Result<Option<String>, DeskError> {
        let name = self.name.clone();
        self.client
            .query_opt("SELECT data FROM agency WHERE id = $1", &[&id])
            .and_then(|r| r.map(|r| first(&r)).transpose())
            .map_err(pg_err("reading the agency directory", &name))
    }

    fn agency_all(&mut self) -> Result<Vec<String>, DeskError> {
        let name = self.name.clone();
        self.client
            .query("SELECT data FROM agency ORDER BY id", &[])
            .and_then(|rows| rows.iter().map(first).collect())
            .map_err(pg_err("reading the agency directory", &name))
    }

    fn agency_write(
        &mut self,
        id: &str,
        json: &str,
        audit: &[(String, String, String)],
        who: &str,
        now: i64,
    ) -> Result<(), DeskError> {
        let name = self.name.clone();
        let mut tx = self
            .client
            .transaction()
            .map_err(pg_err("starting a transaction", &name))?;
        tx.execute(
            "INSERT INTO agency (id, data, updated_at, updated_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by",
            &[&id, &json, &now, &who],
        )
        .map_err(pg_err("writing the agency", &name))?;
        for (field, old, new) in audit {
            tx.execute(
                "INSERT INTO agency_audit (agency_id, at, who, field, old, new) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&id, &now, &who, field, old, new],
            )
            .map_err(pg_err("auditing the agency", &name))?;
        }
        tx.commit().map_err(pg_err("writing the agency", &name))
    }

    fn link_insert(&mut self, l: &Link, who: &str, now: i64) -> Result<i64, DeskError> {
        let name = self.name.clone();
        self.client
            .query_one(
                "INSERT INTO case_link (intake_id, agency_id, role, from_day, to_day, consent_day, consent_scope, consent_by, created_at, created_by, person)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                &[&l.record, &l.agency, &l.role, &l.from, &l.to, &l.consent_date, &l.consent_scope, &l.consent_by, &now, &who, &l.person],
            )
            .and_then(|r| first(&r))
            .map_err(pg_err("linking the agency", &name))
    }

    fn links(&mut self, record: i64) -> Result<Vec<Link>, DeskError> {
        let name = self.name.clone();
        let rows = self
            .client
            .query(
                "SELECT id, intake_id, agency_id, role, from_day, to_day, consent_day, consent_scope, consent_by, person, consent_withdrawn
                 FROM case_link WHERE intake_id = $1 ORDER BY id",
                &[&record],
            )
            .map_err(pg_err("reading the case's network", &name))?;
        rows.iter()
            .map(|r| {
                Ok(Link {
                    id: r.try_get(0)?,
                    record: r.try_get(1)?,
                    agency: r.try_get(2)?,
                    role: r.try_get(3)?,
                    from: r.try_get(4)?,
                    to: r.try_get(5)?,
                    consent_date: r.try_get(6)?,
                    consent_scope: r.try_get(7)?,
                    consent_by: r.try_get(8)?,
                    person: r.try_get(9)?,
                    consent_withdrawn: r.try_get(10)?,
                })
            })
            .collect::<Result<Vec<_>, postgres::Error>>()
            .map_err(pg_err("reading the case's network", &name))
    }

    fn contact_insert(&mut self, c: &Contact) -> Result<i64, DeskError> {
        let name = self.name.clone();
        self.client
            .query_one(
                "INSERT INTO contact (intake_id, agency_id, at, method, direction, summary, who)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                &[
                    &c.record,
                    &c.agency,
                    &c.at,
                    &c.method,
                    &c.direction,
                    &c.summary,
                    &c.who,
                ],
            )
            .and_then(|r| first(&r))
            .map_err(pg_err("logging the contact", &name))
    }

    fn contacts(&mut self, record: i64) -> Result<Vec<Contact>, DeskError> {
        let name = self.name.clone();
        let rows = self
            .client
            .query(
                "SELECT id, intake_id, agency_id, at, method, direction, summary, who
                 FROM contact WHERE intake_id = $1 ORDER BY at, id",
                &[&record],
            )
            .map_err(pg_err("reading the contact log", &name))?;
        rows.iter()
            .map(|r| {
                Ok(Contact {
                    id: r.try_get(0)?,
                    record: r.try_get(1)?,
                    agency: r.try_get(2)?,
                    at: r.try_get(3)?,
                    method: r.try_get(4)?,
                    direction: r.try_get(5)?,
                    summary: r.try_get(6)?,
                    who: r.try_get(7)?,
                })
            })
            .collect::<Result<Vec<_>, postgres::Error>>()
            .map_err(pg_err("reading the contact log", &name))
    }

    fn meeting_insert(&mut self, m: &Meeting, now: i64) -> Result<i64, DeskError> {
        let name = self.name.clone();
        self.client
            .query_one(
                "INSERT INTO meeting (intake_id, day, participants, agenda, decision, goal, goal_day, review_day, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                &[&m.record, &m.date, &m.participants, &m.agenda, &m.decision, &m.goal, &m.goal_date, &m.review, &m.by, &now],
            )
            .and_then(|r| first(&r))
            .map_err(pg_err("saving the meeting", &name))
    }

    fn meetings(&mut self, record: Option<i64>) -> Result<Vec<Meeting>, DeskError> {
        let name = self.name.clone();
        let rows = self
            .client
            .query(
                "SELECT id, intake_id, day, participants, agenda, decision, goal, goal_day, review_day, created_by
                 FROM meeting WHERE ($1::BIGINT IS NULL OR intake_id = $1) ORDER BY day, id",
                &[&record],
            )
            .map_err(pg_err("reading meetings", &name))?;
        rows.iter()
            .map(meeting_row)
            .collect::<Result<Vec<_>, postgres::Error>>()
            .map_err(pg_err("reading meetings", &name))
    }

    fn assessment_insert(&mut self, a: &Assessment, now: i64) -> Result<i64, DeskError> {
        let name = self.name.clone();
        let ratings = super::ratings_text(&a.ratings);
        let notes = serde_json::to_string(&a.notes).unwrap_or_else(|_| "[]".into());
        self.client
            .query_one(
                "INSERT INTO assessment (intake_id, day, ratings, notes, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &[&a.record, &a.date, &ratings, &notes, &a.by, &now],
            )
            .and_then(|r| first(&r))
            .map_err(pg_err("saving the assessment", &name))
    }

    fn assessments(&mut self, record: i64) -> Result<Vec<Assessment>, DeskError> {
        let name = self.name.clone();
        let rows = self
            .client
            .query(
                "SELECT id, intake_id, day, ratings, notes, created_by FROM assessment WHERE intake_id = $1 ORDER BY day, id",
                &[&record],
            )
            .map_err(pg_err("reading assessments", &name))?;
        rows.iter()
            .map(|r| {
                Ok(super::assessment_from((
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                    r.try_get(5)?,
                )))
            })
            .collect::<Result<Vec<_>, postgres::Error>>()
            .map_err(pg_err("reading assessments", &name))
    }

    fn link_end(&mut self, id: i64, record: i64, day: &str) -> Result<bool, DeskError> {
        let name = self.name.clone();
        self.client
            .execute(
                "UPDATE case_link SET to_day = $3 WHERE id = $1 AND intake_id = $2 AND to_day = ''",
                &[&id, &record, &day],
            )
            .map(|n| n == 1)
            .map_err(pg_err("ending the link", &name))
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
        let name = self.name.clone();
        let mut tx = self
            .client
            .transaction()
            .map_err(pg_err("starting a transaction", &name))?;
        let (n, scope) = match change {
            ConsentChange::Given { day, scope } => (
                tx.execute(
                    &*trust_sql::pg(trust_sql::CONSENT_GIVE),
                    &[&link.id, &record, day, scope, &who],
                ),
                scope.as_str(),
            ),
            ConsentChange::Withdrawn { day } => (
                tx.execute(
                    &*trust_sql::pg(trust_sql::CONSENT_WITHDRAW),
                    &[&link.id, &record, day],
                ),
                "",
            ),
        };
        if n.map_err(pg_err("changing the consent", &name))? != 1 {
            return Ok(false);
        }
        let (kind, day) = (change.kind(), change.day());
        tx.execute(
            &*trust_sql::pg(trust_sql::CONSENT_EVENT),
            &[&link.id, &record, &kind, &day, &scope, &note, &who, &now],
        )
        .map_err(pg_err("writing the consent history", &name))?;
        let (field, old, new) = super::consent_audit(link, change);
        tx.execute(
            &*trust_sql::pg(trust_sql::AUDIT_INSERT),
            &[&record, &now, &who, &field, &old, &new],
        )
        .map_err(pg_err("writing the audit trail", &name))?;
        tx.commit().map_err(pg_err("saving", &name))?;
        Ok(true)
    }

    fn consent_events(&mut self, record: i64) -> Result<Vec<ConsentEvent>, DeskError> {
        let name = self.name.clone();
        self.client
            .query(&*trust_sql::pg(trust_sql::CONSENT_EVENTS), &[&record])
            .map_err(pg_err("reading the consent history", &name))?
            .iter()
            .map(|r| {
                Ok(ConsentEvent {
                    id: r.try_get(0)?,
                    link: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    day: r.try_get(3)?,
                    scope: r.try_get(4)?,
                    note: r.try_get(5)?,
                    who: r.try_get(6)?,
                    at: r.try_get(7)?,
                })
            })
            .collect::<Result<Vec<_>, postgres::Error>>()
            .map_err(pg_err("reading the consent history", &name))
    }

    fn meeting_get(&mut self, id: i64) -> Result<Option<Meeting>, DeskError> {
        let name = self.name.clone();
        let row = self
            .client
            .query_opt(
                "SELECT id, intake_id, day, participants, agenda, decision, goal, goal_day, review_day, created_by
                 FROM meeting WHERE id = $1",
                &[&id],
            )
            .map_err(pg_err("reading the meeting", &name))?;
        row.as_ref()
            .map(meeting_row)
            .transpose()
            .map_err(pg_err("reading the meeting", &name))
    }

    fn followup_insert(&mut self, f: &FollowUp, now: i64) -> Result<i64, DeskError> {
        let name = self.name.clone();
        self.client
            .query_one(
                "INSERT INTO followup (intake_id, kind, phase, from_day, to_day, due_day, note, done_day, done_by, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, '', '', $8, $9) RETURNING id",
                &[&f.record, &f.kind.id(), &f.phase, &f.from, &f.to, &f.due_day(), &f.note, &f.by, &now],
            )
            .and_then(|r| first(&r))
            .map_err(pg_err("saving the follow-up", &name))
    }

    fn followups(&mut self, record: i64) -> Result<Vec<FollowUp>, DeskError> {
        let name = self.name.clone();
        let rows = self
            .client
            .query(
                &format!(
                    "SELECT {} FROM followup WHERE intake_id = $1 ORDER BY from_day, id",
                    network_sql::FOLLOWUP_COLUMNS
                ),
                &[&record],
            )
            .map_err(pg_err("reading follow-ups", &name))?;
        rows.iter()
            .map(|r| {
                Ok(network_sql::followup_from(
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                    r.try_get(5)?,
                    r.try_get(6)?,
                    r.try_get(7)?,
                    r.try_get(8)?,
                ))
            })
            .collect::<Result<Vec<_>, postgres::Error>>()
            .map_err(pg_err("reading follow-ups", &name))
    }

    fn followup_done(&mut self, id: i64, day: &str, who: &str) -> Result<Option<i64>, DeskError> {
        let name = self.name.clone();
        let row = self
            .client
            .query_opt(
                "UPDATE followup SET done_day = $2, done_by = $3 WHERE id = $1 AND done_day = '' RETURNING intake_id",
                &[&id, &day, &who],
            )
            .map_err(pg_err("marking the follow-up done", &name))?;
        row.as_ref()
            .map(first)
            .transpose()
            .map_err(pg_err("marking the follow-up done", &name))
    }

    fn due_rows(&mut self, until: &str) -> Result<Vec<DueRow>, DeskError> {
        let name = self.name.clone();
        let rows = self
            .client
            .query(network_sql::DUE_PG, &[&until])
            .map_err(pg_err("reading what is due", &name))?;
        rows.iter()
            .map(|r| {
                Ok(network_sql::due_row(
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                    r.try_get(5)?,
                    r.try_get(6)?,
                    r.try_get(7)?,
                    r.try_get(8)?,
                ))
            })
            .collect::<Result<Vec<_>, postgres::Error>>()
            .map_err(pg_err("reading what is due", &name))
    }

    fn council_rows(
        &mut self,
        months: &[MonthSpan],
        routes: &[String],
    ) -> Result<CouncilRows, DeskError> {
        let name = self.name.clone();
        let width = network_sql::matchable_routes(routes).len();
        let rows = self
            .client
            .query(&network_sql::intake_month_sql(months, routes), &[])
            .map_err(pg_err("counting for the council", &name))?;
        let intakes = rows
            .iter()
            .map(|r| {
                let shown = (0..width)
                    .map(|k| {
                        r.try_get::<_, Option<i64>>(k + 2)
                            .map(Option::unwrap_or_default)
                    })
                    .collect::<Result<Vec<i64>, postgres::Error>>()?;
                Ok((r.try_get(0)?, r.try_get(1)?, shown))
            })
            .collect::<Result<Vec<_>, postgres::Error>>()
            .map_err(pg_err("counting for the council", &name))?;
        let rows = self
            .client
            .query(&network_sql::council_sql(months), &[])
            .map_err(pg_err("counting for the council", &name))?;
        let counts = rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect::<Result<Vec<_>, postgres::Error>>()
            .map_err(pg_err("counting for the council", &name))?;
        let first = months.first().map_or(0, |m| m.end);
        let end = months.last().map_or(0, |m| m.end);
        let rows = self
            .client
            .query(network_sql::OPEN_PG, &[&first, &end])
            .map_err(pg_err("counting open cases", &name))?;
        let open = rows
            .iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    i64::from(r.try_get::<_, i32>(3)?),
                ))
            })
            .collect::<Result<Vec<_>, postgres::Error>>()
            .map_err(pg_err("counting open cases", &name))?;
        let rows = self
            .client
            .query(network_sql::STAGE_CHANGES_PG, &[&first])
            .map_err(pg_err("reading stage changes", &name))?;
        let changes = rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<Vec<_>, postgres::Error>>()
            .map_err(pg_err("reading stage changes", &name))?;
        Ok(CouncilRows {
            intakes,
            counts,
            open,
            changes,
        })
    }
}

fn meeting_row(r: &Row) -> Result<Meeting, postgres::Error> {
    Ok(Meeting {
        id: r.try_get(0)?,
        record: r.try_get(1)?,
        date: r.try_get(2)?,
        participants: r.try_get(3)?,
        agenda: r.try_get(4)?,
        decision: r.try_get(5)?,
        goal: r.try_get(6)?,
        goal_date: r.try_get(7)?,
        review: r.try_get(8)?,
        by: r.try_get(9)?,
    })
}
