//! The matcher: a pure, deterministic function from answers to at most three ranked routes,
//! each with the reasons (from the visitor's own answers) that put it there, the notes that
//! apply, and the handoff. No I/O, no clock, no randomness: same answers → same outcome.
//!
//! Ranking: sum the points of every score rule whose `when` matches; drop excluded routes and
//! routes below `min_score`; sort by score (ties: catalogue order); then make the top obey
//! `top_one_of` and `not_top`; keep three. Reasons are the two strongest positive rules.

pub mod must;
pub mod space;

use serde::Serialize;

use crate::answers::Answers;
use crate::content::Content;
use crate::content::routes::NoteTrigger;
use crate::lang::Lang;

pub const MAX_ROUTES: usize = 3;
pub const MAX_REASONS: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Index into `rules.score`.
    Score(usize),
    /// Index into `rules.top_one_of`: the route was put first by that rule.
    Top(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RouteHit {
    pub route: usize,
    pub score: f64,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub routes: Vec<RouteHit>,
    /// Indices into `catalogue.notes`, in catalogue order.
    pub notes: Vec<usize>,
    pub handoff: usize,
}

impl Outcome {
    pub fn contains(&self, route: usize) -> bool {
        self.routes.iter().any(|h| h.route == route)
    }
}

pub fn match_answers(c: &Content, a: &Answers) -> Outcome {
    let q = &c.questionnaire;
    let given = |i: usize| a.given(q, i);
    let given: &dyn Fn(usize) -> Option<usize> = &given;
    let rules = &c.rules;
    let n = c.catalogue.routes.len();
    let mut score = vec![0.0f64; n];
    // (points, rule index) of positive contributions, per route.
    let mut contribs: Vec<Vec<(f64, usize)>> = vec![Vec::new(); n];
    for (ri, rule) in rules.score.iter().enumerate() {
        if rule.when.matches(given) {
            for &(route, pts) in &rule.add {
                score[route] += pts;
                if pts > 0.0 {
                    contribs[route].push((pts, ri));
                }
            }
        }
    }
    let mut excluded = vec![false; n];
    excluded[c.catalogue.handoff] = true;
    for rule in &rules.exclude {
        if rule.applies(given) {
            rule.routes.iter().for_each(|&r| excluded[r] = true);
        }
    }
    let mut not_top = vec![false; n];
    for rule in &rules.not_top {
        if rule.applies(given) {
            rule.routes.iter().for_each(|&r| not_top[r] = true);
        }
    }

    let mut ranked: Vec<RouteHit> = (0..n)
        .filter(|&r| {
            !excluded[r] && score[r] > 0.0 && score[r] >= rules.min_score && !contribs[r].is_empty()
        })
        .map(|r| {
            let mut cs = contribs[r].clone();
            // Strongest first; ties keep rule order (stable sort).
            cs.sort_by(|x, y| y.0.total_cmp(&x.0));
            RouteHit {
                route: r,
                score: score[r],
                reasons: cs
                    .iter()
                    .take(MAX_REASONS)
                    .map(|&(_, ri)| Reason::Score(ri))
                    .collect(),
            }
        })
        .collect();
    ranked.sort_by(|x, y| y.score.total_cmp(&x.score).then(x.route.cmp(&y.route)));

    // Which routes may be first: inside every matching top_one_of set, outside not_top.
    let mut allowed: Vec<bool> = (0..n).map(|r| !excluded[r] && !not_top[r]).collect();
    let mut top_rules = Vec::new();
    for (ti, rule) in rules.top_one_of.iter().enumerate() {
        if rule.applies(given) {
            top_rules.push(ti);
            for (r, ok) in allowed.iter_mut().enumerate() {
                if !rule.routes.contains(&r) {
                    *ok = false;
                }
            }
        }
    }
    let top_ok = ranked.first().is_none_or(|h| allowed[h.route]);
    if !top_ok || (ranked.is_empty() && !top_rules.is_empty()) {
        if let Some(pos) = ranked.iter().position(|h| allowed[h.route]) {
            let hit = ranked.remove(pos);
            ranked.insert(0, hit);
        } else if let Some((r, ti)) = top_rules
            .iter()
            .flat_map(|&ti| rules.top_one_of[ti].routes.iter().map(move |&r| (r, ti)))
            .find(|&(r, _)| allowed[r])
        {
            // No scored route may be first: the rule names one, and is its reason.
            ranked.insert(
                0,
                RouteHit {
                    route: r,
                    score: score[r],
                    reasons: vec![Reason::Top(ti)],
                },
            );
        } else {
            // Nothing may be first: show no ranked route rather than a wrong one.
            ranked.retain(|h| allowed[h.route]);
        }
    }
    ranked.truncate(MAX_ROUTES);

    let notes = c
        .catalogue
        .notes
        .iter()
        .enumerate()
        .filter(|(_, note)| match &note.trigger {
            NoteTrigger::Answers(cond) => cond.matches(given),
            NoteTrigger::Routes(rs) => rs.iter().any(|&r| ranked.iter().any(|h| h.route == r)),
        })
        .map(|(i, _)| i)
        .collect();
    Outcome {
        routes: ranked,
        notes,
        handoff: c.catalogue.handoff,
    }
}

/// The text of a reason (raw, may contain ruby markup).
pub fn reason_text(c: &Content, reason: Reason, lang: Lang) -> &str {
    match reason {
        Reason::Score(ri) => c.rules.score[ri].reason.get(lang),
        Reason::Top(ti) => c.rules.top_one_of[ti]
            .reason
            .as_ref()
            .map(|t| t.get(lang))
            .unwrap_or(""),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteJson {
    pub id: String,
    pub score: f64,
    pub reasons: Vec<String>,
}

/// The CLI / batch output contract (PRODUCT.md §4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeJson {
    pub routes: Vec<RouteJson>,
    pub notes: Vec<String>,
    pub handoff: String,
}

impl OutcomeJson {
    pub fn new(c: &Content, o: &Outcome, lang: Lang) -> OutcomeJson {
        OutcomeJson {
            routes: o
                .routes
                .iter()
                .map(|h| RouteJson {
                    id: c.catalogue.routes[h.route].id.clone(),
                    score: h.score,
                    reasons: h
                        .reasons
                        .iter()
                        .map(|&r| crate::content::text::plain(reason_text(c, r, lang)))
                        .collect(),
                })
                .collect(),
            notes: o
                .notes
                .iter()
                .map(|&i| c.catalogue.notes[i].id.clone())
                .collect(),
            handoff: c.catalogue.routes[o.handoff].id.clone(),
        }
    }
}
