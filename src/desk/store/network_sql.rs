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
        Some(k) if meeting.is_none() => FollowUp {
            id: 0,
            record,
            kind: k,
            phase,
            from: String::new(),
            to: String::new(),
            note: String::new(),
            done: String::new(),
            by: String::new(),
        }
        .label(),
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

/// The council's counts as rows (category, month index, key, count). The months are written
/// into the statement as numbers and checked dates, never text from outside.
pub(crate) fn council_sql(months: &[MonthSpan], pg: bool) -> String {
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
    let routes = if pg {
        "CROSS JOIN LATERAL json_array_elements_text(x.routes::json) AS r(value)"
    } else {
        "JOIN json_each(x.routes) r"
    };
    format!(
        "WITH m(i, s, e, ds, de) AS (VALUES {values})
     SELECT CAST('new' AS TEXT), m.i, CAST('' AS TEXT), COUNT(*) FROM m JOIN intake x ON x.created_at >= m.s AND x.created_at < m.e GROUP BY m.i
     UNION ALL
     SELECT 'ended', m.i, '', COUNT(*) FROM m JOIN intake x ON x.closed_at >= m.s AND x.closed_at < m.e GROUP BY m.i
     UNION ALL
     SELECT 'route', m.i, r.value, COUNT(*) FROM m JOIN intake x ON x.created_at >= m.s AND x.created_at < m.e {routes} GROUP BY m.i, r.value
     UNION ALL
     SELECT 'link', m.i, l.agency_id, COUNT(*) FROM m JOIN case_link l ON l.created_at >= m.s AND l.created_at < m.e GROUP BY m.i, l.agency_id
     UNION ALL
     SELECT 'meeting', m.i, '', COUNT(*) FROM m JOIN meeting g ON g.day >= m.ds AND g.day < m.de GROUP BY m.i
     UNION ALL
     SELECT 'employed', m.i, '', COUNT(DISTINCT f.intake_id) FROM m JOIN followup f ON f.kind = 'employment' AND f.from_day >= m.ds AND f.from_day < m.de GROUP BY m.i"
    )
}

/// Open records (not ended) created before the parameter: (created_at, stage code), for the
/// month-end counts by stage.
pub(crate) const OPEN_SQLITE: &str =
    "SELECT created_at, stage FROM intake WHERE stage <> 6 AND created_at < ?1";
pub(crate) const OPEN_PG: &str =
    "SELECT created_at, stage FROM intake WHERE stage <> 6 AND created_at < $1";

/// What the council query returns.
#[derive(Debug, Clone, Default)]
pub struct CouncilRows {
    /// (category, month index, key, count).
    pub counts: Vec<(String, i64, String, i64)>,
    /// Open records: (created_at, stage code).
    pub open: Vec<(i64, i64)>,
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
