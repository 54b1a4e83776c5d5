//! Desk: a scanned slip → its intake record shown, with 50 000 records in desk.sqlite
//! (PRODUCT.md §11: ≤ 50 ms).
//!
//! The database is made once by `DeskStore::open` (schema) and filled in one transaction with
//! the same rows `DeskStore::open_or_create` writes (record + audit line) for 50 000 slips
//! over five years, then cached under `target/bench-data/` (delete it to rebuild). Each run
//! works on a copy. Timed through the real `DeskController::scan` with the real decoder:
//! clean → decode (XChaCha20-Poly1305) → look up / create → record view.

use std::time::Duration;

use chrono_tz::Asia::Tokyo;
use criterion::{Criterion, criterion_group, criterion_main};

mod desk_data;
use desk_data::{FIRST, KEY, RECORDS, database, payload_for};
use hatarakitai::content::Content;
use hatarakitai::desk::controller::{DeskController, Notice};
use hatarakitai::desk::store::DeskStore;

fn benches(c: &mut Criterion) {
    let content = Content::embedded().unwrap();
    let cached = database(&content).unwrap();
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("desk.sqlite");
    std::fs::copy(&cached, &path).unwrap();
    let store = DeskStore::open(&path).unwrap();
    assert_eq!(store.count().unwrap(), i64::from(RECORDS));
    let decode = hatarakitai::desk::run::decoder(vec![KEY], content.clone(), Tokyo);
    let mut ctrl = DeskController::new(store, content.clone(), Tokyo, "bench".into(), decode);
    let now = FIRST + 5 * 365 * 86_400;

    // A slip whose record exists (the 25 000th), as the scanner types it: with CR/LF.
    let existing = format!(
        "{}\r\n",
        payload_for(&content, 25_000, FIRST + 25_000 * 3153)
    );
    assert!(matches!(ctrl.scan(&existing, now), Notice::Opened { .. }));
    let mut g = c.benchmark_group("desk (50 000 records)");
    g.measurement_time(Duration::from_secs(4));
    g.bench_function("scan → existing record shown", |b| {
        b.iter(|| {
            let n = ctrl.scan(&existing, now);
            assert!(matches!(n, Notice::Opened { created: false }));
        })
    });
    // First scan of a new slip: the record is created (one durable transaction) and shown.
    let mut serial = RECORDS;
    g.sample_size(30);
    g.bench_function("scan → new record created and shown", |b| {
        b.iter_batched(
            || {
                serial += 1;
                format!("{}\r\n", payload_for(&content, serial, now - 3600))
            },
            |text| {
                let n = ctrl.scan(&text, now);
                assert!(matches!(n, Notice::Opened { created: true }), "{n:?}");
            },
            criterion::BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// NETWORK.md on one PC: the due list and council-stats over the 50 000 records, in a
/// centre's real shape (cases older than a year ended; the year's open cases with a meeting
/// whose review lies within the coming 100 days; every 20th with 就職 and four 定着支援).
fn network(c: &mut Criterion) {
    let content = Content::embedded().unwrap();
    let cached = database(&content).unwrap();
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("desk.sqlite");
    std::fs::copy(&cached, &path).unwrap();
    drop(DeskStore::open(&path).unwrap());
    let span = 5 * 365 * 86_400 / i64::from(RECORDS);
    let cut = FIRST + i64::from(RECORDS - 10_000) * span;
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&format!(
        "BEGIN;
         UPDATE intake SET stage = 6, closed_at = created_at + 86400 * 90 WHERE created_at < {cut};
         UPDATE intake SET stage = id % 6 WHERE created_at >= {cut};
         INSERT INTO meeting (intake_id, day, participants, agenda, decision, goal, goal_day, review_day, created_by, created_at)
         SELECT id, date(created_at, 'unixepoch'), '本人、支援員', '', '方針', '目標', date(created_at + 86400 * 60, 'unixepoch'),
                CASE WHEN created_at >= {cut} THEN date('2026-11-21', '+' || (id % 100) || ' days') ELSE date(created_at + 86400 * 30, 'unixepoch') END,
                'bench', created_at
         FROM intake;
         INSERT INTO case_link (intake_id, agency_id, role, from_day, to_day, consent_day, consent_scope, consent_by, created_at, created_by)
         SELECT id, 'hw-town', '就労', '', '', '', '', '', created_at, 'bench' FROM intake;
         INSERT INTO followup (intake_id, kind, phase, from_day, to_day, due_day, note, done_day, done_by, created_by, created_at)
         SELECT id, 'employment', '', '2026-10-01', '', '', '', '', '', 'bench', created_at FROM intake WHERE id % 20 = 0;
         INSERT INTO followup (intake_id, kind, phase, from_day, to_day, due_day, note, done_day, done_by, created_by, created_at)
         SELECT i.id, 'retention', p.label, p.day, '', p.day, '', CASE WHEN p.day < '2026-11-01' THEN p.day ELSE '' END, '', 'bench', i.created_at
         FROM intake i, (SELECT '2週間' AS label, '2026-10-15' AS day UNION ALL SELECT '1か月', '2026-11-01' UNION ALL SELECT '3か月', '2027-01-01' UNION ALL SELECT '6か月', '2027-04-01') p
         WHERE i.id % 20 = 0;
         INSERT INTO audit (intake_id, at, who, field, old, new)
         SELECT id, created_at + 86400 * 7, 'bench', 'stage', 'インテーク', 'アセスメント' FROM intake
         UNION ALL SELECT id, created_at + 86400 * 30, 'bench', 'stage', 'アセスメント', 'プランニング' FROM intake
         UNION ALL SELECT id, closed_at, 'bench', 'stage', 'プランニング', 'ターミネーション' FROM intake WHERE closed_at IS NOT NULL;
         COMMIT;
         ANALYZE;"
    ))
    .unwrap();
    drop(conn);
    let store = DeskStore::open(&path).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    println!(
        "sqlite realistic mix: {} items due within 7 days",
        store.due(today, 7).unwrap().len()
    );
    let mut g = c.benchmark_group("desk network (50 000 records)");
    g.bench_function(
        "sqlite: due list (10 000 open, reviews and follow-ups)",
        |b| b.iter(|| assert!(!store.due(today, 7).unwrap().is_empty())),
    );
    let from = chrono::NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
    let stages: Vec<&str> = hatarakitai::desk::intake::Stage::ALL
        .iter()
        .map(|s| s.label_ja())
        .collect();
    g.bench_function("sqlite: council-stats, one year", |b| {
        b.iter(|| {
            let (months, counts) = store.council_counts(Tokyo, &content, from, today).unwrap();
            let r = hatarakitai::network::council::report(
                &counts,
                months,
                &stages,
                &[],
                hatarakitai::network::agency::KINDS,
            );
            assert!(r.csv().contains("新規インテーク"));
        })
    });
    g.finish();
}

criterion_group!(desk_benches, benches, network);
criterion_main!(desk_benches);
