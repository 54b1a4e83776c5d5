//! The staff PIN's files in the data dir (TRUST.md §4). Each is mode 0600 and written whole,
//! through a temporary file in the same folder:
//!
//! - `staff-pin`: the Argon2id PHC string of the PIN chosen at the kiosk's first-time setup,
//!   one line. The kiosk writes it once and never replaces it (a hard link, which fails when
//!   the name exists). An administrator changes the PIN by removing the file (the next press
//!   on the staff corner opens the setup again) or with `[kiosk] staff_pin_hash` from
//!   `hatarakitai hash-pin`, which wins over the file.
//! - `staff-pin-lock`: wrong PINs in a row and when the lock ends (unix seconds), read at
//!   start, so a restart gives no fresh tries. TOML: `failures = 3`, `locked_until = 0`.
//! - `kiosk-name`: the kiosk's name given at the setup (「1階ロビー」), one line.
//!
//! A `staff-pin` that exists but cannot be read, or holds anything but a PIN hash, is never
//! taken as "no PIN": the setup would let whoever stands at the kiosk replace a PIN someone
//! set. The kiosk then opens no staff screen and says which file to remove.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub const PIN_FILE: &str = "staff-pin";
pub const LOCK_FILE: &str = "staff-pin-lock";
pub const NAME_FILE: &str = "kiosk-name";

/// The longest kiosk name, in characters.
pub const MAX_NAME_CHARS: usize = 24;

/// Wrong PINs in a row and the end of the lock (unix seconds, 0 = none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockRecord {
    pub failures: u32,
    #[serde(default)]
    pub locked_until: u64,
}

/// Why a new PIN was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteNew {
    /// A `staff-pin` is there already (set meanwhile): it is kept.
    Exists,
    Failed(String),
}

/// The folder holding the files (the kiosk's data dir).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffFiles {
    dir: PathBuf,
}

impl StaffFiles {
    pub fn new(dir: &Path) -> StaffFiles {
        StaffFiles {
            dir: dir.to_path_buf(),
        }
    }

    pub fn pin_path(&self) -> PathBuf {
        self.dir.join(PIN_FILE)
    }

    pub fn lock_path(&self) -> PathBuf {
        self.dir.join(LOCK_FILE)
    }

    pub fn name_path(&self) -> PathBuf {
        self.dir.join(NAME_FILE)
    }

    /// The stored PIN hash: None when there is no file; Err when there is one that cannot be
    /// read or holds no valid hash (the message never quotes the file's content).
    pub fn read_pin(&self) -> Result<Option<String>, String> {
        let path = self.pin_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let hash = text.trim();
        crate::config::check_pin_hash(hash).map_err(|why| format!("{}: {why}", path.display()))?;
        Ok(Some(hash.to_string()))
    }

    /// Stores a new PIN hash; never replaces an existing file.
    pub fn write_new_pin(&self, hash: &str) -> Result<(), WriteNew> {
        match write_private(&self.dir, PIN_FILE, format!("{hash}\n").as_bytes(), false) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(WriteNew::Exists),
            Err(e) => Err(WriteNew::Failed(format!(
                "{}: {e}",
                self.pin_path().display()
            ))),
        }
    }

    /// The lock record: None when there is no file; Err when it cannot be read or parsed.
    pub fn read_lock(&self) -> Result<Option<LockRecord>, String> {
        let path = self.lock_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        toml::from_str::<LockRecord>(&text)
            .map(Some)
            .map_err(|e| format!("{}: {}", path.display(), e.message().trim()))
    }

    pub fn write_lock(&self, rec: LockRecord) -> Result<(), String> {
        let text = format!(
            "# Wrong staff PINs at this kiosk (hatarakitai). Removing this file ends a lock.\nfailures = {}\nlocked_until = {}\n",
            rec.failures, rec.locked_until
        );
        write_private(&self.dir, LOCK_FILE, text.as_bytes(), true)
            .map_err(|e| format!("{}: {e}", self.lock_path().display()))
    }

    /// The kiosk's name, if one was stored and is still a valid name.
    pub fn read_name(&self) -> Option<String> {
        let text = std::fs::read_to_string(self.name_path()).ok()?;
        let name = text.lines().next().unwrap_or("").trim();
        check_name(name).ok().map(str::to_string)
    }

    pub fn write_name(&self, name: &str) -> Result<(), String> {
        write_private(&self.dir, NAME_FILE, format!("{name}\n").as_bytes(), true)
            .map_err(|e| format!("{}: {e}", self.name_path().display()))
    }
}

/// The kiosk's name when none was given at the setup: 「受付端末 N」 with `[kiosk] id`.
pub fn default_name(kiosk_id: u16) -> String {
    format!("受付端末 {kiosk_id}")
}

/// A kiosk name: 1 to `MAX_NAME_CHARS` characters, no control characters (trimmed first).
pub fn check_name(name: &str) -> Result<&str, String> {
    let name = name.trim();
    let n = name.chars().count();
    if n == 0 || n > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(format!(
            "a kiosk name is 1 to {MAX_NAME_CHARS} characters on one line"
        ));
    }
    Ok(name)
}

/// Writes `bytes` as `dir/name`, mode 0600: a temporary file in `dir`, synced, then renamed
/// over the name (`replace`) or hard-linked to it (never replaces: `AlreadyExists`).
fn write_private(dir: &Path, name: &str, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let written = opts
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let target = dir.join(name);
    let placed = if replace {
        std::fs::rename(&tmp, &target)
    } else {
        std::fs::hard_link(&tmp, &target)
    };
    // After a rename there is nothing left; after a link (or a failure) the temporary name goes.
    let _ = std::fs::remove_file(&tmp);
    placed?;
    // The new name is durable once the folder is synced (best effort).
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(p)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0)
        }
        #[cfg(not(unix))]
        {
            let _ = p;
            0o600
        }
    }

    #[test]
    fn files_are_private_and_a_pin_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let f = StaffFiles::new(&dir.path().join("data"));
        assert_eq!(f.read_pin(), Ok(None));
        assert_eq!(f.read_lock(), Ok(None));
        assert_eq!(f.read_name(), None);
        let hash = crate::kiosk::pin::hash_pin("246813").unwrap_or_default();
        assert_eq!(f.write_new_pin(&hash), Ok(()));
        assert_eq!(f.read_pin(), Ok(Some(hash.clone())));
        assert_eq!(mode(&f.pin_path()), 0o600);
        let other = crate::kiosk::pin::hash_pin("135790").unwrap_or_default();
        assert_eq!(f.write_new_pin(&other), Err(WriteNew::Exists));
        assert_eq!(f.read_pin(), Ok(Some(hash)), "the first PIN stays");

        let rec = LockRecord {
            failures: 5,
            locked_until: 1_800_000_000,
        };
        assert_eq!(f.write_lock(rec), Ok(()));
        assert_eq!(f.read_lock(), Ok(Some(rec)));
        assert_eq!(mode(&f.lock_path()), 0o600);
        assert_eq!(f.write_name("1階ロビー"), Ok(()));
        assert_eq!(f.read_name().as_deref(), Some("1階ロビー"));
        assert_eq!(mode(&f.name_path()), 0o600);
        // No temporary file is left behind.
        let names: Vec<String> = std::fs::read_dir(dir.path().join("data"))
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn a_broken_pin_file_is_an_error_not_a_missing_pin() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let f = StaffFiles::new(dir.path());
        std::fs::write(f.pin_path(), "123456\n").unwrap_or_else(|e| panic!("{e}"));
        let err = f.read_pin().err().unwrap_or_default();
        assert!(err.contains(PIN_FILE), "{err}");
        assert!(
            !err.contains("123456"),
            "the content is never quoted: {err}"
        );
        std::fs::write(f.lock_path(), "failures = lots").unwrap_or_else(|e| panic!("{e}"));
        assert!(f.read_lock().is_err());
    }

    #[test]
    fn kiosk_names_are_short_single_lines() {
        assert_eq!(check_name("  1階ロビー "), Ok("1階ロビー"));
        assert!(check_name("").is_err());
        assert!(check_name("   ").is_err());
        assert!(check_name("a\nb").is_err());
        assert!(check_name(&"あ".repeat(MAX_NAME_CHARS + 1)).is_err());
        assert!(check_name(&"あ".repeat(MAX_NAME_CHARS)).is_ok());
    }
}
