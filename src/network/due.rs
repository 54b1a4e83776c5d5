//! What is due (NETWORK.md §2): each open record's next 個別支援会議 review (its latest
//! meeting's; a later meeting replaces it) and every open follow-up (定着支援 contacts, the end
//! of a job coach phase). The store picks the candidates; this turns them into the list the
//! desk's home and `hatarakitai due` show. Days are the centre's local days, so "this week"
//! never slips across a month end, a year end or a time zone.

use chrono::NaiveDate;
use serde::Serialize;

/// One item as the store reads it: a review or a follow-up of an open record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueRow {
    pub record: i64,
    /// `review`, `retention` or `jobcoach`.
    pub kind: String,
    /// `Some(meeting id)` for a review, else the follow-up.
    pub meeting: Option<i64>,
    pub followup: Option<i64>,
    /// YYYY-MM-DD.
    pub day: String,
    /// What it is (「個別支援会議の見直し」, 「定着支援（1か月）」…).
    pub what: String,
    /// The meeting's short-term goal, or the follow-up's note.
    pub goal: String,
    /// Who recorded it.
    pub by: String,
    /// The record's 担当者 (a login or a name, as staff typed it).
    pub assigned: String,
}

/// One line of the due list: the item and how many days from today (negative: overdue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    #[serde(flatten)]
    pub item: DueRow,
    pub in_days: i64,
}

pub const REVIEW: &str = "個別支援会議の見直し";

/// The items due by `today + within` days (overdue ones kept), soonest first.
pub fn due(rows: Vec<DueRow>, today: NaiveDate, within: u32) -> Vec<Due> {
    let mut out: Vec<Due> = rows
        .into_iter()
        .filter_map(|r| {
            let day = NaiveDate::parse_from_str(&r.day, "%Y-%m-%d").ok()?;
            let in_days = (day - today).num_days();
            (in_days <= i64::from(within)).then_some(Due { item: r, in_days })
        })
        .collect();
    fn key(d: &Due) -> (&str, i64, Option<i64>, Option<i64>) {
        (&d.item.day, d.item.record, d.item.meeting, d.item.followup)
    }
    out.sort_by(|a, b| key(a).cmp(&key(b)));
    out
}

/// Whether an item is the signed-in person's: they recorded it, or the record's 担当者 is
/// their login or their name.
pub fn is_mine(d: &Due, login: &str, name: &str) -> bool {
    let a = d.item.assigned.trim();
    d.item.by == login || (!a.is_empty() && (a == login || a == name.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn row(record: i64, meeting: Option<i64>, day: &str) -> DueRow {
        DueRow {
            record,
            kind: if meeting.is_some() {
                "review"
            } else {
                "retention"
            }
            .into(),
            meeting,
            followup: meeting.is_none().then_some(record * 10),
            day: day.into(),
            what: REVIEW.into(),
            goal: String::new(),
            by: "sato".into(),
            assigned: "佐藤 花子".into(),
        }
    }

    #[test]
    fn across_month_and_year_ends() {
        let rows = vec![
            row(10, Some(2), "2027-01-04"),
            row(11, Some(3), "2027-01-02"),
            row(12, Some(4), "2026-12-27"),
            row(13, None, "2027-01-05"),
            row(14, None, "2026-12-31"),
        ];
        // 12-28 + 7 days = 2027-01-04: across the year end, the last day included.
        let got = due(rows.clone(), d("2026-12-28"), 7);
        let ids: Vec<(i64, i64)> = got.iter().map(|x| (x.item.record, x.in_days)).collect();
        assert_eq!(ids, vec![(12, -1), (14, 3), (11, 5), (10, 7)]);
        assert_eq!(got[1].item.kind, "retention");
        let got = due(rows.clone(), d("2026-12-28"), 6);
        assert!(
            got.iter()
                .all(|x| x.item.record != 10 && x.item.record != 13)
        );
        // Across a month end: 11-28 + 3 = 12-01.
        let got = due(vec![row(1, Some(1), "2026-12-01")], d("2026-11-28"), 3);
        assert_eq!(got[0].in_days, 3);
    }

    #[test]
    fn mine_by_login_name_or_recorder() {
        let all = due(vec![row(1, Some(1), "2026-12-01")], d("2026-12-01"), 0);
        assert!(is_mine(&all[0], "sato", "x"));
        assert!(is_mine(&all[0], "kato", "佐藤 花子"));
        assert!(!is_mine(&all[0], "kato", "加藤"));
    }
}
