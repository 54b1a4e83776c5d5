//! What the visitor is told after 「スタッフを よぶ」, for each channel (LOBBY.md §1).

use std::cell::RefCell;
use std::rc::Rc;

use super::super::*;
use crate::content::Content;
use crate::kiosk::backend::MemoryBackend;
use crate::kiosk::ui_texts::UiTexts;

fn kiosk(channel: CallChannel, show_name: bool) -> Controller {
    let content = Rc::new(Content::embedded().unwrap_or_else(|e| panic!("{e}")));
    let texts = Rc::new(UiTexts::embedded().unwrap_or_else(|e| panic!("{e:?}")));
    Controller::new(
        content,
        texts,
        KioskSettings {
            call_channel: channel,
            call_answer_seconds: 60,
            show_staff_name: show_name,
            ..KioskSettings::default()
        },
        Box::new(Rc::new(RefCell::new(MemoryBackend::default()))),
    )
}

fn title(c: &Controller) -> String {
    c.view().call.title.plain
}

fn sent(c: &mut Controller) -> Vec<u64> {
    c.take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::CallStaff(r) => Some(r.seq),
            _ => None,
        })
        .collect()
}

#[test]
fn without_a_channel_the_kiosk_never_says_staff_are_coming() {
    let mut c = kiosk(CallChannel::None, false);
    assert_eq!(c.view().call.button_key, "call_help");
    assert!(c.call_staff(1_000));
    assert_eq!(c.screen(), Screen::StaffCall);
    assert!(sent(&mut c).is_empty(), "nothing to send a call to");
    assert_eq!(title(&c), "受付の 窓口で 声を かけてください");
    c.tick(200_000);
    assert_eq!(c.call_phase(), &CallPhase::NoChannel);
    for lang in [
        crate::lang::Lang::Ja,
        crate::lang::Lang::JaEasy,
        crate::lang::Lang::En,
    ] {
        c.set_lang(300_000, lang);
        let v = c.view();
        for t in [&v.call.title.plain, &v.call.body.plain] {
            assert!(!t.contains("来ます") && !t.contains("coming"), "{t}");
        }
    }
}

#[test]
fn a_lobby_call_goes_calling_then_coming_with_the_name_only_when_configured() {
    for show in [false, true] {
        let mut c = kiosk(CallChannel::Lobby, show);
        assert_eq!(c.view().call.button_key, "call_staff");
        assert!(c.call_staff(1_000));
        assert_eq!(sent(&mut c), [1]);
        assert_eq!(title(&c), "スタッフを 呼んでいます");
        // News of another call changes nothing.
        assert!(!c.call_news(2_000, 7, CallNews::Answered(Some("佐藤".into()))));
        assert!(c.call_news(2_000, 1, CallNews::Answered(Some("佐藤".into()))));
        let want = if show {
            "佐藤さんが 向かっています"
        } else {
            "スタッフが 向かっています"
        };
        assert_eq!(title(&c), want);
        // An answer stays an answer when the time runs out.
        c.tick(120_000);
        assert!(matches!(c.call_phase(), CallPhase::Coming(_)));
    }
}

#[test]
fn no_answer_in_time_or_no_server_sends_the_visitor_to_the_window() {
    let mut c = kiosk(CallChannel::Lobby, false);
    c.call_staff(1_000);
    c.tick(60_999);
    assert_eq!(c.call_phase(), &CallPhase::Calling);
    c.tick(61_000);
    assert_eq!(c.call_phase(), &CallPhase::Unanswered);
    assert_eq!(title(&c), "いま スタッフが 手を はなせません");
    assert_eq!(
        c.view().call.body.plain,
        "受付の 窓口で 声を かけてください。"
    );

    let mut c = kiosk(CallChannel::Lobby, false);
    c.call_staff(1_000);
    assert!(c.call_news(1_100, 1, CallNews::Failed));
    assert_eq!(title(&c), "スタッフに つながりませんでした");
    // The link sent it later after all, and a desk answered: that is true, so it is said.
    assert!(c.call_news(5_000, 1, CallNews::Answered(None)));
    assert_eq!(title(&c), "スタッフが 向かっています");
}

#[test]
fn the_centre_says_where_to_go_in_its_own_words() {
    let content = Rc::new(Content::embedded().unwrap_or_else(|e| panic!("{e}")));
    let texts = Rc::new(UiTexts::embedded().unwrap_or_else(|e| panic!("{e:?}")));
    let mut c = Controller::new(
        content,
        texts,
        KioskSettings {
            call_help: Some([
                "1階 入口の 右、総合受付で 声を かけてください。".into(),
                "1かい いりぐちの みぎ、{総合受付|そうごううけつけ}で こえを かけてください。"
                    .into(),
                "Please ask at the main desk, right of the entrance.".into(),
            ]),
            ..KioskSettings::default()
        },
        Box::new(Rc::new(RefCell::new(MemoryBackend::default()))),
    );
    c.call_staff(1_000);
    assert_eq!(
        c.view().call.body.plain,
        "1階 入口の 右、総合受付で 声を かけてください。"
    );
    c.set_lang(2_000, crate::lang::Lang::JaEasy);
    assert_eq!(
        c.view().call.body.plain,
        "1かい いりぐちの みぎ、総合受付で こえを かけてください。"
    );
}

#[test]
fn a_failing_command_counts_as_no_channel() {
    let mut c = kiosk(CallChannel::Hook, false);
    c.call_staff(1_000);
    assert_eq!(sent(&mut c), [1]);
    assert_eq!(title(&c), "スタッフに 知らせました");
    assert!(c.call_news(1_200, 1, CallNews::Failed));
    assert_eq!(c.call_phase(), &CallPhase::NoChannel);
    // A command cannot answer: an answer is not believed from it.
    let mut c = kiosk(CallChannel::Hook, false);
    c.call_staff(1_000);
    assert!(!c.call_news(1_200, 1, CallNews::Answered(None)));
    c.tick(61_000);
    assert_eq!(c.call_phase(), &CallPhase::Unanswered);
}

#[test]
fn a_new_phase_is_spoken_like_a_new_screen() {
    let mut c = kiosk(CallChannel::Lobby, false);
    c.set_speech_available(true);
    c.toggle_speech(1_000);
    c.after_input();
    c.take_effects();
    c.call_staff(2_000);
    c.after_input();
    let spoken = |c: &mut Controller| -> Vec<String> {
        c.take_effects()
            .into_iter()
            .filter_map(|e| match e {
                Effect::Speak(s) => Some(s.parts.iter().map(|p| p.say.clone()).collect()),
                _ => None,
            })
            .collect()
    };
    let first = spoken(&mut c).join(" ");
    assert!(first.contains("呼んでいます"), "{first}");
    c.call_news(3_000, 1, CallNews::Answered(None));
    c.after_input();
    let next = spoken(&mut c).join(" ");
    assert!(next.contains("向かっています"), "{next}");
}
