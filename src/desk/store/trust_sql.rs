//! The statements behind TRUST.md, written once for both databases (`?N` placeholders, common
//! SQL: `RETURNING`, `CASE`, correlated sub-queries; see `sql`). Their tables are `schema`'s
//! step 7.
//!
//! - the lockout is one conditional UPDATE: a failure is counted only while the account is
//!   not locked, and the fifth one locks it in the same statement, so any number of guesses
//!   at once count at most five;
//! - consent over time: the link's current state plus an event row and an audit row;
//! - retention: each record's last activity, read by the database.

/// A wrong password: login, now, the failure that locks, the lock's end. Returns the
/// failures and lock after it; no row = the account was locked already (not counted).
pub const STAFF_FAIL: &str = "UPDATE staff SET
        failures = CASE WHEN failures + 1 >= ?3 THEN 0 ELSE failures + 1 END,
        locked_until = CASE WHEN failures + 1 >= ?3 THEN ?4 ELSE locked_until END
     WHERE login = ?1 AND (locked_until IS NULL OR locked_until <= ?2)
     RETURNING failures, locked_until";

/// The right password: clears the count unless a lock was set meanwhile (0 rows = refused).
pub const STAFF_OK: &str = "UPDATE staff SET failures = 0, locked_until = NULL
     WHERE login = ?1 AND (locked_until IS NULL OR locked_until <= ?2)";

/// Consent given again (the day, scope and who; a withdrawal is lifted).
pub const CONSENT_GIVE: &str = "UPDATE case_link SET consent_day = ?3, consent_scope = ?4, consent_by = ?5, consent_withdrawn = ''
     WHERE id = ?1 AND intake_id = ?2";

pub const CONSENT_WITHDRAW: &str =
    "UPDATE case_link SET consent_withdrawn = ?3 WHERE id = ?1 AND intake_id = ?2";

pub const CONSENT_EVENT: &str =
    "INSERT INTO consent_event (link_id, intake_id, kind, day, scope, note, who, at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

pub const CONSENT_EVENTS: &str = "SELECT id, link_id, kind, day, scope, note, who, at
     FROM consent_event WHERE intake_id = ?1 ORDER BY id";

pub const AUDIT_INSERT: &str =
    "INSERT INTO audit (intake_id, at, who, field, old, new) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// Every record with its end (closed_at) and its last activity: the latest write to it or
/// to anything of its network.
pub const ACTIVITY: &str = "SELECT i.id, i.closed_at, (SELECT MAX(t) FROM (
        SELECT i.updated_at AS t
        UNION ALL SELECT i.created_at
        UNION ALL SELECT MAX(a.at) FROM audit a WHERE a.intake_id = i.id
        UNION ALL SELECT MAX(c.at) FROM contact c WHERE c.intake_id = i.id
        UNION ALL SELECT MAX(l.created_at) FROM case_link l WHERE l.intake_id = i.id
        UNION ALL SELECT MAX(m.created_at) FROM meeting m WHERE m.intake_id = i.id
        UNION ALL SELECT MAX(s.created_at) FROM assessment s WHERE s.intake_id = i.id
        UNION ALL SELECT MAX(f.created_at) FROM followup f WHERE f.intake_id = i.id
        UNION ALL SELECT MAX(e.at) FROM consent_event e WHERE e.intake_id = i.id
     ) x) AS last
     FROM intake i ORDER BY i.id";

/// The meetings of a record (their PDFs go with it).
pub const MEETINGS_OF: &str = "SELECT id FROM meeting WHERE intake_id = ?1";

pub const MAINTENANCE_GET: &str = "SELECT last_run FROM maintenance WHERE name = ?1";

pub const MAINTENANCE_SET: &str = "INSERT INTO maintenance (name, last_run) VALUES (?1, ?2)
     ON CONFLICT (name) DO UPDATE SET last_run = excluded.last_run";
