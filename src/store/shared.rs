//! Daily visitor statistics in the team's shared database (TEAM.md §3): the kiosk publishes
//! its per-hour aggregates (`Figures::metrics`, never an answer or a payload) into
//! `kiosk_stats`, and every desk reads them back into the same `Bucket`s the kiosk's own
//! `hatarakitai stats` sums, so both give the same report.
//!
//! A publish writes whole days: the day's rows are zeroed, then the current ones upserted, in
//! one transaction; publishing a day twice therefore never counts a visit twice. The kiosk's
//! role needs only SELECT, INSERT, UPDATE on `kiosk_stats` and SELECT on
//! `hatarakitai_schema` (assets/deploy/kiosk-role.sql). Which days: from the newest day the
//! server holds for this kiosk (it may have changed since: a visit that ended after
//! midnight, a crash closed at the next start) to today; everything on a first publish.

use chrono::NaiveDate;
use postgres::GenericClient;

use super::kiosk::{KioskStore, day_from_key, day_key};
use crate::stats::Figures;
use crate::stats::figures::Bucket;

/// The desk schema version that created `kiosk_stats` (the table is defined with the desk's
/// others, `desk::store::schema::KIOSK_STATS`; the day is `YYYYMMDD` like the kiosk's store).
pub const SCHEMA_WITH_STATS: i32 = crate::desk::store::schema::KIOSK_STATS.since as i32;

/// What one publish sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub days: Vec<NaiveDate>,
    pub rows: usize,
    /// Visits started on those days (for the report line).
    pub visits: u64,
}

impl Published {
    pub fn summary(&self, kiosk_id: u16, to: &str) -> String {
        match (self.days.first(), self.days.last()) {
            (Some(a), Some(b)) => format!(
                "kiosk {kiosk_id}: sent {} day{} ({a} – {b}), {} rows, {} visits, to {to}",
                self.days.len(),
                if self.days.len() == 1 { "" } else { "s" },
                self.rows,
                self.visits
            ),
            _ => format!("kiosk {kiosk_id}: nothing recorded yet, nothing sent to {to}"),
        }
    }
}

/// The flat rows of one day's buckets: (hour, metric, key, n), as both desk stores keep them.
pub fn day_rows(buckets: &[Bucket], day: NaiveDate) -> Vec<(i16, String, String, i64)> {
    buckets
        .iter()
        .filter(|b| b.date == day)
        .flat_map(|b| {
            b.figures.metrics().into_iter().map(move |(m, k, n)| {
                (
                    i16::from(b.hour),
                    m.to_string(),
                    k,
                    i64::try_from(n).unwrap_or(i64::MAX),
                )
            })
        })
        .collect()
}

/// Replaces the kiosk's rows of `day` with `buckets`' (inside the caller's transaction).
pub fn upsert_day(
    c: &mut impl GenericClient,
    kiosk_id: u16,
    day: NaiveDate,
    buckets: &[Bucket],
    now: i64,
) -> Result<usize, postgres::Error> {
    let k = i32::from(kiosk_id);
    let d = day_key_i32(day);
    c.execute(
        "UPDATE kiosk_stats SET n = 0, published_at = $3 WHERE kiosk_id = $1 AND day = $2 AND n <> 0",
        &[&k, &d, &now],
    )?;
    let rows = day_rows(buckets, day);
    if rows.is_empty() {
        return Ok(0);
    }
    let hours: Vec<i16> = rows.iter().map(|r| r.0).collect();
    let metrics: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let keys: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    let ns: Vec<i64> = rows.iter().map(|r| r.3).collect();
    c.execute(
        "INSERT INTO kiosk_stats (kiosk_id, day, hour, metric, key, n, published_at)
         SELECT $1, $2, h, m, k, n, $7 FROM UNNEST($3::smallint[], $4::text[], $5::text[], $6::bigint[]) AS t(h, m, k, n)
         ON CONFLICT (kiosk_id, day, hour, metric, key)
         DO UPDATE SET n = EXCLUDED.n, published_at = EXCLUDED.published_at",
        &[&k, &d, &hours, &metrics, &keys, &ns, &now],
    )?;
    Ok(rows.len())
}

fn day_key_i32(d: NaiveDate) -> i32 {
    i32::try_from(day_key(d)).unwrap_or(i32::MAX)
}

/// One row read back: kiosk, day key, hour, metric, key, n.
pub type StatRow = (i32, i32, i16, String, String, i64);

/// Sums rows into per-kiosk buckets, in (kiosk, day, hour) order. Unknown metrics (from a
/// newer kiosk) are skipped, as in the kiosk's own store.
pub fn buckets_from_rows(rows: impl IntoIterator<Item = StatRow>) -> Vec<(u16, Bucket)> {
    let mut map: std::collections::BTreeMap<(u16, NaiveDate, u8), Figures> = Default::default();
    for (kiosk, day, hour, metric, key, n) in rows {
        let (Ok(kiosk), Some(date), Ok(hour), Ok(n)) = (
            u16::try_from(kiosk),
            day_from_key(i64::from(day)),
            u8::try_from(hour),
            u64::try_from(n),
        ) else {
            continue;
        };
        if n == 0 {
            continue;
        }
        map.entry((kiosk, date, hour))
            .or_default()
            .add_metric(&metric, &key, n);
    }
    map.into_iter()
        .map(|((k, date, hour), figures)| {
            (
                k,
                Bucket {
                    date,
                    hour,
                    figures,
                },
            )
        })
        .collect()
}

/// Why a publish did not happen, and whether trying again later can help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishError {
    pub message: String,
    /// false: a setting or the server's schema must change first (retrying will not help).
    pub retry: bool,
}

const NOT_SET_UP: &str = "the shared database has no statistics table yet: start a desk on it once (the desk creates the tables), or update the desks";

fn pg(what: &str) -> impl Fn(postgres::Error) -> PublishError + '_ {
    use postgres::error::SqlState;
    move |e| {
        let detail = e
            .as_db_error()
            .map(|d| d.message().to_string())
            .unwrap_or_else(|| e.to_string());
        match e.code() {
            Some(c) if *c == SqlState::UNDEFINED_TABLE => PublishError {
                message: NOT_SET_UP.into(),
                retry: true,
            },
            Some(c) if *c == SqlState::INSUFFICIENT_PRIVILEGE => PublishError {
                message: format!(
                    "{what} failed ({detail}): give the kiosk's role its rights with assets/deploy/kiosk-role.sql"
                ),
                retry: false,
            },
            // Connection trouble is worth another try; a refusal by the server is not.
            code => PublishError {
                message: format!("{what} failed ({detail})"),
                retry: code.is_none(),
            },
        }
    }
}

/// Publishes the kiosk's days that the server may not have in full yet (see the module
/// comment), up to `today`.
pub fn publish(
    c: &mut postgres::Client,
    store: &KioskStore,
    kiosk_id: u16,
    today: NaiveDate,
    now: i64,
) -> Result<Published, PublishError> {
    let version: Option<i32> = c
        .query_opt("SELECT version FROM hatarakitai_schema", &[])
        .map_err(pg("reading the shared schema version"))?
        .map(|r| r.try_get(0))
        .transpose()
        .map_err(pg("reading the shared schema version"))?;
    if version.unwrap_or(0) < SCHEMA_WITH_STATS {
        return Err(PublishError {
            message: NOT_SET_UP.into(),
            retry: true,
        });
    }
    let newest: Option<i32> = c
        .query_one(
            "SELECT max(day) FROM kiosk_stats WHERE kiosk_id = $1",
            &[&i32::from(kiosk_id)],
        )
        .and_then(|r| r.try_get(0))
        .map_err(pg("reading what the server has"))?;
    let from = match newest.and_then(|d| day_from_key(i64::from(d))) {
        Some(d) => d.min(today),
        None => match store.first_day() {
            Ok(Some(d)) => d.min(today),
            Ok(None) => today,
            Err(e) => {
                return Err(PublishError {
                    message: e.to_string(),
                    retry: true,
                });
            }
        },
    };
    let buckets = store.buckets(from, today).map_err(|e| PublishError {
        message: e.to_string(),
        retry: true,
    })?;
    let mut tx = c.transaction().map_err(pg("starting the publish"))?;
    let mut sent = Published {
        days: Vec::new(),
        rows: 0,
        visits: 0,
    };
    for day in from.iter_days().take_while(|d| *d <= today) {
        sent.rows += upsert_day(&mut tx, kiosk_id, day, &buckets, now)
            .map_err(pg("writing the day's figures"))?;
        sent.days.push(day);
    }
    sent.visits = buckets.iter().map(|b| b.figures.started).sum();
    tx.commit().map_err(pg("committing the publish"))?;
    Ok(sent)
}
