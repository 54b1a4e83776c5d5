//! 予定: the next review and the follow-ups (就職, 定着支援, ジョブコーチ), and the form's actions
//! (`FollowupsAdapter`, ui/desk_followups.slint).

use chrono::NaiveDate;
use slint::ComponentHandle;

use super::{Wire, model, pick, show, strings};
use crate::desk::controller::DeskController;
use crate::desk::network::{self as actions, FollowupForm};
use crate::desk::pane_text::{self as text, FollowupRow};
use crate::network::followup::{Kind, PHASES};
use crate::network::meeting::Meeting;
use crate::ui::{DeskWindow, FollowupsAdapter, FollowupsView, NetFollowup};

impl From<FollowupRow> for NetFollowup {
    fn from(r: FollowupRow) -> Self {
        NetFollowup {
            id: i32::try_from(r.id).unwrap_or(0),
            kind: r.kind.into(),
            title: r.title.into(),
            dates: r.dates.into(),
            note: r.note.into(),
            state: r.state.into(),
            open: r.open,
            overdue: r.overdue,
        }
    }
}

pub fn clear(w: &DeskWindow) {
    w.global::<FollowupsAdapter>()
        .set_view(FollowupsView::default());
}

/// The latest meeting's review first, then the follow-ups by day.
pub fn load(
    w: &DeskWindow,
    ctrl: &DeskController,
    record: i64,
    latest: Option<&Meeting>,
    today: NaiveDate,
    problems: &mut Vec<String>,
) {
    let followups = ctrl.store().followups(record).unwrap_or_else(|e| {
        problems.push(e.to_string());
        Vec::new()
    });
    let rows = latest
        .map(|m| text::review_row(m, today))
        .into_iter()
        .chain(followups.iter().map(|f| text::followup_row(f, today)));
    w.global::<FollowupsAdapter>().set_view(FollowupsView {
        followups: model(rows.map(NetFollowup::from).collect()),
        kinds: strings(&Kind::ALL.map(Kind::label_ja)),
        phases: strings(&PHASES),
    });
}

pub fn connect(window: &DeskWindow, wire: &Wire) {
    let a = window.global::<FollowupsAdapter>();
    let wi = wire.clone();
    a.on_add(move |f| {
        wi.act(|w, c, now| {
            let kind = usize::try_from(f.kind)
                .ok()
                .and_then(|i| Kind::ALL.get(i))
                .copied()
                .unwrap_or(Kind::Retention);
            let phase = if kind == Kind::Jobcoach {
                pick(&PHASES, f.phase).unwrap_or("").to_string()
            } else {
                f.label.to_string()
            };
            let form = FollowupForm {
                kind,
                phase,
                date: f.date.to_string(),
                until: f.until.to_string(),
                note: f.note.to_string(),
                plan: f.plan,
            };
            show(
                w,
                actions::add_followup(c, &form, super::today(c, now), now),
            )
        })
        .unwrap_or(false)
    });
    a.on_done(wire.act_on(|c, id, now| actions::followup_done(c, id, super::today(c, now), now)));
}
