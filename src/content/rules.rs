//! The matching rules: scores with reasons, and the hard limits (exclude, not-top, top-one-of)
//! that encode routes.md's MUST rules as data a centre can read and tune.

use serde::Deserialize;
use toml::Spanned;

use super::condition::{self, Condition, RawWhen};
use super::error::{ContentError, Source};
use super::questionnaire::Questionnaire;
use super::routes::Catalogue;
use super::text::Texts;

#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRule {
    pub when: Condition,
    /// (route index, points). Positive points make this rule a reason for that route.
    pub add: Vec<(usize, f64)>,
    pub reason: Texts,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LimitRule {
    pub when: Condition,
    /// The rule does not apply when this matches (e.g. M6: "health is not unstable").
    pub unless: Option<Condition>,
    pub routes: Vec<usize>,
    /// For `top_one_of`: the reason given when a route is put first by this rule.
    pub reason: Option<Texts>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// Routes with a total below this are not shown.
    pub min_score: f64,
    pub score: Vec<ScoreRule>,
    pub exclude: Vec<LimitRule>,
    pub not_top: Vec<LimitRule>,
    pub top_one_of: Vec<LimitRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    min_score: f64,
    #[serde(default)]
    score: Vec<Spanned<RawScore>>,
    #[serde(default)]
    exclude: Vec<Spanned<RawLimit>>,
    #[serde(default)]
    not_top: Vec<Spanned<RawLimit>>,
    #[serde(default)]
    top_one_of: Vec<Spanned<RawLimit>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScore {
    when: RawWhen,
    add: std::collections::BTreeMap<Spanned<String>, f64>,
    reason: Spanned<Texts>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimit {
    when: RawWhen,
    unless: Option<RawWhen>,
    routes: Vec<Spanned<String>>,
    reason: Option<Spanned<Texts>>,
    /// Free text for administrators (e.g. which MUST rule this encodes). Not shown.
    #[serde(default)]
    #[allow(dead_code)]
    why: String,
}

fn route(
    src: &Source,
    cat: &Catalogue,
    id: &Spanned<String>,
    field: &str,
    errs: &mut Vec<ContentError>,
) -> Option<usize> {
    let found = cat.route_index(id.get_ref());
    match found {
        None => {
            let known = super::id_list(cat.routes.iter().map(|r| r.id.as_str()));
            errs.push(src.err(
                Some(id.span()),
                field,
                format!("unknown route id `{}` (known: {known})", id.get_ref()),
            ));
        }
        Some(i) if i == cat.handoff => {
            errs.push(src.err(Some(id.span()), field, format!("`{}` is the handoff: it is always shown and never ranked, so rules cannot name it", id.get_ref())));
            return None;
        }
        Some(_) => {}
    }
    found
}

pub fn parse(src: &Source, q: &Questionnaire, cat: &Catalogue) -> Result<Rules, Vec<ContentError>> {
    let raw: RawFile = toml::from_str(src.text).map_err(|e| vec![src.toml_err(&e)])?;
    let mut errs = Vec::new();
    let mut score = Vec::new();
    for (i, rs) in raw.score.into_iter().enumerate() {
        let span = rs.span();
        let rs = rs.into_inner();
        let field = format!("score[{}]", i + 1);
        let when = condition::compile(src, q, &rs.when, &field, false, &mut errs);
        if when.terms.is_empty() {
            errs.push(src.err(Some(span.clone()), format!("{field}.when"), "a score rule needs at least one answer in `when`: reasons must come from the visitor's answers"));
        }
        if rs.add.is_empty() {
            errs.push(src.err(
                Some(span),
                format!("{field}.add"),
                "no routes: write add = { route_id = points, … }",
            ));
        }
        let mut add = Vec::new();
        for (rid, pts) in &rs.add {
            if !pts.is_finite() {
                errs.push(src.err(
                    Some(rid.span()),
                    format!("{field}.add.{}", rid.get_ref()),
                    "points must be a finite number",
                ));
            }
            if let Some(ri) = route(src, cat, rid, &format!("{field}.add"), &mut errs) {
                add.push((ri, *pts));
            }
        }
        for (lang, problem) in rs.reason.get_ref().problems() {
            errs.push(src.err(
                Some(rs.reason.span()),
                format!("{field}.reason.{lang}"),
                problem,
            ));
        }
        score.push(ScoreRule {
            when,
            add,
            reason: rs.reason.into_inner(),
        });
    }
    let limits = |list: Vec<Spanned<RawLimit>>,
                  kind: &str,
                  needs_reason: bool,
                  errs: &mut Vec<ContentError>|
     -> Vec<LimitRule> {
        let mut out = Vec::new();
        for (i, rl) in list.into_iter().enumerate() {
            let span = rl.span();
            let rl = rl.into_inner();
            let field = format!("{kind}[{}]", i + 1);
            let when = condition::compile(src, q, &rl.when, &field, false, errs);
            if when.terms.is_empty() {
                errs.push(src.err(
                    Some(span.clone()),
                    format!("{field}.when"),
                    "needs at least one answer in `when`",
                ));
            }
            if rl.routes.is_empty() {
                errs.push(src.err(
                    Some(span.clone()),
                    format!("{field}.routes"),
                    "empty list: name at least one route",
                ));
            }
            let unless = rl
                .unless
                .as_ref()
                .map(|u| condition::compile(src, q, u, &format!("{field}.unless"), false, errs));
            let routes = rl
                .routes
                .iter()
                .filter_map(|r| route(src, cat, r, &format!("{field}.routes"), errs))
                .collect();
            let reason = match (rl.reason, needs_reason) {
                (Some(r), true) => {
                    for (lang, problem) in r.get_ref().problems() {
                        errs.push(src.err(
                            Some(r.span()),
                            format!("{field}.reason.{lang}"),
                            problem,
                        ));
                    }
                    Some(r.into_inner())
                }
                (None, true) => {
                    errs.push(src.err(Some(span), format!("{field}.reason"), "top_one_of needs a reason (ja, ja-easy, en) shown when it puts a route first"));
                    None
                }
                (Some(r), false) => {
                    errs.push(src.err(
                        Some(r.span()),
                        format!("{field}.reason"),
                        format!("`{kind}` rules take no reason: remove it"),
                    ));
                    None
                }
                (None, false) => None,
            };
            out.push(LimitRule {
                when,
                unless,
                routes,
                reason,
            });
        }
        out
    };
    let exclude = limits(raw.exclude, "exclude", false, &mut errs);
    let not_top = limits(raw.not_top, "not_top", false, &mut errs);
    let top_one_of = limits(raw.top_one_of, "top_one_of", true, &mut errs);
    if errs.is_empty() {
        Ok(Rules {
            min_score: raw.min_score,
            score,
            exclude,
            not_top,
            top_one_of,
        })
    } else {
        Err(errs)
    }
}

impl LimitRule {
    pub fn applies(&self, given: &dyn Fn(usize) -> Option<usize>) -> bool {
        self.when.matches(given) && !self.unless.as_ref().is_some_and(|u| u.matches(given))
    }
}
