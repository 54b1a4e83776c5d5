//! Statistics on real SQLite files: figures equal what was recorded (a seeded random sequence
//! of visits, counted independently here), folding changes no figure (also when a fold is
//! interrupted), and the CSV / JSON / table outputs and the `stats` command line.

mod store_support;

use std::collections::BTreeMap;
use std::process::Command;

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Asia::Tokyo;
use hatarakitai::answers::Answers;
use hatarakitai::content::Content;
use hatarakitai::kiosk::backend::{EndReason, PrintResult};
use hatarakitai::kiosk::simulate::Rng;
use hatarakitai::lang::Lang;
use hatarakitai::stats::{By, Figures, Format, StatsReport};
use hatarakitai::store::kiosk::KioskStore;
use store_support::{date, jst, read_csv};

type R = Result<(), Box<dyn std::error::Error>>;
type Model = BTreeMap<(NaiveDate, u8), Figures>;

fn content() -> Content {
    Content::embedded().expect("embedded content loads")
}

fn key(t: DateTime<Utc>) -> (NaiveDate, u8) {
    let l = t.with_timezone(&Tokyo);
    (l.date_naive(), l.hour() as u8)
}

fn bump(map: &mut BTreeMap<String, u64>, k: &str) {
    *map.entry(k.to_string()).or_default() += 1;
}

/// Records `visits` random visits from `start` on, through the store's public API, and counts
/// by hand what the statistics must say. Open visits are closed as interrupted at the end.
fn record_random(
    store: &mut KioskStore,
    c: &Content,
    seed: u64,
    start: DateTime<Utc>,
    visits: usize,
) -> Result<(Model, DateTime<Utc>), Box<dyn std::error::Error>> {
    let mut rng = Rng::new(seed);
    let mut model = Model::new();
    let routes: Vec<&str> = c
        .catalogue
        .routes
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != c.catalogue.handoff)
        .map(|(_, r)| r.id.as_str())
        .collect();
    let q = &c.questionnaire;
    let mut open = Vec::new();
    let mut t = start;
    for _ in 0..visits {
        t += Duration::seconds(rng.below(5 * 3600) as i64);
        let k = key(t);
        let lang = Lang::ALL[rng.below(3) as usize];
        let large = rng.chance(20);
        let v = store.begin_visit(1, t, lang, large)?;
        model.entry(k).or_default().started += 1;
        let (mut final_lang, mut large_used) = (lang, large);
        let mut answers = Answers::new(q);
        let n = rng.below(q.len() as u64 + 1) as usize;
        for qi in 0..n {
            for _ in 0..1 + usize::from(rng.chance(10)) {
                let opts = q.questions[qi].options.len() as u64;
                let opt = if rng.chance(15) {
                    None
                } else {
                    Some(rng.below(opts) as u8)
                };
                store.record_answer(v, t, qi, opt)?;
                answers.set(qi, opt);
            }
        }
        if rng.chance(10) {
            final_lang = Lang::ALL[rng.below(3) as usize];
            let l = rng.chance(50);
            large_used |= l;
            store.record_display(v, final_lang, l)?;
        }
        if rng.chance(8) {
            let call = t + Duration::seconds(30);
            store.record_staff_call(1, call, Some(v))?;
            model.entry(key(call)).or_default().staff_calls += 1;
        }
        let f = model.entry(k).or_default();
        bump(&mut f.languages, final_lang.id());
        if large_used {
            f.large_text += 1;
        }
        let at = if n == 0 || rng.chance(20) {
            None
        } else {
            Some((n - 1) as u8)
        };
        match rng.below(100) {
            0..15 => {
                store.end_visit(v, t, EndReason::Abandoned { at_question: at })?;
                f.abandoned += 1;
                *f.abandoned_at.entry(at).or_default() += 1;
            }
            15..25 => {
                store.end_visit(v, t, EndReason::IdleReset { at_question: at })?;
                f.idle_resets += 1;
                *f.idle_at.entry(at).or_default() += 1;
            }
            25..30 => open.push(k),
            _ => {
                let mut shown: Vec<&str> = Vec::new();
                for _ in 0..1 + rng.below(3) {
                    let r = routes[rng.below(routes.len() as u64) as usize];
                    if !shown.contains(&r) {
                        shown.push(r);
                    }
                }
                if rng.chance(10) {
                    // Results shown, もどる, results again: the last list counts.
                    store.record_results(v, t, &routes[..2])?;
                }
                store.record_results(v, t, &shown)?;
                for r in &shown {
                    bump(&mut f.routes, r);
                }
                bump(&mut f.routes_first, shown[0]);
                if rng.chance(85) {
                    store.complete_visit(v, t, &answers, &shown, q.version)?;
                    let p = rng.below(10);
                    if p >= 7 {
                        store.record_print(v, t, &PrintResult::Failed("paper end".into()))?;
                        f.print_failures += 1;
                    }
                    if p < 9 {
                        store.record_print(v, t, &PrintResult::Printed)?;
                        f.slips_printed += 1;
                    }
                }
                if rng.chance(92) {
                    store.end_visit(v, t, EndReason::Completed)?;
                    f.completed += 1;
                } else {
                    let at_results = Some(q.len() as u8);
                    store.end_visit(
                        v,
                        t,
                        EndReason::Abandoned {
                            at_question: at_results,
                        },
                    )?;
                    f.abandoned += 1;
                    *f.abandoned_at.entry(at_results).or_default() += 1;
                }
            }
        }
        if rng.chance(5) {
            let call = t + Duration::minutes(10);
            store.record_staff_call(1, call, None)?;
            model.entry(key(call)).or_default().staff_calls += 1;
        }
    }
    let closed = store.close_unfinished(t + Duration::hours(1))?;
    assert_eq!(closed, open.len() as u64);
    for k in open {
        model.entry(k).or_default().interrupted += 1;
    }
    Ok((model, t))
}

fn per_day(model: &Model) -> BTreeMap<NaiveDate, Figures> {
    let mut days: BTreeMap<NaiveDate, Figures> = BTreeMap::new();
    for ((d, _), f) in model {
        days.entry(*d).or_default().add(f);
    }
    days
}

fn new_store(dir: &tempfile::TempDir) -> Result<KioskStore, Box<dyn std::error::Error>> {
    Ok(KioskStore::open(&dir.path().join("kiosk.sqlite"), Tokyo)?)
}

fn all_outputs(r: &StatsReport) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for f in [Format::Table, Format::Csv, Format::Json] {
        for b in [By::Day, By::Hour, By::Route] {
            out.push(r.render(f, b));
        }
    }
    out
}

#[test]
fn statistics_equal_what_was_recorded_per_hour_day_and_route() -> R {
    let c = content();
    let dir = tempfile::tempdir()?;
    let mut s = new_store(&dir)?;
    let (model, _) = record_random(&mut s, &c, 0x5eed_2026, jst(2026, 9, 1, 8, 0), 700)?;
    let (from, to) = (date(2026, 8, 31), date(2026, 12, 31));

    let got: Model = s
        .buckets(from, to)?
        .into_iter()
        .map(|b| ((b.date, b.hour), b.figures))
        .collect();
    assert_eq!(got, model, "per local hour");

    let report = s.report(&c, from, to)?;
    let days = per_day(&model);
    for (d, f) in &report.days {
        assert_eq!(f, days.get(d).unwrap_or(&Figures::default()), "day {d}");
    }
    let mut total = Figures::default();
    model.values().for_each(|f| total.add(f));
    assert_eq!(report.total, total);
    assert!(total.started >= 700 && total.routes.len() > 5 && total.interrupted > 0);
    assert_eq!(
        report.hours.iter().map(|h| h.started).sum::<u64>(),
        total.started
    );
    Ok(())
}

#[test]
fn folding_changes_no_figure_and_is_idempotent() -> R {
    let c = content();
    let dir = tempfile::tempdir()?;
    let mut s = new_store(&dir)?;
    let (_, last) = record_random(&mut s, &c, 42, jst(2026, 9, 1, 8, 0), 500)?;
    let (from, to) = (date(2026, 8, 1), date(2027, 1, 31));
    let before = s.report(&c, from, to)?;
    let outputs = all_outputs(&before);
    // A single day's report, to check folded and raw days are also read one at a time.
    let one_day = s.report(&c, date(2026, 9, 10), date(2026, 9, 10))?;

    let now = last + Duration::days(5);
    let first = s.fold_expired(now, 30)?;
    assert!(first.days > 10 && first.visits > 100, "{first:?}");
    assert!(
        s.visit(1, 1)?.is_none(),
        "the oldest visit (and its answers) is gone"
    );
    let after = s.report(&c, from, to)?;
    assert_eq!(after, before);
    assert_eq!(
        all_outputs(&after),
        outputs,
        "every rendering is byte-identical"
    );
    assert_eq!(s.report(&c, date(2026, 9, 10), date(2026, 9, 10))?, one_day);

    assert_eq!(s.fold_expired(now, 30)?.days, 0, "idempotent");
    // Fold everything but today.
    let rest = s.fold_expired(now + Duration::days(40), 1)?;
    assert!(rest.days > 0);
    let folded_all = s.report(&c, from, to)?;
    assert_eq!(folded_all, before);
    assert_eq!(all_outputs(&folded_all), outputs);

    // Survives a reopen, and rows recorded later for an already folded day are added.
    drop(s);
    let mut s = new_store(&dir)?;
    assert_eq!(s.report(&c, from, to)?, before);
    let v = s.begin_visit(1, jst(2026, 9, 10, 10, 0), Lang::En, false)?;
    s.end_visit(v, jst(2026, 9, 10, 10, 0), EndReason::Completed)?;
    s.fold_expired(now + Duration::days(40), 1)?;
    let d = s.report(&c, date(2026, 9, 10), date(2026, 9, 10))?;
    assert_eq!(d.total.started, one_day.total.started + 1);
    assert_eq!(d.total.completed, one_day.total.completed + 1);
    Ok(())
}

#[test]
fn an_interrupted_fold_leaves_every_day_whole() -> R {
    let c = content();
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("kiosk.sqlite");
    let mut s = new_store(&dir)?;
    let (_, last) = record_random(&mut s, &c, 7, jst(2026, 9, 1, 8, 0), 400)?;
    let (from, to) = (date(2026, 8, 1), date(2027, 1, 31));
    let before = s.report(&c, from, to)?;

    // Another connection makes deleting the visits of 2026-09-20 fail half-way through the
    // fold of that day, after its aggregate rows were written.
    let failing_day = date(2026, 9, 20);
    assert!(before.day(failing_day).is_some_and(|f| f.started > 0));
    let other = rusqlite::Connection::open(&path)?;
    other.execute_batch(
        "CREATE TRIGGER boom BEFORE DELETE ON visit WHEN old.day = 20260920
         BEGIN SELECT RAISE(ABORT, 'simulated crash'); END;",
    )?;
    // Folds up to a few days before the last visit: well past 2026-09-20.
    let now = last + Duration::days(25);
    let e = s.fold_expired(now, 30).unwrap_err();
    assert!(e.to_string().contains("folding"), "{e}");

    assert_eq!(
        s.report(&c, from, to)?,
        before,
        "nothing counted twice or lost"
    );
    let raw_days = |s: &KioskStore| -> Result<Vec<NaiveDate>, Box<dyn std::error::Error>> {
        let c = rusqlite::Connection::open(s.path())?;
        let mut st = c.prepare("SELECT DISTINCT day FROM visit ORDER BY day")?;
        let days: Vec<i64> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(days
            .into_iter()
            .filter_map(|k| {
                NaiveDate::from_ymd_opt(
                    (k / 10000) as i32,
                    (k / 100 % 100) as u32,
                    (k % 100) as u32,
                )
            })
            .collect())
    };
    let raw = raw_days(&s)?;
    assert_eq!(
        raw.first(),
        Some(&failing_day),
        "earlier days folded, the failing day still raw"
    );

    other.execute_batch("DROP TRIGGER boom")?;
    let done = s.fold_expired(now, 30)?;
    assert!(done.days > 0);
    assert!(raw_days(&s)?.first().is_some_and(|d| *d > failing_day));
    assert_eq!(s.report(&c, from, to)?, before);
    Ok(())
}

/// A small, fully known day for the output formats.
fn known_store(dir: &tempfile::TempDir) -> Result<KioskStore, Box<dyn std::error::Error>> {
    let mut s = new_store(dir)?;
    let t = jst(2026, 11, 25, 14, 5);
    let a = Answers::default();
    for (routes, end) in [
        (vec!["hellowork_open", "ikou"], EndReason::Completed),
        (vec!["ikou"], EndReason::Completed),
        (
            vec![],
            EndReason::Abandoned {
                at_question: Some(2),
            },
        ),
        (vec![], EndReason::IdleReset { at_question: None }),
    ] {
        let v = s.begin_visit(1, t, Lang::Ja, false)?;
        if !routes.is_empty() {
            s.record_results(v, t, &routes)?;
            s.complete_visit(v, t, &a, &routes, 1)?;
            s.record_print(v, t, &PrintResult::Printed)?;
        }
        s.end_visit(v, t, end)?;
    }
    let v = s.begin_visit(1, jst(2026, 11, 25, 23, 59), Lang::En, true)?;
    s.end_visit(
        v,
        jst(2026, 11, 26, 0, 3),
        EndReason::Abandoned { at_question: None },
    )?;
    s.begin_visit(1, jst(2026, 11, 26, 0, 1), Lang::JaEasy, false)?;
    s.record_staff_call(1, jst(2026, 11, 26, 0, 2), None)?;
    Ok(s)
}

#[test]
fn csv_is_excel_ready_utf8_bom_crlf_japanese_headers() -> R {
    let c = content();
    let dir = tempfile::tempdir()?;
    let s = known_store(&dir)?;
    let report = s.report(&c, date(2026, 11, 24), date(2026, 11, 26))?;
    let bytes = report.render(Format::Csv, By::Day);
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
    let text = std::str::from_utf8(&bytes[3..])?;
    assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
    let rows = read_csv(text)?;
    let header = &rows[0];
    assert_eq!(
        header[..8],
        [
            "日付",
            "開始",
            "完了",
            "中断",
            "放置リセット",
            "印刷",
            "印刷失敗",
            "スタッフ呼出"
        ]
    );
    let route_names: Vec<String> = report.routes.iter().map(|r| r.name.clone()).collect();
    assert_eq!(header[8..8 + route_names.len()], route_names[..]);
    assert!(header.contains(&"ハローワーク（障がい者枠）".to_string()));
    assert!(
        !header.contains(&"nakapotsu".to_string()),
        "the handoff is not a route column"
    );
    assert!(rows.iter().all(|r| r.len() == header.len()), "rectangular");
    assert_eq!(rows.len(), 1 + 3 + 1, "header, three days, total");

    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or(format!("no column {name}"))
    };
    let row = |d: &str| rows.iter().find(|r| r[0] == d).ok_or(format!("no row {d}"));
    let num = |r: &Vec<String>, name: &str| -> Result<u64, Box<dyn std::error::Error>> {
        Ok(r[col(name)?].parse()?)
    };
    let d25 = row("2026-11-25")?;
    assert_eq!(num(d25, "開始")?, 5);
    assert_eq!(num(d25, "完了")?, 2);
    assert_eq!(num(d25, "中断")?, 2);
    assert_eq!(num(d25, "放置リセット")?, 1);
    assert_eq!(num(d25, "印刷")?, 2);
    assert_eq!(num(d25, "就労移行支援")?, 2);
    assert_eq!(num(d25, "ハローワーク（障がい者枠）")?, 1);
    assert_eq!(num(d25, "English")?, 1);
    assert_eq!(num(d25, "大きい文字")?, 1);
    assert_eq!(num(d25, "中断(問3)")?, 1);
    assert_eq!(num(d25, "中断(質問前)")?, 1);
    let d26 = row("2026-11-26")?;
    assert_eq!(num(d26, "開始")?, 1);
    assert_eq!(num(d26, "スタッフ呼出")?, 1);
    assert_eq!(num(d26, "終了記録なし")?, 0);
    assert_eq!(num(row("2026-11-24")?, "開始")?, 0);
    assert_eq!(num(row("合計")?, "開始")?, 6);

    for by in [By::Hour, By::Route] {
        let bytes = report.render(Format::Csv, by);
        let rows = read_csv(std::str::from_utf8(&bytes[3..])?)?;
        assert!(rows.iter().all(|r| r.len() == rows[0].len()));
        if by == By::Hour {
            assert_eq!(rows[0][0], "時刻");
            assert_eq!(rows.len(), 1 + 24 + 1);
            let h14 = rows.iter().find(|r| r[0] == "14:00").ok_or("no 14:00")?;
            assert_eq!(h14[1], "4");
        } else {
            assert_eq!(rows[0], ["ルート", "ID", "表示", "1位"]);
            let ikou = rows.iter().find(|r| r[1] == "ikou").ok_or("no ikou")?;
            assert_eq!(ikou[2..], ["2", "1"]);
        }
    }
    Ok(())
}

#[test]
fn json_and_table_have_the_documented_shape() -> R {
    let c = content();
    let dir = tempfile::tempdir()?;
    let s = known_store(&dir)?;
    let report = s.report(&c, date(2026, 11, 25), date(2026, 11, 26))?;
    let j: serde_json::Value = serde_json::from_slice(&report.render(Format::Json, By::Day))?;
    assert_eq!(j["days"][0]["date"], "2026-11-25");
    assert_eq!(j["days"][0]["started"], 5);
    assert_eq!(j["days"][0]["completed"], 2);
    assert_eq!(j["days"][0]["routes"]["ikou"], 2);
    assert_eq!(j["days"][0]["routes_first"]["hellowork_open"], 1);
    assert_eq!(j["days"][0]["languages"]["ja"], 4);
    assert_eq!(j["days"][0]["abandoned_at"]["q3"], 1);
    assert_eq!(j["days"][0]["abandoned_at"]["consent"], 1);
    assert_eq!(j["days"][1]["staff_calls"], 1);
    assert_eq!(j["total"]["started"], 6);
    let j: serde_json::Value = serde_json::from_slice(&report.render(Format::Json, By::Hour))?;
    assert_eq!(j["hours"][14]["hour"], 14);
    assert_eq!(j["hours"][14]["started"], 4);
    assert_eq!(j["hours"][0]["started"], 1);
    let j: serde_json::Value = serde_json::from_slice(&report.render(Format::Json, By::Route))?;
    let ikou = j["routes"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["id"] == "ikou"))
        .ok_or("no ikou")?;
    assert_eq!(ikou["recommended"], 2);
    assert_eq!(ikou["name"], "就労移行支援");

    let table = String::from_utf8(report.render(Format::Table, By::Day))?;
    eprintln!("{table}");
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[1].starts_with("日付"), "{table}");
    assert!(lines[2].starts_with("2026-11-25"), "{table}");
    assert!(table.contains("言語: 日本語 4"), "{table}");
    assert!(table.contains("就労移行支援"), "{table}");
    Ok(())
}

fn run(args: &[&str]) -> Result<(i32, String, String), Box<dyn std::error::Error>> {
    let out = Command::new(env!("CARGO_BIN_EXE_hatarakitai"))
        .args(args)
        .output()?;
    Ok((
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout)?,
        String::from_utf8(out.stderr)?,
    ))
}

#[test]
fn stats_command_line() -> R {
    let dir = tempfile::tempdir()?;
    drop(known_store(&dir)?);
    let data = dir.path().to_str().ok_or("path")?;
    let (code, out, err) = run(&[
        "stats",
        "--data-dir",
        data,
        "--from",
        "2026-11-25",
        "--to",
        "2026-11-26",
        "--format",
        "json",
    ])?;
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(j["total"]["started"], 6);

    let (code, out, _) = run(&[
        "stats",
        "--data-dir",
        data,
        "--from",
        "2026-11-25",
        "--format",
        "csv",
    ])?;
    assert_eq!(code, 0);
    assert!(out.starts_with('\u{FEFF}') && out.contains("\r\n"));
    let (code, out, _) = run(&[
        "stats",
        "--data-dir",
        data,
        "--from",
        "2026-11-25",
        "--by",
        "hour",
    ])?;
    assert_eq!(code, 0);
    assert!(out.contains("時刻") && out.contains("14:00"), "{out}");

    for (args, says) in [
        (
            vec!["--from", "2026-11-31"],
            "--from `2026-11-31` is not a date",
        ),
        (vec!["--from", "2026/11/01"], "YYYY-MM-DD"),
        (
            vec!["--from", "2026-11-30", "--to", "2026-11-01"],
            "is after --to",
        ),
        (vec!["--from", "2026-11-01", "--format", "xml"], "xml"),
    ] {
        let mut all = vec!["stats", "--data-dir", data];
        all.extend(args);
        let (code, out, err) = run(&all)?;
        assert_eq!(code, 2, "{all:?}: {err}");
        assert!(out.is_empty());
        assert!(err.contains(says), "{all:?}: {err}");
    }

    let missing = dir.path().join("nope.sqlite");
    let (code, _, err) = run(&["stats", "--db", missing.to_str().ok_or("path")?])?;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nope.sqlite"), "{err}");
    assert!(!missing.exists());

    let garbage = dir.path().join("garbage.sqlite");
    std::fs::write(&garbage, vec![0x5a; 5000])?;
    let (code, _, err) = run(&["stats", "--db", garbage.to_str().ok_or("path")?])?;
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("move it aside") && !err.contains("panicked"),
        "{err}"
    );
    Ok(())
}

#[test]
fn a_route_removed_from_the_catalogue_still_gets_a_column() -> R {
    let c = content();
    let dir = tempfile::tempdir()?;
    let mut s = new_store(&dir)?;
    let t = jst(2026, 11, 25, 10, 0);
    let v = s.begin_visit(1, t, Lang::Ja, false)?;
    s.record_results(v, t, &["old_route", "ikou"])?;
    let r = s.report(&c, date(2026, 11, 25), date(2026, 11, 25))?;
    assert_eq!(r.routes.last().map(|r| r.id.as_str()), Some("old_route"));
    let rows = read_csv(std::str::from_utf8(&r.render(Format::Csv, By::Day)[3..])?)?;
    let i = rows[0]
        .iter()
        .position(|h| h == "old_route")
        .ok_or("no column")?;
    assert_eq!(rows[1][i], "1");
    Ok(())
}
