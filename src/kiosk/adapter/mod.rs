//! Connects the `KioskAdapter` global (ui/adapter.slint) to the `Controller`: each callback
//! forwards to one controller method with the kiosk clock; after it, the controller's `View`
//! is mapped to Slint structs and models (only the parts that changed), and its effects run
//! (print job on a thread, staff command, exit). No decisions are made here.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::mpsc::Sender;
use std::time::Duration;

use slint::{ComponentHandle, Image, SharedString};

use crate::kiosk::backend::PrintResult;
use crate::kiosk::controller::{
    CallNews, Controller, Effect, KeyOutcome, Screen, SetupStep, SlipStatus, View,
};
use crate::kiosk::keys::{self, KeyMap};
use crate::kiosk::lobby::{LobbyLink, NewsChannel};
use crate::kiosk::measure;
use crate::lang::Lang;
use crate::speech::{Request, Speaker};
use crate::ui;

mod models;
use models::words_of;
pub use models::{
    QuestionModels, ResultsModels, luma_image, map_question, map_results, qr_image, ruby_lines,
    to_rtext,
};

/// The kiosk clock in milliseconds (monotonic). Tests pass Slint's mock time.
pub type Clock = Rc<dyn Fn() -> u64>;

/// A clock from `Instant`, starting at 0 now.
pub fn system_clock() -> Clock {
    let start = std::time::Instant::now();
    Rc::new(move || u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX))
}

/// How print jobs run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintRunner {
    /// On a std thread; the result comes back through the event loop (the real kiosk).
    Thread,
    /// At once, on the UI thread (tests and screenshots, which have no event loop).
    Inline,
}

/// What the adapter needs besides the controller.
pub struct AdapterOptions {
    pub clock: Clock,
    pub print_runner: PrintRunner,
    /// `kiosk.on_call_staff`: program and arguments, split on whitespace, run without a shell.
    pub on_call_staff: Option<String>,
    /// `[kiosk] publish_to`: the desks hear staff calls through it (LOBBY.md).
    pub lobby: Option<LobbyLink>,
    /// News of calls from the lobby link's or the command's thread; drained on the UI thread.
    pub news: NewsChannel,
    /// The kiosk's voice; None = no speech (screenshots, most tests).
    pub speaker: Option<Speaker>,
    /// `[access.keys]`.
    pub keymap: KeyMap,
}

struct Inner {
    ctrl: RefCell<Controller>,
    ui: slint::Weak<ui::AppWindow>,
    opts: AdapterOptions,
    last: RefCell<Synced>,
    ticker: slint::Timer,
    /// Drains `opts.news` (a call's answer shows within a fifth of a second).
    news_timer: slint::Timer,
}

#[derive(Default)]
struct Synced {
    /// Focus moved: ask once more on the next turn of the event loop, when a rebuilt screen's
    /// buttons all exist (a button focused while its list was rebuilt may have been replaced).
    focus_nudge: bool,
    revision: u64,
    view: Option<View>,
    slip_visit: Option<u64>,
}

/// The connected kiosk. Keep it alive as long as the window.
#[derive(Clone)]
pub struct Kiosk {
    inner: Rc<Inner>,
}

fn lang_from(i: i32) -> Lang {
    match i {
        1 => Lang::JaEasy,
        2 => Lang::En,
        _ => Lang::Ja,
    }
}

fn lang_to(l: Lang) -> i32 {
    match l {
        Lang::Ja => 0,
        Lang::JaEasy => 1,
        Lang::En => 2,
    }
}

impl Kiosk {
    /// Wires every callback of `app` to `ctrl` and shows the controller's first view.
    pub fn connect(app: &ui::AppWindow, ctrl: Controller, opts: AdapterOptions) -> Kiosk {
        let kiosk = Kiosk {
            inner: Rc::new(Inner {
                ctrl: RefCell::new(ctrl),
                ui: app.as_weak(),
                opts,
                last: RefCell::new(Synced::default()),
                ticker: slint::Timer::default(),
                news_timer: slint::Timer::default(),
            }),
        };
        let a = app.global::<ui::KioskAdapter>();
        let available = kiosk
            .inner
            .opts
            .speaker
            .as_ref()
            .is_some_and(Speaker::available);
        kiosk
            .inner
            .ctrl
            .borrow_mut()
            .set_speech_available(available);

        let texts = kiosk.inner.ctrl.borrow().texts().clone();
        let t1 = Rc::new(texts);
        let t2 = t1.clone();
        a.on_t(move |key, lang| to_rtext(&t1.get(&key, lang_from(lang))));
        a.on_tf(move |key, lang, arg| to_rtext(&t2.format(&key, lang_from(lang), &arg)));

        a.on_ruby_lines(ruby_lines);
        a.on_ruby_extent(|text, size, bold| {
            let (natural, widest) = measure::extent(&words_of(&text), size, bold);
            ui::RubyExtent {
                natural: natural.ceil(),
                widest: widest.ceil(),
            }
        });

        macro_rules! wire {
            ($on:ident, |$c:ident, $n:ident $(, $arg:ident)*| $body:expr) => {{
                let w = Rc::downgrade(&kiosk.inner);
                a.$on(move |$($arg),*| {
                    if let Some(inner) = w.upgrade() {
                        Kiosk { inner }.act(|$c, $n| {
                            $body;
                        });
                    }
                });
            }};
        }
        wire!(on_start, |c, n| c.start(n));
        wire!(on_consent_accept, |c, n| c.consent_accept(n));
        wire!(on_consent_decline, |c, n| c.consent_decline(n));
        wire!(on_answer, |c, n, q, o| c.answer(
            n,
            usize::try_from(q).unwrap_or(usize::MAX),
            usize::try_from(o).unwrap_or(usize::MAX)
        ));
        wire!(on_skip, |c, n, q| c
            .skip(n, usize::try_from(q).unwrap_or(usize::MAX)));
        wire!(on_back, |c, n, q| c
            .back(n, usize::try_from(q).unwrap_or(usize::MAX)));
        wire!(on_results_back, |c, n| c.results_back(n));
        wire!(on_print, |c, n| c.print(n));
        wire!(on_toggle_take_home, |c, n| c.toggle_take_home(n));
        wire!(on_toggle_sheet_marks, |c, n| c.toggle_sheet_marks(n));
        wire!(on_print_sheet_only, |c, n| c.print_sheet_only(n));
        wire!(on_show_map, |c, n| c.show_map(n));
        wire!(on_map_back, |c, n| c.map_back(n));
        wire!(on_finish, |c, n| c.finish(n));
        wire!(on_done_home, |c, n| c.done_home(n));
        wire!(on_set_lang, |c, n, l| c.set_lang(n, lang_from(l)));
        wire!(on_set_large, |c, n, l| c.set_large(n, l));
        wire!(on_call_staff, |c, n| c.call_staff(n));
        wire!(on_staff_call_close, |c, n| c.staff_call_close(n));
        wire!(on_idle_continue, |c, n| c.idle_continue(n));
        wire!(on_activity, |c, n| c.activity(n));
        wire!(on_open_staff, |c, n| c.open_staff(n));
        wire!(on_pin_digit, |c, n, d| c
            .pin_digit(n, u8::try_from(d).unwrap_or(u8::MAX)));
        wire!(on_pin_clear, |c, n| c.pin_clear(n));
        wire!(on_pin_submit, |c, n| c.pin_submit(n));
        wire!(on_pin_cancel, |c, n| c.pin_cancel(n));
        wire!(on_setup_name, |c, n, name| c.setup_name(n, &name));
        wire!(on_setup_name_skip, |c, n| c.setup_name_skip(n));
        wire!(on_setup_test_print, |c, n| c.setup_test_print(n));
        wire!(on_setup_finish, |c, n| c.setup_finish(n));
        wire!(on_staff_close, |c, n| c.staff_close(n));
        wire!(on_exit_kiosk, |c, n| c.exit_kiosk(n));
        wire!(on_focused, |c, _n, key| c.focus_reported(&key));
        wire!(on_toggle_speech, |c, n| c.toggle_speech(n));
        wire!(on_toggle_slow, |c, n| c.toggle_slow(n));
        wire!(on_volume_step, |c, n, up| c.volume(n, up));
        let w = Rc::downgrade(&kiosk.inner);
        a.on_tap_target(move |key| {
            w.upgrade()
                .is_none_or(|inner| Kiosk { inner }.act(|c, n| c.tap_target(n, &key)))
        });
        let w = Rc::downgrade(&kiosk.inner);
        a.on_key(move |text, shift| {
            let Some(inner) = w.upgrade() else { return 0 };
            Kiosk { inner }.key(&text, shift)
        });
        wire!(on_test_print_finished, |c, _n, ok, detail| c
            .test_print_finished(if ok {
                PrintResult::Printed
            } else {
                PrintResult::Failed(detail.to_string())
            }));
        wire!(on_print_finished, |c, _n, visit, ok, detail| c
            .print_finished(
                u64::try_from(visit).unwrap_or(0),
                if ok {
                    PrintResult::Printed
                } else {
                    PrintResult::Failed(detail.to_string())
                }
            ));

        // The idle clock: once a second is plenty for a countdown in whole seconds.
        let w = Rc::downgrade(&kiosk.inner);
        kiosk.inner.ticker.start(
            slint::TimerMode::Repeated,
            Duration::from_millis(1000),
            move || {
                if let Some(inner) = w.upgrade() {
                    Kiosk { inner }.tick();
                }
            },
        );
        let w = Rc::downgrade(&kiosk.inner);
        kiosk.inner.news_timer.start(
            slint::TimerMode::Repeated,
            Duration::from_millis(200),
            move || {
                if let Some(inner) = w.upgrade() {
                    Kiosk { inner }.drain_news();
                }
            },
        );
        kiosk.refresh();
        kiosk
    }

    /// Hands news of staff calls to the controller (the timer does this in the real kiosk).
    pub fn drain_news(&self) {
        let news: Vec<_> = self.inner.opts.news.rx.try_iter().collect();
        for (seq, n) in news {
            self.act(|c, now| c.call_news(now, seq, n));
        }
    }

    /// Runs one controller operation at the current time, then updates the UI.
    pub fn act<R>(&self, f: impl FnOnce(&mut Controller, u64) -> R) -> R {
        let now = (self.inner.opts.clock)();
        let r = {
            let mut c = self.inner.ctrl.borrow_mut();
            let r = f(&mut c, now);
            c.after_input();
            r
        };
        self.refresh();
        r
    }

    /// A key press (Slint's key text): 0 = not ours, 1 = handled, 2 = activate the focused
    /// button (the same `clicked` as a tap).
    pub fn key(&self, text: &str, shift: bool) -> i32 {
        let Some(name) = keys::key_name(text, shift) else {
            return 0;
        };
        let action = self.inner.opts.keymap.action(&name);
        let out = self.act(|c, now| {
            // Digits type the staff PIN on the keypad's screens.
            if let Some(d) = name.parse::<u8>().ok().filter(|d| *d <= 9)
                && c.key_digit(now, d)
            {
                return KeyOutcome::Handled;
            }
            if name == "Enter" && c.key_pin_enter(now) {
                return KeyOutcome::Handled;
            }
            match action {
                Some(a) => c.key(now, a),
                None => {
                    c.activity(now);
                    KeyOutcome::Ignored
                }
            }
        });
        match out {
            KeyOutcome::Ignored => 0,
            KeyOutcome::Handled => 1,
            KeyOutcome::Activate => 2,
        }
    }

    /// Fills the speech cache in the background with everything the kiosk can say.
    pub fn prepare_speech(&self) {
        let Some(sp) = self.inner.opts.speaker.as_ref().filter(|s| s.available()) else {
            return;
        };
        let (content, texts) = {
            let c = self.inner.ctrl.borrow();
            (c.content().clone(), c.texts_rc())
        };
        sp.prepare(crate::kiosk::speak::known_sentences(&content, &texts));
    }

    pub fn tick(&self) {
        self.act(|c, now| c.tick(now));
    }

    /// Read access to the controller (tests, screenshots).
    pub fn with_controller<R>(&self, f: impl FnOnce(&Controller) -> R) -> R {
        f(&self.inner.ctrl.borrow())
    }

    /// Re-syncs the UI if the controller changed, then runs pending effects.
    pub fn refresh(&self) {
        let Some(app) = self.inner.ui.upgrade() else {
            return;
        };
        let (effects, view) = {
            let mut c = self.inner.ctrl.borrow_mut();
            let effects = c.take_effects();
            let view = (c.revision() != self.inner.last.borrow().revision)
                .then(|| (c.revision(), c.view()));
            (effects, view)
        };
        if let Some((rev, view)) = view {
            let mut last = self.inner.last.borrow_mut();
            let ctrl = self.inner.ctrl.borrow();
            apply(&app, &view, &mut last, &ctrl);
            last.revision = rev;
            last.view = Some(view);
        }
        if self.inner.ctrl.borrow().screen() == Screen::Staff {
            let line = match &self.inner.opts.speaker {
                None => "音声: 使っていません ([access] speech = false)".to_string(),
                Some(sp) => {
                    let st = sp.status();
                    match st.problem {
                        Some(p) => format!("音声: {p}"),
                        None => format!("音声: 使えます ({} 文を準備済み)", st.sentences_cached),
                    }
                }
            };
            app.global::<ui::KioskAdapter>().set_speech_status(
                format!("{line}\n{}", crate::speech::engine::VOICE_CREDIT).into(),
            );
        }
        if std::mem::take(&mut self.inner.last.borrow_mut().focus_nudge) {
            let ui = self.inner.ui.clone();
            slint::Timer::single_shot(Duration::from_millis(0), move || {
                if let Some(app) = ui.upgrade() {
                    let a = app.global::<ui::KioskAdapter>();
                    a.set_focus_serial(a.get_focus_serial() | 1);
                }
            });
        }
        for e in effects {
            self.run_effect(e);
        }
    }

    fn run_effect(&self, e: Effect) {
        match e {
            Effect::Print { visit, job } => match self.inner.opts.print_runner {
                PrintRunner::Inline => {
                    let result = job();
                    self.act(|c, _| c.print_finished(visit, result));
                }
                PrintRunner::Thread => {
                    let ui = self.inner.ui.clone();
                    let visit_i = i32::try_from(visit).unwrap_or(i32::MAX);
                    let spawned =
                        std::thread::Builder::new()
                            .name("print".into())
                            .spawn(move || {
                                let (ok, detail) = match job() {
                                    PrintResult::Printed => (true, String::new()),
                                    PrintResult::Failed(why) => (false, why),
                                };
                                let _ = ui.upgrade_in_event_loop(move |app| {
                                    app.global::<ui::KioskAdapter>().invoke_print_finished(
                                        visit_i,
                                        ok,
                                        detail.into(),
                                    );
                                });
                            });
                    if let Err(e) = spawned {
                        self.act(|c, _| {
                            c.print_finished(
                                visit,
                                PrintResult::Failed(format!(
                                    "could not start the print thread: {e}"
                                )),
                            )
                        });
                    }
                }
            },
            Effect::TestPrint { job } => match self.inner.opts.print_runner {
                PrintRunner::Inline => {
                    let result = job();
                    self.act(|c, _| c.test_print_finished(result));
                }
                PrintRunner::Thread => {
                    let ui = self.inner.ui.clone();
                    let spawned =
                        std::thread::Builder::new()
                            .name("test-print".into())
                            .spawn(move || {
                                let (ok, detail) = match job() {
                                    PrintResult::Printed => (true, String::new()),
                                    PrintResult::Failed(why) => (false, why),
                                };
                                let _ = ui.upgrade_in_event_loop(move |app| {
                                    app.global::<ui::KioskAdapter>()
                                        .invoke_test_print_finished(ok, detail.into());
                                });
                            });
                    if let Err(e) = spawned {
                        self.act(|c, _| {
                            c.test_print_finished(PrintResult::Failed(format!(
                                "could not start the print thread: {e}"
                            )))
                        });
                    }
                }
            },
            Effect::CallStaff(req) => {
                let seq = req.seq;
                let lobby = self.inner.opts.lobby.as_ref();
                if let Some(l) = lobby {
                    l.call(req);
                }
                if let Some(cmd) = self.inner.opts.on_call_staff.as_deref() {
                    // With the lobby as well, the command is an extra (a pager, a light):
                    // its failure does not change what the visitor is told.
                    let news = lobby.is_none().then(|| self.inner.opts.news.tx.clone());
                    notify_staff(cmd, seq, news);
                } else if lobby.is_none() {
                    // `publish_to` set but its link could not start: nobody hears the call.
                    let _ = self.inner.opts.news.tx.send((seq, CallNews::Failed));
                }
            }
            Effect::Speak(script) => {
                if let Some(sp) = &self.inner.opts.speaker {
                    let mode = self.inner.ctrl.borrow().speech_mode();
                    sp.speak(Request {
                        lang: script.lang,
                        says: script.parts.into_iter().map(|u| u.say).collect(),
                        slow: mode.slow,
                        volume: mode.volume,
                    });
                }
            }
            Effect::StopSpeech => {
                if let Some(sp) = &self.inner.opts.speaker {
                    sp.stop();
                }
            }
            Effect::ExitKiosk => {
                if let Some(app) = self.inner.ui.upgrade() {
                    let _ = app.hide();
                }
                let _ = slint::quit_event_loop();
            }
        }
    }
}

/// Runs the configured staff-call command without a shell and without waiting; a thread
/// reaps it so no zombie stays. A command that cannot start or exits with an error is
/// reported to `news` as `Failed` (the visitor is then sent to the window). Failures go to
/// stderr (they carry no visitor data).
pub fn notify_staff(cmd: &str, seq: u64, news: Option<Sender<(u64, CallNews)>>) {
    let failed = move |news: Option<Sender<(u64, CallNews)>>| {
        if let Some(tx) = news {
            let _ = tx.send((seq, CallNews::Failed));
        }
    };
    let mut parts = cmd.split_whitespace();
    let Some(program) = parts.next() else {
        return failed(news);
    };
    let child = std::process::Command::new(program)
        .args(parts)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match child {
        Ok(mut child) => {
            let _ = std::thread::Builder::new()
                .name("on_call_staff".into())
                .spawn(move || {
                    if !child.wait().is_ok_and(|s| s.success()) {
                        eprintln!("hatarakitai: kiosk.on_call_staff failed (exit status not 0)");
                        failed(news);
                    }
                });
        }
        Err(e) => {
            eprintln!("hatarakitai: kiosk.on_call_staff `{program}` could not be started: {e}");
            failed(news);
        }
    }
}

fn ui_screen(s: Screen) -> ui::Screen {
    match s {
        Screen::Attract => ui::Screen::Attract,
        Screen::Consent => ui::Screen::Consent,
        Screen::Question(_) => ui::Screen::Question,
        Screen::Results => ui::Screen::Results,
        Screen::Slip => ui::Screen::Slip,
        Screen::Map => ui::Screen::Map,
        Screen::Done => ui::Screen::Done,
        Screen::StaffCall => ui::Screen::StaffCall,
        Screen::StaffPin => ui::Screen::StaffPin,
        Screen::StaffSetup => ui::Screen::StaffSetup,
        Screen::Staff => ui::Screen::Staff,
    }
}

fn apply(app: &ui::AppWindow, v: &View, last: &mut Synced, ctrl: &Controller) {
    let a = app.global::<ui::KioskAdapter>();
    let prev = last.view.as_ref();
    app.global::<ui::Theme>().set_large(v.large);
    a.set_large_text(v.large);
    a.set_lang(lang_to(v.lang));

    if prev.map(|p| &p.question) != Some(&v.question) {
        let q = map_question(v.question.as_ref());
        a.set_q_index(q.index);
        a.set_q_total(q.total);
        a.set_q_text(q.text);
        a.set_q_options(q.options);
        a.set_q_skip_selected(q.skip_selected);
    }
    if prev.map(|p| &p.results) != Some(&v.results) {
        let r = map_results(v.results.as_ref());
        a.set_routes(r.routes);
        a.set_notes(r.notes);
        a.set_handoff(r.handoff);
        a.set_slip_error(r.slip_error);
        if let Some(res) = &v.results {
            a.set_sheet_available(res.sheet.available);
            a.set_take_home(res.sheet.take_home);
            a.set_sheet_marked(res.sheet.marked);
        }
    }
    if prev.map(|p| &p.map) != Some(&v.map) {
        let m = models::map_map(v.map.as_ref());
        a.set_map_root(m.root);
        a.set_map_branches(m.branches);
        a.set_map_yours(m.yours);
    }
    match &v.slip {
        Some(s) => {
            if last.slip_visit != Some(s.visit) {
                let (slip, qr) = match ctrl.slip_ticket() {
                    // The take-home sheet has no payload, and so no QR.
                    Some(t) if t.payload.is_empty() => {
                        (luma_image(t.width, t.height, &t.luma), Image::default())
                    }
                    Some(t) => (luma_image(t.width, t.height, &t.luma), qr_image(&t.payload)),
                    None => (Image::default(), Image::default()),
                };
                a.set_slip_image(slip);
                a.set_qr_image(qr);
                last.slip_visit = Some(s.visit);
            }
            a.set_slip_status(match s.status {
                SlipStatus::Printing => ui::SlipStatus::Printing,
                SlipStatus::Printed => ui::SlipStatus::Printed,
                SlipStatus::Failed(_) => ui::SlipStatus::Failed,
            });
            a.set_receipt_no(s.receipt_no.as_str().into());
            a.set_qr_payload(s.payload.as_str().into());
            a.set_sheet_only(s.sheet_only);
            a.set_sheet_line(models::sheet_line(s, ctrl.texts(), v.lang));
        }
        None => {
            if last.slip_visit.take().is_some() {
                a.set_slip_image(Image::default());
                a.set_qr_image(Image::default());
            }
            a.set_receipt_no(SharedString::new());
            a.set_qr_payload(SharedString::new());
            a.set_slip_status(ui::SlipStatus::Printing);
            a.set_sheet_only(false);
            a.set_sheet_line(ui::RText::default());
        }
    }
    a.set_idle_visible(v.idle_left.is_some());
    a.set_idle_seconds_left(
        v.idle_left
            .map_or(0, |s| i32::try_from(s).unwrap_or(i32::MAX)),
    );
    a.set_pin_length(i32::try_from(v.pin.digits).unwrap_or(0));
    a.set_pin_message(v.pin.message.as_ref().map(to_rtext).unwrap_or_default());
    a.set_pin_locked(v.pin.locked);
    a.set_kiosk_name(v.kiosk_name.as_str().into());
    match &v.setup {
        Some(su) => {
            a.set_setup_step(match su.step {
                SetupStep::NewPin => 0,
                SetupStep::Confirm => 1,
                SetupStep::Name => 2,
                SetupStep::Print => 3,
            });
            a.set_setup_default_name(su.default_name.as_str().into());
            a.set_setup_skip_label(to_rtext(&su.skip_label));
            a.set_setup_print(match &su.print {
                None => 0,
                Some(SlipStatus::Printing) => 1,
                Some(SlipStatus::Printed) => 2,
                Some(SlipStatus::Failed(_)) => 3,
            });
            a.set_setup_print_text(su.print_text.as_ref().map(to_rtext).unwrap_or_default());
        }
        None => {
            a.set_setup_step(0);
            a.set_setup_print(0);
            a.set_setup_print_text(ui::RText::default());
        }
    }
    if prev.map(|p| &p.call) != Some(&v.call) {
        a.set_call_title(to_rtext(&v.call.title));
        a.set_call_body(to_rtext(&v.call.body));
        a.set_call_button(v.call.button_key.into());
    }
    a.set_staff_status(v.staff_status.as_str().into());
    a.set_speech_available(v.speech_available);
    a.set_speech_on(v.speech.on);
    a.set_speech_slow(v.speech.slow);
    a.set_volume(i32::from(v.speech.volume));
    a.set_focus_visible(v.focus_visible);
    a.set_focus_key(v.focus_key.as_str().into());
    // Even = the controller's serial; the adapter's nudge one tick later makes it odd (below).
    let serial = i32::try_from((v.focus_serial * 2) % (i32::MAX as u64 - 1)).unwrap_or(0);
    if a.get_focus_serial() / 2 != serial / 2 {
        a.set_focus_serial(serial);
        last.focus_nudge = true;
    }
    // The screen last, so the new screen is built with its data already in place.
    a.set_screen(ui_screen(v.screen));
}
