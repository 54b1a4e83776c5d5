//! Sessions in the browser (SERVER.md §2): a 256-bit random id in a cookie, kept on the
//! server only as its SHA-256; renewed at every sign-in; locked after `[desk] lock_minutes`
//! without activity (decided here, on the server, for every request); ended after 12 hours
//! whatever happens. The sign-in form's token is bound to a pre-session cookie.

use sha2::{Digest, Sha256};

use crate::desk::store::web_sql::WebSession;

/// A session ends this long after sign-in, active or not.
pub const MAX_AGE: i64 = 12 * 60 * 60;

/// Web passwords (ASVS L2); an older, shorter one signs in once and must be changed then.
pub const MIN_WEB_PASSWORD_CHARS: usize = 12;

/// 32 random bytes as hex (a session id, a form token).
pub fn random_token() -> Result<String, String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| format!("no random numbers ({e})"))?;
    Ok(hex(&b))
}

pub fn hash_id(id: &str) -> String {
    hex(&Sha256::digest(id.as_bytes()))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Compares two tokens without stopping at the first difference.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// What a session's row allows at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Active,
    /// Idle for longer than the lock: the same person's password opens it again.
    Locked,
    /// Past its 12 hours: gone.
    Ended,
}

pub fn state(s: &WebSession, now: i64, lock_secs: i64) -> State {
    if now - s.created_at >= MAX_AGE || now < s.created_at - 60 {
        State::Ended
    } else if now - s.seen_at >= lock_secs {
        State::Locked
    } else {
        State::Active
    }
}

/// The web's password rule, on top of `desk::accounts::check_password`.
pub fn check_web_password(pw: &str) -> Result<(), String> {
    if pw.chars().count() < MIN_WEB_PASSWORD_CHARS {
        Err(format!(
            "{MIN_WEB_PASSWORD_CHARS}文字以上に してください（短い言葉を つなげると 覚えやすくなります） / Use at least {MIN_WEB_PASSWORD_CHARS} characters (a few words joined are easy to remember)"
        ))
    } else {
        Ok(())
    }
}

/// The cookies' names and flags, from `[serve] public_url`: `__Host-` and Secure over
/// HTTPS; plain names on loopback HTTP (a browser drops a Secure cookie sent over http).
#[derive(Debug, Clone)]
pub struct Cookies {
    pub session: &'static str,
    pub pre: &'static str,
    pub secure: bool,
}

impl Cookies {
    pub fn new(https: bool) -> Cookies {
        if https {
            Cookies {
                session: "__Host-hatarakitai",
                pre: "__Host-hatarakitai-pre",
                secure: true,
            }
        } else {
            Cookies {
                session: "hatarakitai",
                pre: "hatarakitai-pre",
                secure: false,
            }
        }
    }

    fn attrs(&self) -> &'static str {
        if self.secure {
            "; Path=/; HttpOnly; SameSite=Lax; Secure"
        } else {
            "; Path=/; HttpOnly; SameSite=Lax"
        }
    }

    /// `Set-Cookie` for a session id (a browser-session cookie: it goes when the browser closes).
    pub fn set_session(&self, id: &str) -> String {
        format!("{}={id}{}", self.session, self.attrs())
    }

    pub fn set_pre(&self, token: &str) -> String {
        format!("{}={token}{}", self.pre, self.attrs())
    }

    pub fn clear_session(&self) -> String {
        format!("{}=; Max-Age=0{}", self.session, self.attrs())
    }

    /// The value of cookie `name` in a `Cookie` header.
    pub fn read<'a>(header: &'a str, name: &str) -> Option<&'a str> {
        header.split(';').find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name && !v.is_empty()).then_some(v)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(created: i64, seen: i64) -> WebSession {
        WebSession {
            id_hash: "h".into(),
            login: "sato".into(),
            csrf: "t".into(),
            created_at: created,
            seen_at: seen,
            must_change: false,
        }
    }

    #[test]
    fn lock_and_end_are_decided_from_the_row() {
        let s = row(1000, 1000);
        assert_eq!(state(&s, 1000 + 299, 300), State::Active);
        assert_eq!(state(&s, 1000 + 300, 300), State::Locked);
        assert_eq!(
            state(&row(1000, 1000 + MAX_AGE - 1), 1000 + MAX_AGE - 1, 300),
            State::Active
        );
        assert_eq!(
            state(&row(1000, 1000 + MAX_AGE - 1), 1000 + MAX_AGE, 300),
            State::Ended
        );
        // A clock far before the session's start (set back): not trusted.
        assert_eq!(state(&s, 0, 300), State::Ended);
    }

    #[test]
    fn ids_are_random_and_kept_only_hashed() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(hash_id(&a), a);
        assert_eq!(hash_id(&a), hash_id(&a));
        assert!(same_token(&a, &a.clone()));
        assert!(!same_token(&a, &b));
        assert!(!same_token("", ""));
    }

    #[test]
    fn cookies_follow_the_scheme() {
        let tls = Cookies::new(true);
        assert!(
            tls.set_session("x")
                .starts_with("__Host-hatarakitai=x; Path=/; HttpOnly; SameSite=Lax; Secure")
        );
        let plain = Cookies::new(false);
        assert!(!plain.set_session("x").contains("Secure"));
        assert_eq!(
            Cookies::read("a=1; hatarakitai=abc; b=2", "hatarakitai"),
            Some("abc")
        );
        assert_eq!(Cookies::read("hatarakitai-pre=q", "hatarakitai"), None);
    }

    #[test]
    fn web_passwords_are_long() {
        assert!(check_web_password("short-pass1").is_err());
        assert!(check_web_password("twelve chars").is_ok());
        assert!(check_web_password("あいうえおかきくけこさし").is_ok());
    }
}
