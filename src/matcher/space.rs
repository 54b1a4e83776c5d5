//! The whole answer space: every option of every question, plus "no answer". Used by the
//! exhaustive MUST test, `check-config` and the benchmark.

use crate::answers::Answers;
use crate::content::Questionnaire;

/// Number of combinations (each question: its options + unanswered).
pub fn size(q: &Questionnaire) -> u64 {
    q.questions
        .iter()
        .map(|qq| qq.options.len() as u64 + 1)
        .product()
}

/// The `i`-th combination, mixed radix, question 0 fastest.
pub fn nth(q: &Questionnaire, mut i: u64) -> Answers {
    let mut a = Answers::new(q);
    for (qi, qq) in q.questions.iter().enumerate() {
        let radix = qq.options.len() as u64 + 1;
        let digit = i % radix;
        i /= radix;
        a.set(
            qi,
            if digit == 0 {
                None
            } else {
                Some((digit - 1) as u8)
            },
        );
    }
    a
}

pub fn iter(q: &Questionnaire) -> impl Iterator<Item = Answers> + '_ {
    (0..size(q)).map(move |i| nth(q, i))
}
