//! Stats over five years of visits (PRODUCT.md §11: one day and one month ≤ 10 ms).
//!
//! The database is filled once through the store's public API — ~150 000 visits on weekdays
//! 09:00–17:30 JST from 2021-12 to 2026-11, folded daily with 30 days of retention as the kiosk
//! does — and cached under `target/bench-data/` (the fill takes a while; delete the file to
//! rebuild it). Then it times `stats::report` for one day and one month, both still raw
//! (within retention) and long folded, plus opening the file (quick_check included).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Asia::Tokyo;
use criterion::{Criterion, criterion_group, criterion_main};
use hatarakitai::answers::Answers;
use hatarakitai::content::Content;
use hatarakitai::kiosk::backend::{EndReason, PrintResult};
use hatarakitai::lang::Lang;
use hatarakitai::stats::{By, Format};
use hatarakitai::store::kiosk::KioskStore;

const VISITS_PER_WEEKDAY: u64 = 115;
const RETENTION_DAYS: u32 = 30;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 12, 1).unwrap_or_default()
}

fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default()
}

fn jst(d: NaiveDate, secs_after_9: u64) -> DateTime<Utc> {
    let t =
        d.and_hms_opt(9, 0, 0).unwrap_or_default() + chrono::Duration::seconds(secs_after_9 as i64);
    Tokyo
        .from_local_datetime(&t)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn fill(path: &Path, content: &Content) -> Result<u64, Box<dyn std::error::Error>> {
    let mut s = KioskStore::open(path, Tokyo)?;
    s.unsafe_fast_writes()?;
    let q = &content.questionnaire;
    let routes: Vec<&str> = content
        .catalogue
        .routes
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != content.catalogue.handoff)
        .map(|(_, r)| r.id.as_str())
        .collect();
    let mut rng = Rng(2026);
    let mut visits = 0;
    for day in first_day().iter_days().take_while(|d| *d <= last_day()) {
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        let n = VISITS_PER_WEEKDAY - 15 + rng.below(31);
        let mut starts: Vec<u64> = (0..n).map(|_| rng.below(8 * 3600 + 1800)).collect();
        starts.sort_unstable();
        for start in starts {
            let t = jst(day, start);
            let v = s.begin_visit(
                1,
                t,
                Lang::ALL[(rng.below(10) / 8) as usize],
                rng.below(5) == 0,
            )?;
            let mut a = Answers::new(q);
            let answered = if rng.below(10) < 8 {
                q.len()
            } else {
                rng.below(q.len() as u64) as usize
            };
            for qi in 0..answered {
                let opt = rng.below(q.questions[qi].options.len() as u64) as u8;
                s.record_answer(v, t, qi, Some(opt))?;
                a.set(qi, Some(opt));
            }
            if answered < q.len() {
                let at = Some(answered as u8);
                let end = if rng.below(2) == 0 {
                    EndReason::Abandoned { at_question: at }
                } else {
                    EndReason::IdleReset { at_question: at }
                };
                s.end_visit(v, t, end)?;
            } else {
                let k = 1 + rng.below(3) as usize;
                let first = rng.below(routes.len() as u64) as usize;
                let shown: Vec<&str> = (0..k)
                    .map(|i| routes[(first + i * 3) % routes.len()])
                    .collect();
                s.record_results(v, t, &shown)?;
                if rng.below(10) < 9 {
                    s.complete_visit(v, t, &a, &shown, q.version)?;
                    let r = if rng.below(30) == 0 {
                        PrintResult::Failed("paper end".into())
                    } else {
                        PrintResult::Printed
                    };
                    s.record_print(v, t, &r)?;
                }
                s.end_visit(v, t, EndReason::Completed)?;
            }
            if rng.below(25) == 0 {
                s.record_staff_call(1, t, Some(v))?;
            }
            visits += 1;
        }
        // The kiosk folds once a day.
        s.fold_expired(jst(day, 9 * 3600), RETENTION_DAYS)?;
    }
    Ok(visits)
}

/// The cached five-year database, built on first use.
fn database(content: &Content) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("bench-data");
    let path = dir.join("stats-5y-v1.sqlite");
    if path.exists() {
        return Ok(path);
    }
    std::fs::create_dir_all(&dir)?;
    let building = dir.join("stats-5y-v1.building.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", building.display()));
    }
    let t0 = Instant::now();
    let visits = fill(&building, content)?;
    eprintln!(
        "built {} with {visits} visits in {:.1} s",
        path.display(),
        t0.elapsed().as_secs_f64()
    );
    // Checkpoint and close before the rename, so the cached file is complete on its own.
    {
        let c = rusqlite::Connection::open(&building)?;
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        c.pragma_update(None, "journal_mode", "DELETE")?;
    }
    std::fs::rename(&building, &path)?;
    Ok(path)
}

fn benches(c: &mut Criterion) {
    let setup = Content::embedded()
        .map_err(|e| e.to_string())
        .and_then(|content| {
            let path = database(&content).map_err(|e| format!("building the database: {e}"))?;
            let store = KioskStore::open_existing(&path, Tokyo).map_err(|e| e.to_string())?;
            Ok((content, path, store))
        });
    let (content, path, store) = match setup {
        Ok(s) => s,
        Err(e) => {
            eprintln!("stats benchmark skipped: {e}");
            return;
        }
    };
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let total = store
        .report(&content, first_day(), last_day())
        .map(|r| r.total.started);
    eprintln!("database: {} visits in total", total.unwrap_or(0));

    let cases = [
        (
            "one day, raw (2026-11-25)",
            d(2026, 11, 25),
            d(2026, 11, 25),
        ),
        ("one month, raw (2026-11)", d(2026, 11, 1), d(2026, 11, 30)),
        (
            "one day, folded (2024-06-12)",
            d(2024, 6, 12),
            d(2024, 6, 12),
        ),
        ("one month, folded (2024-06)", d(2024, 6, 1), d(2024, 6, 30)),
        (
            "one month, half folded (2026-10-15..11-14)",
            d(2026, 10, 15),
            d(2026, 11, 14),
        ),
        ("five years", first_day(), last_day()),
    ];
    let mut g = c.benchmark_group("stats");
    g.measurement_time(Duration::from_secs(4));
    for (name, from, to) in cases {
        g.bench_function(name, |b| {
            b.iter(|| store.report(&content, from, to).map(|r| r.total.started))
        });
    }
    g.bench_function("one month, report + CSV (2024-06)", |b| {
        b.iter(|| {
            store
                .report(&content, d(2024, 6, 1), d(2024, 6, 30))
                .map(|r| r.render(Format::Csv, By::Day).len())
        })
    });
    g.sample_size(20);
    g.bench_function("open (quick_check, migrations)", |b| {
        b.iter(|| KioskStore::open_existing(&path, Tokyo).is_ok())
    });
    g.finish();
}

criterion_group!(stats_benches, benches);
criterion_main!(stats_benches);
