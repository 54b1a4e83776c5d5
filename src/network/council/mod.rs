//! The regional layer (自立支援協議会, NETWORK.md §4): anonymous counts per month for the
//! council. No names, no record ids; a cell under 3 (0, 1, 2) is shown as 「<3」 so a small
//! town's figures identify nobody (primary suppression).
//!
//! Each row also prints its true total (合計), so a row is an equation: total = sum of cells.
//! Secondary suppression (TRUST.md §7, as statistical offices do) keeps that equation from
//! giving a hidden cell back. A reader knows every shown figure exactly, that each 「<3」 is
//! 0..=2 and that each 「x」 is at least 3; a hidden figure is disclosed when only one integer
//! fits. Per row (there are no column totals): while something is disclosed, hide the
//! smallest shown cell (ties: the earliest month) as 「x = 秘匿（他のセルを守るため）」; once no
//! cell is left to hide, hide the total as 「x」 too (a total under 3 stays 「<3」). The total
//! stays shown whenever it gives nothing away; rows with nothing under 3 are unchanged.
//!
//! What is counted, per local month: new intakes; open cases at the month's end by their
//! current stage; routes shown to the month's new intakes; agencies linked that month by
//! kind; 個別支援会議 held; cases reaching employment (a 就職 follow-up starting that month);
//! cases ended (ターミネーション). The store aggregates in the database; this module only
//! shapes and hides.

use std::collections::BTreeMap;
use std::fmt;

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

/// `n` after primary suppression alone; the report prints `Row::shown`, which also hides
/// what a total would give back.
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

    /// The row as the council sees it: primary, then secondary suppression (module comment).
    pub fn shown(&self) -> ShownRow {
        let primary = |n: u64| {
            if n < SMALL {
                Shown::Small
            } else {
                Shown::Value(n)
            }
        };
        let mut values: Vec<Shown> = self.values.iter().map(|v| primary(*v)).collect();
        let mut total = primary(self.total());
        while discloses(&values, total) {
            let smallest = values
                .iter()
                .enumerate()
                .filter_map(|(i, s)| match s {
                    Shown::Value(n) => Some((*n, i)),
                    _ => None,
                })
                .min();
            match (smallest, total) {
                (Some((_, i)), _) => values[i] = Shown::Hidden,
                (None, Shown::Value(_)) => total = Shown::Hidden,
                // Only an empty row gets here: with the total hidden, no cell is disclosed.
                (None, _) => break,
            }
        }
        ShownRow {
            group: self.group.clone(),
            item: self.item.clone(),
            values,
            total,
        }
    }
}

/// A cell or total as printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Value(u64),
    /// Under 3 (primary suppression): 「<3」.
    Small,
    /// At least 3, hidden to protect another figure (secondary suppression): 「x」.
    Hidden,
}

impl Shown {
    /// What a reader knows of the figure: (least, most), `None` = no upper bound.
    fn bounds(self) -> (u128, Option<u128>) {
        match self {
            Shown::Value(n) => (n.into(), Some(n.into())),
            Shown::Small => (0, Some(u128::from(SMALL) - 1)),
            Shown::Hidden => (SMALL.into(), None),
        }
    }

    fn json(self) -> Value {
        match self {
            Shown::Value(n) => json!(n),
            s => json!(s.to_string()),
        }
    }
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shown::Value(n) => write!(f, "{n}"),
            Shown::Small => f.write_str("<3"),
            Shown::Hidden => f.write_str("x"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownRow {
    pub group: String,
    pub item: String,
    pub values: Vec<Shown>,
    pub total: Shown,
}

/// Whether total = sum of cells, with each figure's bounds, leaves some hidden cell a single
/// integer. The others' sum ranges over a whole interval (a sum of integer intervals), so a
/// cell's feasible values are an interval too. (A hidden total always keeps two values or
/// more: a row under 3 is all 「<3」, and a hidden 「x」 total only bounds the sum from below.)
fn discloses(cells: &[Shown], total: Shown) -> bool {
    let bounds: Vec<_> = cells.iter().map(|s| s.bounds()).collect();
    let lo: u128 = bounds.iter().map(|b| b.0).sum();
    let finite: u128 = bounds.iter().filter_map(|b| b.1).sum();
    let open = bounds.iter().filter(|b| b.1.is_none()).count();
    let (tlo, thi) = total.bounds();
    cells.iter().zip(&bounds).any(|(s, &(clo, chi))| {
        if let Shown::Value(_) = s {
            return false;
        }
        // The others' sum lies in [olo, ohi] (`None`: another 「x」, no upper bound).
        let olo = lo - clo;
        let ohi = (open == usize::from(chi.is_none())).then(|| finite - chi.unwrap_or(0));
        // cell = total − others.
        let from = clo.max(ohi.map_or(0, |h| tlo.saturating_sub(h)));
        let to = match (chi, thi.map(|t| t.saturating_sub(olo))) {
            (Some(c), Some(t)) => Some(c.min(t)),
            (c, t) => c.or(t),
        };
        to == Some(from)
    })
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
    /// Every row as printed (the CSV and the JSON both use this).
    pub fn shown(&self) -> Vec<ShownRow> {
        self.rows.iter().map(Row::shown).collect()
    }

    fn header(&self) -> Vec<String> {
        let mut h = vec!["区分".to_string(), "項目".to_string()];
        h.extend(self.months.iter().map(|m| m.format("%Y-%m").to_string()));
        h.push("合計".into());
        h
    }

    /// Excel-ready: UTF-8 with BOM, CRLF, Japanese headers; small cells as 「<3」, cells
    /// hidden to protect them as 「x」.
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
        for r in self.shown() {
            let mut cells = vec![quote(&r.group), quote(&r.item)];
            cells.extend(r.values.iter().map(Shown::to_string));
            cells.push(r.total.to_string());
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out
    }

    pub fn json(&self) -> Value {
        json!({
            "months": self.months.iter().map(|m| m.format("%Y-%m").to_string()).collect::<Vec<_>>(),
            "small_cells": "<3",
            "hidden_cells": "x",
            "rows": self.shown().into_iter().map(|r| json!({
                "group": r.group,
                "item": r.item,
                "values": r.values.into_iter().map(Shown::json).collect::<Vec<_>>(),
                "total": r.total.json(),
            })).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests;
