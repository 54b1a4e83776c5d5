//! 連携: the open record's links with their consent, the contact log, and the three forms'
//! actions (`LinksAdapter`, ui/desk_network.slint).

use chrono::NaiveDate;
use slint::{ComponentHandle, SharedString};

use super::{Wire, model, pick, picked, show, strings};
use crate::desk::controller::DeskController;
use crate::desk::network::{self as actions, LinkForm};
use crate::desk::pane_text::{self as text, ContactRow, LinkRow};
use crate::network::agency::{self, Agency};
use crate::network::case::{Direction, ROLES};
use crate::ui::{DeskWindow, LinksAdapter, LinksView, NetContact, NetLink};

const DIRECTIONS: [&str; 2] = ["送った（こちらから伝えた）", "受けた（相手から聞いた）"];

impl From<LinkRow> for NetLink {
    fn from(r: LinkRow) -> Self {
        NetLink {
            id: i32::try_from(r.id).unwrap_or(0),
            agency: r.agency.into(),
            person: r.person.into(),
            kind: r.kind.into(),
            role: r.role.into(),
            dates: r.dates.into(),
            open: r.open,
            consent: r.consent,
            consent_text: r.consent_text.into(),
            history: r.history.into(),
            hint: r.hint.into(),
        }
    }
}

impl From<ContactRow> for NetContact {
    fn from(r: ContactRow) -> Self {
        NetContact {
            day: r.day.into(),
            agency: r.agency.into(),
            method: r.method.into(),
            direction: r.direction.into(),
            summary: r.summary.into(),
            who: r.who.into(),
        }
    }
}

pub fn clear(w: &DeskWindow) {
    w.global::<LinksAdapter>().set_view(LinksView::default());
}

/// The record's links and contacts, and the pick lists of the forms (ids beside them).
pub fn load(
    w: &DeskWindow,
    ctrl: &DeskController,
    record: i64,
    agencies: &[Agency],
    today: NaiveDate,
    problems: &mut Vec<String>,
) {
    let store = ctrl.store();
    let find = |id: &str| agencies.iter().find(|x| x.id == id);
    let name = |id: &'_ str| find(id).map_or(id.to_string(), |x| x.name.clone());
    let mut note = |e: crate::desk::store::DeskError| problems.push(e.to_string());
    let links = store.links(record).unwrap_or_else(|e| {
        note(e);
        Vec::new()
    });
    let history = store.consent_events(record).unwrap_or_else(|e| {
        note(e);
        Vec::new()
    });
    let contacts = store.contacts(record).unwrap_or_else(|e| {
        note(e);
        Vec::new()
    });
    let open: Vec<_> = links.iter().filter(|l| !l.ended(today)).collect();
    let linked = text::linked_agencies(&links);
    let tz = ctrl.timezone();
    w.global::<LinksAdapter>().set_view(LinksView {
        links: model(
            links
                .iter()
                .map(|l| text::link_row(l, find(&l.agency), &history).into())
                .collect(),
        ),
        contacts: model(
            contacts
                .iter()
                .rev()
                .map(|x| text::contact_row(x, &name(&x.agency), tz).into())
                .collect(),
        ),
        agency_choices: model(
            agencies
                .iter()
                .map(|x| SharedString::from(text::choice(&x.name, &x.kind)))
                .collect(),
        ),
        agency_choice_ids: strings(&agencies.iter().map(|x| x.id.as_str()).collect::<Vec<_>>()),
        roles: strings(ROLES),
        methods: strings(agency::METHODS),
        directions: strings(&DIRECTIONS),
        linked_choices: model(
            linked
                .iter()
                .map(|id| SharedString::from(name(id)))
                .collect(),
        ),
        linked_choice_ids: strings(&linked),
        consent_choices: model(
            open.iter()
                .map(|l| SharedString::from(text::choice(&name(&l.agency), &l.role)))
                .collect(),
        ),
        consent_choice_ids: model(
            open.iter()
                .map(|l| i32::try_from(l.id).unwrap_or(-1))
                .collect(),
        ),
    });
}

pub fn connect(window: &DeskWindow, wire: &Wire) {
    let a = window.global::<LinksAdapter>();
    let wi = wire.clone();
    a.on_link_add(move |f| {
        wi.act(|w, c, now| {
            let view = w.global::<LinksAdapter>().get_view();
            let Some(agency) = picked(&view.agency_choice_ids, f.agency) else {
                return show(w, Err("つなぐ機関を選んでください。".into()));
            };
            let form = LinkForm {
                agency: agency.to_string(),
                role: pick(ROLES, f.role).unwrap_or("").to_string(),
                person: f.person.to_string(),
                consent: f.consent.to_string(),
                scope: f.scope.to_string(),
            };
            show(w, actions::add_link(c, &form, super::today(c, now), now))
        })
        .unwrap_or(false)
    });
    a.on_link_end(wire.act_on(|c, id, now| actions::end_link(c, id, super::today(c, now), now)));
    let wi = wire.clone();
    a.on_contact_add(move |f| {
        wi.act(|w, c, now| {
            let view = w.global::<LinksAdapter>().get_view();
            let Some(agency) = picked(&view.linked_choice_ids, f.agency) else {
                return show(w, Err("やりとりした機関を選んでください。".into()));
            };
            let method = pick(agency::METHODS, f.method).unwrap_or("電話");
            let direction = if f.direction == 0 {
                Direction::Sent
            } else {
                Direction::Received
            };
            let o = actions::add_contact(
                c,
                &agency,
                method,
                direction,
                &f.summary,
                super::today(c, now),
                now,
            );
            show(w, o)
        })
        .unwrap_or(false)
    });
    for give in [true, false] {
        let wi = wire.clone();
        let handler = move |f: crate::ui::ConsentFields| {
            wi.act(|w, c, now| {
                let view = w.global::<LinksAdapter>().get_view();
                let Some(link) = picked(&view.consent_choice_ids, f.link) else {
                    return show(w, Err("同意を記録・撤回する連携を選んでください。".into()));
                };
                let o = actions::change_consent(
                    c,
                    i64::from(link),
                    give,
                    &f.day,
                    &f.scope,
                    &f.note,
                    super::today(c, now),
                    now,
                );
                show(w, o)
            })
            .unwrap_or(false)
        };
        if give {
            a.on_consent_give(handler);
        } else {
            a.on_consent_withdraw(handler);
        }
    }
}
