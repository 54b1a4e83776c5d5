//! The support network around a person (NETWORK.md): the agency directory (`agency`), the
//! case's network with consent and the contact log (`case`), 個別支援会議 and the pyramid
//! (`meeting`, drawn by the desk, printed by `meeting_pdf`), follow-ups (`followup`), what is
//! due (`due`) and the council's counts (`council`). Plain Rust: parsing, checks, the consent
//! rule and layouts; the desk store keeps them and the CLI and the desk drive them.

pub mod agency;
pub mod case;
pub mod council;
pub mod due;
pub mod followup;
pub mod meeting;
pub mod meeting_pdf;

/// The support network's tables (NETWORK.md §1–3): the agency directory (each agency as JSON,
/// audited field by field), agencies linked to a record with the person's consent, the
/// contact log, 個別支援会議 and pyramid assessments. `$id` is each backend's auto-numbered key.
macro_rules! network_sql {
    ($id:literal) => {
        concat!(
            "
    CREATE TABLE agency (
        id TEXT PRIMARY KEY,
        data TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        updated_by TEXT NOT NULL
    );
    CREATE TABLE agency_audit (
        id ",
            $id,
            ",
        agency_id TEXT NOT NULL,
        at BIGINT NOT NULL,
        who TEXT NOT NULL,
        field TEXT NOT NULL,
        old TEXT NOT NULL,
        new TEXT NOT NULL
    );
    CREATE TABLE case_link (
        id ",
            $id,
            ",
        intake_id BIGINT NOT NULL,
        agency_id TEXT NOT NULL,
        role TEXT NOT NULL,
        from_day TEXT NOT NULL,
        to_day TEXT NOT NULL,
        consent_day TEXT NOT NULL,
        consent_scope TEXT NOT NULL,
        consent_by TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE INDEX case_link_intake ON case_link(intake_id);
    CREATE TABLE contact (
        id ",
            $id,
            ",
        intake_id BIGINT NOT NULL,
        agency_id TEXT NOT NULL,
        at BIGINT NOT NULL,
        method TEXT NOT NULL,
        direction TEXT NOT NULL,
        summary TEXT NOT NULL,
        who TEXT NOT NULL
    );
    CREATE INDEX contact_intake ON contact(intake_id);
    CREATE TABLE meeting (
        id ",
            $id,
            ",
        intake_id BIGINT NOT NULL,
        day TEXT NOT NULL,
        participants TEXT NOT NULL,
        agenda TEXT NOT NULL,
        decision TEXT NOT NULL,
        goal TEXT NOT NULL,
        goal_day TEXT NOT NULL,
        review_day TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE INDEX meeting_intake ON meeting(intake_id, day, id);
    CREATE INDEX meeting_review ON meeting(review_day);
    CREATE TABLE assessment (
        id ",
            $id,
            ",
        intake_id BIGINT NOT NULL,
        day TEXT NOT NULL,
        ratings TEXT NOT NULL,
        notes TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE INDEX assessment_intake ON assessment(intake_id);"
        )
    };
}

pub const NETWORK_SQLITE: &str = network_sql!("INTEGER PRIMARY KEY");
pub const NETWORK_PG: &str = network_sql!("BIGSERIAL PRIMARY KEY");

/// Schema step 6: follow-ups (employment, 定着支援, job coach phases), the person a link names
/// (the counsellor at the agency, or 母), and the indexes the due
/// list and the council counts read by (open records, closings, links and meetings by day,
/// stage changes by time).
macro_rules! followup_sql {
    ($id:literal) => {
        concat!(
            "
    CREATE TABLE followup (
        id ",
            $id,
            ",
        intake_id BIGINT NOT NULL,
        kind TEXT NOT NULL,
        phase TEXT NOT NULL,
        from_day TEXT NOT NULL,
        to_day TEXT NOT NULL,
        due_day TEXT NOT NULL,
        note TEXT NOT NULL,
        done_day TEXT NOT NULL,
        done_by TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE INDEX followup_intake ON followup(intake_id, from_day, id);
    CREATE INDEX followup_open ON followup(due_day) WHERE done_day = '';
    CREATE INDEX followup_kind ON followup(kind, from_day);
    CREATE INDEX intake_open ON intake(id) WHERE stage <> 6;
    CREATE INDEX intake_closed ON intake(closed_at);
    CREATE INDEX case_link_created ON case_link(created_at);
    CREATE INDEX meeting_day ON meeting(day);
    CREATE INDEX audit_stage ON audit(at) WHERE field = 'stage';
    ALTER TABLE case_link ADD COLUMN person TEXT NOT NULL DEFAULT '';"
        )
    };
}

pub const FOLLOWUP_SQLITE: &str = followup_sql!("INTEGER PRIMARY KEY");
pub const FOLLOWUP_PG: &str = followup_sql!("BIGSERIAL PRIMARY KEY");

/// The tables holding a record's network, deleted with the record by retention.
pub const CASE_TABLES: [&str; 6] = [
    "case_link",
    "contact",
    "meeting",
    "assessment",
    "followup",
    "consent_event",
];
