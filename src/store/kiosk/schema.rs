//! `kiosk.sqlite`'s schema, step by step: entry N brings a file from version N to N+1 (the
//! version is SQLite's `user_version`).

const SCHEMA_V1: &str = "
CREATE TABLE serial (
    kiosk_id INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);
CREATE TABLE receipt_seq (
    day INTEGER PRIMARY KEY,         -- local day YYYYMMDD of the slip
    last INTEGER NOT NULL
);
CREATE TABLE visit (
    id INTEGER PRIMARY KEY,
    kiosk_id INTEGER NOT NULL,
    serial INTEGER NOT NULL,
    started_at INTEGER NOT NULL,     -- Unix seconds (UTC)
    day INTEGER NOT NULL,            -- local day YYYYMMDD of started_at
    hour INTEGER NOT NULL,           -- local hour 0-23 of started_at
    lang INTEGER NOT NULL,           -- Lang::code, the latest used
    large_text INTEGER NOT NULL,     -- 1 if large text was on at any time
    results_at INTEGER,
    completed_at INTEGER,            -- committed for the slip
    receipt_no TEXT,
    questionnaire_version INTEGER,
    printed INTEGER NOT NULL DEFAULT 0,
    print_failures INTEGER NOT NULL DEFAULT 0,
    print_error TEXT,
    slip_at INTEGER,
    end_reason INTEGER,              -- NULL open, 1 completed, 2 abandoned, 3 idle, 4 interrupted
    end_question INTEGER,            -- 0-based, NULL = before the first question
    ended_at INTEGER,
    UNIQUE (kiosk_id, serial)
);
CREATE INDEX visit_day ON visit (day, hour);
CREATE TABLE answer (
    visit_id INTEGER NOT NULL,
    question INTEGER NOT NULL,       -- 0-based index in the questionnaire
    option INTEGER,                  -- NULL = skipped without an option
    times INTEGER NOT NULL,          -- > 1 when the visitor went back and answered again
    at INTEGER NOT NULL,
    PRIMARY KEY (visit_id, question)
) WITHOUT ROWID;
CREATE TABLE visit_route (
    visit_id INTEGER NOT NULL,
    rank INTEGER NOT NULL,           -- 0 = shown first
    route TEXT NOT NULL,
    PRIMARY KEY (visit_id, rank)
) WITHOUT ROWID;
CREATE TABLE staff_call (
    id INTEGER PRIMARY KEY,
    kiosk_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    day INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    visit_id INTEGER                 -- NULL = outside a visit
);
CREATE INDEX staff_call_day ON staff_call (day);
CREATE TABLE agg (
    day INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    metric TEXT NOT NULL,
    key TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, hour, metric, key)
) WITHOUT ROWID;
";

pub(super) const MIGRATIONS: &[&str] = &[SCHEMA_V1];

/// The kiosk schema this code speaks (`user_version` after the last step).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;
