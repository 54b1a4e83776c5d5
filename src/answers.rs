//! A visitor's answers: for each question, the option tapped (or none). Skip options such as
//! わからない are kept as tapped — stats count them — but `given()` reports them as unanswered.

use std::fmt;

use crate::content::questionnaire::Questionnaire;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Answers {
    slots: Vec<Option<u8>>,
}

/// Bad answers from the command line or a JSON line: names the bad id and lists valid ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerError(pub String);

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AnswerError {}

impl Answers {
    pub fn new(q: &Questionnaire) -> Answers {
        Answers {
            slots: vec![None; q.len()],
        }
    }

    pub fn from_slots(slots: Vec<Option<u8>>) -> Answers {
        Answers { slots }
    }

    pub fn slots(&self) -> &[Option<u8>] {
        &self.slots
    }

    /// The option tapped for question `qi`, skip options included.
    pub fn get(&self, qi: usize) -> Option<u8> {
        self.slots.get(qi).copied().flatten()
    }

    pub fn set(&mut self, qi: usize, option: Option<u8>) {
        if qi >= self.slots.len() {
            self.slots.resize(qi + 1, None);
        }
        self.slots[qi] = option;
    }

    pub fn clear(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = None);
    }

    /// The option for question `qi` if it counts as answered (not missing, not a skip option).
    pub fn given(&self, q: &Questionnaire, qi: usize) -> Option<usize> {
        let opt = self.get(qi)? as usize;
        let question = q.questions.get(qi)?;
        match question.options.get(opt) {
            Some(o) if !o.skip => Some(opt),
            _ => None,
        }
    }

    pub fn answered_count(&self, q: &Questionnaire) -> usize {
        (0..q.len()).filter(|&i| self.given(q, i).is_some()).count()
    }

    /// `(question id, option id)` for every question with a tap, in questionnaire order.
    pub fn pairs<'a>(&self, q: &'a Questionnaire) -> Vec<(&'a str, &'a str)> {
        q.questions
            .iter()
            .enumerate()
            .filter_map(|(qi, question)| {
                let o = question.options.get(self.get(qi)? as usize)?;
                Some((question.id.as_str(), o.id.as_str()))
            })
            .collect()
    }

    /// `goal=work_now,days=d5` — the CLI form. Missing questions are unanswered.
    pub fn parse_kv(q: &Questionnaire, s: &str) -> Result<Answers, AnswerError> {
        let mut answers = Answers::new(q);
        if s.trim().is_empty() {
            return Ok(answers);
        }
        for (n, item) in s.split(',').enumerate() {
            let item = item.trim();
            if item.is_empty() {
                return Err(AnswerError(format!(
                    "answer {} is empty (two commas in a row, or a comma at the end): write question=option, separated by single commas, e.g. goal=work_now,days=d5",
                    n + 1
                )));
            }
            let mut parts = item.split('=');
            let (Some(k), Some(v), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(AnswerError(format!(
                    "`{item}` is not question=option (exactly one `=`): e.g. goal=work_now"
                )));
            };
            answers.set_by_id(q, k.trim(), v.trim())?;
        }
        Ok(answers)
    }

    /// One JSON object `{"goal":"work_now", …}` — the batch form.
    pub fn from_json(q: &Questionnaire, v: &serde_json::Value) -> Result<Answers, AnswerError> {
        let Some(obj) = v.as_object() else {
            return Err(AnswerError(
                "each line must be a JSON object like {\"goal\":\"work_now\",\"days\":\"d5\"}"
                    .into(),
            ));
        };
        let mut answers = Answers::new(q);
        for (k, v) in obj {
            match v {
                serde_json::Value::String(s) => answers.set_by_id(q, k, s)?,
                serde_json::Value::Null => {
                    q.question_index(k).ok_or_else(|| unknown_question(q, k))?;
                }
                _ => {
                    return Err(AnswerError(format!(
                        "answer for `{k}` must be a string option id (or null for unanswered)"
                    )));
                }
            }
        }
        Ok(answers)
    }

    fn set_by_id(&mut self, q: &Questionnaire, k: &str, v: &str) -> Result<(), AnswerError> {
        let qi = q.question_index(k).ok_or_else(|| unknown_question(q, k))?;
        let question = &q.questions[qi];
        if v.is_empty() {
            return Err(AnswerError(format!(
                "answer for `{k}` is empty: write {k}=OPTION with one of: {}",
                question.option_ids()
            )));
        }
        if self.get(qi).is_some() {
            return Err(AnswerError(format!(
                "question `{k}` is answered twice: give it once"
            )));
        }
        let oi = question.option_index(v).ok_or_else(|| {
            AnswerError(format!(
                "unknown option id `{v}` for question `{k}`: use one of {}",
                question.option_ids()
            ))
        })?;
        self.set(qi, Some(oi as u8));
        Ok(())
    }
}

fn unknown_question(q: &Questionnaire, k: &str) -> AnswerError {
    let known = crate::content::id_list(q.questions.iter().map(|q| q.id.as_str()));
    AnswerError(format!("unknown question id `{k}`: use one of {known}"))
}
