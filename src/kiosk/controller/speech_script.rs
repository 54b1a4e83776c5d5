//! What the kiosk says for a screen or a control (ACCESS.md §3), built from the same `View`
//! the screen shows. Plain data; `crate::speech` turns it into sound.
//!
//! In やさしいにほんご the furigana decide the reading: each `{漢字|かんじ}` is given to the
//! engine as its reading, so the visitor hears what they see above the kanji.

use crate::kiosk::controller::{Screen, SetupStep, SlipStatus, Target, View};
use crate::kiosk::rtext::RText;
use crate::kiosk::ui_texts::UiTexts;
use crate::lang::Lang;

/// One sentence: as shown (`text`) and as given to the speech engine (`say`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Utterance {
    pub text: String,
    pub say: String,
}

impl Utterance {
    /// From a display text: for ja-easy, readings replace the kanji they cover.
    pub fn from_rtext(rt: &RText) -> Utterance {
        let say = if rt.readings {
            let mut s = String::new();
            for w in &rt.words {
                for seg in &w.segs {
                    s.push_str(if seg.ruby.is_empty() {
                        &seg.base
                    } else {
                        &seg.ruby
                    });
                }
                if w.gap {
                    s.push(' ');
                }
            }
            s.trim_end().to_string()
        } else {
            rt.plain.clone()
        };
        Utterance {
            text: rt.plain.clone(),
            say,
        }
    }
}

/// A sequence of sentences in one language, spoken in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub lang: Lang,
    pub parts: Vec<Utterance>,
}

impl Script {
    pub fn new(lang: Lang) -> Script {
        Script {
            lang,
            parts: Vec::new(),
        }
    }

    pub fn push(&mut self, rt: &RText) {
        let u = Utterance::from_rtext(rt);
        if !u.say.trim().is_empty() {
            self.parts.push(u);
        }
    }

    pub fn extend(&mut self, other: Script) {
        self.parts.extend(other.parts);
    }

    /// Everything shown, one sentence per line (for `speak`'s JSON and for tests).
    pub fn text(&self) -> String {
        self.parts
            .iter()
            .map(|u| u.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Digits one by one, so 1125-023 is heard as 1 1 2 5, 0 2 3 (not "one thousand …").
fn digits(s: &str, lang: Lang) -> String {
    let sep = if lang == Lang::En { ", " } else { "、" };
    s.split('-')
        .map(|part| {
            part.chars()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join(sep)
}

/// The whole screen, from the top.
pub fn screen(v: &View, t: &UiTexts) -> Script {
    let l = v.lang;
    let mut s = Script::new(l);
    if let Some(left) = v.idle_left {
        s.push(&t.get("idle.title", l));
        s.push(&t.format("idle.countdown", l, &left.to_string()));
        s.push(&t.get("idle.continue", l));
        return s;
    }
    match v.screen {
        Screen::Attract => {
            for k in [
                "attract.title",
                "attract.lead",
                "attract.start",
                "attract.note",
            ] {
                s.push(&t.get(k, l));
            }
        }
        Screen::Consent => {
            for k in [
                "consent.title",
                "consent.p1",
                "consent.p2",
                "consent.p3",
                "consent.p4",
                "consent.accept",
            ] {
                s.push(&t.get(k, l));
            }
        }
        Screen::Question(_) => {
            if let Some(q) = &v.question {
                // Heard as "1問目、全部で 8問です" (the screen shows 質問 1 / 8).
                let mut progress = t.format("speech.question_no", l, &(q.index + 1).to_string());
                append(
                    &mut progress,
                    &t.format("speech.question_total", l, &q.total.to_string()),
                );
                s.push(&progress);
                s.push(&q.text);
                for (n, o) in q.options.iter().enumerate() {
                    s.push(&numbered(t, l, n + 1, &o.label, o.selected));
                }
                s.push(&t.get("q.skip", l));
            }
        }
        Screen::Results => {
            s.push(&t.get("results.title", l));
            if let Some(r) = &v.results {
                if r.slip_error {
                    s.push(&t.get("results.slip_error", l));
                    s.push(&v.call.title);
                    s.push(&v.call.body);
                }
                if r.cards.is_empty() {
                    s.push(&t.get("results.none", l));
                }
                for c in &r.cards {
                    s.push(&c.name);
                    s.push(&c.summary);
                    for reason in &c.reasons {
                        s.push(reason);
                    }
                }
                if !r.notes.is_empty() {
                    s.push(&t.get("results.notes", l));
                    for n in &r.notes {
                        s.push(n);
                    }
                }
                s.push(&r.handoff);
                if r.sheet.available {
                    s.push(&with_state(
                        t,
                        l,
                        t.get("results.take_home", l),
                        r.sheet.take_home,
                    ));
                }
            }
            s.push(&t.get("results.print", l));
        }
        // The map as text, in reading order: each branch with its places, the visitor's
        // routes with their numbers, then their routes again in rank order.
        Screen::Map => {
            s.push(&t.get("map.title", l));
            if let Some(m) = &v.map {
                s.push(&m.root);
                for b in &m.branches {
                    s.push(&b.name);
                    for p in &b.places {
                        let mut name = p.name.clone();
                        if p.rank > 0 {
                            name = t.format("keys.option", l, &p.rank.to_string());
                            append(&mut name, &p.name);
                        }
                        append(&mut name, &p.words);
                        s.push(&name);
                    }
                }
                if !m.yours.is_empty() {
                    s.push(&t.get("map.yours", l));
                    for y in &m.yours {
                        s.push(y);
                    }
                }
            }
            s.push(&t.get("map.back", l));
        }
        Screen::Slip if v.slip.as_ref().is_some_and(|s| s.sheet_only) => {
            if let Some(slip) = &v.slip {
                s.push(&t.get("slip.sheet_only_title", l));
                match &slip.status {
                    SlipStatus::Failed(_) => s.push(&t.get("slip.sheet_only_failed", l)),
                    SlipStatus::Printing => s.push(&t.get("slip.sheet_printing", l)),
                    SlipStatus::Printed => s.push(&t.get("slip.sheet_only_printed", l)),
                }
            }
            s.push(&t.get("slip.finish", l));
        }
        Screen::Slip => {
            if let Some(slip) = &v.slip {
                match &slip.status {
                    SlipStatus::Failed(_) => {
                        s.push(&t.get("slip.failed_title", l));
                        s.push(&t.get("slip.show_staff", l));
                    }
                    SlipStatus::Printing => s.push(&t.get("slip.printing", l)),
                    SlipStatus::Printed => s.push(&t.get("slip.printed", l)),
                }
                s.push(&t.get("slip.hand", l));
                s.push(&t.format("slip.receipt", l, &digits(&slip.receipt_no, l)));
                if let Some(sh) = &slip.sheet {
                    s.push(&t.get(sheet_key(sh, &slip.status), l));
                }
            }
            s.push(&t.get("slip.finish", l));
        }
        Screen::Done => {
            for k in ["done.title", "done.body", "done.home"] {
                s.push(&t.get(k, l));
            }
        }
        Screen::StaffCall => {
            s.push(&v.call.title);
            s.push(&v.call.body);
            s.push(&t.get("staffcall.back", l));
        }
        Screen::StaffPin => {
            s.push(&t.get("pin.title", l));
            match &v.pin.message {
                Some(m) => s.push(m),
                None => s.push(&t.get("pin.prompt", l)),
            }
        }
        Screen::StaffSetup => {
            s.push(&t.get("setup.title", l));
            if let Some(m) = &v.pin.message {
                s.push(m);
            }
            if let Some(su) = &v.setup {
                match su.step {
                    SetupStep::NewPin => s.push(&t.get("setup.pin_new", l)),
                    SetupStep::Confirm => s.push(&t.get("setup.pin_again", l)),
                    SetupStep::Name => {
                        s.push(&t.get("setup.pin_saved", l));
                        s.push(&t.get("setup.name_title", l));
                        s.push(&t.get("setup.name_prompt", l));
                    }
                    SetupStep::Print => {
                        s.push(&t.get("setup.print_title", l));
                        s.push(&t.format("staff.kiosk_name", l, &v.kiosk_name));
                        match &su.print_text {
                            Some(p) => s.push(p),
                            None => s.push(&t.get("setup.print_prompt", l)),
                        }
                    }
                }
            }
        }
        Screen::Staff => s.push(&t.get("help.staff", l)),
    }
    s
}

fn numbered(t: &UiTexts, l: Lang, n: usize, label: &RText, selected: bool) -> RText {
    let mut r = t.format("keys.option", l, &n.to_string());
    append(&mut r, label);
    if selected {
        append(&mut r, &t.get("keys.selected", l));
    }
    r
}

/// `a`, then `b` as a new phrase (a pause between them when spoken).
fn append(a: &mut RText, b: &RText) {
    let sep = if a.ruby { "、" } else { ", " };
    a.plain = format!("{}{sep}{}", a.plain, b.plain);
    if let Some(last) = a.words.last_mut() {
        last.segs.push(crate::kiosk::rtext::Seg {
            base: sep.trim().to_string(),
            ruby: String::new(),
        });
        last.gap = true;
    }
    a.words.extend(b.words.iter().cloned());
    a.readings |= b.readings;
    a.ruby |= b.ruby;
}

/// One control, as heard when focus moves to it.
pub fn target(v: &View, t: &UiTexts, f: Target) -> Script {
    let l = v.lang;
    let mut s = Script::new(l);
    let label = match f {
        Target::Lang(x) => {
            let key = match x {
                Lang::Ja => "lang.ja",
                Lang::JaEasy => "lang.ja-easy",
                Lang::En => "lang.en",
            };
            with_state(t, l, t.get(key, l), v.lang == x)
        }
        Target::Size(large) => with_state(
            t,
            l,
            t.get(if large { "size.large" } else { "size.normal" }, l),
            v.large == large,
        ),
        Target::Speech => t.get("speech.toggle", l),
        Target::Slow => t.get("speech.slow", l),
        Target::Quieter => t.get("speech.quieter", l),
        Target::Louder => t.get("speech.louder", l),
        Target::Call => t.get(v.call.button_key, l),
        Target::Start => t.get("attract.start", l),
        Target::ConsentDecline => t.get("consent.decline", l),
        Target::ConsentAccept => t.get("consent.accept", l),
        Target::Option(oi) => {
            let q = v.question.as_ref();
            let pos = q.and_then(|q| q.options.iter().position(|o| o.index == oi));
            match (q, pos) {
                (Some(q), Some(p)) => {
                    numbered(t, l, p + 1, &q.options[p].label, q.options[p].selected)
                }
                _ => RText::plain(""),
            }
        }
        Target::Back => t.get("q.back", l),
        Target::Skip => with_state(
            t,
            l,
            t.get("q.skip", l),
            v.question.as_ref().is_some_and(|q| q.skip_selected),
        ),
        Target::ResultsBack => t.get("results.back", l),
        Target::Print => t.get("results.print", l),
        Target::Map => t.get("results.map", l),
        Target::TakeHome => with_state(
            t,
            l,
            t.get("results.take_home", l),
            v.results.as_ref().is_some_and(|r| r.sheet.take_home),
        ),
        Target::Marks => {
            let mut m = with_state(
                t,
                l,
                t.get("results.marks", l),
                v.results.as_ref().is_some_and(|r| r.sheet.marked),
            );
            append(&mut m, &t.get("results.marks_note", l));
            m
        }
        Target::SheetOnly => t.get("results.sheet_only", l),
        Target::MapBack => t.get("map.back", l),
        Target::Finish => t.get("slip.finish", l),
        Target::DoneHome => t.get("done.home", l),
        Target::StaffCallClose => t.get("staffcall.back", l),
        Target::IdleContinue => t.get("idle.continue", l),
        Target::PinDigit(d) => RText::plain(d.to_string()),
        Target::PinClear => t.get("pin.clear", l),
        Target::PinSubmit => t.get("pin.ok", l),
        Target::PinCancel => t.get("pin.cancel", l),
        Target::SetupName => t.get("setup.name_field", l),
        Target::SetupNameOk => t.get("setup.name_ok", l),
        Target::SetupNameSkip => v.setup.as_ref().map_or_else(
            || t.format("setup.name_skip", l, ""),
            |su| su.skip_label.clone(),
        ),
        Target::SetupPrint => t.get("setup.print", l),
        Target::SetupFinish => t.get("setup.finish", l),
    };
    s.push(&label);
    s
}

/// What became of the take-home sheet printed after the staff slip.
pub fn sheet_key(sheet: &SlipStatus, slip: &SlipStatus) -> &'static str {
    match (slip, sheet) {
        (SlipStatus::Failed(_), _) => "slip.sheet_not_printed",
        (_, SlipStatus::Printing) => "slip.sheet_printing",
        (_, SlipStatus::Printed) => "slip.sheet_printed",
        (_, SlipStatus::Failed(_)) => "slip.sheet_failed",
    }
}

fn with_state(t: &UiTexts, l: Lang, mut label: RText, selected: bool) -> RText {
    if selected {
        append(&mut label, &t.get("keys.selected", l));
    }
    label
}
