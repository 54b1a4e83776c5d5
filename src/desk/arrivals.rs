//! Did the printed slips reach the desk? Joins the kiosk's visits (when this PC has the
//! kiosk's `kiosk.sqlite`, e.g. a one-PC centre or a copied file) with the desk's intake
//! records on kiosk id + visit serial, per local day. Days whose visits retention has already
//! folded into totals cannot be joined; they are reported as unknown, never guessed.

use std::path::Path;

use chrono::NaiveDate;
use rusqlite::{Connection, OpenFlags, params};

use super::store::DeskStore;
use crate::content::Content;
use crate::store::kiosk::KioskStore;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayArrival {
    pub day: NaiveDate,
    pub started: u64,
    pub completed: u64,
    pub printed: u64,
    /// Printed slips with an intake record at this desk; None = unknown (day already folded).
    pub arrived: Option<u64>,
}

fn key(d: NaiveDate) -> i64 {
    use chrono::Datelike;
    i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
}

pub fn arrivals(
    desk: &DeskStore,
    kiosk_db: &Path,
    content: &Content,
    tz: chrono_tz::Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DayArrival>, String> {
    let store = KioskStore::open_existing(kiosk_db, tz).map_err(|e| e.to_string())?;
    let report = store.report(content, from, to).map_err(|e| e.to_string())?;
    drop(store);
    let conn = Connection::open_with_flags(kiosk_db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("{}: {e}", kiosk_db.display()))?;
    let mut st = conn
        .prepare("SELECT kiosk_id, serial FROM visit WHERE day = ?1 AND printed = 1")
        .map_err(|e| format!("{}: {e}", kiosk_db.display()))?;
    let mut out = Vec::new();
    for (day, f) in &report.days {
        let rows: Vec<(u16, u32)> = st
            .query_map(params![key(*day)], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| format!("{}: {e}", kiosk_db.display()))?;
        let arrived = if rows.len() as u64 == f.slips_printed {
            let mut n = 0;
            for (k, s) in rows {
                if desk.has_visit(k, s).map_err(|e| e.to_string())? {
                    n += 1;
                }
            }
            Some(n)
        } else {
            // Per-visit rows are gone (folded by retention): the join cannot be made.
            None
        };
        out.push(DayArrival {
            day: *day,
            started: f.started,
            completed: f.completed,
            printed: f.slips_printed,
            arrived,
        });
    }
    Ok(out)
}
