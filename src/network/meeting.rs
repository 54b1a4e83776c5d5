//! 個別支援会議 (NETWORK.md §2) and the 職業準備性ピラミッド (§3): what a meeting record and an
//! assessment hold, their checks, and which reviews are due. Plain Rust; dates are the
//! centre's local days (YYYY-MM-DD), so a review "this week" never slips across a month end or
//! a time zone.

use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Meeting {
    pub id: i64,
    pub record: i64,
    pub date: String,
    pub participants: String,
    pub agenda: String,
    pub decision: String,
    pub goal: String,
    pub goal_date: String,
    pub review: String,
    pub by: String,
}

/// The pyramid's levels from the base (the seed's 職業準備性ピラミッド).
pub const LEVELS: [&str; 5] = [
    "健康管理・障がいの理解",
    "日常生活管理・基本的な生活のリズム",
    "社会生活能力・対人技能",
    "基本的労働習慣",
    "職業適性",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub id: i64,
    pub record: i64,
    pub date: String,
    /// Base → top, each 1–4.
    pub ratings: Vec<u8>,
    pub notes: Vec<String>,
    pub by: String,
}

pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{field} `{s}` is not a date: write YYYY-MM-DD, e.g. 2026-12-01"))
}

/// Checks a meeting's dates and texts; returns (date, goal date, review) normalised.
pub fn check_meeting(
    date: &str,
    goal_date: &str,
    review: &str,
    decision: &str,
    goal: &str,
) -> Result<(NaiveDate, NaiveDate, NaiveDate), String> {
    let d = parse_date("--date", date)?;
    let g = parse_date("--goal-date", goal_date)?;
    let r = parse_date("--review", review)?;
    if r < d {
        return Err(format!(
            "--review {r} is before the meeting (--date {d}): the next review comes after the meeting"
        ));
    }
    if g < d {
        return Err(format!(
            "--goal-date {g} is before the meeting (--date {d}): a goal is set for a later day"
        ));
    }
    if decision.trim().is_empty() {
        return Err("--decision is empty: write the 支援方針 the meeting agreed".into());
    }
    if goal.trim().is_empty() {
        return Err("--goal is empty: write the short-term goal (短期目標)".into());
    }
    Ok((d, g, r))
}

/// `--ratings 1,2,3,4,2` (base → top) and `--notes "…|…|…|…|…"`.
pub fn parse_ratings(ratings: &str, notes: &str) -> Result<(Vec<u8>, Vec<String>), String> {
    let parts: Vec<&str> = ratings.split(',').map(str::trim).collect();
    if parts.len() != LEVELS.len() {
        return Err(format!(
            "--ratings needs five ratings, base → top ({}), e.g. 1,2,3,4,2; got {}",
            LEVELS.join(" → "),
            parts.len()
        ));
    }
    let mut out = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        match p.parse::<u8>() {
            Ok(n) if (1..=4).contains(&n) => out.push(n),
            _ => {
                return Err(format!(
                    "--ratings: `{p}` for {} is not a rating: use 1, 2, 3 or 4",
                    LEVELS[i]
                ));
            }
        }
    }
    let mut n: Vec<String> = if notes.is_empty() {
        Vec::new()
    } else {
        notes.split('|').map(|s| s.trim().to_string()).collect()
    };
    if n.len() > LEVELS.len() {
        return Err(format!(
            "--notes has {} parts: give at most five, separated by |, base → top",
            n.len()
        ));
    }
    n.resize(LEVELS.len(), String::new());
    Ok((out, n))
}

/// One due review for the desk's home and `hatarakitai due`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub record: i64,
    pub meeting: i64,
    pub review: String,
    pub goal: String,
    /// Days from today (negative: overdue).
    pub in_days: i64,
    pub by: String,
}

/// The reviews due by `today + within` days: for each record, its latest meeting's review
/// date (a later meeting replaces the earlier one's review). Overdue ones are kept.
pub fn due(meetings: &[Meeting], today: NaiveDate, within: u32) -> Vec<Due> {
    use std::collections::BTreeMap;
    let mut latest: BTreeMap<i64, &Meeting> = BTreeMap::new();
    for m in meetings {
        let e = latest.entry(m.record).or_insert(m);
        if (m.date.as_str(), m.id) > (e.date.as_str(), e.id) {
            *e = m;
        }
    }
    let mut out: Vec<Due> = latest
        .values()
        .filter_map(|m| {
            let r = NaiveDate::parse_from_str(&m.review, "%Y-%m-%d").ok()?;
            let in_days = (r - today).num_days();
            (in_days <= i64::from(within)).then(|| Due {
                record: m.record,
                meeting: m.id,
                review: m.review.clone(),
                goal: m.goal.clone(),
                in_days,
                by: m.by.clone(),
            })
        })
        .collect();
    out.sort_by(|a, b| (a.review.as_str(), a.record).cmp(&(b.review.as_str(), b.record)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn m(id: i64, record: i64, date: &str, review: &str) -> Meeting {
        Meeting {
            id,
            record,
            date: date.into(),
            participants: String::new(),
            agenda: String::new(),
            decision: "x".into(),
            goal: format!("goal {id}"),
            goal_date: review.into(),
            review: review.into(),
            by: "sato".into(),
        }
    }

    #[test]
    fn checks() {
        assert!(check_meeting("2026-12-01", "2027-01-31", "2027-01-05", "方針", "目標").is_ok());
        let e =
            check_meeting("2026-12-01", "2027-01-31", "2026-11-30", "方針", "目標").unwrap_err();
        assert!(
            e.contains("--review 2026-11-30 is before the meeting"),
            "{e}"
        );
        assert!(
            check_meeting("2026-12-01", "2026-11-01", "2026-12-05", "方針", "目標")
                .unwrap_err()
                .contains("--goal-date")
        );
        assert!(
            check_meeting("2026-02-30", "2027-01-31", "2027-01-05", "方針", "目標")
                .unwrap_err()
                .contains("--date")
        );
        assert_eq!(
            parse_ratings("1,2,3,4,2", "").unwrap().0,
            vec![1, 2, 3, 4, 2]
        );
        assert!(
            parse_ratings("1,2,3,4", "")
                .unwrap_err()
                .contains("five ratings")
        );
        assert!(parse_ratings("1,2,5,4,2", "").unwrap_err().contains("`5`"));
        assert!(parse_ratings("1,2,0,4,2", "").unwrap_err().contains("`0`"));
        let (_, notes) = parse_ratings("1,1,1,1,1", "a|b").unwrap();
        assert_eq!(notes, vec!["a", "b", "", "", ""]);
        assert!(parse_ratings("1,1,1,1,1", "a|b|c|d|e|f").is_err());
    }

    #[test]
    fn due_across_month_and_year_ends() {
        let meetings = [
            m(1, 10, "2026-11-01", "2026-12-01"),
            // A later meeting on record 10 replaces its earlier review.
            m(2, 10, "2026-12-01", "2027-01-04"),
            m(3, 11, "2026-12-20", "2027-01-02"),
            m(4, 12, "2026-10-01", "2026-12-27"),
        ];
        // 12-28 + 7 days = 2027-01-04: across the year end, the last day included.
        let got = due(&meetings, d("2026-12-28"), 7);
        let ids: Vec<(i64, i64)> = got.iter().map(|x| (x.meeting, x.in_days)).collect();
        assert_eq!(ids, vec![(4, -1), (3, 5), (2, 7)]);
        let got = due(&meetings, d("2026-12-28"), 6);
        assert!(got.iter().all(|x| x.meeting != 1 && x.meeting != 2));
        let got = due(&meetings, d("2026-12-31"), 4);
        assert_eq!(
            got.iter().map(|x| x.meeting).collect::<Vec<_>>(),
            vec![4, 3, 2]
        );
    }
}
