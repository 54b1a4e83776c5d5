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
    /// The day the person withdrew that consent (empty = not withdrawn); a later consent
    /// clears it. The whole history is in `ConsentEvent`s.
    pub consent_withdrawn: String,
}

impl Link {
    /// Consent given and not withdrawn.
    pub fn has_consent(&self) -> bool {
        !self.consent_date.is_empty() && self.consent_withdrawn.is_empty()
    }

    /// Ended on or before `today` (「終了」: nothing more is sent through it).
    pub fn ended(&self, today: NaiveDate) -> bool {
        NaiveDate::parse_from_str(&self.to, "%Y-%m-%d").is_ok_and(|d| d <= today)
    }

    /// Information may be sent through this link on `today`.
    pub fn may_send(&self, today: NaiveDate) -> bool {
        self.has_consent() && !self.ended(today)
    }
}

/// One step of a link's consent: given (with its scope) or withdrawn, with a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentEvent {
    pub id: i64,
    pub link: i64,
    /// `given` | `withdrawn`
    pub kind: String,
    pub day: String,
    pub scope: String,
    pub note: String,
    pub who: String,
    pub at: i64,
}

/// What `case consent` records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentChange {
    Given { day: String, scope: String },
    Withdrawn { day: String },
}

impl ConsentChange {
    pub fn kind(&self) -> &'static str {
        match self {
            ConsentChange::Given { .. } => "given",
            ConsentChange::Withdrawn { .. } => "withdrawn",
        }
    }

    pub fn day(&self) -> &str {
        match self {
            ConsentChange::Given { day, .. } | ConsentChange::Withdrawn { day } => day,
        }
    }
}

/// Checks a consent change against the link as it is; `today` is the centre's local date.
pub fn check_consent(
    link: &Link,
    given: Option<&str>,
    scope: &str,
    withdrawn: Option<&str>,
    today: NaiveDate,
) -> Result<ConsentChange, String> {
    match (given, withdrawn) {
        (Some(_), Some(_)) | (None, None) => {
            Err("say either --given YYYY-MM-DD (with --scope) or --withdrawn YYYY-MM-DD".into())
        }
        (Some(g), None) => {
            let day = check_link(&link.role, Some(g), scope, today)?;
            if link.ended(today) {
                return Err(format!(
                    "link {} ended on {}: consent cannot be given to an ended link; link the agency again if it works with the person again",
                    link.id, link.to
                ));
            }
            Ok(ConsentChange::Given {
                day,
                scope: scope.trim().to_string(),
            })
        }
        (None, Some(w)) => {
            let d = date("--withdrawn", w)?;
            if d > today {
                return Err(format!(
                    "--withdrawn {d} is in the future (today is {today}): record it on or after the day"
                ));
            }
            if !link.has_consent() {
                return Err(format!(
                    "link {} has no consent to withdraw (同意なし){}",
                    link.id,
                    if link.consent_withdrawn.is_empty() {
                        String::new()
                    } else {
                        format!(": it was withdrawn on {}", link.consent_withdrawn)
                    }
                ));
            }
            if let Ok(g) = NaiveDate::parse_from_str(&link.consent_date, "%Y-%m-%d")
                && d < g
            {
                return Err(format!(
                    "--withdrawn {d} is before the consent was given ({g}): give the day it was withdrawn"
                ));
            }
            Ok(ConsentChange::Withdrawn { day: d.to_string() })
        }
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
/// record's links to it carries a consent that was not withdrawn, and has not ended by
/// `today`.
pub fn check_contact(
    links: &[Link],
    agency: &str,
    method: &str,
    direction: Direction,
    summary: &str,
    today: NaiveDate,
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
    if direction == Direction::Sent && !linked.iter().any(|l| l.may_send(today)) {
        if let Some(l) = linked.iter().find(|l| l.has_consent() && l.ended(today)) {
            return Err(format!(
                "not logged: the link to `{agency}` ended on {} (終了): nothing is sent through an ended link. Link the agency again, with the person's consent, if it works with them again; nothing was written",
                l.to
            ));
        }
        if let Some(l) = linked.iter().find(|l| !l.consent_withdrawn.is_empty()) {
            return Err(format!(
                "not logged: the person withdrew their consent to sharing with `{agency}` on {} (同意撤回). Record a new consent first (`case consent RECORD --agency {agency} --given YYYY-MM-DD --scope …`); nothing was written",
                l.consent_withdrawn
            ));
        }
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
            consent_withdrawn: String::new(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()
    }

    #[test]
    fn nothing_is_sent_after_a_withdrawal_or_the_links_end() {
        let mut l = link("2026-11-01");
        l.consent_withdrawn = "2026-11-20".into();
        let e = check_contact(
            &[l.clone()],
            "hw-town",
            "電話",
            Direction::Sent,
            "x",
            today(),
        )
        .unwrap_err();
        assert!(
            e.contains("withdrew") && e.contains("nothing was written"),
            "{e}"
        );
        assert!(
            check_contact(
                &[l.clone()],
                "hw-town",
                "電話",
                Direction::Received,
                "x",
                today()
            )
            .is_ok()
        );
        let mut ended = link("2026-11-01");
        ended.to = "2026-12-01".into();
        let e = check_contact(
            &[ended.clone()],
            "hw-town",
            "電話",
            Direction::Sent,
            "x",
            today(),
        )
        .unwrap_err();
        assert!(e.contains("ended on 2026-12-01"), "{e}");
        // The day before its end it still carries consent.
        let before = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
        assert!(check_contact(&[ended], "hw-town", "電話", Direction::Sent, "x", before).is_ok());
        // Withdrawal: not before the consent, not in the future, only when there is one.
        let given = link("2026-11-01");
        let e = check_consent(&given, None, "", Some("2026-10-01"), today()).unwrap_err();
        assert!(e.contains("before the consent"), "{e}");
        let e = check_consent(&given, None, "", Some("2026-12-02"), today()).unwrap_err();
        assert!(e.contains("future"), "{e}");
        assert_eq!(
            check_consent(&given, None, "", Some("2026-11-20"), today()),
            Ok(ConsentChange::Withdrawn {
                day: "2026-11-20".into()
            })
        );
        let e = check_consent(&l, None, "", Some("2026-11-25"), today()).unwrap_err();
        assert!(e.contains("no consent to withdraw"), "{e}");
        // Given again after the withdrawal: allowed, with a scope.
        assert!(check_consent(&l, Some("2026-11-30"), "就労", None, today()).is_ok());
        let e = check_consent(&l, Some("2026-11-30"), "", None, today()).unwrap_err();
        assert!(e.contains("--scope"), "{e}");
        let e = check_consent(&l, None, "", None, today()).unwrap_err();
        assert!(e.contains("either"), "{e}");
    }

    #[test]
    fn nothing_is_sent_without_consent() {
        let none = [link("")];
        let e = check_contact(
            &none,
            "hw-town",
            "電話",
            Direction::Sent,
            "求人票を送付",
            today(),
        )
        .unwrap_err();
        assert!(
            e.contains("同意なし") && e.contains("nothing was written"),
            "{e}"
        );
        assert!(
            check_contact(
                &none,
                "hw-town",
                "電話",
                Direction::Received,
                "求人の連絡",
                today()
            )
            .is_ok()
        );
        let yes = [link("2026-11-30")];
        assert!(
            check_contact(
                &yes,
                "hw-town",
                "電話",
                Direction::Sent,
                "求人票を送付",
                today()
            )
            .is_ok()
        );
        let e =
            check_contact(&yes, "other", "電話", Direction::Received, "x", today()).unwrap_err();
        assert!(e.contains("not linked"), "{e}");
        let e = check_contact(&yes, "hw-town", "手紙", Direction::Sent, "x", today()).unwrap_err();
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
