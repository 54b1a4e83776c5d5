//! `desk::pane_text` checked without Slint: the words of each pane from domain values.

use super::*;
use crate::network::due::DueRow;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
}

fn link() -> Link {
    Link {
        id: 4,
        record: 1,
        agency: "hw-town".into(),
        role: "就労".into(),
        person: String::new(),
        from: "2026-12-01".into(),
        to: String::new(),
        consent_date: String::new(),
        consent_scope: String::new(),
        consent_by: String::new(),
        consent_withdrawn: String::new(),
    }
}

fn event(link: i64, kind: &str, day: &str, note: &str, who: &str) -> ConsentEvent {
    ConsentEvent {
        id: 0,
        link,
        kind: kind.into(),
        day: day.into(),
        scope: String::new(),
        note: note.into(),
        who: who.into(),
        at: 0,
    }
}

#[test]
fn days_and_how_far_away() {
    assert_eq!(short_day("2026-12-04"), "12/4(金)");
    assert_eq!(short_day("2026-11-30"), "11/30(月)");
    assert_eq!(short_day("いつか"), "いつか");
    assert_eq!(when(0), "今日");
    assert_eq!(when(1), "明日");
    assert_eq!(when(3), "あと3日");
    assert_eq!(when(-2), "2日 遅れ");
    assert_eq!(days_until("2026-12-03", day("2026-11-30")), 3);
    assert_eq!(days_until("?", day("2026-11-30")), 0);
}

#[test]
fn a_link_says_its_dates_consent_history_and_hint() {
    let mut l = link();
    let hw = Agency {
        id: "hw-town".into(),
        name: "ハローワーク高槻".into(),
        kind: "ハローワーク".into(),
        contact_method: "電話".into(),
        good_times: "平日 10〜12時".into(),
        limits: "予約制".into(),
        ..Agency::default()
    };
    let row = link_row(&l, Some(&hw), &[]);
    assert_eq!(row.agency, "ハローワーク高槻");
    assert_eq!(row.dates, "2026-12-01 から");
    assert!(row.open && !row.consent);
    assert_eq!(row.consent_text, "同意なし");
    assert_eq!(
        row.hint,
        "好む連絡: 電話 ・ 平日 10〜12時 ・ 制度の限界: 予約制"
    );
    // Unknown to the directory: its id, no kind, no hint.
    assert_eq!(link_row(&l, None, &[]).agency, "hw-town");
    l.to = "2027-03-31".into();
    l.consent_date = "2026-11-30".into();
    l.consent_scope = "就労に関する情報".into();
    l.consent_by = "sato".into();
    assert_eq!(link_dates(&l), "2026-12-01 〜 2027-03-31");
    assert_eq!(
        consent_text(&l),
        "同意あり 2026-11-30「就労に関する情報」（記録: sato）"
    );
    let events = [
        event(4, "given", "2026-11-01", "", "sato"),
        event(4, "withdrawn", "2026-11-20", "本人の申し出", "tanaka"),
        event(5, "given", "2026-11-21", "", "kato"),
    ];
    assert_eq!(
        consent_history(&events, 4),
        "同意 2026-11-01（sato） → 撤回 2026-11-20（tanaka）: 本人の申し出"
    );
    assert_eq!(
        choice("ハローワーク高槻", "就労"),
        "ハローワーク高槻（就労）"
    );
}

#[test]
fn linked_agencies_come_once_in_the_order_first_linked() {
    let mut a = link();
    let mut b = link();
    b.agency = "clinic".into();
    a.id = 9;
    assert_eq!(linked_agencies(&[link(), b, a]), vec!["hw-town", "clinic"]);
}

#[test]
fn a_contact_is_dated_in_the_centres_zone() {
    let c = Contact {
        id: 1,
        record: 1,
        agency: "hw-town".into(),
        at: 1_796_052_600, // 2026-11-30 15:30 UTC
        method: "電話".into(),
        direction: "received".into(),
        summary: "見学の日程".into(),
        who: "sato".into(),
    };
    let row = contact_row(&c, "ハローワーク高槻", chrono_tz::Asia::Tokyo);
    assert_eq!(row.day, "12/1 00:30");
    assert_eq!(row.direction, "受けた");
    assert_eq!(row.agency, "ハローワーク高槻");
}

fn meeting() -> Meeting {
    Meeting {
        id: 2,
        record: 1,
        date: "2026-11-25".into(),
        participants: String::new(),
        agenda: String::new(),
        decision: "体験利用".into(),
        goal: "毎朝8時に起きる".into(),
        goal_date: "2027-01-31".into(),
        review: "2026-12-01".into(),
        by: "sato".into(),
    }
}

#[test]
fn a_meeting_and_its_review() {
    let m = meeting();
    let row = meeting_row(&m);
    assert_eq!(row.day, ja_date("2026-11-25"));
    assert_eq!(
        row.goal,
        format!("毎朝8時に起きる（{}まで）", ja_date("2027-01-31"))
    );
    assert_eq!(
        row.review,
        format!("次回の見直し {}", ja_date("2026-12-01"))
    );
    let r = review_row(&m, day("2026-12-03"));
    assert_eq!(
        (r.state.as_str(), r.overdue, r.open),
        ("2日 遅れ", true, false)
    );
    assert_eq!(r.note, "短期目標: 毎朝8時に起きる");
}

#[test]
fn follow_ups_say_when_they_are_due_or_done() {
    let mut f = FollowUp {
        id: 3,
        record: 1,
        kind: Kind::Retention,
        phase: "2週間".into(),
        from: "2026-12-04".into(),
        to: String::new(),
        note: String::new(),
        done: String::new(),
        by: "sato".into(),
    };
    let row = followup_row(&f, day("2026-12-02"));
    assert_eq!(row.state, "あと2日");
    assert!(row.open && !row.overdue);
    assert_eq!(row.title, f.label());
    assert_eq!(row.dates, ja_date("2026-12-04"));
    f.done = "2026-12-04".into();
    let row = followup_row(&f, day("2026-12-09"));
    assert_eq!(row.state, "済み 2026-12-04");
    assert!(!row.open && !row.overdue);
    f.kind = Kind::Employment;
    f.done.clear();
    f.to = "2026-12-31".into();
    let row = followup_row(&f, day("2026-12-09"));
    assert!(row.state.is_empty() && !row.open);
    assert!(row.dates.contains(" 〜 "));
}

#[test]
fn the_pyramid_keeps_own_words_beside_the_latest_only() {
    let a = Assessment {
        id: 1,
        record: 1,
        date: "2026-12-01".into(),
        ratings: vec![3, 2],
        notes: vec!["服薬は安定".into()],
        by: "sato".into(),
    };
    let answers = [AnswerLine {
        question: "health".into(),
        option: "sometimes".into(),
        question_text: "体調は".into(),
        answer_text: "ときどき崩れる".into(),
    }];
    let own = [(0, "health"), (1, "rhythm")];
    let rows = levels(&a, Some((&answers, &own)));
    assert_eq!(rows.len(), LEVELS.len());
    assert_eq!(rows[0].own_words, "体調は → ときどき崩れる");
    assert_eq!((rows[0].rating, rows[0].note.as_str()), (3, "服薬は安定"));
    assert_eq!((rows[4].rating, rows[4].note.as_str()), (0, ""));
    assert!(rows[1].own_words.is_empty());
    assert!(levels(&a, None)[0].own_words.is_empty());
    assert_eq!(
        assessment_caption("前回", &a),
        format!("前回 {}（sato）", ja_date("2026-12-01"))
    );
}

#[test]
fn the_due_list_names_the_person_and_counts_the_late() {
    assert_eq!(
        due_person("鈴木 一郎", "1125-023", "佐藤"),
        "鈴木 一郎 ・ 受付 1125-023 ・ 担当 佐藤"
    );
    assert_eq!(
        due_person("", "1125-023", ""),
        "（氏名未入力） ・ 受付 1125-023"
    );
    let d = Due {
        item: DueRow {
            record: 7,
            kind: "review".into(),
            meeting: Some(1),
            followup: None,
            day: "2026-11-30".into(),
            what: "個別支援会議の見直し".into(),
            goal: "毎朝8時".into(),
            by: "sato".into(),
            assigned: String::new(),
        },
        in_days: -1,
    };
    let line = due_line(&d, "x".into());
    assert_eq!(line.day, "11/30(月)");
    assert_eq!(line.when, "1日 遅れ");
    assert_eq!(line.goal, "短期目標: 毎朝8時");
    assert!(line.overdue);
    assert_eq!(
        due_caption(true, 3, 1),
        "今日と今週の予定（自分の担当・3件、うち遅れ 1件）"
    );
    assert_eq!(
        due_caption(false, 0, 0),
        "今日と今週の予定（チーム全体・0件）"
    );
}
