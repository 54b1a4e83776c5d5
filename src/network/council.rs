//! The regional layer (自立支援協議会, NETWORK.md §4): anonymous counts per month for the
//! council. No names, no record ids; a cell under 3 (0, 1, 2) is shown as 「<3」 so a small
//! town's figures identify nobody. Totals are the true sums (shown the same way).
//!
//! What is counted, per local month: new intakes; open cases at the month's end by their
//! current stage; routes shown to the month's new intakes; agencies linked that month by
//! kind; 個別支援会議 held; cases reaching employment (a 就職 follow-up starting that month);
//! cases ended (ターミネーション). The store aggregates in the database; this module only
//! shapes and hides.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

/// What the store counted, per month (index into `months`): keyed rows hold one value per
/// month. Labels are already the council's words (stage, route name, agency kind).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub new: Vec<u64>,
    pub open_by_stage: BTreeMap<String, Vec<u64>>,
    pub routes: BTreeMap<String, Vec<u64>>,
    pub links: BTreeMap<String, Vec<u64>>,
    pub meetings: Vec<u64>,
    pub employed: Vec<u64>,
    pub ended: Vec<u64>,
}

impl Counts {
    pub fn zero(months: usize) -> Counts {
        Counts {
            new: vec![0; months],
            meetings: vec![0; months],
            employed: vec![0; months],
            ended: vec![0; months],
            ..Counts::default()
        }
    }

    /// Adds `n` to a keyed row's month `i` (out-of-range months are ignored).
    pub fn add(map: &mut BTreeMap<String, Vec<u64>>, key: &str, i: usize, n: u64, months: usize) {
        // A new key only once per row: this runs once per case and month.
        if !map.contains_key(key) {
            map.insert(key.to_string(), vec![0; months]);
        }
        if let Some(v) = map.get_mut(key).and_then(|row| row.get_mut(i)) {
            *v += n;
        }
    }
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

/// Builds the report; `stages`, `routes` and `kinds` give the row order (every one listed,
/// zero or not).
pub fn report(
    counts: &Counts,
    months: Vec<NaiveDate>,
    stages: &[&str],
    routes: &[String],
    kinds: &[&str],
) -> Report {
    let n = months.len();
    let fit = |v: &Vec<u64>| {
        let mut v = v.clone();
        v.resize(n, 0);
        v
    };
    let keyed =
        |map: &BTreeMap<String, Vec<u64>>, key: &str| map.get(key).map_or_else(|| vec![0; n], fit);
    let mut rows: Vec<Row> = Vec::new();
    let mut push = |group: &str, item: &str, values: Vec<u64>| {
        rows.push(Row {
            group: group.into(),
            item: item.into(),
            values,
        })
    };
    push("新規インテーク", "件数", fit(&counts.new));
    for s in stages {
        push(
            "月末の支援中ケース（段階別）",
            s,
            keyed(&counts.open_by_stage, s),
        );
    }
    for r in routes {
        push("案内したルート（新規）", r, keyed(&counts.routes, r));
    }
    for k in kinds {
        push("連携した機関（種類別）", k, keyed(&counts.links, k));
    }
    push("個別支援会議", "開催数", fit(&counts.meetings));
    push("就職", "件数", fit(&counts.employed));
    push("終結", "件数", fit(&counts.ended));
    Report { months, rows }
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
        let ms = months(d("2026-11-15"), d("2026-12-31"));
        assert_eq!(ms, vec![d("2026-11-01"), d("2026-12-01")]);
        let mut c = Counts::zero(2);
        c.new = vec![5, 2];
        c.ended = vec![0, 1];
        c.meetings = vec![1, 1];
        c.employed = vec![3, 0];
        Counts::add(&mut c.open_by_stage, "インテーク", 0, 4, 2);
        Counts::add(&mut c.open_by_stage, "インテーク", 1, 3, 2);
        Counts::add(&mut c.routes, "就労移行支援", 0, 5, 2);
        Counts::add(&mut c.routes, "就労移行支援", 7, 5, 2);
        let r = report(
            &c,
            ms,
            &["インテーク", "アセスメント"],
            &["就労移行支援".to_string(), "デイケア".to_string()],
            &["ハローワーク"],
        );
        let csv = r.csv();
        assert!(csv.starts_with('\u{FEFF}') && csv.contains("\r\n"));
        assert!(csv.contains("区分,項目,2026-11,2026-12,合計"), "{csv}");
        assert!(csv.contains("新規インテーク,件数,5,<3,7\r\n"), "{csv}");
        assert!(
            csv.contains("月末の支援中ケース（段階別）,インテーク,4,3,7\r\n"),
            "{csv}"
        );
        assert!(
            csv.contains("月末の支援中ケース（段階別）,アセスメント,<3,<3,<3\r\n"),
            "{csv}"
        );
        assert!(
            csv.contains("案内したルート（新規）,就労移行支援,5,<3,5\r\n"),
            "{csv}"
        );
        assert!(csv.contains("個別支援会議,開催数,<3,<3,<3\r\n"), "{csv}");
        assert!(csv.contains("就職,件数,3,<3,3\r\n"), "{csv}");
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
        assert_eq!(r.json()["rows"][0]["total"], json!(7));
    }
}
