//! The take-home sheet on the results screen (SHEET.md §1): choices, the two print jobs with
//! the staff slip first, the sheet alone, the map screen and its reading.

use super::*;
use crate::kiosk::backend::MemoryBackend;
use std::cell::RefCell;

type Shared = Rc<RefCell<MemoryBackend>>;

struct T {
    c: Controller,
    b: Shared,
    now: u64,
}

impl T {
    fn new(take_home_default: bool) -> T {
        let content = Rc::new(Content::embedded().unwrap_or_else(|e| panic!("{e}")));
        let texts = Rc::new(UiTexts::embedded().unwrap_or_else(|e| panic!("{e:?}")));
        let b = Shared::default();
        let c = Controller::new(
            content,
            texts,
            KioskSettings {
                take_home_default,
                ..KioskSettings::default()
            },
            Box::new(b.clone()),
        );
        T { c, b, now: 1_000 }
    }
    fn later<R>(&mut self, f: impl FnOnce(&mut Controller, u64) -> R) -> R {
        self.now += 500;
        f(&mut self.c, self.now)
    }
    fn go_to_results(&mut self) {
        assert!(self.later(|c, n| c.start(n)));
        assert!(self.later(|c, n| c.consent_accept(n)));
        for q in 0..8 {
            assert!(self.later(|c, n| c.answer(n, q, 0)), "question {q}");
        }
        assert_eq!(self.c.screen(), Screen::Results);
    }
    fn run_print(&mut self) {
        let effects = self.c.take_effects();
        let Some(Effect::Print { visit, job }) = effects
            .into_iter()
            .find(|e| matches!(e, Effect::Print { .. }))
        else {
            panic!("print effect")
        };
        let r = job();
        self.c.print_finished(visit, r);
    }
    fn events(&self) -> Vec<String> {
        self.b.borrow().events.clone()
    }
}

#[test]
fn take_home_is_off_by_default_and_on_where_the_centre_says() {
    let mut t = T::new(false);
    t.go_to_results();
    let r = t.c.view().results.unwrap_or_else(|| panic!("results"));
    assert!(r.sheet.available && !r.sheet.take_home && r.sheet.marked);
    assert!(t.later(|c, n| c.toggle_take_home(n)));
    assert!(t.c.view().results.is_some_and(|r| r.sheet.take_home));
    let mut t = T::new(true);
    t.go_to_results();
    assert!(t.c.view().results.is_some_and(|r| r.sheet.take_home));
}

#[test]
fn with_take_home_the_staff_slip_prints_first_then_the_sheet() {
    let mut t = T::new(true);
    t.go_to_results();
    assert!(t.later(|c, n| c.toggle_sheet_marks(n)));
    assert!(t.later(|c, n| c.print(n)));
    t.run_print();
    let ev = t.events();
    let slip = ev.iter().position(|e| e == "slip");
    let sheet = ev
        .iter()
        .position(|e| e.starts_with("sheet ja marked=false"));
    assert!(slip.is_some() && sheet.is_some() && slip < sheet, "{ev:?}");
    let s = t.c.view().slip.unwrap_or_else(|| panic!("slip"));
    assert_eq!(s.status, SlipStatus::Printed);
    assert_eq!(s.sheet, Some(SlipStatus::Printed));
    assert!(!s.sheet_only);
}

#[test]
fn a_printer_failing_between_the_two_says_which_part_came_out() {
    let mut t = T::new(true);
    t.b.borrow_mut().fail_sheet = Some("paper end".into());
    t.go_to_results();
    assert!(t.later(|c, n| c.print(n)));
    t.run_print();
    let s = t.c.view().slip.unwrap_or_else(|| panic!("slip"));
    assert_eq!(s.status, SlipStatus::Printed);
    assert_eq!(s.sheet, Some(SlipStatus::Failed("paper end".into())));
    let line = speech_script::sheet_key(&SlipStatus::Failed(String::new()), &s.status);
    assert_eq!(line, "slip.sheet_failed");
    let said = speech_script::screen(&t.c.view(), t.c.texts());
    assert!(
        said.parts
            .iter()
            .any(|u| u.text.contains("持ち帰り用は 出ませんでした")),
        "{said:?}"
    );
    // A slip that does not print: the sheet is not tried.
    let mut t = T::new(true);
    t.b.borrow_mut().fail_print = Some("offline".into());
    t.go_to_results();
    assert!(t.later(|c, n| c.print(n)));
    t.run_print();
    let s = t.c.view().slip.unwrap_or_else(|| panic!("slip"));
    assert!(matches!(s.status, SlipStatus::Failed(_)));
    assert_eq!(
        speech_script::sheet_key(s.sheet.as_ref().unwrap_or(&SlipStatus::Printing), &s.status),
        "slip.sheet_not_printed"
    );
}

#[test]
fn take_home_only_makes_no_staff_slip() {
    let mut t = T::new(false);
    t.go_to_results();
    assert!(t.later(|c, n| c.print_sheet_only(n)));
    assert_eq!(t.c.screen(), Screen::Slip);
    t.run_print();
    let ev = t.events();
    assert!(!ev.iter().any(|e| e == "slip"), "no staff slip: {ev:?}");
    assert!(ev.iter().any(|e| e.starts_with("sheet ja marked=true")));
    // Nothing recorded as a slip print (no waiting-list row).
    assert!(!ev.iter().any(|e| e.starts_with("printed")), "{ev:?}");
    let s = t.c.view().slip.unwrap_or_else(|| panic!("slip"));
    assert!(s.sheet_only && s.payload.is_empty() && s.receipt_no.is_empty());
    assert_eq!(s.status, SlipStatus::Printed);
    assert!(t.later(|c, n| c.finish(n)));
    assert!(t.events().iter().any(|e| e == "ended Completed"));
}

#[test]
fn the_map_screen_is_read_in_order_and_reachable_by_keys() {
    let mut t = T::new(false);
    t.go_to_results();
    let targets = t.c.targets();
    for k in [
        Target::TakeHome,
        Target::Marks,
        Target::Map,
        Target::SheetOnly,
        Target::Print,
    ] {
        assert!(targets.contains(&k), "{k:?} in {targets:?}");
    }
    assert!(t.later(|c, n| c.show_map(n)));
    assert_eq!(t.c.screen(), Screen::Map);
    assert_eq!(t.c.primary_target(), Some(Target::MapBack));
    let v = t.c.view();
    let m = v.map.as_ref().unwrap_or_else(|| panic!("map view"));
    assert_eq!(m.branches.len(), 5);
    let ranks: Vec<u8> = m
        .branches
        .iter()
        .flat_map(|b| &b.places)
        .map(|p| p.rank)
        .filter(|r| *r > 0)
        .collect();
    assert_eq!(ranks.len(), m.yours.len());
    let said = speech_script::screen(&v, t.c.texts());
    let text: Vec<&str> = said.parts.iter().map(|u| u.text.as_str()).collect();
    let first_branch = text.iter().position(|s| s.contains("求職活動"));
    let last_branch = text.iter().position(|s| s.contains("その他"));
    assert!(first_branch < last_branch, "{text:?}");
    assert!(text.iter().any(|s| s.contains("求人雑誌")), "{text:?}");
    // Back goes to the results (Escape / 0 too).
    t.now += 500;
    let now = t.now;
    t.c.key(now, crate::kiosk::keys::KeyAction::Back);
    assert_eq!(t.c.screen(), Screen::Results);
}
