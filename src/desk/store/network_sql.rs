//! The support network's reading queries, written once for both databases: the due list
//! (driven by the open records' partial index, so ended cases cost nothing) and the council's
//! monthly counts (aggregated in the database; only counts come back).

use crate::network::due::{DueRow, REVIEW};
use crate::network::followup::{FollowUp, Kind};

/// What is due by the parameter: each open record's latest meeting's review, and every open
/// follow-up with a due day. Columns: kind, record, meeting, follow-up, day, goal or note,
/// by, assigned staff, phase.
macro_rules! due_sql {
    ($p:literal) => {
        concat!(
            "SELECT CAST('review' AS TEXT), i.id, m.id, CAST(NULL AS BIGINT), m.review_day, m.goal, m.created_by, i.assigned_staff, CAST('' AS TEXT)
     FROM intake i JOIN meeting m ON m.id = (
         SELECT n.id FROM meeting n WHERE n.intake_id = i.id ORDER BY n.day DESC, n.id DESC LIMIT 1)
     WHERE i.stage <> 6 AND m.review_day <= ",
            $p,
            "
     UNION ALL
     SELECT f.kind, i.id, CAST(NULL AS BIGINT), f.id, f.due_day, f.note, f.created_by, i.assigned_staff, f.phase
     FROM followup f JOIN intake i ON i.id = f.intake_id
     WHERE f.done_day = '' AND f.due_day <> '' AND f.due_day <= ",
            $p,
            " AND i.stage <> 6"
        )
    };
}

pub(crate) const DUE_SQLITE: &str = due_sql!("?1");
pub(crate) const DUE_PG: &str = due_sql!("$1");

/// One due row from its nine columns.
#[allow(clippy::too_many_arguments)]
pub(crate) fn due_row(
    kind: String,
    record: i64,
    meeting: Option<i64>,
    followup: Option<i64>,
    day: String,
    goal: String,
    by: String,
    assigned: String,
    phase: String,
) -> DueRow {
    let what = match Kind::parse(&kind) {
        Some(k) if meeting.is_none() => crate::network::followup::label_of(k, &phase),
        _ => REVIEW.to_string(),
    };
    DueRow {
        record,
        kind,
        meeting,
        followup,
        day,
        what,
        goal,
        by,
        assigned,
    }
}

/// One council month: local-midnight bounds and the same as local days (YYYY-MM-DD).
#[derive(Debug, Clone)]
pub struct MonthSpan {
    pub start: i64,
    pub end: i64,
    pub first_day: String,
    pub end_day: String,
}

/// The months as a VALUES list `m(i, s, e, ds, de)`: numbers and checked dates only.
fn months_cte(months: &[MonthSpan]) -> String {
    let values: Vec<String> = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let day = |d: &str| {
                if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok() {
                    format!("'{d}'")
                } else {
                    "''".to_string()
                }
            };
            format!(
                "(CAST({i} AS BIGINT), CAST({} AS BIGINT), CAST({} AS BIGINT), {}, {})",
                m.start,
                m.end,
                day(&m.first_day),
                day(&m.end_day)
            )
        })
        .collect();
    let values = if values.is_empty() {
        "(CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), '', '')".to_string()
    } else {
        values.join(", ")
    };
    format!("WITH m(i, s, e, ds, de) AS (VALUES {values})")
}

/// The route ids that can be matched in the stored JSON list (`"id"` with `_` escaped for
/// LIKE); a catalogue id with any other character is left out rather than written into SQL.
pub(crate) fn matchable_routes(routes: &[String]) -> Vec<&str> {
    routes
        .iter()
        .map(String::as_str)
        .filter(|r| {
            !r.is_empty()
                && r.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
        .collect()
}

/// New intakes per month and, per route, how many of them were shown it: one indexed scan of
/// the month's records. Columns: month index, new intakes, then one count per
/// `matchable_routes(routes)`. A route is found as its quoted id in the stored JSON list
/// (no JSON function: the same plan on both databases).
pub(crate) fn intake_month_sql(months: &[MonthSpan], routes: &[String]) -> String {
    let sums: String = matchable_routes(routes)
        .iter()
        .map(|r| {
            format!(
                ", SUM(CASE WHEN x.routes LIKE '%\"{}\"%' ESCAPE '\\' THEN 1 ELSE 0 END)",
                r.replace('_', "\\_")
            )
        })
        .collect();
    format!(
        "{}
     SELECT m.i, COUNT(*){sums} FROM m JOIN intake x ON x.created_at >= m.s AND x.created_at < m.e GROUP BY m.i",
        months_cte(months)
    )
}

/// The council's other counts as rows (category, month index, key, count).
pub(crate) fn council_sql(months: &[MonthSpan]) -> String {
    format!(
        "{}
     SELECT CAST('ended' AS TEXT), m.i, CAST('' AS TEXT), COUNT(*) FROM m JOIN intake x ON x.closed_at >= m.s AND x.closed_at < m.e GROUP BY m.i
     UNION ALL
     SELECT 'link', m.i, l.agency_id, COUNT(*) FROM m JOIN case_link l ON l.created_at >= m.s AND l.created_at < m.e GROUP BY m.i, l.agency_id
     UNION ALL
     SELECT 'meeting', m.i, '', COUNT(*) FROM m JOIN meeting g ON g.day >= m.ds AND g.day < m.de GROUP BY m.i
     UNION ALL
     SELECT 'employed', m.i, '', COUNT(DISTINCT f.intake_id) FROM m JOIN followup f ON f.kind = 'employment' AND f.from_day >= m.ds AND f.from_day < m.de GROUP BY m.i",
        months_cte(months)
    )
}

/// Records open at some month end of the range (created before the last end, not closed
/// before the first end): (id, created_at, closed_at, current stage code). Parameters: the
/// first month's end, the last month's end.
macro_rules! open_sql {
    ($a:literal, $b:literal) => {
        concat!(
            "SELECT id, created_at, closed_at, stage FROM intake WHERE closed_at IS NULL AND created_at < ",
            $b,
            " UNION ALL SELECT id, created_at, closed_at, stage FROM intake WHERE closed_at >= ",
            $a,
            " AND created_at < ",
            $b
        )
    };
}
pub(crate) const OPEN_SQLITE: &str = open_sql!("?1", "?2");
pub(crate) const OPEN_PG: &str = open_sql!("$1", "$2");

/// Stage changes from the first month end on: (record, at, the stage before). A case's stage
/// at a month end is the one before its first change after that end (or its stage now).
pub(crate) const STAGE_CHANGES_SQLITE: &str = "SELECT intake_id, at, old FROM audit WHERE field = 'stage' AND at >= ?1 ORDER BY intake_id, at, id";
pub(crate) const STAGE_CHANGES_PG: &str = "SELECT intake_id, at, old FROM audit WHERE field = 'stage' AND at >= $1 ORDER BY intake_id, at, id";

/// What the council queries return.
#[derive(Debug, Clone, Default)]
pub struct CouncilRows {
    /// Per month: (month index, new intakes, how many were shown each matchable route).
    pub intakes: Vec<(i64, i64, Vec<i64>)>,
    /// (category, month index, key, count).
    pub counts: Vec<(String, i64, String, i64)>,
    /// Records open at some month end: (id, created_at, closed_at, stage code now).
    pub open: Vec<(i64, i64, Option<i64>, i64)>,
    /// Their stage changes from the first month end on: (record, at, stage label before).
    pub changes: Vec<(i64, i64, String)>,
}

/// The follow-up columns both backends select, in this order.
pub(crate) const FOLLOWUP_COLUMNS: &str =
    "id, intake_id, kind, phase, from_day, to_day, note, done_day, created_by";

/// A follow-up row back into its type; a kind this version does not know reads as 定着支援
/// rather than failing the whole record.
#[allow(clippy::too_many_arguments)]
pub(crate) fn followup_from(
    id: i64,
    record: i64,
    kind: String,
    phase: String,
    from: String,
    to: String,
    note: String,
    done: String,
    by: String,
) -> FollowUp {
    FollowUp {
        id,
        record,
        kind: Kind::parse(&kind).unwrap_or(Kind::Retention),
        phase,
        from,
        to,
        note,
        done,
        by,
    }
}
