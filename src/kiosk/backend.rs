//! The seam between the kiosk's UI controller and everything with side effects (the visit
//! store, the slip renderer, the printer, the staff-call command). The controller only talks
//! to this trait, so it is tested with `MemoryBackend` and runs for real with the store.
//!
//! Backends must never block the UI thread for long and never panic: a store or printer
//! failure is reported through `status` for the staff screen, while the visitor carries on.

use crate::answers::Answers;
use crate::lang::Lang;
use crate::matcher::Outcome;

pub use crate::visit::{EndReason, PrintJob, PrintResult, SlipTicket};

/// Which aids a visitor used (the lobby's waiting list shows them to staff).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Aids {
    pub speech: bool,
    pub keys: bool,
    pub large_text: bool,
}

pub trait KioskBackend {
    /// Consent accepted: a visit begins.
    fn visit_started(&mut self, lang: Lang, large_text: bool);
    /// An answer was tapped (`None` = わからない・こたえない with no option id, i.e. skipped).
    fn answered(&mut self, question: usize, option: Option<u8>);
    /// Language or text size changed during a visit.
    fn display_changed(&mut self, lang: Lang, large_text: bool);
    /// The results screen was shown.
    fn results_shown(&mut self, answers: &Answers, outcome: &Outcome, lang: Lang);
    /// The visitor asked for a slip. The visit is committed *before* this returns the job.
    /// Err = the slip could not even be made (message for staff); the UI then shows the
    /// results with a call-staff message.
    fn make_slip(
        &mut self,
        answers: &Answers,
        outcome: &Outcome,
        lang: Lang,
    ) -> Result<(SlipTicket, PrintJob), String>;
    /// The visitor's take-home sheet (SHEET.md): its preview and its print job. Nothing of
    /// the visit goes on it and nothing is recorded. `marked` = the visitor's routes marked.
    fn make_sheet(
        &mut self,
        _outcome: &Outcome,
        _lang: Lang,
        _marked: bool,
    ) -> Result<(SlipTicket, PrintJob), String> {
        Err("no take-home sheet in this kiosk backend".into())
    }
    /// Just before `make_slip`: which aids the visitor used, for the waiting list's row
    /// (LOBBY.md §2: never anything of the answers).
    fn slip_aids(&mut self, _aids: Aids) {}
    /// The print job finished (called on the UI thread).
    fn print_finished(&mut self, result: &PrintResult);
    /// The visit ended.
    fn visit_ended(&mut self, reason: EndReason);
    /// 「スタッフをよぶ」 was tapped (during a visit or not).
    fn staff_called(&mut self);
    /// The test slip of the staff setup's 「テスト印刷」 (run off the UI thread). Backends
    /// without a printer say so.
    fn test_print(&mut self) -> PrintJob {
        Box::new(|| PrintResult::Failed("no printer in this kiosk backend".into()))
    }
    /// One line for the staff screen about the health of store/printer ("" = all good).
    fn status(&self) -> String {
        String::new()
    }
}

/// A backend shared with its owner (tests, `simulate`): the controller holds one handle, the
/// owner keeps another to look inside or steer it.
impl<B: KioskBackend> KioskBackend for std::rc::Rc<std::cell::RefCell<B>> {
    fn visit_started(&mut self, lang: Lang, large_text: bool) {
        self.borrow_mut().visit_started(lang, large_text)
    }
    fn answered(&mut self, question: usize, option: Option<u8>) {
        self.borrow_mut().answered(question, option)
    }
    fn display_changed(&mut self, lang: Lang, large_text: bool) {
        self.borrow_mut().display_changed(lang, large_text)
    }
    fn results_shown(&mut self, answers: &Answers, outcome: &Outcome, lang: Lang) {
        self.borrow_mut().results_shown(answers, outcome, lang)
    }
    fn make_slip(
        &mut self,
        answers: &Answers,
        outcome: &Outcome,
        lang: Lang,
    ) -> Result<(SlipTicket, PrintJob), String> {
        self.borrow_mut().make_slip(answers, outcome, lang)
    }
    fn make_sheet(
        &mut self,
        outcome: &Outcome,
        lang: Lang,
        marked: bool,
    ) -> Result<(SlipTicket, PrintJob), String> {
        self.borrow_mut().make_sheet(outcome, lang, marked)
    }
    fn slip_aids(&mut self, aids: Aids) {
        self.borrow_mut().slip_aids(aids)
    }
    fn print_finished(&mut self, result: &PrintResult) {
        self.borrow_mut().print_finished(result)
    }
    fn visit_ended(&mut self, reason: EndReason) {
        self.borrow_mut().visit_ended(reason)
    }
    fn staff_called(&mut self) {
        self.borrow_mut().staff_called()
    }
    fn test_print(&mut self) -> PrintJob {
        self.borrow_mut().test_print()
    }
    fn status(&self) -> String {
        self.borrow().status()
    }
}

/// Records every call; for controller tests and headless screenshots.
#[derive(Debug, Default, Clone)]
pub struct MemoryBackend {
    pub events: Vec<String>,
    /// When set, the print job fails with this message.
    pub fail_print: Option<String>,
    /// When set, the take-home sheet's print job fails with this message.
    pub fail_sheet: Option<String>,
}

impl KioskBackend for MemoryBackend {
    fn visit_started(&mut self, lang: Lang, large_text: bool) {
        self.events
            .push(format!("started {lang} large={large_text}"));
    }
    fn answered(&mut self, question: usize, option: Option<u8>) {
        self.events.push(format!("answered q{question}={option:?}"));
    }
    fn display_changed(&mut self, lang: Lang, large_text: bool) {
        self.events
            .push(format!("display {lang} large={large_text}"));
    }
    fn results_shown(&mut self, _answers: &Answers, outcome: &Outcome, _lang: Lang) {
        self.events
            .push(format!("results {}", outcome.routes.len()));
    }
    fn make_slip(
        &mut self,
        _answers: &Answers,
        _outcome: &Outcome,
        _lang: Lang,
    ) -> Result<(SlipTicket, PrintJob), String> {
        self.events.push("slip".into());
        let fail = self.fail_print.clone();
        let ticket = SlipTicket {
            width: 8,
            height: 8,
            luma: vec![255; 64],
            payload: "HT1TEST".into(),
            receipt_no: "0000-000".into(),
        };
        Ok((
            ticket,
            Box::new(move || fail.map_or(PrintResult::Printed, PrintResult::Failed)),
        ))
    }
    fn make_sheet(
        &mut self,
        _outcome: &Outcome,
        lang: Lang,
        marked: bool,
    ) -> Result<(SlipTicket, PrintJob), String> {
        self.events.push(format!("sheet {lang} marked={marked}"));
        let fail = self.fail_sheet.clone().or(self.fail_print.clone());
        let ticket = SlipTicket {
            width: 8,
            height: 16,
            luma: vec![255; 128],
            payload: String::new(),
            receipt_no: String::new(),
        };
        Ok((
            ticket,
            Box::new(move || fail.map_or(PrintResult::Printed, PrintResult::Failed)),
        ))
    }
    fn print_finished(&mut self, result: &PrintResult) {
        self.events.push(format!("printed {result:?}"));
    }
    fn visit_ended(&mut self, reason: EndReason) {
        self.events.push(format!("ended {reason:?}"));
    }
    fn staff_called(&mut self) {
        self.events.push("staff".into());
    }
    fn test_print(&mut self) -> PrintJob {
        self.events.push("test print".into());
        let fail = self.fail_print.clone();
        Box::new(move || fail.map_or(PrintResult::Printed, PrintResult::Failed))
    }
}
