//! `when = { question = ["option", …], … }`: a condition on the visitor's answers, shared by
//! the scoring rules and the notes. All questions named must match (AND); within a question
//! any listed option matches (OR). `"unanswered"` matches no answer or a skip option, and is
//! allowed only where the file format says so (notes), because a reason must never rest on a
//! question the visitor did not answer (routes.md M10).

use std::collections::BTreeMap;

use toml::Spanned;

use super::error::{ContentError, Source};
use super::questionnaire::Questionnaire;

pub const UNANSWERED: &str = "unanswered";

pub type RawWhen = BTreeMap<Spanned<String>, Vec<Spanned<String>>>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub question: usize,
    /// Bit i set = option i matches.
    pub options: u16,
    pub unanswered: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Condition {
    pub terms: Vec<Term>,
}

impl Condition {
    /// `given(question)` = the option the visitor chose (None: unanswered or a わからない
    /// option); the caller's answers, so content does not depend on `answers`.
    pub fn matches(&self, given: &dyn Fn(usize) -> Option<usize>) -> bool {
        self.terms.iter().all(|t| match given(t.question) {
            Some(opt) => t.options & (1 << opt) != 0,
            None => t.unanswered,
        })
    }

    /// Every question this condition needs answered (terms that do not accept "unanswered").
    pub fn needs_answers(&self) -> impl Iterator<Item = usize> + '_ {
        self.terms
            .iter()
            .filter(|t| !t.unanswered)
            .map(|t| t.question)
    }
}

pub fn compile(
    src: &Source,
    q: &Questionnaire,
    raw: &RawWhen,
    field: &str,
    allow_unanswered: bool,
    errs: &mut Vec<ContentError>,
) -> Condition {
    let mut terms = Vec::new();
    for (qid, opts) in raw {
        let Some(qi) = q.question_index(qid.get_ref()) else {
            let known = super::id_list(q.questions.iter().map(|q| q.id.as_str()));
            errs.push(src.err(
                Some(qid.span()),
                format!("{field}.when"),
                format!("unknown question id `{}` (known: {known})", qid.get_ref()),
            ));
            continue;
        };
        let question = &q.questions[qi];
        if opts.is_empty() {
            errs.push(src.err(
                Some(qid.span()),
                format!("{field}.when.{}", qid.get_ref()),
                "empty option list: name at least one option",
            ));
        }
        let mut term = Term {
            question: qi,
            options: 0,
            unanswered: false,
        };
        for o in opts {
            let oid = o.get_ref();
            if oid == UNANSWERED {
                if allow_unanswered {
                    term.unanswered = true;
                } else {
                    errs.push(src.err(Some(o.span()), format!("{field}.when.{}", qid.get_ref()), "`unanswered` is not allowed here: a reason must rest on an answer the visitor gave"));
                }
                continue;
            }
            match question.option_index(oid) {
                Some(oi) if question.options[oi].skip => errs.push(src.err(
                    Some(o.span()),
                    format!("{field}.when.{}", qid.get_ref()),
                    format!("option `{oid}` means \"not answered\"; use `unanswered` in notes, and do not base scores on it"),
                )),
                Some(oi) => term.options |= 1 << oi,
                None => errs.push(src.err(
                    Some(o.span()),
                    format!("{field}.when.{}", qid.get_ref()),
                    format!("unknown option id `{oid}` for question `{}` (known: {})", question.id, question.option_ids()),
                )),
            }
        }
        terms.push(term);
    }
    Condition { terms }
}
