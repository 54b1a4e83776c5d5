//! The council report's checks, among them an attacker who tries to work back every hidden
//! cell from the shown cells and totals.

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
