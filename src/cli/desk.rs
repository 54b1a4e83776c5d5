//! The desk's commands: the desk window, `desk migrate` (desk.sqlite into PostgreSQL),
//! intake records without the window, and retention now. Every one signs in with
//! `--staff LOGIN` (the password on standard input) except the window, which has its own.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::staff::{json, log, sign_in};
use super::{Ctx, Failure};
use crate::config::Loaded;
use crate::desk::accounts::Role;
use crate::desk::controller::Notice;
use crate::desk::intake::{StaffFields, Stage};
use crate::desk::run::open_store;
use crate::desk::store::{Saved, Search};

#[derive(Subcommand, Debug)]
pub enum DeskCommand {
    /// The staff desk: scan a slip, open the intake record.
    #[command(display_order = 7)]
    Desk {
        #[command(subcommand)]
        action: Option<DeskAction>,
    },
    /// The desk for the staff's browsers (SERVER.md): serves it on `[serve] listen`
    /// (127.0.0.1:8080 by default; HTTPS with `[serve] tls_cert` and `tls_key`) and prints
    /// the address to open. This process alone holds the data; stop it with Ctrl+C or SIGTERM.
    #[command(display_order = 6)]
    Serve,
    /// The server's TLS certificates (SERVER.md §1).
    #[command(display_order = 6)]
    Tls {
        #[command(subcommand)]
        action: TlsAction,
    },
    /// The database's schema (SERVER.md §3), for the administrator on the server.
    #[command(display_order = 6)]
    Db {
        #[command(subcommand)]
        action: DbAction,
    },
    /// Intake records without the window (signed in with --staff LOGIN).
    #[command(display_order = 8)]
    Intake {
        #[command(subcommand)]
        action: IntakeAction,
    },
    /// Desk retention now (TRUST.md §5): closed records after `[desk] retention_days`,
    /// records without an end after `[desk] retention_years` without activity, with their
    /// network and printed PDFs. `--dry-run` lists what would go. Administrators only.
    #[command(display_order = 20)]
    Retention {
        /// List what would be deleted; delete nothing.
        #[arg(long)]
        dry_run: bool,
        /// Sign in as this administrator's login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum IntakeAction {
    /// Do what a scan at the desk does (open or create the record) and print it as JSON.
    Open {
        /// The QR text.
        payload: String,
        /// Sign in as this staff login; the password is read from standard input.
        #[arg(long)]
        staff: String,
    },
    /// Print one intake record (with its audit trail) as JSON.
    Show {
        /// The intake record's number (as in `intake list`).
        id: i64,
        /// Sign in as this staff login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
    /// Change staff fields of a record: --set name=… --set stage=assessment (ids as in
    /// `intake show`); --version makes the save fail if someone saved since that version.
    Save {
        /// The intake record's number (as in `intake list`).
        id: i64,
        /// Sign in as this staff login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
        /// A field to change, FIELD=VALUE (repeatable): name, furigana, contact, assigned_staff,
        /// next_action, notes, stage.
        #[arg(long = "set", required = true)]
        set: Vec<String>,
        /// The record's version when it was read (`intake show`); the save fails if it has changed since.
        #[arg(long)]
        version: Option<i64>,
    },
    /// List records (newest first) as JSON: --text matches name or ふりがな.
    List {
        /// Sign in as this staff login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
        /// Only records whose name or ふりがな contains this.
        #[arg(long, default_value = "")]
        text: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum DeskAction {
    /// Copy this PC's desk.sqlite (records, audit, accounts, access log) into an empty
    /// PostgreSQL database and verify row counts and a checksum per table.
    Migrate {
        /// postgresql://USER@HOST:5432/DBNAME (password from [desk] password_file or
        /// --password-file, never in the URL).
        #[arg(long)]
        to: String,
        /// The target role's password, first line of this file (mode 0600).
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TlsAction {
    /// Make the centre's CA (name-constrained to these names and addresses; install ca.crt
    /// on the staff PCs, keep ca.key offline) and the server's certificate signed by it:
    /// ca.crt, ca.key, server.crt (with the CA), server.key in --out. Overwrites nothing.
    Init {
        /// The server's name as staff type it (desk.centre.lan); repeat for more names.
        #[arg(long, required = true)]
        name: Vec<String>,
        /// An address staff may type instead (192.168.10.5); repeat for more.
        #[arg(long)]
        ip: Vec<std::net::IpAddr>,
        /// Where to write the four files (made if missing).
        #[arg(long)]
        out: PathBuf,
        /// How long the server's certificate is valid, in days (1–825).
        #[arg(long, default_value_t = 730)]
        days: u32,
    },
}

#[derive(Subcommand, Debug)]
pub enum DbAction {
    /// Create or upgrade the schema as the database's owner, and set retention's periods
    /// where only the owner can write them. `serve` connects as the application role
    /// (assets/deploy/server-roles.sql), which changes no schema: run this after installing
    /// a new version, then run server-roles.sql again.
    Upgrade {
        /// The owner's connection: postgresql://OWNER@HOST:5432/DBNAME (password from
        /// --password-file; never in the URL). Without it: `[desk] database`, or desk.sqlite.
        #[arg(long)]
        database: Option<String>,
        /// The owner's password, first line of this file (mode 0600).
        #[arg(long)]
        password_file: Option<PathBuf>,
        /// Closed records are deleted this many days after closing (default: `[desk]
        /// retention_days`).
        #[arg(long)]
        retention_days: Option<u32>,
        /// Records without an end are deleted after this many years without activity
        /// (default: `[desk] retention_years`).
        #[arg(long)]
        retention_years: Option<u32>,
    },
}

impl DeskCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), Failure> {
        let (loaded, dir) = ctx.setup()?;
        match self {
            DeskCommand::Desk { action: None } => crate::desk::run::run_desk(&loaded, &dir),
            DeskCommand::Serve => crate::serve::run(&loaded, &dir),
            DeskCommand::Tls {
                action:
                    TlsAction::Init {
                        name,
                        ip,
                        out,
                        days,
                    },
            } => {
                let today = chrono::Utc::now()
                    .with_timezone(&loaded.config.timezone())
                    .date_naive();
                let files = crate::serve::tls::init(
                    &loaded.config.centre.name,
                    &name,
                    &ip,
                    days,
                    &out,
                    today,
                )
                .map_err(Failure::input)?;
                json(&serde_json::json!({
                    "ca_cert": files[0], "ca_key": files[1],
                    "server_cert": files[2], "server_key": files[3],
                    "names": name, "ips": ip, "days": days,
                }))
            }
            DeskCommand::Db {
                action:
                    DbAction::Upgrade {
                        database,
                        password_file,
                        retention_days,
                        retention_years,
                    },
            } => db_upgrade(
                &loaded,
                &dir,
                database.as_deref(),
                password_file.as_deref(),
                (retention_days, retention_years),
            ),
            DeskCommand::Desk {
                action: Some(DeskAction::Migrate { to, password_file }),
            } => migrate(&loaded, &dir, &to, password_file.as_deref()),
            DeskCommand::Intake {
                action: IntakeAction::Open { payload, staff },
            } => intake_open(&loaded, &dir, &staff, &payload),
            DeskCommand::Intake { action } => intake(&loaded, &dir, action),
            DeskCommand::Retention { dry_run, staff } => retention(&loaded, &dir, dry_run, &staff),
        }
    }
}

/// `intake show / save / list` (`intake open` is in desk::run, the scan path).
pub fn intake(loaded: &Loaded, dir: &Path, action: IntakeAction) -> Result<(), Failure> {
    let err = |e: crate::desk::store::DeskError| Failure::other(e.to_string());
    match action {
        IntakeAction::Open { .. } => Err(Failure::other("intake open is handled by the scan path")),
        IntakeAction::Show { id, staff } => {
            let store = open_store(loaded, dir)?;
            let who = sign_in(&store, &staff)?;
            let rec = store.get(id).map_err(err)?.ok_or_else(|| {
                Failure::input(format!("no record {id}: see `hatarakitai intake list`"))
            })?;
            log(&store, &who.login, "view", Some(id))?;
            let audit = store.audit(id).map_err(err)?;
            json(&serde_json::json!({ "record": rec, "audit": audit }))
        }
        IntakeAction::Save {
            id,
            staff,
            set,
            version,
        } => {
            let mut store = open_store(loaded, dir)?;
            let who = sign_in(&store, &staff)?;
            let rec = store.get(id).map_err(err)?.ok_or_else(|| {
                Failure::input(format!("no record {id}: see `hatarakitai intake list`"))
            })?;
            let mut f = rec.staff.clone();
            for kv in &set {
                apply_set(&mut f, kv)?;
            }
            let now = chrono::Utc::now().timestamp();
            let base = version.unwrap_or(rec.version);
            match store
                .save_version(id, base, &f, &who.login, now)
                .map_err(err)?
            {
                Saved::Changed { fields, version } => {
                    log(&store, &who.login, "save", Some(id))?;
                    json(&serde_json::json!({ "id": id, "changed": fields, "version": version }))
                }
                Saved::Conflict { current, theirs } => {
                    let what: Vec<String> = theirs
                        .iter()
                        .map(|a| format!("{} ({})", a.field, a.who))
                        .collect();
                    Err(Failure::input(format!(
                        "not saved: record {id} was saved by someone else since version {base} (now version {}; changed: {}); run `intake show {id}` and save again with --version {}",
                        current.version,
                        what.join(", "),
                        current.version
                    )))
                }
            }
        }
        IntakeAction::List { staff, text } => {
            let store = open_store(loaded, dir)?;
            let who = sign_in(&store, &staff)?;
            let list = store
                .search(&Search {
                    text,
                    ..Search::default()
                })
                .map_err(err)?;
            log(&store, &who.login, "search", None)?;
            json(&list)
        }
    }
}

fn apply_set(f: &mut StaffFields, kv: &str) -> Result<(), Failure> {
    let Some((k, v)) = kv.split_once('=') else {
        return Err(Failure::input(format!(
            "--set {kv}: write FIELD=VALUE (fields: name, furigana, contact, assigned_staff, next_action, notes, stage)"
        )));
    };
    let v = v.to_string();
    match k {
        "name" => f.name = v,
        "furigana" => f.furigana = v,
        "contact" => f.contact = v,
        "assigned_staff" => f.assigned_staff = v,
        "next_action" => f.next_action = v,
        "notes" => f.notes = v,
        "stage" => {
            f.stage = Some(Stage::parse(&v).ok_or_else(|| {
                Failure::input(format!(
                    "--set stage={v}: unknown stage; use one of {}",
                    Stage::ALL.map(Stage::id).join(", ")
                ))
            })?)
        }
        _ => {
            return Err(Failure::input(format!(
                "--set {k}=…: unknown field `{k}` (fields: name, furigana, contact, assigned_staff, next_action, notes, stage)"
            )));
        }
    }
    Ok(())
}

/// `hatarakitai intake open PAYLOAD --staff LOGIN`: what a scan does, printed as JSON.
pub fn intake_open(
    loaded: &Loaded,
    data_dir: &Path,
    login: &str,
    text: &str,
) -> Result<(), Failure> {
    let now = chrono::Utc::now().timestamp();
    let mut ctrl = crate::desk::run::controller(loaded, data_dir, now)?;
    let who = sign_in(ctrl.store(), login)?;
    ctrl.set_who(&who.login);
    let text = text.to_string();
    match ctrl.scan(&text, now).clone() {
        Notice::Opened { .. } => {
            let view = ctrl
                .current
                .as_ref()
                .ok_or_else(|| Failure::other("the record did not open"))?;
            let json =
                serde_json::to_string_pretty(view).map_err(|e| Failure::other(e.to_string()))?;
            println!("{json}");
            Ok(())
        }
        Notice::Rejected(m) => Err(Failure::input(m)),
        Notice::Error(m) => Err(Failure::other(m)),
        other => Err(Failure::other(format!("unexpected state: {other:?}"))),
    }
}

/// `hatarakitai desk migrate --to postgresql://…`: desk.sqlite into an empty PostgreSQL
/// database, verified table by table (see `desk::store::migrate`).
/// `hatarakitai db upgrade`: the schema brought up to date by its owner, and retention's
/// periods written where the application role can only read them.
pub fn db_upgrade(
    loaded: &Loaded,
    dir: &Path,
    database: Option<&str>,
    password_file: Option<&Path>,
    (days, years): (Option<u32>, Option<u32>),
) -> Result<(), Failure> {
    let days = days.unwrap_or(loaded.config.desk.retention_days);
    let years = years.unwrap_or(loaded.config.desk.retention_years);
    if days == 0 || years == 0 {
        return Err(Failure::input(
            "--retention-days and --retention-years must be at least 1",
        ));
    }
    let store = match database {
        Some(url) => {
            let pw = match password_file {
                Some(p) => Some(p.to_path_buf()),
                None => loaded.content_path(&loaded.config.desk.password_file),
            };
            let target = crate::store::pg::PgTarget::for_setting("--database", url, pw.as_deref())
                .map_err(Failure::input)?;
            crate::desk::store::DeskStore::connect(&target)
                .map_err(|e| Failure::other(e.to_string()))?
        }
        None => open_store(loaded, dir)?,
    };
    if store.is_app_role() {
        return Err(Failure::input(format!(
            "{} is the application role: run `db upgrade` as the database's owner (--database postgresql://OWNER@HOST/DB --password-file FILE); nothing was changed",
            store.describe()
        )));
    }
    store
        .set_retention_policy(i64::from(days), i64::from(years))
        .map_err(|e| Failure::other(e.to_string()))?;
    json(&serde_json::json!({
        "database": store.describe(),
        "schema": crate::desk::store::schema::VERSION,
        "retention_days": days,
        "retention_years": years,
    }))
}

pub fn migrate(
    loaded: &Loaded,
    dir: &Path,
    to: &str,
    password_file: Option<&Path>,
) -> Result<(), Failure> {
    use crate::desk::store::{migrate, postgres::PgStore, sqlite::SqliteStore};
    let path = dir.join("desk.sqlite");
    if !path.is_file() {
        return Err(Failure::input(format!(
            "{} does not exist: run `desk migrate` on the desk PC, with its data directory (--data-dir)",
            path.display()
        )));
    }
    let pw = match password_file {
        Some(p) => Some(p.to_path_buf()),
        None => loaded.content_path(&loaded.config.desk.password_file),
    };
    let target = crate::store::pg::PgTarget::for_setting("--to", to, pw.as_deref())
        .map_err(Failure::input)?;
    let src = SqliteStore::open(&path).map_err(|e| Failure::other(e.to_string()))?;
    let mut dst = PgStore::connect(&target).map_err(|e| Failure::other(e.to_string()))?;
    let copied = migrate::copy(&src, &mut dst).map_err(|e| {
        if e.0.contains("is not empty") {
            Failure::input(e.0)
        } else {
            Failure::other(e.0)
        }
    })?;
    println!("copied {} into {}:", path.display(), target.describe());
    for c in &copied {
        println!(
            "  {:<12} {:>8} rows  sha256 {}  verified",
            c.table, c.rows, c.sha256
        );
    }
    println!(
        "Now set [desk] database = \"{to}\" in every desk's config; keep {} as a backup.",
        path.display()
    );
    Ok(())
}

/// `hatarakitai retention [--dry-run] --staff ADMIN` (TRUST.md §5): what retention removes
/// now (or would, with --dry-run): record ids, why, the last activity's day, and the PDFs
/// removed with them. No names.
pub fn retention(loaded: &Loaded, dir: &Path, dry_run: bool, staff: &str) -> Result<(), Failure> {
    use crate::desk::retention::Run;
    let store = open_store(loaded, dir)?;
    let who = sign_in(&store, staff)?;
    let now = chrono::Utc::now().timestamp();
    if who.role != Role::Admin {
        log(&store, &who.login, "retention_refused", None)?;
        return Err(Failure::input(format!(
            "`{}` is not an administrator: only admins run retention",
            who.login
        )));
    }
    let run = if dry_run { Run::DryRun } else { Run::Now };
    let policy = store
        .effective_policy(crate::desk::run::retention_policy(loaded))
        .map_err(|e| Failure::other(e.to_string()))?;
    let report = store
        .retention(now, policy, run, &who.login)
        .map_err(|e| Failure::other(e.to_string()))?;
    let pdf = dir.join("pdf");
    let mut pdfs = 0;
    if !dry_run {
        for r in &report.removed {
            pdfs += crate::desk::private_files::remove_meetings(&pdf, &r.meetings);
        }
    }
    log(
        &store,
        &who.login,
        if dry_run {
            "retention_dry_run"
        } else {
            "retention"
        },
        None,
    )?;
    let tz = loaded.config.timezone();
    let day = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .map(|t| t.with_timezone(&tz).date_naive().to_string())
            .unwrap_or_default()
    };
    json(&serde_json::json!({
        "dry_run": dry_run,
        "policy": { "closed_days": policy.closed_days, "inactive_years": policy.inactive_years },
        "removed": report.removed.iter().map(|r| serde_json::json!({
            "record": r.record,
            "reason": r.reason,
            "last_activity": day(r.last_activity),
            "meetings": r.meetings,
        })).collect::<Vec<_>>(),
        "pdfs_removed": pdfs,
    }))
}
