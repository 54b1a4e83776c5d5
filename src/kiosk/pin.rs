//! The staff PIN (TRUST.md §4): there is no default PIN. The PIN is an Argon2id hash, from
//! `[kiosk] staff_pin_hash` (made by `hatarakitai hash-pin`, for scripted installs; it wins)
//! or from `<data dir>/staff-pin`, written by the kiosk's one-time setup. Until one exists, no
//! PIN opens the staff screen: the staff corner opens the setup instead. 5 wrong PINs lock
//! the pad for 5 minutes, kept across a restart in `<data dir>/staff-pin-lock`
//! (`kiosk::pin_files`).
//!
//! Time: the lock runs on the kiosk's monotonic clock (ms) while the kiosk runs, so a wall
//! clock that is set back or forward changes nothing. Only the file holds wall-clock time
//! (unix seconds, which the caller passes in: none when the clock is unusable); at start the
//! time left is capped at 5 minutes, so a clock set back can never lock the pad for longer,
//! and a missing clock locks for the whole 5 minutes rather than not at all.
//!
//! Why the `argon2` crate: a short PIN has a tiny key space, so the stored hash must be
//! salted and slow; RustCrypto's `argon2` is well kept, writes the self-describing PHC string
//! (algorithm, parameters and salt in one line) and verifies in constant time.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::kiosk::pin_files::{LockRecord, StaffFiles, WriteNew};

pub const MAX_FAILURES: u32 = 5;
pub const LOCK_SECS: u64 = 5 * 60;
pub const LOCK_MS: u64 = LOCK_SECS * 1000;
pub const MIN_DIGITS: usize = 6;
pub const MAX_DIGITS: usize = 12;

/// A new PIN's rule: 6 to 12 digits. The message never repeats the PIN.
pub fn check_digits(pin: &str) -> Result<(), String> {
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        let got = if pin.bytes().all(|b| b.is_ascii_digit()) {
            format!("{} digits", pin.len())
        } else {
            "not only digits".to_string()
        };
        return Err(format!(
            "the staff PIN must be {MIN_DIGITS} to {MAX_DIGITS} digits (0-9); got {got}"
        ));
    }
    Ok(())
}

/// A new PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
pub fn hash_pin(pin: &str) -> Result<String, String> {
    check_digits(pin)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no random numbers for the salt: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| format!("salt: {e}"))?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("hashing the PIN: {e}"))
}

/// Checks a configured hash at start-up, so a broken one is reported before any window opens.
pub fn validate_hash(hash: &str) -> Result<(), String> {
    crate::config::check_pin_hash(hash)
        .map_err(|why| format!("kiosk.staff_pin_hash: {why}: make one with `hatarakitai hash-pin`"))
}

fn verify(hash: &str, pin: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(pin.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Now on the wall clock, in unix seconds; None if the clock is before 1970.
pub fn wall_now() -> Option<u64> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinResult {
    Ok,
    Wrong {
        tries_left: u32,
    },
    /// Locked; minutes left (rounded up).
    Locked {
        minutes_left: u32,
    },
    /// No usable PIN (none set yet, or its file cannot be read): nothing opens.
    Unavailable,
}

/// Where the PIN comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinSource {
    /// `[kiosk] staff_pin_hash`: always wins.
    Config(String),
    /// `<data dir>/staff-pin`, set at the kiosk.
    File(String),
    /// None anywhere: the staff corner opens the one-time setup.
    Unset,
    /// `staff-pin` exists but cannot be used (the message names the file): no PIN works and
    /// no setup is offered until an administrator removes it.
    Unreadable(String),
}

/// Why `set_new` stored nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetPin {
    /// A PIN exists already (maybe set meanwhile): the kiosk never replaces it.
    AlreadySet,
    /// Not 6 to 12 digits.
    Invalid(String),
    /// Hashing or writing failed.
    Failed(String),
}

/// The PIN, its files and the lockout. Times are the kiosk clock in milliseconds.
#[derive(Debug, Clone)]
pub struct PinGate {
    source: PinSource,
    files: Option<StaffFiles>,
    failures: u32,
    locked_until: Option<u64>,
    /// A lock read from the file (ms left), placed on the kiosk clock at the first use.
    carried_ms: Option<u64>,
    /// The last failure to keep the lock on disk (for the staff screen).
    problem: Option<String>,
}

impl PinGate {
    /// Nothing on disk (screenshots, `speak`, tests): a PIN set here lives in memory only.
    pub fn memory(config_hash: Option<String>) -> PinGate {
        PinGate::open(config_hash, None, None)
    }

    /// Reads the PIN and the lock from `files` (when given). `wall` is now in unix seconds.
    pub fn open(
        config_hash: Option<String>,
        files: Option<StaffFiles>,
        wall: Option<u64>,
    ) -> PinGate {
        let source = match (config_hash, &files) {
            (Some(h), _) => PinSource::Config(h),
            (None, None) => PinSource::Unset,
            (None, Some(f)) => match f.read_pin() {
                Ok(Some(h)) => PinSource::File(h),
                Ok(None) => PinSource::Unset,
                Err(e) => PinSource::Unreadable(e),
            },
        };
        let mut gate = PinGate {
            source,
            files,
            failures: 0,
            locked_until: None,
            carried_ms: None,
            problem: None,
        };
        let read = gate.files.as_ref().map(StaffFiles::read_lock);
        match read {
            None | Some(Ok(None)) => {}
            Some(Ok(Some(rec))) => gate.carry(rec, wall),
            Some(Err(e)) => {
                // A lock file that cannot be read might have said "locked": lock, then write
                // a sound record so the next start reads it.
                gate.failures = MAX_FAILURES;
                gate.carried_ms = Some(LOCK_MS);
                gate.problem = Some(format!("lock file unreadable, locked for 5 minutes: {e}"));
                gate.save(wall, true);
            }
        }
        gate
    }

    /// A lock record from the file, against the wall clock now.
    fn carry(&mut self, rec: LockRecord, wall: Option<u64>) {
        let left_secs = match (rec.locked_until, wall) {
            // Locked, end not known (written without a clock): the whole lock.
            (0, _) => (rec.failures >= MAX_FAILURES).then_some(LOCK_SECS),
            (_, None) => Some(LOCK_SECS),
            (end, Some(now)) if now < end => Some((end - now).min(LOCK_SECS)),
            // The lock is over: fresh tries.
            (_, Some(_)) => {
                self.failures = 0;
                return;
            }
        };
        match left_secs {
            Some(s) => {
                self.failures = MAX_FAILURES;
                self.carried_ms = Some(s * 1000);
            }
            None => self.failures = rec.failures,
        }
    }

    /// Writes the failures (and the lock's end, if locked) to the lock file.
    fn save(&mut self, wall: Option<u64>, locked: bool) {
        let Some(files) = &self.files else { return };
        let locked_until = match (locked, wall) {
            (true, Some(w)) => w.saturating_add(LOCK_SECS),
            // Without a clock the failures alone say "locked" (read back as a whole lock).
            _ => 0,
        };
        let rec = LockRecord {
            failures: self.failures,
            locked_until,
        };
        match files.write_lock(rec) {
            Ok(()) => self.problem = None,
            Err(e) => self.problem = Some(format!("the lock could not be saved: {e}")),
        }
    }

    pub fn source(&self) -> &PinSource {
        &self.source
    }

    /// No PIN yet: the staff corner opens the setup.
    pub fn needs_setup(&self) -> bool {
        self.source == PinSource::Unset
    }

    /// The PIN file cannot be used: why, naming the file.
    pub fn unreadable(&self) -> Option<&str> {
        match &self.source {
            PinSource::Unreadable(why) => Some(why),
            _ => None,
        }
    }

    pub fn files(&self) -> Option<&StaffFiles> {
        self.files.as_ref()
    }

    /// Something went wrong keeping the lock on disk (the lock itself still holds).
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// Without a usable PIN, looks again: one may have been put in the data dir since the
    /// start, or an administrator removed an unreadable file (then the setup is offered).
    pub fn reload(&mut self) {
        if !matches!(self.source, PinSource::Unset | PinSource::Unreadable(_)) {
            return;
        }
        if let Some(f) = &self.files {
            self.source = match f.read_pin() {
                Ok(Some(h)) => PinSource::File(h),
                Ok(None) => PinSource::Unset,
                Err(e) => PinSource::Unreadable(e),
            };
        }
    }

    /// Places a lock carried over from the last run on the kiosk clock.
    pub fn settle(&mut self, now: u64) {
        if let Some(ms) = self.carried_ms.take() {
            self.locked_until = Some(now.saturating_add(ms));
        }
    }

    /// Minutes left if locked at `now`.
    pub fn locked(&self, now: u64) -> Option<u32> {
        if let Some(ms) = self.carried_ms {
            return Some(ms.div_ceil(60_000) as u32);
        }
        self.locked_until
            .filter(|&t| now < t)
            .map(|t| (t - now).div_ceil(60_000) as u32)
    }

    /// A PIN typed at `now` (kiosk clock); `wall` (unix seconds) goes into the lock file.
    pub fn check(&mut self, now: u64, wall: Option<u64>, pin: &str) -> PinResult {
        self.settle(now);
        if let Some(minutes_left) = self.locked(now) {
            return PinResult::Locked { minutes_left };
        }
        if self.locked_until.take().is_some() {
            // The lock ran out: a fresh set of tries.
            self.failures = 0;
        }
        let hash = match &self.source {
            PinSource::Config(h) | PinSource::File(h) => h,
            PinSource::Unset | PinSource::Unreadable(_) => return PinResult::Unavailable,
        };
        if verify(hash, pin) {
            if self.failures > 0 {
                self.failures = 0;
                self.save(wall, false);
            }
            return PinResult::Ok;
        }
        self.failures += 1;
        if self.failures >= MAX_FAILURES {
            self.failures = MAX_FAILURES;
            self.locked_until = Some(now.saturating_add(LOCK_MS));
            self.save(wall, true);
            return PinResult::Locked {
                minutes_left: (LOCK_MS / 60_000) as u32,
            };
        }
        self.save(wall, false);
        PinResult::Wrong {
            tries_left: MAX_FAILURES - self.failures,
        }
    }

    /// The one-time setup: stores the first PIN (hash only). Refused once any PIN exists, and
    /// never replaces a `staff-pin` that appeared meanwhile.
    pub fn set_new(&mut self, pin: &str) -> Result<(), SetPin> {
        self.reload();
        if self.source != PinSource::Unset {
            return Err(SetPin::AlreadySet);
        }
        check_digits(pin).map_err(SetPin::Invalid)?;
        let hash = hash_pin(pin).map_err(SetPin::Failed)?;
        if let Some(f) = &self.files {
            match f.write_new_pin(&hash) {
                Ok(()) => {}
                Err(WriteNew::Exists) => {
                    self.reload_any();
                    return Err(SetPin::AlreadySet);
                }
                Err(WriteNew::Failed(e)) => return Err(SetPin::Failed(e)),
            }
        }
        self.source = PinSource::File(hash);
        Ok(())
    }

    /// Reads the PIN file whatever the state (after losing a race to another writer).
    fn reload_any(&mut self) {
        self.source = PinSource::Unset;
        self.reload();
        if self.source == PinSource::Unset {
            // It was there a moment ago: never offer the setup over it.
            self.source = PinSource::Unreadable("the PIN file changed while it was set".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WALL: u64 = 1_800_000_000;

    fn gate_with(pin: &str) -> PinGate {
        PinGate::memory(Some(hash_pin(pin).unwrap_or_default()))
    }

    #[test]
    fn hash_roundtrip_and_salted() {
        let a = hash_pin("246813").unwrap_or_default();
        let b = hash_pin("246813").unwrap_or_default();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "each hash has its own salt");
        assert!(validate_hash(&a).is_ok());
        let mut gate = PinGate::memory(Some(a));
        assert_eq!(
            gate.check(0, None, "123456"),
            PinResult::Wrong { tries_left: 4 }
        );
        assert_eq!(gate.check(0, None, "246813"), PinResult::Ok);
        assert!(hash_pin("12a456").is_err());
        assert!(hash_pin("12345").is_err(), "5 digits are too few");
        assert!(hash_pin("1234567890123").is_err(), "13 are too many");
        assert!(hash_pin("123456789012").is_ok());
        assert!(validate_hash("plain-1234").is_err());
        assert!(validate_hash("1234").is_err());
        let e = check_digits("12345").err().unwrap_or_default();
        assert!(e.contains("6 to 12") && !e.contains("12345"), "{e}");
    }

    #[test]
    fn no_pin_means_nothing_opens() {
        let mut gate = PinGate::memory(None);
        assert!(gate.needs_setup());
        for pin in ["1234", "", "000000", "123456"] {
            assert_eq!(gate.check(0, None, pin), PinResult::Unavailable, "{pin}");
        }
        assert_eq!(
            gate.set_new("12345"),
            Err(SetPin::Invalid(
                check_digits("12345").err().unwrap_or_default()
            ))
        );
        assert_eq!(gate.set_new("975310"), Ok(()));
        assert!(!gate.needs_setup());
        assert_eq!(
            gate.set_new("111111"),
            Err(SetPin::AlreadySet),
            "one time only"
        );
        assert_eq!(gate.check(0, None, "975310"), PinResult::Ok);
        assert_eq!(
            gate.check(0, None, "111111"),
            PinResult::Wrong { tries_left: 4 }
        );
    }

    #[test]
    fn five_wrong_lock_for_five_minutes() {
        let mut gate = gate_with("246813");
        for left in (1..5).rev() {
            assert_eq!(
                gate.check(1000, None, "000000"),
                PinResult::Wrong { tries_left: left }
            );
        }
        assert_eq!(
            gate.check(1000, None, "000000"),
            PinResult::Locked { minutes_left: 5 }
        );
        // Even the right PIN is refused while locked.
        assert_eq!(
            gate.check(1000 + 60_000, None, "246813"),
            PinResult::Locked { minutes_left: 4 }
        );
        assert_eq!(gate.check(1000 + LOCK_MS, None, "246813"), PinResult::Ok);
    }

    #[test]
    fn the_lock_survives_a_restart_and_the_clock_cannot_stretch_it() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let files = || Some(StaffFiles::new(dir.path()));
        let hash = hash_pin("246813").ok();
        let mut gate = PinGate::open(hash.clone(), files(), Some(WALL));
        for _ in 0..3 {
            gate.check(10, Some(WALL), "000000");
        }
        // Three wrong, restart, two more: locked (the count was kept).
        let mut gate = PinGate::open(hash.clone(), files(), Some(WALL + 5));
        assert_eq!(
            gate.check(10, Some(WALL + 5), "000000"),
            PinResult::Wrong { tries_left: 1 }
        );
        assert_eq!(
            gate.check(20, Some(WALL + 5), "000000"),
            PinResult::Locked { minutes_left: 5 }
        );
        // Restarted a minute later: still locked, 4 minutes left, the right PIN refused.
        let mut again = PinGate::open(hash.clone(), files(), Some(WALL + 65));
        assert_eq!(again.locked(0), Some(4));
        assert_eq!(
            again.check(7_000, Some(WALL + 65), "246813"),
            PinResult::Locked { minutes_left: 4 }
        );
        assert_eq!(
            again.check(7_000 + 240_000, Some(WALL + 305), "246813"),
            PinResult::Ok
        );

        // The clock set back a year at the restart: at most 5 minutes, never a year.
        let mut gate = PinGate::open(hash.clone(), files(), Some(WALL));
        for _ in 0..5 {
            gate.check(10, Some(WALL), "000000");
        }
        let back = PinGate::open(hash.clone(), files(), Some(WALL - 365 * 86_400));
        assert_eq!(back.locked(0), Some(5));
        let mut back = back;
        back.settle(0);
        assert_eq!(
            back.locked(LOCK_MS),
            None,
            "over after 5 minutes of kiosk time"
        );
        // No clock at all: locked for the whole 5 minutes, then open.
        let mut none = PinGate::open(hash.clone(), files(), None);
        none.settle(100);
        assert_eq!(none.locked(100), Some(5));
        assert_eq!(none.locked(100 + LOCK_MS), None);
        // The clock set forward: the lock is simply over.
        let fwd = PinGate::open(hash.clone(), files(), Some(WALL + 86_400));
        assert_eq!(fwd.locked(0), None);
    }

    #[test]
    fn a_lock_written_without_a_clock_still_locks_after_a_restart() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let files = || Some(StaffFiles::new(dir.path()));
        let hash = hash_pin("246813").ok();
        let mut gate = PinGate::open(hash.clone(), files(), None);
        for _ in 0..5 {
            gate.check(10, None, "000000");
        }
        let later = PinGate::open(hash, files(), Some(WALL));
        assert_eq!(later.locked(0), Some(5));
    }

    #[test]
    fn a_corrupt_lock_file_locks_and_is_repaired() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let files = StaffFiles::new(dir.path());
        std::fs::write(files.lock_path(), "failures = ???").unwrap_or_else(|e| panic!("{e}"));
        let gate = PinGate::open(hash_pin("246813").ok(), Some(files.clone()), Some(WALL));
        assert_eq!(gate.locked(0), Some(5));
        assert_eq!(
            files.read_lock(),
            Ok(Some(LockRecord {
                failures: MAX_FAILURES,
                locked_until: WALL + LOCK_SECS
            }))
        );
    }

    #[test]
    fn an_unreadable_pin_file_is_never_replaced_by_a_setup() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let files = StaffFiles::new(dir.path());
        std::fs::write(files.pin_path(), "garbage").unwrap_or_else(|e| panic!("{e}"));
        let mut gate = PinGate::open(None, Some(files.clone()), Some(WALL));
        assert!(!gate.needs_setup());
        assert!(gate.unreadable().is_some_and(|w| w.contains("staff-pin")));
        assert_eq!(gate.set_new("246813"), Err(SetPin::AlreadySet));
        assert_eq!(gate.check(0, Some(WALL), "246813"), PinResult::Unavailable);
        assert_eq!(
            std::fs::read_to_string(files.pin_path()).unwrap_or_default(),
            "garbage"
        );
        // The config's hash wins over the file, readable or not.
        let mut cfg = PinGate::open(hash_pin("135790").ok(), Some(files), Some(WALL));
        assert_eq!(cfg.check(0, Some(WALL), "135790"), PinResult::Ok);
    }
}
