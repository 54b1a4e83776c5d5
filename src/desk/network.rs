//! The support network at the desk (NETWORK.md): what the record's 連携 / 会議 / 評価 / 予定
//! forms and the 機関 editor do, without any UI. Each action checks its input with the
//! `network` rules (the same as the command line), writes through the store, puts a line in
//! the access log (who, what, which record — never a name), and answers in Japanese:
//! `Ok(what was done)` or `Err(what to change)`; a refused action writes nothing.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::accounts::AccessEntry;
use super::controller::DeskController;
use crate::network::agency::{self, Agency};
use crate::network::case::{self, Contact, Direction, Link};
use crate::network::followup::{self, FollowUp, Kind};
use crate::network::meeting::{self, Assessment, LEVELS, Meeting};

/// The answer to one action: done (message) or refused (what to change).
pub type Outcome = Result<String, String>;

/// The question ids whose answers bear on a pyramid level: the visitor's own words, shown
/// beside the level (never turned into a rating).
pub const OWN_WORDS: [(usize, &str); 3] = [(0, "health"), (1, "rhythm"), (3, "days")];

fn log(c: &DeskController, action: &str, record: Option<i64>, now: i64) -> Result<(), String> {
    c.store()
        .log_access(&AccessEntry {
            at: now,
            login: c.who().to_string(),
            action: action.into(),
            record,
            target: String::new(),
        })
        .map_err(|e| e.to_string())
}

fn open_record(c: &DeskController) -> Result<i64, String> {
    c.record_id()
        .ok_or_else(|| "記録が開いていません。受付票を読み取るか、一覧から開いてください。".into())
}

/// The CLI's English field messages, for staff at the desk: the field named in Japanese.
fn ja(msg: String) -> String {
    // Longer names first, so --goal-date is replaced before --goal and --date.
    const FIELDS: [(&str, &str); 12] = [
        ("--goal-date", "目標の期日"),
        ("--decision", "決まったこと"),
        ("--consent", "同意した日"),
        ("--summary", "内容"),
        ("--review", "次の見直し"),
        ("--method", "方法"),
        ("--scope", "同意の範囲"),
        ("--until", "おわりの日"),
        ("--phase", "段階"),
        ("--role", "役割"),
        ("--goal", "短期目標"),
        ("--date", "日付"),
    ];
    let mut out = msg;
    for (k, v) in FIELDS {
        out = out.replace(k, &format!("「{v}」"));
    }
    out
}

pub struct LinkForm {
    pub agency: String,
    pub role: String,
    pub person: String,
    pub consent: String,
    pub scope: String,
}

/// 機関をつなぐ: links an agency to the open record, with the person's consent if given.
pub fn add_link(c: &DeskController, f: &LinkForm, today: NaiveDate, now: i64) -> Outcome {
    let record = open_record(c)?;
    let consent = Some(f.consent.trim()).filter(|s| !s.is_empty());
    let consent_date = case::check_link(&f.role, consent, &f.scope, today).map_err(ja)?;
    let a = c
        .store()
        .agency(&f.agency)
        .map_err(|e| e.to_string())?
        .ok_or("その機関は一覧にありません。「機関」タブで確かめてください。")?;
    let l = Link {
        id: 0,
        record,
        agency: a.id.clone(),
        role: f.role.trim().to_string(),
        person: f.person.trim().to_string(),
        from: today.to_string(),
        to: String::new(),
        consent_by: if consent_date.is_empty() {
            String::new()
        } else {
            c.who().to_string()
        },
        consent_date,
        consent_scope: f.scope.trim().to_string(),
        consent_withdrawn: String::new(),
    };
    c.store()
        .link(&l, c.who(), now)
        .map_err(|e| e.to_string())?;
    log(c, "link", Some(record), now)?;
    Ok(if l.has_consent() {
        format!("{}をつなぎました（同意あり）。", a.name)
    } else {
        format!(
            "{}をつなぎました。同意がないため、この機関へ情報を伝えた記録はできません。",
            a.name
        )
    })
}

/// 終了にする: the agency no longer works with this person (from today).
pub fn end_link(c: &DeskController, link: i64, today: NaiveDate, now: i64) -> Outcome {
    let record = open_record(c)?;
    if c.store()
        .end_link(link, record, &today.to_string())
        .map_err(|e| e.to_string())?
    {
        log(c, "link_end", Some(record), now)?;
        Ok(format!("{today} で終了にしました。"))
    } else {
        Err("この連携は もう終了しています。".into())
    }
}

/// やりとりを記録する: the consent rule refuses information sent without consent.
pub fn add_contact(
    c: &DeskController,
    agency: &str,
    method: &str,
    direction: Direction,
    summary: &str,
    today: NaiveDate,
    now: i64,
) -> Outcome {
    let record = open_record(c)?;
    let contact = Contact {
        id: 0,
        record,
        agency: agency.to_string(),
        at: now,
        method: method.to_string(),
        direction: direction.as_str().to_string(),
        summary: summary.trim().to_string(),
        who: c.who().to_string(),
    };
    let written = c.store().log_contact(&contact, direction, today);
    if matches!(written, Err(Ok(_))) {
        log(c, "contact_refused", Some(record), now)?;
    }
    match written {
        Ok(_) => {
            log(c, "contact", Some(record), now)?;
            Ok("やりとりを記録しました。".into())
        }
        Err(Ok(refused)) if refused.contains("同意なし") => Err(
            "記録していません: 本人がこの機関との情報共有に同意していません（同意なし）。先に「機関をつなぐ」で同意した日と範囲を記録してください。"
                .into(),
        ),
        Err(Ok(refused)) if refused.contains("同意撤回") => Err(
            "記録していません: 本人がこの機関との情報共有への同意を撤回しています（同意撤回）。もう一度 同意を得たら、その連携の「同意を記録」で日と範囲を記録してください。"
                .into(),
        ),
        Err(Ok(refused)) if refused.contains("(終了)") => Err(
            "記録していません: この機関との連携は終了しています。終了した連携を通して情報は伝えません。また支援を受けるなら、同意を得て「機関をつなぐ」からつなぎ直してください。"
                .into(),
        ),
        Err(Ok(refused)) => Err(ja(refused)),
        Err(Err(e)) => Err(e.to_string()),
    }
}

/// 同意を記録 / 同意の撤回: consent given later, or withdrawn, on one link of the open record
/// (by its id), with a note; each is in the record's audit trail and the link's history.
#[allow(clippy::too_many_arguments)]
pub fn change_consent(
    c: &DeskController,
    link: i64,
    give: bool,
    day: &str,
    scope: &str,
    note: &str,
    today: NaiveDate,
    now: i64,
) -> Outcome {
    let record = open_record(c)?;
    let day = day.trim();
    let day = if day.is_empty() {
        today.to_string()
    } else {
        day.to_string()
    };
    let (given, withdrawn) = if give {
        (Some(day.as_str()), None)
    } else {
        (None, Some(day.as_str()))
    };
    let changed = c.store().change_consent(
        record,
        link,
        given,
        scope,
        withdrawn,
        note,
        c.who(),
        today,
        now,
    );
    if matches!(changed, Err(Ok(_))) {
        log(c, "consent_refused", Some(record), now)?;
    }
    match changed {
        Ok(change) => {
            log(c, "consent", Some(record), now)?;
            Ok(match change {
                case::ConsentChange::Given { day, .. } => format!("{day} の同意を記録しました。"),
                case::ConsentChange::Withdrawn { day } => format!(
                    "{day} の同意の撤回を記録しました。これからは この機関へ情報を伝えた記録はできません。"
                ),
            })
        }
        Err(Ok(refused)) => Err(ja(refused
            .replace("--given", "同意した日")
            .replace("--withdrawn", "撤回した日"))),
        Err(Err(e)) => Err(e.to_string()),
    }
}

pub struct MeetingForm {
    pub date: String,
    pub participants: String,
    pub agenda: String,
    pub decision: String,
    pub goal: String,
    pub goal_date: String,
    pub review: String,
}

/// 会議を記録する. Returns the meeting's id.
pub fn add_meeting(c: &DeskController, f: &MeetingForm, now: i64) -> Result<i64, String> {
    let record = open_record(c)?;
    let (d, g, r) = meeting::check_meeting(&f.date, &f.goal_date, &f.review, &f.decision, &f.goal)
        .map_err(ja)?;
    let m = Meeting {
        id: 0,
        record,
        date: d.to_string(),
        participants: f.participants.trim().to_string(),
        agenda: f.agenda.trim().to_string(),
        decision: f.decision.trim().to_string(),
        goal: f.goal.trim().to_string(),
        goal_date: g.to_string(),
        review: r.to_string(),
        by: c.who().to_string(),
    };
    let id = c.store().add_meeting(&m, now).map_err(|e| e.to_string())?;
    log(c, "meeting", Some(record), now)?;
    Ok(id)
}

/// Why a meeting's PDF could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfProblem {
    NoMeeting,
    NoRecord,
    Failed(String),
}

/// A meeting's A4 record as PDF bytes (the desk's button and `meeting pdf` alike): the
/// meeting, its record's name and receipt number, the centre's name, printed at `now`.
pub fn meeting_pdf_bytes(
    store: &crate::desk::store::DeskStore,
    id: i64,
    centre: &str,
    tz: chrono_tz::Tz,
    now: i64,
) -> Result<(Meeting, Vec<u8>), PdfProblem> {
    let failed = |e: crate::desk::store::DeskError| PdfProblem::Failed(e.to_string());
    let m = store
        .meeting(id)
        .map_err(failed)?
        .ok_or(PdfProblem::NoMeeting)?;
    let rec = store
        .get(m.record)
        .map_err(failed)?
        .ok_or(PdfProblem::NoRecord)?;
    let made = chrono::DateTime::from_timestamp(now, 0).map_or_else(String::new, |t| {
        t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
    });
    let doc = crate::network::meeting_pdf::meeting_doc(
        &m,
        centre,
        &rec.staff.name,
        &rec.visit.receipt_no,
        &made,
    );
    let bytes = crate::network::meeting_pdf::render(
        &doc,
        crate::slip::fonts::REGULAR,
        crate::slip::fonts::BOLD,
    )
    .map_err(PdfProblem::Failed)?;
    Ok((m, bytes))
}

pub use super::private_files::write_whole;

/// 「PDFを作る」: the meeting's record in the desk's PDF folder, named by the meeting's number
/// only (no personal data in the file name). Returns the file.
pub fn meeting_pdf(c: &DeskController, id: i64, now: i64) -> Result<PathBuf, String> {
    let (m, bytes) =
        meeting_pdf_bytes(c.store(), id, &c.centre, c.timezone(), now).map_err(|e| match e {
            PdfProblem::NoMeeting => "その会議の記録が見つかりません。".to_string(),
            PdfProblem::NoRecord => "この会議の記録はもうありません。".to_string(),
            PdfProblem::Failed(e) => format!("PDFを作れませんでした（{e}）。"),
        })?;
    let cannot = |e: std::io::Error| {
        format!(
            "PDFを書けませんでした（{}: {e}）。フォルダの空きと書き込みの許可を確かめてください。",
            c.pdf_dir.display()
        )
    };
    super::private_files::private_dir(&c.pdf_dir).map_err(cannot)?;
    // Yesterday's printouts go as today's is made: the folder is for printing, not keeping.
    super::private_files::prune(&c.pdf_dir, std::time::SystemTime::now());
    let path = c.pdf_dir.join(format!("meeting-{id}.pdf"));
    write_whole(&path, &bytes).map_err(cannot)?;
    log(c, "meeting_pdf", Some(m.record), now)?;
    Ok(path)
}

/// 評価を記録する: five ratings 1–4 (0 = not chosen yet), base → top.
pub fn add_assessment(
    c: &DeskController,
    ratings: &[u8; 5],
    notes: &[String; 5],
    date: &str,
    today: NaiveDate,
    now: i64,
) -> Outcome {
    let record = open_record(c)?;
    if let Some(i) = ratings.iter().position(|r| !(1..=4).contains(r)) {
        return Err(format!(
            "「{}」の評価を 1〜4 から選んでください。5つすべて必要です。",
            LEVELS[i]
        ));
    }
    let day = if date.trim().is_empty() {
        today
    } else {
        meeting::parse_date("--date", date).map_err(ja)?
    };
    if day > today {
        return Err(format!(
            "評価した日 {day} が未来です。今日（{today}）以前の日にしてください。"
        ));
    }
    let a = Assessment {
        id: 0,
        record,
        date: day.to_string(),
        ratings: ratings.to_vec(),
        notes: notes.iter().map(|n| n.trim().to_string()).collect(),
        by: c.who().to_string(),
    };
    c.store()
        .add_assessment(&a, now)
        .map_err(|e| e.to_string())?;
    log(c, "assessment", Some(record), now)?;
    Ok("評価を記録しました。".into())
}

pub struct FollowupForm {
    pub kind: Kind,
    /// Job coach phase, or the short label / workplace.
    pub phase: String,
    pub date: String,
    pub until: String,
    pub note: String,
    /// With employment: plan the 定着支援 contacts too.
    pub plan: bool,
}

/// 予定・結果を記録する (and, with employment, the 定着支援 plan).
pub fn add_followup(c: &DeskController, f: &FollowupForm, today: NaiveDate, now: i64) -> Outcome {
    let record = open_record(c)?;
    let (from, to) = followup::check(f.kind, &f.phase, &f.date, &f.until, today).map_err(ja)?;
    let base = FollowUp {
        id: 0,
        record,
        kind: f.kind,
        phase: f.phase.trim().to_string(),
        from: from.to_string(),
        to: to.map(|t| t.to_string()).unwrap_or_default(),
        note: f.note.trim().to_string(),
        done: String::new(),
        by: c.who().to_string(),
    };
    let (_, planned) = c
        .store()
        .add_followup_planned(&base, f.plan, now)
        .map_err(|e| e.to_string())?;
    let planned = planned.len();
    log(c, "followup", Some(record), now)?;
    Ok(if planned > 0 {
        format!(
            "{}を記録し、定着支援の予定を{planned}件作りました。",
            base.label()
        )
    } else {
        format!("{}を記録しました。", base.label())
    })
}

pub fn followup_done(c: &DeskController, id: i64, today: NaiveDate, now: i64) -> Outcome {
    match c
        .store()
        .followup_done(id, &today.to_string(), c.who())
        .map_err(|e| e.to_string())?
    {
        Some(record) => {
            log(c, "followup_done", Some(record), now)?;
            Ok("済みにしました。".into())
        }
        None => Err("この予定は もう済みになっています。".into()),
    }
}

/// Saves an agency from the desk's editor (administrators only), audited field by field.
pub fn save_agency(c: &DeskController, a: &Agency, is_new: bool, now: i64) -> Outcome {
    if !c.admin {
        return Err("機関の情報を変えられるのは管理者だけです。".into());
    }
    agency::check(a)?;
    let exists = c
        .store()
        .agency(&a.id)
        .map_err(|e| e.to_string())?
        .is_some();
    if is_new && exists {
        return Err(format!(
            "ID「{}」の機関はもうあります。別のIDにするか、一覧から開いて編集してください。",
            a.id
        ));
    }
    let change = c
        .store()
        .agency_upsert(a, c.who(), now)
        .map_err(|e| e.to_string())?;
    log(c, "agency_edit", None, now)?;
    Ok(match change {
        crate::desk::store::AgencyChange::Added => format!("{}を追加しました。", a.name),
        crate::desk::store::AgencyChange::Updated { fields } => {
            format!("{}を保存しました（{fields}項目）。", a.name)
        }
        crate::desk::store::AgencyChange::Unchanged => "変更はありません。".into(),
    })
}

/// The directory in the desk's order (by kind as NETWORK.md lists them, then name), with the
/// bundled sample imported on first use (as `agency list` does). Every desk list of agencies
/// uses this order, so a position maps back to the same agency.
pub fn directory(c: &DeskController, now: i64) -> Result<Vec<Agency>, String> {
    let mut list = c.store().agencies().map_err(|e| e.to_string())?;
    if list.is_empty() {
        list = import_sample(c, now)?;
    }
    let rank = |a: &Agency| {
        agency::KINDS
            .iter()
            .position(|k| *k == a.kind)
            .unwrap_or(agency::KINDS.len())
    };
    list.sort_by(|a, b| (rank(a), &a.name, &a.id).cmp(&(rank(b), &b.name, &b.id)));
    Ok(list)
}

fn import_sample(c: &DeskController, now: i64) -> Result<Vec<Agency>, String> {
    let routes: Vec<&str> = c
        .content()
        .catalogue
        .routes
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    let sample = agency::parse("<embedded>/agencies.toml", agency::EMBEDDED, &routes)
        .map_err(|e| e.to_string())?;
    for a in &sample {
        c.store()
            .agency_upsert(a, c.who(), now)
            .map_err(|e| e.to_string())?;
    }
    c.store().agencies().map_err(|e| e.to_string())
}
