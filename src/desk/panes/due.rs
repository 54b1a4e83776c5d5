//! The desk's home: what is due today and within a week, the signed-in person's or the
//! team's (`DueAdapter`, ui/desk_due.slint).

use slint::ComponentHandle;

use super::{Wire, model};
use crate::desk::controller::DeskController;
use crate::desk::pane_text::{self as text, DueLine};
use crate::ui::{DeskWindow, DueAdapter, DueItem, DueView};

impl From<DueLine> for DueItem {
    fn from(r: DueLine) -> Self {
        DueItem {
            record: i32::try_from(r.record).unwrap_or(0),
            day: r.day.into(),
            when: r.when.into(),
            what: r.what.into(),
            who: r.who.into(),
            goal: r.goal.into(),
            overdue: r.overdue,
        }
    }
}

pub fn clear(w: &DeskWindow) {
    w.global::<DueAdapter>().set_view(DueView::default());
}

/// Read only while the home is in view (no record open): it looks up each item's record.
pub fn load(w: &DeskWindow, ctrl: &DeskController, now: i64) {
    if ctrl.current.is_some() {
        return;
    }
    let a = w.global::<DueAdapter>();
    let mine = a.get_mine();
    let mut list = match ctrl.store().due(super::today(ctrl, now), 7) {
        Ok(l) => l,
        Err(e) => {
            a.set_view(DueView {
                items: model(Vec::new()),
                caption: format!("予定を読めません: {e}").into(),
            });
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
            let who = ctrl
                .store()
                .get(d.item.record)
                .ok()
                .flatten()
                .map_or_else(String::new, |r| {
                    text::due_person(&r.staff.name, &r.visit.receipt_no, &r.staff.assigned_staff)
                });
            text::due_line(d, who).into()
        })
        .collect();
    let overdue = list.iter().filter(|d| d.in_days < 0).count();
    a.set_view(DueView {
        items: model(items),
        caption: text::due_caption(mine, total, overdue).into(),
    });
}

pub fn connect(window: &DeskWindow, wire: &Wire) {
    let wi = wire.clone();
    window.global::<DueAdapter>().on_show(move |mine| {
        wi.with(|w, c, now| {
            w.global::<DueAdapter>().set_mine(mine);
            load(w, c, now);
        });
    });
}
