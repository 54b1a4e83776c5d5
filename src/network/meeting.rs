//! 個別支援会議 (NETWORK.md §2) and the 職業準備性ピラミッド (§3): what a meeting record and an
//! assessment hold, and their checks. Plain Rust; dates are the centre's local days
//! (YYYY-MM-DD).

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
