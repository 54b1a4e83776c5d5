//! What the kiosk says on a given screen, found by walking a real `Controller` there (the
//! same flow and the same `speech_script` the window uses). Used by `hatarakitai speak` and
//! to prepare the speech cache at start.

use std::rc::Rc;

use crate::answers::Answers;
use crate::content::Content;
use crate::kiosk::backend::{MemoryBackend, PrintResult};
use crate::kiosk::controller::speech_script::{self, Script};
use crate::kiosk::controller::{CallChannel, CallNews, Controller, KioskSettings};
use crate::kiosk::ui_texts::UiTexts;
use crate::lang::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenSpec {
    Attract,
    Consent,
    /// 0-based.
    Question(usize),
    Results,
    Slip,
    Done,
    /// 「こまったとき」 on a kiosk with no way to reach staff.
    StaffCall,
    /// With the lobby (LOBBY.md §1): calling, a desk answered, nobody answered in time.
    StaffCalling,
    StaffComing,
    StaffBusy,
    Idle,
}

pub const SCREEN_NAMES: &str = "attract, consent, question:1 … question:8, results, slip, done, staff-call, staff-calling, staff-coming, staff-busy, idle";

impl ScreenSpec {
    pub fn parse(s: &str, questions: usize) -> Result<ScreenSpec, String> {
        let bad = || format!("unknown screen `{s}`: use {SCREEN_NAMES}");
        Ok(match s {
            "attract" => ScreenSpec::Attract,
            "consent" => ScreenSpec::Consent,
            "results" => ScreenSpec::Results,
            "slip" => ScreenSpec::Slip,
            "done" => ScreenSpec::Done,
            "staff-call" => ScreenSpec::StaffCall,
            "staff-calling" => ScreenSpec::StaffCalling,
            "staff-coming" => ScreenSpec::StaffComing,
            "staff-busy" => ScreenSpec::StaffBusy,
            "idle" => ScreenSpec::Idle,
            _ => {
                let n: usize = s
                    .strip_prefix("question:")
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(bad)?;
                if n == 0 || n > questions {
                    return Err(format!(
                        "unknown screen `{s}`: questions are numbered 1 to {questions}"
                    ));
                }
                ScreenSpec::Question(n - 1)
            }
        })
    }

    /// Every screen, for preparing the cache and for checks.
    pub fn all(questions: usize) -> Vec<ScreenSpec> {
        let mut v = vec![ScreenSpec::Attract, ScreenSpec::Consent];
        v.extend((0..questions).map(ScreenSpec::Question));
        v.extend([
            ScreenSpec::Results,
            ScreenSpec::Slip,
            ScreenSpec::Done,
            ScreenSpec::StaffCall,
            ScreenSpec::StaffCalling,
            ScreenSpec::StaffComing,
            ScreenSpec::StaffBusy,
            ScreenSpec::Idle,
        ]);
        v
    }
}

/// Walks a fresh controller to `spec` in `lang` (answering with `answers` on the way) and
/// returns what the kiosk says there.
pub fn script_for(
    content: &Rc<Content>,
    texts: &Rc<UiTexts>,
    spec: ScreenSpec,
    lang: Lang,
    answers: &Answers,
) -> Script {
    let lobby = matches!(
        spec,
        ScreenSpec::StaffCalling | ScreenSpec::StaffComing | ScreenSpec::StaffBusy
    );
    let settings = KioskSettings {
        call_channel: if lobby {
            CallChannel::Lobby
        } else {
            CallChannel::None
        },
        ..KioskSettings::default()
    };
    let idle_ms = u64::from(settings.idle_seconds) * 1000;
    let mut w = Walk {
        c: Controller::new(
            content.clone(),
            texts.clone(),
            settings,
            Box::new(MemoryBackend::default()),
        ),
        now: 1000,
    };
    w.at(|c, n| c.set_lang(n, lang));
    let questions = content.questionnaire.len();
    match spec {
        ScreenSpec::Attract => {}
        ScreenSpec::Consent => w.at(|c, n| c.start(n)),
        ScreenSpec::Question(q) => w.walk_to_question(q, answers),
        ScreenSpec::Results => w.walk_to_question(questions, answers),
        ScreenSpec::Slip | ScreenSpec::Done => {
            w.walk_to_question(questions, answers);
            w.at(|c, n| c.print(n));
            w.c.print_finished(1, PrintResult::Printed);
            if spec == ScreenSpec::Done {
                w.at(|c, n| c.finish(n));
            }
        }
        ScreenSpec::StaffCall | ScreenSpec::StaffCalling => w.at(|c, n| c.call_staff(n)),
        ScreenSpec::StaffComing => {
            w.at(|c, n| c.call_staff(n));
            let now = w.now;
            w.c.call_news(now, 1, CallNews::Answered(None));
        }
        ScreenSpec::StaffBusy => {
            w.at(|c, n| c.call_staff(n));
            // Past `call_answer_seconds` (60), before the idle dialog (90 s).
            let t = w.now + 61_000;
            w.c.tick(t);
        }
        ScreenSpec::Idle => {
            w.walk_to_question(0, answers);
            let t = w.now + idle_ms + 1000;
            w.c.tick(t);
        }
    }
    speech_script::screen(&w.c.view(), texts)
}

struct Walk {
    c: Controller,
    now: u64,
}

impl Walk {
    /// One step, past the double-tap guard.
    fn at(&mut self, f: impl FnOnce(&mut Controller, u64) -> bool) {
        self.now += 1000;
        f(&mut self.c, self.now);
    }

    /// Start, consent, then answer the first `upto` questions (unanswered ones skipped).
    fn walk_to_question(&mut self, upto: usize, answers: &Answers) {
        self.at(|c, n| c.start(n));
        self.at(|c, n| c.consent_accept(n));
        for q in 0..upto {
            let a = answers.get(q);
            self.at(|c, n| match a {
                Some(o) => c.answer(n, q, usize::from(o)),
                None => c.skip(n, q),
            });
        }
    }
}

/// Every sentence the kiosk may say outside the results (and the results' route names,
/// summaries and notes), in every language: what `Speaker::prepare` caches at start.
pub fn known_sentences(content: &Rc<Content>, texts: &Rc<UiTexts>) -> Vec<(Lang, String)> {
    let mut out: Vec<(Lang, String)> = Vec::new();
    let none = Answers::new(&content.questionnaire);
    for lang in Lang::ALL {
        for spec in ScreenSpec::all(content.questionnaire.len()) {
            for u in script_for(content, texts, spec, lang, &none).parts {
                out.push((lang, u.say));
            }
        }
        for key in texts.keys() {
            out.push((
                lang,
                speech_script::Utterance::from_rtext(&texts.get(key, lang)).say,
            ));
        }
        // The results' sentences: route names and summaries, reasons, notes, the handoff.
        let cat = &content.catalogue;
        let rules = &content.rules;
        let texts = cat
            .routes
            .iter()
            .flat_map(|r| [&r.name, &r.summary])
            .chain(cat.notes.iter().map(|n| &n.text))
            .chain(std::iter::once(&cat.handoff_text))
            .chain(rules.score.iter().map(|r| &r.reason))
            .chain(rules.top_one_of.iter().filter_map(|r| r.reason.as_ref()));
        for t in texts {
            let rt = crate::kiosk::rtext::RText::for_lang(t.get(lang), lang);
            out.push((lang, speech_script::Utterance::from_rtext(&rt).say));
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|x| !x.1.trim().is_empty() && seen.insert(x.clone()));
    out
}
