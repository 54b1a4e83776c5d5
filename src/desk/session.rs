//! Who is at the desk window (TEAM.md §1): signed out, signed in, or locked after
//! `[desk] lock_minutes` without input. A lock hides every record; the same person signing
//! back in finds their unsaved edits as they left them; someone else signing in gets a clean
//! desk, and the first person's edits wait as their draft (never shown to anyone else).
//!
//! Plain Rust: the adapter feeds it sign-ins, activity and clock ticks, and swaps the
//! controller's open record in and out with `Draft`s.

use std::collections::HashMap;

use super::accounts::{Account, Role};
use super::intake::StaffFields;

/// One person's open record and unsaved edits, kept while someone else uses the desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub record: i64,
    pub edits: StaffFields,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    SignedOut,
    SignedIn,
    /// Signed in, but idle for too long: everything is hidden until sign-in again.
    Locked,
}

pub struct Session {
    pub state: State,
    pub account: Option<Account>,
    last_activity: i64,
    lock_after: i64,
    drafts: HashMap<String, Draft>,
}

/// What the adapter must do with the controller after a sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Switch {
    /// The same person: carry on (edits are still in the controller).
    Resume,
    /// Someone else (or a fresh start): put the controller's draft away for `away` (if any),
    /// then open `restore` (this person's own draft), or a clean desk.
    Swap {
        away: Option<String>,
        restore: Option<Draft>,
    },
}

impl Session {
    pub fn new(lock_minutes: u32, now: i64) -> Session {
        Session {
            state: State::SignedOut,
            account: None,
            last_activity: now,
            lock_after: i64::from(lock_minutes.max(1)) * 60,
            drafts: HashMap::new(),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.account.as_ref().is_some_and(|a| a.role == Role::Admin)
    }

    pub fn login(&self) -> Option<&str> {
        self.account.as_ref().map(|a| a.login.as_str())
    }

    /// Input at the desk: the lock timer starts again.
    pub fn activity(&mut self, now: i64) {
        self.last_activity = now;
    }

    /// Called every few seconds. True when the desk just locked.
    pub fn tick(&mut self, now: i64) -> bool {
        if self.state == State::SignedIn && now - self.last_activity >= self.lock_after {
            self.state = State::Locked;
            return true;
        }
        false
    }

    /// Locks now (the 「ロック」 button, or an account disabled mid-session).
    pub fn lock(&mut self) {
        if self.state == State::SignedIn {
            self.state = State::Locked;
        }
    }

    /// A successful sign-in of `acc`. `open` is the controller's open record and edits, if
    /// they differ from what is saved (the adapter passes None for a clean desk).
    pub fn signed_in(&mut self, acc: Account, open: Option<Draft>, now: i64) -> Switch {
        self.last_activity = now;
        let same = self.login() == Some(acc.login.as_str());
        let previous = self.account.as_ref().map(|a| a.login.clone());
        self.state = State::SignedIn;
        if same {
            self.account = Some(acc);
            return Switch::Resume;
        }
        if let (Some(p), Some(d)) = (previous.clone(), open) {
            self.drafts.insert(p, d);
        }
        let restore = self.drafts.remove(&acc.login);
        self.account = Some(acc);
        Switch::Swap {
            away: previous,
            restore,
        }
    }

    /// 「サインアウト」: the person leaves; unsaved edits stay as their draft.
    pub fn sign_out(&mut self, open: Option<Draft>) {
        if let (Some(a), Some(d)) = (self.account.take(), open) {
            self.drafts.insert(a.login, d);
        }
        self.state = State::SignedOut;
    }

    /// Whether `login` has a draft waiting (for the sign-in screen's message).
    pub fn has_draft(&self, login: &str) -> bool {
        self.drafts.contains_key(login)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(login: &str) -> Account {
        Account {
            login: login.into(),
            name: login.into(),
            role: Role::Staff,
            active: true,
            hash: String::new(),
            failures: 0,
            locked_until: None,
        }
    }

    fn draft(name: &str) -> Draft {
        Draft {
            record: 7,
            edits: StaffFields {
                name: name.into(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn idle_locks_and_the_same_person_resumes() {
        let mut s = Session::new(5, 0);
        assert_eq!(
            s.signed_in(acc("sato"), None, 0),
            Switch::Swap {
                away: None,
                restore: None
            }
        );
        assert!(!s.tick(299));
        s.activity(200);
        assert!(!s.tick(499) && s.state == State::SignedIn);
        assert!(s.tick(500) && s.state == State::Locked);
        assert_eq!(
            s.signed_in(acc("sato"), Some(draft("山田")), 600),
            Switch::Resume
        );
    }

    #[test]
    fn another_person_gets_a_clean_desk_and_the_first_keeps_a_draft() {
        let mut s = Session::new(5, 0);
        s.signed_in(acc("sato"), None, 0);
        s.lock();
        let sw = s.signed_in(acc("tanaka"), Some(draft("山田")), 10);
        assert_eq!(
            sw,
            Switch::Swap {
                away: Some("sato".into()),
                restore: None
            }
        );
        assert!(s.has_draft("sato") && !s.has_draft("tanaka"));
        s.lock();
        let sw = s.signed_in(acc("sato"), None, 20);
        assert_eq!(
            sw,
            Switch::Swap {
                away: Some("tanaka".into()),
                restore: Some(draft("山田"))
            }
        );
    }
}
