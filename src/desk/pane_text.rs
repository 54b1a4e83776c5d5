//! The words the desk's network panes show, built from domain values by pure functions (no
//! Slint, no store): days and 「あと3日」, a link's consent and hint, a meeting's lines, the
//! pyramid's captions, follow-up titles and states, the due list's rows and caption. Each pane
//! module (`desk::panes::*`) only copies these into its Slint models.

use chrono::{Datelike, NaiveDate};

use crate::desk::view::AnswerLine;
use crate::network::agency::Agency;
use crate::network::case::{ConsentEvent, Contact, Link};
use crate::network::due::Due;
use crate::network::followup::{FollowUp, Kind};
use crate::network::meeting::{Assessment, LEVELS, Meeting};
use crate::network::meeting_pdf::ja_date;

const WEEKDAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];

/// `12/4(金)`.
pub fn day_label(d: NaiveDate) -> String {
    format!(
        "{}({})",
        d.format("%-m/%-d"),
        WEEKDAYS[d.weekday().num_days_from_monday() as usize % 7]
    )
}

/// `2026-12-04` → `12/4(金)`; anything else as it is.
pub fn short_day(day: &str) -> String {
    parse_day(day).map_or_else(|| day.to_string(), day_label)
}

fn parse_day(day: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// Days from `today` to `day` (0 when the day cannot be read).
pub fn days_until(day: &str, today: NaiveDate) -> i64 {
    parse_day(day).map_or(0, |d| (d - today).num_days())
}

/// 「今日」「明日」「あと3日」「2日 遅れ」.
pub fn when(in_days: i64) -> String {
    match in_days {
        0 => "今日".into(),
        1 => "明日".into(),
        n if n < 0 => format!("{}日 遅れ", -n),
        n => format!("あと{n}日"),
    }
}

/// A pick list's line for an agency or a link: 「ハローワーク高槻（ハローワーク）」.
pub fn choice(name: &str, what: &str) -> String {
    format!("{name}（{what}）")
}

/// One linked agency as the 連携 pane lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkRow {
    pub id: i64,
    pub agency: String,
    pub person: String,
    pub kind: String,
    pub role: String,
    pub dates: String,
    pub open: bool,
    pub consent: bool,
    pub consent_text: String,
    pub history: String,
    pub hint: String,
}

/// A link with its agency (when the directory has it) and the record's consent events.
pub fn link_row(l: &Link, agency: Option<&Agency>, events: &[ConsentEvent]) -> LinkRow {
    LinkRow {
        id: l.id,
        agency: agency.map_or(l.agency.as_str(), |x| x.name.as_str()).into(),
        person: l.person.clone(),
        kind: agency.map_or("", |x| x.kind.as_str()).into(),
        role: l.role.clone(),
        dates: link_dates(l),
        open: l.to.is_empty(),
        consent: l.has_consent(),
        consent_text: consent_text(l),
        history: consent_history(events, l.id),
        hint: agency.map_or_else(String::new, link_hint),
    }
}

/// 「2026-12-01 から」 or 「2026-12-01 〜 2027-03-31」.
pub fn link_dates(l: &Link) -> String {
    if l.to.is_empty() {
        format!("{} から", l.from)
    } else {
        format!("{} 〜 {}", l.from, l.to)
    }
}

/// 「同意あり 2026-11-30「就労に関する情報」（記録: sato）」 or 「同意なし」.
pub fn consent_text(l: &Link) -> String {
    if l.has_consent() {
        format!(
            "同意あり {}「{}」（記録: {}）",
            l.consent_date, l.consent_scope, l.consent_by
        )
    } else {
        "同意なし".to_string()
    }
}

/// How the agency likes to be reached, and the limits of its system, in one line.
pub fn link_hint(x: &Agency) -> String {
    let mut parts = Vec::new();
    if !x.contact_method.is_empty() {
        parts.push(format!("好む連絡: {}", x.contact_method));
    }
    if !x.good_times.is_empty() {
        parts.push(x.good_times.clone());
    }
    if !x.phone.is_empty() {
        parts.push(format!("電話 {}", x.phone));
    }
    if !x.limits.is_empty() {
        parts.push(format!("制度の限界: {}", x.limits));
    }
    parts.join(" ・ ")
}

/// A link's consent history in one line: 「同意 2026-11-01（sato） → 撤回 2026-11-20（tanaka）: 本人の申し出」.
pub fn consent_history(events: &[ConsentEvent], link: i64) -> String {
    events
        .iter()
        .filter(|e| e.link == link)
        .map(|e| {
            let what = if e.kind == "withdrawn" {
                "撤回"
            } else {
                "同意"
            };
            let scope = if e.scope.is_empty() {
                String::new()
            } else {
                format!("「{}」", e.scope)
            };
            let note = if e.note.is_empty() {
                String::new()
            } else {
                format!(": {}", e.note)
            };
            format!("{what} {}{scope}（{}）{note}", e.day, e.who)
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// The agencies linked to a record, each once, in the order first linked: the contact form's
/// choices (a position there maps back through this same list).
pub fn linked_agencies(links: &[Link]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for l in links {
        if !out.contains(&l.agency.as_str()) {
            out.push(&l.agency);
        }
    }
    out
}

/// One line of the contact log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactRow {
    pub day: String,
    pub agency: String,
    pub method: String,
    pub direction: String,
    pub summary: String,
    pub who: String,
}

/// A contact, its time in the centre's zone (`12/1 10:30`), the agency by name.
pub fn contact_row(x: &Contact, agency_name: &str, tz: chrono_tz::Tz) -> ContactRow {
    ContactRow {
        day: chrono::DateTime::from_timestamp(x.at, 0).map_or_else(String::new, |t| {
            t.with_timezone(&tz).format("%-m/%-d %H:%M").to_string()
        }),
        agency: agency_name.into(),
        method: x.method.clone(),
        direction: if x.direction == "sent" {
            "送った"
        } else {
            "受けた"
        }
        .into(),
        summary: x.summary.clone(),
        who: x.who.clone(),
    }
}

/// One 個別支援会議 as the 会議 pane shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingRow {
    pub id: i64,
    pub day: String,
    pub participants: String,
    pub agenda: String,
    pub decision: String,
    pub goal: String,
    pub review: String,
    pub by: String,
}

pub fn meeting_row(m: &Meeting) -> MeetingRow {
    MeetingRow {
        id: m.id,
        day: ja_date(&m.date),
        participants: m.participants.clone(),
        agenda: m.agenda.clone(),
        decision: m.decision.clone(),
        goal: format!("{}（{}まで）", m.goal, ja_date(&m.goal_date)),
        review: format!("次回の見直し {}", ja_date(&m.review)),
        by: m.by.clone(),
    }
}

/// One level of an assessment beside the visitor's own words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelRow {
    pub label: String,
    pub rating: u8,
    pub note: String,
    pub own_words: String,
}

/// The visitor's kiosk answers that speak to `level` (`own` = (level, question id) pairs):
/// 「体調は? → ときどき崩れる / …」.
pub fn own_words(answers: &[AnswerLine], own: &[(usize, &str)], level: usize) -> String {
    own.iter()
        .filter(|(l, _)| *l == level)
        .filter_map(|(_, q)| answers.iter().find(|x| x.question == *q))
        .map(|x| format!("{} → {}", x.question_text, x.answer_text))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The visitor's answers and which questions speak to which level (`network::OWN_WORDS`).
pub type OwnWords<'a> = (&'a [AnswerLine], &'a [(usize, &'a str)]);

/// The five levels of an assessment (own words only beside the latest).
pub fn levels(x: &Assessment, answers: Option<OwnWords<'_>>) -> Vec<LevelRow> {
    LEVELS
        .iter()
        .enumerate()
        .map(|(i, label)| LevelRow {
            label: (*label).into(),
            rating: x.ratings.get(i).copied().unwrap_or(0),
            note: x.notes.get(i).cloned().unwrap_or_default(),
            own_words: answers.map_or_else(String::new, |(a, own)| own_words(a, own, i)),
        })
        .collect()
}

/// 「今回 2026年12月1日（火）（sato）」, with `which` = 今回 or 前回.
pub fn assessment_caption(which: &str, x: &Assessment) -> String {
    format!("{which} {}（{}）", ja_date(&x.date), x.by)
}

/// One line of the 予定 pane (the next review or a follow-up).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowupRow {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub dates: String,
    pub note: String,
    pub state: String,
    pub open: bool,
    pub overdue: bool,
}

/// The latest meeting's review, first in the 予定 pane.
pub fn review_row(m: &Meeting, today: NaiveDate) -> FollowupRow {
    let days = days_until(&m.review, today);
    FollowupRow {
        id: 0,
        kind: "見直し".into(),
        title: "次の個別支援会議の見直し".into(),
        dates: ja_date(&m.review),
        note: format!("短期目標: {}", m.goal),
        state: when(days),
        open: false,
        overdue: days < 0,
    }
}

/// A follow-up: open ones (not 就職, not done) say when they are due.
pub fn followup_row(f: &FollowUp, today: NaiveDate) -> FollowupRow {
    let days = days_until(&f.due_day(), today);
    let open = f.kind != Kind::Employment && f.done.is_empty();
    FollowupRow {
        id: f.id,
        kind: f.kind.label_ja().into(),
        title: f.label(),
        dates: if f.to.is_empty() {
            ja_date(&f.from)
        } else {
            format!("{} 〜 {}", ja_date(&f.from), ja_date(&f.to))
        },
        note: f.note.clone(),
        state: if !f.done.is_empty() {
            format!("済み {}", f.done)
        } else if open {
            when(days)
        } else {
            String::new()
        },
        open,
        overdue: open && days < 0,
    }
}

/// One row of the home's due list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DueLine {
    pub record: i64,
    pub day: String,
    pub when: String,
    pub what: String,
    pub who: String,
    pub goal: String,
    pub overdue: bool,
}

/// Whose record: 「鈴木 一郎 ・ 受付 1125-023 ・ 担当 佐藤」 (name, receipt, assigned staff).
pub fn due_person(name: &str, receipt: &str, assigned: &str) -> String {
    let name = if name.is_empty() {
        "（氏名未入力）"
    } else {
        name
    };
    let mut s = format!("{name} ・ 受付 {receipt}");
    if !assigned.is_empty() {
        s.push_str(&format!(" ・ 担当 {assigned}"));
    }
    s
}

/// A due item with its person (`who`, "" when the record cannot be read).
pub fn due_line(d: &Due, who: String) -> DueLine {
    DueLine {
        record: d.item.record,
        day: short_day(&d.item.day),
        when: when(d.in_days),
        what: d.item.what.clone(),
        who,
        goal: if d.item.goal.is_empty() {
            String::new()
        } else if d.item.kind == "review" {
            format!("短期目標: {}", d.item.goal)
        } else {
            d.item.goal.clone()
        },
        overdue: d.in_days < 0,
    }
}

/// 「今日と今週の予定（自分の担当・3件、うち遅れ 1件）」.
pub fn due_caption(mine: bool, total: usize, overdue: usize) -> String {
    format!(
        "今日と今週の予定（{}・{total}件{}）",
        if mine {
            "自分の担当"
        } else {
            "チーム全体"
        },
        if overdue > 0 {
            format!("、うち遅れ {overdue}件")
        } else {
            String::new()
        }
    )
}

#[cfg(test)]
mod tests;
