//! The support network on the command line (NETWORK.md §5): `agency import / list`, `case
//! link / end / consent / contact`, `due`, `council-stats` (meetings, the pyramid and
//! follow-ups are `cli::meeting`). Every command signs in with `--staff LOGIN` (password on standard input);
//! changing the directory needs an administrator. Ids are printed as JSON; bad input
//! is exit 2 naming the field, with nothing written.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::staff::{json, log, sign_in};
use super::{Ctx, Failure};
use crate::config::Loaded;
use crate::desk::accounts::Role;
use crate::desk::run::open_store;
use crate::desk::store::{AgencyChange, DeskError, DeskStore};
use crate::network::agency;
use crate::network::case::{self, Contact, Direction, Link};

use crate::network::meeting;

#[derive(Subcommand, Debug)]
pub enum NetworkCommand {
    /// The agency directory (NETWORK.md §1): import a TOML file, list it.
    #[command(display_order = 13)]
    Agency {
        #[command(subcommand)]
        action: AgencyAction,
    },
    /// A record's support network (NETWORK.md §2): link an agency (with the person's
    /// consent), log a contact.
    #[command(display_order = 14)]
    Case {
        #[command(subcommand)]
        action: CaseAction,
    },
    /// What is due today and within --within days (overdue included): reviews of 個別支援会議
    /// and open follow-ups, for the team or --mine.
    #[command(display_order = 18)]
    Due {
        /// Days ahead to include (overdue items are always included).
        #[arg(long, default_value_t = 7)]
        within: u32,
        /// Only the signed-in person's items: recorded by them, or on records whose 担当者 is them.
        #[arg(long)]
        mine: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "json")]
        format: ListFormat,
        /// Sign in as this staff login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
    /// Anonymous monthly counts for the 自立支援協議会 (cells under 3 shown as <3; cells hidden
    /// so that none can be worked back from a total shown as x).
    #[command(display_order = 19)]
    CouncilStats {
        /// First local day, YYYY-MM-DD (counts are per month).
        #[arg(long)]
        from: String,
        /// Last local day, YYYY-MM-DD.
        #[arg(long)]
        to: String,
        /// Output format (CSV for Excel, or JSON).
        #[arg(long, value_enum, default_value = "csv")]
        format: CouncilFormat,
        /// Sign in as this staff login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AgencyAction {
    /// Add or update agencies by id from a TOML file (administrators).
    Import {
        /// The agency directory TOML file (the shape of /usr/share/hatarakitai/examples/agencies.toml).
        file: PathBuf,
        /// Sign in as this administrator's login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
    /// Every agency as JSON (the bundled sample on first use).
    List {
        /// Sign in as this staff login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "json")]
        format: ListFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CouncilFormat {
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Json,
}

#[derive(Subcommand, Debug)]
pub enum CaseAction {
    /// Link an agency to a record, with the person's consent to share information.
    Link {
        /// The intake record's number (as in `intake list`).
        record: i64,
        /// The agency's id (as `agency list` shows it).
        #[arg(long)]
        agency: String,
        /// 就労 / 生活 / 医療 / 企業 / 家族 / その他, or free text.
        #[arg(long)]
        role: String,
        /// The day the person consented (YYYY-MM-DD; not in the future).
        #[arg(long)]
        consent: Option<String>,
        /// What may be shared.
        #[arg(long, default_value = "")]
        scope: String,
        /// The person there working with them (or a family member), if named.
        #[arg(long, default_value = "")]
        person: String,
        /// Sign in as this staff login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
    /// End a link: the agency no longer works with this person (from --date, default today).
    End {
        /// The intake record's number (as in `intake list`).
        record: i64,
        /// The link's id (in `intake show`).
        #[arg(long)]
        link: i64,
        /// The day the link ends (YYYY-MM-DD; default today).
        #[arg(long)]
        date: Option<String>,
        /// Sign in as this staff login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
    /// Consent on a link given later (--given, with --scope) or withdrawn (--withdrawn); each
    /// is in the record's audit trail and the link's consent history.
    Consent {
        /// The intake record's number (as in `intake list`).
        record: i64,
        /// The agency's id.
        #[arg(long)]
        agency: String,
        /// Which link, when the record has several open links to that agency.
        #[arg(long)]
        link: Option<i64>,
        /// The day the person consented (YYYY-MM-DD).
        #[arg(long, conflicts_with = "withdrawn")]
        given: Option<String>,
        /// What may be shared.
        #[arg(long, default_value = "")]
        scope: String,
        /// The day the person withdrew consent (YYYY-MM-DD).
        #[arg(long)]
        withdrawn: Option<String>,
        /// A note for the consent history.
        #[arg(long, default_value = "")]
        note: String,
        /// Sign in as this staff login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
    /// Log an exchange with an agency; `sent` needs the person's consent.
    Contact {
        /// The intake record's number (as in `intake list`).
        record: i64,
        /// The agency's id.
        #[arg(long)]
        agency: String,
        /// 電話 | FAX | メール | 訪問
        #[arg(long)]
        method: String,
        /// sent | received
        #[arg(long)]
        direction: String,
        /// What was said or sent, briefly.
        #[arg(long)]
        summary: String,
        /// Sign in as this staff login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
}

impl NetworkCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), Failure> {
        let (loaded, dir) = ctx.setup()?;
        match self {
            NetworkCommand::Agency { action } => agency_cmd(&loaded, &dir, action),
            NetworkCommand::Case { action } => case_cmd(&loaded, &dir, action),
            NetworkCommand::Due {
                within,
                mine,
                format: _,
                staff,
            } => due_cmd(&loaded, &dir, within, mine, &staff),
            NetworkCommand::CouncilStats {
                from,
                to,
                format,
                staff,
            } => council_cmd(&loaded, &dir, &from, &to, format, &staff),
        }
    }
}

pub(super) fn err(e: DeskError) -> Failure {
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

pub(super) fn record_exists(store: &DeskStore, id: i64) -> Result<(), Failure> {
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

pub(super) fn today(loaded: &Loaded) -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&loaded.config.timezone())
        .date_naive()
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
    format: CouncilFormat,
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
        CouncilFormat::Csv => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(r.csv().as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| Failure::other(format!("writing the report failed ({e})")))
        }
        CouncilFormat::Json => json(&r.json()),
    }
}
