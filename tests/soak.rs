//! Soak: the real kiosk controller and live backend (`simulate`) in this process for many
//! visits; memory must not grow with the number of visits and the database must grow no
//! more than linearly. Runs in `cargo test` with 1 500 visits; the full soak is
//!
//! ```text
//! SOAK_VISITS=10000 cargo test --release --test soak -- --nocapture
//! ```
//!
//! Memory is VmRSS from /proc/self/status, read at start, after a warm-up (a tenth of the
//! visits, at least 500) and at the end. The visits run as two `simulate::run` calls on one
//! data directory (the second continues the first), so anything leaked stays counted.

use chrono::{TimeZone, Utc};
use hatarakitai::config::Loaded;
use hatarakitai::kiosk::simulate::{self, Options};

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn db_bytes(dir: &std::path::Path) -> u64 {
    ["kiosk.sqlite", "kiosk.sqlite-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum()
}

#[test]
fn memory_flat_and_database_linear_over_many_visits() {
    let visits: u64 = std::env::var("SOAK_VISITS")
        .ok()
        .map(|v| v.parse().expect("SOAK_VISITS is a number"))
        .unwrap_or(1500);
    let warmup = (visits / 10).max(500).min(visits / 2);
    let dir = tempfile::tempdir().unwrap();
    let loaded = Loaded::load(None).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 6, 0, 0).unwrap();
    // 20 days: inside the 30-day retention, so every visit stays and size is per visit.
    let opts = |visits, seed| Options {
        visits,
        days: 20,
        seed,
        report_commits: false,
    };
    let t0 = std::time::Instant::now();
    let rss_start = rss_kib();
    let first = simulate::run(&loaded, dir.path(), &opts(warmup, 1), now).unwrap();
    let rss_warm = rss_kib();
    let db_warm = db_bytes(dir.path());
    let rest = simulate::run(&loaded, dir.path(), &opts(visits - warmup, 2), now).unwrap();
    let rss_end = rss_kib();
    let db_end = db_bytes(dir.path());
    let started = first.total.started + rest.total.started;
    let per_visit = db_end / started.max(1);
    eprintln!(
        "soak: {visits} visits ({started} started, {} slips) in {:.1?}\n  \
         VmRSS start {:.1} MiB, after {warmup} {:.1} MiB, after {visits} {:.1} MiB \
         (growth {:+.1} MiB)\n  kiosk.sqlite {:.2} MiB after {warmup}, {:.2} MiB after {visits} \
         ({per_visit} bytes per started visit)",
        first.total.slips_printed + rest.total.slips_printed,
        t0.elapsed(),
        rss_start as f64 / 1024.0,
        rss_warm as f64 / 1024.0,
        rss_end as f64 / 1024.0,
        (rss_end as f64 - rss_warm as f64) / 1024.0,
        db_warm as f64 / 1048576.0,
        db_end as f64 / 1048576.0,
    );
    assert!(
        rss_end < rss_warm + 8 * 1024,
        "memory grew {} KiB from {warmup} to {visits} visits",
        rss_end.saturating_sub(rss_warm)
    );
    // Linear at most: a visit (answers, results, receipt) is well under 2 KiB; allow 1 MiB of
    // fixed overhead (schema, WAL not yet checkpointed).
    assert!(
        db_end <= started * 2048 + (1 << 20),
        "{db_end} bytes for {started} visits"
    );
    assert!(db_end > db_warm, "the database did not grow with visits");
}
