//! Connects the `NetAdapter` global (ui/net_adapter.slint) to `desk::network`: the open
//! record's 連携 / 会議 / 評価 / 予定, the due list on the desk's home and the agency editor.
//! Domain → UI structs, and each callback to one action; the only state is what the Slint
//! models hold (list positions map back to ids by reading the store in the same order).

use std::cell::RefCell;
use std::rc::Rc;

use chrono::NaiveDate;
use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};

use super::adapter::Clock;
use super::controller::DeskController;
use super::network::{self as actions, FollowupForm, LinkForm, MeetingForm, Outcome};
use crate::network::agency::{self, Agency, Person};
use crate::network::case::{Direction, ROLES};
use crate::network::followup::{Kind, PHASES};
use crate::network::meeting::LEVELS;
use crate::network::meeting_pdf::ja_date;
use crate::ui::{
    AgencyItem, AgencyPerson, DeskWindow, DueItem, NetAdapter, NetContact, NetFollowup, NetLink,
    NetMeeting, PyramidLevel,
};

fn model<T: Clone + 'static>(v: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(v))
}

fn strings<S: AsRef<str>>(v: &[S]) -> ModelRc<SharedString> {
    model(v.iter().map(|s| SharedString::from(s.as_ref())).collect())
}

fn today(ctrl: &DeskController, now: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp(now, 0).map_or(NaiveDate::MIN, |t| {
        t.with_timezone(&ctrl.timezone()).date_naive()
    })
}

const WEEKDAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];

/// `12/04(金)`.
fn short_day(day: &str) -> String {
    use chrono::Datelike;
    NaiveDate::parse_from_str(day, "%Y-%m-%d").map_or_else(
        |_| day.to_string(),
        |d| {
            format!(
                "{}({})",
                d.format("%-m/%-d"),
                WEEKDAYS[d.weekday().num_days_from_monday() as usize % 7]
            )
        },
    )
}

/// 「今日」「明日」「あと3日」「2日 遅れ」.
fn when(in_days: i64) -> String {
    match in_days {
        0 => "今日".into(),
        1 => "明日".into(),
        n if n < 0 => format!("{}日 遅れ", -n),
        n => format!("あと{n}日"),
    }
}

fn show(a: &NetAdapter<'_>, o: Outcome) {
    let (text, kind) = match o {
        Ok(m) => (m, 1),
        Err(m) => (m, 2),
    };
    a.set_message(text.into());
    a.set_message_kind(kind);
}

/// Empties every model that names a person (the record's network and forms, the due list):
/// on sign-out and lock, so nothing of the last record stays in the window's memory.
pub fn clear(w: &DeskWindow) {
    let a = w.global::<NetAdapter>();
    a.set_loaded_record(-1);
    a.set_message("".into());
    a.set_links(model(Vec::new()));
    a.set_contacts(model(Vec::new()));
    a.set_linked_choices(model(Vec::new()));
    a.set_linked_choice_ids(model(Vec::new()));
    a.set_consent_choices(model(Vec::new()));
    a.set_consent_choice_ids(model(Vec::new()));
    a.set_meetings(model(Vec::new()));
    a.set_latest(model(Vec::new()));
    a.set_previous(model(Vec::new()));
    a.set_followups(model(Vec::new()));
    a.set_due(model(Vec::new()));
    clear_forms(&a, NaiveDate::MIN);
}

/// Fills the open record's network, meetings, pyramid and follow-ups (and empties the forms
/// when another record was opened). Called by `adapter::refresh`.
pub fn load_record(w: &DeskWindow, ctrl: &DeskController, now: i64) {
    let a = w.global::<NetAdapter>();
    let Some(v) = ctrl.current.as_ref() else {
        a.set_loaded_record(-1);
        a.set_message("".into());
        return;
    };
    let record = v.id;
    let today = today(ctrl, now);
    if i64::from(a.get_loaded_record()) != record {
        a.set_loaded_record(i32::try_from(record).unwrap_or(-1));
        a.set_message("".into());
        clear_forms(&a, today);
    }
    let store = ctrl.store();
    let problems = std::cell::RefCell::new(Vec::new());
    let note = |e: crate::desk::store::DeskError| problems.borrow_mut().push(e.to_string());
    let agencies = actions::directory(ctrl, now).unwrap_or_else(|e| {
        problems.borrow_mut().push(e);
        Vec::new()
    });
    let find = |id: &str| agencies.iter().find(|x| x.id == id);
    a.set_agency_choices(model(
        agencies
            .iter()
            .map(|x| SharedString::from(format!("{}（{}）", x.name, x.kind)))
            .collect(),
    ));
    a.set_agency_choice_ids(strings(
        &agencies.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(),
    ));
    a.set_roles(strings(ROLES));
    a.set_methods(strings(agency::METHODS));

    // 連携
    let links = store.links(record).unwrap_or_else(|e| {
        note(e);
        Vec::new()
    });
    let history = store.consent_events(record).unwrap_or_else(|e| {
        note(e);
        Vec::new()
    });
    a.set_links(model(
        links
            .iter()
            .map(|l| {
                let ag = find(&l.agency);
                let hint = ag.map_or_else(String::new, |x| {
                    let mut parts = Vec::new();
                    if !x.contact_method.is_empty() {
                        parts.push(format!("好む連絡: {}", x.contact_method));
                    }
                    if !x.good_times.is_empty() {
                        parts.push(x.good_times.clone());
                    }
                    if !x.phone.is_empty() {
                        parts.push(format!("電話 {}", x.phone));
                    }
                    if !x.limits.is_empty() {
                        parts.push(format!("制度の限界: {}", x.limits));
                    }
                    parts.join(" ・ ")
                });
                NetLink {
                    id: i32::try_from(l.id).unwrap_or(0),
                    person: l.person.clone().into(),
                    open: l.to.is_empty(),
                    agency: ag.map_or(l.agency.as_str(), |x| x.name.as_str()).into(),
                    kind: ag.map_or("", |x| x.kind.as_str()).into(),
                    role: l.role.clone().into(),
                    dates: if l.to.is_empty() {
                        format!("{} から", l.from)
                    } else {
                        format!("{} 〜 {}", l.from, l.to)
                    }
                    .into(),
                    consent: l.has_consent(),
                    consent_text: if l.has_consent() {
                        format!(
                            "同意あり {}「{}」（記録: {}）",
                            l.consent_date, l.consent_scope, l.consent_by
                        )
                    } else {
                        "同意なし".to_string()
                    }
                    .into(),
                    history: consent_history(&history, l.id).into(),
                    hint: hint.into(),
                }
            })
            .collect(),
    ));
    let open_links: Vec<_> = links.iter().filter(|l| !l.ended(today)).collect();
    a.set_consent_choices(model(
        open_links
            .iter()
            .map(|l| {
                let name = find(&l.agency).map_or(l.agency.as_str(), |x| x.name.as_str());
                SharedString::from(format!("{name}（{}）", l.role))
            })
            .collect(),
    ));
    a.set_consent_choice_ids(model(
        open_links
            .iter()
            .map(|l| i32::try_from(l.id).unwrap_or(-1))
            .collect(),
    ));
    let linked = linked_agencies(&links);
    a.set_linked_choices(model(
        linked
            .iter()
            .map(|id| SharedString::from(find(id).map_or(*id, |x| x.name.as_str())))
            .collect(),
    ));
    a.set_linked_choice_ids(strings(&linked));
    let tz = ctrl.timezone();
    let contacts = store.contacts(record).unwrap_or_else(|e| {
        note(e);
        Vec::new()
    });
    a.set_contacts(model(
        contacts
            .iter()
            .rev()
            .map(|x| NetContact {
                day: chrono::DateTime::from_timestamp(x.at, 0)
                    .map_or_else(String::new, |t| {
                        t.with_timezone(&tz).format("%-m/%-d %H:%M").to_string()
                    })
                    .into(),
                agency: find(&x.agency)
                    .map_or(x.agency.as_str(), |g| g.name.as_str())
                    .into(),
                method: x.method.clone().into(),
                direction: if x.direction == "sent" {
                    "送った"
                } else {
                    "受けた"
                }
                .into(),
                summary: x.summary.clone().into(),
                who: x.who.clone().into(),
            })
            .collect(),
    ));

    // 会議 (newest first)
    let meetings = store.meetings(Some(record)).unwrap_or_else(|e| {
        note(e);
        Vec::new()
    });
    a.set_meetings(model(
        meetings
            .iter()
            .rev()
            .map(|m| NetMeeting {
                id: i32::try_from(m.id).unwrap_or(0),
                day: ja_date(&m.date).into(),
                participants: m.participants.clone().into(),
                agenda: m.agenda.clone().into(),
                decision: m.decision.clone().into(),
                goal: format!("{}（{}まで）", m.goal, ja_date(&m.goal_date)).into(),
                review: format!("次回の見直し {}", ja_date(&m.review)).into(),
                by: m.by.clone().into(),
            })
            .collect(),
    ));

    // 評価: latest beside the previous; the visitor's own words beside their levels.
    let assessments = store.assessments(record).unwrap_or_else(|e| {
        note(e);
        Vec::new()
    });
    let own = |level: usize| {
        actions::OWN_WORDS
            .iter()
            .filter(|(l, _)| *l == level)
            .filter_map(|(_, q)| v.answers.iter().find(|x| x.question == *q))
            .map(|x| format!("{} → {}", x.question_text, x.answer_text))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let levels = |x: &crate::network::meeting::Assessment, words: bool| -> Vec<PyramidLevel> {
        LEVELS
            .iter()
            .enumerate()
            .map(|(i, label)| PyramidLevel {
                label: (*label).into(),
                rating: x.ratings.get(i).map_or(0, |r| i32::from(*r)),
                note: x.notes.get(i).cloned().unwrap_or_default().into(),
                own_words: if words { own(i) } else { String::new() }.into(),
            })
            .collect()
    };
    let n = assessments.len();
    match assessments.last() {
        Some(last) => {
            a.set_latest(model(levels(last, true)));
            a.set_latest_caption(format!("今回 {}（{}）", ja_date(&last.date), last.by).into());
        }
        None => {
            a.set_latest(model(Vec::new()));
            a.set_latest_caption("".into());
        }
    }
    match n.checked_sub(2).and_then(|i| assessments.get(i)) {
        Some(prev) => {
            a.set_previous(model(levels(prev, false)));
            a.set_previous_caption(format!("前回 {}（{}）", ja_date(&prev.date), prev.by).into());
        }
        None => {
            a.set_previous(model(Vec::new()));
            a.set_previous_caption("".into());
        }
    }
    a.set_level_names(strings(&LEVELS));

    // 予定: the next review, then follow-ups by day.
    let mut items = Vec::new();
    if let Some(m) = meetings.last() {
        let days =
            NaiveDate::parse_from_str(&m.review, "%Y-%m-%d").map_or(0, |d| (d - today).num_days());
        items.push(NetFollowup {
            id: 0,
            kind: "見直し".into(),
            title: "次の個別支援会議の見直し".into(),
            dates: ja_date(&m.review).into(),
            note: format!("短期目標: {}", m.goal).into(),
            state: when(days).into(),
            open: false,
            overdue: days < 0,
        });
    }
    let followups = store.followups(record).unwrap_or_else(|e| {
        note(e);
        Vec::new()
    });
    for f in &followups {
        let due = f.due_day();
        let days =
            NaiveDate::parse_from_str(&due, "%Y-%m-%d").map_or(0, |d| (d - today).num_days());
        let open = f.kind != Kind::Employment && f.done.is_empty();
        items.push(NetFollowup {
            id: i32::try_from(f.id).unwrap_or(0),
            kind: f.kind.label_ja().into(),
            title: f.label().into(),
            dates: if f.to.is_empty() {
                ja_date(&f.from)
            } else {
                format!("{} 〜 {}", ja_date(&f.from), ja_date(&f.to))
            }
            .into(),
            note: f.note.clone().into(),
            state: if !f.done.is_empty() {
                format!("済み {}", f.done)
            } else if open {
                when(days)
            } else {
                String::new()
            }
            .into(),
            open,
            overdue: open && days < 0,
        });
    }
    a.set_followups(model(items));
    a.set_kinds(strings(&Kind::ALL.map(Kind::label_ja)));
    a.set_phases(strings(&PHASES));
    let problems = problems.into_inner();
    if !problems.is_empty() {
        a.set_message(problems.join(" / ").into());
        a.set_message_kind(3);
    }
}

fn clear_forms(a: &NetAdapter<'_>, today: NaiveDate) {
    let day = SharedString::from(today.to_string());
    a.set_link_agency(0);
    a.set_link_role(0);
    a.set_link_consent("".into());
    a.set_link_scope("".into());
    a.set_link_person("".into());
    a.set_contact_agency(0);
    a.set_contact_method(0);
    a.set_contact_direction(0);
    a.set_contact_summary("".into());
    a.set_consent_link(0);
    a.set_consent_day(day.clone());
    a.set_consent_scope("".into());
    a.set_consent_note("".into());
    a.set_m_date(day.clone());
    for set in [
        NetAdapter::set_m_participants,
        NetAdapter::set_m_agenda,
        NetAdapter::set_m_decision,
        NetAdapter::set_m_goal,
        NetAdapter::set_m_goal_date,
        NetAdapter::set_m_review,
    ] {
        set(a, "".into());
    }
    a.set_form_ratings(model(vec![0; 5]));
    a.set_form_notes(model(vec![SharedString::new(); 5]));
    a.set_a_date("".into());
    a.set_f_kind(0);
    a.set_f_phase(0);
    a.set_f_label("".into());
    a.set_f_date(day);
    a.set_f_until("".into());
    a.set_f_note("".into());
    a.set_f_plan(true);
}

/// The desk's home: what is due today and within a week, the signed-in person's or the team's.
/// Read only while the home is in view (no record open): it looks up each item's record.
pub fn load_due(w: &DeskWindow, ctrl: &DeskController, now: i64) {
    if ctrl.current.is_some() {
        return;
    }
    let a = w.global::<NetAdapter>();
    let mine = a.get_due_mine();
    let today = today(ctrl, now);
    let mut list = match ctrl.store().due(today, 7) {
        Ok(l) => l,
        Err(e) => {
            a.set_due_caption(format!("予定を読めません: {e}").into());
            a.set_due(model(Vec::new()));
            return;
        }
    };
    if mine {
        let name = if ctrl.who_name.is_empty() {
            ctrl.who()
        } else {
            &ctrl.who_name
        };
        list.retain(|d| crate::network::due::is_mine(d, ctrl.who(), name));
    }
    let total = list.len();
    list.truncate(100);
    let items: Vec<DueItem> = list
        .iter()
        .map(|d| {
            let rec = ctrl.store().get(d.item.record).ok().flatten();
            let person = rec.as_ref().map_or_else(String::new, |r| {
                let name = if r.staff.name.is_empty() {
                    "（氏名未入力）"
                } else {
                    r.staff.name.as_str()
                };
                let mut s = format!("{name} ・ 受付 {}", r.visit.receipt_no);
                if !r.staff.assigned_staff.is_empty() {
                    s.push_str(&format!(" ・ 担当 {}", r.staff.assigned_staff));
                }
                s
            });
            DueItem {
                record: i32::try_from(d.item.record).unwrap_or(0),
                day: short_day(&d.item.day).into(),
                when: when(d.in_days).into(),
                what: d.item.what.clone().into(),
                who: person.into(),
                goal: if d.item.goal.is_empty() {
                    String::new()
                } else if d.item.kind == "review" {
                    format!("短期目標: {}", d.item.goal)
                } else {
                    d.item.goal.clone()
                }
                .into(),
                overdue: d.in_days < 0,
            }
        })
        .collect();
    let overdue = list.iter().filter(|d| d.in_days < 0).count();
    a.set_due_caption(
        format!(
            "今日と今週の予定（{}・{total}件{}）",
            if mine {
                "自分の担当"
            } else {
                "チーム全体"
            },
            if overdue > 0 {
                format!("、うち遅れ {overdue}件")
            } else {
                String::new()
            }
        )
        .into(),
    );
    a.set_due(model(items));
}

/// The agency list (and the selected agency in the editor).
pub fn load_agencies(w: &DeskWindow, ctrl: &DeskController, now: i64) {
    let a = w.global::<NetAdapter>();
    a.set_can_edit(ctrl.admin);
    a.set_agency_kinds(strings(agency::KINDS));
    a.set_areas(strings(agency::AREAS));
    a.set_methods(strings(agency::METHODS));
    match actions::directory(ctrl, now) {
        Ok(list) => {
            a.set_agencies(model(
                list.iter()
                    .map(|x| AgencyItem {
                        id: x.id.clone().into(),
                        name: x.name.clone().into(),
                        kind: x.kind.clone().into(),
                    })
                    .collect(),
            ));
            let selected = a.get_agency_selected();
            if !a.get_a_new() {
                match list
                    .iter()
                    .find(|x| selected == x.id.as_str())
                    .or(list.first())
                {
                    Some(x) => fill_agency(&a, x),
                    None => new_agency(&a),
                }
            }
        }
        Err(e) => {
            a.set_agency_message(e.into());
            a.set_agency_message_kind(3);
        }
    }
}

fn index_of(list: &[&str], v: &str) -> i32 {
    list.iter()
        .position(|x| *x == v)
        .and_then(|i| i32::try_from(i).ok())
        .unwrap_or(0)
}

fn fill_agency(a: &NetAdapter<'_>, x: &Agency) {
    a.set_a_new(false);
    a.set_a_id(x.id.clone().into());
    a.set_agency_selected(x.id.clone().into());
    a.set_a_name(x.name.clone().into());
    a.set_a_kind(index_of(agency::KINDS, &x.kind));
    a.set_a_area(index_of(agency::AREAS, &x.area));
    a.set_a_town(x.town.clone().into());
    a.set_a_address(x.address.clone().into());
    a.set_a_phone(x.phone.clone().into());
    a.set_a_fax(x.fax.clone().into());
    a.set_a_email(x.email.clone().into());
    a.set_a_hours(x.hours.clone().into());
    a.set_a_method(index_of(agency::METHODS, &x.contact_method));
    a.set_a_times(x.good_times.clone().into());
    a.set_a_strengths(x.strengths.clone().into());
    a.set_a_weaknesses(x.weaknesses.clone().into());
    a.set_a_limits(x.limits.clone().into());
    a.set_a_people(model(x.people.iter().map(person_item).collect()));
}

fn new_agency(a: &NetAdapter<'_>) {
    fill_agency(a, &Agency::default());
    a.set_a_kind(index_of(agency::KINDS, "その他"));
    a.set_a_new(true);
    a.set_agency_selected("".into());
}

fn person_item(p: &Person) -> AgencyPerson {
    AgencyPerson {
        name: p.name.clone().into(),
        role: p.role.clone().into(),
        method: p.contact_method.clone().into(),
        notes: p.notes.clone().into(),
    }
}

/// The agency as the editor shows it (routes are kept from the stored one: the file sets them).
fn agency_from_form(a: &NetAdapter<'_>, stored: Option<Agency>) -> Agency {
    let pick = |list: &[&str], i: i32| {
        usize::try_from(i)
            .ok()
            .and_then(|i| list.get(i))
            .map_or_else(String::new, |s| (*s).to_string())
    };
    let people = a.get_a_people();
    Agency {
        id: a.get_a_id().trim().to_string(),
        name: a.get_a_name().trim().to_string(),
        kind: pick(agency::KINDS, a.get_a_kind()),
        routes: stored.map(|s| s.routes).unwrap_or_default(),
        area: pick(agency::AREAS, a.get_a_area()),
        town: a.get_a_town().trim().to_string(),
        address: a.get_a_address().trim().to_string(),
        phone: a.get_a_phone().trim().to_string(),
        fax: a.get_a_fax().trim().to_string(),
        email: a.get_a_email().trim().to_string(),
        hours: a.get_a_hours().trim().to_string(),
        contact_method: pick(agency::METHODS, a.get_a_method()),
        good_times: a.get_a_times().trim().to_string(),
        strengths: a.get_a_strengths().trim().to_string(),
        weaknesses: a.get_a_weaknesses().trim().to_string(),
        limits: a.get_a_limits().trim().to_string(),
        people: people
            .iter()
            .map(|p| Person {
                name: p.name.to_string(),
                role: p.role.to_string(),
                contact_method: p.method.to_string(),
                notes: p.notes.to_string(),
            })
            .collect(),
    }
}

/// The agencies linked to a record, each once, in the order first linked: the contact form's
/// choices (a position there maps back through this same list).
fn linked_agencies(links: &[crate::network::case::Link]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for l in links {
        if !out.contains(&l.agency.as_str()) {
            out.push(&l.agency);
        }
    }
    out
}

/// A link's consent history in one line: 「同意 2026-11-01（sato） → 撤回 2026-11-20（tanaka）: 本人の申し出」.
pub fn consent_history(events: &[crate::network::case::ConsentEvent], link: i64) -> String {
    events
        .iter()
        .filter(|e| e.link == link)
        .map(|e| {
            let what = if e.kind == "withdrawn" {
                "撤回"
            } else {
                "同意"
            };
            let scope = if e.scope.is_empty() {
                String::new()
            } else {
                format!("「{}」", e.scope)
            };
            let note = if e.note.is_empty() {
                String::new()
            } else {
                format!(": {}", e.note)
            };
            format!("{what} {}{scope}（{}）{note}", e.day, e.who)
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// The id at `pos` of a pick list's ids as shown (None when nothing valid is picked).
fn picked<T: Clone + 'static>(ids: ModelRc<T>, pos: i32) -> Option<T> {
    usize::try_from(pos).ok().and_then(|i| ids.row_data(i))
}

/// An action on one listed item: the controller, the item's id, now.
type ItemAction = dyn Fn(&DeskController, i64, i64) -> Outcome;

/// One form's action: the window, the controller, now.
type Action = dyn Fn(&DeskWindow, &DeskController, i64);

/// Wires every `NetAdapter` callback. `after` refreshes the rest of the desk (the record's
/// view and the due list) after a write.
pub fn connect(
    window: &DeskWindow,
    ctrl: Rc<RefCell<DeskController>>,
    clock: Clock,
    touch: Rc<dyn Fn()>,
) {
    let a = window.global::<NetAdapter>();
    a.set_directions(strings(&[
        "送った（こちらから伝えた）",
        "受けた（相手から聞いた）",
    ]));
    a.set_rating_names(strings(&[
        "1 課題が大きい",
        "2 支援があればできる",
        "3 おおむねできる",
        "4 十分できる",
    ]));
    // Each handler: the window, the controller, now; runs the action, then reloads.
    let wire = |f: Rc<Action>| {
        let (w, c, k, t) = (window.as_weak(), ctrl.clone(), clock.clone(), touch.clone());
        move || {
            let Some(w) = w.upgrade() else { return };
            t();
            let now = k();
            f(&w, &c.borrow(), now);
            load_record(&w, &c.borrow(), now);
            load_due(&w, &c.borrow(), now);
        }
    };
    // 「終了にする」「済みにする」: an action on a listed item's id, its answer shown.
    let wire_id = |f: Rc<ItemAction>| {
        let (w, c, k, t) = (window.as_weak(), ctrl.clone(), clock.clone(), touch.clone());
        move |id: i32| {
            let Some(w) = w.upgrade() else { return };
            t();
            let now = k();
            let o = f(&c.borrow(), i64::from(id), now);
            show(&w.global::<NetAdapter>(), o);
            load_record(&w, &c.borrow(), now);
            load_due(&w, &c.borrow(), now);
        }
    };
    a.on_link_add(wire(Rc::new(
        |w: &DeskWindow, c: &DeskController, now: i64| {
            let a = w.global::<NetAdapter>();
            let Some(agency) = picked(a.get_agency_choice_ids(), a.get_link_agency()) else {
                return show(&a, Err("つなぐ機関を選んでください。".into()));
            };
            let role = usize::try_from(a.get_link_role())
                .ok()
                .and_then(|i| ROLES.get(i))
                .copied()
                .unwrap_or("");
            let form = LinkForm {
                agency: agency.to_string(),
                role: role.to_string(),
                person: a.get_link_person().to_string(),
                consent: a.get_link_consent().to_string(),
                scope: a.get_link_scope().to_string(),
            };
            let o = actions::add_link(c, &form, today(c, now), now);
            if o.is_ok() {
                a.set_link_consent("".into());
                a.set_link_scope("".into());
                a.set_link_person("".into());
            }
            show(&a, o);
        },
    )));
    a.on_link_end(wire_id(Rc::new(|c: &DeskController, id: i64, now: i64| {
        actions::end_link(c, id, today(c, now), now)
    })));
    a.on_contact_add(wire(Rc::new(
        |w: &DeskWindow, c: &DeskController, now: i64| {
            let a = w.global::<NetAdapter>();
            let Some(agency) = picked(a.get_linked_choice_ids(), a.get_contact_agency()) else {
                return show(&a, Err("やりとりした機関を選んでください。".into()));
            };
            let method = usize::try_from(a.get_contact_method())
                .ok()
                .and_then(|i| agency::METHODS.get(i))
                .copied()
                .unwrap_or("電話");
            let direction = if a.get_contact_direction() == 0 {
                Direction::Sent
            } else {
                Direction::Received
            };
            let o = actions::add_contact(
                c,
                &agency,
                method,
                direction,
                &a.get_contact_summary(),
                today(c, now),
                now,
            );
            if o.is_ok() {
                a.set_contact_summary("".into());
            }
            show(&a, o);
        },
    )));
    for give in [true, false] {
        let f = move |w: &DeskWindow, c: &DeskController, now: i64| {
            let a = w.global::<NetAdapter>();
            let Some(link) = picked(a.get_consent_choice_ids(), a.get_consent_link()) else {
                return show(&a, Err("同意を記録・撤回する連携を選んでください。".into()));
            };
            let o = actions::change_consent(
                c,
                i64::from(link),
                give,
                &a.get_consent_day(),
                &a.get_consent_scope(),
                &a.get_consent_note(),
                today(c, now),
                now,
            );
            if o.is_ok() {
                a.set_consent_scope("".into());
                a.set_consent_note("".into());
            }
            show(&a, o);
        };
        if give {
            a.on_consent_give(wire(Rc::new(f)));
        } else {
            a.on_consent_withdraw(wire(Rc::new(f)));
        }
    }
    a.on_meeting_add(wire(Rc::new(|w: &DeskWindow, c: &DeskController, now: i64| {
        let a = w.global::<NetAdapter>();
        let form = MeetingForm {
            date: a.get_m_date().to_string(),
            participants: a.get_m_participants().to_string(),
            agenda: a.get_m_agenda().to_string(),
            decision: a.get_m_decision().to_string(),
            goal: a.get_m_goal().to_string(),
            goal_date: a.get_m_goal_date().to_string(),
            review: a.get_m_review().to_string(),
        };
        match actions::add_meeting(c, &form, now) {
            Ok(_) => {
                clear_forms(&a, today(c, now));
                show(&a, Ok("会議を記録しました。次の見直しの日は「予定」と ホームの予定一覧に出ます。".into()));
            }
            Err(e) => show(&a, Err(e)),
        }
    })));
    let (w, c, k, t) = (window.as_weak(), ctrl.clone(), clock.clone(), touch.clone());
    a.on_meeting_pdf(move |id| {
        let Some(w) = w.upgrade() else { return };
        t();
        let a = w.global::<NetAdapter>();
        let open = c.borrow().open_pdf;
        let o = actions::meeting_pdf(&c.borrow(), i64::from(id), k()).map(|p| {
            let opened = open
                && std::process::Command::new("xdg-open")
                    .arg(&p)
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .is_ok();
            format!(
                "PDFを作りました: {}{}",
                p.display(),
                if opened {
                    "（PDFの画面から印刷できます）"
                } else {
                    "（このファイルを開いて印刷してください）"
                }
            )
        });
        show(&a, o);
    });
    let w = window.as_weak();
    a.on_rate(move |level, rating| {
        let Some(w) = w.upgrade() else { return };
        let a = w.global::<NetAdapter>();
        let m = a.get_form_ratings();
        if let Ok(i) = usize::try_from(level) {
            m.set_row_data(i, rating);
        }
    });
    let w = window.as_weak();
    a.on_rate_note(move |level, text| {
        let Some(w) = w.upgrade() else { return };
        let a = w.global::<NetAdapter>();
        let m = a.get_form_notes();
        if let Ok(i) = usize::try_from(level) {
            m.set_row_data(i, text);
        }
    });
    a.on_assessment_add(wire(Rc::new(
        |w: &DeskWindow, c: &DeskController, now: i64| {
            let a = w.global::<NetAdapter>();
            let mut ratings = [0u8; 5];
            let mut notes: [String; 5] = Default::default();
            for (i, r) in a.get_form_ratings().iter().take(5).enumerate() {
                ratings[i] = u8::try_from(r).unwrap_or(0);
            }
            for (i, n) in a.get_form_notes().iter().take(5).enumerate() {
                notes[i] = n.to_string();
            }
            let o =
                actions::add_assessment(c, &ratings, &notes, &a.get_a_date(), today(c, now), now);
            if o.is_ok() {
                a.set_form_ratings(model(vec![0; 5]));
                a.set_form_notes(model(vec![SharedString::new(); 5]));
            }
            show(&a, o);
        },
    )));
    a.on_followup_add(wire(Rc::new(
        |w: &DeskWindow, c: &DeskController, now: i64| {
            let a = w.global::<NetAdapter>();
            let kind = usize::try_from(a.get_f_kind())
                .ok()
                .and_then(|i| Kind::ALL.get(i))
                .copied()
                .unwrap_or(Kind::Retention);
            let phase = if kind == Kind::Jobcoach {
                usize::try_from(a.get_f_phase())
                    .ok()
                    .and_then(|i| PHASES.get(i))
                    .map_or_else(String::new, |p| (*p).to_string())
            } else {
                a.get_f_label().to_string()
            };
            let form = FollowupForm {
                kind,
                phase,
                date: a.get_f_date().to_string(),
                until: a.get_f_until().to_string(),
                note: a.get_f_note().to_string(),
                plan: a.get_f_plan(),
            };
            let o = actions::add_followup(c, &form, today(c, now), now);
            if o.is_ok() {
                a.set_f_label("".into());
                a.set_f_until("".into());
                a.set_f_note("".into());
            }
            show(&a, o);
        },
    )));
    a.on_followup_done(wire_id(Rc::new(|c: &DeskController, id: i64, now: i64| {
        actions::followup_done(c, id, today(c, now), now)
    })));
    let (w, c, k, t) = (window.as_weak(), ctrl.clone(), clock.clone(), touch.clone());
    a.on_due_show(move |mine| {
        let Some(w) = w.upgrade() else { return };
        t();
        w.global::<NetAdapter>().set_due_mine(mine);
        load_due(&w, &c.borrow(), k());
    });

    // 機関
    let (w, c, k, t) = (window.as_weak(), ctrl.clone(), clock.clone(), touch.clone());
    a.on_agency_select(move |i| {
        let Some(w) = w.upgrade() else { return };
        t();
        let a = w.global::<NetAdapter>();
        a.set_agency_selected(i);
        a.set_a_new(false);
        a.set_agency_message("".into());
        load_agencies(&w, &c.borrow(), k());
    });
    let (w, t) = (window.as_weak(), touch.clone());
    a.on_agency_new(move || {
        let Some(w) = w.upgrade() else { return };
        t();
        let a = w.global::<NetAdapter>();
        new_agency(&a);
        a.set_agency_message("IDと名前を入れて「機関を保存」を押します。".into());
        a.set_agency_message_kind(1);
    });
    let (w, c, k, t) = (window.as_weak(), ctrl.clone(), clock.clone(), touch.clone());
    a.on_agency_save(move || {
        let Some(w) = w.upgrade() else { return };
        t();
        let a = w.global::<NetAdapter>();
        let now = k();
        let ctrl = c.borrow();
        let is_new = a.get_a_new();
        let stored = ctrl.store().agency(a.get_a_id().trim()).ok().flatten();
        let ag = agency_from_form(&a, stored);
        let o = actions::save_agency(&ctrl, &ag, is_new, now);
        let ok = o.is_ok();
        let (text, kind) = match o {
            Ok(m) => (m, 1),
            Err(m) => (m, 2),
        };
        a.set_agency_message(text.into());
        a.set_agency_message_kind(kind);
        if ok {
            a.set_a_new(false);
            a.set_agency_selected(ag.id.clone().into());
            load_agencies(&w, &ctrl, now);
            load_record(&w, &ctrl, now);
        }
    });
    let (w, t) = (window.as_weak(), touch.clone());
    a.on_person_add(move || {
        let Some(w) = w.upgrade() else { return };
        t();
        let a = w.global::<NetAdapter>();
        let name = a.get_p_name().trim().to_string();
        if name.is_empty() {
            a.set_agency_message("担当の人の名前を入れてください。".into());
            a.set_agency_message_kind(2);
            return;
        }
        let method = usize::try_from(a.get_p_method())
            .ok()
            .and_then(|i| agency::METHODS.get(i))
            .copied()
            .unwrap_or("");
        let mut people: Vec<AgencyPerson> = a.get_a_people().iter().collect();
        people.push(AgencyPerson {
            name: name.into(),
            role: a.get_p_role().trim().into(),
            method: method.into(),
            notes: a.get_p_notes().trim().into(),
        });
        a.set_a_people(model(people));
        a.set_p_name("".into());
        a.set_p_role("".into());
        a.set_p_notes("".into());
        a.set_agency_message("加えました。「機関を保存」で保存されます。".into());
        a.set_agency_message_kind(1);
    });
    let (w, t) = (window.as_weak(), touch);
    a.on_person_remove(move |i| {
        let Some(w) = w.upgrade() else { return };
        t();
        let a = w.global::<NetAdapter>();
        let mut people: Vec<AgencyPerson> = a.get_a_people().iter().collect();
        if let Ok(i) = usize::try_from(i)
            && i < people.len()
        {
            people.remove(i);
        }
        a.set_a_people(model(people));
        a.set_agency_message("外しました。「機関を保存」で保存されます。".into());
        a.set_agency_message_kind(1);
    });
}
