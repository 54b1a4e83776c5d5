//! Which intake records retention removes (TRUST.md §5), decided in plain Rust from what the
//! store read: a closed record (ターミネーション) some days after it was closed
//! (`[desk] retention_days`), and a record without an end after `[desk] retention_years`
//! without any activity (no save, scan, link, contact, meeting, assessment, follow-up or
//! consent change). The store deletes them with their whole network in one transaction,
//! under a database lock, at most once a day (`RetentionRun::Daily`).

use serde::Serialize;

/// A year for retention: 365 days (a record is kept at least this long, never less).
pub const YEAR_SECONDS: i64 = 365 * 86_400;
/// A daily run is skipped when the last one is younger than this (a desk started twice a
/// day does not run it twice; a run at 9:00 then 8:30 the next day still happens).
pub const DAILY_SECONDS: i64 = 20 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Closed records go this many days after they were closed.
    pub closed_days: u32,
    /// Records without an end go after this many years without activity.
    pub inactive_years: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            closed_days: 365 * 3,
            inactive_years: 5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    /// List what would go; change nothing.
    DryRun,
    /// Remove now (an administrator asked).
    Now,
    /// Remove if no desk did so in the last `DAILY_SECONDS` (a desk starting, or its timer).
    Daily,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Closed more than `closed_days` ago.
    Closed,
    /// No activity for `inactive_years`.
    Inactive,
}

/// One record retention removes (ids and times only: no names leave the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removal {
    pub record: i64,
    pub reason: Reason,
    /// Unix seconds of the last activity.
    pub last_activity: i64,
    /// Its meetings, whose printed PDFs go too.
    pub meetings: Vec<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// False when nothing was done: a daily run not due yet, or another desk running it.
    pub ran: bool,
    pub dry_run: bool,
    pub removed: Vec<Removal>,
}

/// Decides from (record, closed_at, last activity) rows.
pub fn decide(rows: &[(i64, Option<i64>, i64)], now: i64, p: Policy) -> Vec<Removal> {
    let closed_cut = now - i64::from(p.closed_days) * 86_400;
    let inactive_cut = now - i64::from(p.inactive_years) * YEAR_SECONDS;
    rows.iter()
        .filter_map(|&(record, closed, last)| {
            let reason = match closed {
                Some(c) if c < closed_cut => Reason::Closed,
                _ if last < inactive_cut => Reason::Inactive,
                _ => return None,
            };
            Some(Removal {
                record,
                reason,
                last_activity: last,
                meetings: Vec::new(),
            })
        })
        .collect()
}

/// Whether a daily run is due, given the last run's time.
pub fn due(run: Run, last_run: Option<i64>, now: i64) -> bool {
    match run {
        Run::DryRun | Run::Now => true,
        Run::Daily => last_run.is_none_or(|t| now - t >= DAILY_SECONDS || t > now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_by_days_open_by_years_of_inactivity() {
        let now = 10 * YEAR_SECONDS;
        let p = Policy {
            closed_days: 30,
            inactive_years: 5,
        };
        let rows = [
            (1, Some(now - 31 * 86_400), now - 31 * 86_400),
            (2, Some(now - 29 * 86_400), now - 29 * 86_400),
            (3, None, now - 5 * YEAR_SECONDS - 1),
            (4, None, now - 5 * YEAR_SECONDS + 1),
        ];
        let out = decide(&rows, now, p);
        let ids: Vec<(i64, Reason)> = out.iter().map(|r| (r.record, r.reason)).collect();
        assert_eq!(ids, vec![(1, Reason::Closed), (3, Reason::Inactive)]);
    }

    #[test]
    fn daily_runs_once_a_day() {
        assert!(due(Run::Daily, None, 100));
        assert!(!due(Run::Daily, Some(100), 100 + 3600));
        assert!(due(Run::Daily, Some(100), 100 + DAILY_SECONDS));
        // A clock set back never blocks it for good.
        assert!(due(Run::Daily, Some(100 + 86_400), 100));
        assert!(due(Run::Now, Some(100), 100) && due(Run::DryRun, Some(100), 100));
    }
}
