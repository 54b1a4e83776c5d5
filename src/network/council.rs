//! The regional layer (自立支援協議会, NETWORK.md §4): anonymous counts per month for the
//! council. No names, no record ids; a cell under 3 (0, 1, 2) is shown as 「<3」 so a small
//! town's figures identify nobody. Totals are the true sums (shown the same way).
//!
//! What is counted, per local month: new intakes; open cases at the month's end by their
//! current stage; routes shown to the month's new intakes; agencies linked that month by
//! kind; 個別支援会議 held; cases ended (ターミネーション). Employment is not yet a recorded
//! outcome, so it is not counted.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

/// One intake record, reduced to what the council may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFact {
    /// Local day the record was opened.
    pub opened: NaiveDate,
    /// Local day it was closed (ターミネーション), if it was.
    pub closed: Option<NaiveDate>,
    /// Current stage label (e.g. アセスメント).
    pub stage: String,
    /// Route names shown to the visitor.
    pub routes: Vec<String>,
}

/// Everything the council report is made from.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub cases: Vec<CaseFact>,
    /// (local day linked, agency kind)
    pub links: Vec<(NaiveDate, String)>,
    /// Local days of meetings.
    pub meetings: Vec<NaiveDate>,
}

pub const SMALL: u64 = 3;

/// `n` as the council sees it.
pub fn cell(n: u64) -> String {
    if n < SMALL {
        "<3".into()
    } else {
        n.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub group: String,
    pub item: String,
    pub values: Vec<u64>,
}

impl Row {
    pub fn total(&self) -> u64 {
        self.values.iter().sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// First day of each month.
    pub months: Vec<NaiveDate>,
    pub rows: Vec<Row>,
}

fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn next_month(m: NaiveDate) -> NaiveDate {
    m.checked_add_months(chrono::Months::new(1)).unwrap_or(m)
}

/// The months touching `from..=to`.
pub fn months(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut m = month_of(from);
    while m <= to && out.len() < 1200 {
        out.push(m);
        m = next_month(m);
    }
    out
}

/// Builds the report; `stages` and `kinds` give the row order (every one listed, zero or not).
pub fn report(
    facts: &Facts,
    from: NaiveDate,
    to: NaiveDate,
    stages: &[&str],
    routes: &[String],
    kinds: &[&str],
) -> Report {
    let ms = months(from, to);
    let n = ms.len();
    let idx = |d: NaiveDate| ms.iter().position(|m| *m == month_of(d));
    let mut rows: Vec<Row> = Vec::new();
    let mut push = |group: &str, item: &str, values: Vec<u64>| {
        rows.push(Row {
            group: group.into(),
            item: item.into(),
            values,
        })
    };
    let mut new = vec![0; n];
    let mut ended = vec![0; n];
    let mut by_route: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for c in &facts.cases {
        if let Some(i) = idx(c.opened) {
            new[i] += 1;
            for r in &c.routes {
                by_route.entry(r.as_str()).or_insert_with(|| vec![0; n])[i] += 1;
            }
        }
        if let Some(i) = c.closed.and_then(idx) {
            ended[i] += 1;
        }
    }
    push("新規インテーク", "件数", new);
    for s in stages {
        let values = ms
            .iter()
            .map(|m| {
                let end = next_month(*m);
                facts
                    .cases
                    .iter()
                    .filter(|c| c.opened < end && c.closed.is_none_or(|d| d >= end))
                    .filter(|c| c.stage == *s)
                    .count() as u64
            })
            .collect();
        push("月末の支援中ケース（段階別）", s, values);
    }
    for r in routes {
        let values = by_route
            .get(r.as_str())
            .cloned()
            .unwrap_or_else(|| vec![0; n]);
        push("案内したルート（新規）", r, values);
    }
    for k in kinds {
        let mut values = vec![0; n];
        for (d, kind) in &facts.links {
            if kind == k
                && let Some(i) = idx(*d)
            {
                values[i] += 1;
            }
        }
        push("連携した機関（種類別）", k, values);
    }
    let mut meetings = vec![0; n];
    for d in &facts.meetings {
        if let Some(i) = idx(*d) {
            meetings[i] += 1;
        }
    }
    push("個別支援会議", "開催数", meetings);
    push("終結", "件数", ended);
    Report { months: ms, rows }
}

impl Report {
    fn header(&self) -> Vec<String> {
        let mut h = vec!["区分".to_string(), "項目".to_string()];
        h.extend(self.months.iter().map(|m| m.format("%Y-%m").to_string()));
        h.push("合計".into());
        h
    }

    /// Excel-ready: UTF-8 with BOM, CRLF, Japanese headers; small cells as 「<3」.
    pub fn csv(&self) -> String {
        let quote = |s: &str| {
            if s.contains([',', '"', '\r', '\n']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_string()
            }
        };
        let mut out = String::from("\u{FEFF}");
        out.push_str(
            &self
                .header()
                .iter()
                .map(|c| quote(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
        for r in &self.rows {
            let mut cells = vec![quote(&r.group), quote(&r.item)];
            cells.extend(r.values.iter().map(|v| cell(*v)));
            cells.push(cell(r.total()));
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out
    }

    pub fn json(&self) -> Value {
        let show = |n: u64| {
            if n < SMALL { json!("<3") } else { json!(n) }
        };
        json!({
            "months": self.months.iter().map(|m| m.format("%Y-%m").to_string()).collect::<Vec<_>>(),
            "small_cells": "<3",
            "rows": self.rows.iter().map(|r| json!({
                "group": r.group,
                "item": r.item,
                "values": r.values.iter().map(|v| show(*v)).collect::<Vec<_>>(),
                "total": show(r.total()),
            })).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn small_cells_are_hidden_and_totals_add_up() {
        let mut facts = Facts::default();
        for i in 0..7 {
            facts.cases.push(CaseFact {
                opened: if i < 5 {
                    d("2026-11-03")
                } else {
                    d("2026-12-01")
                },
                closed: (i == 0).then(|| d("2026-12-15")),
                stage: if i < 4 {
                    "インテーク".into()
                } else {
                    "アセスメント".into()
                },
                routes: vec!["就労移行支援".into()],
            });
        }
        facts.meetings = vec![d("2026-11-30"), d("2026-12-01")];
        let r = report(
            &facts,
            d("2026-11-01"),
            d("2026-12-31"),
            &["インテーク", "アセスメント"],
            &["就労移行支援".to_string(), "デイケア".to_string()],
            &["ハローワーク"],
        );
        let csv = r.csv();
        assert!(csv.starts_with('\u{FEFF}') && csv.contains("\r\n"));
        assert!(csv.contains("区分,項目,2026-11,2026-12,合計"), "{csv}");
        assert!(csv.contains("新規インテーク,件数,5,<3,7\r\n"), "{csv}");
        assert!(csv.contains("個別支援会議,開催数,<3,<3,<3\r\n"), "{csv}");
        assert!(csv.contains("終結,件数,<3,<3,<3\r\n"), "{csv}");
        // No number under 3 anywhere.
        for line in csv.lines().skip(1) {
            for c in line.split(',').skip(2) {
                if let Ok(n) = c.parse::<u64>() {
                    assert!(n >= 3, "{line}");
                }
            }
        }
        for row in &r.rows {
            assert_eq!(row.total(), row.values.iter().sum::<u64>());
        }
        assert_eq!(r.json()["rows"][0]["values"], json!([5, "<3"]));
    }
}
