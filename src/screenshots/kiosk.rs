//! `hatarakitai screenshots --out DIR`: every kiosk screen × 3 languages × 3 resolutions ×
//! 2 text sizes, rendered with the software renderer into PNG files. No display and no real
//! clock: a fresh controller is driven to each state with fixed times, so the output is
//! deterministic. Slint allows one platform per process, so everything renders in one run.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{ComponentHandle, PhysicalSize, PlatformError, Rgb8Pixel};

use crate::answers::Answers;
use crate::kiosk::adapter::{AdapterOptions, Kiosk, PrintRunner};
use crate::kiosk::backend::{
    EndReason, KioskBackend, MemoryBackend, PrintJob, PrintResult, SlipTicket,
};
use crate::kiosk::controller::{CallChannel, CallNews, Controller, KioskSettings};
use crate::kiosk::keys::KeyAction;
use crate::kiosk::run::Prepared;
use crate::lang::Lang;
use crate::matcher::Outcome;
use crate::ui::AppWindow;

pub const RESOLUTIONS: [(u32, u32); 3] = [(1920, 1080), (1080, 1920), (1280, 800)];

/// Answers that give three routes and three notes: the fullest results screen.
pub const SAMPLE_ANSWERS: &str = "goal=place_to_go,days=d3_4,health=sometimes,rhythm=mostly,income=some,disclose=open,techo=no,commute=near";

struct ShotPlatform {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for ShotPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        Ok(self.window.clone())
    }
    fn duration_since_start(&self) -> std::time::Duration {
        // A frozen clock: no animation or timer moves between runs.
        std::time::Duration::ZERO
    }
}

/// A stand-in for the real slip renderer: a receipt-shaped bitmap with a QR, so the slip
/// screen looks like it will. The real backend supplies the real bitmap.
pub struct SampleBackend {
    pub inner: MemoryBackend,
}

impl SampleBackend {
    pub fn new(fail_print: Option<String>) -> SampleBackend {
        SampleBackend {
            inner: MemoryBackend {
                fail_sheet: None,
                events: Vec::new(),
                fail_print,
            },
        }
    }
}

pub const SAMPLE_PAYLOAD: &str =
    "HT1AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYUCULBOGAZDINRYHE4DQMBVGM2TMNZYHEYDCMRTGQ2TMNZYHE";

/// A 576-dot wide receipt with grey bars for text lines and the QR near the bottom.
pub fn sample_ticket() -> SlipTicket {
    let (w, h) = (576usize, 1000usize);
    let mut luma = vec![255u8; w * h];
    let mut bar = |y0: usize, height: usize, x0: usize, x1: usize| {
        for y in y0..(y0 + height).min(h) {
            for x in x0..x1.min(w) {
                luma[y * w + x] = 0;
            }
        }
    };
    bar(40, 34, 88, 488);
    bar(110, 56, 208, 368);
    bar(200, 26, 48, 528);
    bar(250, 40, 128, 448);
    for (i, len) in [420usize, 360, 460, 300, 400, 330].iter().enumerate() {
        bar(330 + i * 44, 22, 48, 48 + len);
    }
    bar(620, 26, 48, 520);
    if let Ok(code) =
        qrcode::QrCode::with_error_correction_level(SAMPLE_PAYLOAD.as_bytes(), qrcode::EcLevel::Q)
    {
        let n = code.width();
        let colors = code.to_colors();
        let scale = 5;
        let (ox, oy) = ((w - n * scale) / 2, 690);
        for (i, c) in colors.iter().enumerate() {
            if *c == qrcode::Color::Dark {
                let (mx, my) = (i % n, i / n);
                bar(
                    oy + my * scale,
                    scale,
                    ox + mx * scale,
                    ox + mx * scale + scale,
                );
            }
        }
    }
    SlipTicket {
        width: w as u32,
        height: h as u32,
        luma,
        payload: SAMPLE_PAYLOAD.into(),
        receipt_no: "1125-023".into(),
    }
}

impl KioskBackend for SampleBackend {
    fn visit_started(&mut self, lang: Lang, large: bool) {
        self.inner.visit_started(lang, large)
    }
    fn answered(&mut self, q: usize, o: Option<u8>) {
        self.inner.answered(q, o)
    }
    fn display_changed(&mut self, lang: Lang, large: bool) {
        self.inner.display_changed(lang, large)
    }
    fn results_shown(&mut self, a: &Answers, o: &Outcome, l: Lang) {
        self.inner.results_shown(a, o, l)
    }
    fn make_slip(
        &mut self,
        a: &Answers,
        o: &Outcome,
        l: Lang,
    ) -> Result<(SlipTicket, PrintJob), String> {
        let (_, job) = self.inner.make_slip(a, o, l)?;
        Ok((sample_ticket(), job))
    }
    fn make_sheet(
        &mut self,
        o: &Outcome,
        l: Lang,
        marked: bool,
    ) -> Result<(SlipTicket, PrintJob), String> {
        let (_, job) = self.inner.make_sheet(o, l, marked)?;
        // The real take-home sheet of these results, from the bundled content.
        let content = crate::content::Content::embedded().map_err(|e| e.to_string())?;
        let tree =
            crate::content::SheetTree::embedded(&content.catalogue).map_err(|e| e.to_string())?;
        let fonts = crate::slip::SlipFonts::bundled().map_err(|e| e.to_string())?;
        let centre = crate::config::CentreConfig::default();
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let data = crate::sheet::SheetData::build(
            &content,
            &tree,
            o,
            l,
            &centre,
            &crate::config::default_procedures(),
            &[],
            date,
            marked,
        );
        let r = crate::sheet::raster::render(&data, &fonts, 576);
        let ticket = SlipTicket {
            width: r.bitmap.width,
            height: r.bitmap.height,
            luma: r.bitmap.to_luma8(),
            payload: String::new(),
            receipt_no: String::new(),
        };
        Ok((ticket, job))
    }
    fn print_finished(&mut self, r: &PrintResult) {
        self.inner.print_finished(r)
    }
    fn visit_ended(&mut self, r: EndReason) {
        self.inner.visit_ended(r)
    }
    fn staff_called(&mut self) {
        self.inner.staff_called()
    }
    fn test_print(&mut self) -> PrintJob {
        self.inner.test_print()
    }
}

/// One state of the kiosk to photograph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shot {
    Attract,
    Consent,
    Question(usize),
    Results,
    /// The results scrolled to the end: notes and the handoff line.
    ResultsEnd,
    /// 「ぜんたいの 地図」: the map with the visitor's routes marked.
    Map,
    /// The slip screen after 「持ち帰り用も 印刷」: the staff slip and the take-home copy.
    SlipTakeHome,
    /// 「持ち帰り用だけ 印刷」: the take-home copy alone.
    SheetOnly,
    Slip,
    PrintFailed,
    Done,
    /// 「こまったとき」 with no way to reach staff: the reception window.
    StaffCall,
    /// With the lobby: 呼んでいます, then a desk's answer (with the name shown).
    StaffCalling,
    StaffComing,
    /// No desk answered in time.
    StaffBusy,
    Idle,
    /// The one-time setup (no PIN yet): the new PIN half typed.
    SetupPin,
    /// The setup's kiosk-name step.
    SetupName,
    /// The setup's last step after a test print.
    SetupPrint,
    StaffPin,
    Staff,
    /// A question after a key press: the focus outline, speech on (its settings row shown).
    KeysQuestion,
    /// The results with keyboard focus on 「受付票を印刷」.
    KeysResults,
}

impl Shot {
    pub fn all(questions: usize) -> Vec<Shot> {
        let mut v = vec![Shot::Attract, Shot::Consent];
        v.extend((0..questions).map(Shot::Question));
        v.extend([
            Shot::Results,
            Shot::ResultsEnd,
            Shot::Map,
            Shot::Slip,
            Shot::SlipTakeHome,
            Shot::SheetOnly,
            Shot::PrintFailed,
            Shot::Done,
            Shot::StaffCall,
            Shot::StaffCalling,
            Shot::StaffComing,
            Shot::StaffBusy,
            Shot::Idle,
            Shot::SetupPin,
            Shot::SetupName,
            Shot::SetupPrint,
            Shot::StaffPin,
            Shot::Staff,
            Shot::KeysQuestion,
            Shot::KeysResults,
        ]);
        v
    }

    pub fn name(self) -> String {
        match self {
            Shot::Attract => "01-attract".into(),
            Shot::Consent => "02-consent".into(),
            Shot::Question(i) => format!("03-question{}", i + 1),
            Shot::Results => "04-results".into(),
            Shot::ResultsEnd => "04b-results-end".into(),
            Shot::Map => "04c-map".into(),
            Shot::SlipTakeHome => "05b-slip-take-home".into(),
            Shot::SheetOnly => "05c-take-home-only".into(),
            Shot::Slip => "05-slip".into(),
            Shot::PrintFailed => "06-print-failed".into(),
            Shot::Done => "07-done".into(),
            Shot::StaffCall => "08-staff-call-no-channel".into(),
            Shot::StaffCalling => "08b-staff-calling".into(),
            Shot::StaffComing => "08c-staff-coming".into(),
            Shot::StaffBusy => "08d-staff-busy".into(),
            Shot::Idle => "09-idle-dialog".into(),
            Shot::SetupPin => "10a-staff-setup-pin".into(),
            Shot::SetupName => "10b-staff-setup-name".into(),
            Shot::SetupPrint => "10c-staff-setup-print".into(),
            Shot::StaffPin => "10-staff-pin".into(),
            Shot::Staff => "11-staff".into(),
            Shot::KeysQuestion => "12-keys-question1".into(),
            Shot::KeysResults => "13-keys-results".into(),
        }
    }
}

/// The PIN the screenshots' setup chooses (in a controller's memory only: no file, no config).
const SETUP_DIGITS: [u8; 6] = [2, 4, 6, 8, 1, 3];

/// Drives a fresh controller (through the same calls a visitor's taps make) to `shot`.
pub fn drive(k: &Kiosk, shot: Shot, answers: &[Option<u8>]) {
    let steps = |k: &Kiosk, f: &dyn Fn(&mut Controller, u64) -> bool| {
        k.act(|c, n| f(c, n));
    };
    let questions = answers.len();
    // The setup as staff do it the first time (the PIN lives in this controller's memory).
    let set_pin = |k: &Kiosk| {
        steps(k, &|c, n| c.open_staff(n));
        for _ in 0..2 {
            for d in SETUP_DIGITS {
                steps(k, &|c, n| c.pin_digit(n, d));
            }
            steps(k, &|c, n| c.pin_submit(n));
        }
    };
    let to_question = |k: &Kiosk, upto: usize| {
        steps(k, &|c, n| c.start(n));
        steps(k, &|c, n| c.consent_accept(n));
        for (q, a) in answers.iter().enumerate().take(upto) {
            match a {
                Some(o) => steps(k, &|c, n| c.answer(n, q, usize::from(*o))),
                None => steps(k, &|c, n| c.skip(n, q)),
            }
        }
    };
    match shot {
        Shot::Attract => {}
        Shot::Consent => steps(k, &|c, n| c.start(n)),
        Shot::Question(i) => to_question(k, i),
        Shot::Results | Shot::ResultsEnd => to_question(k, questions),
        Shot::Map => {
            to_question(k, questions);
            steps(k, &|c, n| c.show_map(n));
        }
        Shot::SlipTakeHome => {
            to_question(k, questions);
            steps(k, &|c, n| c.toggle_take_home(n));
            steps(k, &|c, n| c.print(n));
        }
        Shot::SheetOnly => {
            to_question(k, questions);
            steps(k, &|c, n| c.print_sheet_only(n));
        }
        Shot::Slip | Shot::PrintFailed => {
            to_question(k, questions);
            steps(k, &|c, n| c.print(n));
        }
        Shot::Done => {
            to_question(k, questions);
            steps(k, &|c, n| c.print(n));
            steps(k, &|c, n| c.finish(n));
        }
        Shot::StaffCall | Shot::StaffCalling => {
            to_question(k, 2);
            steps(k, &|c, n| c.call_staff(n));
        }
        Shot::StaffComing => {
            to_question(k, 2);
            steps(k, &|c, n| c.call_staff(n));
            k.act(|c, n| c.call_news(n, 1, CallNews::Answered(Some("佐藤".into()))));
        }
        Shot::StaffBusy => {
            to_question(k, 2);
            steps(k, &|c, n| c.call_staff(n));
            k.act(|c, n| c.tick(n + 61_000));
        }
        Shot::Idle => {
            to_question(k, 2);
            // 90 s without a touch, then 8 s into the countdown.
            k.act(|c, n| c.tick(n + 98_000));
        }
        Shot::SetupPin => {
            steps(k, &|c, n| c.open_staff(n));
            for d in [1, 2, 3] {
                steps(k, &|c, n| c.pin_digit(n, d));
            }
        }
        Shot::SetupName => set_pin(k),
        Shot::SetupPrint => {
            set_pin(k);
            steps(k, &|c, n| c.setup_name(n, "1階ロビー"));
            steps(k, &|c, n| c.setup_test_print(n));
        }
        Shot::StaffPin => {
            set_pin(k);
            steps(k, &|c, n| c.setup_name_skip(n));
            steps(k, &|c, n| c.setup_finish(n));
            steps(k, &|c, n| c.staff_close(n));
            steps(k, &|c, n| c.open_staff(n));
            steps(k, &|c, n| c.pin_digit(n, 1));
            steps(k, &|c, n| c.pin_digit(n, 2));
        }
        Shot::KeysQuestion => {
            to_question(k, 0);
            k.act(|c, n| c.key(n, KeyAction::Next));
        }
        Shot::KeysResults => {
            to_question(k, questions);
            k.act(|c, n| c.key(n, KeyAction::Slow));
        }
        Shot::Staff => {
            set_pin(k);
            steps(k, &|c, n| c.setup_name(n, "1階ロビー"));
            steps(k, &|c, n| c.setup_finish(n));
        }
    }
}

pub struct Shooter {
    window: Rc<MinimalSoftwareWindow>,
    app: AppWindow,
    clock: Rc<Cell<u64>>,
    prepared: Prepared,
    answers: Vec<Option<u8>>,
    kiosk: Option<Kiosk>,
}

impl Shooter {
    /// Sets the process's Slint platform (once per process) and creates the window.
    pub fn new(prepared: Prepared) -> Result<Shooter, String> {
        let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
        slint::platform::set_platform(Box::new(ShotPlatform {
            window: window.clone(),
        }))
        .map_err(|e| format!("cannot set up the software renderer: {e}"))?;
        let app = AppWindow::new().map_err(|e| format!("cannot create the kiosk window: {e}"))?;
        app.show()
            .map_err(|e| format!("cannot show the kiosk window: {e}"))?;
        let answers = Answers::parse_kv(&prepared.content.questionnaire, SAMPLE_ANSWERS)
            .map_err(|e| format!("sample answers: {e}"))?
            .slots()
            .to_vec();
        Ok(Shooter {
            window,
            app,
            clock: Rc::new(Cell::new(0)),
            prepared,
            answers,
            kiosk: None,
        })
    }

    pub fn app(&self) -> &AppWindow {
        &self.app
    }

    /// Closes the kiosk window and hands back the software window (for the desk's shots).
    pub fn into_window(self) -> Rc<MinimalSoftwareWindow> {
        let _ = self.app.hide();
        self.window
    }

    /// Runs one controller operation on the current kiosk (benchmarks).
    pub fn act<R>(&self, f: impl FnOnce(&mut Controller, u64) -> R) -> Option<R> {
        self.kiosk.as_ref().map(|k| k.act(f))
    }

    /// Puts the kiosk in `shot`'s state with a new controller.
    pub fn set_state(&mut self, shot: Shot, lang: Lang, large: bool) {
        self.kiosk = None;
        let fail = (shot == Shot::PrintFailed).then(|| "paper end".to_string());
        let ctrl = Controller::new(
            self.prepared.content.clone(),
            self.prepared.texts.clone(),
            // No PIN and nothing on disk: every shot starts as a new kiosk would.
            KioskSettings {
                staff_pin_hash: None,
                data_dir: None,
                // The call screens with the lobby (LOBBY.md §1); every other shot as a
                // kiosk configured without any channel.
                call_channel: if matches!(
                    shot,
                    Shot::StaffCalling | Shot::StaffComing | Shot::StaffBusy
                ) {
                    CallChannel::Lobby
                } else {
                    self.prepared.settings.call_channel
                },
                show_staff_name: shot == Shot::StaffComing,
                ..self.prepared.settings.clone()
            },
            Box::new(SampleBackend::new(fail)),
        );
        self.clock.set(1_000_000);
        let clock = self.clock.clone();
        let k = Kiosk::connect(
            &self.app,
            ctrl,
            AdapterOptions {
                clock: Rc::new(move || {
                    // Every call is a second later: past the double-tap guard, far from idle.
                    clock.set(clock.get() + 1000);
                    clock.get()
                }),
                print_runner: PrintRunner::Inline,
                on_call_staff: None,
                lobby: None,
                news: Default::default(),
                speaker: None,
                keymap: Default::default(),
            },
        );
        // Shown as on a kiosk with the speech packages installed.
        k.act(|c, n| {
            c.set_speech_available(true);
            c.set_lang(n, lang);
            c.set_large(n, large)
        });
        drive(&k, shot, &self.answers);
        self.kiosk = Some(k);
    }

    /// Renders once (for the layout), scrolls the middle of the screen all the way down with
    /// the mouse wheel, and renders again.
    pub fn render_scrolled_to_end(&self, w: u32, h: u32) -> Vec<u8> {
        let centre = slint::LogicalPosition::new(w as f32 / 2.0, h as f32 / 2.0);
        // Twice: the first frame settles the layout (line breaks depend on widths).
        for _ in 0..2 {
            self.render(w, h);
            let _ = self.app.window().dispatch_event_with_result(
                slint::platform::WindowEvent::PointerScrolled {
                    position: centre,
                    delta_x: 0.0,
                    delta_y: -100_000.0,
                },
            );
        }
        self.render(w, h)
    }

    /// Renders the current state at `w`×`h` into RGB bytes.
    pub fn render(&self, w: u32, h: u32) -> Vec<u8> {
        self.window.set_size(PhysicalSize::new(w, h));
        slint::platform::update_timers_and_animations();
        self.window.request_redraw();
        let mut buf = vec![Rgb8Pixel::default(); (w * h) as usize];
        self.window.draw_if_needed(|r| {
            r.render(&mut buf, w as usize);
        });
        let mut rgb = Vec::with_capacity(buf.len() * 3);
        for p in &buf {
            rgb.extend_from_slice(&[p.r, p.g, p.b]);
        }
        rgb
    }
}

/// Renders every kiosk screen into `out`; returns the files written and the software window,
/// which the desk's screens reuse (Slint allows one platform per process).
pub fn render_all(
    prepared: Prepared,
    out: &Path,
    only: Option<&str>,
) -> Result<(Vec<PathBuf>, Rc<MinimalSoftwareWindow>), String> {
    let questions = prepared.content.questionnaire.len();
    let content = prepared.content.clone();
    let mut shooter = Shooter::new(prepared)?;
    // The staff screen shows real figures: a day of simulated visitors in a throwaway store.
    let tmp = std::env::temp_dir().join(format!("hatarakitai-shots-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let loaded = crate::config::Loaded::load(None).map_err(|e| e.to_string())?;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).ok_or("date")?;
    let noon = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 25, 8, 0, 0)
        .single()
        .ok_or("date")?;
    let opts = crate::kiosk::simulate::Options {
        visits: 40,
        days: 1,
        seed: 3,
        report_commits: false,
    };
    crate::kiosk::simulate::run(&loaded, &tmp, &opts, noon)?;
    crate::kiosk::staff_stats::connect(
        shooter.app(),
        crate::kiosk::staff_stats::Source {
            db: tmp.join("kiosk.sqlite"),
            content,
            tz: loaded.config.timezone(),
            printer: loaded.config.printer.clone(),
            // Shown in the printer line: a stable path keeps the screenshots deterministic.
            data_dir: PathBuf::from("/var/lib/hatarakitai"),
            today: Rc::new(move || day),
        },
    );
    let mut written = Vec::new();
    for shot in Shot::all(questions) {
        for lang in Lang::ALL {
            for large in [false, true] {
                let size = if large { "large" } else { "normal" };
                let name = |w: u32, h: u32| {
                    format!("{}_{}_{}x{}_{}.png", shot.name(), lang.id(), w, h, size)
                };
                if only.is_some_and(|o| RESOLUTIONS.iter().all(|&(w, h)| !name(w, h).contains(o))) {
                    continue;
                }
                shooter.set_state(shot, lang, large);
                for (w, h) in RESOLUTIONS {
                    let name = name(w, h);
                    if only.is_some_and(|o| !name.contains(o)) {
                        continue;
                    }
                    let rgb = if shot == Shot::ResultsEnd {
                        shooter.render_scrolled_to_end(w, h)
                    } else {
                        shooter.render(w, h)
                    };
                    let path = out.join(name);
                    super::write_png(&path, w, h, &rgb)?;
                    written.push(path);
                }
            }
        }
    }
    let window = shooter.into_window();
    let _ = std::fs::remove_dir_all(&tmp);
    Ok((written, window))
}
