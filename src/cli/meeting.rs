//! Support over time on the command line (NETWORK.md §2–3): `meeting add / pdf` (個別支援会議
//! and its A4 PDF), `pyramid add` (職業準備性ピラミッド), `followup add / done` (就職, 定着支援,
//! job coach phases). Every command signs in with `--staff LOGIN`; bad input is exit 2 naming
//! the field, with nothing written.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::network::{err, record_exists, today};
use super::staff::{json, log, sign_in};
use super::{Ctx, Failure};
use crate::config::Loaded;
use crate::desk::network::PdfProblem;
use crate::desk::run::open_store;
use crate::network::followup::{self, FollowUp, Kind};
use crate::network::meeting::{self, Assessment, Meeting};

#[derive(Subcommand, Debug)]
pub enum MeetingCommand {
    /// 個別支援会議 (NETWORK.md §2): record a meeting with its decisions, goal and review.
    #[command(display_order = 15)]
    Meeting {
        #[command(subcommand)]
        action: MeetingAction,
    },
    /// 職業準備性ピラミッド (NETWORK.md §3): add an assessment (five ratings 1–4, base → top).
    #[command(display_order = 16)]
    Pyramid {
        #[command(subcommand)]
        action: PyramidAction,
    },
    /// Follow-ups (NETWORK.md §2): employment (就職), 定着支援 contacts, job coach phases.
    #[command(display_order = 17)]
    Followup {
        #[command(subcommand)]
        action: FollowupAction,
    },
}

#[derive(Subcommand, Debug)]
pub enum MeetingAction {
    /// Record a meeting: decisions (支援方針), a short-term goal and the next review.
    Add(MeetingAdd),
    /// The meeting's record as an A4 PDF for the participants (font embedded, text
    /// selectable).
    Pdf {
        /// The meeting's id (printed by `meeting add`).
        meeting: i64,
        /// The PDF file to write.
        #[arg(long)]
        out: PathBuf,
        /// Sign in as this staff login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
}

#[derive(clap::Args, Debug)]
pub struct MeetingAdd {
    /// The intake record's number (as in `intake list`).
    pub record: i64,
    /// The meeting's day (YYYY-MM-DD).
    #[arg(long)]
    pub date: String,
    /// Who took part (本人, family, agencies, staff), as one text.
    #[arg(long, default_value = "")]
    pub participants: String,
    /// What the meeting was about.
    #[arg(long, default_value = "")]
    pub agenda: String,
    /// What was decided (支援方針).
    #[arg(long)]
    pub decision: String,
    /// The short-term goal.
    #[arg(long)]
    pub goal: String,
    /// By when the goal should be met (YYYY-MM-DD).
    #[arg(long)]
    pub goal_date: String,
    /// The day of the next review (YYYY-MM-DD); it shows in the due list.
    #[arg(long)]
    pub review: String,
    /// Sign in as this staff login; the password is read from standard input (first line).
    #[arg(long)]
    pub staff: String,
}

#[derive(Subcommand, Debug)]
pub enum FollowupAction {
    /// Record employment, plan a 定着支援 contact or a job coach phase.
    Add {
        /// The intake record's number (as in `intake list`).
        record: i64,
        /// 就職 | 定着支援 | ジョブコーチ (or employment | retention | jobcoach)
        #[arg(long)]
        kind: String,
        /// Job coach: 事前準備期 | 集中支援期 | フォローアップ期; otherwise a short label.
        #[arg(long, default_value = "")]
        phase: String,
        /// The day work began, the contact's day, or the phase's first day (YYYY-MM-DD).
        #[arg(long)]
        date: String,
        /// The last day of a job coach phase.
        #[arg(long, default_value = "")]
        until: String,
        /// A note for the follow-up.
        #[arg(long, default_value = "")]
        note: String,
        /// With --kind 就職: also plan 定着支援 at 2 weeks, 1, 3 and 6 months.
        #[arg(long = "plan-retention")]
        plan: bool,
        /// Sign in as this staff login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
    /// Mark a follow-up done (it leaves the due list).
    Done {
        /// The follow-up's id (as `due` lists it).
        id: i64,
        /// The day it was done (default: today).
        #[arg(long)]
        date: Option<String>,
        /// Sign in as this staff login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum PyramidAction {
    /// Record an assessment of the 職業準備性ピラミッド: five ratings, base → top, with notes.
    Add {
        /// The intake record's number (as in `intake list`).
        record: i64,
        /// Five ratings 1–4, base → top, e.g. 1,2,3,4,2.
        #[arg(long)]
        ratings: String,
        /// Notes per level, separated by |.
        #[arg(long, default_value = "")]
        notes: String,
        /// The assessment's day (default: today).
        #[arg(long)]
        date: Option<String>,
        /// Sign in as this staff login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
}

impl MeetingCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), Failure> {
        let (loaded, dir) = ctx.setup()?;
        match self {
            MeetingCommand::Meeting { action } => meeting_cmd(&loaded, &dir, action),
            MeetingCommand::Pyramid { action } => pyramid_cmd(&loaded, &dir, action),
            MeetingCommand::Followup { action } => followup_cmd(&loaded, &dir, action),
        }
    }
}

pub fn meeting_cmd(loaded: &Loaded, dir: &Path, action: MeetingAction) -> Result<(), Failure> {
    match action {
        MeetingAction::Pdf {
            meeting,
            out,
            staff,
        } => meeting_pdf(loaded, dir, meeting, &out, &staff),
        MeetingAction::Add(add) => meeting_add(loaded, dir, add),
    }
}

fn meeting_add(loaded: &Loaded, dir: &Path, add: MeetingAdd) -> Result<(), Failure> {
    let MeetingAdd {
        record,
        date,
        participants,
        agenda,
        decision,
        goal,
        goal_date,
        review,
        staff,
    } = add;
    let (d, g, r) = meeting::check_meeting(&date, &goal_date, &review, &decision, &goal)
        .map_err(Failure::input)?;
    let store = open_store(loaded, dir)?;
    let who = sign_in(&store, &staff)?;
    record_exists(&store, record)?;
    let m = Meeting {
        id: 0,
        record,
        date: d.to_string(),
        participants: participants.trim().to_string(),
        agenda: agenda.trim().to_string(),
        decision: decision.trim().to_string(),
        goal: goal.trim().to_string(),
        goal_date: g.to_string(),
        review: r.to_string(),
        by: who.login.clone(),
    };
    let id = store
        .add_meeting(&m, chrono::Utc::now().timestamp())
        .map_err(err)?;
    log(&store, &who.login, "meeting", Some(record))?;
    json(&serde_json::json!({ "id": id, "record": record, "review": m.review }))
}

/// `meeting pdf MEETING_ID --out FILE.pdf`: the meeting's record for its participants.
fn meeting_pdf(
    loaded: &Loaded,
    dir: &Path,
    id: i64,
    out: &Path,
    staff: &str,
) -> Result<(), Failure> {
    let store = open_store(loaded, dir)?;
    let who = sign_in(&store, staff)?;
    let tz = loaded.config.timezone();
    let now = chrono::Utc::now().timestamp();
    let (m, bytes) =
        crate::desk::network::meeting_pdf_bytes(&store, id, &loaded.config.centre.name, tz, now)
            .map_err(|e| match e {
                PdfProblem::NoMeeting => Failure::input(format!(
                    "no meeting {id}: the ids are printed by `meeting add`"
                )),
                PdfProblem::NoRecord => Failure::input(format!(
                    "meeting {id} belongs to a record that no longer exists"
                )),
                PdfProblem::Failed(e) => Failure::other(e),
            })?;
    write_new_file(out, &bytes)?;
    log(&store, &who.login, "meeting_pdf", Some(m.record))?;
    json(
        &serde_json::json!({ "meeting": id, "record": m.record, "out": out.display().to_string(), "bytes": bytes.len() }),
    )
}

/// Writes the PDF whole (`desk::network::write_whole`); a path that cannot be written is bad
/// input (exit 2), naming the path only.
fn write_new_file(out: &Path, bytes: &[u8]) -> Result<(), Failure> {
    crate::desk::network::write_whole(out, bytes).map_err(|e| {
        Failure::input(format!(
            "--out {}: cannot write it ({e}); choose a folder that exists and that you can write to. Nothing was written",
            out.display()
        ))
    })
}

pub fn pyramid_cmd(loaded: &Loaded, dir: &Path, action: PyramidAction) -> Result<(), Failure> {
    let PyramidAction::Add {
        record,
        ratings,
        notes,
        date,
        staff,
    } = action;
    let (ratings, notes) = meeting::parse_ratings(&ratings, &notes).map_err(Failure::input)?;
    let day = match date {
        Some(d) => {
            let d = meeting::parse_date("--date", &d).map_err(Failure::input)?;
            if d > today(loaded) {
                return Err(Failure::input(format!(
                    "--date {d} is in the future: an assessment is recorded on or after its day"
                )));
            }
            d
        }
        None => today(loaded),
    };
    let store = open_store(loaded, dir)?;
    let who = sign_in(&store, &staff)?;
    record_exists(&store, record)?;
    let a = Assessment {
        id: 0,
        record,
        date: day.to_string(),
        ratings,
        notes,
        by: who.login.clone(),
    };
    let id = store
        .add_assessment(&a, chrono::Utc::now().timestamp())
        .map_err(err)?;
    log(&store, &who.login, "assessment", Some(record))?;
    json(&serde_json::json!({ "id": id, "record": record }))
}

pub fn followup_cmd(loaded: &Loaded, dir: &Path, action: FollowupAction) -> Result<(), Failure> {
    let today = today(loaded);
    match action {
        FollowupAction::Add {
            record,
            kind,
            phase,
            date,
            until,
            note,
            plan,
            staff,
        } => {
            let k = Kind::parse(&kind).ok_or_else(|| {
                Failure::input(format!(
                    "--kind `{kind}` is not known: use 就職 (employment), 定着支援 (retention) or ジョブコーチ (jobcoach)"
                ))
            })?;
            let (from, to) =
                followup::check(k, &phase, &date, &until, today).map_err(Failure::input)?;
            if plan && k != Kind::Employment {
                return Err(Failure::input(
                    "--plan-retention is for --kind 就職: it plans the 定着支援 contacts after work began",
                ));
            }
            let store = open_store(loaded, dir)?;
            let who = sign_in(&store, &staff)?;
            record_exists(&store, record)?;
            let now = chrono::Utc::now().timestamp();
            let base = FollowUp {
                id: 0,
                record,
                kind: k,
                phase: phase.trim().to_string(),
                from: from.to_string(),
                to: to.map(|t| t.to_string()).unwrap_or_default(),
                note: note.trim().to_string(),
                done: String::new(),
                by: who.login.clone(),
            };
            let (id, planned) = store.add_followup_planned(&base, plan, now).map_err(err)?;
            log(&store, &who.login, "followup", Some(record))?;
            json(
                &serde_json::json!({ "id": id, "record": record, "due": base.due_day(), "planned": planned }),
            )
        }
        FollowupAction::Done { id, date, staff } => {
            let day = match date {
                Some(d) => meeting::parse_date("--date", &d).map_err(Failure::input)?,
                None => today,
            };
            if day > today {
                return Err(Failure::input(format!(
                    "--date {day} is in the future: mark a follow-up done on or after the day it happened"
                )));
            }
            let store = open_store(loaded, dir)?;
            let who = sign_in(&store, &staff)?;
            let record = store
                .followup_done(id, &day.to_string(), &who.login)
                .map_err(err)?
                .ok_or_else(|| {
                    Failure::input(format!(
                        "no open follow-up {id}: see `hatarakitai due` (a follow-up is marked done once)"
                    ))
                })?;
            log(&store, &who.login, "followup_done", Some(record))?;
            json(&serde_json::json!({ "id": id, "record": record, "done": day.to_string() }))
        }
    }
}
