//! 機関: the agency directory and its editor (administrators edit; every change audited)
//! (`AgenciesAdapter`, ui/desk_agencies.slint). Rust loads the selected agency into `current`;
//! the editor component owns what is typed and hands it back to `save`.

use slint::{ComponentHandle, Model};

use super::{Wire, model, pick, strings};
use crate::desk::controller::DeskController;
use crate::desk::network as actions;
use crate::network::agency::{self, Agency, Person};
use crate::ui::{
    AgenciesAdapter, AgenciesView, AgencyFields, AgencyItem, AgencyPerson, DeskWindow,
};

/// The agency list (and the selected agency, as `current`).
pub fn load(w: &DeskWindow, ctrl: &DeskController, now: i64) {
    let a = w.global::<AgenciesAdapter>();
    match actions::directory(ctrl, now) {
        Ok(list) => {
            a.set_view(AgenciesView {
                can_edit: ctrl.admin,
                agencies: model(
                    list.iter()
                        .map(|x| AgencyItem {
                            id: x.id.clone().into(),
                            name: x.name.clone().into(),
                            kind: x.kind.clone().into(),
                        })
                        .collect(),
                ),
                kinds: strings(agency::KINDS),
                areas: strings(agency::AREAS),
                methods: strings(agency::METHODS),
            });
            let selected = a.get_selected();
            if !a.get_current().is_new {
                match list
                    .iter()
                    .find(|x| selected == x.id.as_str())
                    .or(list.first())
                {
                    Some(x) => fill(&a, x),
                    None => new_agency(&a),
                }
            }
        }
        Err(e) => {
            let mut view = a.get_view();
            view.can_edit = ctrl.admin;
            a.set_view(view);
            a.set_message(e.into());
            a.set_message_kind(3);
        }
    }
}

fn index_of(list: &[&str], v: &str) -> i32 {
    list.iter()
        .position(|x| *x == v)
        .and_then(|i| i32::try_from(i).ok())
        .unwrap_or(0)
}

/// The editor's fields for a stored agency.
pub fn fields(x: &Agency) -> AgencyFields {
    AgencyFields {
        is_new: false,
        id: x.id.clone().into(),
        name: x.name.clone().into(),
        kind: index_of(agency::KINDS, &x.kind),
        area: index_of(agency::AREAS, &x.area),
        town: x.town.clone().into(),
        address: x.address.clone().into(),
        phone: x.phone.clone().into(),
        fax: x.fax.clone().into(),
        email: x.email.clone().into(),
        hours: x.hours.clone().into(),
        method: index_of(agency::METHODS, &x.contact_method),
        times: x.good_times.clone().into(),
        strengths: x.strengths.clone().into(),
        weaknesses: x.weaknesses.clone().into(),
        limits: x.limits.clone().into(),
        people: model(x.people.iter().map(person_item).collect()),
        ..AgencyFields::default()
    }
}

fn fill(a: &AgenciesAdapter<'_>, x: &Agency) {
    a.set_selected(x.id.clone().into());
    a.set_current(fields(x));
}

fn new_agency(a: &AgenciesAdapter<'_>) {
    let mut f = fields(&Agency::default());
    f.kind = index_of(agency::KINDS, "その他");
    f.is_new = true;
    a.set_current(f);
    a.set_selected("".into());
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
pub fn agency_from_fields(f: &AgencyFields, stored: Option<Agency>) -> Agency {
    let text = |i: i32, list: &[&str]| pick(list, i).unwrap_or("").to_string();
    Agency {
        id: f.id.trim().to_string(),
        name: f.name.trim().to_string(),
        kind: text(f.kind, agency::KINDS),
        routes: stored.map(|s| s.routes).unwrap_or_default(),
        area: text(f.area, agency::AREAS),
        town: f.town.trim().to_string(),
        address: f.address.trim().to_string(),
        phone: f.phone.trim().to_string(),
        fax: f.fax.trim().to_string(),
        email: f.email.trim().to_string(),
        hours: f.hours.trim().to_string(),
        contact_method: text(f.method, agency::METHODS),
        good_times: f.times.trim().to_string(),
        strengths: f.strengths.trim().to_string(),
        weaknesses: f.weaknesses.trim().to_string(),
        limits: f.limits.trim().to_string(),
        people: f
            .people
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

fn say(a: &AgenciesAdapter<'_>, text: &str, kind: i32) {
    a.set_message(text.into());
    a.set_message_kind(kind);
}

pub fn connect(window: &DeskWindow, wire: &Wire) {
    let a = window.global::<AgenciesAdapter>();
    let wi = wire.clone();
    a.on_select(move |id| {
        wi.with(|w, c, now| {
            let a = w.global::<AgenciesAdapter>();
            a.set_selected(id);
            let mut f = a.get_current();
            f.is_new = false;
            a.set_current(f);
            a.set_message("".into());
            load(w, c, now);
        });
    });
    let wi = wire.clone();
    a.on_new_agency(move || {
        wi.with(|w, _, _| {
            let a = w.global::<AgenciesAdapter>();
            new_agency(&a);
            say(&a, "IDと名前を入れて「機関を保存」を押します。", 1);
        });
    });
    let wi = wire.clone();
    a.on_save(move |f| {
        wi.with(|w, c, now| {
            let a = w.global::<AgenciesAdapter>();
            let stored = c.store().agency(f.id.trim()).ok().flatten();
            let ag = agency_from_fields(&f, stored);
            let o = actions::save_agency(c, &ag, f.is_new, now);
            let ok = o.is_ok();
            match o {
                Ok(m) => say(&a, &m, 1),
                Err(m) => say(&a, &m, 2),
            }
            if ok {
                let mut current = a.get_current();
                current.is_new = false;
                a.set_current(current);
                a.set_selected(ag.id.clone().into());
                load(w, c, now);
                super::load_record(w, c, now);
            }
            ok
        })
        .unwrap_or(false)
    });
    let wi = wire.clone();
    a.on_person_add(move |mut f| {
        let unchanged = f.clone();
        wi.with(|w, _, _| {
            let a = w.global::<AgenciesAdapter>();
            let name = f.p_name.trim().to_string();
            if name.is_empty() {
                say(&a, "担当の人の名前を入れてください。", 2);
                return f;
            }
            let mut people: Vec<AgencyPerson> = f.people.iter().collect();
            people.push(AgencyPerson {
                name: name.into(),
                role: f.p_role.trim().into(),
                method: pick(agency::METHODS, f.p_method).unwrap_or("").into(),
                notes: f.p_notes.trim().into(),
            });
            f.people = model(people);
            f.p_name = "".into();
            f.p_role = "".into();
            f.p_notes = "".into();
            say(&a, "加えました。「機関を保存」で保存されます。", 1);
            f
        })
        .unwrap_or(unchanged)
    });
    let wi = wire.clone();
    a.on_person_remove(move |mut f, i| {
        let unchanged = f.clone();
        wi.with(|w, _, _| {
            let a = w.global::<AgenciesAdapter>();
            let mut people: Vec<AgencyPerson> = f.people.iter().collect();
            if let Ok(i) = usize::try_from(i)
                && i < people.len()
            {
                people.remove(i);
            }
            f.people = model(people);
            say(&a, "外しました。「機関を保存」で保存されます。", 1);
            f
        })
        .unwrap_or(unchanged)
    });
}
