//! `hatarakitai simulate`: random visitors driven through the real kiosk controller and the
//! live backend (real `kiosk.sqlite`, real slips rendered; printing is simulated), over a
//! number of days with a simulated clock. For demo data, soak runs, crash tests and stats
//! benchmarks. It counts what it did, so tests can compare the summary with `stats`.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::Serialize;

use super::backend::{KioskBackend, PrintResult};
use super::controller::{Controller, Effect, KioskSettings, Screen};
use super::live::LiveBackend;
use super::ui_texts::UiTexts;
use crate::config::Loaded;
use crate::lang::Lang;

/// SplitMix64: small, seedable, good enough to pick random visitors reproducibly.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
    /// True with probability `pct` percent.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

/// What the simulation did, counted the way `stats` counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DayCounts {
    pub started: u64,
    pub completed: u64,
    pub abandoned: u64,
    pub idle_resets: u64,
    pub slips_printed: u64,
    pub print_failures: u64,
    pub staff_calls: u64,
    pub routes: BTreeMap<String, u64>,
}

impl DayCounts {
    fn add(&mut self, d: &DayCounts) {
        self.started += d.started;
        self.completed += d.completed;
        self.abandoned += d.abandoned;
        self.idle_resets += d.idle_resets;
        self.slips_printed += d.slips_printed;
        self.print_failures += d.print_failures;
        self.staff_calls += d.staff_calls;
        for (r, n) in &d.routes {
            *self.routes.entry(r.clone()).or_default() += n;
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub visits: u64,
    pub days: BTreeMap<String, DayCounts>,
    pub total: DayCounts,
    /// (kiosk id, serial) of every visit committed for a slip, in order.
    #[serde(skip)]
    pub committed: Vec<(u16, u32)>,
    /// With `[kiosk] publish_to`: the staff calls and arrivals sent to the desks' lobby.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lobby: Option<crate::kiosk::lobby::LinkState>,
}

pub struct Options {
    pub visits: u64,
    pub days: u32,
    pub seed: u64,
    /// Print each committed visit as `committed KIOSK SERIAL` on stdout, flushed (crash tests).
    pub report_commits: bool,
}

/// The link's queue is bounded (the kiosk never waits); a simulation runs far faster than
/// visitors, so it lets the link catch up — while the server answers.
fn catch_up(l: &crate::kiosk::lobby::LobbyLink) {
    if l.state().problem.is_none() {
        l.wait_sent(std::time::Duration::from_secs(5));
    }
}

/// Runs the simulation. Days end today (centre time); visits are spread over opening hours.
pub fn run(
    loaded: &Loaded,
    data_dir: &Path,
    opts: &Options,
    now: DateTime<Utc>,
) -> Result<Summary, String> {
    let content = Rc::new(loaded.content().map_err(|e| e.to_string())?);
    let texts = Rc::new(UiTexts::embedded().map_err(|e| {
        e.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })?);
    let tz = loaded.config.timezone();
    let days = opts.days.max(1);
    let first_day = now.with_timezone(&tz).date_naive() - Duration::days(i64::from(days) - 1);
    let clock = Rc::new(Cell::new(now.timestamp_millis()));
    let c = clock.clone();
    let live = LiveBackend::open(
        loaded,
        (*content).clone(),
        data_dir,
        Box::new(move || DateTime::from_timestamp_millis(c.get()).unwrap_or_default()),
    );
    if live.store().is_none() {
        return Err(live.status());
    }
    // Calls and arrivals go to the desks through the real kiosk's lobby link.
    let mut live = live;
    let news = crate::kiosk::lobby::NewsChannel::default();
    live.start_lobby(
        loaded,
        crate::kiosk::lobby::Identity::of(loaded, data_dir),
        false,
        news.report(),
    );
    let link = live.lobby().cloned();
    // Shared so the simulation can set each print's outcome.
    let shared = Rc::new(RefCell::new(live));
    let mut ctrl = Controller::new(
        content.clone(),
        texts,
        KioskSettings::from_config(&loaded.config.kiosk),
        Box::new(shared.clone()),
    );
    let settings = KioskSettings::from_config(&loaded.config.kiosk);
    let idle_ms = i64::from(settings.idle_seconds + settings.warning_seconds) * 1000 + 1000;
    let mut rng = Rng::new(opts.seed);
    let mut sum = Summary::default();
    let per_day = opts.visits.div_ceil(u64::from(days)).max(1);
    let questions = content.questionnaire.len();
    let mut out = std::io::stdout();

    for v in 0..opts.visits {
        let day = first_day + Duration::days(i64::try_from(v / per_day).unwrap_or(0));
        // Opening hours 9:00–17:00, in visit order within the day.
        let slot = (v % per_day) * 8 * 3600 / per_day;
        let start = day
            .and_hms_opt(9, 0, 0)
            .and_then(|t| tz.from_local_datetime(&t).earliest())
            .map_or(now, |t| t.with_timezone(&Utc));
        // The controller's clock is monotonic (taps before the last screen change are
        // ignored): when a day has more visits than fit its slots, the next visit starts a
        // second after the previous one ended instead of going back in time.
        let at = start.timestamp_millis() + i64::try_from(slot).unwrap_or(0) * 1000;
        clock.set(if v == 0 {
            at
        } else {
            at.max(clock.get() + 1000)
        });
        // Counted on the day the visit really starts (a crowded day may run past midnight).
        let date = DateTime::from_timestamp_millis(clock.get())
            .map_or(day, |t| t.with_timezone(&tz).date_naive())
            .format("%Y-%m-%d")
            .to_string();
        let counts = sum.days.entry(date).or_default();
        let step = |clock: &Cell<i64>| {
            clock.set(clock.get() + 1500);
            u64::try_from(clock.get()).unwrap_or(0)
        };
        sum.visits += 1;
        // Someone on the attract screen may call staff without starting.
        if rng.chance(2) {
            ctrl.call_staff(step(&clock));
            counts.staff_calls += 1;
            ctrl.staff_call_close(step(&clock));
        }
        if rng.chance(15) {
            ctrl.set_lang(
                step(&clock),
                [Lang::JaEasy, Lang::En][rng.below(2) as usize],
            );
        }
        if rng.chance(10) {
            ctrl.set_large(step(&clock), true);
        }
        ctrl.start(step(&clock));
        if rng.chance(4) {
            // やめる on the consent screen: no visit begins.
            ctrl.consent_decline(step(&clock));
            continue;
        }
        ctrl.consent_accept(step(&clock));
        counts.started += 1;
        let mut ended = false;
        let mut q = 0;
        while q < questions {
            if rng.chance(3) {
                // Walks away mid-questionnaire: the idle countdown resets the kiosk.
                clock.set(clock.get() + idle_ms);
                ctrl.tick(u64::try_from(clock.get()).unwrap_or(0));
                counts.idle_resets += 1;
                ended = true;
                break;
            }
            if q == 0 && rng.chance(2) {
                // Back to the consent screen, then やめる: abandoned before any answer.
                ctrl.back(step(&clock), 0);
                ctrl.consent_decline(step(&clock));
                counts.abandoned += 1;
                ended = true;
                break;
            }
            if q > 0 && rng.chance(5) {
                ctrl.back(step(&clock), q);
                q -= 1;
                continue;
            }
            if rng.chance(2) {
                ctrl.call_staff(step(&clock));
                counts.staff_calls += 1;
                for e in ctrl.take_effects() {
                    if let (Effect::CallStaff(r), Some(l)) = (e, &link) {
                        l.call(r);
                        catch_up(l);
                    }
                }
                ctrl.staff_call_close(step(&clock));
            }
            let n = content.questionnaire.questions[q].options.len() as u64;
            if rng.chance(15) {
                ctrl.skip(step(&clock), q);
            } else {
                ctrl.answer(step(&clock), q, rng.below(n) as usize);
            }
            q += 1;
        }
        if ended {
            continue;
        }
        debug_assert_eq!(ctrl.screen(), Screen::Results);
        counts.completed += 1;
        let routes = crate::matcher::match_answers(&content, ctrl.answers());
        for h in &routes.routes {
            *counts
                .routes
                .entry(content.catalogue.routes[h.route].id.clone())
                .or_default() += 1;
        }
        if rng.chance(85) {
            let fail = rng.chance(8);
            shared.borrow_mut().simulated_print = Some(if fail {
                PrintResult::Failed("用紙がありません (simulated)".into())
            } else {
                PrintResult::Printed
            });
            ctrl.print(step(&clock));
            for e in ctrl.take_effects() {
                match (e, &link) {
                    (Effect::Print { visit, job }, _) => {
                        let r = job();
                        ctrl.print_finished(visit, r);
                    }
                    (Effect::CallStaff(r), Some(l)) => l.call(r),
                    _ => {}
                }
            }
            // The link's queue is bounded (the kiosk never waits); a simulation runs far
            // faster than visitors, so it lets the link catch up.
            if let Some(l) = &link {
                catch_up(l);
            }
            if let Some(v) = shared.borrow().current_visit() {
                sum.committed.push((v.kiosk_id, v.serial));
                if opts.report_commits {
                    use std::io::Write;
                    let _ = writeln!(out, "committed {} {}", v.kiosk_id, v.serial);
                    let _ = out.flush();
                }
            }
            if fail {
                counts.print_failures += 1;
            } else {
                counts.slips_printed += 1;
            }
            ctrl.finish(step(&clock));
            ctrl.done_home(step(&clock));
        } else {
            // Leaves after reading: idle ends it as completed.
            clock.set(clock.get() + idle_ms);
            ctrl.tick(u64::try_from(clock.get()).unwrap_or(0));
        }
        ctrl.take_effects();
    }
    if let Some(l) = &link {
        // A simulation ends at once; the kiosk's link would have sent these meanwhile. A
        // server that cannot be reached costs the kiosk nothing: the summary says what went.
        catch_up(l);
        sum.lobby = Some(l.state());
    }
    let mut total = DayCounts::default();
    sum.days.values().for_each(|d| total.add(d));
    sum.total = total;
    // A server that cannot be reached is not the simulation's failure (the kiosk runs the
    // same): the summary's `lobby` says what was sent.
    let status = shared.borrow().local_problems().join("\n");
    if !status.is_empty() {
        return Err(status);
    }
    Ok(sum)
}
