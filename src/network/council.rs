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
        // Secondary suppression hides more where the total gave a small cell back:
        // 5,<3,7 gave 2, 5,<3,5 and 3,<3,3 gave 0 (x,<3,3 still does, so its total goes).
        assert!(csv.contains("新規インテーク,件数,x,<3,7\r\n"), "{csv}");
        assert!(
            csv.contains("月末の支援中ケース（段階別）,インテーク,4,3,7\r\n"),
            "{csv}"
        );
        assert!(
            csv.contains("月末の支援中ケース（段階別）,アセスメント,<3,<3,<3\r\n"),
            "{csv}"
        );
        assert!(
            csv.contains("案内したルート（新規）,就労移行支援,x,<3,5\r\n"),
            "{csv}"
        );
        assert!(csv.contains("個別支援会議,開催数,<3,<3,<3\r\n"), "{csv}");
        assert!(csv.contains("就職,件数,x,<3,x\r\n"), "{csv}");
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
        assert_eq!(r.json()["rows"][0]["values"], json!(["x", "<3"]));
        assert_eq!(r.json()["rows"][0]["total"], json!(7));
    }

    // --- The attacker (TRUST.md §7): reads the report back and solves each row. ---

    /// A figure as the attacker reads it: exact, under 3, or hidden and at least 3.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Seen {
        N(u64),
        Small,
        X,
    }

    impl Seen {
        fn read(s: &str) -> Seen {
            match s {
                "<3" => Seen::Small,
                "x" => Seen::X,
                n => Seen::N(n.parse().unwrap_or_else(|_| panic!("cell {n:?}"))),
            }
        }

        /// (least, most) the attacker allows; `None` = no upper bound.
        fn bounds(self) -> (u64, Option<u64>) {
            match self {
                Seen::N(n) => (n, Some(n)),
                Seen::Small => (0, Some(2)),
                Seen::X => (SMALL, None),
            }
        }
    }

    type SeenRow = (Vec<Seen>, Seen);

    fn from_csv(csv: &str) -> Vec<SeenRow> {
        csv.split("\r\n")
            .skip(1)
            .filter(|l| !l.is_empty())
            .map(|l| {
                let mut c: Vec<Seen> = l.split(',').skip(2).map(Seen::read).collect();
                let total = c.pop().unwrap_or(Seen::Small);
                (c, total)
            })
            .collect()
    }

    fn from_json(v: &Value) -> Vec<SeenRow> {
        let read = |v: &Value| match v {
            Value::String(s) => Seen::read(s),
            n => Seen::N(n.as_u64().unwrap_or_else(|| panic!("cell {n}"))),
        };
        let rows = v["rows"].as_array().cloned().unwrap_or_default();
        rows.iter()
            .map(|r| {
                let vals = r["values"].as_array().cloned().unwrap_or_default();
                (vals.iter().map(read).collect(), read(&r["total"]))
            })
            .collect()
    }

    /// The values in `0..=cap` that figure `c` (a cell, or the total when `c == cells.len()`)
    /// can take, given every other figure's bounds and total = sum of cells: `v` is
    /// feasible iff the others' sum range meets what the equation leaves for them.
    fn feasible((cells, total): &SeenRow, c: usize, cap: u64) -> Vec<u64> {
        let all: Vec<Seen> = cells.iter().copied().chain([*total]).collect();
        let (mut lo, mut hi) = (0u64, Some(0u64));
        let others = cells.iter().enumerate().filter(|(i, _)| *i != c);
        for (a, b) in others.map(|(_, s)| s.bounds()) {
            lo += a;
            hi = hi.zip(b).map(|(h, b)| h + b);
        }
        let (vlo, vhi) = all[c].bounds();
        let (tlo, thi) = total.bounds();
        (vlo..=vhi.unwrap_or(cap).min(cap))
            .filter(|&v| {
                if c == cells.len() {
                    // The total itself: the cells' sum range must reach it.
                    lo <= v && hi.is_none_or(|h| v <= h)
                } else {
                    // Some total in [tlo, thi] equals v + (others' sum in [lo, hi]).
                    hi.is_none_or(|h| v + h >= tlo) && thi.is_none_or(|t| v + lo <= t)
                }
            })
            .collect()
    }

    /// Brute force over every assignment, to check `feasible` on small rows with a shown
    /// total.
    fn brute((cells, total): &SeenRow) -> Vec<Vec<u64>> {
        let Seen::N(t) = *total else { return vec![] };
        let mut found = vec![std::collections::BTreeSet::new(); cells.len()];
        let mut a = vec![0u64; cells.len()];
        fn go(
            i: usize,
            left: u64,
            cells: &[Seen],
            a: &mut [u64],
            found: &mut [std::collections::BTreeSet<u64>],
        ) {
            if i == cells.len() {
                if left == 0 {
                    a.iter().zip(found.iter_mut()).for_each(|(v, f)| {
                        f.insert(*v);
                    });
                }
                return;
            }
            let (lo, hi) = cells[i].bounds();
            for v in lo..=hi.unwrap_or(left).min(left) {
                a[i] = v;
                go(i + 1, left - v, cells, a, found);
            }
        }
        go(0, t, cells, &mut a, &mut found);
        found.into_iter().map(|f| f.into_iter().collect()).collect()
    }

    /// xorshift64*: deterministic, no dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        /// Mostly 0..=5, sometimes larger.
        fn count(&mut self) -> u64 {
            match self.below(10) {
                0..=6 => self.below(6),
                7 | 8 => self.below(20),
                _ => self.below(500),
            }
        }
    }

    /// Attacks every row of `r` (read back from both the CSV and the JSON) and checks it
    /// against the true values. Returns how many hidden figures were checked (all, and also
    /// by brute force).
    fn attack(r: &Report) -> (usize, usize) {
        let csv = from_csv(&r.csv());
        let json = from_json(&r.json());
        assert_eq!(csv, json, "the CSV and the JSON show the same");
        assert_eq!(csv.len(), r.rows.len());
        let mut checked = (0, 0);
        for (row, seen) in r.rows.iter().zip(&csv) {
            let (cells, total) = seen;
            let truth: Vec<u64> = row.values.iter().copied().chain([row.total()]).collect();
            let all: Vec<Seen> = cells.iter().copied().chain([*total]).collect();
            assert_eq!(all.len(), truth.len());
            for (s, t) in all.iter().zip(&truth) {
                match s {
                    Seen::N(n) => assert!(*n == *t && *n >= SMALL, "{row:?} {seen:?}"),
                    Seen::Small => assert!(*t < SMALL, "{row:?} {seen:?}"),
                    Seen::X => assert!(*t >= SMALL, "{row:?} {seen:?}"),
                }
            }
            if cells.iter().all(|c| matches!(c, Seen::N(_))) {
                assert_eq!(*total, Seen::N(row.total()), "{row:?}");
            }
            // Enough to find a second value when there is one (x cells are unbounded).
            let cap = all.iter().map(|c| c.bounds().0).sum::<u64>() + 100;
            // Small rows: check the interval reasoning against every assignment.
            let hidden = cells.iter().filter(|c| !matches!(c, Seen::N(_))).count();
            let brute = match total {
                Seen::N(t) if *t <= 20 && hidden <= 4 => brute(seen),
                _ => vec![],
            };
            for (c, s) in all.iter().enumerate() {
                if matches!(s, Seen::N(_)) {
                    continue;
                }
                let f = feasible(seen, c, cap);
                assert!(f.contains(&truth[c]), "{row:?} {seen:?}");
                assert!(
                    f.len() >= 2,
                    "figure {c} of {row:?} is disclosed as {f:?} by {seen:?}"
                );
                if let Some(b) = brute.get(c) {
                    assert_eq!(&f, b, "{seen:?}");
                    checked.1 += 1;
                }
                checked.0 += 1;
            }
            // The total is hidden only when showing it would disclose a cell.
            if *total == Seen::X {
                let with_total = (cells.clone(), Seen::N(row.total()));
                assert!(
                    (0..cells.len()).any(|c| feasible(&with_total, c, cap).len() == 1),
                    "{row:?} {seen:?}"
                );
            }
        }
        checked
    }

    #[test]
    fn attacker_cannot_work_back_any_hidden_cell() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let (mut checked, mut brute) = (0, 0);
        for _ in 0..400 {
            let n = 1 + rng.below(12) as usize;
            let ms = months(
                d("2026-01-01"),
                d("2026-01-01") + chrono::Months::new(n as u32 - 1),
            );
            assert_eq!(ms.len(), n);
            let mut c = Counts::zero(n);
            let row = |rng: &mut Rng| (0..n).map(|_| rng.count()).collect::<Vec<u64>>();
            c.new = row(&mut rng);
            c.meetings = row(&mut rng);
            c.employed = row(&mut rng);
            c.ended = row(&mut rng);
            c.open_by_stage.insert("A".into(), row(&mut rng));
            c.routes.insert("R".into(), row(&mut rng));
            c.links.insert("K".into(), row(&mut rng));
            let r = report(&c, ms, &["A", "B"], &["R".to_string()], &["K"]);
            let (all, by_brute) = attack(&r);
            (checked, brute) = (checked + all, brute + by_brute);
        }
        assert!(checked > 1000 && brute > 100, "{checked} {brute}");
    }

    /// One row of `values` as the attacker reads it from the CSV.
    fn one(values: Vec<u64>) -> (Report, SeenRow) {
        let ms = months(d("2026-01-01"), d("2026-12-31"));
        let n = values.len();
        let mut c = Counts::zero(n);
        c.new = values;
        let r = report(&c, ms[..n].to_vec(), &[], &[], &[]);
        let seen = from_csv(&r.csv()).remove(0);
        (r, seen)
    }

    #[test]
    fn the_total_no_longer_gives_back_a_small_cell() {
        // Primary only, 5,<3,7,13 gave 13 − 12 = 1; the smallest shown cell goes too.
        let (r, seen) = one(vec![5, 1, 7]);
        assert_eq!(feasible(&seen, 1, 100), vec![0, 1, 2], "{seen:?}");
        attack(&r);
        assert!(
            r.csv().contains("新規インテーク,件数,x,<3,7,13\r\n"),
            "{}",
            r.csv()
        );
        // <3,<3,9,9 gave both zeros; with the 9 hidden the total may stay.
        let (r, seen) = one(vec![0, 0, 9]);
        assert_eq!(feasible(&seen, 0, 100), vec![0, 1, 2], "{seen:?}");
        attack(&r);
        assert_eq!(feasible(&seen, 2, 100), vec![5, 6, 7, 8, 9]);
        assert!(
            r.csv().contains("新規インテーク,件数,<3,<3,x,9\r\n"),
            "{}",
            r.csv()
        );
        // Nothing hidden: unchanged.
        let (r, _) = one(vec![3, 4]);
        assert!(
            r.csv().contains("新規インテーク,件数,3,4,7\r\n"),
            "{}",
            r.csv()
        );
    }
}
