//! The support network's rows (NETWORK.md, TRUST.md): the agency directory, each case's links
//! and consent, contacts, meetings, assessments and follow-ups — each statement written once
//! (`?N`, see `sql`), each row type built by one function, for both databases. The due list
//! and the council's counts are `network_sql`.

use super::sql::{Lock, Row, Sql, first, one, rows, transaction, vals};
use super::{DeskError, network_sql, trust_sql};
use crate::network::case::{ConsentChange, ConsentEvent, Contact, Link};
use crate::network::followup::FollowUp;
use crate::network::meeting::{Assessment, Meeting};

const AGENCY_GET: &str = "SELECT data FROM agency WHERE id = ?1";
const AGENCY_ALL: &str = "SELECT data FROM agency ORDER BY id";
const AGENCY_PUT: &str = "INSERT INTO agency (id, data, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at, updated_by = excluded.updated_by";
const AGENCY_AUDIT: &str = "INSERT INTO agency_audit (agency_id, at, who, field, old, new) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

const LINK_INSERT: &str = "INSERT INTO case_link (intake_id, agency_id, role, from_day, to_day, consent_day, consent_scope, consent_by, created_at, created_by, person)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id";
const LINKS: &str = "SELECT id, intake_id, agency_id, role, from_day, to_day, consent_day, consent_scope, consent_by, person, consent_withdrawn
     FROM case_link WHERE intake_id = ?1 ORDER BY id";
const LINK_END: &str =
    "UPDATE case_link SET to_day = ?3 WHERE id = ?1 AND intake_id = ?2 AND to_day = ''";

const CONTACT_INSERT: &str =
    "INSERT INTO contact (intake_id, agency_id, at, method, direction, summary, who)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id";
const CONTACTS: &str = "SELECT id, intake_id, agency_id, at, method, direction, summary, who
     FROM contact WHERE intake_id = ?1 ORDER BY at, id";

const MEETING_INSERT: &str = "INSERT INTO meeting (intake_id, day, participants, agenda, decision, goal, goal_day, review_day, created_by, created_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id";
/// One record's meetings, or every meeting when ?1 is NULL.
const MEETINGS: &str = "SELECT id, intake_id, day, participants, agenda, decision, goal, goal_day, review_day, created_by
     FROM meeting WHERE (CAST(?1 AS BIGINT) IS NULL OR intake_id = ?1) ORDER BY day, id";
const MEETING_GET: &str = "SELECT id, intake_id, day, participants, agenda, decision, goal, goal_day, review_day, created_by
     FROM meeting WHERE id = ?1";

const ASSESSMENT_INSERT: &str = "INSERT INTO assessment (intake_id, day, ratings, notes, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";
const ASSESSMENTS: &str = "SELECT id, intake_id, day, ratings, notes, created_by FROM assessment WHERE intake_id = ?1 ORDER BY day, id";

const FOLLOWUP_INSERT: &str = "INSERT INTO followup (intake_id, kind, phase, from_day, to_day, due_day, note, done_day, done_by, created_by, created_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '', '', ?8, ?9) RETURNING id";
const FOLLOWUP_DONE: &str = "UPDATE followup SET done_day = ?2, done_by = ?3 WHERE id = ?1 AND done_day = '' RETURNING intake_id";

fn id_from(r: &dyn Row) -> Result<i64, DeskError> {
    r.i64(0)
}

fn text_from(r: &dyn Row) -> Result<String, DeskError> {
    r.text(0)
}

fn link_from(r: &dyn Row) -> Result<Link, DeskError> {
    Ok(Link {
        id: r.i64(0)?,
        record: r.i64(1)?,
        agency: r.text(2)?,
        role: r.text(3)?,
        from: r.text(4)?,
        to: r.text(5)?,
        consent_date: r.text(6)?,
        consent_scope: r.text(7)?,
        consent_by: r.text(8)?,
        person: r.text(9)?,
        consent_withdrawn: r.text(10)?,
    })
}

fn contact_from(r: &dyn Row) -> Result<Contact, DeskError> {
    Ok(Contact {
        id: r.i64(0)?,
        record: r.i64(1)?,
        agency: r.text(2)?,
        at: r.i64(3)?,
        method: r.text(4)?,
        direction: r.text(5)?,
        summary: r.text(6)?,
        who: r.text(7)?,
    })
}

fn meeting_from(r: &dyn Row) -> Result<Meeting, DeskError> {
    Ok(Meeting {
        id: r.i64(0)?,
        record: r.i64(1)?,
        date: r.text(2)?,
        participants: r.text(3)?,
        agenda: r.text(4)?,
        decision: r.text(5)?,
        goal: r.text(6)?,
        goal_date: r.text(7)?,
        review: r.text(8)?,
        by: r.text(9)?,
    })
}

/// An assessment row back into its type; a value this version cannot read becomes an empty
/// rating list rather than a failure.
fn assessment_from(r: &dyn Row) -> Result<Assessment, DeskError> {
    Ok(Assessment {
        id: r.i64(0)?,
        record: r.i64(1)?,
        date: r.text(2)?,
        ratings: r
            .text(3)?
            .split(',')
            .filter_map(|x| x.trim().parse().ok())
            .collect(),
        notes: serde_json::from_str(&r.text(4)?).unwrap_or_default(),
        by: r.text(5)?,
    })
}

fn consent_event_from(r: &dyn Row) -> Result<ConsentEvent, DeskError> {
    Ok(ConsentEvent {
        id: r.i64(0)?,
        link: r.i64(1)?,
        kind: r.text(2)?,
        day: r.text(3)?,
        scope: r.text(4)?,
        note: r.text(5)?,
        who: r.text(6)?,
        at: r.i64(7)?,
    })
}

pub(super) fn agency_get(db: &mut dyn Sql, id: &str) -> Result<Option<String>, DeskError> {
    first(
        db,
        "reading the agency directory",
        AGENCY_GET,
        vals![id],
        text_from,
    )
}

pub(super) fn agency_all(db: &mut dyn Sql) -> Result<Vec<String>, DeskError> {
    rows(
        db,
        "reading the agency directory",
        AGENCY_ALL,
        &[],
        text_from,
    )
}

pub(super) fn agency_write(
    db: &mut dyn Sql,
    id: &str,
    json: &str,
    audit: &[(String, String, String)],
    who: &str,
    now: i64,
) -> Result<(), DeskError> {
    let what = "writing the agency";
    transaction(db, "starting a transaction", Lock::None, what, |db| {
        db.exec(what, AGENCY_PUT, vals![id, json, now, who])?;
        for (field, old, new) in audit {
            db.exec(
                "auditing the agency",
                AGENCY_AUDIT,
                vals![id, now, who, field, old, new],
            )?;
        }
        Ok(())
    })
    .map(|_| ())
}

pub(super) fn link_insert(
    db: &mut dyn Sql,
    l: &Link,
    who: &str,
    now: i64,
) -> Result<i64, DeskError> {
    let p = vals![
        l.record,
        &l.agency,
        &l.role,
        &l.from,
        &l.to,
        &l.consent_date,
        &l.consent_scope,
        &l.consent_by,
        now,
        who,
        &l.person
    ];
    one(db, "linking the agency", LINK_INSERT, p, id_from)
}

pub(super) fn links(db: &mut dyn Sql, record: i64) -> Result<Vec<Link>, DeskError> {
    rows(
        db,
        "reading the case's network",
        LINKS,
        vals![record],
        link_from,
    )
}

pub(super) fn contact_insert(db: &mut dyn Sql, c: &Contact) -> Result<i64, DeskError> {
    let p = vals![
        c.record,
        &c.agency,
        c.at,
        &c.method,
        &c.direction,
        &c.summary,
        &c.who
    ];
    one(db, "logging the contact", CONTACT_INSERT, p, id_from)
}

pub(super) fn contacts(db: &mut dyn Sql, record: i64) -> Result<Vec<Contact>, DeskError> {
    rows(
        db,
        "reading the contact log",
        CONTACTS,
        vals![record],
        contact_from,
    )
}

pub(super) fn meeting_insert(db: &mut dyn Sql, m: &Meeting, now: i64) -> Result<i64, DeskError> {
    let p = vals![
        m.record,
        &m.date,
        &m.participants,
        &m.agenda,
        &m.decision,
        &m.goal,
        &m.goal_date,
        &m.review,
        &m.by,
        now
    ];
    one(db, "saving the meeting", MEETING_INSERT, p, id_from)
}

pub(super) fn meetings(db: &mut dyn Sql, record: Option<i64>) -> Result<Vec<Meeting>, DeskError> {
    rows(
        db,
        "reading meetings",
        MEETINGS,
        vals![record],
        meeting_from,
    )
}

pub(super) fn meeting_get(db: &mut dyn Sql, id: i64) -> Result<Option<Meeting>, DeskError> {
    first(
        db,
        "reading the meeting",
        MEETING_GET,
        vals![id],
        meeting_from,
    )
}

pub(super) fn assessment_insert(
    db: &mut dyn Sql,
    a: &Assessment,
    now: i64,
) -> Result<i64, DeskError> {
    // `[1, 2, 3, 4, 2]` → `1,2,3,4,2` (the stored form).
    let ratings = a
        .ratings
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let notes = serde_json::to_string(&a.notes).unwrap_or_else(|_| "[]".into());
    let p = vals![a.record, &a.date, &ratings, &notes, &a.by, now];
    one(db, "saving the assessment", ASSESSMENT_INSERT, p, id_from)
}

pub(super) fn assessments(db: &mut dyn Sql, record: i64) -> Result<Vec<Assessment>, DeskError> {
    rows(
        db,
        "reading assessments",
        ASSESSMENTS,
        vals![record],
        assessment_from,
    )
}

/// Ends one of the record's open links on `day`; false when there is no such open link.
pub(super) fn link_end(
    db: &mut dyn Sql,
    id: i64,
    record: i64,
    day: &str,
) -> Result<bool, DeskError> {
    Ok(db.exec("ending the link", LINK_END, vals![id, record, day])? == 1)
}

/// A consent change on one of the record's links: its state, an event and an audit row
/// naming the agency (never the person), in one transaction; false when there is no such
/// link.
pub(super) fn consent_write(
    db: &mut dyn Sql,
    record: i64,
    link: &Link,
    change: &ConsentChange,
    note: &str,
    who: &str,
    now: i64,
) -> Result<bool, DeskError> {
    let written = transaction(db, "starting a transaction", Lock::None, "saving", |db| {
        let what = "changing the consent";
        let (n, scope) = match change {
            ConsentChange::Given { day, scope } => (
                db.exec(
                    what,
                    trust_sql::CONSENT_GIVE,
                    vals![link.id, record, day, scope, who],
                )?,
                scope.as_str(),
            ),
            ConsentChange::Withdrawn { day } => (
                db.exec(
                    what,
                    trust_sql::CONSENT_WITHDRAW,
                    vals![link.id, record, day],
                )?,
                "",
            ),
        };
        if n != 1 {
            return Ok(false);
        }
        let (kind, day) = (change.kind(), change.day());
        db.exec(
            "writing the consent history",
            trust_sql::CONSENT_EVENT,
            vals![link.id, record, kind, day, scope, note, who, now],
        )?;
        let (field, old, new) = consent_audit(link, change);
        db.exec(
            "writing the audit trail",
            trust_sql::AUDIT_INSERT,
            vals![record, now, who, &field, &old, &new],
        )?;
        Ok(true)
    })?;
    Ok(written.unwrap_or(false))
}

pub(super) fn consent_events(
    db: &mut dyn Sql,
    record: i64,
) -> Result<Vec<ConsentEvent>, DeskError> {
    rows(
        db,
        "reading the consent history",
        trust_sql::CONSENT_EVENTS,
        vals![record],
        consent_event_from,
    )
}

pub(super) fn followup_insert(db: &mut dyn Sql, f: &FollowUp, now: i64) -> Result<i64, DeskError> {
    let due = f.due_day();
    let p = vals![
        f.record,
        f.kind.id(),
        &f.phase,
        &f.from,
        &f.to,
        &due,
        &f.note,
        &f.by,
        now
    ];
    one(db, "saving the follow-up", FOLLOWUP_INSERT, p, id_from)
}

pub(super) fn followups(db: &mut dyn Sql, record: i64) -> Result<Vec<FollowUp>, DeskError> {
    let q = format!(
        "SELECT {} FROM followup WHERE intake_id = ?1 ORDER BY from_day, id",
        network_sql::FOLLOWUP_COLUMNS
    );
    rows(
        db,
        "reading follow-ups",
        &q,
        vals![record],
        network_sql::followup_from,
    )
}

/// Marks an open follow-up done on `day`; returns its record, or None when there is no
/// such open follow-up (nothing written).
pub(super) fn followup_done(
    db: &mut dyn Sql,
    id: i64,
    day: &str,
    who: &str,
) -> Result<Option<i64>, DeskError> {
    first(
        db,
        "marking the follow-up done",
        FOLLOWUP_DONE,
        vals![id, day, who],
        id_from,
    )
}

/// The audit row of a consent change: (field, old, new), naming the agency, never the person.
fn consent_audit(link: &Link, change: &ConsentChange) -> (String, String, String) {
    let old = if link.has_consent() {
        format!("同意あり {} {}", link.consent_date, link.consent_scope)
    } else if !link.consent_withdrawn.is_empty() {
        format!("同意撤回 {}", link.consent_withdrawn)
    } else {
        "同意なし".to_string()
    };
    let new = match change {
        ConsentChange::Given { day, scope } => format!("同意あり {day} {scope}"),
        ConsentChange::Withdrawn { day } => format!("同意撤回 {day}"),
    };
    (format!("consent:{}", link.agency), old, new)
}
