//! `simulate` drives the real kiosk controller and live backend; `stats` must report exactly
//! what it did, per day and per route, before and after retention folds the days.

use chrono::{TimeZone, Utc};
use hatarakitai::config::Loaded;
use hatarakitai::kiosk::simulate::{self, Options};
use hatarakitai::store::kiosk::KioskStore;

#[test]
fn stats_equal_what_simulate_did_per_day_and_route() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = Loaded::load(None).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 6, 0, 0).unwrap();
    let opts = Options {
        visits: 120,
        days: 4,
        seed: 42,
        report_commits: false,
    };
    let sum = simulate::run(&loaded, dir.path(), &opts, now).unwrap();
    assert_eq!(sum.visits, 120);
    assert!(
        sum.total.started > 80 && sum.total.slips_printed > 40,
        "{:?}",
        sum.total
    );
    let content = loaded.content().unwrap();
    let tz = loaded.config.timezone();
    let check = |store: &KioskStore| {
        let from = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let to = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let report = store.report(&content, from, to).unwrap();
        assert_eq!(sum.days.len(), 4);
        for (date, want) in &sum.days {
            let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
            let got = report
                .day(d)
                .unwrap_or_else(|| panic!("no figures for {date}"));
            assert_eq!(
                (
                    got.started,
                    got.completed,
                    got.abandoned,
                    got.idle_resets,
                    got.slips_printed,
                    got.print_failures,
                    got.staff_calls
                ),
                (
                    want.started,
                    want.completed,
                    want.abandoned,
                    want.idle_resets,
                    want.slips_printed,
                    want.print_failures,
                    want.staff_calls
                ),
                "{date}"
            );
            assert_eq!(got.routes, want.routes, "{date} routes");
        }
        assert_eq!(report.total.started, sum.total.started);
        assert_eq!(report.total.routes, sum.total.routes);
    };
    let mut store = KioskStore::open(&dir.path().join("kiosk.sqlite"), tz).unwrap();
    check(&store);
    // Retention folds the older days into daily totals: every figure stays the same.
    let later = Utc.with_ymd_and_hms(2026, 11, 26, 1, 0, 0).unwrap();
    let folded = store.fold_expired(later, 1).unwrap();
    assert!(folded.days >= 2, "{folded:?}");
    check(&store);
    // Serials never repeat.
    let mut serials = sum.committed.clone();
    serials.sort();
    serials.dedup();
    assert_eq!(serials.len(), sum.committed.len());
}
