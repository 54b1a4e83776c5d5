//! The desk store suite, run on `desk.sqlite` (real files) and on a real PostgreSQL server
//! (tests/pg_support): one record per slip even under concurrent scans, audited edits, a save
//! on a stale version refused with what the other person changed, search, retention. File
//! modes and damaged files are SQLite's own.

mod pg_support;

use hatarakitai::desk::intake::{ScannedVisit, StaffFields, Stage};
use hatarakitai::desk::store::postgres::PgTarget;
use hatarakitai::desk::store::{DeskStore, Saved, Search};

/// Opens another connection to the same store (one per desk or thread).
type Open = dyn Fn() -> DeskStore + Sync;

/// Each shared test, once on SQLite and once on PostgreSQL.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("desk.sqlite");
                super::$name(&move || hatarakitai::desk::store::DeskStore::open(&path).unwrap());
            }
            #[test]
            fn postgres() {
                let Some(pg) = super::pg_support::server() else { return };
                let target = super::PgTarget::new(&pg.new_database(stringify!($name)), None).unwrap();
                super::$name(&move || hatarakitai::desk::store::DeskStore::connect(&target).unwrap());
            }
        }
    )*};
}

on_both!(
    one_record_per_slip,
    edits_are_saved_and_audited_field_by_field,
    search_by_date_name_stage_and_staff,
    retention_deletes_closed_records_and_audits_without_personal_data,
    a_save_on_a_stale_version_is_refused_and_nothing_is_lost,
    eight_desks_scanning_the_same_slips_at_once_make_one_record_each,
    published_kiosk_figures_read_back_whole_days_replaced,
    agencies_and_a_case_network_with_consent,
    meetings_and_pyramid_assessments_keep_their_history,
    follow_ups_and_what_is_due_across_month_and_year_ends,
    council_counts_by_the_centres_local_month,
    retention_deletes_a_records_whole_network,
    retention_by_inactivity_once_a_day_under_a_lock,
);

fn visit(serial: u32, issued_at: i64) -> ScannedVisit {
    ScannedVisit {
        kiosk_id: 1,
        serial,
        issued_at,
        lang: "ja".into(),
        questionnaire_version: 1,
        answers: vec![
            ("goal".into(), "work_now".into()),
            ("days".into(), "d5".into()),
        ],
        routes: vec!["hellowork_open".into(), "keizoku_a".into()],
        receipt_no: format!("1125-{serial:03}"),
    }
}

const T0: i64 = 1_795_000_000;

/// The centre's local day the network tests act on.
fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
}

#[test]
fn a_slip_opens_one_record_however_often_it_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite");
    let mut s = DeskStore::open(&path).unwrap();
    let (a, created) = s.open_or_create(&visit(7, T0), "sato", T0 + 60).unwrap();
    assert!(created);
    assert_eq!(a.visit, visit(7, T0));
    let (b, created) = s.open_or_create(&visit(7, T0), "sato", T0 + 120).unwrap();
    assert!(!created);
    assert_eq!(a.id, b.id);
    drop(s);
    let mut s = DeskStore::open(&path).unwrap();
    let (c, created) = s.open_or_create(&visit(7, T0), "sato", T0 + 180).unwrap();
    assert!(!created && c.id == a.id);
    assert_eq!(s.count().unwrap(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

fn one_record_per_slip(open: &Open) {
    let mut s = open();
    let (a, created) = s.open_or_create(&visit(7, T0), "sato", T0 + 60).unwrap();
    assert!(created);
    assert_eq!(a.visit, visit(7, T0));
    let mut t = open();
    let (b, created) = t.open_or_create(&visit(7, T0), "sato", T0 + 120).unwrap();
    assert!(
        !created && a.id == b.id,
        "a second desk opens the same record"
    );
    assert_eq!(s.count().unwrap(), 1);
    assert!(s.has_visit(1, 7).unwrap() && !s.has_visit(1, 8).unwrap());
}

fn edits_are_saved_and_audited_field_by_field(open: &Open) {
    let mut s = open();
    let (rec, _) = s.open_or_create(&visit(1, T0), "sato", T0).unwrap();
    let mut f = StaffFields {
        name: "山田 太郎".into(),
        furigana: "やまだ たろう".into(),
        ..Default::default()
    };
    assert_eq!(s.save(rec.id, &f, "佐藤", T0 + 10).unwrap(), 2);
    assert_eq!(
        s.save(rec.id, &f, "佐藤", T0 + 11).unwrap(),
        0,
        "no change, no audit"
    );
    f.stage = Some(Stage::Assessment);
    f.name = "山田 太朗".into();
    assert_eq!(s.save(rec.id, &f, "鈴木", T0 + 20).unwrap(), 2);
    let got = s.get(rec.id).unwrap().unwrap();
    assert_eq!(got.staff, f);
    assert_eq!(got.updated_at, T0 + 20);
    let audit = s.audit(rec.id).unwrap();
    let lines: Vec<_> = audit
        .iter()
        .map(|a| format!("{} {} {} {}→{}", a.at - T0, a.who, a.field, a.old, a.new))
        .collect();
    assert_eq!(
        lines,
        [
            "0 sato created →scan",
            "10 佐藤 name →山田 太郎",
            "10 佐藤 furigana →やまだ たろう",
            "20 鈴木 name 山田 太郎→山田 太朗",
            "20 鈴木 stage インテーク→アセスメント",
        ]
    );
}

fn search_by_date_name_stage_and_staff(open: &Open) {
    let mut s = open();
    for (i, (name, stage, staff)) in [
        ("山田", Stage::Intake, "佐藤"),
        ("田中", Stage::Planning, "鈴木"),
        ("やまもと", Stage::Planning, "佐藤"),
    ]
    .iter()
    .enumerate()
    {
        let (r, _) = s
            .open_or_create(&visit(i as u32 + 1, T0 + i as i64 * 86_400), "sato", T0)
            .unwrap();
        let f = StaffFields {
            name: name.to_string(),
            furigana: format!("{name}ふりがな"),
            assigned_staff: staff.to_string(),
            stage: Some(*stage),
            ..Default::default()
        };
        s.save(r.id, &f, "x", T0).unwrap();
    }
    let all = s.search(&Search::default()).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].name, "やまもと", "newest first");
    assert_eq!(
        s.search(&Search {
            text: "山".into(),
            ..Default::default()
        })
        .unwrap()
        .len(),
        1
    );
    assert_eq!(
        s.search(&Search {
            text: "やま".into(),
            ..Default::default()
        })
        .unwrap()
        .len(),
        1
    );
    assert_eq!(
        s.search(&Search {
            stage: Some(Stage::Planning),
            ..Default::default()
        })
        .unwrap()
        .len(),
        2
    );
    assert_eq!(
        s.search(&Search {
            assigned_staff: "佐藤".into(),
            ..Default::default()
        })
        .unwrap()
        .len(),
        2
    );
    assert_eq!(
        s.search(&Search {
            from: Some(T0 + 86_400),
            to: Some(T0 + 2 * 86_400),
            ..Default::default()
        })
        .unwrap()
        .len(),
        1
    );
    assert_eq!(
        s.search(&Search {
            text: "%".into(),
            ..Default::default()
        })
        .unwrap()
        .len(),
        0,
        "LIKE wildcards are literal"
    );
}

fn retention_deletes_closed_records_and_audits_without_personal_data(open: &Open) {
    let mut s = open();
    let (closed, _) = s.open_or_create(&visit(1, T0), "sato", T0).unwrap();
    let (open, _) = s.open_or_create(&visit(2, T0), "sato", T0).unwrap();
    let f = StaffFields {
        name: "秘密 花子".into(),
        stage: Some(Stage::Termination),
        ..Default::default()
    };
    s.save(closed.id, &f, "x", T0).unwrap();
    s.save(
        open.id,
        &StaffFields {
            name: "継続 次郎".into(),
            ..Default::default()
        },
        "x",
        T0,
    )
    .unwrap();
    assert_eq!(s.apply_retention(T0 + 10 * 86_400, 30).unwrap(), 0);
    assert_eq!(s.apply_retention(T0 + 31 * 86_400, 30).unwrap(), 1);
    assert!(s.get(closed.id).unwrap().is_none());
    assert!(s.get(open.id).unwrap().is_some());
    let audit = s.audit(closed.id).unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].field, "deleted");
    assert!(!format!("{audit:?}").contains("秘密"));
}

#[test]
fn a_damaged_file_gives_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite");
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    let e = DeskStore::open(&path).err().expect("must fail").to_string();
    assert!(
        e.contains("desk.sqlite")
            && (e.contains("not a readable SQLite file") || e.contains("damaged")),
        "{e}"
    );
}

fn a_save_on_a_stale_version_is_refused_and_nothing_is_lost(open: &Open) {
    let mut a = open();
    let mut b = open();
    let (rec, _) = a.open_or_create(&visit(3, T0), "kiosk-desk", T0).unwrap();
    // Both desks open version 0.
    let base = b.get(rec.id).unwrap().unwrap().version;
    assert_eq!(base, rec.version);
    let theirs = StaffFields {
        name: "田中 一郎".into(),
        ..Default::default()
    };
    let Saved::Changed { fields: 1, version } = a
        .save_version(rec.id, rec.version, &theirs, "tanaka", T0 + 5)
        .unwrap()
    else {
        panic!("first save")
    };
    assert_eq!(version, rec.version + 1);
    let mine = StaffFields {
        name: "田中 一朗".into(),
        notes: "電話で相談".into(),
        stage: Some(Stage::Intake),
        ..Default::default()
    };
    match b.save_version(rec.id, base, &mine, "sato", T0 + 6).unwrap() {
        Saved::Conflict { current, theirs } => {
            assert_eq!(current.staff.name, "田中 一郎");
            assert_eq!(current.version, version);
            assert_eq!(theirs.len(), 1, "{theirs:?}");
            assert_eq!(
                (theirs[0].who.as_str(), theirs[0].field.as_str()),
                ("tanaka", "name")
            );
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Nothing of the refused save was written.
    let now = a.get(rec.id).unwrap().unwrap();
    assert_eq!(now.staff.notes, "");
    assert!(!a.audit(rec.id).unwrap().iter().any(|e| e.who == "sato"));
    // Re-applied on the new version, it goes through.
    let Saved::Changed { fields: 2, .. } = b
        .save_version(rec.id, version, &mine, "sato", T0 + 7)
        .unwrap()
    else {
        panic!("second save")
    };
    assert_eq!(a.get(rec.id).unwrap().unwrap().staff, mine);
}

fn eight_desks_scanning_the_same_slips_at_once_make_one_record_each(open: &Open) {
    let created = std::sync::atomic::AtomicUsize::new(0);
    let barrier = std::sync::Barrier::new(8);
    // Eight desks, each with its own connection, all scanning at the same moment.
    let desks: Vec<DeskStore> = (0..8).map(|_| open()).collect();
    std::thread::scope(|sc| {
        for (d, mut s) in (0u32..).zip(desks) {
            let (created, barrier) = (&created, &barrier);
            sc.spawn(move || {
                barrier.wait();
                // Each desk scans all 200 slips, in its own order.
                for i in 0..200u32 {
                    let serial = (i * 37 + d * 11) % 200 + 1;
                    let (_, c) = s.open_or_create(&visit(serial, T0), "sato", T0).unwrap();
                    if c {
                        created.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                }
            });
        }
    });
    let s = open();
    assert_eq!(s.count().unwrap(), 200);
    assert_eq!(created.load(std::sync::atomic::Ordering::SeqCst), 200);
}

/// Kiosks' published aggregates (TEAM.md §3): read back as the same buckets; publishing a
/// day again replaces it (a count that grew, a route no longer there), never adds to it;
/// kiosks and days are kept apart.
fn published_kiosk_figures_read_back_whole_days_replaced(open: &Open) {
    use chrono::NaiveDate;
    use hatarakitai::stats::Bucket;
    use hatarakitai::stats::Figures;
    let s = open();
    let d1 = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let d2 = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let bucket = |date, hour, started: u64, route: &str| {
        let mut f = Figures {
            started,
            completed: started / 2,
            ..Figures::default()
        };
        f.routes.insert(route.to_string(), started);
        f.abandoned_at.insert(None, 1);
        f.abandoned_at.insert(Some(3), 2);
        f.languages.insert("ja-easy".into(), started);
        Bucket {
            date,
            hour,
            figures: f,
        }
    };
    let day1 = vec![bucket(d1, 9, 4, "ikou"), bucket(d1, 14, 2, "keizoku_a")];
    let rows = s.publish_day(1, d1, &day1, T0).unwrap();
    assert!(rows > 0);
    s.publish_day(2, d1, &[bucket(d1, 9, 7, "ikou")], T0)
        .unwrap();
    s.publish_day(1, d2, &[bucket(d2, 10, 1, "ikou")], T0)
        .unwrap();
    let got: Vec<Bucket> = s
        .kiosk_buckets(Some(1), d1, d1)
        .unwrap()
        .into_iter()
        .map(|(k, b)| {
            assert_eq!(k, 1);
            b
        })
        .collect();
    assert_eq!(got, day1);
    // The same day again, later in the day: replaced, not added.
    let later = vec![bucket(d1, 9, 5, "hellowork_open")];
    s.publish_day(1, d1, &later, T0 + 60).unwrap();
    s.publish_day(1, d1, &later, T0 + 120).unwrap();
    let got: Vec<Bucket> = s
        .kiosk_buckets(Some(1), d1, d1)
        .unwrap()
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    assert_eq!(got, later);
    // Every kiosk, both days.
    let all = s.kiosk_buckets(None, d1, d2).unwrap();
    let keys: Vec<(u16, NaiveDate, u8)> = all.iter().map(|(k, b)| (*k, b.date, b.hour)).collect();
    assert_eq!(keys, vec![(1, d1, 9), (1, d2, 10), (2, d1, 9)]);
    assert!(s.kiosk_buckets(Some(3), d1, d2).unwrap().is_empty());
}

/// Desks (or a desk and `intake` commands) starting at the same moment on a new desk.sqlite:
/// each schema step is applied once, under the write lock, and every opener succeeds.
#[test]
fn many_openers_of_a_new_sqlite_file_at_once_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite");
    let barrier = std::sync::Barrier::new(8);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    DeskStore::open(&path)
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), Ok(()));
        }
    });
}

/// NETWORK.md §1–2 on both stores: the directory is added, left alone when nothing changed,
/// and audited field by field when it did; a case's links and contacts; nothing is logged as
/// sent to an agency without the person's consent.
fn agencies_and_a_case_network_with_consent(open: &Open) {
    use hatarakitai::desk::store::AgencyChange;
    use hatarakitai::network::agency::Agency;
    use hatarakitai::network::case::{Contact, Direction, Link};
    let mut s = open();
    let mut hw = Agency {
        id: "hw-town".into(),
        name: "ハローワーク".into(),
        kind: "ハローワーク".into(),
        routes: vec!["hellowork_open".into()],
        contact_method: "電話".into(),
        ..Agency::default()
    };
    assert_eq!(
        s.agency_upsert(&hw, "sato", T0).unwrap(),
        AgencyChange::Added
    );
    assert_eq!(
        s.agency_upsert(&hw, "sato", T0 + 1).unwrap(),
        AgencyChange::Unchanged
    );
    hw.limits = "主治医の意見書が要る".into();
    hw.contact_method = "FAX".into();
    assert_eq!(
        s.agency_upsert(&hw, "tanaka", T0 + 2).unwrap(),
        AgencyChange::Updated { fields: 2 }
    );
    assert_eq!(s.agency("hw-town").unwrap(), Some(hw.clone()));
    assert_eq!(s.agency("nope").unwrap(), None);
    assert_eq!(s.agencies().unwrap(), vec![hw]);

    let record = s.open_or_create(&visit(3, T0), "sato", T0).unwrap().0.id;
    let link = |consent: &str| Link {
        id: 0,
        record,
        agency: "hw-town".into(),
        role: "就労".into(),
        person: String::new(),
        from: "2026-12-01".into(),
        to: String::new(),
        consent_date: consent.into(),
        consent_scope: if consent.is_empty() {
            String::new()
        } else {
            "就労に関する情報".into()
        },
        consent_by: if consent.is_empty() {
            String::new()
        } else {
            "sato".into()
        },
        consent_withdrawn: String::new(),
    };
    let first = s.link(&link(""), "sato", T0 + 10).unwrap();
    let contact = |summary: &str, direction: &str| Contact {
        id: 0,
        record,
        agency: "hw-town".into(),
        at: T0 + 20,
        method: "電話".into(),
        direction: direction.into(),
        summary: summary.into(),
        who: "sato".into(),
    };
    match s.log_contact(&contact("求人票を送った", "sent"), Direction::Sent, today()) {
        Err(Ok(m)) => assert!(m.contains("同意なし"), "{m}"),
        other => panic!("sent without consent must be refused: {other:?}"),
    }
    assert!(s.contacts(record).unwrap().is_empty(), "nothing written");
    s.log_contact(
        &contact("求人の連絡があった", "received"),
        Direction::Received,
        today(),
    )
    .unwrap();
    let second = s.link(&link("2026-12-01"), "sato", T0 + 30).unwrap();
    assert!(second > first);
    s.log_contact(
        &contact("支援方針の意見交換", "sent"),
        Direction::Sent,
        today(),
    )
    .unwrap();
    let links = s.links(record).unwrap();
    assert_eq!(links.len(), 2);
    assert!(!links[0].has_consent() && links[1].has_consent());
    let log: Vec<(String, String)> = s
        .contacts(record)
        .unwrap()
        .into_iter()
        .map(|c| (c.direction, c.summary))
        .collect();
    assert_eq!(
        log,
        vec![
            ("received".to_string(), "求人の連絡があった".to_string()),
            ("sent".to_string(), "支援方針の意見交換".to_string()),
        ]
    );
}

/// 個別支援会議 and 職業準備性ピラミッド assessments on both stores: history in order, one
/// record's or every meeting, ratings and notes as entered.
fn meetings_and_pyramid_assessments_keep_their_history(open: &Open) {
    use hatarakitai::network::meeting::{Assessment, Meeting};
    let mut s = open();
    let a = s.open_or_create(&visit(4, T0), "sato", T0).unwrap().0.id;
    let b = s.open_or_create(&visit(5, T0), "sato", T0).unwrap().0.id;
    let meeting = |record, date: &str, review: &str| Meeting {
        id: 0,
        record,
        date: date.into(),
        participants: "本人、母、就労移行支援".into(),
        agenda: "見学の結果".into(),
        decision: "週3日から通所".into(),
        goal: "朝9時に起きる".into(),
        goal_date: "2027-01-31".into(),
        review: review.into(),
        by: "sato".into(),
    };
    let m1 = s
        .add_meeting(&meeting(a, "2026-11-02", "2026-12-01"), T0)
        .unwrap();
    let m2 = s
        .add_meeting(&meeting(a, "2026-12-01", "2027-01-05"), T0)
        .unwrap();
    let m3 = s
        .add_meeting(&meeting(b, "2026-11-20", "2026-12-20"), T0)
        .unwrap();
    let ids: Vec<i64> = s.meetings(Some(a)).unwrap().iter().map(|m| m.id).collect();
    assert_eq!(ids, vec![m1, m2]);
    let all: Vec<i64> = s.meetings(None).unwrap().iter().map(|m| m.id).collect();
    assert_eq!(all, vec![m1, m3, m2], "by date");
    assert_eq!(
        s.meetings(Some(b)).unwrap()[0],
        Meeting {
            id: m3,
            ..meeting(b, "2026-11-20", "2026-12-20")
        }
    );
    let assess = |date: &str, ratings: Vec<u8>| Assessment {
        id: 0,
        record: a,
        date: date.into(),
        ratings,
        notes: vec![
            "服薬は安定".into(),
            "朝が弱い".into(),
            String::new(),
            String::new(),
            "事務に関心".into(),
        ],
        by: "sato".into(),
    };
    let x = s
        .add_assessment(&assess("2026-11-02", vec![2, 1, 2, 1, 1]), T0)
        .unwrap();
    let y = s
        .add_assessment(&assess("2026-12-01", vec![3, 2, 2, 1, 1]), T0)
        .unwrap();
    let got = s.assessments(a).unwrap();
    assert_eq!(
        got,
        vec![
            Assessment {
                id: x,
                ..assess("2026-11-02", vec![2, 1, 2, 1, 1])
            },
            Assessment {
                id: y,
                ..assess("2026-12-01", vec![3, 2, 2, 1, 1])
            },
        ]
    );
    assert!(s.assessments(b).unwrap().is_empty());
}

fn day(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn meeting_on(record: i64, date: &str, review: &str) -> hatarakitai::network::meeting::Meeting {
    hatarakitai::network::meeting::Meeting {
        id: 0,
        record,
        date: date.into(),
        participants: "本人、母".into(),
        agenda: String::new(),
        decision: "週3日から通所".into(),
        goal: format!("goal of {date}"),
        goal_date: review.into(),
        review: review.into(),
        by: "sato".into(),
    }
}

fn follow_up(
    record: i64,
    kind: hatarakitai::network::followup::Kind,
    phase: &str,
    from: &str,
    to: &str,
) -> hatarakitai::network::followup::FollowUp {
    hatarakitai::network::followup::FollowUp {
        id: 0,
        record,
        kind,
        phase: phase.into(),
        from: from.into(),
        to: to.into(),
        note: String::new(),
        done: String::new(),
        by: "kato".into(),
    }
}

/// Follow-ups (employment, 定着支援, job coach phases) and the due list on both stores: a later
/// meeting replaces the earlier review; employment is never due; done items and ended cases
/// leave the list; the window crosses a month end and a year end by local days.
fn follow_ups_and_what_is_due_across_month_and_year_ends(open: &Open) {
    use hatarakitai::network::followup::{Kind, retention_plan};
    let mut s = open();
    let a = s.open_or_create(&visit(31, T0), "sato", T0).unwrap().0.id;
    let b = s.open_or_create(&visit(32, T0), "sato", T0).unwrap().0.id;
    let ended = s.open_or_create(&visit(33, T0), "sato", T0).unwrap().0.id;
    let mut staff = StaffFields {
        assigned_staff: "佐藤 花子".into(),
        ..StaffFields::default()
    };
    s.save(a, &staff, "sato", T0).unwrap();
    staff.stage = Some(Stage::Termination);
    s.save(ended, &staff, "sato", T0).unwrap();

    s.add_meeting(&meeting_on(a, "2026-11-01", "2026-12-01"), T0)
        .unwrap();
    let m2 = s
        .add_meeting(&meeting_on(a, "2026-12-01", "2027-01-04"), T0)
        .unwrap();
    s.add_meeting(&meeting_on(ended, "2026-12-01", "2026-12-29"), T0)
        .unwrap();
    let m = s.meeting(m2).unwrap().unwrap();
    assert_eq!((m.record, m.review.as_str()), (a, "2027-01-04"));
    assert!(s.meeting(m2 + 1000).unwrap().is_none());

    let emp = s
        .add_followup(
            &follow_up(b, Kind::Employment, "株式会社サンプル", "2026-12-20", ""),
            T0,
        )
        .unwrap();
    let mut planned = Vec::new();
    for (label, d) in retention_plan(day("2026-12-20")) {
        planned.push(
            s.add_followup(
                &follow_up(b, Kind::Retention, &label, &d.to_string(), ""),
                T0,
            )
            .unwrap(),
        );
    }
    let jc = s
        .add_followup(
            &follow_up(b, Kind::Jobcoach, "集中支援期", "2026-12-01", "2026-12-27"),
            T0,
        )
        .unwrap();
    s.add_followup(
        &follow_up(ended, Kind::Retention, "1か月", "2026-12-28", ""),
        T0,
    )
    .unwrap();
    let got = s.followups(b).unwrap();
    assert_eq!(got.len(), 6);
    assert_eq!(got[0].kind, Kind::Jobcoach, "by start day");
    assert_eq!(
        got.iter().find(|f| f.id == emp).unwrap().phase,
        "株式会社サンプル"
    );

    // Today 2026-12-28 (local), a week ahead = 2027-01-04, the last day included.
    let due = s.due(day("2026-12-28"), 7).unwrap();
    let seen: Vec<(i64, String, String, i64)> = due
        .iter()
        .map(|d| {
            (
                d.item.record,
                d.item.kind.clone(),
                d.item.day.clone(),
                d.in_days,
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (b, "jobcoach".into(), "2026-12-27".into(), -1),
            (b, "retention".into(), "2027-01-03".into(), 6),
            (a, "review".into(), "2027-01-04".into(), 7),
        ],
        "{due:?}"
    );
    assert_eq!(due[0].item.what, "ジョブコーチ 集中支援期の終わり");
    assert_eq!(due[1].item.what, "定着支援（2週間）");
    assert_eq!(due[2].item.meeting, Some(m2));
    assert_eq!(due[2].item.goal, "goal of 2026-12-01");
    assert_eq!(due[2].item.assigned, "佐藤 花子");
    // One day less: the review on 01-04 is outside.
    assert!(
        s.due(day("2026-12-28"), 6)
            .unwrap()
            .iter()
            .all(|d| d.item.record != a)
    );

    // Done once; then it leaves the list, and a second "done" writes nothing.
    assert_eq!(s.followup_done(jc, "2026-12-28", "sato").unwrap(), Some(b));
    assert_eq!(s.followup_done(jc, "2026-12-29", "sato").unwrap(), None);
    let f = s
        .followups(b)
        .unwrap()
        .into_iter()
        .find(|f| f.id == jc)
        .unwrap();
    assert_eq!(f.done, "2026-12-28");
    let due = s.due(day("2026-12-28"), 7).unwrap();
    assert!(due.iter().all(|d| d.item.followup != Some(jc)));
    // The month after: 1 か月 = 2027-01-20 comes due; the 2週間 one is overdue.
    let due = s.due(day("2027-01-18"), 3).unwrap();
    let b_items: Vec<&str> = due
        .iter()
        .filter(|d| d.item.record == b)
        .map(|d| d.item.day.as_str())
        .collect();
    assert_eq!(b_items, vec!["2027-01-03", "2027-01-20"]);
    assert!(
        due.iter().all(|d| d.item.record != ended),
        "ended cases are never due"
    );
}

/// Council counts on both stores, by the centre's local month (Asia/Tokyo): a record opened
/// at 23:30 on 30 November (14:30 UTC) is November's; employment and endings are counted;
/// small cells show as <3 and totals come from the true counts.
fn council_counts_by_the_centres_local_month(open: &Open) {
    use hatarakitai::network::council::report;
    use hatarakitai::network::followup::Kind;
    let content = hatarakitai::content::Content::embedded().unwrap();
    let mut s = open();
    // 2026-11-30 23:30 JST and 2026-12-01 00:30 JST.
    let late_nov = 1_796_049_000;
    let early_dec = late_nov + 3600;
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(
            s.open_or_create(&visit(40 + i, late_nov), "sato", late_nov)
                .unwrap()
                .0
                .id,
        );
    }
    let dec = s
        .open_or_create(&visit(50, early_dec), "sato", early_dec)
        .unwrap()
        .0
        .id;
    let routes = |i: usize| s.get(ids[i]).unwrap().unwrap().visit.routes.len();
    assert_eq!(routes(0), 2);
    let hw = hatarakitai::network::agency::parse(
        "test",
        "[[agency]]\nid = \"hw\"\nname = \"ハローワーク\"\nkind = \"ハローワーク\"\n",
        &[],
    )
    .unwrap();
    s.agency_upsert(&hw[0], "admin", late_nov).unwrap();
    for id in &ids[..3] {
        let l = hatarakitai::network::case::Link {
            id: 0,
            record: *id,
            agency: "hw".into(),
            role: "就労".into(),
            person: String::new(),
            from: "2026-11-30".into(),
            to: String::new(),
            consent_date: String::new(),
            consent_scope: String::new(),
            consent_by: String::new(),
            consent_withdrawn: String::new(),
        };
        s.link(&l, "sato", late_nov).unwrap();
    }
    for id in &ids[..3] {
        s.add_meeting(&meeting_on(*id, "2026-11-30", "2026-12-30"), late_nov)
            .unwrap();
    }
    s.add_meeting(&meeting_on(dec, "2026-12-01", "2026-12-30"), early_dec)
        .unwrap();
    for id in &ids {
        s.add_followup(
            &follow_up(*id, Kind::Employment, "", "2026-12-10", ""),
            early_dec,
        )
        .unwrap();
    }
    // One case ends in December (local time).
    let end = StaffFields {
        stage: Some(Stage::Termination),
        ..StaffFields::default()
    };
    s.save(ids[3], &end, "sato", early_dec + 86_400).unwrap();
    // And one moves on to アセスメント in December: November's end still saw it at インテーク.
    let assess = StaffFields {
        stage: Some(Stage::Assessment),
        ..StaffFields::default()
    };
    s.save(ids[0], &assess, "sato", early_dec + 2 * 86_400)
        .unwrap();

    let (months, c) = s
        .council_counts(
            chrono_tz::Asia::Tokyo,
            &content,
            day("2026-11-01"),
            day("2026-12-31"),
        )
        .unwrap();
    assert_eq!(months, vec![day("2026-11-01"), day("2026-12-01")]);
    assert_eq!(c.new, vec![4, 1], "late on 11-30 JST is November");
    assert_eq!(c.ended, vec![0, 1]);
    assert_eq!(c.meetings, vec![3, 1]);
    assert_eq!(c.employed, vec![0, 4]);
    assert_eq!(c.links["ハローワーク"], vec![3, 0]);
    // Open at month end, by the stage each had then: November's end saw 4 at インテーク (one
    // has ended since, one moved on); December's end 3 at インテーク and 1 at アセスメント.
    assert_eq!(c.open_by_stage["インテーク"], vec![4, 3]);
    assert_eq!(c.open_by_stage["アセスメント"], vec![0, 1]);
    let hw_name = content
        .catalogue
        .routes
        .iter()
        .find(|r| r.id == "hellowork_open")
        .unwrap();
    assert_eq!(
        c.routes[&hw_name.name.plain(hatarakitai::lang::Lang::Ja)],
        vec![4, 1]
    );
    let r = report(&c, months, &["インテーク"], &[], &["ハローワーク"]);
    let csv = r.csv();
    assert!(csv.contains("新規インテーク,件数,x,<3,5\r\n"), "{csv}");
    assert!(csv.contains("就職,件数,<3,x,4\r\n"), "{csv}");
    assert!(csv.contains("終結,件数,<3,<3,<3\r\n"), "{csv}");
    assert!(
        csv.contains("連携した機関（種類別）,ハローワーク,x,<3,x\r\n"),
        "{csv}"
    );
}

/// Retention deletes a closed record with everything about the person: links, contacts,
/// meetings, assessments and follow-ups go with it.
fn retention_deletes_a_records_whole_network(open: &Open) {
    use hatarakitai::network::followup::Kind;
    let mut s = open();
    let gone = s.open_or_create(&visit(60, T0), "sato", T0).unwrap().0.id;
    let kept = s.open_or_create(&visit(61, T0), "sato", T0).unwrap().0.id;
    for id in [gone, kept] {
        let l = hatarakitai::network::case::Link {
            id: 0,
            record: id,
            agency: "hw".into(),
            role: "就労".into(),
            person: String::new(),
            from: String::new(),
            to: String::new(),
            consent_date: "2026-11-01".into(),
            consent_scope: "就労".into(),
            consent_by: "sato".into(),
            consent_withdrawn: String::new(),
        };
        s.link(&l, "sato", T0).unwrap();
        let c = hatarakitai::network::case::Contact {
            id: 0,
            record: id,
            agency: "hw".into(),
            at: T0,
            method: "電話".into(),
            direction: "sent".into(),
            summary: "求人票".into(),
            who: "sato".into(),
        };
        s.log_contact(&c, hatarakitai::network::case::Direction::Sent, today())
            .unwrap();
        s.add_meeting(&meeting_on(id, "2026-11-01", "2026-12-01"), T0)
            .unwrap();
        s.add_assessment(
            &hatarakitai::network::meeting::Assessment {
                id: 0,
                record: id,
                date: "2026-11-01".into(),
                ratings: vec![1, 2, 3, 4, 1],
                notes: vec![String::new(); 5],
                by: "sato".into(),
            },
            T0,
        )
        .unwrap();
        s.add_followup(
            &follow_up(id, Kind::Retention, "1か月", "2026-12-01", ""),
            T0,
        )
        .unwrap();
    }
    let end = StaffFields {
        stage: Some(Stage::Termination),
        ..StaffFields::default()
    };
    s.save(gone, &end, "sato", T0).unwrap();
    assert_eq!(s.apply_retention(T0 + 31 * 86_400, 30).unwrap(), 1);
    assert!(s.get(gone).unwrap().is_none());
    assert!(s.links(gone).unwrap().is_empty());
    assert!(s.contacts(gone).unwrap().is_empty());
    assert!(s.meetings(Some(gone)).unwrap().is_empty());
    assert!(s.assessments(gone).unwrap().is_empty());
    assert!(s.followups(gone).unwrap().is_empty());
    assert_eq!(s.links(kept).unwrap().len(), 1);
    assert_eq!(s.contacts(kept).unwrap().len(), 1);
    assert_eq!(s.meetings(Some(kept)).unwrap().len(), 1);
    assert_eq!(s.assessments(kept).unwrap().len(), 1);
    assert_eq!(s.followups(kept).unwrap().len(), 1);
}

/// TRUST.md §5: a record without an end goes after `inactive_years` without activity (any
/// write to it or its network counts), with its consent history; a daily run happens once a
/// day however many desks start it at the same moment; a dry run changes nothing.
fn retention_by_inactivity_once_a_day_under_a_lock(open: &Open) {
    use hatarakitai::desk::retention::{Policy, Reason, Run, YEAR_SECONDS};
    let mut s = open();
    let idle = s.open_or_create(&visit(70, T0), "sato", T0).unwrap().0.id;
    let busy = s.open_or_create(&visit(71, T0), "sato", T0).unwrap().0.id;
    let l = hatarakitai::network::case::Link {
        id: 0,
        record: idle,
        agency: "hw".into(),
        role: "就労".into(),
        person: String::new(),
        from: String::new(),
        to: String::new(),
        consent_date: "2026-11-01".into(),
        consent_scope: "就労".into(),
        consent_by: "sato".into(),
        consent_withdrawn: String::new(),
    };
    let link = s.link(&l, "sato", T0).unwrap();
    s.change_consent(
        idle,
        link,
        None,
        "",
        Some("2026-11-10"),
        "",
        "sato",
        today(),
        T0,
    )
    .unwrap();
    // Activity on the other record years later: a meeting.
    let later = T0 + 4 * YEAR_SECONDS;
    s.add_meeting(&meeting_on(busy, "2030-11-01", "2030-12-01"), later)
        .unwrap();
    let p = Policy {
        closed_days: 30,
        inactive_years: 5,
    };
    let now = T0 + 5 * YEAR_SECONDS + 86_400;
    let dry = s.retention(now, p, Run::DryRun, "admin").unwrap();
    assert!(dry.ran && dry.dry_run);
    let ids: Vec<(i64, Reason)> = dry.removed.iter().map(|r| (r.record, r.reason)).collect();
    assert_eq!(ids, vec![(idle, Reason::Inactive)]);
    assert!(s.get(idle).unwrap().is_some(), "a dry run removes nothing");
    // Eight desks start their daily run at the same moment: one removes, the rest skip.
    let reports: Vec<_> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..8)
            .map(|_| {
                sc.spawn(|| {
                    let d = open();
                    d.retention(now, p, Run::Daily, "retention").unwrap()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let removed: usize = reports.iter().map(|r| r.removed.len()).sum();
    assert_eq!(removed, 1, "{reports:?}");
    assert_eq!(reports.iter().filter(|r| r.ran).count(), 1, "{reports:?}");
    assert!(s.get(idle).unwrap().is_none());
    assert!(s.consent_events(idle).unwrap().is_empty());
    assert!(s.get(busy).unwrap().is_some());
    // The same day again: not due.
    let again = s.retention(now + 3600, p, Run::Daily, "retention").unwrap();
    assert!(!again.ran);
    // The deletion is audited by who ran it, with no personal data.
    let audit = s.audit(idle).unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].who.as_str(), audit[0].new.as_str()),
        ("retention", "no activity for 5 years")
    );
}
