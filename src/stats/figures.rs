//! The counted figures of one bucket (a local hour of a local day), and their flat form as
//! `(metric, key, n)` rows — the daily aggregate table's format. Raw visits and folded rows
//! both end up in `Figures`, so a report cannot tell whether a day was folded.

use std::collections::BTreeMap;

use chrono::NaiveDate;

/// Where a visit stopped: `None` = before the first question (consent), `Some(i)` = question
/// index `i` (0-based, as in `EndReason`).
pub type At = Option<u8>;

/// The figures of one local hour of one local day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub date: NaiveDate,
    pub hour: u8,
    pub figures: Figures,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub started: u64,
    pub completed: u64,
    pub abandoned: u64,
    pub idle_resets: u64,
    /// Visits with no recorded end (power loss, crash), closed at the next start.
    pub interrupted: u64,
    pub slips_printed: u64,
    /// Failed print attempts (a visit can fail, then print on a retry).
    pub print_failures: u64,
    pub staff_calls: u64,
    /// Visits that switched to large text at any time.
    pub large_text: u64,
    pub abandoned_at: BTreeMap<At, u64>,
    pub idle_at: BTreeMap<At, u64>,
    /// Route id → visits that were shown the route (any rank).
    pub routes: BTreeMap<String, u64>,
    /// Route id → visits that were shown the route first.
    pub routes_first: BTreeMap<String, u64>,
    /// Language id (`ja`, `ja-easy`, `en`) → visits, by the language the visit ended in.
    pub languages: BTreeMap<String, u64>,
}

const STARTED: &str = "started";
const COMPLETED: &str = "completed";
const ABANDONED: &str = "abandoned";
const IDLE_RESETS: &str = "idle_resets";
const INTERRUPTED: &str = "interrupted";
const SLIPS_PRINTED: &str = "slips_printed";
const PRINT_FAILURES: &str = "print_failures";
const STAFF_CALLS: &str = "staff_calls";
const LARGE_TEXT: &str = "large_text";
const ABANDONED_AT: &str = "abandoned_at";
const IDLE_AT: &str = "idle_at";
const ROUTE: &str = "route";
const ROUTE_FIRST: &str = "route_first";
const LANGUAGE: &str = "language";

fn at_key(at: At) -> String {
    at.map_or(String::new(), |q| q.to_string())
}

fn parse_at(key: &str) -> Option<At> {
    if key.is_empty() {
        Some(None)
    } else {
        key.parse().ok().map(Some)
    }
}

impl Figures {
    pub fn add(&mut self, o: &Figures) {
        self.started += o.started;
        self.completed += o.completed;
        self.abandoned += o.abandoned;
        self.idle_resets += o.idle_resets;
        self.interrupted += o.interrupted;
        self.slips_printed += o.slips_printed;
        self.print_failures += o.print_failures;
        self.staff_calls += o.staff_calls;
        self.large_text += o.large_text;
        add_map(&mut self.abandoned_at, &o.abandoned_at);
        add_map(&mut self.idle_at, &o.idle_at);
        add_map(&mut self.routes, &o.routes);
        add_map(&mut self.routes_first, &o.routes_first);
        add_map(&mut self.languages, &o.languages);
    }

    pub fn is_empty(&self) -> bool {
        *self == Figures::default()
    }

    /// The flat form for the aggregate table; zero counts are left out.
    pub fn metrics(&self) -> Vec<(&'static str, String, u64)> {
        let mut out = Vec::new();
        for (m, n) in [
            (STARTED, self.started),
            (COMPLETED, self.completed),
            (ABANDONED, self.abandoned),
            (IDLE_RESETS, self.idle_resets),
            (INTERRUPTED, self.interrupted),
            (SLIPS_PRINTED, self.slips_printed),
            (PRINT_FAILURES, self.print_failures),
            (STAFF_CALLS, self.staff_calls),
            (LARGE_TEXT, self.large_text),
        ] {
            if n > 0 {
                out.push((m, String::new(), n));
            }
        }
        for (m, map) in [(ABANDONED_AT, &self.abandoned_at), (IDLE_AT, &self.idle_at)] {
            out.extend(
                map.iter()
                    .filter(|e| *e.1 > 0)
                    .map(|(k, n)| (m, at_key(*k), *n)),
            );
        }
        for (m, map) in [
            (ROUTE, &self.routes),
            (ROUTE_FIRST, &self.routes_first),
            (LANGUAGE, &self.languages),
        ] {
            out.extend(
                map.iter()
                    .filter(|e| *e.1 > 0)
                    .map(|(k, n)| (m, k.clone(), *n)),
            );
        }
        out
    }

    /// Adds one aggregate row. Returns false for a metric this version does not know (the
    /// row is then ignored; the schema version keeps that from happening in practice).
    pub fn add_metric(&mut self, metric: &str, key: &str, n: u64) -> bool {
        let counter = match metric {
            STARTED => &mut self.started,
            COMPLETED => &mut self.completed,
            ABANDONED => &mut self.abandoned,
            IDLE_RESETS => &mut self.idle_resets,
            INTERRUPTED => &mut self.interrupted,
            SLIPS_PRINTED => &mut self.slips_printed,
            PRINT_FAILURES => &mut self.print_failures,
            STAFF_CALLS => &mut self.staff_calls,
            LARGE_TEXT => &mut self.large_text,
            ABANDONED_AT | IDLE_AT => {
                let Some(at) = parse_at(key) else {
                    return false;
                };
                let map = if metric == ABANDONED_AT {
                    &mut self.abandoned_at
                } else {
                    &mut self.idle_at
                };
                *map.entry(at).or_default() += n;
                return true;
            }
            ROUTE => self.routes.entry(key.to_string()).or_default(),
            ROUTE_FIRST => self.routes_first.entry(key.to_string()).or_default(),
            LANGUAGE => self.languages.entry(key.to_string()).or_default(),
            _ => return false,
        };
        *counter += n;
        true
    }
}

fn add_map<K: Ord + Clone>(into: &mut BTreeMap<K, u64>, from: &BTreeMap<K, u64>) {
    for (k, n) in from {
        *into.entry(k.clone()).or_default() += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_round_trip() {
        let mut f = Figures {
            started: 5,
            completed: 2,
            abandoned: 2,
            idle_resets: 1,
            interrupted: 1,
            slips_printed: 2,
            print_failures: 3,
            staff_calls: 4,
            large_text: 1,
            ..Figures::default()
        };
        f.abandoned_at.insert(None, 1);
        f.abandoned_at.insert(Some(3), 1);
        f.idle_at.insert(Some(7), 1);
        f.routes.insert("ikou".into(), 2);
        f.routes_first.insert("ikou".into(), 1);
        f.languages.insert("ja-easy".into(), 5);
        let mut back = Figures::default();
        for (m, k, n) in f.metrics() {
            assert!(back.add_metric(m, &k, n));
        }
        assert_eq!(back, f);
        assert!(!back.add_metric("from_the_future", "", 1));
        assert!(!back.add_metric(ABANDONED_AT, "x", 1));
    }
}
