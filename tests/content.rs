//! Content validation: every kind of bad content gives one clear message naming the file, the
//! line and the field, and never panics.

use hatarakitai::content::{Content, EMBEDDED_QUESTIONS, EMBEDDED_ROUTES, EMBEDDED_RULES};

fn load(q: &str, r: &str, u: &str) -> Result<Content, String> {
    Content::from_texts(("q.toml", q), ("r.toml", r), ("u.toml", u)).map_err(|e| e.to_string())
}

fn err(q: &str, r: &str, u: &str) -> String {
    match load(q, r, u) {
        Ok(_) => panic!("content should have been rejected"),
        Err(e) => e,
    }
}

fn line_of(text: &str, needle: &str) -> usize {
    let pos = text.find(needle).expect("needle in text");
    text[..pos].matches('\n').count() + 1
}

#[test]
fn bundled_content_is_valid_and_complete() {
    let c = load(EMBEDDED_QUESTIONS, EMBEDDED_ROUTES, EMBEDDED_RULES).unwrap();
    assert_eq!(c.questionnaire.len(), 8);
    let ids: Vec<_> = c
        .questionnaire
        .questions
        .iter()
        .map(|q| q.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "goal", "days", "health", "rhythm", "income", "disclose", "techo", "commute"
        ]
    );
    assert_eq!(c.catalogue.routes.len(), 11);
    assert_eq!(c.catalogue.routes[c.catalogue.handoff].id, "nakapotsu");
    let notes: Vec<_> = c.catalogue.notes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(notes, ["techo", "jukyushasho", "shujii", "sentaku_shien"]);
    // Every kanji in ja-easy question texts carries a reading.
    for q in &c.questionnaire.questions {
        let plain_kanji: String = hatarakitai::content::text::parse_ruby(&q.text.ja_easy)
            .unwrap()
            .into_iter()
            .filter(|s| s.ruby.is_none())
            .map(|s| s.base)
            .collect();
        assert!(
            !plain_kanji
                .chars()
                .any(|ch| ('\u{4E00}'..='\u{9FFF}').contains(&ch)),
            "kanji without furigana in {}: {plain_kanji}",
            q.id
        );
    }
}

#[test]
fn broken_toml_names_file_and_line() {
    let q = EMBEDDED_QUESTIONS.replacen("id = \"days\"", "id = \"days", 1);
    let e = err(&q, EMBEDDED_ROUTES, EMBEDDED_RULES);
    assert!(
        e.starts_with(&format!(
            "q.toml:{}:",
            line_of(EMBEDDED_QUESTIONS, "id = \"days\"")
        )),
        "{e}"
    );
}

#[test]
fn rule_naming_a_missing_option_is_rejected_with_its_line() {
    let u = EMBEDDED_RULES.replacen(
        "when = { days = [\"d5\"] }",
        "when = { days = [\"d6\"] }",
        1,
    );
    let e = err(EMBEDDED_QUESTIONS, EMBEDDED_ROUTES, &u);
    let line = line_of(&u, "[\"d6\"]");
    assert!(e.contains(&format!("u.toml:{line}:")), "{e}");
    assert!(
        e.contains("unknown option id `d6`") && e.contains("d5, d3_4"),
        "{e}"
    );
    assert!(e.contains("score["), "names the field: {e}");
}

#[test]
fn rule_naming_a_missing_question_or_route_is_rejected() {
    let u = EMBEDDED_RULES.replacen(
        "when = { days = [\"d5\"] }",
        "when = { dayz = [\"d5\"] }",
        1,
    );
    assert!(err(EMBEDDED_QUESTIONS, EMBEDDED_ROUTES, &u).contains("unknown question id `dayz`"));
    let u = EMBEDDED_RULES.replacen("hellowork_open = 3", "hellowork_opn = 3", 1);
    assert!(
        err(EMBEDDED_QUESTIONS, EMBEDDED_ROUTES, &u).contains("unknown route id `hellowork_opn`")
    );
}

#[test]
fn a_reason_may_not_rest_on_an_unanswered_question() {
    let u = EMBEDDED_RULES.replacen(
        "when = { days = [\"d5\"] }",
        "when = { days = [\"unsure\"] }",
        1,
    );
    let e = err(EMBEDDED_QUESTIONS, EMBEDDED_ROUTES, &u);
    assert!(e.contains("means \"not answered\""), "{e}");
}

#[test]
fn empty_catalogue_is_rejected() {
    let head: String = EMBEDDED_ROUTES
        .split("[[route]]")
        .next()
        .unwrap()
        .to_string();
    let e = err(EMBEDDED_QUESTIONS, &head, EMBEDDED_RULES);
    assert!(
        e.contains("catalogue is empty") || e.contains("unknown route id"),
        "{e}"
    );
}

#[test]
fn route_missing_a_language_is_rejected_with_field() {
    let r = EMBEDDED_ROUTES.replacen(
        "summary.en = \"A school to learn job skills over 6–12 months\"\n",
        "",
        1,
    );
    let e = err(EMBEDDED_QUESTIONS, &r, EMBEDDED_RULES);
    assert!(e.contains("r.toml:") && e.contains("en"), "{e}");
}

#[test]
fn route_without_summary_is_rejected() {
    let r: String = EMBEDDED_ROUTES
        .lines()
        .filter(|l| !l.starts_with("summary."))
        .collect::<Vec<_>>()
        .join("\n");
    let e = err(EMBEDDED_QUESTIONS, &r, EMBEDDED_RULES);
    assert!(
        e.contains("has no summary") && e.contains("route[1].summary"),
        "{e}"
    );
}

#[test]
fn empty_text_is_rejected() {
    let r = EMBEDDED_ROUTES.replacen(
        "name.en = \"Hello Work — disability track\"",
        "name.en = \"  \"",
        1,
    );
    let e = err(EMBEDDED_QUESTIONS, &r, EMBEDDED_RULES);
    assert!(
        e.contains("route[1].name.en") && e.contains("text is empty"),
        "{e}"
    );
}

#[test]
fn duplicate_ids_are_rejected() {
    let r = EMBEDDED_ROUTES.replacen("id = \"hellowork_closed\"", "id = \"hellowork_open\"", 1);
    let e = err(EMBEDDED_QUESTIONS, &r, EMBEDDED_RULES);
    assert!(e.contains("duplicate route id `hellowork_open`"), "{e}");
    let q = EMBEDDED_QUESTIONS.replacen("id = \"d3_4\"", "id = \"d5\"", 1);
    let e = err(&q, EMBEDDED_ROUTES, EMBEDDED_RULES);
    assert!(e.contains("duplicate option id `d5`"), "{e}");
    let q = EMBEDDED_QUESTIONS.replacen("id = \"rhythm\"", "id = \"health\"", 1);
    assert!(err(&q, EMBEDDED_ROUTES, EMBEDDED_RULES).contains("duplicate question id `health`"));
}

#[test]
fn malformed_ruby_is_rejected_with_field() {
    let q = EMBEDDED_QUESTIONS.replacen("{気持|きも}ちに", "{気持|きも ちに", 1);
    let e = err(&q, EMBEDDED_ROUTES, EMBEDDED_RULES);
    assert!(
        e.contains("question[1].text.ja-easy") && e.contains("not closed"),
        "{e}"
    );
}

#[test]
fn unknown_field_is_rejected() {
    let r = EMBEDDED_ROUTES.replacen(
        "checked = \"2026-11-01\"",
        "checked = \"2026-11-01\"\nchekced = 1",
        1,
    );
    let e = err(EMBEDDED_QUESTIONS, &r, EMBEDDED_RULES);
    assert!(e.contains("chekced"), "{e}");
}

#[test]
fn rules_cannot_rank_the_handoff() {
    let u = EMBEDDED_RULES.replacen("shokugyo_center = 1 }", "nakapotsu = 1 }", 1);
    assert!(err(EMBEDDED_QUESTIONS, EMBEDDED_ROUTES, &u).contains("is the handoff"));
}
