//! Property tests for the matcher over arbitrary answers (proptest; see proptest_codec.rs for
//! why): at most three distinct routes, each with reasons that come from answers actually
//! given (M10), never the handoff route among them, the catalogue's handoff always present,
//! notes in range, and the same answers always give the same outcome, byte for byte.

use std::sync::OnceLock;

use hatarakitai::answers::Answers;
use hatarakitai::content::Content;
use hatarakitai::lang::Lang;
use hatarakitai::matcher::{self, OutcomeJson, Reason};
use proptest::prelude::*;

fn content() -> &'static Content {
    static C: OnceLock<Content> = OnceLock::new();
    C.get_or_init(|| Content::embedded().unwrap())
}

/// Any answers the kiosk can produce: per question an option index, or not answered.
fn answers() -> impl Strategy<Value = Answers> {
    let per_q: Vec<_> = content()
        .questionnaire
        .questions
        .iter()
        .map(|q| prop::option::of(0..q.options.len() as u8))
        .collect();
    per_q.prop_map(Answers::from_slots)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn outcome_is_well_formed(a in answers()) {
        let c = content();
        let o = matcher::match_answers(c, &a);
        prop_assert!(o.routes.len() <= matcher::MAX_ROUTES);
        let mut seen = std::collections::BTreeSet::new();
        for h in &o.routes {
            prop_assert!(h.route < c.catalogue.routes.len());
            prop_assert!(seen.insert(h.route), "route {} shown twice", h.route);
            prop_assert_ne!(h.route, c.catalogue.handoff, "the handoff is not a route");
            prop_assert!(!h.reasons.is_empty(), "route {} has no reason", h.route);
            prop_assert!(h.reasons.len() <= matcher::MAX_REASONS);
            for r in &h.reasons {
                match *r {
                    Reason::Score(ri) => {
                        let rule = &c.rules.score[ri];
                        prop_assert!(rule.when.matches(&|i| a.given(&c.questionnaire, i)), "reason from a rule that does not match");
                    }
                    Reason::Top(ti) => prop_assert!(ti < c.rules.top_one_of.len()),
                }
            }
        }
        prop_assert_eq!(o.handoff, c.catalogue.handoff);
        prop_assert!(o.notes.iter().all(|&n| n < c.catalogue.notes.len()));
        prop_assert!(o.notes.windows(2).all(|w| w[0] < w[1]), "notes in catalogue order");
    }

    #[test]
    fn same_answers_same_outcome(a in answers(), lang in 0..Lang::ALL.len()) {
        let c = content();
        let one = matcher::match_answers(c, &a);
        let two = matcher::match_answers(c, &a.clone());
        prop_assert_eq!(&one, &two);
        let lang = Lang::ALL[lang];
        let j1 = serde_json::to_string(&OutcomeJson::new(c, &one, lang)).unwrap();
        let j2 = serde_json::to_string(&OutcomeJson::new(c, &two, lang)).unwrap();
        prop_assert_eq!(j1, j2);
    }
}
