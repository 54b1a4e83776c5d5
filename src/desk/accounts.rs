//! Staff accounts and sign-in (TEAM.md §1): a login id, a display name, a role, an active
//! flag and an Argon2id password hash (the kiosk PIN's crate). 5 wrong passwords lock the
//! account for 5 minutes. No built-in account: the first admin is made on the command line.
//!
//! Plain Rust: the store keeps the rows (`desk::store`'s `staff_*`), this decides.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::Serialize;

pub const MAX_FAILURES: i64 = 5;
pub const LOCK_SECONDS: i64 = 5 * 60;
pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MIN_PIN_DIGITS: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Staff,
    Admin,
}

impl Role {
    pub fn id(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "staff" => Some(Role::Staff),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A staff account as stored (the hash never leaves the store but for checking).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    #[serde(skip)]
    pub hash: String,
    pub failures: i64,
    /// Unix seconds; signing in is refused until then.
    pub locked_until: Option<i64>,
}

/// A login id: lower-case letters, digits, `.`, `_`, `-`; 2–32 characters.
pub fn check_login(login: &str) -> Result<(), String> {
    let ok = (2..=32).contains(&login.len())
        && login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{login}` is not a login id: use 2–32 lower-case letters, digits, `.`, `_` or `-` (e.g. sato or t.tanaka)"
        ))
    }
}

/// ≥ 8 characters, or a PIN of ≥ 6 digits.
pub fn check_password(pw: &str) -> Result<(), String> {
    let digits = pw.chars().all(|c| c.is_ascii_digit());
    let n = pw.chars().count();
    if (digits && n >= MIN_PIN_DIGITS) || (!digits && n >= MIN_PASSWORD_CHARS) {
        Ok(())
    } else {
        Err(format!(
            "the password is too short: use at least {MIN_PASSWORD_CHARS} characters, or a PIN of at least {MIN_PIN_DIGITS} digits"
        ))
    }
}

pub fn hash_password(pw: &str) -> Result<String, String> {
    check_password(pw)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no random numbers for the salt: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| format!("salt: {e}"))?;
    Argon2::default()
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("hashing the password: {e}"))
}

fn verify(hash: &str, pw: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(pw.as_bytes(), &parsed)
            .is_ok()
    })
}

/// What a sign-in attempt leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    Ok,
    /// Wrong password (or no such login: the same answer, so logins cannot be probed).
    Wrong {
        tries_left: i64,
    },
    Locked {
        minutes_left: i64,
    },
    Disabled,
}

impl SignIn {
    /// For staff, in Japanese and English, without saying whether the login exists.
    pub fn message(&self) -> String {
        match self {
            SignIn::Ok => "サインインしました / Signed in".into(),
            SignIn::Wrong { tries_left } => format!(
                "ログインIDかパスワードが違います（あと {tries_left} 回で 5分間 ロックされます） / Wrong login or password ({tries_left} tries left before a 5-minute lock)"
            ),
            SignIn::Locked { minutes_left } => format!(
                "このアカウントは ロック中です。{minutes_left} 分後に もう一度 / This account is locked: try again in {minutes_left} min"
            ),
            SignIn::Disabled => "このアカウントは 使えません。管理者に 連絡してください / This account is disabled: ask an administrator".into(),
        }
    }
}

/// What an account allows before any password is hashed: a locked or disabled account (or
/// no account) is refused here, so a burst of guesses against a locked account costs nothing
/// and can never reach the hash. None = go on and verify the password.
pub fn gate(acc: Option<&Account>, now: i64) -> Option<SignIn> {
    let Some(acc) = acc else {
        // Spend the same time as a real check, so a missing login is not faster.
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let dummy = DUMMY.get_or_init(|| hash_password("not an account").unwrap_or_default());
        let _ = verify(dummy, "x");
        return Some(SignIn::Wrong {
            tries_left: MAX_FAILURES,
        });
    };
    if let Some(m) = lock_minutes(acc.locked_until, now) {
        return Some(SignIn::Locked { minutes_left: m });
    }
    if !acc.active {
        return Some(SignIn::Disabled);
    }
    None
}

/// Minutes left on a lock that ends at `until` (None = not locked at `now`).
pub fn lock_minutes(until: Option<i64>, now: i64) -> Option<i64> {
    until
        .filter(|u| *u > now)
        .map(|u| (u - now).min(LOCK_SECONDS).saturating_add(59) / 60)
}

/// Whether `pw` is the account's password (the slow part: Argon2id).
pub fn password_matches(acc: &Account, pw: &str) -> bool {
    verify(&acc.hash, pw)
}

/// What a counted failure leads to, from the state the database wrote atomically
/// (`failures` after this one, the lock's end if it locked).
pub fn after_failure(failures: i64, locked_until: Option<i64>, now: i64) -> SignIn {
    match lock_minutes(locked_until, now) {
        Some(m) => SignIn::Locked { minutes_left: m },
        None => SignIn::Wrong {
            tries_left: (MAX_FAILURES - failures).max(1),
        },
    }
}

/// One line of the access log: who did what to which record (ids only, never a name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessEntry {
    pub at: i64,
    pub login: String,
    /// `view`, `create`, `save`, `search`, `export`, `sign_in`, `sign_in_failed`, `lock`…
    pub action: String,
    pub record: Option<i64>,
    /// The account an account change concerned (`staff_add`, `staff_disable` …), else empty.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub target: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(hash: &str) -> Account {
        Account {
            login: "sato".into(),
            name: "佐藤".into(),
            role: Role::Staff,
            active: true,
            hash: hash.into(),
            failures: 0,
            locked_until: None,
        }
    }

    #[test]
    fn locked_and_disabled_accounts_are_refused_before_hashing() {
        let h = hash_password("correct horse").unwrap();
        let mut a = acc(&h);
        assert_eq!(gate(Some(&a), 1000), None);
        assert!(password_matches(&a, "correct horse") && !password_matches(&a, "wrong pass"));
        a.locked_until = Some(1000 + LOCK_SECONDS);
        assert_eq!(
            gate(Some(&a), 1000),
            Some(SignIn::Locked { minutes_left: 5 })
        );
        assert_eq!(gate(Some(&a), 1000 + LOCK_SECONDS), None);
        // A lock far in the future (a clock set back) never shows more than 5 minutes.
        a.locked_until = Some(1000 + 10 * LOCK_SECONDS);
        assert_eq!(
            gate(Some(&a), 1000),
            Some(SignIn::Locked { minutes_left: 5 })
        );
        a.locked_until = None;
        a.active = false;
        assert_eq!(gate(Some(&a), 2000), Some(SignIn::Disabled));
        assert_eq!(gate(None, 0), Some(SignIn::Wrong { tries_left: 5 }));
        assert_eq!(after_failure(4, None, 0), SignIn::Wrong { tries_left: 1 });
        assert_eq!(
            after_failure(0, Some(LOCK_SECONDS), 0),
            SignIn::Locked { minutes_left: 5 }
        );
    }

    #[test]
    fn passwords_and_logins_are_checked() {
        assert!(check_password("12345").is_err() && check_password("123456").is_ok());
        assert!(check_password("short").is_err() && check_password("longer pass").is_ok());
        assert!(
            check_login("t.tanaka").is_ok()
                && check_login("Tanaka").is_err()
                && check_login("a").is_err()
        );
    }
}
