//! The visitor's own 「働くためには？」 sheet to take home (SHEET.md): the centre's map with the
//! visitor's matched routes marked (or not, at the visitor's choice), each matched route's
//! facts, what to bring, where to ask and its public contact, the 「※手続きは…」 line, the
//! centre's name, phone and hours and today's date. **Nothing that links it to the visit**:
//! no QR, no answers, no receipt number, no time of day.
//!
//! [`SheetData`] is plain data built from content + outcome; [`raster`] draws it as a 1-bit
//! receipt (80 mm, ≤ 25 cm, the slip's line breaking and furigana) and [`pdf`] as one A4 page
//! (krilla). [`SheetData::reading`] is its text equivalent, in reading order, for the kiosk's
//! 「ぜんたいの 地図」 screen, its speech and the screen reader.

pub mod pdf;
pub mod raster;

use chrono::{Datelike, NaiveDate};

use crate::config::CentreConfig;
use crate::content::{Content, SheetTree};
use crate::lang::Lang;
use crate::matcher::Outcome;
use crate::network::agency::{PublicContact, contact_for};

/// The directory's public contacts for the take-home sheet (`[content] agencies`, or the
/// bundled sample), checked against the catalogue's route ids.
pub fn public_contacts(
    loaded: &crate::config::Loaded,
    content: &Content,
) -> Result<Vec<PublicContact>, crate::content::ContentErrors> {
    use crate::network::agency;
    let routes: Vec<&str> = content
        .catalogue
        .routes
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    let (name, text) = match loaded.content_path(&loaded.config.content.agencies) {
        None => (
            "<embedded>/assets/agencies.toml".to_string(),
            agency::EMBEDDED.to_string(),
        ),
        Some(p) => match std::fs::read_to_string(&p) {
            Ok(t) => (p.display().to_string(), t),
            Err(e) => {
                return Err(crate::content::ContentErrors(vec![
                    crate::content::ContentError {
                        file: p.display().to_string(),
                        line: None,
                        field: String::new(),
                        message: format!(
                            "cannot read this file ({e}): check `agencies` under [content] in the config, or remove the line to use the bundled agencies.toml"
                        ),
                    },
                ]));
            }
        },
    };
    agency::public_contacts(&name, &text, &routes)
}

/// One place on the map as printed.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceView {
    pub name: String,
    pub words: String,
    /// 1-based rank among the visitor's routes, when marked.
    pub rank: Option<u8>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BranchView {
    pub name: String,
    pub places: Vec<PlaceView>,
}

/// A route's public contact (from the directory's `public = true` entries).
#[derive(Debug, Clone, PartialEq)]
pub struct ContactView {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub hours: String,
}

/// One matched route's details.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteDetail {
    pub rank: u8,
    pub name: String,
    /// (label, value): period, days, money, place.
    pub facts: Vec<(String, String)>,
    pub needs: String,
    pub apply: String,
    pub contact: Option<ContactView>,
}

/// Everything on the take-home sheet. Texts may carry ruby markup (drawn for ja-easy).
#[derive(Debug, Clone, PartialEq)]
pub struct SheetData {
    pub lang: Lang,
    pub title: String,
    pub root: String,
    pub branches: Vec<BranchView>,
    /// The matched routes, best first (empty when the visitor chose a map without marks).
    pub details: Vec<RouteDetail>,
    pub marked: bool,
    pub procedures: String,
    pub centre_name: String,
    pub phone: String,
    pub hours: String,
    /// Today (the date only: a time would narrow down the visit).
    pub date: NaiveDate,
}

/// The sheet's own words.
pub struct Labels {
    pub period: &'static str,
    pub days: &'static str,
    pub money: &'static str,
    pub place: &'static str,
    pub needs: &'static str,
    pub apply: &'static str,
    pub contact: &'static str,
    pub yours: &'static str,
    pub unmarked: &'static str,
    pub ask_staff: &'static str,
    pub phone: &'static str,
    pub hours: &'static str,
    pub legend: &'static str,
}

pub fn labels(lang: Lang) -> Labels {
    match lang {
        Lang::Ja => Labels {
            period: "期間",
            days: "週の日数",
            money: "お金",
            place: "場所",
            needs: "必要なもの",
            apply: "申し込み",
            contact: "連絡先",
            yours: "あなたに合いそうな道",
            unmarked: "地図だけを印刷しました（印はつけていません）",
            ask_staff: "くわしくは スタッフに",
            phone: "電話",
            hours: "受付時間",
            legend: "黒い四角と番号 = あなたに合いそうな道",
        },
        Lang::JaEasy => Labels {
            period: "{期間|きかん}",
            days: "{週|しゅう}に {何日|なんにち}",
            money: "お{金|かね}",
            place: "{場所|ばしょ}",
            needs: "いるもの",
            apply: "どこで {申|もう}しこむ",
            contact: "{連絡先|れんらくさき}",
            yours: "あなたに あいそうな {道|みち}",
            unmarked: "{地図|ちず}だけです（しるしは ありません）",
            ask_staff: "くわしくは スタッフに",
            phone: "{電話|でんわ}",
            hours: "あいている {時間|じかん}",
            legend: "くろい しかくと {番号|ばんごう} = あなたに あいそうな {道|みち}",
        },
        Lang::En => Labels {
            period: "Period",
            days: "Days a week",
            money: "Money",
            place: "Place",
            needs: "What you need",
            apply: "Where to ask",
            contact: "Contact",
            yours: "Routes that may suit you",
            unmarked: "The map only (nothing marked)",
            ask_staff: "Ask the staff for details",
            phone: "Phone",
            hours: "Hours",
            legend: "Black box with a number = a route that may suit you",
        },
    }
}

/// 2026年12月7日 / ja-easy with readings / 7 Dec 2026.
pub fn format_date(lang: Lang, d: NaiveDate) -> String {
    const MONTH_EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, m, day) = (d.year(), d.month(), d.day());
    match lang {
        Lang::Ja => format!("{y}年{m}月{day}日"),
        Lang::JaEasy => format!("{y}{{年|ねん}}{m}{{月|がつ}}{day}{{日|にち}}"),
        Lang::En => format!("{day} {} {y}", MONTH_EN[(m as usize + 11) % 12]),
    }
}

/// Circled rank numbers, as on the slip.
pub fn rank_mark(rank: u8) -> char {
    const MARKS: [char; 9] = ['①', '②', '③', '④', '⑤', '⑥', '⑦', '⑧', '⑨'];
    MARKS[(rank.max(1) as usize - 1) % MARKS.len()]
}

impl SheetData {
    /// The sheet for these results. `marked = false`: the map without the visitor's routes
    /// and without their details (the paper then says nothing about the visitor).
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        content: &Content,
        tree: &SheetTree,
        outcome: &Outcome,
        lang: Lang,
        centre: &CentreConfig,
        procedures: &crate::content::Texts,
        contacts: &[PublicContact],
        date: NaiveDate,
        marked: bool,
    ) -> SheetData {
        let cat = &content.catalogue;
        let rank_of = |route: Option<usize>| -> Option<u8> {
            let r = route?;
            if !marked {
                return None;
            }
            outcome
                .routes
                .iter()
                .position(|h| h.route == r)
                .map(|i| i as u8 + 1)
        };
        let branches = tree
            .branches
            .iter()
            .map(|b| BranchView {
                name: b.name.get(lang).to_string(),
                places: b
                    .places
                    .iter()
                    .map(|p| PlaceView {
                        name: p.name.get(lang).to_string(),
                        words: p.words.get(lang).to_string(),
                        rank: rank_of(p.route),
                    })
                    .collect(),
            })
            .collect();
        let lab = labels(lang);
        let details = if marked {
            outcome
                .routes
                .iter()
                .enumerate()
                .filter_map(|(i, h)| cat.routes.get(h.route).map(|r| (i, r)))
                .map(|(i, r)| RouteDetail {
                    rank: i as u8 + 1,
                    name: r.name.get(lang).to_string(),
                    facts: vec![
                        (lab.period.into(), r.facts.period.get(lang).to_string()),
                        (lab.days.into(), r.facts.days.get(lang).to_string()),
                        (lab.money.into(), r.facts.money.get(lang).to_string()),
                        (lab.place.into(), r.facts.place.get(lang).to_string()),
                    ],
                    needs: r.needs.get(lang).to_string(),
                    apply: r.apply.get(lang).to_string(),
                    contact: contact_for(contacts, &r.id).map(|c| ContactView {
                        name: c.name.clone(),
                        address: c.address.clone(),
                        phone: c.phone.clone(),
                        hours: c.hours.clone(),
                    }),
                })
                .collect()
        } else {
            Vec::new()
        };
        SheetData {
            lang,
            title: tree.title.get(lang).to_string(),
            root: tree.root.get(lang).to_string(),
            branches,
            details,
            marked,
            procedures: procedures.get(lang).to_string(),
            centre_name: centre.name.clone(),
            phone: centre.phone.clone(),
            hours: centre.hours.clone(),
            date,
        }
    }

    /// The map as text, in reading order (title, then each branch with its places, the
    /// visitor's marked first-to-last as 「① …」), then the visitor's routes: what the kiosk's
    /// 「ぜんたいの 地図」 screen says and the screen reader reads. Ruby markup kept (speech reads
    /// ja-easy by its furigana).
    pub fn reading(&self) -> Vec<String> {
        let lab = labels(self.lang);
        let mut out = vec![format!("{}　{}", self.title, self.root)];
        for b in &self.branches {
            let places: Vec<String> = b
                .places
                .iter()
                .map(|p| match p.rank {
                    Some(r) => format!("{}{}", rank_mark(r), p.name),
                    None => p.name.clone(),
                })
                .collect();
            let sep = if self.lang == Lang::En { ", " } else { "、" };
            out.push(format!("{}: {}", b.name, places.join(sep)));
        }
        if !self.details.is_empty() {
            let names: Vec<String> = self
                .details
                .iter()
                .map(|d| format!("{}{}", rank_mark(d.rank), d.name))
                .collect();
            out.push(format!("{}: {}", lab.yours, names.join(" ")));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::Answers;

    pub(crate) fn sample(lang: Lang, answers: &str, marked: bool) -> SheetData {
        let c = Content::embedded().unwrap();
        let tree = SheetTree::embedded(&c.catalogue).unwrap();
        let a = Answers::parse_kv(&c.questionnaire, answers).unwrap();
        let o = crate::matcher::match_answers(&c, &a);
        let contacts = vec![PublicContact {
            name: "ハローワーク高槻".into(),
            address: "高槻市城北町1-7-16".into(),
            phone: "072-675-0600".into(),
            hours: "平日 8:30〜17:15".into(),
            routes: vec!["hellowork_open".into(), "hellowork_closed".into()],
        }];
        let centre = CentreConfig {
            name: "高槻市障がい者就業・生活支援センター".into(),
            phone: "072-000-0000".into(),
            hours: "平日 9:00〜17:30".into(),
            ..CentreConfig::default()
        };
        SheetData::build(
            &c,
            &tree,
            &o,
            lang,
            &centre,
            &crate::config::default_procedures(),
            &contacts,
            NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            marked,
        )
    }

    #[test]
    fn marks_the_visitors_routes_by_rank_and_nothing_when_unmarked() {
        let s = sample(
            Lang::Ja,
            "goal=work_now,days=d5,health=stable,income=salary,disclose=open,techo=yes",
            true,
        );
        assert_eq!(s.details[0].name, "ハローワーク（障がい者枠）");
        assert_eq!(s.details[0].contact.as_ref().unwrap().phone, "072-675-0600");
        let marked: Vec<u8> = s
            .branches
            .iter()
            .flat_map(|b| &b.places)
            .filter_map(|p| p.rank)
            .collect();
        assert_eq!(marked.len(), s.details.len());
        let read = s.reading();
        assert!(read[0].starts_with("働くためには？"), "{read:?}");
        assert!(
            read.iter().any(|l| l.contains("①ハローワーク 障がい枠")),
            "{read:?}"
        );
        let u = sample(
            Lang::Ja,
            "goal=work_now,days=d5,health=stable,income=salary,disclose=open,techo=yes",
            false,
        );
        assert!(u.details.is_empty());
        assert!(
            u.branches
                .iter()
                .flat_map(|b| &b.places)
                .all(|p| p.rank.is_none())
        );
        assert!(!u.reading().join("\n").contains('①'));
    }

    #[test]
    fn dates_in_three_languages() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(format_date(Lang::Ja, d), "2026年12月7日");
        assert_eq!(format_date(Lang::En, d), "7 Dec 2026");
        assert!(format_date(Lang::JaEasy, d).contains("{月|がつ}"));
    }
}
