//! The case's network (NETWORK.md §2): agencies linked to an intake record with a role, dates
//! and the person's consent to share information, and the contact log. The rule that matters:
//! information is never logged as sent to an agency the person has not consented to.

use chrono::NaiveDate;
use serde::Serialize;

use super::agency::METHODS;

/// Roles offered in the desk (free text is allowed too).
pub const ROLES: &[&str] = &["就労", "生活", "医療", "企業", "家族", "その他"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub id: i64,
    pub record: i64,
    pub agency: String,
    pub role: String,
    /// The person at the agency working with them (or a family member), if named.
    pub person: String,
    /// YYYY-MM-DD or empty.
    pub from: String,
    pub to: String,
    /// The day the person consented to sharing with this agency (empty = 「同意なし」).
    pub consent_date: String,
    pub consent_scope: String,
    pub consent_by: String,
}

impl Link {
    pub fn has_consent(&self) -> bool {
        !self.consent_date.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Sent,
    Received,
}

impl Direction {
    pub fn parse(s: &str) -> Option<Direction> {
        match s {
            "sent" => Some(Direction::Sent),
            "received" => Some(Direction::Received),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Sent => "sent",
            Direction::Received => "received",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub id: i64,
    pub record: i64,
    pub agency: String,
    pub at: i64,
    pub method: String,
    pub direction: String,
    pub summary: String,
    pub who: String,
}

fn date(field: &str, s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{field} `{s}` is not a date: write YYYY-MM-DD, e.g. 2026-12-01"))
}

/// Checks a new link's fields; `today` is the centre's local date. Returns the consent date
/// normalised (empty when none).
pub fn check_link(
    role: &str,
    consent: Option<&str>,
    scope: &str,
    today: NaiveDate,
) -> Result<String, String> {
    if role.trim().is_empty() {
        return Err(format!(
            "--role is empty: give the agency's role for this person, e.g. {}",
            ROLES.join(" / ")
        ));
    }
    match consent {
        None => {
            if !scope.trim().is_empty() {
                return Err("--scope without --consent: give the date the person agreed (--consent YYYY-MM-DD)".into());
            }
            Ok(String::new())
        }
        Some(c) => {
            let d = date("--consent", c)?;
            if d > today {
                return Err(format!(
                    "--consent {d} is in the future (today is {today}): record consent on or after the day it was given"
                ));
            }
            if scope.trim().is_empty() {
                return Err("--consent needs --scope: what the person agreed may be shared (e.g. 「就労に関する情報」)".into());
            }
            Ok(d.to_string())
        }
    }
}

/// The consent rule: information may be logged as sent to `agency` only if one of the
/// record's links to it carries a consent.
pub fn check_contact(
    links: &[Link],
    agency: &str,
    method: &str,
    direction: Direction,
    summary: &str,
) -> Result<(), String> {
    if !METHODS.contains(&method) {
        return Err(format!(
            "--method `{method}` is not known: use one of {}",
            METHODS.join(", ")
        ));
    }
    if summary.trim().is_empty() {
        return Err("--summary is empty: say in a line what was exchanged".into());
    }
    let linked: Vec<&Link> = links.iter().filter(|l| l.agency == agency).collect();
    if linked.is_empty() {
        return Err(format!(
            "agency `{agency}` is not linked to this record: link it first (`case link RECORD --agency {agency} --role …`)"
        ));
    }
    if direction == Direction::Sent && !linked.iter().any(|l| l.has_consent()) {
        return Err(format!(
            "not logged: the person has not consented to sharing information with `{agency}` (同意なし). Record the consent first (`case link RECORD --agency {agency} --role … --consent YYYY-MM-DD --scope …`); nothing was written"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(consent: &str) -> Link {
        Link {
            id: 1,
            record: 7,
            agency: "hw-town".into(),
            role: "就労".into(),
            person: String::new(),
            from: String::new(),
            to: String::new(),
            consent_date: consent.into(),
            consent_scope: "就労に関する情報".into(),
            consent_by: "sato".into(),
        }
    }

    #[test]
    fn nothing_is_sent_without_consent() {
        let none = [link("")];
        let e =
            check_contact(&none, "hw-town", "電話", Direction::Sent, "求人票を送付").unwrap_err();
        assert!(
            e.contains("同意なし") && e.contains("nothing was written"),
            "{e}"
        );
        assert!(check_contact(&none, "hw-town", "電話", Direction::Received, "求人の連絡").is_ok());
        let yes = [link("2026-11-30")];
        assert!(check_contact(&yes, "hw-town", "電話", Direction::Sent, "求人票を送付").is_ok());
        let e = check_contact(&yes, "other", "電話", Direction::Received, "x").unwrap_err();
        assert!(e.contains("not linked"), "{e}");
        let e = check_contact(&yes, "hw-town", "手紙", Direction::Sent, "x").unwrap_err();
        assert!(e.contains("--method"), "{e}");
    }

    #[test]
    fn consent_dates_are_real_and_not_in_the_future() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        assert_eq!(
            check_link("就労", Some("2026-12-01"), "就労", today),
            Ok("2026-12-01".into())
        );
        let e = check_link("就労", Some("2026-12-02"), "就労", today).unwrap_err();
        assert!(e.contains("in the future"), "{e}");
        let e = check_link("就労", Some("2026-02-30"), "就労", today).unwrap_err();
        assert!(e.contains("is not a date"), "{e}");
        assert!(
            check_link("就労", Some("2026-11-01"), "", today)
                .unwrap_err()
                .contains("--scope")
        );
        assert!(
            check_link("", None, "", today)
                .unwrap_err()
                .contains("--role")
        );
        assert_eq!(check_link("家族", None, "", today), Ok(String::new()));
    }
}
