use super::*;
use crate::kiosk::backend::MemoryBackend;
use std::cell::RefCell;

/// A backend that shares its event list with the test.
type Shared = Rc<RefCell<MemoryBackend>>;

struct T {
    c: Controller,
    b: Shared,
    now: u64,
}

impl T {
    fn new() -> T {
        let content = Rc::new(Content::embedded().unwrap_or_else(|e| panic!("{e}")));
        let texts = Rc::new(UiTexts::embedded().unwrap_or_else(|e| panic!("{e:?}")));
        let b = Shared::default();
        let c = Controller::new(
            content,
            texts,
            KioskSettings::default(),
            Box::new(b.clone()),
        );
        T { c, b, now: 1_000 }
    }
    /// Time passes (more than the tap guard), then `f` runs.
    fn later<R>(&mut self, f: impl FnOnce(&mut Controller, u64) -> R) -> R {
        self.now += 500;
        f(&mut self.c, self.now)
    }
    fn events(&self) -> Vec<String> {
        self.b.borrow().events.clone()
    }
    fn goto_first_question(&mut self) {
        assert!(self.later(|c, n| c.start(n)));
        assert!(self.later(|c, n| c.consent_accept(n)));
        assert_eq!(self.c.screen(), Screen::Question(0));
    }
}

#[test]
fn a_print_result_after_the_visitor_left_is_still_recorded_but_not_shown() {
    let mut t = T::new();
    t.b.borrow_mut().fail_print = Some("paper end".into());
    t.goto_first_question();
    for q in 0..8 {
        assert!(t.later(|c, n| c.answer(n, q, 0)), "question {q}");
    }
    assert!(t.later(|c, n| c.print(n)));
    let Some(Effect::Print { visit, job }) = t.c.take_effects().into_iter().next() else {
        panic!("print effect")
    };
    // The visitor taps おわる before the printer answers.
    assert!(t.later(|c, n| c.finish(n)));
    assert_eq!(t.c.screen(), Screen::Done);
    assert!(
        !t.c.print_finished(visit, job()),
        "nothing changes on screen"
    );
    assert_eq!(t.c.screen(), Screen::Done);
    let ev = t.events();
    assert!(ev.iter().any(|e| e.contains("printed Failed")), "{ev:?}");
}

#[test]
fn full_visit_to_slip_and_done() {
    let mut t = T::new();
    t.goto_first_question();
    for q in 0..8 {
        assert!(t.later(|c, n| c.answer(n, q, 0)), "question {q}");
    }
    assert_eq!(t.c.screen(), Screen::Results);
    let v = t.c.view();
    let r = v.results.unwrap_or_else(|| panic!("results view"));
    assert!(!r.cards.is_empty() && r.cards.len() <= 3);
    assert!(
        r.cards
            .iter()
            .all(|c| c.facts.len() == 4 && !c.reasons.is_empty())
    );
    assert!(t.later(|c, n| c.print(n)));
    assert_eq!(t.c.screen(), Screen::Slip);
    let effects = t.c.take_effects();
    let [Effect::Print { visit, job }] =
        <[Effect; 1]>::try_from(effects).unwrap_or_else(|e| panic!("{e:?}"))
    else {
        panic!("print effect")
    };
    assert!(t.c.print_finished(visit, job()));
    assert_eq!(t.c.view().slip.map(|s| s.status), Some(SlipStatus::Printed));
    assert!(t.later(|c, n| c.finish(n)));
    assert_eq!(t.c.screen(), Screen::Done);
    assert_eq!(t.c.answers().slots().iter().flatten().count(), 0);
    // The done screen goes home by itself.
    t.now += 11_000;
    assert!(t.c.tick(t.now));
    assert_eq!(t.c.screen(), Screen::Attract);
    let ev = t.events();
    assert_eq!(
        ev.first().map(String::as_str),
        Some("started ja large=false")
    );
    assert!(ev.contains(&"slip".to_string()) && ev.contains(&"ended Completed".to_string()));
}

#[test]
fn double_tap_never_skips_a_question() {
    let mut t = T::new();
    t.goto_first_question();
    assert!(t.later(|c, n| c.answer(n, 0, 1)));
    // The same tap delivered twice (same question index): refused.
    assert!(!t.c.answer(t.now + 10, 0, 1));
    // A second tap 100 ms later lands on the next question's button: refused too.
    assert!(!t.c.answer(t.now + 100, 1, 2));
    assert!(!t.c.skip(t.now + 120, 1));
    assert_eq!(t.c.screen(), Screen::Question(1));
    assert_eq!(t.c.answers().get(1), None);
    // After the guard, question 2 can be answered.
    assert!(t.later(|c, n| c.answer(n, 1, 2)));
    assert_eq!(t.c.screen(), Screen::Question(2));
    assert_eq!(
        t.events()
            .iter()
            .filter(|e| e.starts_with("answered"))
            .count(),
        2
    );
}

#[test]
fn back_then_change_an_answer() {
    let mut t = T::new();
    t.goto_first_question();
    assert!(t.later(|c, n| c.answer(n, 0, 0)));
    assert!(t.later(|c, n| c.answer(n, 1, 0)));
    assert!(t.later(|c, n| c.back(n, 2)));
    assert_eq!(t.c.screen(), Screen::Question(1));
    let q = t.c.view().question.unwrap_or_else(|| panic!("question"));
    assert!(q.options[0].selected && !q.options[1].selected);
    assert!(t.later(|c, n| c.answer(n, 1, 2)));
    assert_eq!(t.c.answers().get(1), Some(2));
    assert!(
        t.later(|c, n| c.back(n, 2))
            && t.later(|c, n| c.back(n, 1))
            && t.later(|c, n| c.back(n, 0))
    );
    assert_eq!(t.c.screen(), Screen::Consent);
}

#[test]
fn skip_all_eight() {
    let mut t = T::new();
    t.goto_first_question();
    for q in 0..8 {
        assert!(t.later(|c, n| c.skip(n, q)));
    }
    assert_eq!(t.c.screen(), Screen::Results);
    assert_eq!(
        t.c.answers().answered_count(
            &Content::embedded()
                .unwrap_or_else(|e| panic!("{e}"))
                .questionnaire
        ),
        0
    );
    let r = t.c.view().results.unwrap_or_else(|| panic!("results"));
    assert!(!r.handoff.plain.is_empty());
    // Going back shows the skip as chosen.
    assert!(t.later(|c, n| c.results_back(n)));
    assert!(t.c.view().question.is_some_and(|q| q.skip_selected));
}

#[test]
fn language_switch_keeps_answers() {
    let mut t = T::new();
    t.goto_first_question();
    assert!(t.later(|c, n| c.answer(n, 0, 1)));
    assert!(t.later(|c, n| c.set_lang(n, Lang::En)));
    assert!(t.later(|c, n| c.set_large(n, true)));
    assert_eq!(t.c.screen(), Screen::Question(1));
    assert_eq!(t.c.answers().get(0), Some(1));
    let v = t.c.view();
    assert_eq!(
        v.question.map(|q| q.text.plain),
        Some("How many days a week can you go out?".to_string())
    );
    assert!(t.later(|c, n| c.set_lang(n, Lang::JaEasy)));
    assert!(t.c.view().question.is_some_and(|q| q.text.ruby));
    assert!(t.events().contains(&"display en large=false".to_string()));
}

#[test]
fn idle_dialog_counts_down_then_resets_everything() {
    let mut t = T::new();
    t.goto_first_question();
    assert!(t.later(|c, n| c.answer(n, 0, 0)));
    assert!(t.later(|c, n| c.set_lang(n, Lang::En)));
    let last = t.now;
    assert!(!t.c.tick(last + 89_000));
    assert!(t.c.tick(last + 90_000));
    assert_eq!(t.c.view().idle_left, Some(30));
    assert!(t.c.tick(last + 100_500));
    assert_eq!(t.c.view().idle_left, Some(20));
    // つづける: the dialog closes, answers stay.
    t.c.idle_continue(last + 101_000);
    assert_eq!(t.c.view().idle_left, None);
    assert_eq!(t.c.answers().get(0), Some(0));
    // Then nobody: reset at idle + warning.
    let last = last + 101_000;
    t.c.tick(last + 90_000);
    assert!(t.c.tick(last + 120_000));
    let v = t.c.view();
    assert_eq!(
        (v.screen, v.lang, v.large, v.idle_left),
        (Screen::Attract, Lang::Ja, false, None)
    );
    assert!(v.question.is_none() && v.results.is_none() && v.slip.is_none());
    assert!(t.c.answers().slots().iter().all(Option::is_none));
    assert!(
        t.events()
            .contains(&"ended IdleReset { at_question: Some(1) }".to_string())
    );
}

#[test]
fn staff_call_returns_to_where_the_visitor_was() {
    let mut t = T::new();
    t.goto_first_question();
    assert!(t.later(|c, n| c.answer(n, 0, 0)));
    assert!(t.later(|c, n| c.call_staff(n)));
    assert_eq!(t.c.screen(), Screen::StaffCall);
    // No channel configured: nothing is sent (call/tests.rs covers the channels).
    assert!(t.c.take_effects().is_empty());
    assert!(
        !t.later(|c, n| c.call_staff(n)),
        "no second call from the staff-coming screen"
    );
    assert!(t.later(|c, n| c.staff_call_close(n)));
    assert_eq!(t.c.screen(), Screen::Question(1));
    assert_eq!(t.events().iter().filter(|e| *e == "staff").count(), 1);
}

#[test]
fn print_failure_shows_fallback_and_stale_results_are_ignored() {
    let mut t = T::new();
    t.b.borrow_mut().fail_print = Some("paper end".into());
    t.goto_first_question();
    for q in 0..8 {
        assert!(t.later(|c, n| c.skip(n, q)));
    }
    assert!(t.later(|c, n| c.print(n)));
    assert!(!t.c.print(t.now + 50), "a double tap does not print twice");
    let Some(Effect::Print { visit, job }) = t.c.take_effects().into_iter().next() else {
        panic!("print effect")
    };
    assert!(!t.c.print_finished(visit + 1, PrintResult::Printed));
    assert!(t.c.print_finished(visit, job()));
    assert_eq!(
        t.c.view().slip.map(|s| s.status),
        Some(SlipStatus::Failed("paper end".into()))
    );
    assert_eq!(t.events().iter().filter(|e| *e == "slip").count(), 1);
}
