//! The store's operations (`Backend`), and their one implementation over any `Sql` backend.

use chrono::NaiveDate;

use super::sql::Sql;
use super::{CouncilRows, DeskError, IntakeSummary, MonthSpan, Saved, Search};
use super::{cases, network_sql, records};
use crate::desk::accounts::{AccessEntry, Account};
use crate::desk::intake::{AuditEntry, IntakeRecord, ScannedVisit, StaffFields};
use crate::desk::retention::{Policy, Report, Run};
use crate::network::case::{ConsentChange, ConsentEvent, Contact, Link};
use crate::network::due::DueRow;
use crate::network::followup::FollowUp;
use crate::network::meeting::{Assessment, Meeting};
use crate::stats::figures::Bucket;

/// What the desk's store does. Methods take `&mut self` (a PostgreSQL client needs it); the
/// `DeskStore` facade keeps `&self` for readers. Every `Sql` backend is one: the methods are
/// written once, in `records`, `cases` and `network_sql`, over the narrow `Sql` trait.
pub trait Backend: Send {
    /// Which database, for messages ("desk.sqlite at …", "PostgreSQL at host/db").
    fn describe(&self) -> String;
    /// A server connection that was lost (restart, network) is made again before the next
    /// operation; the operation that saw it drop has already reported its error.
    fn reconnect_if_closed(&mut self) -> Result<(), DeskError> {
        Ok(())
    }
    /// `who` (the signed-in login) is written as the creator in the audit trail.
    fn open_or_create(
        &mut self,
        visit: &ScannedVisit,
        who: &str,
        now: i64,
    ) -> Result<(i64, bool), DeskError>;
    fn get(&mut self, id: i64) -> Result<Option<IntakeRecord>, DeskError>;
    /// Writes the changed fields and their audit rows in one transaction, if the record is
    /// still at `base` (None = whatever it is now).
    fn save(
        &mut self,
        id: i64,
        base: Option<i64>,
        edits: &StaffFields,
        who: &str,
        now: i64,
    ) -> Result<Saved, DeskError>;
    fn audit(&mut self, id: i64) -> Result<Vec<AuditEntry>, DeskError>;
    fn search(&mut self, s: &Search) -> Result<Vec<IntakeSummary>, DeskError>;
    fn opened_per_day(&mut self, day_starts: &[i64]) -> Result<Vec<u32>, DeskError>;
    /// Retention (`desk::retention`) in one transaction under the database's lock: reads
    /// every record's last activity, removes what `policy` says with its whole network and
    /// audits each removal under `who`. A daily run not due, or one another desk is running,
    /// returns `ran: false` and changes nothing.
    fn retention(
        &mut self,
        now: i64,
        policy: Policy,
        run: Run,
        who: &str,
    ) -> Result<Report, DeskError>;
    fn has_visit(&mut self, kiosk_id: u16, serial: u32) -> Result<bool, DeskError>;
    fn count(&mut self) -> Result<i64, DeskError>;

    // Staff accounts and the access log (TEAM.md §1).
    fn staff_get(&mut self, login: &str) -> Result<Option<Account>, DeskError>;
    fn staff_list(&mut self) -> Result<Vec<Account>, DeskError>;
    /// False when the login exists already (nothing written).
    fn staff_insert(&mut self, a: &Account, now: i64) -> Result<bool, DeskError>;
    /// Writes name, role, active, hash, failures and lock of an existing account.
    fn staff_update(&mut self, a: &Account) -> Result<(), DeskError>;
    /// Counts a wrong password atomically (`trust_sql::STAFF_FAIL`): the failures and lock
    /// after it, or None when the account was locked already (not counted).
    fn staff_fail(
        &mut self,
        login: &str,
        now: i64,
        lock_until: i64,
    ) -> Result<Option<(i64, Option<i64>)>, DeskError>;
    /// Clears the count after the right password; false when a lock was set meanwhile.
    fn staff_ok(&mut self, login: &str, now: i64) -> Result<bool, DeskError>;
    fn log_access(&mut self, e: &AccessEntry) -> Result<(), DeskError>;
    /// Entries with `from <= at < to`, oldest first.
    fn access_log(&mut self, from: i64, to: i64) -> Result<Vec<AccessEntry>, DeskError>;

    // Kiosks' published statistics (TEAM.md §3; `crate::store::shared`).
    /// Replaces a kiosk's figures of `day` with those of `buckets`; returns the rows written.
    fn publish_day(
        &mut self,
        kiosk_id: u16,
        day: NaiveDate,
        buckets: &[Bucket],
        now: i64,
    ) -> Result<usize, DeskError>;
    /// Published buckets of local days `from..=to`, of one kiosk or all.
    fn kiosk_buckets(
        &mut self,
        kiosk: Option<u16>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(u16, Bucket)>, DeskError>;

    // The support network (NETWORK.md; `crate::network`).
    /// An agency's JSON, if it exists.
    fn agency_get(&mut self, id: &str) -> Result<Option<String>, DeskError>;
    /// Every agency's JSON, by id.
    fn agency_all(&mut self) -> Result<Vec<String>, DeskError>;
    /// Inserts or replaces an agency and writes its audit rows (field, old, new), in one
    /// transaction.
    fn agency_write(
        &mut self,
        id: &str,
        json: &str,
        audit: &[(String, String, String)],
        who: &str,
        now: i64,
    ) -> Result<(), DeskError>;
    fn link_insert(&mut self, l: &Link, who: &str, now: i64) -> Result<i64, DeskError>;
    fn links(&mut self, record: i64) -> Result<Vec<Link>, DeskError>;
    fn contact_insert(&mut self, c: &Contact) -> Result<i64, DeskError>;
    fn contacts(&mut self, record: i64) -> Result<Vec<Contact>, DeskError>;
    fn meeting_insert(&mut self, m: &Meeting, now: i64) -> Result<i64, DeskError>;
    /// One record's meetings (Some) or every meeting (None), oldest first.
    fn meetings(&mut self, record: Option<i64>) -> Result<Vec<Meeting>, DeskError>;
    fn assessment_insert(&mut self, a: &Assessment, now: i64) -> Result<i64, DeskError>;
    /// One record's assessments, oldest first.
    fn assessments(&mut self, record: i64) -> Result<Vec<Assessment>, DeskError>;
    /// Ends one of the record's open links on `day`; false when there is no such open link.
    fn link_end(&mut self, id: i64, record: i64, day: &str) -> Result<bool, DeskError>;
    /// Writes a consent change on one of the record's links: its state, an event and an
    /// audit row, in one transaction; false when there is no such link.
    fn consent_write(
        &mut self,
        record: i64,
        link: &Link,
        change: &ConsentChange,
        note: &str,
        who: &str,
        now: i64,
    ) -> Result<bool, DeskError>;
    /// One record's consent history, oldest first.
    fn consent_events(&mut self, record: i64) -> Result<Vec<ConsentEvent>, DeskError>;
    /// One meeting, for its PDF.
    fn meeting_get(&mut self, id: i64) -> Result<Option<Meeting>, DeskError>;
    fn followup_insert(&mut self, f: &FollowUp, now: i64) -> Result<i64, DeskError>;
    /// One record's follow-ups, by start day.
    fn followups(&mut self, record: i64) -> Result<Vec<FollowUp>, DeskError>;
    /// Marks an open follow-up done on `day`; returns its record, or None when there is no
    /// such open follow-up (nothing written).
    fn followup_done(&mut self, id: i64, day: &str, who: &str) -> Result<Option<i64>, DeskError>;
    /// Everything due on or before `until` (YYYY-MM-DD) for open records: the latest
    /// meeting's review and the open follow-ups (`network_sql`).
    fn due_rows(&mut self, until: &str) -> Result<Vec<DueRow>, DeskError>;
    /// The council's monthly counts, aggregated by the database (`network_sql`); `routes` are
    /// the catalogue's route ids, counted among each month's new intakes.
    fn council_rows(
        &mut self,
        months: &[MonthSpan],
        routes: &[String],
    ) -> Result<CouncilRows, DeskError>;
}

impl<T: Sql> Backend for T {
    fn describe(&self) -> String {
        Sql::describe(self)
    }
    fn reconnect_if_closed(&mut self) -> Result<(), DeskError> {
        Sql::reconnect_if_closed(self)
    }
    fn open_or_create(
        &mut self,
        visit: &ScannedVisit,
        who: &str,
        now: i64,
    ) -> Result<(i64, bool), DeskError> {
        records::open_or_create(self, visit, who, now)
    }
    fn get(&mut self, id: i64) -> Result<Option<IntakeRecord>, DeskError> {
        records::get(self, id)
    }
    fn save(
        &mut self,
        id: i64,
        base: Option<i64>,
        edits: &StaffFields,
        who: &str,
        now: i64,
    ) -> Result<Saved, DeskError> {
        records::save(self, id, base, edits, who, now)
    }
    fn audit(&mut self, id: i64) -> Result<Vec<AuditEntry>, DeskError> {
        records::audit(self, id)
    }
    fn search(&mut self, s: &Search) -> Result<Vec<IntakeSummary>, DeskError> {
        records::search(self, s)
    }
    fn opened_per_day(&mut self, day_starts: &[i64]) -> Result<Vec<u32>, DeskError> {
        records::opened_per_day(self, day_starts)
    }
    fn retention(
        &mut self,
        now: i64,
        policy: Policy,
        run: Run,
        who: &str,
    ) -> Result<Report, DeskError> {
        records::retention(self, now, policy, run, who)
    }
    fn has_visit(&mut self, kiosk_id: u16, serial: u32) -> Result<bool, DeskError> {
        records::has_visit(self, kiosk_id, serial)
    }
    fn count(&mut self) -> Result<i64, DeskError> {
        records::count(self)
    }
    fn staff_get(&mut self, login: &str) -> Result<Option<Account>, DeskError> {
        records::staff_get(self, login)
    }
    fn staff_list(&mut self) -> Result<Vec<Account>, DeskError> {
        records::staff_list(self)
    }
    fn staff_insert(&mut self, a: &Account, now: i64) -> Result<bool, DeskError> {
        records::staff_insert(self, a, now)
    }
    fn staff_update(&mut self, a: &Account) -> Result<(), DeskError> {
        records::staff_update(self, a)
    }
    fn staff_fail(
        &mut self,
        login: &str,
        now: i64,
        lock_until: i64,
    ) -> Result<Option<(i64, Option<i64>)>, DeskError> {
        records::staff_fail(self, login, now, lock_until)
    }
    fn staff_ok(&mut self, login: &str, now: i64) -> Result<bool, DeskError> {
        records::staff_ok(self, login, now)
    }
    fn log_access(&mut self, e: &AccessEntry) -> Result<(), DeskError> {
        records::log_access(self, e)
    }
    fn access_log(&mut self, from: i64, to: i64) -> Result<Vec<AccessEntry>, DeskError> {
        records::access_log(self, from, to)
    }
    fn publish_day(
        &mut self,
        kiosk_id: u16,
        day: NaiveDate,
        buckets: &[Bucket],
        now: i64,
    ) -> Result<usize, DeskError> {
        records::publish_day(self, kiosk_id, day, buckets, now)
    }
    fn kiosk_buckets(
        &mut self,
        kiosk: Option<u16>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(u16, Bucket)>, DeskError> {
        records::kiosk_buckets(self, kiosk, from, to)
    }
    fn agency_get(&mut self, id: &str) -> Result<Option<String>, DeskError> {
        cases::agency_get(self, id)
    }
    fn agency_all(&mut self) -> Result<Vec<String>, DeskError> {
        cases::agency_all(self)
    }
    fn agency_write(
        &mut self,
        id: &str,
        json: &str,
        audit: &[(String, String, String)],
        who: &str,
        now: i64,
    ) -> Result<(), DeskError> {
        cases::agency_write(self, id, json, audit, who, now)
    }
    fn link_insert(&mut self, l: &Link, who: &str, now: i64) -> Result<i64, DeskError> {
        cases::link_insert(self, l, who, now)
    }
    fn links(&mut self, record: i64) -> Result<Vec<Link>, DeskError> {
        cases::links(self, record)
    }
    fn contact_insert(&mut self, c: &Contact) -> Result<i64, DeskError> {
        cases::contact_insert(self, c)
    }
    fn contacts(&mut self, record: i64) -> Result<Vec<Contact>, DeskError> {
        cases::contacts(self, record)
    }
    fn meeting_insert(&mut self, m: &Meeting, now: i64) -> Result<i64, DeskError> {
        cases::meeting_insert(self, m, now)
    }
    fn meetings(&mut self, record: Option<i64>) -> Result<Vec<Meeting>, DeskError> {
        cases::meetings(self, record)
    }
    fn assessment_insert(&mut self, a: &Assessment, now: i64) -> Result<i64, DeskError> {
        cases::assessment_insert(self, a, now)
    }
    fn assessments(&mut self, record: i64) -> Result<Vec<Assessment>, DeskError> {
        cases::assessments(self, record)
    }
    fn link_end(&mut self, id: i64, record: i64, day: &str) -> Result<bool, DeskError> {
        cases::link_end(self, id, record, day)
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
        cases::consent_write(self, record, link, change, note, who, now)
    }
    fn consent_events(&mut self, record: i64) -> Result<Vec<ConsentEvent>, DeskError> {
        cases::consent_events(self, record)
    }
    fn meeting_get(&mut self, id: i64) -> Result<Option<Meeting>, DeskError> {
        cases::meeting_get(self, id)
    }
    fn followup_insert(&mut self, f: &FollowUp, now: i64) -> Result<i64, DeskError> {
        cases::followup_insert(self, f, now)
    }
    fn followups(&mut self, record: i64) -> Result<Vec<FollowUp>, DeskError> {
        cases::followups(self, record)
    }
    fn followup_done(&mut self, id: i64, day: &str, who: &str) -> Result<Option<i64>, DeskError> {
        cases::followup_done(self, id, day, who)
    }
    fn due_rows(&mut self, until: &str) -> Result<Vec<DueRow>, DeskError> {
        network_sql::due_rows(self, until)
    }
    fn council_rows(
        &mut self,
        months: &[MonthSpan],
        routes: &[String],
    ) -> Result<CouncilRows, DeskError> {
        network_sql::council_rows(self, months, routes)
    }
}
