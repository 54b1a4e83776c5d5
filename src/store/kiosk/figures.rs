//! The statistical side of `kiosk.sqlite`: per-hour figures of local days, read from raw
//! visits and folded `agg` rows through the same counting (`collect_raw` serves reports and
//! folding alike), and retention's fold of expired days into daily totals.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use rusqlite::{Connection, params};

use super::{
    END_ABANDONED, END_COMPLETED, END_IDLE, END_INTERRUPTED, FoldSummary, KioskStore, day_from_key,
    day_key,
};
use crate::lang::Lang;
use crate::stats::figures::{Bucket, Figures};
use crate::store::StoreError;

fn bump(map: &mut BTreeMap<String, u64>, key: &str, n: u64) {
    match map.get_mut(key) {
        Some(c) => *c += n,
        None => {
            map.insert(key.to_string(), n);
        }
    }
}

/// Raw rows of local days `from..=to` (keys) into per-hour figures. Shared by reports and
/// folding, so both count exactly the same way.
fn collect_raw(
    conn: &Connection,
    from: i64,
    to: i64,
    out: &mut BTreeMap<(i64, u8), Figures>,
) -> rusqlite::Result<()> {
    let mut st = conn.prepare_cached(
        "SELECT day, hour, lang, large_text, end_reason, end_question, printed, print_failures
         FROM visit WHERE day BETWEEN ?1 AND ?2",
    )?;
    let mut rows = st.query([from, to])?;
    while let Some(r) = rows.next()? {
        let f = out.entry((r.get(0)?, r.get(1)?)).or_default();
        f.started += 1;
        let code: u8 = r.get(2)?;
        match Lang::from_code(code) {
            Some(l) => bump(&mut f.languages, l.id(), 1),
            None => bump(&mut f.languages, &format!("code-{code}"), 1),
        }
        if r.get::<_, bool>(3)? {
            f.large_text += 1;
        }
        let at: Option<u8> = r.get(5)?;
        match r.get::<_, Option<i64>>(4)? {
            Some(END_COMPLETED) => f.completed += 1,
            Some(END_ABANDONED) => {
                f.abandoned += 1;
                *f.abandoned_at.entry(at).or_default() += 1;
            }
            Some(END_IDLE) => {
                f.idle_resets += 1;
                *f.idle_at.entry(at).or_default() += 1;
            }
            Some(END_INTERRUPTED) => f.interrupted += 1,
            _ => {}
        }
        if r.get::<_, bool>(6)? {
            f.slips_printed += 1;
        }
        f.print_failures += r.get::<_, u32>(7)? as u64;
    }
    let mut st = conn.prepare_cached(
        "SELECT v.day, v.hour, r.rank, r.route FROM visit v
         JOIN visit_route r ON r.visit_id = v.id WHERE v.day BETWEEN ?1 AND ?2",
    )?;
    let mut rows = st.query([from, to])?;
    while let Some(r) = rows.next()? {
        let f = out.entry((r.get(0)?, r.get(1)?)).or_default();
        let route = r.get_ref(3)?.as_str()?;
        bump(&mut f.routes, route, 1);
        if r.get::<_, i64>(2)? == 0 {
            bump(&mut f.routes_first, route, 1);
        }
    }
    let mut st = conn.prepare_cached(
        "SELECT day, hour, COUNT(*) FROM staff_call WHERE day BETWEEN ?1 AND ?2 GROUP BY day, hour",
    )?;
    let mut rows = st.query([from, to])?;
    while let Some(r) = rows.next()? {
        out.entry((r.get(0)?, r.get(1)?)).or_default().staff_calls += r.get::<_, i64>(2)? as u64;
    }
    Ok(())
}

fn collect_folded(
    conn: &Connection,
    from: i64,
    to: i64,
    out: &mut BTreeMap<(i64, u8), Figures>,
) -> rusqlite::Result<()> {
    let mut st = conn
        .prepare_cached("SELECT day, hour, metric, key, n FROM agg WHERE day BETWEEN ?1 AND ?2")?;
    let mut rows = st.query([from, to])?;
    while let Some(r) = rows.next()? {
        let f = out.entry((r.get(0)?, r.get(1)?)).or_default();
        let n: i64 = r.get(4)?;
        f.add_metric(
            r.get_ref(2)?.as_str()?,
            r.get_ref(3)?.as_str()?,
            n.max(0) as u64,
        );
    }
    Ok(())
}

impl KioskStore {
    /// The statistics of local days `from..=to`: this store's buckets, summed.
    pub fn report(
        &self,
        content: &crate::content::Content,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<crate::stats::StatsReport, StoreError> {
        let buckets = self.buckets(from, to)?;
        Ok(crate::stats::StatsReport::new(from, to, &buckets, content))
    }

    /// Figures per local hour for local days `from..=to`, raw and folded alike, in date and
    /// hour order. Hours with nothing recorded are left out.
    pub fn buckets(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Bucket>, StoreError> {
        let (from, to) = (day_key(from), day_key(to));
        let map = self.read("reading statistics", |c| {
            let mut map = BTreeMap::new();
            collect_folded(c, from, to, &mut map)?;
            collect_raw(c, from, to, &mut map)?;
            Ok(map)
        })?;
        Ok(map
            .into_iter()
            .filter_map(|((day, hour), figures)| {
                Some(Bucket {
                    date: day_from_key(day)?,
                    hour,
                    figures,
                })
            })
            .collect())
    }

    /// The first local day with anything recorded (raw or folded), for a first publish.
    pub fn first_day(&self) -> Result<Option<NaiveDate>, StoreError> {
        let k: Option<i64> = self.read("reading the first day", |c| {
            c.query_row(
                "SELECT min(d) FROM (SELECT min(day) AS d FROM visit
                 UNION ALL SELECT min(day) FROM staff_call UNION ALL SELECT min(day) FROM agg)",
                [],
                |r| r.get(0),
            )
        })?;
        Ok(k.and_then(day_from_key))
    }

    /// Retention: folds every local day older than `retention_days` before today (in the
    /// centre's zone) into aggregate rows and deletes its visits, answers, routes and staff
    /// calls. One transaction per day; idempotent; safe to interrupt (a day is either still
    /// raw or fully folded). On error, the days already folded stay folded.
    pub fn fold_expired(
        &mut self,
        now: DateTime<Utc>,
        retention_days: u32,
    ) -> Result<FoldSummary, StoreError> {
        let today = self.local_date(now);
        let keep_from = today
            .checked_sub_days(Days::new(u64::from(retention_days)))
            .unwrap_or(NaiveDate::MIN);
        let cutoff = day_key(keep_from);
        let days: Vec<i64> = self.read("looking for days to fold", |c| {
            let mut st = c.prepare(
                "SELECT day FROM visit WHERE day < ?1 UNION SELECT day FROM staff_call WHERE day < ?1
                 ORDER BY 1",
            )?;
            st.query_map([cutoff], |r| r.get(0))?.collect()
        })?;
        let mut summary = FoldSummary::default();
        for day in days {
            let (visits, calls) = self.fold_day(day)?;
            summary.days += 1;
            summary.visits += visits;
            summary.staff_calls += calls;
        }
        self.write("removing old receipt counters", |tx| {
            tx.execute("DELETE FROM receipt_seq WHERE day < ?1", [cutoff])
        })?;
        if summary.days > 0 {
            // Best effort: also drop the deleted rows' old page images from the WAL file.
            let _ = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
        Ok(summary)
    }

    fn fold_day(&mut self, day: i64) -> Result<(u64, u64), StoreError> {
        self.write("folding an old day into daily totals", |tx| {
            let mut map = BTreeMap::new();
            collect_raw(tx, day, day, &mut map)?;
            {
                let mut st = tx.prepare_cached(
                    "INSERT INTO agg (day, hour, metric, key, n) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (day, hour, metric, key) DO UPDATE SET n = n + excluded.n",
                )?;
                for ((d, hour), f) in &map {
                    for (metric, key, n) in f.metrics() {
                        st.execute(params![d, hour, metric, key, n.min(i64::MAX as u64) as i64])?;
                    }
                }
            }
            tx.execute(
                "DELETE FROM answer WHERE visit_id IN (SELECT id FROM visit WHERE day = ?1)",
                [day],
            )?;
            tx.execute(
                "DELETE FROM visit_route WHERE visit_id IN (SELECT id FROM visit WHERE day = ?1)",
                [day],
            )?;
            let visits = tx.execute("DELETE FROM visit WHERE day = ?1", [day])?;
            let calls = tx.execute("DELETE FROM staff_call WHERE day = ?1", [day])?;
            Ok((visits as u64, calls as u64))
        })
    }
}
