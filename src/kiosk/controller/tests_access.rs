//! Keys, focus and speech mode, without UI: the whole visit by key actions alone, focus order
//! on every screen, and that nothing of a visit is spoken after a reset.

use super::*;
use crate::kiosk::backend::MemoryBackend;
use crate::kiosk::keys::KeyAction as K;

fn ctrl() -> Controller {
    let content = Rc::new(Content::embedded().unwrap_or_else(|e| panic!("{e}")));
    let texts = Rc::new(UiTexts::embedded().unwrap_or_else(|e| panic!("{e:?}")));
    Controller::new(
        content,
        texts,
        KioskSettings::default(),
        Box::new(MemoryBackend::default()),
    )
}

/// Presses `a` 400 ms after the last press (past the double-tap guard); an Activate is what
/// the Slint button then does: the same call as a tap.
fn press(c: &mut Controller, now: &mut u64, a: K) -> KeyOutcome {
    *now += 400;
    let out = c.key(*now, a);
    if out == KeyOutcome::Activate {
        let key = c.focus_key().0;
        activate(c, *now, &key);
    }
    c.after_input();
    out
}

/// The tap a Slint button with this key makes.
fn activate(c: &mut Controller, now: u64, key: &str) {
    let q = match c.screen() {
        Screen::Question(q) => q,
        _ => 0,
    };
    match key {
        "start" => {
            c.start(now);
        }
        "consent.accept" => {
            c.consent_accept(now);
        }
        "consent.decline" => {
            c.consent_decline(now);
        }
        "q.back" => {
            c.back(now, q);
        }
        "q.skip" => {
            c.skip(now, q);
        }
        "results.print" => {
            c.print(now);
        }
        "results.back" => {
            c.results_back(now);
        }
        "slip.finish" => {
            c.finish(now);
        }
        "done.home" => {
            c.done_home(now);
        }
        "call" => {
            c.call_staff(now);
        }
        "staffcall.back" => {
            c.staff_call_close(now);
        }
        "speech" => c.toggle_speech(now),
        k if k.starts_with("opt.") => {
            let o = k[4..].parse().unwrap_or(usize::MAX);
            c.answer(now, q, o);
        }
        k => panic!("no tap for {k}"),
    }
}

fn keys(c: &Controller) -> Vec<String> {
    c.targets().into_iter().map(Target::key).collect()
}

#[test]
fn a_whole_visit_by_keys_alone_prints_a_slip() {
    let mut c = ctrl();
    let mut now = 1000;
    assert_eq!(c.focus_key().0, "start");
    assert!(!c.focus_visible(), "no outline before any key");
    assert_eq!(press(&mut c, &mut now, K::Select), KeyOutcome::Activate);
    assert!(c.focus_visible());
    assert_eq!(c.screen(), Screen::Consent);
    assert_eq!(c.focus_key().0, "consent.accept");
    press(&mut c, &mut now, K::Select);
    for q in 0..8 {
        assert_eq!(c.screen(), Screen::Question(q));
        // Focus starts on the first option; 下 (keypad 2) moves to the second.
        assert_eq!(c.focus_key().0, "opt.0", "question {q}");
        press(&mut c, &mut now, K::Next);
        assert_eq!(c.focus_key().0, "opt.1");
        press(&mut c, &mut now, K::Select);
    }
    assert_eq!(c.screen(), Screen::Results);
    assert_eq!(c.answers().slots().iter().flatten().count(), 8);
    assert_eq!(c.focus_key().0, "results.print");
    press(&mut c, &mut now, K::Select);
    assert_eq!(c.screen(), Screen::Slip);
    assert!(c.slip_ticket().is_some(), "a slip was made");
    assert_eq!(c.focus_key().0, "slip.finish");
    press(&mut c, &mut now, K::Select);
    assert_eq!(c.screen(), Screen::Done);
}

#[test]
fn focus_order_is_reading_order_on_every_screen() {
    let mut c = ctrl();
    let mut now = 1000;
    let bar = [
        "lang.ja",
        "lang.ja-easy",
        "lang.en",
        "size.normal",
        "size.large",
        "speech",
        "call",
    ];
    let with =
        |rest: &[&str]| -> Vec<String> { bar.iter().chain(rest).map(|s| s.to_string()).collect() };
    assert_eq!(keys(&c), with(&["start"]));
    // Tab from the primary action wraps to the top bar and comes round again.
    for want in bar.iter().chain(&["start"]) {
        press(&mut c, &mut now, K::Next);
        assert_eq!(c.focus_key().0, *want);
    }
    press(&mut c, &mut now, K::Previous);
    assert_eq!(c.focus_key().0, "call");
    press(&mut c, &mut now, K::Next);
    press(&mut c, &mut now, K::Select);
    assert_eq!(keys(&c), with(&["consent.decline", "consent.accept"]));
    press(&mut c, &mut now, K::Select);
    assert_eq!(
        keys(&c),
        with(&["opt.0", "opt.1", "opt.2", "opt.3", "q.back", "q.skip"])
    );
    // Back (keypad 0) returns to the consent screen, focus on its primary action.
    press(&mut c, &mut now, K::Back);
    assert_eq!(c.screen(), Screen::Consent);
    assert_eq!(c.focus_key().0, "consent.accept");
}

#[test]
fn coming_back_to_a_question_focuses_the_answer_given() {
    let mut c = ctrl();
    let mut now = 1000;
    press(&mut c, &mut now, K::Select);
    press(&mut c, &mut now, K::Select);
    press(&mut c, &mut now, K::Next);
    press(&mut c, &mut now, K::Next);
    press(&mut c, &mut now, K::Select);
    assert_eq!(c.screen(), Screen::Question(1));
    press(&mut c, &mut now, K::Back);
    assert_eq!(c.screen(), Screen::Question(0));
    assert_eq!(c.focus_key().0, "opt.2");
}

#[test]
fn keys_inside_the_tap_guard_do_nothing() {
    let mut c = ctrl();
    let now = 1000;
    c.key(now, K::Select);
    c.start(now);
    assert_eq!(c.screen(), Screen::Consent);
    // Enter hammered 20 times a second: only once the screen has settled does it act.
    for i in 1..=4 {
        let t = now + i * 50;
        if c.key(t, K::Select) == KeyOutcome::Activate {
            c.consent_accept(t);
        }
    }
    assert_eq!(c.screen(), Screen::Consent);
}

#[test]
fn the_first_key_turns_speech_on_and_a_reset_silences_it() {
    let mut c = ctrl();
    c.set_speech_available(true);
    let mut now = 1000;
    press(&mut c, &mut now, K::Next);
    assert!(c.speech_mode().on);
    let effects = c.take_effects();
    let spoken: Vec<&Script> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Speak(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(spoken.len(), 1, "{effects:?}");
    let text = spoken[0].text();
    assert!(text.contains("ヘッドホン"), "suggests headphones: {text}");
    assert!(text.contains("キーで"), "explains the keys: {text}");
    // Into the questions; the idle reset must stop the speech and say nothing more.
    press(&mut c, &mut now, K::Previous);
    press(&mut c, &mut now, K::Select);
    press(&mut c, &mut now, K::Select);
    assert_eq!(c.screen(), Screen::Question(0));
    c.take_effects();
    c.tick(now + 200_000);
    c.after_input();
    assert_eq!(c.screen(), Screen::Attract);
    let after: Vec<Effect> = c.take_effects();
    assert!(
        after.iter().any(|e| matches!(e, Effect::StopSpeech)),
        "{after:?}"
    );
    assert!(
        !after.iter().any(|e| matches!(e, Effect::Speak(_))),
        "{after:?}"
    );
    assert!(!c.speech_mode().on && !c.focus_visible());
}

#[test]
fn touch_to_hear_speaks_first_and_acts_on_the_second_tap() {
    let mut c = ctrl();
    c.set_speech_available(true);
    c.toggle_speech(1000);
    c.take_effects();
    assert!(!c.tap_target(2000, "start"), "first tap only speaks");
    assert!(matches!(c.take_effects().as_slice(), [Effect::Speak(_)]));
    assert!(c.tap_target(2500, "start"), "second tap acts");
    // Outside speech mode taps act at once.
    let mut d = ctrl();
    assert!(d.tap_target(2000, "start"));
}

#[test]
fn without_a_voice_keys_still_work_and_nothing_is_spoken() {
    let mut c = ctrl();
    let mut now = 1000;
    press(&mut c, &mut now, K::Select);
    assert_eq!(c.screen(), Screen::Consent);
    assert!(!c.speech_mode().on);
    assert!(
        !c.take_effects()
            .iter()
            .any(|e| matches!(e, Effect::Speak(_)))
    );
}

#[test]
fn digits_type_the_new_pin_on_the_setup_keypad() {
    // No PIN yet: the corner opens the setup, whose keypad takes typed digits like the PIN's.
    let mut c = ctrl();
    assert!(c.open_staff(2000));
    c.after_input();
    assert_eq!(c.screen(), Screen::StaffSetup);
    assert_eq!(c.focus_key().0, "pin.1");
    for (i, d) in [1u8, 2, 3, 4].into_iter().enumerate() {
        assert!(c.key_digit(2100 + i as u64, d));
    }
    assert_eq!(c.view().pin.digits, 4);
    assert!(!c.key_digit(2200, 10));
    // Enter submits: 4 digits are too few, the keypad stays and says so.
    assert!(c.key_pin_enter(2300));
    assert_eq!(c.screen(), Screen::StaffSetup);
    assert_eq!(c.view().pin.digits, 0);
    assert!(
        c.view()
            .pin
            .message
            .is_some_and(|m| m.plain.contains("6けた"))
    );
}
