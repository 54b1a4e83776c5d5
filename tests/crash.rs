//! Crash safety (PRODUCT.md §8): the real binary runs `simulate --report-commits` on one data
//! directory and is SIGKILLed (`Child::kill`) at a random moment, again and again. Every visit
//! it reported as committed must survive, the database must pass `PRAGMA integrity_check`,
//! and serials must never repeat across restarts.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hatarakitai::kiosk::simulate::Rng;
use hatarakitai::store::kiosk::KioskStore;

const KILLS: usize = 15;

#[test]
fn sigkill_at_random_moments_loses_no_committed_visit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Long retention, so nothing the test checks is folded away by design.
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[kiosk]\nretention_days = 400\n\n[keys]\nfiles = [\"centre.key\"]\n",
    )
    .unwrap();
    let mut rng = Rng::new(0x5EED_C4A5);
    let mut committed: Vec<(u16, u32)> = Vec::new();
    let mut kills = 0;
    let started = Instant::now();
    for round in 0..KILLS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hatarakitai"))
            .arg("--data-dir")
            .arg(&data)
            .arg("--config")
            .arg(&config)
            .args(["simulate", "--report-commits", "--visits", "100000"])
            .args(["--days", "30", "--seed"])
            .arg(round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Wait for the first commit so every round kills a process that is writing, then
        // let it run 50–400 ms more.
        let first = rx.recv_timeout(Duration::from_secs(20)).unwrap();
        let delay = Duration::from_millis(50 + rng.below(351));
        std::thread::sleep(delay);
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "round {round}: the process was not killed"
        );
        kills += 1;
        reader.join().unwrap();
        let mut n = 0;
        for line in std::iter::once(first).chain(rx.try_iter()) {
            let mut parts = line.split_whitespace();
            if parts.next() != Some("committed") {
                continue; // a partial line cut by the kill never reached stdout
            }
            let (Some(Ok(k)), Some(Ok(s))) = (
                parts.next().map(str::parse::<u16>),
                parts.next().map(str::parse::<u32>),
            ) else {
                continue;
            };
            committed.push((k, s));
            n += 1;
        }
        eprintln!("round {round}: killed after first commit + {delay:?}, {n} commits reported");
    }

    // Integrity, with a plain SQLite connection (no application code on the way).
    let db = data.join("kiosk.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");

    // Serials never repeat: neither in what was reported nor in the table.
    let unique: BTreeSet<_> = committed.iter().copied().collect();
    assert_eq!(unique.len(), committed.len(), "a serial was reported twice");
    let (rows, distinct): (i64, i64) = conn
        .query_row(
            "SELECT COUNT(*), COUNT(DISTINCT kiosk_id || '/' || serial) FROM visit",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(rows, distinct, "serials repeat in the visit table");
    drop(conn);

    // Every reported commit is there, with its receipt.
    let store = KioskStore::open_existing(&db, chrono_tz::Asia::Tokyo).unwrap();
    for &(k, s) in &committed {
        let v = store
            .visit(k, s)
            .unwrap()
            .unwrap_or_else(|| panic!("visit {k}/{s} was reported committed but is missing"));
        assert!(v.receipt.is_some(), "visit {k}/{s} lost its receipt");
    }
    assert!(committed.len() > KILLS, "too few commits to mean anything");
    eprintln!(
        "survived {kills} SIGKILLs in {:?}: {} committed visits all present, {rows} visits, integrity ok",
        started.elapsed(),
        committed.len()
    );
}
