//! The support network on the command line (NETWORK.md §5): `agency import / list`, `case
//! link`, `case contact`, `meeting add`, `pyramid add`, `due`. Every command signs in with `--staff LOGIN` (password on standard
//! input); changing the directory needs an administrator. Ids are printed as JSON; bad input
//! is exit 2 naming the field, with nothing written.

use std::path::Path;

use super::staff::{json, log, sign_in};
use super::{AgencyAction, CaseAction, Failure, MeetingAction, PyramidAction};
use crate::config::Loaded;
use crate::desk::accounts::Role;
use crate::desk::run::open_store;
use crate::desk::store::{AgencyChange, DeskError, DeskStore};
use crate::network::agency;
use crate::network::case::{self, Contact, Direction, Link};
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
                from: today.to_string(),
                to: String::new(),
                consent_by: if consent_date.is_empty() {
                    String::new()
                } else {
                    who.login.clone()
                },
                consent_date,
                consent_scope: scope.trim().to_string(),
            };
            let id = store.link(&l, &who.login, now.timestamp()).map_err(err)?;
            log(&store, &who.login, "link", Some(record))?;
            json(&serde_json::json!({ "id": id, "record": record, "consent": l.has_consent() }))
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
            let id = store.log_contact(&c, dir_).map_err(|e| match e {
                Ok(refused) => Failure::input(refused),
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
    let MeetingAction::Add {
        record,
        date,
        participants,
        agenda,
        decision,
        goal,
        goal_date,
        review,
        staff,
    } = action;
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
        let mut keep = Vec::new();
        for d in list {
            let assigned = store
                .get(d.record)
                .map_err(err)?
                .map(|r| r.staff.assigned_staff)
                .unwrap_or_default();
            if d.by == who.login || assigned == who.login || assigned == who.name {
                keep.push(d);
            }
        }
        list = keep;
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
    let facts = store
        .council_facts(loaded.config.timezone(), &content, from, to)
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
    let r = crate::network::council::report(&facts, from, to, &stages, &routes, agency::KINDS);
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
