//! Follow-up after the plan (NETWORK.md §2): employment (就職, the outcome the council counts),
//! 定着支援 visits after it, and the job coach's phases (事前準備期 → 集中支援期 → フォローアップ期,
//! the seed's support process with fading). Plain Rust: kinds, checks, the retention schedule
//! offered when employment is recorded, and what each item makes due. Dates are the centre's
//! local days (YYYY-MM-DD).

use chrono::{Months, NaiveDate};
use serde::Serialize;

use super::meeting::parse_date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The person started work on `from` (an outcome, never due).
    Employment,
    /// A 定着支援 contact planned on `from`.
    Retention,
    /// A job coach phase from `from` to `to`; due at its end (the next phase, or fading).
    Jobcoach,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Employment, Kind::Retention, Kind::Jobcoach];

    pub fn id(self) -> &'static str {
        match self {
            Kind::Employment => "employment",
            Kind::Retention => "retention",
            Kind::Jobcoach => "jobcoach",
        }
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Kind::Employment => "就職",
            Kind::Retention => "定着支援",
            Kind::Jobcoach => "ジョブコーチ",
        }
    }

    /// The id or the Japanese label.
    pub fn parse(s: &str) -> Option<Kind> {
        let s = s.trim();
        Kind::ALL
            .into_iter()
            .find(|k| k.id() == s || k.label_ja() == s)
    }
}

/// The job coach's phases, in order (the seed's ジョブコーチによる支援プロセス).
pub const PHASES: [&str; 3] = ["事前準備期", "集中支援期", "フォローアップ期"];

/// 定着支援 contacts offered after a start of work: (label, months after; 0 = two weeks).
pub const RETENTION_SCHEDULE: [(&str, u32); 4] =
    [("2週間", 0), ("1か月", 1), ("3か月", 3), ("6か月", 6)];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    pub id: i64,
    pub record: i64,
    pub kind: Kind,
    /// Job coach: one of `PHASES`; retention: its label (e.g. 「1か月」); employment: the
    /// workplace in a few words, or empty.
    pub phase: String,
    pub from: String,
    /// End of a job coach phase (empty otherwise).
    pub to: String,
    pub note: String,
    /// The day it was done (empty = still open).
    pub done: String,
    pub by: String,
}

impl FollowUp {
    /// The day this item is due, if it is a task: a retention contact on its day, a job
    /// coach phase at its end. Employment is an outcome, not a task.
    pub fn due_day(&self) -> String {
        match self.kind {
            Kind::Employment => String::new(),
            Kind::Retention => self.from.clone(),
            Kind::Jobcoach => {
                if self.to.is_empty() {
                    self.from.clone()
                } else {
                    self.to.clone()
                }
            }
        }
    }

    /// What the due list says of it, e.g. 「定着支援（1か月）」「ジョブコーチ 集中支援期の終わり」.
    pub fn label(&self) -> String {
        label_of(self.kind, &self.phase)
    }

    /// The 定着支援 contacts to plan after this start of work (`retention_plan`), recorded by
    /// the same person; none for any other kind.
    pub fn retention_contacts(&self) -> Vec<FollowUp> {
        let Some(start) = NaiveDate::parse_from_str(&self.from, "%Y-%m-%d")
            .ok()
            .filter(|_| self.kind == Kind::Employment)
        else {
            return Vec::new();
        };
        retention_plan(start)
            .into_iter()
            .map(|(label, day)| FollowUp {
                id: 0,
                record: self.record,
                kind: Kind::Retention,
                phase: label,
                from: day.to_string(),
                to: String::new(),
                note: String::new(),
                done: String::new(),
                by: self.by.clone(),
            })
            .collect()
    }
}

/// The label of a follow-up of this kind and phase (see `FollowUp::label`).
pub fn label_of(kind: Kind, phase: &str) -> String {
    match kind {
        Kind::Employment => format!("就職 {phase}").trim().to_string(),
        Kind::Retention if phase.is_empty() => "定着支援".into(),
        Kind::Retention => format!("定着支援（{phase}）"),
        Kind::Jobcoach => format!("ジョブコーチ {phase}の終わり"),
    }
}

/// Checks a new follow-up; returns (from, to) normalised. `today` is the centre's local day:
/// employment is recorded on or after the day it began, plans may lie ahead.
pub fn check(
    kind: Kind,
    phase: &str,
    from: &str,
    to: &str,
    today: NaiveDate,
) -> Result<(NaiveDate, Option<NaiveDate>), String> {
    let f = parse_date("--date", from)?;
    let t = if to.trim().is_empty() {
        None
    } else {
        Some(parse_date("--until", to)?)
    };
    if let Some(t) = t
        && t < f
    {
        return Err(format!(
            "--until {t} is before --date {f}: a phase ends on or after the day it starts"
        ));
    }
    match kind {
        Kind::Jobcoach => {
            if !PHASES.contains(&phase.trim()) {
                return Err(format!(
                    "--phase `{}` is not a job coach phase: use one of {}",
                    phase.trim(),
                    PHASES.join(", ")
                ));
            }
            if t.is_none() {
                return Err("--until is needed for a job coach phase: the day the phase is planned to end (YYYY-MM-DD)".into());
            }
        }
        Kind::Employment => {
            if f > today {
                return Err(format!(
                    "--date {f} is in the future (today is {today}): record employment on or after the day work began"
                ));
            }
            if t.is_some() {
                return Err("--until is only for a job coach phase".into());
            }
        }
        Kind::Retention => {
            if t.is_some() {
                return Err("--until is only for a job coach phase".into());
            }
        }
    }
    Ok((f, t))
}

/// The 定着支援 contacts to plan after work began on `start`: two weeks, one, three and six
/// months (a month end is kept: 01-31 + 1 month = 02-28).
pub fn retention_plan(start: NaiveDate) -> Vec<(String, NaiveDate)> {
    RETENTION_SCHEDULE
        .iter()
        .map(|(label, months)| {
            let day = if *months == 0 {
                start + chrono::Duration::days(14)
            } else {
                start
                    .checked_add_months(Months::new(*months))
                    .unwrap_or(start)
            };
            ((*label).to_string(), day)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn kinds_parse_by_id_or_label() {
        assert_eq!(Kind::parse("就職"), Some(Kind::Employment));
        assert_eq!(Kind::parse("jobcoach"), Some(Kind::Jobcoach));
        assert_eq!(Kind::parse(" 定着支援 "), Some(Kind::Retention));
        assert_eq!(Kind::parse("visit"), None);
    }

    #[test]
    fn checks_name_the_field() {
        let today = d("2026-12-02");
        assert!(
            check(
                Kind::Jobcoach,
                "集中支援期",
                "2026-12-01",
                "2027-01-31",
                today
            )
            .is_ok()
        );
        let e = check(Kind::Jobcoach, "準備", "2026-12-01", "2027-01-31", today).unwrap_err();
        assert!(e.contains("--phase"), "{e}");
        let e = check(Kind::Jobcoach, "集中支援期", "2026-12-01", "", today).unwrap_err();
        assert!(e.contains("--until"), "{e}");
        let e = check(
            Kind::Jobcoach,
            "集中支援期",
            "2026-12-01",
            "2026-11-01",
            today,
        )
        .unwrap_err();
        assert!(e.contains("before --date"), "{e}");
        let e = check(Kind::Employment, "", "2026-12-03", "", today).unwrap_err();
        assert!(e.contains("in the future"), "{e}");
        assert!(check(Kind::Retention, "1か月", "2027-01-02", "", today).is_ok());
        assert!(
            check(Kind::Retention, "", "2027-02-30", "", today)
                .unwrap_err()
                .contains("--date")
        );
    }

    #[test]
    fn retention_plan_keeps_month_ends() {
        let plan = retention_plan(d("2026-01-31"));
        let days: Vec<String> = plan.iter().map(|(_, d)| d.to_string()).collect();
        assert_eq!(
            days,
            vec!["2026-02-14", "2026-02-28", "2026-04-30", "2026-07-31"]
        );
        // Across the year end.
        let plan = retention_plan(d("2026-12-20"));
        assert_eq!(plan[0].1, d("2027-01-03"));
        assert_eq!(plan[1].1, d("2027-01-20"));
    }

    #[test]
    fn what_is_due() {
        let mut f = FollowUp {
            id: 1,
            record: 2,
            kind: Kind::Jobcoach,
            phase: "集中支援期".into(),
            from: "2026-12-01".into(),
            to: "2027-01-31".into(),
            note: String::new(),
            done: String::new(),
            by: "sato".into(),
        };
        assert_eq!(f.due_day(), "2027-01-31");
        assert_eq!(f.label(), "ジョブコーチ 集中支援期の終わり");
        f.kind = Kind::Retention;
        f.phase = "1か月".into();
        f.to.clear();
        assert_eq!(f.due_day(), "2026-12-01");
        assert_eq!(f.label(), "定着支援（1か月）");
        f.kind = Kind::Employment;
        assert_eq!(f.due_day(), "");
    }
}
