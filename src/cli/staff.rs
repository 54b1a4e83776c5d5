//! The team desk on the command line (TEAM.md §1): staff accounts, the record commands that
//! sign in with `--staff LOGIN` (password on standard input), and the access log. A wrong
//! password or a disabled account is exit 2 with nothing read or written, and is logged.

use std::path::Path;

use clap::Subcommand;

use super::{Ctx, Failure};
use crate::config::Loaded;
use crate::desk::accounts::{AccessEntry, Account, Role};
use crate::desk::run::open_store;
use crate::desk::store::DeskStore;

#[derive(Subcommand, Debug)]
pub enum StaffCommand {
    /// Staff accounts of the desk (TEAM.md §1).
    #[command(display_order = 9)]
    Staff {
        #[command(subcommand)]
        action: StaffAction,
    },
    /// Who viewed or changed which record, and every failed sign-in (admins only).
    #[command(display_order = 10)]
    AccessLog {
        /// Sign in as this administrator's login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
        /// First local day, YYYY-MM-DD (default: 30 days ago).
        #[arg(long)]
        from: Option<String>,
        /// Last local day (default: today).
        #[arg(long)]
        to: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "json")]
        format: LogFormat,
    },
}

/// Every account command is an administrator's (TRUST.md §1): `--staff ADMIN`, the admin's
/// password on the first line of standard input (a new password, where one is asked, on the
/// second). Only the very first account is made without `--staff`, and it must be `--admin`.
#[derive(Subcommand, Debug)]
pub enum StaffAction {
    /// Add an account (the first one: `--admin`, its password on standard input).
    Add {
        /// Make an administrator (the first account must be one).
        #[arg(long)]
        admin: bool,
        /// The new account's login.
        #[arg(long)]
        login: String,
        /// The staff member's name, as the desk shows it.
        #[arg(long)]
        name: String,
        /// The administrator adding it (not for the very first account).
        #[arg(long)]
        staff: Option<String>,
    },
    /// The accounts, as JSON.
    List {
        /// Sign in as this administrator's login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
    /// Nobody can sign in with this login any more (a signed-in desk is signed out at its next action).
    Disable {
        /// The account's login.
        login: String,
        /// Sign in as this administrator's login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
    /// Let a disabled login sign in again.
    Enable {
        /// The account's login.
        login: String,
        /// Sign in as this administrator's login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
    /// A new password (second line of standard input), and the lock lifted.
    ResetPassword {
        /// The account's login.
        login: String,
        /// Sign in as this administrator's login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
    /// Make an account administrator or staff (never the last administrator staff).
    Role {
        /// The account's login.
        login: String,
        /// The new role.
        #[arg(long, value_parser = ["admin", "staff"])]
        role: String,
        /// Sign in as this administrator's login; the password is read from standard input (first line).
        #[arg(long)]
        staff: String,
    },
}

impl StaffCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), Failure> {
        let (loaded, dir) = ctx.setup()?;
        match self {
            StaffCommand::Staff { action } => staff(&loaded, &dir, action),
            StaffCommand::AccessLog {
                staff,
                from,
                to,
                format,
            } => access_log(&loaded, &dir, &staff, from, to, format),
        }
    }
}

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
