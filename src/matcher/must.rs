//! The MUST rules of routes.md (M1–M12), written out as code, independent of the rules data.
//! The exhaustive test runs them over the whole answer space; `check-config` runs them over a
//! centre's edited data, so a tuning that breaks the product's intent is caught before use.

use super::{Outcome, Reason};
use crate::answers::Answers;
use crate::content::Content;

/// Ids the MUST rules talk about, resolved to indices once.
pub struct MustChecker<'c> {
    c: &'c Content,
    q: [usize; 8],
    r: Ids,
    notes: [Option<usize>; 4],
}

struct Ids {
    hw_open: usize,
    hw_closed: usize,
    kaihatsuko: usize,
    itaku: usize,
    ikou: usize,
    a: usize,
    b: usize,
    daycare: usize,
    katsudo: usize,
    nakapotsu: usize,
}

const QUESTIONS: [&str; 8] = [
    "goal", "days", "health", "rhythm", "income", "disclose", "techo", "commute",
];

impl<'c> MustChecker<'c> {
    /// Fails (with the missing id) when the content does not have the ids the rules name.
    pub fn new(c: &'c Content) -> Result<MustChecker<'c>, String> {
        let mut q = [0; 8];
        for (i, id) in QUESTIONS.iter().enumerate() {
            q[i] = c
                .questionnaire
                .question_index(id)
                .ok_or_else(|| format!("question `{id}`"))?;
        }
        let r = |id: &str| {
            c.catalogue
                .route_index(id)
                .ok_or_else(|| format!("route `{id}`"))
        };
        let ids = Ids {
            hw_open: r("hellowork_open")?,
            hw_closed: r("hellowork_closed")?,
            kaihatsuko: r("kaihatsuko")?,
            itaku: r("itaku_kunren")?,
            ikou: r("ikou")?,
            a: r("keizoku_a")?,
            b: r("keizoku_b")?,
            daycare: r("daycare")?,
            katsudo: r("katsudo_center")?,
            nakapotsu: r("nakapotsu")?,
        };
        let note = |id: &str| c.catalogue.notes.iter().position(|n| n.id == id);
        Ok(MustChecker {
            c,
            q,
            r: ids,
            notes: [
                note("techo"),
                note("jukyushasho"),
                note("shujii"),
                note("sentaku_shien"),
            ],
        })
    }

    /// The given (answered) option id of question `k` (index into QUESTIONS).
    fn ans(&self, a: &Answers, k: usize) -> Option<&'c str> {
        let qi = self.q[k];
        let oi = a.given(&self.c.questionnaire, qi)?;
        Some(self.c.questionnaire.questions[qi].options[oi].id.as_str())
    }

    /// Every MUST rule this outcome breaks, as "M3: …" lines. Empty = all hold.
    pub fn violations(&self, a: &Answers, o: &Outcome) -> Vec<String> {
        let mut v = Vec::new();
        let r = &self.r;
        let has = |x: usize| o.contains(x);
        let top = o.routes.first().map(|h| h.route);
        let top_in = |set: &[usize]| top.is_some_and(|t| set.contains(&t));
        let [
            goal,
            days,
            health,
            _rhythm,
            income,
            disclose,
            techo,
            commute,
        ] = [0, 1, 2, 3, 4, 5, 6, 7].map(|k| self.ans(a, k));
        let work_routes = [r.hw_open, r.hw_closed, r.kaihatsuko, r.itaku, r.a];

        if disclose == Some("closed") && has(r.hw_open) {
            v.push("M1: disclose=closed but hellowork_open is shown".into());
        }
        if disclose == Some("open") && has(r.hw_closed) {
            v.push("M1: disclose=open but hellowork_closed is shown".into());
        }
        if matches!(days, Some("d1_2" | "d0")) && work_routes.iter().any(|&x| has(x)) {
            v.push("M2: days is d1_2/d0 but a 週5日-type route is shown".into());
        }
        if health == Some("unstable") || days == Some("d0") {
            if !top_in(&[r.daycare, r.katsudo]) {
                v.push("M3: top must be daycare or katsudo_center".into());
            }
            if work_routes.iter().any(|&x| has(x)) {
                v.push("M3: a work/training route is shown".into());
            }
        }
        if commute == Some("near") && top_in(&[r.kaihatsuko, r.itaku]) {
            v.push("M4: commute=near but a far training route is top".into());
        }
        if goal == Some("work_now")
            && days == Some("d5")
            && health == Some("stable")
            && income == Some("salary")
        {
            if !top_in(&[r.hw_open, r.hw_closed, r.a]) {
                v.push("M5: top must be hellowork_open/hellowork_closed/keizoku_a".into());
            }
            if has(r.b) {
                v.push("M5: keizoku_b is shown".into());
            }
        }
        if goal == Some("train_first")
            && matches!(days, Some("d5" | "d3_4"))
            && health != Some("unstable")
            && !top_in(&[r.kaihatsuko, r.itaku, r.ikou])
        {
            v.push("M6: top must be kaihatsuko/itaku_kunren/ikou".into());
        }
        if goal == Some("place_to_go") && !top_in(&[r.katsudo, r.b, r.daycare]) {
            v.push("M7: top must be katsudo_center/keizoku_b/daycare".into());
        }
        if days == Some("d3_4") && top_in(&[r.kaihatsuko, r.itaku]) {
            v.push("M8: days=d3_4 but a 週5日 training route is top".into());
        }
        if income == Some("salary") && top_in(&[r.b]) {
            v.push("M9: income=salary but keizoku_b is top".into());
        }
        // M10
        if o.routes.len() > super::MAX_ROUTES {
            v.push("M10: more than 3 routes".into());
        }
        for h in &o.routes {
            if h.reasons.is_empty() {
                v.push(format!(
                    "M10: route {} has no reason",
                    self.c.catalogue.routes[h.route].id
                ));
            }
            for reason in &h.reasons {
                let cond = match *reason {
                    Reason::Score(i) => &self.c.rules.score[i].when,
                    Reason::Top(i) => &self.c.rules.top_one_of[i].when,
                };
                let answered = cond
                    .terms
                    .iter()
                    .all(|t| a.given(&self.c.questionnaire, t.question).is_some());
                if cond.terms.is_empty()
                    || !answered
                    || !cond.matches(&|i| a.given(&self.c.questionnaire, i))
                {
                    v.push(format!(
                        "M10: a reason of {} rests on an unanswered question",
                        self.c.catalogue.routes[h.route].id
                    ));
                }
            }
            if h.route == r.nakapotsu {
                v.push("M11: the handoff is ranked".into());
            }
        }
        // M11
        if o.handoff != r.nakapotsu {
            v.push("M11: handoff is not nakapotsu".into());
        }
        // M12
        let expect = [
            disclose == Some("open") && matches!(techo, Some("no") | None),
            has(r.ikou) || has(r.a) || has(r.b),
            has(r.daycare),
            has(r.b),
        ];
        for (k, name) in ["techo", "jukyushasho", "shujii", "sentaku_shien"]
            .iter()
            .enumerate()
        {
            let shown = self.notes[k].is_some_and(|n| o.notes.contains(&n));
            if shown != expect[k] {
                v.push(format!(
                    "M12: note {name} {} but its condition {}",
                    if shown { "shown" } else { "missing" },
                    if expect[k] { "holds" } else { "does not hold" }
                ));
            }
        }
        v
    }
}
