//! The desk's tables, each defined once, as data: the DDL of both databases, every migration
//! step and `desk migrate`'s list of tables and columns are made from it. Step N of the
//! schema creates the tables with `since == N`, adds the columns with `since == N` to older
//! tables and creates the indexes with `since == N`; a fresh database is made by running the
//! same steps, so a fresh and an upgraded database have the same columns in the same order.
//! `tests/desk_schema.rs` compares this definition with what SQLite (`PRAGMA table_info`)
//! and PostgreSQL (`information_schema.columns`) hold.
//!
//! The declared types are those of the databases in the field and must not change: the first
//! steps spelled SQLite's 64-bit integers `INTEGER` (`Ty::Int64`), later ones `BIGINT`
//! (`Ty::BigInt`); on PostgreSQL both are BIGINT, and the kiosk id, questionnaire version,
//! stage and the statistics' day are INTEGER (`Ty::Int32`).

/// A column's type, as each database declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// The auto-numbered key: `INTEGER PRIMARY KEY` / `BIGSERIAL PRIMARY KEY`.
    Id,
    /// `INTEGER` on both (32-bit on PostgreSQL).
    Int32,
    /// `INTEGER` / `BIGINT`.
    Int64,
    /// `BIGINT` on both.
    BigInt,
    /// `SMALLINT` on both.
    Int16,
    Text,
    /// `INTEGER` (0/1) / `BOOLEAN`.
    Bool,
}

/// Which database a text is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Ty {
    /// The declared type (`PRAGMA table_info`'s `type`; for PostgreSQL, the DDL's word).
    pub fn declared(self, d: Dialect) -> &'static str {
        use Dialect::{Postgres as P, Sqlite as S};
        match (self, d) {
            (Ty::Id | Ty::Int32 | Ty::Int64 | Ty::Bool, S) | (Ty::Int32, P) => "INTEGER",
            (Ty::Id, P) => "BIGSERIAL",
            (Ty::Int64 | Ty::BigInt, P) | (Ty::BigInt, S) => "BIGINT",
            (Ty::Int16, _) => "SMALLINT",
            (Ty::Text, _) => "TEXT",
            (Ty::Bool, P) => "BOOLEAN",
        }
    }

    /// PostgreSQL's `information_schema.columns.data_type`.
    pub fn pg_data_type(self) -> &'static str {
        match self {
            Ty::Id | Ty::Int64 | Ty::BigInt => "bigint",
            Ty::Int32 => "integer",
            Ty::Int16 => "smallint",
            Ty::Text => "text",
            Ty::Bool => "boolean",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub ty: Ty,
    /// NULL allowed.
    pub null: bool,
    /// The DEFAULT clause's value, if any.
    pub default: Option<&'static str>,
    /// The single-column primary key (an `Id` column is one by its type).
    pub key: bool,
    /// The schema step that added it (the table's own step for its first columns).
    pub since: i64,
}

#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    pub since: i64,
    pub columns: &'static [Column],
    /// A table constraint written after the columns (`UNIQUE (…)`, `PRIMARY KEY (…)`).
    pub constraint: Option<&'static str>,
    /// The key order `desk migrate` reads and checks rows in.
    pub order: &'static str,
}

#[derive(Debug, Clone, Copy)]
pub struct Index {
    pub name: &'static str,
    pub table: &'static str,
    /// The indexed columns and, for a partial index, its `WHERE` clause.
    pub on: &'static str,
    pub since: i64,
}

const fn col(name: &'static str, ty: Ty, since: i64) -> Column {
    Column {
        name,
        ty,
        null: false,
        default: None,
        key: matches!(ty, Ty::Id),
        since,
    }
}

const fn opt(name: &'static str, ty: Ty, since: i64) -> Column {
    Column {
        null: true,
        ..col(name, ty, since)
    }
}

const fn def(name: &'static str, ty: Ty, default: &'static str, since: i64) -> Column {
    Column {
        default: Some(default),
        ..col(name, ty, since)
    }
}

const fn key(name: &'static str, ty: Ty, since: i64) -> Column {
    Column {
        key: true,
        ..col(name, ty, since)
    }
}

const fn table(name: &'static str, since: i64, columns: &'static [Column]) -> Table {
    Table {
        name,
        since,
        columns,
        constraint: None,
        order: "id",
    }
}

use Ty::{BigInt, Bool, Id, Int16, Int32, Int64, Text};

/// Step 1: the intake records (one per slip) and their audit trail; 2: a version per record
/// (optimistic concurrency); 3: staff accounts and the access log (record ids only, never a
/// name).
const INTAKE: Table = Table {
    constraint: Some("UNIQUE (kiosk_id, serial)"),
    ..table(
        "intake",
        1,
        &[
            col("id", Id, 1),
            col("kiosk_id", Int32, 1),
            col("serial", Int64, 1),
            col("issued_at", Int64, 1),
            col("lang", Text, 1),
            col("questionnaire_version", Int32, 1),
            col("answers", Text, 1),
            col("routes", Text, 1),
            col("receipt_no", Text, 1),
            col("created_at", Int64, 1),
            col("updated_at", Int64, 1),
            def("name", Text, "''", 1),
            def("furigana", Text, "''", 1),
            def("contact", Text, "''", 1),
            def("assigned_staff", Text, "''", 1),
            def("next_action", Text, "''", 1),
            def("notes", Text, "''", 1),
            def("stage", Int32, "0", 1),
            opt("closed_at", Int64, 1),
            def("version", Int64, "0", 2),
        ],
    )
};

const AUDIT: Table = table(
    "audit",
    1,
    &[
        col("id", Id, 1),
        col("intake_id", Int64, 1),
        col("at", Int64, 1),
        col("who", Text, 1),
        col("field", Text, 1),
        col("old", Text, 1),
        col("new", Text, 1),
    ],
);

const STAFF: Table = Table {
    order: "login",
    ..table(
        "staff",
        3,
        &[
            key("login", Text, 3),
            col("name", Text, 3),
            col("role", Text, 3),
            col("active", Bool, 3),
            col("hash", Text, 3),
            def("failures", Int64, "0", 3),
            opt("locked_until", Int64, 3),
            col("created_at", Int64, 3),
        ],
    )
};

/// Step 7 adds who an account change concerned (`target`).
const ACCESS_LOG: Table = table(
    "access_log",
    3,
    &[
        col("id", Id, 3),
        col("at", Int64, 3),
        col("login", Text, 3),
        col("action", Text, 3),
        opt("record_id", Int64, 3),
        def("target", Text, "''", 7),
    ],
);

/// Step 4: the kiosks' published statistics (`crate::store::shared`; the day is `YYYYMMDD`).
pub const KIOSK_STATS: Table = Table {
    constraint: Some("PRIMARY KEY (kiosk_id, day, hour, metric, key)"),
    order: "kiosk_id, day, hour, metric, key",
    ..table(
        "kiosk_stats",
        4,
        &[
            col("kiosk_id", Int32, 4),
            col("day", Int32, 4),
            col("hour", Int16, 4),
            col("metric", Text, 4),
            col("key", Text, 4),
            col("n", BigInt, 4),
            col("published_at", BigInt, 4),
        ],
    )
};

/// Step 5: the support network (NETWORK.md §1–3): the agency directory (each agency as JSON,
/// audited field by field), agencies linked to a record with the person's consent, the
/// contact log, 個別支援会議 and pyramid assessments.
const AGENCY: Table = table(
    "agency",
    5,
    &[
        key("id", Text, 5),
        col("data", Text, 5),
        col("updated_at", BigInt, 5),
        col("updated_by", Text, 5),
    ],
);

const AGENCY_AUDIT: Table = table(
    "agency_audit",
    5,
    &[
        col("id", Id, 5),
        col("agency_id", Text, 5),
        col("at", BigInt, 5),
        col("who", Text, 5),
        col("field", Text, 5),
        col("old", Text, 5),
        col("new", Text, 5),
    ],
);

/// Step 6 adds the person a link names (the counsellor at the agency, or 母); step 7 a
/// withdrawn consent.
const CASE_LINK: Table = table(
    "case_link",
    5,
    &[
        col("id", Id, 5),
        col("intake_id", BigInt, 5),
        col("agency_id", Text, 5),
        col("role", Text, 5),
        col("from_day", Text, 5),
        col("to_day", Text, 5),
        col("consent_day", Text, 5),
        col("consent_scope", Text, 5),
        col("consent_by", Text, 5),
        col("created_at", BigInt, 5),
        col("created_by", Text, 5),
        def("person", Text, "''", 6),
        def("consent_withdrawn", Text, "''", 7),
    ],
);

const CONTACT: Table = table(
    "contact",
    5,
    &[
        col("id", Id, 5),
        col("intake_id", BigInt, 5),
        col("agency_id", Text, 5),
        col("at", BigInt, 5),
        col("method", Text, 5),
        col("direction", Text, 5),
        col("summary", Text, 5),
        col("who", Text, 5),
    ],
);

const MEETING: Table = table(
    "meeting",
    5,
    &[
        col("id", Id, 5),
        col("intake_id", BigInt, 5),
        col("day", Text, 5),
        col("participants", Text, 5),
        col("agenda", Text, 5),
        col("decision", Text, 5),
        col("goal", Text, 5),
        col("goal_day", Text, 5),
        col("review_day", Text, 5),
        col("created_by", Text, 5),
        col("created_at", BigInt, 5),
    ],
);

const ASSESSMENT: Table = table(
    "assessment",
    5,
    &[
        col("id", Id, 5),
        col("intake_id", BigInt, 5),
        col("day", Text, 5),
        col("ratings", Text, 5),
        col("notes", Text, 5),
        col("created_by", Text, 5),
        col("created_at", BigInt, 5),
    ],
);

/// Step 6: follow-ups (employment, 定着支援, job coach phases).
const FOLLOWUP: Table = table(
    "followup",
    6,
    &[
        col("id", Id, 6),
        col("intake_id", BigInt, 6),
        col("kind", Text, 6),
        col("phase", Text, 6),
        col("from_day", Text, 6),
        col("to_day", Text, 6),
        col("due_day", Text, 6),
        col("note", Text, 6),
        col("done_day", Text, 6),
        col("done_by", Text, 6),
        col("created_by", Text, 6),
        col("created_at", BigInt, 6),
    ],
);

/// Step 7 (TRUST.md): the consent history and the last run of daily maintenance.
const CONSENT_EVENT: Table = table(
    "consent_event",
    7,
    &[
        col("id", Id, 7),
        col("link_id", BigInt, 7),
        col("intake_id", BigInt, 7),
        col("kind", Text, 7),
        col("day", Text, 7),
        col("scope", Text, 7),
        col("note", Text, 7),
        col("who", Text, 7),
        col("at", BigInt, 7),
    ],
);

const MAINTENANCE: Table = Table {
    order: "name",
    ..table(
        "maintenance",
        7,
        &[key("name", Text, 7), col("last_run", BigInt, 7)],
    )
};

/// Step 8: the lobby, live (LOBBY.md): the kiosks' staff calls, the visitors waiting with a
/// printed slip, and each kiosk's last heartbeat. Kiosks write them only through the
/// functions of `PG_ROUTINES`; no row holds anything of a visit's answers.
const LOBBY_CALL: Table = Table {
    constraint: Some("UNIQUE (token)"),
    ..table(
        "lobby_call",
        8,
        &[
            col("id", Id, 8),
            col("token", Text, 8),
            col("kiosk_id", Int32, 8),
            col("kiosk_name", Text, 8),
            col("called_at", BigInt, 8),
            col("expires_at", BigInt, 8),
            col("lang", Text, 8),
            col("speech", Bool, 8),
            col("keys", Bool, 8),
            opt("answered_by", Text, 8),
            opt("answered_name", Text, 8),
            opt("answered_at", BigInt, 8),
        ],
    )
};

const LOBBY_ARRIVAL: Table = Table {
    constraint: Some("UNIQUE (kiosk_id, serial)"),
    ..table(
        "lobby_arrival",
        8,
        &[
            col("id", Id, 8),
            col("kiosk_id", Int32, 8),
            col("serial", BigInt, 8),
            col("receipt_no", Text, 8),
            col("kiosk_name", Text, 8),
            col("arrived_at", BigInt, 8),
            col("lang", Text, 8),
            col("speech", Bool, 8),
            col("keys", Bool, 8),
            col("large_text", Bool, 8),
            opt("handling_by", Text, 8),
            opt("handling_name", Text, 8),
            opt("scanned_at", BigInt, 8),
        ],
    )
};

const KIOSK_HEALTH: Table = Table {
    order: "kiosk_id",
    ..table(
        "kiosk_health",
        8,
        &[
            key("kiosk_id", Int32, 8),
            col("kiosk_name", Text, 8),
            col("running_since", BigInt, 8),
            col("printer", Text, 8),
            col("speech", Bool, 8),
            col("version", Text, 8),
            col("seen_at", BigInt, 8),
        ],
    )
};

/// Step 9 (SERVER.md §2): the browsers' sessions at `hatarakitai serve`. A session id is
/// kept only as its SHA-256 (`id_hash`); the form token is the session's own; `seen_at` is
/// the last activity, from which the server locks the session; `must_change` is set when
/// the password used to sign in is shorter than the web's minimum.
const WEB_SESSION: Table = Table {
    order: "id_hash",
    ..table(
        "web_session",
        9,
        &[
            key("id_hash", Text, 9),
            col("login", Text, 9),
            col("csrf", Text, 9),
            col("created_at", BigInt, 9),
            col("seen_at", BigInt, 9),
            col("must_change", Bool, 9),
        ],
    )
};

/// Step 9 (SERVER.md §3): retention's periods where only the database's owner can write
/// them (`hatarakitai db upgrade --retention-days … --retention-years …`); the application
/// role runs retention only through `hatarakitai_retention`, which reads them here.
const RETENTION_POLICY: Table = table(
    "retention_policy",
    9,
    &[
        key("id", Int32, 9),
        col("closed_days", BigInt, 9),
        col("inactive_years", BigInt, 9),
    ],
);

/// Every table, in the order they were made (and `desk migrate` copies them).
pub const TABLES: &[Table] = &[
    INTAKE,
    AUDIT,
    STAFF,
    ACCESS_LOG,
    KIOSK_STATS,
    AGENCY,
    AGENCY_AUDIT,
    CASE_LINK,
    CONTACT,
    MEETING,
    ASSESSMENT,
    FOLLOWUP,
    CONSENT_EVENT,
    MAINTENANCE,
    LOBBY_CALL,
    LOBBY_ARRIVAL,
    KIOSK_HEALTH,
    WEB_SESSION,
    RETENTION_POLICY,
];

const fn ix(name: &'static str, table: &'static str, on: &'static str, since: i64) -> Index {
    Index {
        name,
        table,
        on,
        since,
    }
}

/// Every index. Step 6's are what the due list and the council counts read by (open
/// records, closings, links and meetings by day, stage changes by time).
pub const INDEXES: &[Index] = &[
    ix("intake_issued", "intake", "(issued_at)", 1),
    ix("intake_created", "intake", "(created_at)", 1),
    ix("audit_intake", "audit", "(intake_id, id)", 1),
    ix("access_at", "access_log", "(at)", 3),
    ix("kiosk_stats_day", "kiosk_stats", "(day)", 4),
    ix("case_link_intake", "case_link", "(intake_id)", 5),
    ix("contact_intake", "contact", "(intake_id)", 5),
    ix("meeting_intake", "meeting", "(intake_id, day, id)", 5),
    ix("meeting_review", "meeting", "(review_day)", 5),
    ix("assessment_intake", "assessment", "(intake_id)", 5),
    ix(
        "followup_intake",
        "followup",
        "(intake_id, from_day, id)",
        6,
    ),
    ix(
        "followup_open",
        "followup",
        "(due_day) WHERE done_day = ''",
        6,
    ),
    ix("followup_kind", "followup", "(kind, from_day)", 6),
    ix("intake_open", "intake", "(id) WHERE stage <> 6", 6),
    ix("intake_closed", "intake", "(closed_at)", 6),
    ix("case_link_created", "case_link", "(created_at)", 6),
    ix("meeting_day", "meeting", "(day)", 6),
    ix("audit_stage", "audit", "(at) WHERE field = 'stage'", 6),
    ix(
        "consent_event_intake",
        "consent_event",
        "(intake_id, id)",
        7,
    ),
    ix("lobby_call_at", "lobby_call", "(called_at)", 8),
    ix("lobby_arrival_at", "lobby_arrival", "(arrived_at)", 8),
];

/// PostgreSQL's own part of a step: what the kiosks may call and how the desks hear of it.
/// The kiosks' role (assets/deploy/kiosk-role.sql) may only EXECUTE the four kiosk
/// functions — SECURITY DEFINER, so it needs no right on any table: it inserts its call,
/// arrival and heartbeat and reads back the state of the one call whose random token it
/// made, and nothing else. Each change to a lobby table NOTIFYs `hatarakitai_lobby` with
/// the table's name only (anyone may LISTEN; the desks read the rows with their own rights).
pub const PG_ROUTINES: &[(i64, &str)] = &[
    (
        8,
        r"CREATE FUNCTION hatarakitai_now() RETURNS BIGINT LANGUAGE sql STABLE
    AS $$ SELECT CAST(floor(extract(epoch FROM now())) AS BIGINT) $$;
CREATE FUNCTION hatarakitai_lobby_call(p_token TEXT, p_kiosk INTEGER, p_name TEXT,
        p_lang TEXT, p_speech BOOLEAN, p_keys BOOLEAN, p_seconds INTEGER) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ INSERT INTO lobby_call (token, kiosk_id, kiosk_name, called_at, expires_at, lang,
            speech, keys)
        VALUES (p_token, p_kiosk, p_name, hatarakitai_now(),
            hatarakitai_now() + greatest(p_seconds, 1), p_lang, p_speech, p_keys)
        ON CONFLICT (token) DO NOTHING $$;
CREATE FUNCTION hatarakitai_lobby_call_state(p_token TEXT,
        OUT state TEXT, OUT answered_name TEXT)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT CASE WHEN answered_by IS NOT NULL THEN 'answered'
            WHEN expires_at <= hatarakitai_now() THEN 'expired' ELSE 'open' END,
            answered_name
        FROM lobby_call WHERE token = p_token $$;
CREATE FUNCTION hatarakitai_lobby_arrival(p_kiosk INTEGER, p_serial BIGINT, p_receipt TEXT,
        p_name TEXT, p_lang TEXT, p_speech BOOLEAN, p_keys BOOLEAN, p_large BOOLEAN)
        RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ INSERT INTO lobby_arrival (kiosk_id, serial, receipt_no, kiosk_name, arrived_at,
            lang, speech, keys, large_text, scanned_at)
        SELECT p_kiosk, p_serial, p_receipt, p_name, hatarakitai_now(), p_lang, p_speech,
            p_keys, p_large,
            (SELECT hatarakitai_now() FROM intake WHERE kiosk_id = p_kiosk AND serial = p_serial)
        ON CONFLICT (kiosk_id, serial) DO NOTHING $$;
CREATE FUNCTION hatarakitai_kiosk_health(p_kiosk INTEGER, p_name TEXT, p_since BIGINT,
        p_printer TEXT, p_speech BOOLEAN, p_version TEXT) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ INSERT INTO kiosk_health (kiosk_id, kiosk_name, running_since, printer, speech,
            version, seen_at)
        VALUES (p_kiosk, p_name, p_since, p_printer, p_speech, p_version, hatarakitai_now())
        ON CONFLICT (kiosk_id) DO UPDATE SET kiosk_name = excluded.kiosk_name,
            running_since = excluded.running_since, printer = excluded.printer,
            speech = excluded.speech, version = excluded.version, seen_at = excluded.seen_at $$;
REVOKE ALL ON FUNCTION hatarakitai_lobby_call(TEXT, INTEGER, TEXT, TEXT, BOOLEAN, BOOLEAN,
    INTEGER) FROM PUBLIC;
REVOKE ALL ON FUNCTION hatarakitai_lobby_call_state(TEXT) FROM PUBLIC;
REVOKE ALL ON FUNCTION hatarakitai_lobby_arrival(INTEGER, BIGINT, TEXT, TEXT, TEXT, BOOLEAN,
    BOOLEAN, BOOLEAN) FROM PUBLIC;
REVOKE ALL ON FUNCTION hatarakitai_kiosk_health(INTEGER, TEXT, BIGINT, TEXT, BOOLEAN, TEXT)
    FROM PUBLIC;
CREATE FUNCTION hatarakitai_lobby_notify() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN PERFORM pg_notify('hatarakitai_lobby', TG_TABLE_NAME); RETURN NULL; END $$;
CREATE TRIGGER lobby_call_notify AFTER INSERT OR UPDATE OR DELETE ON lobby_call
    FOR EACH ROW EXECUTE FUNCTION hatarakitai_lobby_notify();
CREATE TRIGGER lobby_arrival_notify AFTER INSERT OR UPDATE OR DELETE ON lobby_arrival
    FOR EACH ROW EXECUTE FUNCTION hatarakitai_lobby_notify();
CREATE TRIGGER kiosk_health_notify AFTER INSERT OR UPDATE OR DELETE ON kiosk_health
    FOR EACH ROW EXECUTE FUNCTION hatarakitai_lobby_notify();
",
    ),
    (
        9,
        r"CREATE FUNCTION hatarakitai_retention(p_now BIGINT, p_force BOOLEAN)
        RETURNS TABLE (record BIGINT, reason TEXT, last_activity BIGINT, meetings TEXT)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    v_now BIGINT := least(p_now, hatarakitai_now() + 300);
    v_days BIGINT := 1095;
    v_years BIGINT := 5;
    v_last BIGINT;
    r RECORD;
BEGIN
    IF NOT pg_try_advisory_xact_lock(114767773659746) THEN
        RETURN;
    END IF;
    SELECT p.closed_days, p.inactive_years INTO v_days, v_years
        FROM retention_policy p WHERE p.id = 1;
    IF NOT FOUND THEN
        v_days := 1095;
        v_years := 5;
    END IF;
    SELECT m.last_run INTO v_last FROM maintenance m WHERE m.name = 'retention';
    IF NOT p_force AND v_last IS NOT NULL AND v_now - v_last < 72000 AND v_last <= v_now THEN
        RETURN;
    END IF;
    FOR r IN SELECT a.id, a.closed_at, a.last FROM (
        SELECT i.id, i.closed_at, (SELECT MAX(t) FROM (
            SELECT i.updated_at AS t
            UNION ALL SELECT i.created_at
            UNION ALL SELECT MAX(x.at) FROM audit x WHERE x.intake_id = i.id
            UNION ALL SELECT MAX(c.at) FROM contact c WHERE c.intake_id = i.id
            UNION ALL SELECT MAX(l.created_at) FROM case_link l WHERE l.intake_id = i.id
            UNION ALL SELECT MAX(m.created_at) FROM meeting m WHERE m.intake_id = i.id
            UNION ALL SELECT MAX(s.created_at) FROM assessment s WHERE s.intake_id = i.id
            UNION ALL SELECT MAX(f.created_at) FROM followup f WHERE f.intake_id = i.id
            UNION ALL SELECT MAX(e.at) FROM consent_event e WHERE e.intake_id = i.id
        ) y) AS last FROM intake i) a
        WHERE (a.closed_at IS NOT NULL AND a.closed_at < v_now - v_days * 86400)
           OR a.last < v_now - v_years * 31536000
        ORDER BY a.id
    LOOP
        record := r.id;
        last_activity := r.last;
        IF r.closed_at IS NOT NULL AND r.closed_at < v_now - v_days * 86400 THEN
            reason := 'closed';
        ELSE
            reason := 'inactive';
        END IF;
        SELECT coalesce(string_agg(CAST(m.id AS TEXT), ',' ORDER BY m.id), '') INTO meetings
            FROM meeting m WHERE m.intake_id = r.id;
        DELETE FROM audit WHERE intake_id = r.id;
        DELETE FROM case_link WHERE intake_id = r.id;
        DELETE FROM contact WHERE intake_id = r.id;
        DELETE FROM meeting WHERE intake_id = r.id;
        DELETE FROM assessment WHERE intake_id = r.id;
        DELETE FROM followup WHERE intake_id = r.id;
        DELETE FROM consent_event WHERE intake_id = r.id;
        DELETE FROM intake WHERE id = r.id;
        INSERT INTO audit (intake_id, at, who, field, old, new)
            VALUES (r.id, v_now, 'retention', 'deleted', '',
                CASE WHEN reason = 'closed' THEN 'closed more than ' || v_days || ' days ago'
                     ELSE 'no activity for ' || v_years || ' years' END);
        RETURN NEXT;
    END LOOP;
    INSERT INTO maintenance (name, last_run) VALUES ('retention', v_now)
        ON CONFLICT (name) DO UPDATE SET last_run = excluded.last_run;
END $$;
REVOKE ALL ON FUNCTION hatarakitai_retention(BIGINT, BOOLEAN) FROM PUBLIC;
",
    ),
];

/// The newest schema step (SQLite's `user_version`, PostgreSQL's `hatarakitai_schema`).
pub const VERSION: i64 = {
    let mut v = 0;
    let mut i = 0;
    while i < TABLES.len() {
        let mut j = 0;
        while j < TABLES[i].columns.len() {
            if TABLES[i].columns[j].since > v {
                v = TABLES[i].columns[j].since;
            }
            j += 1;
        }
        i += 1;
    }
    v
};

/// The table called `name`.
pub fn table_named(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

fn column_sql(c: &Column, d: Dialect) -> String {
    let mut s = format!("{} {}", c.name, c.ty.declared(d));
    if c.key {
        s.push_str(" PRIMARY KEY");
    } else if !c.null {
        s.push_str(" NOT NULL");
    }
    if let Some(v) = c.default {
        s.push_str(" DEFAULT ");
        s.push_str(v);
    }
    s
}

/// The SQL of schema step `n` (1-based) for `d`: new tables, new columns, new indexes.
pub fn step(n: i64, d: Dialect) -> String {
    let mut out = Vec::new();
    for t in TABLES.iter().filter(|t| t.since == n) {
        let mut parts: Vec<String> = t
            .columns
            .iter()
            .filter(|c| c.since == n)
            .map(|c| column_sql(c, d))
            .collect();
        parts.extend(t.constraint.map(str::to_string));
        out.push(format!(
            "CREATE TABLE {} (\n    {}\n)",
            t.name,
            parts.join(",\n    ")
        ));
    }
    for t in TABLES.iter().filter(|t| t.since < n) {
        for c in t.columns.iter().filter(|c| c.since == n) {
            out.push(format!(
                "ALTER TABLE {} ADD COLUMN {}",
                t.name,
                column_sql(c, d)
            ));
        }
    }
    for i in INDEXES.iter().filter(|i| i.since == n) {
        out.push(format!("CREATE INDEX {} ON {}{}", i.name, i.table, i.on));
    }
    let mut sql: String = out.iter().map(|s| format!("{s};\n")).collect();
    if d == Dialect::Postgres {
        for (_, r) in PG_ROUTINES.iter().filter(|(since, _)| *since == n) {
            sql.push_str(r);
        }
    }
    sql
}

/// Every step for `d`, in order: entry N brings the schema from version N to N+1.
pub fn steps(d: Dialect) -> &'static [String] {
    static SQLITE: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    static PG: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let make = || (1..=VERSION).map(|n| step(n, d)).collect();
    match d {
        Dialect::Sqlite => SQLITE.get_or_init(make),
        Dialect::Postgres => PG.get_or_init(make),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_does_something_and_columns_come_in_step_order() {
        assert_eq!(VERSION, 9);
        for n in 1..=VERSION {
            assert!(!step(n, Dialect::Sqlite).is_empty(), "step {n}");
        }
        for t in TABLES {
            let steps: Vec<i64> = t.columns.iter().map(|c| c.since).collect();
            assert_eq!(steps[0], t.since, "{}", t.name);
            assert!(
                steps.is_sorted(),
                "{}: a column added later comes last",
                t.name
            );
            // SQLite adds a NOT NULL column to an existing table only with a default.
            for c in t.columns.iter().filter(|c| c.since > t.since) {
                assert!(c.null || c.default.is_some(), "{}.{}", t.name, c.name);
            }
        }
        for i in INDEXES {
            let t = table_named(i.table).unwrap();
            assert!(i.since >= t.since, "{}", i.name);
        }
    }

    #[test]
    fn the_ddl_reads_as_before() {
        let one = step(2, Dialect::Postgres);
        assert_eq!(
            one,
            "ALTER TABLE intake ADD COLUMN version BIGINT NOT NULL DEFAULT 0;\n"
        );
        let s = step(7, Dialect::Sqlite);
        assert!(s.contains("CREATE TABLE consent_event (\n    id INTEGER PRIMARY KEY,"));
        assert!(s.contains("name TEXT PRIMARY KEY"));
        assert!(s.contains("ALTER TABLE access_log ADD COLUMN target TEXT NOT NULL DEFAULT ''"));
        let p = step(3, Dialect::Postgres);
        assert!(p.contains("active BOOLEAN NOT NULL") && p.contains("id BIGSERIAL PRIMARY KEY"));
    }
}
