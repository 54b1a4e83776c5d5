//! The questionnaire: questions in order, each with its options. Ids are the contract (CLI,
//! payload, stats); texts are data. An option marked `skip` (わからない, まだ決めていない) is
//! recorded as tapped but counts as "unanswered" for the matcher.

use serde::Deserialize;
use toml::Spanned;

use super::error::{ContentError, Source};
use super::text::Texts;

#[derive(Debug, Clone, PartialEq)]
pub struct Questionnaire {
    pub version: u8,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub id: String,
    pub text: Texts,
    pub options: Vec<AnswerOption>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AnswerOption {
    pub id: String,
    pub text: Texts,
    /// Counts as unanswered (わからない / まだ決めていない).
    pub skip: bool,
}

impl Questionnaire {
    pub fn question_index(&self, id: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.id == id)
    }

    pub fn len(&self) -> usize {
        self.questions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.questions.is_empty()
    }
}

impl Question {
    pub fn option_index(&self, id: &str) -> Option<usize> {
        self.options.iter().position(|o| o.id == id)
    }

    pub fn option_ids(&self) -> String {
        super::id_list(self.options.iter().map(|o| o.id.as_str()))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: Spanned<u8>,
    #[serde(default)]
    question: Vec<Spanned<RawQuestion>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: Spanned<String>,
    text: Spanned<Texts>,
    #[serde(default)]
    option: Vec<Spanned<RawOption>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    id: Spanned<String>,
    text: Spanned<Texts>,
    #[serde(default)]
    skip: bool,
}

/// Most options a question may have: the payload packs an answer in 3 bits (0 = none).
pub const MAX_OPTIONS: usize = 7;
/// Most questions: the payload and the stats schema are sized for this.
pub const MAX_QUESTIONS: usize = 16;

pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 32
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && id.as_bytes()[0].is_ascii_lowercase()
}

pub fn parse(src: &Source) -> Result<Questionnaire, Vec<ContentError>> {
    let raw: RawFile = toml::from_str(src.text).map_err(|e| vec![src.toml_err(&e)])?;
    let mut errs = Vec::new();
    if raw.question.is_empty() {
        errs.push(src.err(
            None,
            "question",
            "no questions: add at least one [[question]] table",
        ));
    }
    if raw.question.len() > MAX_QUESTIONS {
        errs.push(src.err(
            None,
            "question",
            format!(
                "{} questions: at most {MAX_QUESTIONS} are supported",
                raw.question.len()
            ),
        ));
    }
    let mut questions: Vec<Question> = Vec::new();
    for (qi, rq) in raw.question.into_iter().enumerate() {
        let rq = rq.into_inner();
        let field = format!("question[{}]", qi + 1);
        let id = rq.id.get_ref().clone();
        if !is_valid_id(&id) {
            errs.push(src.err(Some(rq.id.span()), format!("{field}.id"), format!("`{id}` is not a valid id: use lower-case letters, digits and `_`, starting with a letter")));
        }
        if questions.iter().any(|q| q.id == id) {
            errs.push(src.err(
                Some(rq.id.span()),
                format!("{field}.id"),
                format!("duplicate question id `{id}`: every question needs its own id"),
            ));
        }
        for (lang, problem) in rq.text.get_ref().problems() {
            errs.push(src.err(
                Some(rq.text.span()),
                format!("{field}.text.{lang}"),
                problem,
            ));
        }
        let mut options: Vec<AnswerOption> = Vec::new();
        if rq.option.len() < 2 || rq.option.len() > MAX_OPTIONS {
            errs.push(src.err(
                Some(rq.id.span()),
                format!("{field}.option"),
                format!(
                    "question `{id}` has {} options: give 2 to {MAX_OPTIONS}",
                    rq.option.len()
                ),
            ));
        }
        for (oi, ro) in rq.option.into_iter().enumerate() {
            let ro = ro.into_inner();
            let ofield = format!("{field}.option[{}]", oi + 1);
            let oid = ro.id.get_ref().clone();
            if !is_valid_id(&oid) {
                errs.push(src.err(
                    Some(ro.id.span()),
                    format!("{ofield}.id"),
                    format!("`{oid}` is not a valid id: use lower-case letters, digits and `_`"),
                ));
            }
            if options.iter().any(|o| o.id == oid) {
                errs.push(src.err(
                    Some(ro.id.span()),
                    format!("{ofield}.id"),
                    format!("duplicate option id `{oid}` in question `{id}`"),
                ));
            }
            for (lang, problem) in ro.text.get_ref().problems() {
                errs.push(src.err(
                    Some(ro.text.span()),
                    format!("{ofield}.text.{lang}"),
                    problem,
                ));
            }
            options.push(AnswerOption {
                id: oid,
                text: ro.text.into_inner(),
                skip: ro.skip,
            });
        }
        questions.push(Question {
            id,
            text: rq.text.into_inner(),
            options,
        });
    }
    if errs.is_empty() {
        Ok(Questionnaire {
            version: *raw.version.get_ref(),
            questions,
        })
    } else {
        Err(errs)
    }
}
