//! The support network's reading queries, written once for both databases: the due list
//! (driven by the open records' partial index, so ended cases cost nothing) and the council's
//! monthly counts (aggregated in the database; only counts come back). `?N` placeholders, as
//! every statement of the store (see `sql`).

use chrono::NaiveDate;

use super::DeskError;
use super::sql::{Row, Sql, rows, vals};
use crate::desk::intake::Stage;
use crate::network::due::{DueRow, REVIEW};
use crate::network::followup::{FollowUp, Kind};

/// What is due by ?1: each open record's latest meeting's review, and every open follow-up
/// with a due day. Columns: kind, record, meeting, follow-up, day, goal or note, by, assigned
/// staff, phase.
const DUE: &str = "SELECT CAST('review' AS TEXT), i.id, m.id, CAST(NULL AS BIGINT), m.review_day, m.goal, m.created_by, i.assigned_staff, CAST('' AS TEXT)
     FROM intake i JOIN meeting m ON m.id = (
         SELECT n.id FROM meeting n WHERE n.intake_id = i.id ORDER BY n.day DESC, n.id DESC LIMIT 1)
     WHERE i.stage <> 6 AND m.review_day <= ?1
     UNION ALL
     SELECT f.kind, i.id, CAST(NULL AS BIGINT), f.id, f.due_day, f.note, f.created_by, i.assigned_staff, f.phase
     FROM followup f JOIN intake i ON i.id = f.intake_id
     WHERE f.done_day = '' AND f.due_day <> '' AND f.due_day <= ?1 AND i.stage <> 6";

/// One due row from its nine columns.
fn due_row(r: &dyn Row) -> Result<DueRow, DeskError> {
    let (kind, meeting, phase) = (r.text(0)?, r.opt_i64(2)?, r.text(8)?);
    let what = match Kind::parse(&kind) {
        Some(k) if meeting.is_none() => crate::network::followup::label_of(k, &phase),
        _ => REVIEW.to_string(),
    };
    Ok(DueRow {
        record: r.i64(1)?,
        kind,
        meeting,
        followup: r.opt_i64(3)?,
        day: r.text(4)?,
        what,
        goal: r.text(5)?,
        by: r.text(6)?,
        assigned: r.text(7)?,
    })
}

/// `DeskStore::due`'s rows.
pub(super) fn due_rows(db: &mut dyn Sql, until: &str) -> Result<Vec<DueRow>, DeskError> {
    rows(db, "reading what is due", DUE, vals![until], due_row)
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

/// Records open at some month end of the range (created before the last end ?2, not closed
/// before the first end ?1): (id, created_at, closed_at, current stage code).
const OPEN: &str = "SELECT id, created_at, closed_at, stage FROM intake WHERE closed_at IS NULL AND created_at < ?2 UNION ALL SELECT id, created_at, closed_at, stage FROM intake WHERE closed_at >= ?1 AND created_at < ?2";

/// Stage changes from the first month end on: (record, at, the stage before). A case's stage
/// at a month end is the one before its first change after that end (or its stage now).
const STAGE_CHANGES: &str = "SELECT intake_id, at, old FROM audit WHERE field = 'stage' AND at >= ?1 ORDER BY intake_id, at, id";

/// `DeskStore::council_counts`' rows.
pub(super) fn council_rows(
    db: &mut dyn Sql,
    months: &[MonthSpan],
    routes: &[String],
) -> Result<CouncilRows, DeskError> {
    let what = "counting for the council";
    let width = matchable_routes(routes).len();
    let intakes = rows(db, what, &intake_month_sql(months, routes), &[], |r| {
        let shown = (0..width)
            .map(|k| r.opt_i64(k + 2).map(Option::unwrap_or_default))
            .collect::<Result<Vec<i64>, _>>()?;
        Ok((r.i64(0)?, r.i64(1)?, shown))
    })?;
    let counts = rows(db, what, &council_sql(months), &[], |r| {
        Ok((r.text(0)?, r.i64(1)?, r.text(2)?, r.i64(3)?))
    })?;
    let first = months.first().map_or(0, |m| m.end);
    let end = months.last().map_or(0, |m| m.end);
    let open = rows(db, "counting open cases", OPEN, vals![first, end], |r| {
        Ok((r.i64(0)?, r.i64(1)?, r.opt_i64(2)?, r.i64(3)?))
    })?;
    let changes = rows(
        db,
        "reading stage changes",
        STAGE_CHANGES,
        vals![first],
        |r| Ok((r.i64(0)?, r.i64(1)?, r.text(2)?)),
    )?;
    Ok(CouncilRows {
        intakes,
        counts,
        open,
        changes,
    })
}

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

/// The follow-up columns `followup_from` reads, in this order.
pub(crate) const FOLLOWUP_COLUMNS: &str =
    "id, intake_id, kind, phase, from_day, to_day, note, done_day, created_by";

/// A follow-up row (`FOLLOWUP_COLUMNS`) back into its type; a kind this version does not
/// know reads as 定着支援 rather than failing the whole record.
pub(crate) fn followup_from(r: &dyn Row) -> Result<FollowUp, DeskError> {
    Ok(FollowUp {
        id: r.i64(0)?,
        record: r.i64(1)?,
        kind: Kind::parse(&r.text(2)?).unwrap_or(Kind::Retention),
        phase: r.text(3)?,
        from: r.text(4)?,
        to: r.text(5)?,
        note: r.text(6)?,
        done: r.text(7)?,
        by: r.text(8)?,
    })
}

/// The due list and the council's counts, as the desk and the CLI ask for them.
impl super::DeskStore {
    /// What is due by `today + within` days for open records (overdue included): reviews
    /// and follow-ups, soonest first.
    pub fn due(
        &self,
        today: NaiveDate,
        within: u32,
    ) -> Result<Vec<crate::network::due::Due>, DeskError> {
        let until = today + chrono::Duration::days(i64::from(within));
        let rows = self.with(|b| due_rows(b, &until.to_string()))?;
        Ok(crate::network::due::due(rows, today, within))
    }

    /// The council's counts for the whole local months touching `from..=to`, in the
    /// council's words (stage labels, route names, agency kinds): no names or ids leave
    /// this function.
    pub fn council_counts(
        &self,
        tz: chrono_tz::Tz,
        content: &crate::content::Content,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<(Vec<NaiveDate>, crate::network::council::Counts), DeskError> {
        use crate::network::council::{Counts, months};
        let start = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .and_then(|t| chrono::TimeZone::from_local_datetime(&tz, &t).earliest())
                .map_or(0, |t| t.timestamp())
        };
        let ms = months(from, to);
        let n = ms.len();
        let spans: Vec<MonthSpan> = ms
            .iter()
            .map(|m| {
                let next = m.checked_add_months(chrono::Months::new(1)).unwrap_or(*m);
                MonthSpan {
                    start: start(*m),
                    end: start(next),
                    first_day: m.to_string(),
                    end_day: next.to_string(),
                }
            })
            .collect();
        let route_ids: Vec<String> = content
            .catalogue
            .routes
            .iter()
            .map(|r| r.id.clone())
            .collect();
        let rows = self.with(|b| council_rows(b, &spans, &route_ids))?;
        let kinds: std::collections::HashMap<String, String> = self
            .agencies()?
            .into_iter()
            .map(|a| (a.id, a.kind))
            .collect();
        let names: std::collections::HashMap<&str, String> = content
            .catalogue
            .routes
            .iter()
            .map(|r| (r.id.as_str(), r.name.plain(crate::lang::Lang::Ja)))
            .collect();
        let mut c = Counts::zero(n);
        let matchable = matchable_routes(&route_ids);
        for (month, new, shown) in rows.intakes {
            let Ok(i) = usize::try_from(month) else {
                continue;
            };
            if let Some(x) = c.new.get_mut(i) {
                *x += u64::try_from(new).unwrap_or(0);
            }
            for (id, count) in matchable.iter().zip(shown) {
                let name = names.get(id).cloned().unwrap_or_else(|| (*id).to_string());
                Counts::add(
                    &mut c.routes,
                    &name,
                    i,
                    u64::try_from(count).unwrap_or(0),
                    n,
                );
            }
        }
        for (cat, month, key, count) in rows.counts {
            let (Ok(i), Ok(count)) = (usize::try_from(month), u64::try_from(count)) else {
                continue;
            };
            let one = |v: &mut Vec<u64>| {
                if let Some(x) = v.get_mut(i) {
                    *x += count;
                }
            };
            match cat.as_str() {
                "ended" => one(&mut c.ended),
                "meeting" => one(&mut c.meetings),
                "employed" => one(&mut c.employed),
                "link" => {
                    let kind = kinds.get(&key).map_or("その他", String::as_str);
                    Counts::add(&mut c.links, kind, i, count, n);
                }
                _ => {}
            }
        }
        // Open at each month's end, by the stage it had then: the stage before its first
        // change after that end, or the stage it has now.
        let mut changes: std::collections::HashMap<i64, Vec<(i64, String)>> =
            std::collections::HashMap::new();
        for (record, at, old) in rows.changes {
            changes.entry(record).or_default().push((at, old));
        }
        let now_label = |code: i64| Stage::from_code(code).unwrap_or(Stage::Intake).label_ja();
        for (id, created, closed, stage) in rows.open {
            let mine = changes.get(&id);
            for (i, span) in spans.iter().enumerate() {
                let end = span.end;
                if created >= end || closed.is_some_and(|c| c < end) {
                    continue;
                }
                let label = mine
                    .and_then(|ch| ch.iter().find(|(at, _)| *at >= end))
                    .map_or_else(|| now_label(stage), |(_, old)| old.as_str());
                if label != Stage::Termination.label_ja() {
                    Counts::add(&mut c.open_by_stage, label, i, 1, n);
                }
            }
        }
        Ok((ms, c))
    }
}
