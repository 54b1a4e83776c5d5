//! The route catalogue (ハローワーク, 訓練, 福祉施設, 医療, 相談), its notes and the handoff.
//! A centre edits this file for its own area; `checked` records when facts were verified.

use serde::Deserialize;
use toml::Spanned;

use super::condition::{self, Condition, RawWhen};
use super::error::{ContentError, Source};
use super::questionnaire::{Questionnaire, is_valid_id};
use super::text::Texts;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    JobSearch,
    Training,
    Welfare,
    Medical,
    Consultation,
}

impl Category {
    pub fn label_ja(self) -> &'static str {
        match self {
            Category::JobSearch => "求職活動",
            Category::Training => "訓練",
            Category::Welfare => "福祉施設",
            Category::Medical => "医療",
            Category::Consultation => "相談",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    pub period: Texts,
    pub days: Texts,
    pub money: Texts,
    pub place: Texts,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub id: String,
    pub category: Category,
    pub name: Texts,
    pub summary: Texts,
    pub facts: Facts,
    pub needs: Texts,
    pub apply: Texts,
    pub checked: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NoteTrigger {
    Answers(Condition),
    /// Any of these routes (indices) is in the results.
    Routes(Vec<usize>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub id: String,
    pub trigger: NoteTrigger,
    pub text: Texts,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Catalogue {
    pub routes: Vec<Route>,
    pub notes: Vec<Note>,
    /// Index of the handoff route: always shown, never ranked.
    pub handoff: usize,
    /// The closing line under the results (「このセンターのスタッフと 一緒に考えましょう」).
    pub handoff_text: Texts,
}

impl Catalogue {
    pub fn route_index(&self, id: &str) -> Option<usize> {
        self.routes.iter().position(|r| r.id == id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    handoff: Spanned<String>,
    handoff_text: Spanned<Texts>,
    #[serde(default)]
    route: Vec<Spanned<RawRoute>>,
    #[serde(default)]
    note: Vec<Spanned<RawNote>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    id: Spanned<String>,
    category: Category,
    checked: Spanned<String>,
    name: Spanned<Texts>,
    summary: Option<Spanned<Texts>>,
    facts: Spanned<Facts>,
    needs: Spanned<Texts>,
    apply: Spanned<Texts>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNote {
    id: Spanned<String>,
    when: Option<RawWhen>,
    when_routes: Option<Vec<Spanned<String>>>,
    text: Spanned<Texts>,
}

fn check_texts(src: &Source, t: &Spanned<Texts>, field: &str, errs: &mut Vec<ContentError>) {
    for (lang, problem) in t.get_ref().problems() {
        errs.push(src.err(
            Some(t.span()),
            format!("{field}.{lang}"),
            format!("{problem}: give the text in ja, ja-easy and en"),
        ));
    }
}

pub fn parse(src: &Source, q: &Questionnaire) -> Result<Catalogue, Vec<ContentError>> {
    let raw: RawFile = toml::from_str(src.text).map_err(|e| vec![src.toml_err(&e)])?;
    let mut errs = Vec::new();
    if raw.route.is_empty() {
        errs.push(src.err(
            None,
            "route",
            "the catalogue is empty: add at least one [[route]] table",
        ));
    }
    let mut routes: Vec<Route> = Vec::new();
    for (i, rr) in raw.route.into_iter().enumerate() {
        let span = rr.span();
        let rr = rr.into_inner();
        let field = format!("route[{}]", i + 1);
        let id = rr.id.get_ref().clone();
        if !is_valid_id(&id) {
            errs.push(src.err(
                Some(rr.id.span()),
                format!("{field}.id"),
                format!("`{id}` is not a valid id: use lower-case letters, digits and `_`"),
            ));
        }
        if routes.iter().any(|r| r.id == id) {
            errs.push(src.err(
                Some(rr.id.span()),
                format!("{field}.id"),
                format!("duplicate route id `{id}`: every route needs its own id"),
            ));
        }
        check_texts(src, &rr.name, &format!("{field}.name"), &mut errs);
        let summary = match rr.summary {
            Some(s) => {
                check_texts(src, &s, &format!("{field}.summary"), &mut errs);
                s.into_inner()
            }
            None => {
                errs.push(src.err(Some(span.clone()), format!("{field}.summary"), format!("route `{id}` has no summary: add summary.ja, summary.ja-easy and summary.en (one line each)")));
                Texts::default()
            }
        };
        let facts = rr.facts.get_ref();
        for (name, t) in [
            ("period", &facts.period),
            ("days", &facts.days),
            ("money", &facts.money),
            ("place", &facts.place),
        ] {
            for (lang, problem) in t.problems() {
                errs.push(src.err(
                    Some(rr.facts.span()),
                    format!("{field}.facts.{name}.{lang}"),
                    problem,
                ));
            }
        }
        check_texts(src, &rr.needs, &format!("{field}.needs"), &mut errs);
        check_texts(src, &rr.apply, &format!("{field}.apply"), &mut errs);
        if chrono::NaiveDate::parse_from_str(rr.checked.get_ref(), "%Y-%m-%d").is_err() {
            errs.push(src.err(
                Some(rr.checked.span()),
                format!("{field}.checked"),
                format!(
                    "`{}` is not a date: write when the facts were last verified as YYYY-MM-DD",
                    rr.checked.get_ref()
                ),
            ));
        }
        routes.push(Route {
            id,
            category: rr.category,
            name: rr.name.into_inner(),
            summary,
            facts: rr.facts.into_inner(),
            needs: rr.needs.into_inner(),
            apply: rr.apply.into_inner(),
            checked: rr.checked.into_inner(),
        });
    }
    let route_idx =
        |id: &Spanned<String>, field: &str, errs: &mut Vec<ContentError>| -> Option<usize> {
            let found = routes.iter().position(|r| &r.id == id.get_ref());
            if found.is_none() {
                let known = super::id_list(routes.iter().map(|r| r.id.as_str()));
                errs.push(src.err(
                    Some(id.span()),
                    field,
                    format!("unknown route id `{}` (known: {known})", id.get_ref()),
                ));
            }
            found
        };
    let handoff = route_idx(&raw.handoff, "handoff", &mut errs).unwrap_or(0);
    check_texts(src, &raw.handoff_text, "handoff_text", &mut errs);

    let mut notes: Vec<Note> = Vec::new();
    for (i, rn) in raw.note.into_iter().enumerate() {
        let span = rn.span();
        let rn = rn.into_inner();
        let field = format!("note[{}]", i + 1);
        let id = rn.id.get_ref().clone();
        if !is_valid_id(&id) {
            errs.push(src.err(
                Some(rn.id.span()),
                format!("{field}.id"),
                format!("`{id}` is not a valid id"),
            ));
        }
        if notes.iter().any(|n| n.id == id) {
            errs.push(src.err(
                Some(rn.id.span()),
                format!("{field}.id"),
                format!("duplicate note id `{id}`"),
            ));
        }
        check_texts(src, &rn.text, &format!("{field}.text"), &mut errs);
        let trigger = match (rn.when, rn.when_routes) {
            (Some(w), None) => {
                NoteTrigger::Answers(condition::compile(src, q, &w, &field, true, &mut errs))
            }
            (None, Some(rs)) => {
                if rs.is_empty() {
                    errs.push(src.err(
                        Some(span.clone()),
                        format!("{field}.when_routes"),
                        "empty list: name at least one route",
                    ));
                }
                NoteTrigger::Routes(
                    rs.iter()
                        .filter_map(|r| route_idx(r, &format!("{field}.when_routes"), &mut errs))
                        .collect(),
                )
            }
            _ => {
                errs.push(src.err(
                    Some(span),
                    field.clone(),
                    "give exactly one of `when` (answers) or `when_routes` (routes in the results)",
                ));
                NoteTrigger::Routes(Vec::new())
            }
        };
        notes.push(Note {
            id,
            trigger,
            text: rn.text.into_inner(),
        });
    }
    if errs.is_empty() {
        Ok(Catalogue {
            routes,
            notes,
            handoff,
            handoff_text: raw.handoff_text.into_inner(),
        })
    } else {
        Err(errs)
    }
}
