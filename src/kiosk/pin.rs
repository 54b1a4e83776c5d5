//! The staff PIN: an Argon2id hash in the config (`kiosk.staff_pin_hash`, made by
//! `hatarakitai hash-pin`), checked with a lockout (5 wrong tries → 5 minutes).
//!
//! Why the `argon2` crate: a 4–8 digit PIN has a tiny key space, so the stored hash must be
//! salted and slow; RustCrypto's `argon2` is well kept, writes the self-describing PHC string
//! (algorithm, parameters and salt in one line for the config file) and verifies in constant
//! time. One crate, no hand-rolled iteration.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// The PIN when none is configured. Documented; the staff screen warns while it is in use.
pub const DEFAULT_PIN: &str = "1234";
pub const MAX_FAILURES: u32 = 5;
pub const LOCK_MS: u64 = 5 * 60 * 1000;
pub const MIN_DIGITS: usize = 4;
pub const MAX_DIGITS: usize = 8;

fn check_digits(pin: &str) -> Result<(), String> {
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "the PIN must be {MIN_DIGITS} to {MAX_DIGITS} digits (0-9)"
        ));
    }
    Ok(())
}

/// A new PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) for the config file.
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
    PasswordHash::new(hash).map(|_| ()).map_err(|e| {
        format!("kiosk.staff_pin_hash is not a valid PIN hash ({e}): make one with `hatarakitai hash-pin`")
    })
}

fn verify(hash: Option<&str>, pin: &str) -> bool {
    match hash {
        None => pin == DEFAULT_PIN,
        Some(h) => match PasswordHash::new(h) {
            Ok(parsed) => Argon2::default()
                .verify_password(pin.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        },
    }
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
}

/// Counts wrong PINs and locks the pad. Times are the kiosk clock in milliseconds.
#[derive(Debug, Clone)]
pub struct PinGate {
    hash: Option<String>,
    failures: u32,
    locked_until: Option<u64>,
}

impl PinGate {
    pub fn new(hash: Option<String>) -> PinGate {
        PinGate {
            hash,
            failures: 0,
            locked_until: None,
        }
    }

    pub fn is_default(&self) -> bool {
        self.hash.is_none()
    }

    /// Minutes left if locked at `now`.
    pub fn locked(&self, now: u64) -> Option<u32> {
        self.locked_until
            .filter(|&t| now < t)
            .map(|t| (t - now).div_ceil(60_000) as u32)
    }

    pub fn check(&mut self, now: u64, pin: &str) -> PinResult {
        if let Some(minutes_left) = self.locked(now) {
            return PinResult::Locked { minutes_left };
        }
        if self.locked_until.is_some() {
            // The lock ran out: a fresh set of tries.
            self.locked_until = None;
            self.failures = 0;
        }
        if verify(self.hash.as_deref(), pin) {
            self.failures = 0;
            return PinResult::Ok;
        }
        self.failures += 1;
        if self.failures >= MAX_FAILURES {
            self.locked_until = Some(now + LOCK_MS);
            return PinResult::Locked {
                minutes_left: (LOCK_MS / 60_000) as u32,
            };
        }
        PinResult::Wrong {
            tries_left: MAX_FAILURES - self.failures,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_roundtrip_and_salted() {
        let a = hash_pin("2468").unwrap_or_default();
        let b = hash_pin("2468").unwrap_or_default();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "each hash has its own salt");
        assert!(validate_hash(&a).is_ok());
        let mut gate = PinGate::new(Some(a));
        assert_eq!(gate.check(0, "1234"), PinResult::Wrong { tries_left: 4 });
        assert_eq!(gate.check(0, "2468"), PinResult::Ok);
        assert!(hash_pin("12a4").is_err());
        assert!(hash_pin("123").is_err());
        assert!(validate_hash("plain-1234").is_err());
    }

    #[test]
    fn five_wrong_lock_for_five_minutes() {
        let mut gate = PinGate::new(None);
        for left in (1..5).rev() {
            assert_eq!(
                gate.check(1000, "0000"),
                PinResult::Wrong { tries_left: left }
            );
        }
        assert_eq!(
            gate.check(1000, "0000"),
            PinResult::Locked { minutes_left: 5 }
        );
        // Even the right PIN is refused while locked.
        assert_eq!(
            gate.check(1000 + 60_000, DEFAULT_PIN),
            PinResult::Locked { minutes_left: 4 }
        );
        assert_eq!(gate.check(1000 + LOCK_MS, DEFAULT_PIN), PinResult::Ok);
    }
}
