//! The staff screen's statistics (PRODUCT.md §7): reads `kiosk.sqlite` through its own
//! connection (WAL lets it read while visits are written), for one day or one month, and
//! fills the `StatsAdapter` global. Also the printer line and the test print, which runs off
//! the UI thread.

use std::cell::Cell;
use std::path::PathBuf;
use std::rc::Rc;

use chrono::{Datelike, Duration, NaiveDate};
use slint::{ComponentHandle, ModelRc, VecModel};

use crate::config::PrinterConfig;
use crate::content::Content;
use crate::lang::Lang;
use crate::stats::StatsReport;
use crate::store::kiosk::KioskStore;
use crate::ui::{AppWindow, Bar, Figure, StatsAdapter};

/// Where the figures come from.
pub struct Source {
    pub db: PathBuf,
    pub content: Rc<Content>,
    pub tz: chrono_tz::Tz,
    pub printer: PrinterConfig,
    pub data_dir: PathBuf,
    /// Today in the centre's time zone.
    pub today: Rc<dyn Fn() -> NaiveDate>,
}

struct State {
    src: Source,
    day: Cell<NaiveDate>,
    month: Cell<bool>,
    /// Opened on first use and kept: opening runs `quick_check`, too slow for every tap.
    store: std::cell::RefCell<Option<KioskStore>>,
}

const WEEKDAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];

fn model<T: Clone + 'static>(v: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(v))
}

pub fn connect(app: &AppWindow, src: Source) {
    let today = (src.today)();
    let st = Rc::new(State {
        src,
        day: Cell::new(today),
        month: Cell::new(false),
        store: std::cell::RefCell::new(None),
    });
    let a = app.global::<StatsAdapter>();
    let hook = |f: fn(&State)| {
        let st = st.clone();
        let w = app.as_weak();
        move || {
            f(&st);
            if let Some(w) = w.upgrade() {
                fill(&w, &st);
            }
        }
    };
    a.on_refresh(hook(|_| {}));
    a.on_today(hook(|s| s.day.set((s.src.today)())));
    a.on_prev(hook(|s| s.day.set(step(s.day.get(), s.month.get(), -1))));
    a.on_next(hook(|s| s.day.set(step(s.day.get(), s.month.get(), 1))));
    a.on_toggle_month(hook(|s| s.month.set(!s.month.get())));
    let w = app.as_weak();
    let st2 = st.clone();
    a.on_test_print(move || {
        let Some(app) = w.upgrade() else { return };
        let a = app.global::<StatsAdapter>();
        a.set_printing(true);
        a.set_message("テスト印刷をしています… / printing a test slip…".into());
        let (cfg, dir) = (st2.src.printer.clone(), st2.src.data_dir.clone());
        let w = app.as_weak();
        let spawned = std::thread::Builder::new()
            .name("test-print".into())
            .spawn(move || {
                let msg = match crate::kiosk::test_print::print_test(&cfg, &dir) {
                    Ok(v) => format!(
                        "テスト印刷しました / test slip printed: {}",
                        v["status"].as_str().unwrap_or("")
                    ),
                    Err(e) => format!("テスト印刷できませんでした / test print failed: {e}"),
                };
                let _ = w.upgrade_in_event_loop(move |app| {
                    let a = app.global::<StatsAdapter>();
                    a.set_printing(false);
                    a.set_message(msg.into());
                });
            });
        if spawned.is_err() {
            a.set_printing(false);
            a.set_message("テスト印刷を始められません / cannot start the test print".into());
        }
    });
    a.set_printer(
        format!(
            "プリンター / printer: {}",
            crate::printer::from_config(&st.src.printer, &st.src.data_dir).describe()
        )
        .into(),
    );
    fill(app, &st);
}

fn step(day: NaiveDate, month: bool, dir: i64) -> NaiveDate {
    if !month {
        return day + Duration::days(dir);
    }
    let first = day.with_day(1).unwrap_or(day);
    if dir < 0 {
        (first - Duration::days(1)).with_day(1).unwrap_or(first)
    } else {
        (first + Duration::days(32)).with_day(1).unwrap_or(first)
    }
}

fn range(day: NaiveDate, month: bool) -> (NaiveDate, NaiveDate) {
    if !month {
        return (day, day);
    }
    let first = day.with_day(1).unwrap_or(day);
    let next = (first + Duration::days(32)).with_day(1).unwrap_or(first);
    (first, next - Duration::days(1))
}

fn load(st: &State, from: NaiveDate, to: NaiveDate) -> Result<StatsReport, String> {
    let mut cached = st.store.borrow_mut();
    if cached.is_none() {
        *cached =
            Some(KioskStore::open_existing(&st.src.db, st.src.tz).map_err(|e| e.to_string())?);
    }
    let store = cached.as_ref().ok_or("the visit records are not open")?;
    let report = store
        .report(&st.src.content, from, to)
        .map_err(|e| e.to_string());
    if report.is_err() {
        // Open afresh next time (e.g. the file was replaced).
        *cached = None;
    }
    report
}

fn fill(app: &AppWindow, st: &State) {
    let a = app.global::<StatsAdapter>();
    let (from, to) = range(st.day.get(), st.month.get());
    a.set_month(st.month.get());
    a.set_period(
        if st.month.get() {
            format!("{}年{}月", from.year(), from.month())
        } else {
            format!(
                "{}年{}月{}日({})",
                from.year(),
                from.month(),
                from.day(),
                WEEKDAYS[from.weekday().num_days_from_monday() as usize]
            )
        }
        .into(),
    );
    let report = match load(st, from, to) {
        Ok(r) => r,
        Err(e) => {
            a.set_message(format!("記録を読めません / cannot read the visit records: {e}").into());
            a.set_figures(model(Vec::new()));
            a.set_hours(model(Vec::new()));
            a.set_routes(model(Vec::new()));
            return;
        }
    };
    a.set_message("".into());
    let t = &report.total;
    let n = |v: u64| v.to_string().into();
    a.set_figures(model(vec![
        Figure {
            label: "来所（開始）".into(),
            value: n(t.started),
        },
        Figure {
            label: "最後まで".into(),
            value: n(t.completed),
        },
        Figure {
            label: "途中でやめた".into(),
            value: n(t.abandoned),
        },
        Figure {
            label: "放置リセット".into(),
            value: n(t.idle_resets),
        },
        Figure {
            label: "受付票 印刷".into(),
            value: n(t.slips_printed),
        },
        Figure {
            label: "印刷失敗".into(),
            value: n(t.print_failures),
        },
        Figure {
            label: "スタッフ呼出".into(),
            value: n(t.staff_calls),
        },
    ]));
    let clamp = |v: u64| i32::try_from(v).unwrap_or(i32::MAX);
    let bars: Vec<Bar> = if st.month.get() {
        report
            .days
            .iter()
            .map(|(d, f)| Bar {
                label: d.day().to_string().into(),
                value: clamp(f.started),
            })
            .collect()
    } else {
        // Opening hours first: 7–20 h; other hours only if something happened then.
        report
            .hours
            .iter()
            .enumerate()
            .filter(|(h, f)| (7..=20).contains(h) || f.started > 0)
            .map(|(h, f)| Bar {
                label: h.to_string().into(),
                value: clamp(f.started),
            })
            .collect()
    };
    a.set_hours_max(bars.iter().map(|b| b.value).max().unwrap_or(0).max(1));
    a.set_hours(model(bars));
    // Routes shown at least once: fewer, taller rows in the panel's room.
    let routes: Vec<Bar> = report
        .routes
        .iter()
        .filter(|r| t.routes.get(&r.id).is_some_and(|n| *n > 0))
        .map(|r| {
            let short = st.src.content.catalogue.route_index(&r.id).map_or_else(
                || r.name.clone(),
                |i| st.src.content.catalogue.routes[i].name.plain(Lang::Ja),
            );
            Bar {
                label: short.into(),
                value: clamp(t.routes.get(&r.id).copied().unwrap_or(0)),
            }
        })
        .collect();
    a.set_routes_max(routes.iter().map(|b| b.value).max().unwrap_or(0).max(1));
    a.set_routes(model(routes));
}
