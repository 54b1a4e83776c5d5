//! The intake record as staff read it: answers in plain Japanese, the routes the visitor saw
//! with the reasons and notes the kiosk showed. Rebuilt from ids with the desk's content; the
//! matcher is deterministic, so with the same content the reasons are exactly those shown.

use serde::Serialize;

use super::intake::{AuditEntry, IntakeRecord, Stage};
use crate::answers::Answers;
use crate::content::Content;
use crate::lang::Lang;
use crate::matcher;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerLine {
    pub question: String,
    pub option: String,
    /// Question and answer in plain Japanese, for staff.
    pub question_text: String,
    pub answer_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteLine {
    pub id: String,
    pub name: String,
    pub summary: String,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntakeView {
    pub id: i64,
    pub created: bool,
    pub visit: VisitLine,
    pub answers: Vec<AnswerLine>,
    /// Questions not answered (or わからない), by their Japanese text.
    pub unanswered: Vec<String>,
    pub routes: Vec<RouteLine>,
    pub notes: Vec<String>,
    /// Set when this desk's content differs from what the kiosk used.
    pub warning: Option<String>,
    pub staff: StaffView,
    pub audit: Vec<AuditEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitLine {
    pub kiosk_id: u16,
    pub serial: u32,
    pub receipt_no: String,
    /// Local time of the centre, `2026-11-25 14:05`.
    pub issued_local: String,
    pub issued_at: i64,
    pub lang: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffView {
    pub name: String,
    pub furigana: String,
    pub contact: String,
    pub assigned_staff: String,
    pub next_action: String,
    pub notes: String,
    pub stage: String,
    pub stage_label: String,
}

pub fn local_time(unix: i64, tz: chrono_tz::Tz) -> String {
    match chrono::DateTime::from_timestamp(unix, 0) {
        Some(t) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        None => format!("(invalid time {unix})"),
    }
}

pub fn build(
    rec: &IntakeRecord,
    created: bool,
    audit: Vec<AuditEntry>,
    content: &Content,
    tz: chrono_tz::Tz,
) -> IntakeView {
    let q = &content.questionnaire;
    let mut answers = Answers::new(q);
    let mut lines = Vec::new();
    let mut unknown = false;
    for (qid, oid) in &rec.visit.answers {
        match q
            .question_index(qid)
            .and_then(|qi| Some((qi, q.questions[qi].option_index(oid)?)))
        {
            Some((qi, oi)) => {
                answers.set(qi, Some(oi as u8));
                let question = &q.questions[qi];
                lines.push(AnswerLine {
                    question: qid.clone(),
                    option: oid.clone(),
                    question_text: question.text.plain(Lang::Ja),
                    answer_text: question.options[oi].text.plain(Lang::Ja),
                });
            }
            None => {
                unknown = true;
                lines.push(AnswerLine {
                    question: qid.clone(),
                    option: oid.clone(),
                    question_text: qid.clone(),
                    answer_text: oid.clone(),
                });
            }
        }
    }
    let unanswered = (0..q.len())
        .filter(|&qi| answers.given(q, qi).is_none())
        .map(|qi| q.questions[qi].text.plain(Lang::Ja))
        .collect();
    let outcome = matcher::match_answers(content, &answers);
    let recomputed: Vec<&str> = outcome
        .routes
        .iter()
        .map(|h| content.catalogue.routes[h.route].id.as_str())
        .collect();
    let same = !unknown
        && recomputed
            == rec
                .visit
                .routes
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>();
    let routes = rec
        .visit
        .routes
        .iter()
        .map(|id| {
            let route = content
                .catalogue
                .route_index(id)
                .map(|ri| &content.catalogue.routes[ri]);
            let reasons = if same {
                outcome
                    .routes
                    .iter()
                    .find(|h| content.catalogue.routes[h.route].id == *id)
                    .map(|h| {
                        h.reasons
                            .iter()
                            .map(|&r| {
                                crate::content::text::plain(matcher::reason_text(
                                    content,
                                    r,
                                    Lang::Ja,
                                ))
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            RouteLine {
                id: id.clone(),
                name: route.map_or_else(|| id.clone(), |r| r.name.plain(Lang::Ja)),
                summary: route.map_or_else(String::new, |r| r.summary.plain(Lang::Ja)),
                reasons,
            }
        })
        .collect();
    let notes = if same {
        outcome
            .notes
            .iter()
            .map(|&n| content.catalogue.notes[n].text.plain(Lang::Ja))
            .collect()
    } else {
        Vec::new()
    };
    let warning = (!same).then(|| {
        "この受付票は、このデスクとは違う質問・ルートの設定で作られました。回答と表示されたルートはそのまま記録していますが、理由は表示できません。キオスクとデスクの設定（assets / [content]）をそろえてください。".to_string()
    });
    let stage = rec.staff.stage.unwrap_or(Stage::Intake);
    IntakeView {
        id: rec.id,
        created,
        visit: VisitLine {
            kiosk_id: rec.visit.kiosk_id,
            serial: rec.visit.serial,
            receipt_no: rec.visit.receipt_no.clone(),
            issued_local: local_time(rec.visit.issued_at, tz),
            issued_at: rec.visit.issued_at,
            lang: rec.visit.lang.clone(),
        },
        answers: lines,
        unanswered,
        routes,
        notes,
        warning,
        staff: StaffView {
            name: rec.staff.name.clone(),
            furigana: rec.staff.furigana.clone(),
            contact: rec.staff.contact.clone(),
            assigned_staff: rec.staff.assigned_staff.clone(),
            next_action: rec.staff.next_action.clone(),
            notes: rec.staff.notes.clone(),
            stage: stage.id().to_string(),
            stage_label: stage.label_ja().to_string(),
        },
        audit,
    }
}
