//! The real `KioskBackend`: visits go to `kiosk.sqlite`, slips are rendered from the visit
//! (payload sealed with the centre key, 1-bit raster) and printed off the UI thread, staff
//! calls are recorded (the adapter runs the configured command).
//!
//! Faults never stop the visitor: if the store cannot be opened or written, the kiosk keeps
//! showing routes (safe mode), refuses slips it could not record, and `status()` tells staff.
//! Invariant: a visit is committed (`complete_visit`) before its slip exists.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use super::backend::Aids;
use super::backend::{EndReason, KioskBackend, PrintJob, PrintResult, SlipTicket};
use super::lobby::{ArrivalInfo, Health, Identity, LobbyLink, Report, Timing as LobbyTiming};
use super::publish::{PublishState, Publisher, Timing};
use crate::answers::Answers;
use crate::config::{CentreConfig, Loaded, PrinterConfig, in_data_dir};
use crate::content::Content;
use crate::lang::Lang;
use crate::lobby::PrinterState;
use crate::matcher::Outcome;
use crate::payload::{self, CentreKey, VisitRecord};
use crate::slip::{self, SlipData, SlipFonts};
use crate::store::key_file::KeyFile;
use crate::store::kiosk::{KioskStore, VisitRef};
use crate::store::pg::PgTarget;
use std::sync::Arc;

/// The wall clock, injectable so tests and `simulate` control time.
pub type Clock = Box<dyn Fn() -> DateTime<Utc>>;

pub struct LiveBackend {
    store: Option<KioskStore>,
    store_problem: Option<String>,
    key: Result<CentreKey, String>,
    fonts: Result<SlipFonts, String>,
    content: Content,
    kiosk_id: u16,
    retention_days: u32,
    centre: CentreConfig,
    printer: PrinterConfig,
    data_dir: PathBuf,
    tz: chrono_tz::Tz,
    visit: Option<VisitRef>,
    /// The visit whose slip is printing: its result may arrive after the visit ended.
    slip_visit: Option<VisitRef>,
    last_fold: Option<NaiveDate>,
    clock: Clock,
    /// When set (by `simulate`), slips are rendered but not sent to a printer, and the job
    /// reports this result instead.
    pub simulated_print: Option<PrintResult>,
    /// `[kiosk] publish_to`: started by the real kiosk only (`start_publishing`).
    publisher: Option<Publisher>,
    publish_problem: Option<String>,
    /// `[kiosk] publish_to`: staff calls, arrivals and heartbeats (`start_lobby`).
    lobby: Option<LobbyLink>,
    lobby_problem: Option<String>,
    /// The aids of the visit making a slip, and the slip printing (serial, receipt number,
    /// language, aids) for the waiting list once it has printed.
    aids: Aids,
    printing: Option<ArrivalInfo>,
    /// The take-home sheet's map and public contacts (`[content] sheet`, `agencies`), or why
    /// they cannot be used.
    sheet: Result<
        (
            crate::content::SheetTree,
            Vec<crate::network::agency::PublicContact>,
        ),
        String,
    >,
    procedures: crate::content::Texts,
}

impl LiveBackend {
    /// Opens the store and the key in `data_dir`. Problems do not fail here: they put the
    /// kiosk in safe mode and show up in `status()`.
    pub fn open(loaded: &Loaded, content: Content, data_dir: &Path, clock: Clock) -> LiveBackend {
        let cfg = &loaded.config;
        let tz = cfg.timezone();
        let now = clock();
        let (store, store_problem) = match KioskStore::open(&data_dir.join("kiosk.sqlite"), tz) {
            Ok(mut s) => {
                // Visits a crash left open are marked interrupted; old answers are folded.
                let _ = s.close_unfinished(now);
                let fold = s.fold_expired(now, cfg.kiosk.retention_days);
                let problem = fold
                    .err()
                    .map(|e| format!("集計の整理に失敗しました / retention folding failed: {e}"));
                (Some(s), problem)
            }
            Err(e) => (
                None,
                Some(format!(
                    "記録用のデータベースが使えません。ルートの案内は続けますが、来所の記録と受付票の印刷は止まっています。 / The visit database cannot be used; routes are still shown but visits are not recorded and no slips are printed. ({e})"
                )),
            ),
        };
        let key_path = cfg
            .keys
            .files
            .first()
            .map_or_else(|| data_dir.join("centre.key"), |p| in_data_dir(data_dir, p));
        let key = CentreKey::load_or_create(&key_path)
            .map(|(k, _)| k)
            .map_err(|e| e.to_string());
        let fonts = SlipFonts::bundled().map_err(|e| e.to_string());
        let sheet = loaded
            .sheet(&content)
            .and_then(|t| crate::sheet::public_contacts(loaded, &content).map(|c| (t, c)))
            .map_err(|e| {
                format!("持ち帰り用の地図が使えません / the take-home map cannot be used: {e}")
            });
        LiveBackend {
            last_fold: store.as_ref().map(|s| s.local_date(now)),
            store,
            store_problem,
            key,
            fonts,
            content,
            kiosk_id: cfg.kiosk.id,
            retention_days: cfg.kiosk.retention_days,
            centre: cfg.centre.clone(),
            printer: cfg.printer.clone(),
            data_dir: data_dir.to_path_buf(),
            tz,
            visit: None,
            slip_visit: None,
            clock,
            simulated_print: None,
            publisher: None,
            publish_problem: None,
            lobby: None,
            lobby_problem: None,
            aids: Aids::default(),
            printing: None,
            sheet,
            procedures: cfg.sheet.procedures(),
        }
    }

    /// The take-home map for the controller (None when it cannot be used: the kiosk then
    /// offers no take-home print and no map screen).
    pub fn sheet_tree(&self) -> Option<crate::content::SheetTree> {
        self.sheet.as_ref().ok().map(|(t, _)| t.clone())
    }

    /// With `[kiosk] publish_to`: staff calls reach the desks, printed slips join their
    /// waiting list, and a heartbeat tells them this kiosk's state (LOBBY.md). `report`
    /// carries a call's news back to the controller (from the link's thread).
    pub fn start_lobby(&mut self, loaded: &Loaded, me: Identity, speech: bool, report: Report) {
        let cfg = &loaded.config.kiosk;
        let Some(url) = &cfg.publish_to else { return };
        let health = Health {
            running_since: (self.clock)().timestamp(),
            printer: PrinterState::Unknown,
            speech,
        };
        let started = PgTarget::for_setting(
            "[kiosk] publish_to",
            url,
            loaded.content_path(&cfg.publish_password_file).as_deref(),
        )
        .and_then(|t| LobbyLink::start(t, me, health, LobbyTiming::default(), report));
        match started {
            Ok(l) => self.lobby = Some(l),
            // Calls then go nowhere: the visitor is sent to the window at once.
            Err(e) => self.lobby_problem = Some(e),
        }
    }

    /// What stops this kiosk itself (store, key, font), without the server's reachability:
    /// `simulate` fails on these only.
    pub fn local_problems(&self) -> Vec<String> {
        let mut parts = Vec::new();
        if let Some(p) = &self.store_problem {
            parts.push(p.clone());
        }
        if let Err(e) = &self.key {
            parts.push(format!("鍵 / key: {e}"));
        }
        if let Err(e) = &self.fonts {
            parts.push(format!("フォント / font: {e}"));
        }
        parts
    }

    pub fn lobby(&self) -> Option<&LobbyLink> {
        self.lobby.as_ref()
    }

    /// What the print job tells the heartbeat of the printer.
    fn printer_report(&self) -> Box<dyn FnOnce(PrinterState) + Send> {
        match &self.lobby {
            Some(l) => l.printer_reporter(),
            None => Box::new(|_| {}),
        }
    }

    /// With `[kiosk] publish_to`: publishes the daily aggregates now and after every visit,
    /// on a thread of its own. A setting that cannot work shows on the staff screen; the
    /// kiosk runs the same either way.
    pub fn start_publishing(&mut self, loaded: &Loaded) {
        let cfg = &loaded.config.kiosk;
        let Some(url) = &cfg.publish_to else { return };
        let started = PgTarget::for_setting(
            "[kiosk] publish_to",
            url,
            loaded.content_path(&cfg.publish_password_file).as_deref(),
        )
        .and_then(|t| {
            Publisher::start(
                t,
                self.data_dir.join("kiosk.sqlite"),
                self.tz,
                self.kiosk_id,
                Arc::new(Utc::now),
                Timing::default(),
            )
        });
        match started {
            Ok(p) => self.publisher = Some(p),
            Err(e) => self.publish_problem = Some(e),
        }
    }

    pub fn publish_state(&self) -> Option<PublishState> {
        self.publisher.as_ref().map(Publisher::state)
    }

    pub fn store(&self) -> Option<&KioskStore> {
        self.store.as_ref()
    }

    /// The visit in progress, if recorded.
    pub fn current_visit(&self) -> Option<VisitRef> {
        self.visit
    }

    fn note(&mut self, r: Result<(), crate::store::StoreError>) {
        if let Err(e) = r {
            self.store_problem = Some(format!("来所の記録に失敗しました / recording failed: {e}"));
        }
    }

    /// Retention runs at start and then once a day, between visits.
    fn fold_daily(&mut self, now: DateTime<Utc>) {
        let Some(s) = self.store.as_mut() else { return };
        let today = s.local_date(now);
        if self.last_fold != Some(today) {
            self.last_fold = Some(today);
            let r = s.fold_expired(now, self.retention_days).map(|_| ());
            self.note(r);
        }
    }
}

impl KioskBackend for LiveBackend {
    fn visit_started(&mut self, lang: Lang, large_text: bool) {
        let now = (self.clock)();
        self.fold_daily(now);
        let kiosk_id = self.kiosk_id;
        if let Some(s) = self.store.as_mut() {
            match s.begin_visit(kiosk_id, now, lang, large_text) {
                Ok(v) => self.visit = Some(v),
                Err(e) => {
                    self.visit = None;
                    self.note(Err(e));
                }
            }
        }
    }

    fn answered(&mut self, question: usize, option: Option<u8>) {
        let now = (self.clock)();
        if let (Some(s), Some(v)) = (self.store.as_mut(), self.visit) {
            let r = s.record_answer(v, now, question, option);
            self.note(r);
        }
    }

    fn display_changed(&mut self, lang: Lang, large_text: bool) {
        if let (Some(s), Some(v)) = (self.store.as_mut(), self.visit) {
            let r = s.record_display(v, lang, large_text);
            self.note(r);
        }
    }

    fn results_shown(&mut self, _answers: &Answers, outcome: &Outcome, _lang: Lang) {
        let now = (self.clock)();
        let ids: Vec<String> = outcome
            .routes
            .iter()
            .map(|h| self.content.catalogue.routes[h.route].id.clone())
            .collect();
        if let (Some(s), Some(v)) = (self.store.as_mut(), self.visit) {
            let r = s.record_results(v, now, &ids);
            self.note(r);
        }
    }

    fn make_slip(
        &mut self,
        answers: &Answers,
        outcome: &Outcome,
        lang: Lang,
    ) -> Result<(SlipTicket, PrintJob), String> {
        let now = (self.clock)();
        let (Some(store), Some(visit)) = (self.store.as_mut(), self.visit) else {
            return Err("来所を記録できないため、受付票を作れません。 / The visit could not be recorded, so no slip can be made.".into());
        };
        let key = self
            .key
            .as_ref()
            .map_err(|e| format!("センターの鍵が読めません / centre key unavailable: {e}"))?;
        let fonts = self
            .fonts
            .as_ref()
            .map_err(|e| format!("受付票の文字が読めません / slip font unavailable: {e}"))?;
        let ids: Vec<String> = outcome
            .routes
            .iter()
            .map(|h| self.content.catalogue.routes[h.route].id.clone())
            .collect();
        // Commit first: the slip exists only for a recorded visit.
        let receipt = store
            .complete_visit(
                visit,
                now,
                answers,
                &ids,
                self.content.questionnaire.version,
            )
            .map_err(|e| {
                format!("来所を記録できませんでした / the visit could not be saved: {e}")
            })?;
        let record = VisitRecord::from_visit(
            &self.content,
            answers,
            outcome,
            lang,
            receipt.kiosk_id,
            receipt.serial,
            receipt.issued_at.timestamp(),
        )
        .map_err(|e| e.to_string())?;
        let nonce = payload::random_nonce()
            .map_err(|e| format!("乱数が得られません / no random numbers: {e}"))?;
        let text = payload::encode(&record, key, nonce).map_err(|e| e.to_string())?;
        let issued = receipt.issued_at.with_timezone(&self.tz).naive_local();
        let data = SlipData::for_visit(
            &self.content,
            outcome,
            lang,
            &self.centre,
            issued,
            receipt.receipt_no.clone(),
            text.clone(),
        );
        let bitmap = slip::render(&data, fonts, self.printer.dots);
        let ticket = slip::ticket(&bitmap, &text, &receipt.receipt_no);
        self.slip_visit = Some(visit);
        self.printing = Some(ArrivalInfo {
            serial: receipt.serial,
            receipt_no: receipt.receipt_no.clone(),
            lang: lang.id(),
            speech: self.aids.speech,
            keys: self.aids.keys,
            large_text: self.aids.large_text,
        });
        let report = self.printer_report();
        let job: PrintJob = match self.simulated_print.clone() {
            Some(r) => Box::new(move || {
                report(match &r {
                    PrintResult::Printed => PrinterState::NotConfigured,
                    PrintResult::Failed(_) => PrinterState::Error,
                });
                r
            }),
            None => crate::printer::print_job(
                &self.printer,
                &self.data_dir,
                bitmap,
                receipt.receipt_no,
                report,
            ),
        };
        Ok((ticket, job))
    }

    fn make_sheet(
        &mut self,
        outcome: &Outcome,
        lang: Lang,
        marked: bool,
    ) -> Result<(SlipTicket, PrintJob), String> {
        let (tree, contacts) = self.sheet.as_ref().map_err(Clone::clone)?;
        let fonts = self
            .fonts
            .as_ref()
            .map_err(|e| format!("受付票の文字が読めません / slip font unavailable: {e}"))?;
        let today = (self.clock)().with_timezone(&self.tz).date_naive();
        let data = crate::sheet::SheetData::build(
            &self.content,
            tree,
            outcome,
            lang,
            &self.centre,
            &self.procedures,
            contacts,
            today,
            marked,
        );
        let raster = crate::sheet::raster::render(&data, fonts, self.printer.dots);
        let ticket = SlipTicket {
            width: raster.bitmap.width,
            height: raster.bitmap.height,
            luma: raster.bitmap.to_luma8(),
            payload: String::new(),
            receipt_no: String::new(),
        };
        let report = self.printer_report();
        let job: PrintJob = match self.simulated_print.clone() {
            Some(r) => Box::new(move || r),
            // A CUPS kiosk prints the A4 page; a receipt printer the raster.
            None if self.printer.kind == crate::config::PrinterKind::Cups => {
                let pdf = crate::sheet::pdf::render(&data)?;
                let mut p = crate::printer::cups::CupsPrinter::new(
                    self.printer.queue.clone(),
                    std::time::Duration::from_millis(self.printer.timeout_ms),
                );
                Box::new(move || match p.print_pdf(&pdf) {
                    Ok(()) => PrintResult::Printed,
                    Err(e) => PrintResult::Failed(e.to_string()),
                })
            }
            None => crate::printer::print_job(
                &self.printer,
                &self.data_dir,
                raster.bitmap,
                "take-home".into(),
                report,
            ),
        };
        Ok((ticket, job))
    }

    fn slip_aids(&mut self, aids: Aids) {
        self.aids = aids;
    }

    fn print_finished(&mut self, result: &PrintResult) {
        let now = (self.clock)();
        if let (Some(a), Some(l), PrintResult::Printed) =
            (self.printing.take(), &self.lobby, result)
        {
            l.arrival(a);
        }
        if let (Some(s), Some(v)) = (self.store.as_mut(), self.slip_visit.take()) {
            let r = s.record_print(v, now, result);
            self.note(r);
        }
    }

    fn visit_ended(&mut self, reason: EndReason) {
        let now = (self.clock)();
        if let (Some(s), Some(v)) = (self.store.as_mut(), self.visit.take()) {
            let r = s.end_visit(v, now, reason);
            self.note(r);
        }
        if let Some(p) = &self.publisher {
            p.nudge();
        }
    }

    fn staff_called(&mut self) {
        let now = (self.clock)();
        let (kiosk_id, visit) = (self.kiosk_id, self.visit);
        if let Some(s) = self.store.as_mut() {
            let r = s.record_staff_call(kiosk_id, now, visit);
            self.note(r);
        }
    }

    fn test_print(&mut self) -> PrintJob {
        if let Some(r) = self.simulated_print.clone() {
            return Box::new(move || r);
        }
        // The same test slip and printer check as the staff screen's テスト印刷 and
        // `hatarakitai print-test`.
        let (printer, dir) = (self.printer.clone(), self.data_dir.clone());
        let report = self.printer_report();
        Box::new(
            move || match crate::kiosk::test_print::print_test_state(&printer, &dir) {
                Ok(_) => {
                    report(crate::printer::printed_state(&printer));
                    PrintResult::Printed
                }
                Err((e, state)) => {
                    report(state);
                    PrintResult::Failed(e)
                }
            },
        )
    }

    fn status(&self) -> String {
        let mut parts = self.local_problems();
        let publishing = self
            .publish_problem
            .clone()
            .or_else(|| self.publish_state().and_then(|s| s.problem));
        let lobby = self
            .lobby_problem
            .clone()
            .or_else(|| self.lobby.as_ref().and_then(|l| l.state().problem));
        if let Some(p) = lobby {
            parts.push(format!("スタッフの デスクに つながっていません。「スタッフをよぶ」は 窓口へ 案内します。 / The desks cannot be reached; a staff call sends the visitor to the reception window. ({p})"));
        }
        if let Some(p) = publishing {
            parts.push(format!("集計をサーバーに送れていません。来所の記録はこのPCに残り、つながったときに送ります。 / Statistics not yet sent to the server; they are kept here and sent when it can be reached. ({p})"));
        }
        parts.join("\n")
    }
}
