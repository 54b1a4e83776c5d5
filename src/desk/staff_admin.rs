//! Managing staff accounts (TRUST.md §1), one set of rules for the command line and the desk's
//! 「職員」 tab: only a signed-in administrator changes accounts (the very first account
//! excepted, which must be an administrator); every change and every refused attempt is in
//! the access log with who did it and to which login; the last active administrator cannot
//! be disabled or made staff.

use super::accounts::{self, AccessEntry, Account, Role};
use super::store::{DeskError, DeskStore};

/// Why an account change was refused (bad input: exit 2, nothing changed), or that the store
/// failed.
#[derive(Debug)]
pub enum Refused {
    Input(String),
    Store(DeskError),
}

impl From<DeskError> for Refused {
    fn from(e: DeskError) -> Self {
        Refused::Store(e)
    }
}

pub type Outcome = Result<Account, Refused>;

/// An account action (or a refused attempt) in the access log: who, what, which login.
pub fn log(
    store: &DeskStore,
    by: &str,
    action: &str,
    target: &str,
    now: i64,
) -> Result<(), DeskError> {
    store.log_access(&AccessEntry {
        at: now,
        login: by.chars().take(64).collect(),
        action: action.into(),
        record: None,
        target: target.chars().take(64).collect(),
    })
}

/// Refuses (and logs) anyone but an active administrator.
pub fn require_admin(
    store: &DeskStore,
    by: &Account,
    target: &str,
    now: i64,
) -> Result<(), Refused> {
    if by.role == Role::Admin && by.active {
        return Ok(());
    }
    log(store, &by.login, "staff_refused", target, now)?;
    Err(Refused::Input(format!(
        "`{}` is not an administrator: only an administrator manages staff accounts (nothing was changed)",
        by.login
    )))
}

fn existing(store: &DeskStore, login: &str) -> Result<Account, Refused> {
    store.staff_get(login)?.ok_or_else(|| {
        Refused::Input(format!(
            "no account `{login}`: see `hatarakitai staff list --staff ADMIN`"
        ))
    })
}

/// Whether `login` is the only active administrator left.
fn last_admin(store: &DeskStore, login: &str) -> Result<bool, DeskError> {
    let admins: Vec<Account> = store
        .staff_list()?
        .into_iter()
        .filter(|a| a.role == Role::Admin && a.active)
        .collect();
    Ok(admins.len() <= 1 && admins.iter().any(|a| a.login == login))
}

/// A new account. `by` = None only for the very first account, which must be an admin.
pub fn add(
    store: &DeskStore,
    by: Option<&Account>,
    login: &str,
    name: &str,
    role: Role,
    password: &str,
    now: i64,
) -> Outcome {
    accounts::check_login(login).map_err(Refused::Input)?;
    if name.trim().is_empty() {
        return Err(Refused::Input(
            "--name: give the person's name as the desk should show it".into(),
        ));
    }
    let by_login = match by {
        Some(b) => {
            require_admin(store, b, login, now)?;
            b.login.clone()
        }
        None => {
            if !store.staff_list()?.is_empty() {
                return Err(Refused::Input(
                    "accounts exist already: an administrator adds new ones (`staff add … --staff ADMIN`, the admin's password on the first line of standard input, the new password on the second)".into(),
                ));
            }
            if role != Role::Admin {
                return Err(Refused::Input(
                    "the first account must be an administrator: add --admin".into(),
                ));
            }
            login.to_string()
        }
    };
    let hash = accounts::hash_password(password).map_err(Refused::Input)?;
    let acc = Account {
        login: login.to_string(),
        name: name.trim().to_string(),
        role,
        active: true,
        hash,
        failures: 0,
        locked_until: None,
    };
    if !store.staff_insert(&acc, now)? {
        return Err(Refused::Input(format!(
            "the login `{login}` exists already: pick another, or reset its password (`staff reset-password {login} --staff ADMIN`)"
        )));
    }
    log(store, &by_login, "staff_add", login, now)?;
    Ok(acc)
}

/// Enables or disables an account (never the last active administrator).
pub fn set_active(store: &DeskStore, by: &Account, login: &str, active: bool, now: i64) -> Outcome {
    require_admin(store, by, login, now)?;
    let mut acc = existing(store, login)?;
    if !active && acc.role == Role::Admin && last_admin(store, login)? {
        log(store, &by.login, "staff_refused", login, now)?;
        return Err(Refused::Input(format!(
            "`{login}` is the last active administrator: make another administrator first (nothing was changed)"
        )));
    }
    acc.active = active;
    store.staff_update(&acc)?;
    let action = if active {
        "staff_enable"
    } else {
        "staff_disable"
    };
    log(store, &by.login, action, login, now)?;
    Ok(acc)
}

/// A new password (and the lock lifted).
pub fn reset_password(
    store: &DeskStore,
    by: &Account,
    login: &str,
    password: &str,
    now: i64,
) -> Outcome {
    require_admin(store, by, login, now)?;
    let mut acc = existing(store, login)?;
    acc.hash = accounts::hash_password(password).map_err(Refused::Input)?;
    acc.failures = 0;
    acc.locked_until = None;
    store.staff_update(&acc)?;
    log(store, &by.login, "staff_reset_password", login, now)?;
    Ok(acc)
}

/// Makes an account administrator or staff (never demoting the last active administrator).
pub fn set_role(store: &DeskStore, by: &Account, login: &str, role: Role, now: i64) -> Outcome {
    require_admin(store, by, login, now)?;
    let mut acc = existing(store, login)?;
    if role == Role::Staff && acc.role == Role::Admin && last_admin(store, login)? {
        log(store, &by.login, "staff_refused", login, now)?;
        return Err(Refused::Input(format!(
            "`{login}` is the last active administrator: make another administrator first (nothing was changed)"
        )));
    }
    acc.role = role;
    store.staff_update(&acc)?;
    log(store, &by.login, "staff_role", login, now)?;
    Ok(acc)
}

/// The accounts, for an administrator (the listing is logged too).
pub fn list(store: &DeskStore, by: &Account, now: i64) -> Result<Vec<Account>, Refused> {
    require_admin(store, by, "", now)?;
    let list = store.staff_list()?;
    log(store, &by.login, "staff_list", "", now)?;
    Ok(list)
}

/// A person changes their own password (the web desk asks this of a password shorter than
/// its minimum): the current one is checked as a sign-in (counted, locked after five), the
/// new one must pass `extra` too (the web's length) and differ from the current.
pub fn change_own_password(
    store: &DeskStore,
    login: &str,
    current: &str,
    new: &str,
    extra: impl Fn(&str) -> Result<(), String>,
    now: i64,
) -> Result<Result<Account, (&'static str, String)>, DeskError> {
    if let Err(why) = store.sign_in(login, current, now)? {
        return Ok(Err(("current", why.message())));
    }
    if new == current {
        return Ok(Err((
            "new",
            "今の パスワードと 違う ものに してください / Choose a password other than the current one".into(),
        )));
    }
    if let Err(m) = extra(new) {
        return Ok(Err(("new", m)));
    }
    let Some(mut acc) = store.staff_get(login)? else {
        return Ok(Err(("current", "no such account".into())));
    };
    acc.hash = match accounts::hash_password(new) {
        Ok(h) => h,
        Err(m) => return Ok(Err(("new", m))),
    };
    store.staff_update(&acc)?;
    log(store, login, "password_changed", login, now)?;
    Ok(Ok(acc))
}
