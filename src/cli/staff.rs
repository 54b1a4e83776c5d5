//! The team desk on the command line (TEAM.md §1): staff accounts, the record commands that
//! sign in with `--staff LOGIN` (password on standard input), and the access log. A wrong
//! password or a disabled account is exit 2 with nothing read or written, and is logged.

use std::path::Path;

use super::{Failure, IntakeAction, StaffAction};
use crate::config::Loaded;
use crate::desk::accounts::{AccessEntry, Account, Role};
use crate::desk::controller::Notice;
use crate::desk::intake::{StaffFields, Stage};
use crate::desk::run::open_store;
use crate::desk::store::{DeskStore, Saved, Search};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Json,
    Csv,
}

/// The first line of standard input (a password), without its line end.
pub fn read_password() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Failure::other(format!("reading the password from standard input: {e}")))?;
    let pw = line.trim_end_matches(['\r', '\n']).to_string();
    if pw.is_empty() {
        return Err(Failure::input(
            "no password on standard input: pipe it in, e.g. `printf '%s\\n' \"$PW\" | hatarakitai … --staff LOGIN`",
        ));
    }
    Ok(pw)
}

/// Signs `login` in with the password on standard input; Err = exit 2 (logged in the store).
pub fn sign_in(store: &DeskStore, login: &str) -> Result<Account, Failure> {
    if store
        .staff_list()
        .map_err(|e| Failure::other(e.to_string()))?
        .is_empty()
    {
        return Err(Failure::input(
            "no staff account exists yet: create the first administrator with `hatarakitai staff add --admin --login LOGIN --name NAME` (password on standard input)",
        ));
    }
    let pw = read_password()?;
    let now = chrono::Utc::now().timestamp();
    match store
        .sign_in(login, &pw, now)
        .map_err(|e| Failure::other(e.to_string()))?
    {
        Ok(a) => Ok(a),
        Err(why) => Err(Failure::input(why.message())),
    }
}

pub(super) fn json(v: &impl serde::Serialize) -> Result<(), Failure> {
    let s = serde_json::to_string_pretty(v).map_err(|e| Failure::other(e.to_string()))?;
    println!("{s}");
    Ok(())
}

/// A second line of standard input: the new password of `staff add` / `reset-password`.
fn read_new_password() -> Result<String, Failure> {
    read_password().map_err(|_| {
        Failure::input(
            "no new password on standard input: the admin's password goes on the first line, the new password on the second",
        )
    })
}

pub fn staff(loaded: &Loaded, dir: &Path, action: StaffAction) -> Result<(), Failure> {
    use crate::desk::staff_admin::{self, Refused};
    let store = open_store(loaded, dir)?;
    let now = chrono::Utc::now().timestamp();
    let done = |r: Result<Account, Refused>| match r {
        Ok(acc) => json(&acc),
        Err(Refused::Input(m)) => Err(Failure::input(m)),
        Err(Refused::Store(e)) => Err(Failure::other(e.to_string())),
    };
    // Every account command but the very first `add` signs an administrator in first.
    let admin = |login: &str, target: &str| -> Result<Account, Failure> {
        let by = sign_in_logged(&store, login, target, now)?;
        staff_admin::require_admin(&store, &by, target, now).map_err(|e| match e {
            Refused::Input(m) => Failure::input(m),
            Refused::Store(e) => Failure::other(e.to_string()),
        })?;
        Ok(by)
    };
    match action {
        StaffAction::Add {
            admin: make_admin,
            login,
            name,
            staff,
        } => {
            let role = if make_admin { Role::Admin } else { Role::Staff };
            match staff {
                Some(by) => {
                    let by = admin(&by, &login)?;
                    let pw = read_new_password()?;
                    done(staff_admin::add(
                        &store,
                        Some(&by),
                        &login,
                        &name,
                        role,
                        &pw,
                        now,
                    ))
                }
                None => {
                    let empty = store
                        .staff_list()
                        .map_err(|e| Failure::other(e.to_string()))?
                        .is_empty();
                    if !empty {
                        staff_admin::log(&store, "-", "staff_refused", &login, now)
                            .map_err(|e| Failure::other(e.to_string()))?;
                        return Err(Failure::input(
                            "accounts exist already: only a signed-in administrator adds one. Add --staff ADMIN, with the admin's password on the first line of standard input and the new password on the second (nothing was changed)",
                        ));
                    }
                    let pw = read_password()?;
                    done(staff_admin::add(
                        &store, None, &login, &name, role, &pw, now,
                    ))
                }
            }
        }
        StaffAction::List { staff } => {
            let by = admin(&staff, "")?;
            match staff_admin::list(&store, &by, now) {
                Ok(list) => json(&list),
                Err(Refused::Input(m)) => Err(Failure::input(m)),
                Err(Refused::Store(e)) => Err(Failure::other(e.to_string())),
            }
        }
        StaffAction::Disable { login, staff } => {
            let by = admin(&staff, &login)?;
            done(staff_admin::set_active(&store, &by, &login, false, now))
        }
        StaffAction::Enable { login, staff } => {
            let by = admin(&staff, &login)?;
            done(staff_admin::set_active(&store, &by, &login, true, now))
        }
        StaffAction::ResetPassword { login, staff } => {
            let by = admin(&staff, &login)?;
            let pw = read_new_password()?;
            done(staff_admin::reset_password(&store, &by, &login, &pw, now))
        }
        StaffAction::Role { login, role, staff } => {
            let by = admin(&staff, &login)?;
            let role = Role::parse(&role).unwrap_or(Role::Staff);
            done(staff_admin::set_role(&store, &by, &login, role, now))
        }
    }
}

/// `sign_in`, and a refused account command logged against its target too.
fn sign_in_logged(
    store: &DeskStore,
    login: &str,
    target: &str,
    now: i64,
) -> Result<Account, Failure> {
    sign_in(store, login).inspect_err(|_| {
        let _ = crate::desk::staff_admin::log(store, login, "staff_refused", target, now);
    })
}

pub(super) fn log(
    store: &DeskStore,
    who: &str,
    action: &str,
    record: Option<i64>,
) -> Result<(), Failure> {
    store
        .log_access(&AccessEntry {
            at: chrono::Utc::now().timestamp(),
            login: who.to_string(),
            action: action.to_string(),
            record,
            target: String::new(),
        })
        .map_err(|e| Failure::other(e.to_string()))
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

pub fn access_log(
    loaded: &Loaded,
    dir: &Path,
    staff: &str,
    from: Option<String>,
    to: Option<String>,
    format: LogFormat,
) -> Result<(), Failure> {
    let store = open_store(loaded, dir)?;
    let who = sign_in(&store, staff)?;
    if who.role != Role::Admin {
        log(&store, &who.login, "access_log_refused", None)?;
        return Err(Failure::input(format!(
            "`{}` is not an administrator: only admins read the access log",
            who.login
        )));
    }
    let tz = loaded.config.timezone();
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let day =
        |s: &Option<String>, default: chrono::NaiveDate| -> Result<chrono::NaiveDate, Failure> {
            match s {
                None => Ok(default),
                Some(t) => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                    .map_err(|_| Failure::input(format!("`{t}` is not a date: write YYYY-MM-DD"))),
            }
        };
    let from_d = day(&from, today - chrono::Days::new(30))?;
    let to_d = day(&to, today)?;
    let start = |d: chrono::NaiveDate| -> i64 {
        use chrono::TimeZone;
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| tz.from_local_datetime(&t).earliest())
            .map_or(0, |t| t.timestamp())
    };
    let entries = store
        .access_log(start(from_d), start(to_d + chrono::Days::new(1)))
        .map_err(|e| Failure::other(e.to_string()))?;
    log(&store, &who.login, "export_access_log", None)?;
    match format {
        LogFormat::Json => json(&entries),
        LogFormat::Csv => {
            // Excel-ready like the other CSVs: UTF-8 with BOM, CRLF.
            let mut out = String::from("\u{feff}日時,ログインID,操作,記録ID\r\n");
            for e in &entries {
                let at = chrono::DateTime::from_timestamp(e.at, 0)
                    .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_default();
                let rec = e.record.map(|r| r.to_string()).unwrap_or_default();
                out.push_str(&format!(
                    "{at},{},{},{rec}\r\n",
                    csv_cell(&e.login),
                    e.action
                ));
            }
            print!("{out}");
            Ok(())
        }
    }
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
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
    let policy = crate::desk::run::retention_policy(loaded);
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
