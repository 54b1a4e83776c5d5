//! Staff accounts and sign-in (TEAM.md §1): a login id, a display name, a role, an active
//! flag and an Argon2id password hash (the kiosk PIN's crate). 5 wrong passwords lock the
//! account for 5 minutes. No built-in account: the first admin is made on the command line.
//!
//! Plain Rust: the store keeps the rows (`Backend::staff_*`), this decides.

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

/// Checks `pw` for `acc` at `now`: the decision and the account's new failure state
/// (failures, locked_until) to store.
pub fn check(acc: Option<&Account>, pw: &str, now: i64) -> (SignIn, Option<(i64, Option<i64>)>) {
    let Some(acc) = acc else {
        // Spend the same time as a real check, so a missing login is not faster.
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let dummy = DUMMY.get_or_init(|| hash_password("not an account").unwrap_or_default());
        let _ = verify(dummy, pw);
        return (
            SignIn::Wrong {
                tries_left: MAX_FAILURES,
            },
            None,
        );
    };
    if let Some(until) = acc.locked_until
        && until > now
    {
        return (
            SignIn::Locked {
                minutes_left: (until - now + 59) / 60,
            },
            None,
        );
    }
    if !acc.active {
        return (SignIn::Disabled, None);
    }
    if verify(&acc.hash, pw) {
        return (SignIn::Ok, Some((0, None)));
    }
    let failures = acc.failures + 1;
    if failures >= MAX_FAILURES {
        (
            SignIn::Locked {
                minutes_left: LOCK_SECONDS / 60,
            },
            Some((0, Some(now + LOCK_SECONDS))),
        )
    } else {
        (
            SignIn::Wrong {
                tries_left: MAX_FAILURES - failures,
            },
            Some((failures, None)),
        )
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
    fn five_wrong_passwords_lock_for_five_minutes() {
        let h = hash_password("correct horse").unwrap();
        let mut a = acc(&h);
        for left in (1..5).rev() {
            let (r, st) = check(Some(&a), "wrong pass", 1000);
            assert_eq!(r, SignIn::Wrong { tries_left: left });
            a.failures = st.unwrap().0;
        }
        let (r, st) = check(Some(&a), "wrong pass", 1000);
        assert_eq!(r, SignIn::Locked { minutes_left: 5 });
        let (f, until) = st.unwrap();
        a.failures = f;
        a.locked_until = until;
        // Even the right password waits for the lock.
        assert!(matches!(
            check(Some(&a), "correct horse", 1100).0,
            SignIn::Locked { .. }
        ));
        assert_eq!(check(Some(&a), "correct horse", 1000 + 301).0, SignIn::Ok);
        a.active = false;
        a.locked_until = None;
        assert_eq!(check(Some(&a), "correct horse", 2000).0, SignIn::Disabled);
        assert_eq!(check(None, "x", 0).0, SignIn::Wrong { tries_left: 5 });
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
