//! The team desk on a real PostgreSQL server (TEAM.md §4, 50 000 records): scan → record
//! shown ≤ 50 ms and search by name ≤ 50 ms, through the real `DeskController` and store;
//! a kiosk publishing a busy day (300 visits) ≤ 100 ms, through `store::shared::publish`;
//! the due list and council-stats over 50 000 records (NETWORK.md, ≤ 50 ms).
//! The server is the tests' own (initdb + pg_ctl on a loopback port); without PostgreSQL
//! installed the benchmark says so and measures nothing.

#[path = "../tests/pg_support/mod.rs"]
mod pg_support;

use std::time::Instant;

use chrono_tz::Asia::Tokyo;
use criterion::{Criterion, criterion_group, criterion_main};
use hatarakitai::answers::Answers;
use hatarakitai::content::Content;
use hatarakitai::desk::controller::{DeskController, Notice};
use hatarakitai::desk::store::postgres::PgTarget;
use hatarakitai::desk::store::{DeskStore, Search};
use hatarakitai::lang::Lang;
use hatarakitai::payload::{self, CentreKey, VisitRecord};

const RECORDS: i64 = 50_000;
const KEY: CentreKey = CentreKey {
    id: 9,
    key: [0x5a; 32],
};
const FIRST: i64 = 1_638_316_800;

fn bench(cr: &mut Criterion) {
    let Some(pg) = pg_support::server() else {
        return;
    };
    let url = pg.new_database("bench");
    let target = PgTarget::new(&url, None).unwrap();
    // Schema by the desk itself, then 50 000 records (and their audit lines) in one statement.
    drop(DeskStore::connect(&target).unwrap());
    let t0 = Instant::now();
    let mut c = pg.client(&url);
    c.batch_execute(&format!(
        "INSERT INTO intake (kiosk_id, serial, issued_at, lang, questionnaire_version, answers, routes, receipt_no, created_at, updated_at, name, furigana, stage)
         SELECT 1, g, {FIRST} + g * 3153, 'ja', 1, '[[\"goal\",\"work_now\"]]', '[\"hellowork_open\"]', 'r-' || g, {FIRST} + g * 3153, {FIRST} + g * 3153,
                '利用者' || g, 'りようしゃ' || g, g % 7
         FROM generate_series(1, {RECORDS}) AS g;
         INSERT INTO audit (intake_id, at, who, field, old, new) SELECT id, created_at, 'desk', 'created', '', 'scan' FROM intake;
         ANALYZE;"
    ))
    .unwrap();
    println!(
        "filled PostgreSQL with {RECORDS} records in {:?}",
        t0.elapsed()
    );
    let content = Content::embedded().unwrap();
    let mut a = Answers::new(&content.questionnaire);
    a.set(0, Some(0));
    let o = hatarakitai::matcher::match_answers(&content, &a);
    // A slip of a visit that is already a record (serial 25 000), as a rescan at a desk.
    let rec = VisitRecord::from_visit(&content, &a, &o, Lang::Ja, 1, 25_000, FIRST + 25_000 * 3153)
        .unwrap();
    let text = payload::encode(&rec, &KEY, [7; 24]).unwrap();
    let store = DeskStore::connect(&target).unwrap();
    let decode = hatarakitai::desk::run::decoder(vec![KEY], content.clone(), Tokyo);
    let mut desk = DeskController::new(store, content, Tokyo, "bench".into(), decode);
    cr.bench_function(
        "postgres: scan → existing record shown (50 000 records)",
        |b| {
            b.iter(|| {
                let n = desk.scan(&text, FIRST + 200_000_000).clone();
                assert_eq!(n, Notice::Opened { created: false });
                desk.close();
            })
        },
    );
    // NETWORK.md: a meeting and a link for every record, then the due list and the council.
    c.batch_execute(
        "INSERT INTO meeting (intake_id, day, participants, agenda, decision, goal, goal_day, review_day, created_by, created_at)
         SELECT id, to_char(to_timestamp(created_at) AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD'), '本人、支援員', '', '方針', '目標',
                to_char(to_timestamp(created_at + 86400 * 60) AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD'),
                to_char(to_timestamp(created_at + 86400 * 30) AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD'), 'bench', created_at
         FROM intake;
         INSERT INTO case_link (intake_id, agency_id, role, from_day, to_day, consent_day, consent_scope, consent_by, created_at, created_by)
         SELECT id, 'hw-town', '就労', '', '', '', '', '', created_at, 'bench' FROM intake;
         ANALYZE;",
    )
    .unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let content2 = Content::embedded().unwrap();
    let council = |desk: &DeskController| {
        let from = chrono::NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
        let (months, counts) = desk
            .store()
            .council_counts(Tokyo, &content2, from, today)
            .unwrap();
        let r = hatarakitai::network::council::report(
            &counts,
            months,
            &["インテーク"],
            &["ハローワーク（障がい者枠）".to_string()],
            hatarakitai::network::agency::KINDS,
        );
        assert!(!r.csv().is_empty());
    };
    // The worst case first: 43 000 open cases (stage = id mod 7), every review overdue, so
    // the whole list comes back.
    cr.bench_function(
        "postgres: due list, worst case (43 000 open cases, all overdue)",
        |b| {
            b.iter(|| {
                let due = desk.store().due(today, 7).unwrap();
                assert!(due.len() > 40_000);
            })
        },
    );
    // A centre's real shape: cases older than a year have ended; the year's ~10 000 open
    // cases have their next review spread over the coming 100 days (some overdue), three stage
    // changes in every case's audit trail (the council reads them), one
    // 就職 with its four 定着支援 contacts in every 20th case.
    let cut = FIRST + (RECORDS - 10_000) * 3153;
    c.batch_execute(&format!(
        "UPDATE intake SET stage = 6, closed_at = created_at + 86400 * 90 WHERE created_at < {cut};
         UPDATE intake SET stage = id % 6 WHERE created_at >= {cut};
         UPDATE meeting SET review_day = to_char(DATE '2026-11-21' + (intake_id % 100)::int, 'YYYY-MM-DD')
          WHERE intake_id IN (SELECT id FROM intake WHERE created_at >= {cut});
         INSERT INTO followup (intake_id, kind, phase, from_day, to_day, due_day, note, done_day, done_by, created_by, created_at)
         SELECT id, 'employment', '', '2026-10-01', '', '', '', '', '', 'bench', created_at FROM intake WHERE id % 20 = 0;
         INSERT INTO followup (intake_id, kind, phase, from_day, to_day, due_day, note, done_day, done_by, created_by, created_at)
         SELECT i.id, 'retention', p.label, p.day, '', p.day, '', CASE WHEN p.day < '2026-11-01' THEN p.day ELSE '' END, '', 'bench', i.created_at
         FROM intake i, (VALUES ('2週間', '2026-10-15'), ('1か月', '2026-11-01'), ('3か月', '2027-01-01'), ('6か月', '2027-04-01')) AS p(label, day)
         WHERE i.id % 20 = 0;
         INSERT INTO audit (intake_id, at, who, field, old, new)
         SELECT id, created_at + 86400 * 7, 'bench', 'stage', 'インテーク', 'アセスメント' FROM intake
         UNION ALL SELECT id, created_at + 86400 * 30, 'bench', 'stage', 'アセスメント', 'プランニング' FROM intake
         UNION ALL SELECT id, closed_at, 'bench', 'stage', 'プランニング', 'ターミネーション' FROM intake WHERE closed_at IS NOT NULL;
         ANALYZE;"
    ))
    .unwrap();
    let n = desk.store().due(today, 7).unwrap().len();
    println!("realistic mix: {n} items due within 7 days");
    cr.bench_function(
        "postgres: due list (50 000 records, 10 000 open, reviews and follow-ups)",
        |b| {
            b.iter(|| {
                let due = desk.store().due(today, 7).unwrap();
                assert!(!due.is_empty());
            })
        },
    );
    cr.bench_function("postgres: council-stats, one year (50 000 records)", |b| {
        b.iter(|| council(&desk))
    });
    cr.bench_function("postgres: search by name (50 000 records)", |b| {
        b.iter(|| {
            let r = desk
                .search(&Search {
                    text: "利用者2500".into(),
                    ..Search::default()
                })
                .unwrap();
            assert!(!r.is_empty());
        })
    });
}

/// A kiosk with 300 visits today publishes the day (the server already has it, so exactly
/// today is sent again, as after every visit).
fn publish(cr: &mut Criterion) {
    let Some(pg) = pg_support::server() else {
        return;
    };
    let url = pg.new_database("bench_publish");
    drop(DeskStore::connect(&PgTarget::new(&url, None).unwrap()).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let loaded = hatarakitai::config::Loaded::load(None).unwrap();
    let now = chrono::Utc::now();
    hatarakitai::kiosk::simulate::run(
        &loaded,
        dir.path(),
        &hatarakitai::kiosk::simulate::Options {
            visits: 300,
            days: 1,
            seed: 7,
            report_commits: false,
        },
        now,
    )
    .unwrap();
    let store = hatarakitai::store::kiosk::KioskStore::open_existing(
        &dir.path().join("kiosk.sqlite"),
        Tokyo,
    )
    .unwrap();
    let today = store.local_date(now);
    let mut client = PgTarget::for_setting("[kiosk] publish_to", &url, None)
        .unwrap()
        .connect("bench", std::time::Duration::from_secs(5))
        .unwrap();
    let first = hatarakitai::store::shared::publish(&mut client, &store, 1, today, now.timestamp())
        .unwrap();
    println!("first publish: {}", first.summary(1, "bench"));
    cr.bench_function("postgres: kiosk publishes a day (300 visits)", |b| {
        b.iter(|| {
            let p =
                hatarakitai::store::shared::publish(&mut client, &store, 1, today, now.timestamp())
                    .unwrap();
            assert_eq!(p.days, vec![today]);
        })
    });
}

criterion_group!(benches, bench, publish);
criterion_main!(benches);
