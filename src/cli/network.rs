//! The support network on the command line (NETWORK.md §5): `agency import / list`, `case
//! link`, `case contact`, `meeting add / pdf`, `pyramid add`, `followup add / done`, `due`,
//! `council-stats`. Every command signs in with `--staff LOGIN` (password on standard input);
//! changing the directory needs an administrator. Ids are printed as JSON; bad input
//! is exit 2 naming the field, with nothing written.

use std::path::Path;

use super::staff::{json, log, sign_in};
use super::{
    AgencyAction, CaseAction, Failure, FollowupAction, MeetingAction, MeetingAdd, PyramidAction,
};
use crate::config::Loaded;
use crate::desk::accounts::Role;
use crate::desk::network::PdfProblem;
use crate::desk::run::open_store;
use crate::desk::store::{AgencyChange, DeskError, DeskStore};
use crate::network::agency;
use crate::network::case::{self, Contact, Direction, Link};
use crate::network::followup::{self, FollowUp, Kind};
use crate::network::meeting::{self, Assessment, Meeting};

fn err(e: DeskError) -> Failure {
    Failure::other(e.to_string())
}

fn route_ids(loaded: &Loaded) -> Result<Vec<String>, Failure> {
    let content = loaded
        .content()
        .map_err(|e| Failure::input(e.to_string()))?;
    Ok(content
        .catalogue
        .routes
        .iter()
        .map(|r| r.id.clone())
        .collect())
}

/// The agencies of the directory; on first use the bundled sample is imported.
fn directory(
    store: &DeskStore,
    loaded: &Loaded,
    who: &str,
) -> Result<Vec<agency::Agency>, Failure> {
    let list = store.agencies().map_err(err)?;
    if !list.is_empty() {
        return Ok(list);
    }
    let routes = route_ids(loaded)?;
    let refs: Vec<&str> = routes.iter().map(String::as_str).collect();
    let sample = agency::parse("<embedded>/agencies.toml", agency::EMBEDDED, &refs)
        .map_err(|e| Failure::other(e.to_string()))?;
    let now = chrono::Utc::now().timestamp();
    for a in &sample {
        store.agency_upsert(a, who, now).map_err(err)?;
    }
    store.agencies().map_err(err)
}

pub fn agency_cmd(loaded: &Loaded, dir: &Path, action: AgencyAction) -> Result<(), Failure> {
    match action {
        AgencyAction::Import { file, staff } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Failure::input(format!("{}: cannot read it ({e})", file.display())))?;
            let routes = route_ids(loaded)?;
            let refs: Vec<&str> = routes.iter().map(String::as_str).collect();
            // Checked before signing in or touching the store: a bad file writes nothing.
            let list = agency::parse(&file.display().to_string(), &text, &refs)
                .map_err(|e| Failure::input(e.to_string()))?;
            let store = open_store(loaded, dir)?;
            let who = sign_in(&store, &staff)?;
            if who.role != Role::Admin {
                return Err(Failure::input(format!(
                    "{} is not an administrator: only administrators change the agency directory",
                    who.login
                )));
            }
            let now = chrono::Utc::now().timestamp();
            let (mut added, mut updated, mut unchanged) = (Vec::new(), Vec::new(), 0);
            for a in &list {
                match store.agency_upsert(a, &who.login, now).map_err(err)? {
                    AgencyChange::Added => added.push(a.id.clone()),
                    AgencyChange::Updated { .. } => updated.push(a.id.clone()),
                    AgencyChange::Unchanged => unchanged += 1,
                }
            }
            log(&store, &who.login, "agency_import", None)?;
            json(&serde_json::json!({ "added": added, "updated": updated, "unchanged": unchanged }))
        }
        AgencyAction::List { staff, format: _ } => {
            let store = open_store(loaded, dir)?;
            let who = sign_in(&store, &staff)?;
            let list = directory(&store, loaded, &who.login)?;
            json(&list)
        }
    }
}

fn record_exists(store: &DeskStore, id: i64) -> Result<(), Failure> {
    match store.get(id).map_err(err)? {
        Some(_) => Ok(()),
        None => Err(Failure::input(format!(
            "no record {id}: see `hatarakitai intake list`"
        ))),
    }
}

fn agency_exists(store: &DeskStore, loaded: &Loaded, who: &str, id: &str) -> Result<(), Failure> {
    let list = directory(store, loaded, who)?;
    if list.iter().any(|a| a.id == id) {
        Ok(())
    } else {
        Err(Failure::input(format!(
            "--agency `{id}` is not in the agency directory: see `hatarakitai agency list`"
        )))
    }
}

pub fn case_cmd(loaded: &Loaded, dir: &Path, action: CaseAction) -> Result<(), Failure> {
    let tz = loaded.config.timezone();
    let now = chrono::Utc::now();
    let today = now.with_timezone(&tz).date_naive();
    match action {
        CaseAction::Link {
            record,
            agency,
            role,
            consent,
            scope,
            person,
            staff,
        } => {
            let consent_date = case::check_link(&role, consent.as_deref(), &scope, today)
                .map_err(Failure::input)?;
            let store = open_store(loaded, dir)?;
            let who = sign_in(&store, &staff)?;
            record_exists(&store, record)?;
            agency_exists(&store, loaded, &who.login, &agency)?;
            let l = Link {
                id: 0,
                record,
                agency,
                role: role.trim().to_string(),
                person: person.trim().to_string(),
                from: today.to_string(),
                to: String::new(),
                consent_by: if consent_date.is_empty() {
                    String::new()
                } else {
                    who.login.clone()
                },
                consent_date,
                consent_scope: scope.trim().to_string(),
                consent_withdrawn: String::new(),
            };
            let id = store.link(&l, &who.login, now.timestamp()).map_err(err)?;
            log(&store, &who.login, "link", Some(record))?;
            json(&serde_json::json!({ "id": id, "record": record, "consent": l.has_consent() }))
        }
        CaseAction::End {
            record,
            link,
            date,
            staff,
        } => {
            let day = match date {
                Some(d) => meeting::parse_date("--date", &d).map_err(Failure::input)?,
                None => today,
            };
            let store = open_store(loaded, dir)?;
            let who = sign_in(&store, &staff)?;
            record_exists(&store, record)?;
            if !store
                .end_link(link, record, &day.to_string())
                .map_err(err)?
            {
                return Err(Failure::input(format!(
                    "--link {link} is not an open link of record {record}: see the record's 連携 at the desk"
                )));
            }
            log(&store, &who.login, "link_end", Some(record))?;
            json(&serde_json::json!({ "id": link, "record": record, "to": day.to_string() }))
        }
        CaseAction::Consent {
            record,
            agency,
            link,
            given,
            scope,
            withdrawn,
            note,
            staff,
        } => {
            let store = open_store(loaded, dir)?;
            let who = sign_in(&store, &staff)?;
            record_exists(&store, record)?;
            let links = store.links(record).map_err(err)?;
            let candidates: Vec<&Link> = links
                .iter()
                .filter(|l| l.agency == agency && link.is_none_or(|id| id == l.id))
                .collect();
            let open: Vec<&&Link> = candidates.iter().filter(|l| !l.ended(today)).collect();
            let chosen = match (open.as_slice(), candidates.as_slice()) {
                ([one], _) => **one,
                ([], [one]) => *one,
                ([], []) => {
                    return Err(Failure::input(format!(
                        "agency `{agency}` is not linked to record {record}{}: link it first (`case link {record} --agency {agency} --role …`)",
                        link.map(|l| format!(" as link {l}")).unwrap_or_default()
                    )));
                }
                _ => {
                    let ids: Vec<String> = candidates.iter().map(|l| l.id.to_string()).collect();
                    return Err(Failure::input(format!(
                        "record {record} has several links to `{agency}` ({}): say which with --link ID",
                        ids.join(", ")
                    )));
                }
            };
            let change = store
                .change_consent(
                    record,
                    chosen.id,
                    given.as_deref(),
                    &scope,
                    withdrawn.as_deref(),
                    &note,
                    &who.login,
                    today,
                    now.timestamp(),
                )
                .map_err(|e| match e {
                    Ok(refused) => {
                        let _ = log(&store, &who.login, "consent_refused", Some(record));
                        Failure::input(refused)
                    }
                    Err(e) => err(e),
                })?;
            log(&store, &who.login, "consent", Some(record))?;
            let history: Vec<_> = store
                .consent_events(record)
                .map_err(err)?
                .into_iter()
                .filter(|e| e.link == chosen.id)
                .collect();
            json(&serde_json::json!({
                "record": record,
                "link": chosen.id,
                "agency": agency,
                "change": change.kind(),
                "day": change.day(),
                "history": history,
            }))
        }
        CaseAction::Contact {
            record,
            agency,
            method,
            direction,
            summary,
            staff,
        } => {
            let dir_ = Direction::parse(&direction).ok_or_else(|| {
                Failure::input(format!(
                    "--direction `{direction}` is not known: use sent or received"
                ))
            })?;
            let store = open_store(loaded, dir)?;
            let who = sign_in(&store, &staff)?;
            record_exists(&store, record)?;
            agency_exists(&store, loaded, &who.login, &agency)?;
            let c = Contact {
                id: 0,
                record,
                agency,
                at: now.timestamp(),
                method,
                direction: dir_.as_str().to_string(),
                summary: summary.trim().to_string(),
                who: who.login.clone(),
            };
            let id = store.log_contact(&c, dir_, today).map_err(|e| match e {
                Ok(refused) => {
                    // A refused attempt on a record is in the access log too (no summary).
                    let _ = log(&store, &who.login, "contact_refused", Some(record));
                    Failure::input(refused)
                }
                Err(e) => err(e),
            })?;
            log(&store, &who.login, "contact", Some(record))?;
            json(&serde_json::json!({ "id": id, "record": record }))
        }
    }
}

fn today(loaded: &Loaded) -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&loaded.config.timezone())
        .date_naive()
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

pub fn due_cmd(
    loaded: &Loaded,
    dir: &Path,
    within: u32,
    mine: bool,
    staff: &str,
) -> Result<(), Failure> {
    let store = open_store(loaded, dir)?;
    let who = sign_in(&store, staff)?;
    let mut list = store.due(today(loaded), within).map_err(err)?;
    if mine {
        list.retain(|d| crate::network::due::is_mine(d, &who.login, &who.name));
    }
    log(&store, &who.login, "due", None)?;
    json(&list)
}

/// `hatarakitai council-stats --from D --to D --format csv|json --staff LOGIN`.
pub fn council_cmd(
    loaded: &Loaded,
    dir: &Path,
    from: &str,
    to: &str,
    format: super::CouncilFormat,
    staff: &str,
) -> Result<(), Failure> {
    let (from, to) =
        super::stats::parse_range(Some(from), Some(to), today(loaded)).map_err(Failure::input)?;
    let content = loaded
        .content()
        .map_err(|e| Failure::input(e.to_string()))?;
    let store = open_store(loaded, dir)?;
    let who = sign_in(&store, staff)?;
    let (months, counts) = store
        .council_counts(loaded.config.timezone(), &content, from, to)
        .map_err(err)?;
    let stages: Vec<&str> = crate::desk::intake::Stage::ALL
        .iter()
        .filter(|s| **s != crate::desk::intake::Stage::Termination)
        .map(|s| s.label_ja())
        .collect();
    let cat = &content.catalogue;
    let routes: Vec<String> = cat
        .routes
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != cat.handoff)
        .map(|(_, r)| r.name.plain(crate::lang::Lang::Ja))
        .collect();
    let r = crate::network::council::report(&counts, months, &stages, &routes, agency::KINDS);
    log(&store, &who.login, "council_stats", None)?;
    match format {
        super::CouncilFormat::Csv => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(r.csv().as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| Failure::other(format!("writing the report failed ({e})")))
        }
        super::CouncilFormat::Json => json(&r.json()),
    }
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
