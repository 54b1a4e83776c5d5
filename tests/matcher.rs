//! The matcher against routes.md: MUST rules over the whole answer space, SHOULD rules with
//! the default data, and the example cases of matching-cases.md.

use hatarakitai::answers::Answers;
use hatarakitai::content::Content;
use hatarakitai::lang::Lang;
use hatarakitai::matcher::must::MustChecker;
use hatarakitai::matcher::{self, Outcome, OutcomeJson, space};

fn content() -> Content {
    Content::embedded().expect("bundled content is valid")
}

fn ids(c: &Content, o: &Outcome) -> Vec<String> {
    o.routes
        .iter()
        .map(|h| c.catalogue.routes[h.route].id.clone())
        .collect()
}

fn given<'a>(c: &'a Content, a: &Answers, q: &str) -> Option<&'a str> {
    let qi = c.questionnaire.question_index(q)?;
    let oi = a.given(&c.questionnaire, qi)?;
    Some(c.questionnaire.questions[qi].options[oi].id.as_str())
}

#[test]
fn answer_space_has_every_combination() {
    let c = content();
    // goal 5+1, days 5+1, health 4+1, rhythm 4+1, income 4+1, disclose 3+1, techo 4+1, commute 3+1
    assert_eq!(space::size(&c.questionnaire), 6 * 6 * 5 * 5 * 5 * 4 * 5 * 4);
    let first = space::nth(&c.questionnaire, 0);
    assert!(first.slots().iter().all(Option::is_none));
}

#[test]
fn must_rules_hold_for_every_combination_of_answers() {
    let c = content();
    let checker = MustChecker::new(&c).expect("ids present");
    let mut failures = Vec::new();
    let mut checked = 0u64;
    for a in space::iter(&c.questionnaire) {
        let o = matcher::match_answers(&c, &a);
        let v = checker.violations(&a, &o);
        if !v.is_empty() && failures.len() < 20 {
            failures.push(format!(
                "{:?} → {:?}: {v:?}",
                a.pairs(&c.questionnaire),
                ids(&c, &o)
            ));
        }
        checked += 1;
    }
    assert_eq!(checked, space::size(&c.questionnaire));
    assert!(
        failures.is_empty(),
        "MUST violations:\n{}",
        failures.join("\n")
    );
}

#[test]
fn output_is_byte_identical_for_the_same_answers() {
    let c = content();
    let n = space::size(&c.questionnaire);
    for i in (0..n).step_by(997) {
        let a = space::nth(&c.questionnaire, i);
        for lang in Lang::ALL {
            let x =
                serde_json::to_string(&OutcomeJson::new(&c, &matcher::match_answers(&c, &a), lang))
                    .unwrap();
            let y = serde_json::to_string(&OutcomeJson::new(
                &c,
                &matcher::match_answers(&c, &a.clone()),
                lang,
            ))
            .unwrap();
            assert_eq!(x, y);
        }
    }
}

/// S1–S6 of routes.md: the default data's judgement, checked wherever their condition holds.
#[test]
fn should_rules_hold_with_default_data() {
    let c = content();
    let mut failures = Vec::new();
    for a in space::iter(&c.questionnaire) {
        let g = |q| given(&c, &a, q);
        let o = matcher::match_answers(&c, &a);
        let r = ids(&c, &o);
        let top = r.first().map(String::as_str);
        let has = |id: &str| r.iter().any(|x| x == id);
        let not_unstable = g("health") != Some("unstable");
        let mut fail = |rule: &str| {
            if failures.len() < 30 {
                failures.push(format!("{rule}: {:?} → {r:?}", a.pairs(&c.questionnaire)));
            }
        };
        if g("goal") == Some("health_first") && !matches!(top, Some("daycare" | "katsudo_center")) {
            fail("S1");
        }
        if g("goal") == Some("train_first")
            && g("days") == Some("d5")
            && g("commute") == Some("far_ok")
            && not_unstable
            && !(has("kaihatsuko") && has("itaku_kunren"))
        {
            fail("S2");
        }
        if g("days") == Some("d3_4")
            && matches!(g("goal"), Some("work_now" | "train_first"))
            && not_unstable
            && !has("ikou")
        {
            fail("S3");
        }
        if g("income") == Some("some")
            && g("days") == Some("d1_2")
            && not_unstable
            && g("goal") != Some("health_first")
            && top != Some("keizoku_b")
        {
            fail("S4");
        }
        if g("income") == Some("salary")
            && g("days") == Some("d5")
            && g("health") == Some("sometimes")
            && !has("keizoku_a")
        {
            fail("S5");
        }
        if g("goal") == Some("work_now")
            && g("days") == Some("d5")
            && g("health") == Some("stable")
            && g("disclose") == Some("open")
            && g("techo") == Some("yes")
            && top != Some("hellowork_open")
        {
            fail("S6");
        }
    }
    assert!(
        failures.is_empty(),
        "SHOULD violations:\n{}",
        failures.join("\n")
    );
}

fn run(c: &Content, answers: &str) -> (Vec<String>, Vec<String>, OutcomeJson) {
    let a = Answers::parse_kv(&c.questionnaire, answers).unwrap();
    let o = matcher::match_answers(c, &a);
    let j = OutcomeJson::new(c, &o, Lang::Ja);
    (ids(c, &o), j.notes.clone(), j)
}

#[test]
fn example_cases_from_matching_cases_md() {
    let c = content();
    // 1
    let (r, n, _) = run(
        &c,
        "goal=work_now,days=d5,health=stable,rhythm=yes,income=salary,disclose=open,techo=yes,commute=far_ok",
    );
    assert_eq!(r[0], "hellowork_open");
    assert!(
        !r.contains(&"daycare".into()) && !r.contains(&"keizoku_b".into()),
        "{r:?}"
    );
    assert!(n.is_empty(), "case 1 has no notes: {n:?}");
    // 2
    let (r, _, _) = run(
        &c,
        "goal=work_now,days=d5,health=stable,rhythm=yes,income=salary,disclose=closed,techo=no,commute=near",
    );
    assert_eq!(r[0], "hellowork_closed");
    assert!(!r.contains(&"hellowork_open".into()));
    // 3
    let (r, _, _) = run(
        &c,
        "goal=train_first,days=d5,health=stable,rhythm=yes,income=not_now,disclose=open,techo=yes,commute=far_ok",
    );
    assert!(
        r.contains(&"kaihatsuko".into()) && r.contains(&"itaku_kunren".into()),
        "{r:?}"
    );
    assert!(r[0] == "kaihatsuko" || r[0] == "itaku_kunren");
    // 4
    let (r, n, _) = run(
        &c,
        "goal=train_first,days=d3_4,health=sometimes,rhythm=mostly,commute=near",
    );
    assert_eq!(r[0], "ikou");
    assert!(n.contains(&"jukyushasho".into()));
    // 5
    let (r, _, _) = run(
        &c,
        "goal=work_now,days=d5,health=sometimes,rhythm=mostly,income=salary,disclose=open,techo=yes",
    );
    assert!(r.contains(&"keizoku_a".into()), "{r:?}");
    // 6
    let (r, n, _) = run(
        &c,
        "goal=place_to_go,days=d1_2,health=sometimes,income=some",
    );
    assert_eq!(r[0], "keizoku_b");
    assert!(r.contains(&"katsudo_center".into()));
    assert!(
        n.contains(&"jukyushasho".into()) && n.contains(&"sentaku_shien".into()),
        "{n:?}"
    );
    // 7
    let (r, n, _) = run(&c, "goal=health_first,days=d0,health=unstable,rhythm=no");
    assert_eq!(r[0], "daycare");
    for bad in [
        "hellowork_open",
        "hellowork_closed",
        "kaihatsuko",
        "itaku_kunren",
        "keizoku_a",
    ] {
        assert!(!r.contains(&bad.to_string()), "{r:?}");
    }
    assert!(n.contains(&"shujii".into()));
    // 8: nothing answered — no reason can mention an answer, so no route is shown at all.
    let (r, n, j) = run(&c, "");
    assert_eq!(j.handoff, "nakapotsu");
    assert!(r.is_empty() && n.is_empty());
    // 9
    let (r, n, _) = run(
        &c,
        "goal=work_now,days=d5,health=stable,income=salary,disclose=open,techo=no",
    );
    assert!(n.contains(&"techo".into()));
    assert!(!r.contains(&"hellowork_closed".into()));
}

#[test]
fn reasons_come_in_every_language_without_markup() {
    let c = content();
    let a = Answers::parse_kv(
        &c.questionnaire,
        "goal=train_first,days=d3_4,health=sometimes,rhythm=mostly,commute=near",
    )
    .unwrap();
    let o = matcher::match_answers(&c, &a);
    for lang in Lang::ALL {
        let j = OutcomeJson::new(&c, &o, lang);
        for r in &j.routes {
            assert!(!r.reasons.is_empty() && r.reasons.len() <= 2);
            for s in &r.reasons {
                assert!(!s.contains('{') && !s.contains('|'), "{s}");
            }
        }
    }
    let en = OutcomeJson::new(&c, &o, Lang::En);
    assert!(
        en.routes[0]
            .reasons
            .iter()
            .any(|s| s.contains("3–4 days") || s.contains("train")),
        "{:?}",
        en.routes[0].reasons
    );
}
