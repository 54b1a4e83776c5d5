//! Centre key files on disk (PRODUCT.md §5): read one, write a new one (mode 0600, never
//! overwriting: a replaced key makes every printed slip unreadable), or make it on the kiosk's
//! first run. The key and its text format are `payload::key` (plain data); this is the I/O.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::payload::key::{CentreKey, KeyError};

/// Key files for `CentreKey`: `CentreKey::load(path)`, `key.write_new(path)`,
/// `CentreKey::load_or_create(path)` with this trait in scope.
pub trait KeyFile: Sized {
    fn load(path: &Path) -> Result<Self, KeyError>;
    /// Writes the key to a new file with mode 0600 (creating missing parent folders, 0700).
    /// Refuses to overwrite.
    fn write_new(&self, path: &Path) -> Result<(), KeyError>;
    /// The kiosk's first run: load the key, or make it if the file does not exist yet.
    /// Returns the key and whether it was created.
    fn load_or_create(path: &Path) -> Result<(Self, bool), KeyError>;
}

impl KeyFile for CentreKey {
    fn load(path: &Path) -> Result<CentreKey, KeyError> {
        match std::fs::read_to_string(path) {
            Ok(text) => CentreKey::parse(path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(KeyError::Missing {
                path: path.to_path_buf(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Err(KeyError::Format {
                path: path.to_path_buf(),
                line: None,
                problem: "the file is not text".into(),
            }),
            Err(e) => Err(KeyError::Io {
                path: path.to_path_buf(),
                action: "read",
                error: e.to_string(),
            }),
        }
    }

    /// Writes the key to a new file with mode 0600 (creating missing parent folders, 0700).
    /// Refuses to overwrite: a replaced key makes every printed slip unreadable.
    fn write_new(&self, path: &Path) -> Result<(), KeyError> {
        let io = |action: &'static str, e: std::io::Error| KeyError::Io {
            path: path.to_path_buf(),
            action,
            error: e.to_string(),
        };
        if let Some(parent) = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty() && !p.exists())
        {
            let mut b = std::fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(parent).map_err(|e| io("create", e))?;
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut file = match opts.open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(KeyError::Exists {
                    path: path.to_path_buf(),
                });
            }
            Err(e) => return Err(io("create", e)),
        };
        let written = file
            .write_all(self.to_file_text().as_bytes())
            .and_then(|()| file.sync_all());
        if let Err(e) = written {
            drop(file);
            let _ = std::fs::remove_file(path);
            return Err(io("write", e));
        }
        Ok(())
    }

    /// The kiosk's first run: load the key, or make it if the file does not exist yet.
    /// Returns the key and whether it was created.
    fn load_or_create(path: &Path) -> Result<(CentreKey, bool), KeyError> {
        match CentreKey::load(path) {
            Err(KeyError::Missing { .. }) => {
                let key = CentreKey::generate()?;
                match key.write_new(path) {
                    Ok(()) => Ok((key, true)),
                    // Another process made it in the meantime: use theirs.
                    Err(KeyError::Exists { .. }) => Ok((CentreKey::load(path)?, false)),
                    Err(e) => Err(e),
                }
            }
            other => other.map(|k| (k, false)),
        }
    }
}

/// Loads every key file (e.g. `[keys] files` resolved against the data dir). The first is the
/// kiosk's sealing key; the desk accepts all.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<CentreKey>, KeyError> {
    paths.iter().map(|p| CentreKey::load(p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_new_refuses_to_overwrite_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/centre.key");
        let k = CentreKey::generate().unwrap();
        k.write_new(&p).unwrap();
        assert!(matches!(k.write_new(&p), Err(KeyError::Exists { .. })));
        assert_eq!(CentreKey::load(&p).unwrap(), k);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let (again, created) = CentreKey::load_or_create(&p).unwrap();
        assert_eq!((again, created), (k, false));
        let q = dir.path().join("new.key");
        let (_, created) = CentreKey::load_or_create(&q).unwrap();
        assert!(created);
        assert!(matches!(
            CentreKey::load(&dir.path().join("none.key")),
            Err(KeyError::Missing { .. })
        ));
    }
}
