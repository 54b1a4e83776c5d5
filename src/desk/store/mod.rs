//! The desk's store: intake records created from scanned slips, staff edits with an audit
//! trail, search and retention — on `desk.sqlite` for a one-PC centre (`sqlite`) or on the
//! centre's PostgreSQL server for a team (`postgres`). `DeskStore` is what the desk holds,
//! whichever is behind it. The same test suite runs on both (tests/desk_store.rs).
//!
//! Written once for both databases: every statement (`records`, `cases`, `network_sql`,
//! `trust_sql`: one SQL text each, `?N` placeholders), each row type's mapping, the conflict
//! check and audit of a save, retention — all over the narrow transactional `sql::Sql` trait,
//! which `sqlite` and `postgres` implement (connection, error messages, locks, and the
//! dialect's differences, listed in `sql`). Every table is defined once, as data, in `schema`:
//! both databases' DDL, each migration step and `desk migrate`'s (`migrate`) table list come
//! from it.
//!
//! One scan of a slip = one record: the (kiosk id, visit serial) pair is unique in the
//! database, and creation relies on the database's own conflict handling (`ON CONFLICT DO
//! NOTHING`), so desks scanning the same slip at the same instant still make one record.
//! Saves carry the version they were based on; a save on an older version is refused with
//! what the other person changed, and nothing is written.

use std::cell::RefCell;
use std::path::Path;

use chrono::NaiveDate;

use super::accounts::{AccessEntry, Account};
use super::intake::{AuditEntry, IntakeRecord, ScannedVisit, StaffFields, Stage};
use crate::desk::retention::{Policy, Report, Run};
use crate::network::agency::Agency;
use crate::network::case::{ConsentChange, ConsentEvent, Contact, Link};
use crate::network::followup::FollowUp;
use crate::network::meeting::{Assessment, Meeting};
use crate::stats::figures::Bucket;
pub use network_sql::{CouncilRows, MonthSpan};

mod cases;
pub mod lobby_sql;
pub mod migrate;
pub mod network_sql;
pub mod postgres;
mod records;
pub mod schema;
pub mod sql;
pub mod sqlite;
pub mod trust_sql;
pub mod web_sql;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskError(pub String);

impl std::fmt::Display for DeskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeskError {}

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

/// The outcome of a save based on a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Saved: this many fields changed; the record's new version.
    Changed { fields: usize, version: i64 },
    /// Someone saved the record since it was opened: nothing was written. `current` is the
    /// record as it is now, `theirs` the audit entries of the saves in between.
    Conflict {
        current: Box<IntakeRecord>,
        theirs: Vec<AuditEntry>,
    },
}

/// What `agency_upsert` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgencyChange {
    Added,
    Updated { fields: usize },
    Unchanged,
}

/// The desk's store, SQLite or PostgreSQL.
pub struct DeskStore {
    inner: RefCell<Box<dyn sql::Sql>>,
}

impl DeskStore {
    /// Opens or creates `desk.sqlite` (0600, WAL, `synchronous=FULL`, migrations).
    pub fn open(path: &Path) -> Result<DeskStore, DeskError> {
        Ok(DeskStore::from_backend(Box::new(
            sqlite::SqliteStore::open(path)?,
        )))
    }

    /// Connects to the centre's PostgreSQL database and brings its schema up to date.
    pub fn connect(db: &postgres::PgTarget) -> Result<DeskStore, DeskError> {
        Ok(DeskStore::from_backend(Box::new(
            postgres::PgStore::connect(db)?,
        )))
    }

    pub fn from_backend(b: Box<dyn sql::Sql>) -> DeskStore {
        DeskStore {
            inner: RefCell::new(b),
        }
    }

    fn with<R>(
        &self,
        f: impl FnOnce(&mut dyn sql::Sql) -> Result<R, DeskError>,
    ) -> Result<R, DeskError> {
        let mut b = self
            .inner
            .try_borrow_mut()
            .map_err(|_| DeskError("the desk store is busy (re-entrant call)".into()))?;
        b.reconnect_if_closed()?;
        f(b.as_mut())
    }

    /// Connected as the application role of SERVER.md §3 (PostgreSQL, not the owner).
    pub fn is_app_role(&self) -> bool {
        self.inner.try_borrow().is_ok_and(|b| b.app_role())
    }

    /// The periods retention runs with here: the owner's row (`db upgrade`) for the
    /// application role, whose `hatarakitai_retention` reads them; else `config`'s.
    pub fn effective_policy(&self, config: Policy) -> Result<Policy, DeskError> {
        if !self.is_app_role() {
            return Ok(config);
        }
        let row = self.with(|b| {
            sql::first(
                b,
                "reading retention's periods",
                "SELECT closed_days, inactive_years FROM retention_policy WHERE id = 1",
                &[],
                |r| Ok((r.i64(0)?, r.i64(1)?)),
            )
        })?;
        Ok(match row {
            Some((d, y)) => Policy {
                closed_days: u32::try_from(d).unwrap_or(config.closed_days),
                inactive_years: u32::try_from(y).unwrap_or(config.inactive_years),
            },
            None => Policy {
                closed_days: 1095,
                inactive_years: 5,
            },
        })
    }

    /// Retention's periods (the owner's `db upgrade`; the application role cannot write them).
    pub fn set_retention_policy(&self, days: i64, years: i64) -> Result<(), DeskError> {
        self.with(|b| {
            b.exec(
                "writing retention's periods",
                "INSERT INTO retention_policy (id, closed_days, inactive_years) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET closed_days = excluded.closed_days,
                     inactive_years = excluded.inactive_years",
                sql::vals![days, years],
            )
            .map(|_| ())
        })
    }

    pub fn describe(&self) -> String {
        self.inner
            .try_borrow()
            .map(|b| b.describe())
            .unwrap_or_default()
    }

    /// The scan path: opens the record for this slip, creating it on the first scan.
    /// Returns the record and whether it was created now.
    pub fn open_or_create(
        &mut self,
        visit: &ScannedVisit,
        who: &str,
        now: i64,
    ) -> Result<(IntakeRecord, bool), DeskError> {
        person(who)?;
        let (id, created) = self.with(|b| records::open_or_create(b, visit, who, now))?;
        let rec = self
            .get(id)?
            .ok_or_else(|| DeskError(format!("record {id} vanished while opening it")))?;
        Ok((rec, created))
    }

    pub fn get(&self, id: i64) -> Result<Option<IntakeRecord>, DeskError> {
        self.with(|b| records::get(b, id))
    }

    /// Saves staff edits whatever the record's version (one desk). Returns the number of
    /// changed fields.
    pub fn save(
        &mut self,
        id: i64,
        edits: &StaffFields,
        who: &str,
        now: i64,
    ) -> Result<usize, DeskError> {
        person(who)?;
        match self.with(|b| records::save(b, id, None, edits, who, now))? {
            Saved::Changed { fields, .. } => Ok(fields),
            Saved::Conflict { .. } => Err(DeskError(format!(
                "record {id} was changed at the same moment; open it again"
            ))),
        }
    }

    /// Saves staff edits made on `version` of the record; refused if someone saved since.
    pub fn save_version(
        &mut self,
        id: i64,
        version: i64,
        edits: &StaffFields,
        who: &str,
        now: i64,
    ) -> Result<Saved, DeskError> {
        person(who)?;
        self.with(|b| records::save(b, id, Some(version), edits, who, now))
    }

    pub fn audit(&self, id: i64) -> Result<Vec<AuditEntry>, DeskError> {
        self.with(|b| records::audit(b, id))
    }

    pub fn search(&self, s: &Search) -> Result<Vec<IntakeSummary>, DeskError> {
        self.with(|b| records::search(b, s))
    }

    /// Intakes opened (records created) per local day: `day_starts` are the unix times of
    /// local midnights, ascending, with one extra at the end.
    pub fn opened_per_day(&self, day_starts: &[i64]) -> Result<Vec<u32>, DeskError> {
        self.with(|b| records::opened_per_day(b, day_starts))
    }

    /// See `records::publish_day`.
    pub fn publish_day(
        &self,
        kiosk_id: u16,
        day: NaiveDate,
        buckets: &[Bucket],
        now: i64,
    ) -> Result<usize, DeskError> {
        self.with(|b| records::publish_day(b, kiosk_id, day, buckets, now))
    }

    /// The kiosks' published buckets of `from..=to` (one kiosk or all), in (kiosk, day, hour)
    /// order.
    pub fn kiosk_buckets(
        &self,
        kiosk: Option<u16>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(u16, Bucket)>, DeskError> {
        self.with(|b| records::kiosk_buckets(b, kiosk, from, to))
    }

    /// Adds or updates an agency by id; each changed field is audited under `who`.
    pub fn agency_upsert(
        &self,
        a: &Agency,
        who: &str,
        now: i64,
    ) -> Result<AgencyChange, DeskError> {
        let json = serde_json::to_string(a).map_err(|e| DeskError(e.to_string()))?;
        let new = serde_json::to_value(a).map_err(|e| DeskError(e.to_string()))?;
        person(who)?;
        self.with(|b| {
            let old = cases::agency_get(b, &a.id)?;
            let (change, audit) = match old {
                None => (
                    AgencyChange::Added,
                    vec![("created".to_string(), String::new(), a.name.clone())],
                ),
                Some(old) => {
                    let old: serde_json::Value = serde_json::from_str(&old).unwrap_or_default();
                    let mut audit = Vec::new();
                    if let Some(fields) = new.as_object() {
                        for (k, v) in fields {
                            let before = old.get(k).cloned().unwrap_or_default();
                            if &before != v {
                                let text = |v: &serde_json::Value| match v {
                                    serde_json::Value::String(s) => s.clone(),
                                    serde_json::Value::Null => String::new(),
                                    other => other.to_string(),
                                };
                                audit.push((k.clone(), text(&before), text(v)));
                            }
                        }
                    }
                    if audit.is_empty() {
                        return Ok(AgencyChange::Unchanged);
                    }
                    (
                        AgencyChange::Updated {
                            fields: audit.len(),
                        },
                        audit,
                    )
                }
            };
            cases::agency_write(b, &a.id, &json, &audit, who, now)?;
            Ok(change)
        })
    }

    pub fn agency(&self, id: &str) -> Result<Option<Agency>, DeskError> {
        self.with(|b| cases::agency_get(b, id))?
            .map(|j| serde_json::from_str(&j).map_err(|e| DeskError(format!("agency {id}: {e}"))))
            .transpose()
    }

    pub fn agencies(&self) -> Result<Vec<Agency>, DeskError> {
        self.with(|b| cases::agency_all(b))?
            .iter()
            .map(|j| {
                serde_json::from_str(j).map_err(|e| DeskError(format!("agency directory: {e}")))
            })
            .collect()
    }

    pub fn link(&self, l: &Link, who: &str, now: i64) -> Result<i64, DeskError> {
        person(who)?;
        self.with(|b| cases::link_insert(b, l, who, now))
    }

    pub fn links(&self, record: i64) -> Result<Vec<Link>, DeskError> {
        self.with(|b| cases::links(b, record))
    }

    /// Logs a contact if the consent rule allows it (`network::case::check_contact`);
    /// Err(Ok(message)) = refused (bad input, nothing written), Err(Err(e)) = the store failed.
    pub fn log_contact(
        &self,
        c: &Contact,
        direction: crate::network::case::Direction,
        today: NaiveDate,
    ) -> Result<i64, Result<String, DeskError>> {
        person(&c.who).map_err(Err)?;
        let links = self.links(c.record).map_err(Err)?;
        crate::network::case::check_contact(
            &links, &c.agency, &c.method, direction, &c.summary, today,
        )
        .map_err(Ok)?;
        self.with(|b| cases::contact_insert(b, c)).map_err(Err)
    }

    /// Records consent given later or withdrawn on link `link_id` of `record`
    /// (`network::case::check_consent`). Err(Ok(message)) = refused, nothing written.
    #[allow(clippy::too_many_arguments)]
    pub fn change_consent(
        &self,
        record: i64,
        link_id: i64,
        given: Option<&str>,
        scope: &str,
        withdrawn: Option<&str>,
        note: &str,
        who: &str,
        today: NaiveDate,
        now: i64,
    ) -> Result<ConsentChange, Result<String, DeskError>> {
        person(who).map_err(Err)?;
        let links = self.links(record).map_err(Err)?;
        let link = links.iter().find(|l| l.id == link_id).ok_or_else(|| {
            Ok(format!(
                "record {record} has no link {link_id}: see the record's links (`intake show {record}` or the desk's 連携)"
            ))
        })?;
        let change = crate::network::case::check_consent(link, given, scope, withdrawn, today)
            .map_err(Ok)?;
        let written = self
            .with(|b| cases::consent_write(b, record, link, &change, note.trim(), who, now))
            .map_err(Err)?;
        if !written {
            return Err(Ok(format!(
                "link {link_id} of record {record} changed meanwhile: open the record again"
            )));
        }
        Ok(change)
    }

    pub fn consent_events(&self, record: i64) -> Result<Vec<ConsentEvent>, DeskError> {
        self.with(|b| cases::consent_events(b, record))
    }

    pub fn contacts(&self, record: i64) -> Result<Vec<Contact>, DeskError> {
        self.with(|b| cases::contacts(b, record))
    }

    pub fn add_meeting(&self, m: &Meeting, now: i64) -> Result<i64, DeskError> {
        person(&m.by)?;
        self.with(|b| cases::meeting_insert(b, m, now))
    }

    pub fn meetings(&self, record: Option<i64>) -> Result<Vec<Meeting>, DeskError> {
        self.with(|b| cases::meetings(b, record))
    }

    pub fn add_assessment(&self, a: &Assessment, now: i64) -> Result<i64, DeskError> {
        person(&a.by)?;
        self.with(|b| cases::assessment_insert(b, a, now))
    }

    pub fn assessments(&self, record: i64) -> Result<Vec<Assessment>, DeskError> {
        self.with(|b| cases::assessments(b, record))
    }

    /// See `cases::link_end`.
    pub fn end_link(&self, id: i64, record: i64, day: &str) -> Result<bool, DeskError> {
        self.with(|b| cases::link_end(b, id, record, day))
    }

    pub fn meeting(&self, id: i64) -> Result<Option<Meeting>, DeskError> {
        self.with(|b| cases::meeting_get(b, id))
    }

    pub fn add_followup(&self, f: &FollowUp, now: i64) -> Result<i64, DeskError> {
        person(&f.by)?;
        self.with(|b| cases::followup_insert(b, f, now))
    }

    /// Records a follow-up and, with `plan` and employment, the 定着支援 contacts it plans
    /// (`FollowUp::retention_contacts`). Returns its id and the planned ones'.
    pub fn add_followup_planned(
        &self,
        f: &FollowUp,
        plan: bool,
        now: i64,
    ) -> Result<(i64, Vec<i64>), DeskError> {
        let id = self.add_followup(f, now)?;
        let planned = if plan {
            f.retention_contacts()
                .iter()
                .map(|r| self.add_followup(r, now))
                .collect::<Result<Vec<_>, _>>()?
        } else {
            Vec::new()
        };
        Ok((id, planned))
    }

    pub fn followups(&self, record: i64) -> Result<Vec<FollowUp>, DeskError> {
        self.with(|b| cases::followups(b, record))
    }

    /// See `cases::followup_done`.
    pub fn followup_done(&self, id: i64, day: &str, who: &str) -> Result<Option<i64>, DeskError> {
        person(who)?;
        self.with(|b| cases::followup_done(b, id, day, who))
    }

    /// Deletes closed (ターミネーション) records closed more than `days` ago (and records
    /// without activity for the default years), now, audited without personal data. Returns
    /// how many were deleted.
    pub fn apply_retention(&mut self, now: i64, days: u32) -> Result<usize, DeskError> {
        let policy = Policy {
            closed_days: days,
            ..Policy::default()
        };
        Ok(self
            .retention(now, policy, Run::Now, RETENTION)?
            .removed
            .len())
    }

    /// See `records::retention`; `who` is the administrator who asked, or `RETENTION` for
    /// the desks' own daily run.
    pub fn retention(
        &self,
        now: i64,
        policy: Policy,
        run: Run,
        who: &str,
    ) -> Result<Report, DeskError> {
        person(who)?;
        let policy = self.effective_policy(policy)?;
        self.with(|b| records::retention(b, now, policy, run, who))
    }

    /// Whether this desk has a record for the kiosk's visit.
    pub fn has_visit(&self, kiosk_id: u16, serial: u32) -> Result<bool, DeskError> {
        self.with(|b| records::has_visit(b, kiosk_id, serial))
    }

    pub fn count(&self) -> Result<i64, DeskError> {
        self.with(|b| records::count(b))
    }

    pub fn staff_get(&self, login: &str) -> Result<Option<Account>, DeskError> {
        self.with(|b| records::staff_get(b, login))
    }

    pub fn staff_list(&self) -> Result<Vec<Account>, DeskError> {
        self.with(|b| records::staff_list(b))
    }

    pub fn staff_insert(&self, a: &Account, now: i64) -> Result<bool, DeskError> {
        self.with(|b| records::staff_insert(b, a, now))
    }

    pub fn staff_update(&self, a: &Account) -> Result<(), DeskError> {
        self.with(|b| records::staff_update(b, a))
    }

    pub fn log_access(&self, e: &AccessEntry) -> Result<(), DeskError> {
        self.with(|b| records::log_access(b, e))
    }

    pub fn access_log(&self, from: i64, to: i64) -> Result<Vec<AccessEntry>, DeskError> {
        self.with(|b| records::access_log(b, from, to))
    }

    /// Signs `login` in with `pw` at `now` and logs the attempt (failed ones too). A locked or
    /// disabled account is refused before the password is hashed; a wrong password is
    /// counted by one atomic statement (`records::staff_fail`, `trust_sql::STAFF_FAIL`), so guesses started at the same
    /// moment lock the account after five, and a right password that races a lock is refused.
    /// Ok(account) only for an active, unlocked account with the right password.
    pub fn sign_in(
        &self,
        login: &str,
        pw: &str,
        now: i64,
    ) -> Result<Result<Account, super::accounts::SignIn>, DeskError> {
        use super::accounts::{LOCK_SECONDS, MAX_FAILURES, SignIn, after_failure, gate};
        let acc = self.staff_get(login)?;
        let result = match gate(acc.as_ref(), now) {
            Some(refused) => Err(refused),
            None => match &acc {
                Some(a) if super::accounts::password_matches(a, pw) => {
                    if self.with(|b| records::staff_ok(b, login, now))? {
                        Ok(a.clone())
                    } else {
                        Err(SignIn::Locked {
                            minutes_left: LOCK_SECONDS / 60,
                        })
                    }
                }
                Some(_) => Err(
                    match self.with(|b| records::staff_fail(b, login, now, now + LOCK_SECONDS))? {
                        Some((failures, until)) => after_failure(failures, until, now),
                        None => SignIn::Locked {
                            minutes_left: LOCK_SECONDS / 60,
                        },
                    },
                ),
                None => Err(SignIn::Wrong {
                    tries_left: MAX_FAILURES,
                }),
            },
        };
        let action = match &result {
            Ok(_) => "sign_in",
            Err(SignIn::Locked { .. }) => "sign_in_locked",
            Err(_) => "sign_in_failed",
        };
        self.log_access(&AccessEntry {
            at: now,
            login: login.chars().take(64).collect(),
            action: action.into(),
            record: None,
            target: String::new(),
        })?;
        Ok(result)
    }
}

/// Who the desks' own daily retention is audited as (no person acted).
pub const RETENTION: &str = "retention";

/// The store refuses a write without a person: every audit entry names who acted.
/// The lobby (LOBBY.md): read by the desks' home and `hatarakitai lobby`.
impl DeskStore {
    /// Today's lobby: calls, arrivals and kiosks (`since` = the centre's local midnight).
    pub fn lobby(&self, since: i64, now: i64) -> Result<crate::lobby::Lobby, DeskError> {
        self.with(|b| lobby_sql::read(b, since, now))
    }

    /// 「行きます」 as `login` (`name` is what the kiosk and the other desks show).
    pub fn lobby_answer(
        &self,
        call: i64,
        login: &str,
        name: &str,
        now: i64,
    ) -> Result<Result<crate::lobby::Call, lobby_sql::Refused>, DeskError> {
        person(login)?;
        self.with(|b| lobby_sql::answer(b, call, login, name, now))
    }

    /// 「対応します」 on a waiting visitor.
    pub fn lobby_handle(
        &self,
        arrival: i64,
        login: &str,
        name: &str,
    ) -> Result<Result<crate::lobby::Arrival, lobby_sql::Refused>, DeskError> {
        person(login)?;
        self.with(|b| lobby_sql::handle(b, arrival, login, name))
    }

    /// Clears calls and arrivals of days before `before` (daily, with retention).
    pub fn lobby_prune(&self, before: i64) -> Result<u64, DeskError> {
        self.with(|b| lobby_sql::prune(b, before))
    }
}

/// The browsers' sessions (SERVER.md §2; `web_sql`).
impl DeskStore {
    pub fn session_insert(&self, s: &web_sql::WebSession) -> Result<(), DeskError> {
        self.with(|b| web_sql::insert(b, s))
    }

    pub fn session_get(&self, id_hash: &str) -> Result<Option<web_sql::WebSession>, DeskError> {
        self.with(|b| web_sql::get(b, id_hash))
    }

    /// Activity at `now`; false = the session had been idle since before `idle_from`
    /// (locked: nothing moved).
    pub fn session_touch(
        &self,
        id_hash: &str,
        now: i64,
        idle_from: i64,
    ) -> Result<bool, DeskError> {
        self.with(|b| web_sql::touch(b, id_hash, now, idle_from))
    }

    pub fn session_unlock(&self, id_hash: &str, now: i64) -> Result<(), DeskError> {
        self.with(|b| web_sql::unlock(b, id_hash, now))
    }

    pub fn session_delete(&self, id_hash: &str) -> Result<(), DeskError> {
        self.with(|b| web_sql::delete(b, id_hash))
    }

    /// After a password change: this session may go on, every other of the login ends.
    pub fn session_password_changed(&self, id_hash: &str, login: &str) -> Result<(), DeskError> {
        self.with(|b| {
            web_sql::password_changed(b, id_hash)?;
            web_sql::end_others(b, login, id_hash).map(|_| ())
        })
    }

    pub fn session_prune(&self, before: i64) -> Result<u64, DeskError> {
        self.with(|b| web_sql::prune(b, before))
    }
}

fn person(who: &str) -> Result<(), DeskError> {
    if who.trim().is_empty() {
        Err(DeskError(
            "nobody is signed in: sign in first (no change is written without a login)".into(),
        ))
    } else {
        Ok(())
    }
}
