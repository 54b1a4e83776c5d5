use super::*;
use chrono::TimeZone;

fn at(h: u32, m: u32) -> DateTime<Utc> {
    chrono_tz::Asia::Tokyo
        .with_ymd_and_hms(2026, 11, 25, h, m, 0)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

#[test]
fn day_keys_round_trip() {
    let d = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
    assert_eq!(day_key(d), 20261125);
    assert_eq!(day_from_key(20261125), Some(d));
    assert_eq!(day_from_key(20261332), None);
}

/// A full disk is simulated with a page limit: the error says so, and nothing panics.
#[test]
fn full_disk_is_a_clear_error() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let mut store = KioskStore::open(&dir.path().join("kiosk.sqlite"), chrono_tz::Asia::Tokyo)?;
    let pages: i64 = store
        .conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))?;
    store.conn.pragma_update(None, "max_page_count", pages)?;
    let mut failed = None;
    for i in 0..2000 {
        let v = match store.begin_visit(1, at(10, 0), Lang::Ja, false) {
            Ok(v) => v,
            Err(e) => {
                failed = Some(e);
                break;
            }
        };
        let routes = vec!["a-long-route-id-to-fill-pages".repeat(8); 3];
        if let Err(e) = store.record_results(v, at(10, i % 60), &routes) {
            failed = Some(e);
            break;
        }
    }
    let e = failed.ok_or("the page limit was never reached")?;
    assert_eq!(e.kind, ErrorKind::DiskFull, "{e}");
    assert!(e.to_string().contains("disk is full"), "{e}");
    assert!(e.to_string().contains("kiosk.sqlite"), "{e}");
    // What was committed before is intact.
    assert!(store.visit(1, 1)?.is_some());
    Ok(())
}
