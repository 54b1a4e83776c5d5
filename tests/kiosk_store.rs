//! The kiosk store on real SQLite files in temp folders: serials, the commit before the slip,
//! receipt numbers, local days, file permissions, and clear errors for damaged, unwritable,
//! missing or newer files.

mod store_support;

use std::path::Path;

use chrono_tz::Asia::Tokyo;
use hatarakitai::answers::Answers;
use hatarakitai::kiosk::backend::{EndReason, PrintResult};
use hatarakitai::lang::Lang;
use hatarakitai::store::kiosk::{KioskStore, RecordedAnswer, SlipState, VisitEnd};
use hatarakitai::store::{ErrorKind, quarantine};
use store_support::{date, jst};

type R = Result<(), Box<dyn std::error::Error>>;

fn db(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("kiosk.sqlite")
}

#[test]
fn serials_are_unique_per_kiosk_survive_reopen_and_are_never_reused() -> R {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    let t = jst(2026, 10, 1, 10, 0);
    {
        let mut s = KioskStore::open(&path, Tokyo)?;
        let serials: Vec<u32> = (0..3)
            .map(|_| s.begin_visit(1, t, Lang::Ja, false).map(|v| v.serial))
            .collect::<Result<_, _>>()?;
        assert_eq!(serials, [1, 2, 3]);
        assert_eq!(
            s.begin_visit(2, t, Lang::En, false)?.serial,
            1,
            "own sequence per kiosk"
        );
    }
    let mut s = KioskStore::open(&path, Tokyo)?;
    assert_eq!(
        s.begin_visit(1, t, Lang::Ja, false)?.serial,
        4,
        "after reopen"
    );
    // Retention removes every visit; the next serial still goes on.
    let folded = s.fold_expired(jst(2026, 12, 31, 12, 0), 30)?;
    assert_eq!(folded.visits, 5);
    assert!(s.visit(1, 4)?.is_none());
    assert_eq!(
        s.begin_visit(1, jst(2026, 12, 31, 12, 0), Lang::Ja, false)?
            .serial,
        5
    );
    Ok(())
}

#[test]
fn a_completed_visit_is_readable_from_a_second_connection_at_once() -> R {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    let mut kiosk = KioskStore::open(&path, Tokyo)?;
    let v = kiosk.begin_visit(1, jst(2026, 11, 25, 14, 0), Lang::JaEasy, false)?;
    kiosk.record_answer(v, jst(2026, 11, 25, 14, 1), 0, Some(1))?;
    kiosk.record_answer(v, jst(2026, 11, 25, 14, 1), 1, Some(0))?;
    kiosk.record_answer(v, jst(2026, 11, 25, 14, 2), 2, None)?;
    // Back to question 1, a different answer: the last one wins, the count is kept.
    kiosk.record_answer(v, jst(2026, 11, 25, 14, 2), 0, Some(3))?;
    kiosk.record_display(v, Lang::JaEasy, true)?;
    kiosk.record_results(v, jst(2026, 11, 25, 14, 3), &["ikou", "keizoku_b"])?;
    let answers = Answers::from_slots(vec![Some(3), Some(0), None]);
    let receipt = kiosk.complete_visit(
        v,
        jst(2026, 11, 25, 14, 5),
        &answers,
        &["ikou", "keizoku_b", "daycare"],
        1,
    )?;
    assert_eq!(receipt.receipt_no, "1125-001");
    assert_eq!(receipt.serial, v.serial);

    // A second connection (another process would be the same) sees it right away.
    let reader = KioskStore::open_existing(&path, Tokyo)?;
    let rec = reader.visit(1, v.serial)?.ok_or("visit not found")?;
    assert_eq!(
        rec.answers,
        vec![
            RecordedAnswer {
                question: 0,
                option: Some(3),
                times: 2
            },
            RecordedAnswer {
                question: 1,
                option: Some(0),
                times: 1
            },
            RecordedAnswer {
                question: 2,
                option: None,
                times: 1
            },
        ]
    );
    assert_eq!(rec.routes, ["ikou", "keizoku_b", "daycare"]);
    assert_eq!(
        rec.receipt.as_ref().map(|r| r.receipt_no.as_str()),
        Some("1125-001")
    );
    assert_eq!(rec.questionnaire_version, Some(1));
    assert_eq!(rec.lang, Lang::JaEasy);
    assert!(rec.large_text);
    assert_eq!(rec.slip, SlipState::NotPrinted);
    // Committed for the slip = completed, even if the program dies before the end is recorded.
    assert_eq!(rec.end, Some(VisitEnd::Ended(EndReason::Completed)));

    kiosk.record_print(
        v,
        jst(2026, 11, 25, 14, 5),
        &PrintResult::Failed("paper end".into()),
    )?;
    assert_eq!(
        reader.visit(1, v.serial)?.map(|r| r.slip),
        Some(SlipState::Failed("paper end".into()))
    );
    // A reprint keeps the receipt number.
    let again = kiosk.complete_visit(v, jst(2026, 11, 25, 14, 7), &answers, &["ikou"], 1)?;
    assert_eq!(again.receipt_no, "1125-001");
    assert_eq!(again.issued_at, receipt.issued_at);
    kiosk.record_print(v, jst(2026, 11, 25, 14, 7), &PrintResult::Printed)?;
    kiosk.end_visit(v, jst(2026, 11, 25, 14, 8), EndReason::Completed)?;
    let rec = reader.visit(1, v.serial)?.ok_or("visit not found")?;
    assert_eq!(rec.slip, SlipState::Printed);
    assert_eq!(rec.print_failures, 1);
    assert_eq!(rec.routes, ["ikou"]);
    Ok(())
}

#[test]
fn receipt_numbers_carry_the_local_day_and_serial() -> R {
    let dir = tempfile::tempdir()?;
    let mut s = KioskStore::open(&db(&dir), Tokyo)?;
    let a = Answers::default();
    let mut receipt_at = |t| -> Result<String, Box<dyn std::error::Error>> {
        let v = s.begin_visit(1, t, Lang::Ja, false)?;
        Ok(s.complete_visit(v, t, &a, &["ikou"], 1)?.receipt_no)
    };
    assert_eq!(receipt_at(jst(2026, 11, 25, 9, 0))?, "1125-001");
    assert_eq!(receipt_at(jst(2026, 11, 25, 23, 59))?, "1125-002");
    // Date of the local day + the visit serial (what the desk derives from the QR).
    // 00:01 JST is still the 25th in UTC, but a new day at the centre.
    assert_eq!(receipt_at(jst(2026, 11, 26, 0, 1))?, "1126-003");
    assert_eq!(receipt_at(jst(2026, 11, 26, 10, 0))?, "1126-004");
    Ok(())
}

#[test]
fn visits_at_2359_and_0001_jst_fall_on_different_days_and_hours() -> R {
    let dir = tempfile::tempdir()?;
    let mut s = KioskStore::open(&db(&dir), Tokyo)?;
    s.begin_visit(1, jst(2026, 11, 25, 23, 59), Lang::Ja, false)?;
    s.begin_visit(1, jst(2026, 11, 26, 0, 1), Lang::Ja, false)?;
    s.record_staff_call(1, jst(2026, 11, 26, 0, 2), None)?;
    let b = s.buckets(date(2026, 11, 25), date(2026, 11, 26))?;
    let got: Vec<_> = b
        .iter()
        .map(|b| (b.date, b.hour, b.figures.started, b.figures.staff_calls))
        .collect();
    assert_eq!(
        got,
        [
            (date(2026, 11, 25), 23, 1, 0),
            (date(2026, 11, 26), 0, 1, 1)
        ]
    );
    assert_eq!(s.buckets(date(2026, 11, 26), date(2026, 11, 26))?.len(), 1);
    Ok(())
}

#[test]
fn steps_on_an_unknown_or_folded_visit_are_not_found_errors() -> R {
    let dir = tempfile::tempdir()?;
    let mut s = KioskStore::open(&db(&dir), Tokyo)?;
    let v = s.begin_visit(1, jst(2026, 1, 5, 10, 0), Lang::Ja, false)?;
    s.fold_expired(jst(2026, 3, 1, 10, 0), 30)?;
    let e = s
        .record_answer(v, jst(2026, 3, 1, 10, 0), 0, Some(1))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    let e = s
        .end_visit(v, jst(2026, 3, 1, 10, 0), EndReason::Completed)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    Ok(())
}

#[test]
fn unfinished_visits_are_closed_as_interrupted() -> R {
    let dir = tempfile::tempdir()?;
    let mut s = KioskStore::open(&db(&dir), Tokyo)?;
    let open = s.begin_visit(1, jst(2026, 11, 25, 10, 0), Lang::Ja, false)?;
    let done = s.begin_visit(1, jst(2026, 11, 25, 10, 5), Lang::Ja, false)?;
    s.end_visit(
        done,
        jst(2026, 11, 25, 10, 6),
        EndReason::Abandoned {
            at_question: Some(2),
        },
    )?;
    assert_eq!(s.close_unfinished(jst(2026, 11, 25, 11, 0))?, 1);
    assert_eq!(
        s.visit(1, open.serial)?.and_then(|r| r.end),
        Some(VisitEnd::Interrupted)
    );
    assert_eq!(
        s.visit(1, done.serial)?.and_then(|r| r.end),
        Some(VisitEnd::Ended(EndReason::Abandoned {
            at_question: Some(2)
        }))
    );
    assert_eq!(s.close_unfinished(jst(2026, 11, 25, 11, 0))?, 0);
    Ok(())
}

#[cfg(unix)]
#[test]
fn the_database_and_its_wal_are_private() -> R {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    let mut s = KioskStore::open(&path, Tokyo)?;
    s.begin_visit(1, jst(2026, 11, 25, 10, 0), Lang::Ja, false)?;
    let mode = |p: &Path| std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777);
    assert_eq!(mode(&path)?, 0o600);
    assert_eq!(mode(&dir.path().join("kiosk.sqlite-wal"))?, 0o600);
    drop(s);
    // A copy with loose permissions is made private again on open.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))?;
    let _s = KioskStore::open(&path, Tokyo)?;
    assert_eq!(mode(&path)?, 0o600);
    Ok(())
}

#[test]
fn a_garbage_file_is_a_clear_corrupt_error_and_can_be_moved_aside() -> R {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    let garbage: Vec<u8> = (0..10_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&path, &garbage)?;
    let e = KioskStore::open(&path, Tokyo).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Corrupt, "{e}");
    let msg = e.to_string();
    assert!(msg.contains("kiosk.sqlite"), "names the file: {msg}");
    assert!(msg.contains("move it aside"), "says what to do: {msg}");
    assert_eq!(
        std::fs::read(&path)?,
        garbage,
        "the damaged file is left as it was"
    );

    let aside = quarantine(&path, jst(2026, 11, 25, 10, 0))?;
    assert!(
        aside
            .to_string_lossy()
            .contains("kiosk.sqlite.damaged-20261125T010000")
    );
    assert_eq!(std::fs::read(&aside)?, garbage);
    let mut s = KioskStore::open(&path, Tokyo)?;
    assert_eq!(
        s.begin_visit(1, jst(2026, 11, 25, 10, 0), Lang::Ja, false)?
            .serial,
        1
    );
    Ok(())
}

#[test]
fn damaged_pages_in_a_real_database_are_reported_not_panicked() -> R {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    {
        let mut s = KioskStore::open(&path, Tokyo)?;
        for i in 0..300 {
            let v = s.begin_visit(1, jst(2026, 11, 25, 10, i % 60), Lang::Ja, false)?;
            s.record_results(
                v,
                jst(2026, 11, 25, 10, i % 60),
                &["hellowork_open", "ikou"],
            )?;
        }
    }
    // Overwrite everything after the first page (schema page kept, tables destroyed).
    let mut bytes = std::fs::read(&path)?;
    assert!(bytes.len() > 8192);
    for (i, b) in bytes.iter_mut().enumerate().skip(4096) {
        *b = (i * 7 % 251) as u8;
    }
    std::fs::write(&path, &bytes)?;
    let e = KioskStore::open(&path, Tokyo).unwrap_err();
    eprintln!("{e}");
    assert_eq!(e.kind, ErrorKind::Corrupt, "{e}");
    assert!(e.to_string().contains("kiosk.sqlite"), "{e}");
    Ok(())
}

#[test]
fn a_missing_file_is_not_created_by_open_existing() -> R {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    let e = KioskStore::open_existing(&path, Tokyo).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    assert!(!path.exists());
    Ok(())
}

#[test]
fn a_database_from_a_newer_version_is_refused() -> R {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    drop(KioskStore::open(&path, Tokyo)?);
    let c = rusqlite::Connection::open(&path)?;
    c.pragma_update(None, "user_version", 99)?;
    drop(c);
    let e = KioskStore::open(&path, Tokyo).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooNew, "{e}");
    assert!(e.to_string().contains("update hatarakitai"), "{e}");
    Ok(())
}

#[test]
fn a_data_folder_that_cannot_be_created_is_a_clear_error() -> R {
    let dir = tempfile::tempdir()?;
    // A regular file where the data folder should be: no user (root included) can create it.
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, b"x")?;
    let e = KioskStore::open(&file.join("data").join("kiosk.sqlite"), Tokyo).unwrap_err();
    eprintln!("{e}");
    assert_eq!(e.kind, ErrorKind::Unwritable, "{e}");
    assert!(e.to_string().contains("creating the data folder"), "{e}");
    assert!(e.to_string().contains("--data-dir"), "{e}");
    Ok(())
}

/// A read-only data folder. Root ignores permission bits, so as root the folder is made
/// immutable with `chattr +i` where the file system allows it; otherwise this test only
/// covers unprivileged users.
#[cfg(unix)]
#[test]
fn a_read_only_data_folder_is_a_clear_error() -> R {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    std::fs::create_dir(&data)?;
    // An existing database (made while writable), closed cleanly: no -wal / -shm left.
    drop(KioskStore::open(&data.join("kiosk.sqlite"), Tokyo)?);

    struct Restore<'a>(&'a Path, bool);
    impl Drop for Restore<'_> {
        fn drop(&mut self) {
            if self.1 {
                let _ = std::process::Command::new("chattr")
                    .arg("-i")
                    .arg(self.0)
                    .status();
            }
            let _ = std::fs::set_permissions(self.0, std::fs::Permissions::from_mode(0o700));
        }
    }
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o500))?;
    let mut guard = Restore(&data, false);
    if std::fs::write(data.join("probe"), b"x").is_ok() {
        // Running as root: try to make the folder immutable instead.
        std::fs::remove_file(data.join("probe"))?;
        let ok = std::process::Command::new("chattr")
            .arg("+i")
            .arg(&data)
            .status()
            .is_ok_and(|s| s.success());
        guard.1 = ok;
        if !ok {
            eprintln!("skipped: running as root on a file system without chattr +i");
            return Ok(());
        }
    }
    let e = KioskStore::open(&data.join("new.sqlite"), Tokyo).unwrap_err();
    eprintln!("{e}");
    assert_eq!(e.kind, ErrorKind::Unwritable, "new file: {e}");
    assert!(e.to_string().contains("new.sqlite"), "{e}");
    let e = KioskStore::open(&data.join("kiosk.sqlite"), Tokyo).unwrap_err();
    eprintln!("{e}");
    assert_eq!(e.kind, ErrorKind::Unwritable, "existing file: {e}");
    assert!(e.to_string().contains("writable"), "{e}");
    drop(guard);
    Ok(())
}

/// Not a test on its own: the writer process for `kill_9_loses_no_committed_visit`.
/// Without HATARAKITAI_TEST_CHILD_DB it does nothing and passes.
#[test]
fn child_writer() -> R {
    let Some(path) = std::env::var_os("HATARAKITAI_TEST_CHILD_DB") else {
        return Ok(());
    };
    let mut s = KioskStore::open(Path::new(&path), Tokyo)?;
    let a = Answers::from_slots(vec![Some(0), Some(1), None, Some(2)]);
    for i in 0u32.. {
        let t = jst(2026, 11, 25, 9, 0) + chrono::Duration::seconds(i64::from(i));
        let v = s.begin_visit(1, t, Lang::Ja, false)?;
        for q in 0..4 {
            s.record_answer(v, t, q, a.get(q))?;
        }
        s.record_results(v, t, &["ikou", "keizoku_b"])?;
        let r = s.complete_visit(v, t, &a, &["ikou", "keizoku_b"], 1)?;
        // Only now is the visit committed: say so.
        println!("committed {} {}", v.serial, r.receipt_no);
        s.end_visit(v, t, EndReason::Completed)?;
    }
    Ok(())
}

#[cfg(unix)]
#[test]
fn kill_9_loses_no_committed_visit() -> R {
    use std::io::BufRead;
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .args(["--exact", "child_writer", "--nocapture", "--test-threads=1"])
        .env("HATARAKITAI_TEST_CHILD_DB", &path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut committed = Vec::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line?;
        if let Some(rest) = line.strip_prefix("committed ") {
            committed.push(rest.to_string());
            if committed.len() == 150 {
                child.kill()?; // SIGKILL: no destructors, no clean close
                break;
            }
        }
    }
    child.wait()?;
    assert_eq!(committed.len(), 150, "the writer stopped early");
    let c = rusqlite::Connection::open(&path)?;
    let check: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    assert_eq!(check, "ok");
    drop(c);
    let s = KioskStore::open(&path, Tokyo)?;
    for line in &committed {
        let (serial, receipt) = line.split_once(' ').ok_or("bad line")?;
        let rec = s
            .visit(1, serial.parse()?)?
            .ok_or(format!("visit {serial} lost"))?;
        assert_eq!(rec.receipt.map(|r| r.receipt_no), Some(receipt.to_string()));
        assert_eq!(rec.routes, ["ikou", "keizoku_b"]);
        assert_eq!(rec.answers.len(), 4);
    }
    Ok(())
}
