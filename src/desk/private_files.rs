//! Files with personal data that the desk writes (TRUST.md §5): printed meeting PDFs. Each is
//! written 0600 through a temporary file in the same folder and renamed into place; the
//! desk's own `pdf/` folder (0700) keeps nothing older than a day, and retention removes the
//! PDFs of the records it removes.

use std::io::Write as _;
use std::path::Path;

/// How long a printed PDF stays in the desk's own folder (it was made to be printed now).
pub const KEEP_SECONDS: u64 = 24 * 3600;

/// Writes `bytes` to `path` whole and private: a temporary file beside it (0600, created
/// new), synced, then renamed, so a failed write never leaves half a file under the real
/// name and no other user can read it at any moment.
pub fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| std::io::Error::other("no file name given (e.g. meeting-12.pdf)"))?;
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = parent.join(format!(".{name}.partial"));
    // A leftover from a crash is replaced, never reused with its old mode.
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let written = opts.open(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    written
        .and_then(|()| std::fs::rename(&tmp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}

/// The desk's PDF folder, made 0700 if new (and tightened if it was not).
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Removes the desk's printed PDFs older than `KEEP_SECONDS` (and stale partial files).
/// Returns how many went. A missing folder is nothing to do.
pub fn prune(dir: &Path, now: std::time::SystemTime) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    for e in entries.flatten() {
        let path = e.path();
        let is_pdf = path
            .extension()
            .is_some_and(|x| x == "pdf" || x == "partial");
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age.as_secs() >= KEEP_SECONDS);
        if is_pdf && old && std::fs::remove_file(&path).is_ok() {
            n += 1;
        }
    }
    n
}

/// Removes the printed PDFs of these meetings (their record was removed).
pub fn remove_meetings(dir: &Path, meetings: &[i64]) -> usize {
    meetings
        .iter()
        .filter(|id| std::fs::remove_file(dir.join(format!("meeting-{id}.pdf"))).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdfs_are_private_and_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("pdf");
        private_dir(&pdf).unwrap();
        let f = pdf.join("meeting-3.pdf");
        write_whole(&f, b"%PDF-1.7").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&f), 0o600);
            assert_eq!(mode(&pdf), 0o700);
        }
        let now = std::time::SystemTime::now();
        assert_eq!(prune(&pdf, now), 0);
        let later = now + std::time::Duration::from_secs(KEEP_SECONDS + 1);
        assert_eq!(prune(&pdf, later), 1);
        assert!(!f.exists());
        write_whole(&f, b"%PDF-1.7").unwrap();
        assert_eq!(remove_meetings(&pdf, &[3, 4]), 1);
        assert!(!f.exists());
    }
}
