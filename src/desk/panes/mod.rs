//! The desk's network panes (NETWORK.md §1–3): the open record's 連携 / 会議 / 評価 / 予定, the
//! due list on the desk's home and the agency directory. One module per pane, each with its
//! own Slint global (ui/desk_{network,meetings,pyramid,followups,due,agencies}.slint) and three
//! functions: `load` sets the pane's whole view in one call, `clear` sets it back to its empty
//! default, `connect` wires the pane's callbacks to `desk::network`'s actions.
//!
//! What staff type lives in the pane components (DeskRecord holds the record's forms), not in
//! the globals: closing a record or locking the desk drops it. The words shown are built by
//! `desk::pane_text`; this module only copies them into models.

pub mod agencies;
pub mod due;
pub mod followups;
pub mod links;
pub mod lobby;
pub mod meetings;
pub mod pyramid;

use std::cell::RefCell;
use std::rc::Rc;

use chrono::NaiveDate;
use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};

use super::clock::{Clock, local_day};
use super::controller::DeskController;
use super::network::{self as actions, Outcome};
use crate::ui::{DeskWindow, RecordPanes};

pub(crate) fn model<T: Clone + 'static>(v: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(v))
}

pub(crate) fn strings<S: AsRef<str>>(v: &[S]) -> ModelRc<SharedString> {
    model(v.iter().map(|s| SharedString::from(s.as_ref())).collect())
}

pub(crate) fn today(ctrl: &DeskController, now: i64) -> NaiveDate {
    local_day(now, ctrl.timezone())
}

/// The id at `pos` of a pick list's ids as shown (None when nothing valid is picked).
pub(crate) fn picked<T: Clone + 'static>(ids: &ModelRc<T>, pos: i32) -> Option<T> {
    usize::try_from(pos).ok().and_then(|i| ids.row_data(i))
}

/// The item at `pos` of a fixed list (None when nothing valid is picked).
pub(crate) fn pick<'a>(list: &[&'a str], pos: i32) -> Option<&'a str> {
    usize::try_from(pos).ok().and_then(|i| list.get(i)).copied()
}

/// Shows an action's answer above the record's parts; true when it was done.
pub(crate) fn show(w: &DeskWindow, o: Outcome) -> bool {
    let a = w.global::<RecordPanes>();
    let ok = o.is_ok();
    let (text, kind) = match o {
        Ok(m) => (m, 1),
        Err(m) => (m, 2),
    };
    a.set_message(text.into());
    a.set_message_kind(kind);
    ok
}

/// What every pane's callback needs: the window, the controller, the clock, and `touch` (an
/// action at the desk: the lock timer starts again).
#[derive(Clone)]
pub struct Wire {
    pub w: slint::Weak<DeskWindow>,
    pub ctrl: Rc<RefCell<DeskController>>,
    pub clock: Clock,
    pub touch: Rc<dyn Fn()>,
}

impl Wire {
    /// Runs `f` (after `touch`) and returns its answer; None when the window is gone.
    pub fn with<R>(&self, f: impl FnOnce(&DeskWindow, &DeskController, i64) -> R) -> Option<R> {
        let w = self.w.upgrade()?;
        (self.touch)();
        let now = (self.clock)();
        let c = self.ctrl.borrow();
        Some(f(&w, &c, now))
    }

    /// Runs a write, then reloads the record's panes and the due list.
    pub fn act<R>(&self, f: impl FnOnce(&DeskWindow, &DeskController, i64) -> R) -> Option<R> {
        self.with(|w, c, now| {
            let r = f(w, c, now);
            load_record(w, c, now);
            load_due(w, c, now);
            r
        })
    }

    /// An action on one listed item's id (「終了にする」「済みにする」), its answer shown.
    pub fn act_on(&self, f: fn(&DeskController, i64, i64) -> Outcome) -> impl Fn(i32) + 'static {
        let wire = self.clone();
        move |id| {
            wire.act(|w, c, now| show(w, f(c, i64::from(id), now)));
        }
    }
}

/// Empties every pane that names a person (the record's parts and the due list) on sign-out
/// and lock: each pane's view back to its empty default in one call. The forms are gone with
/// their components; the agency directory names no visitor and stays.
pub fn clear(w: &DeskWindow) {
    let r = w.global::<RecordPanes>();
    r.set_message("".into());
    r.set_message_kind(0);
    r.set_record(-1);
    links::clear(w);
    meetings::clear(w);
    pyramid::clear(w);
    followups::clear(w);
    due::clear(w);
    lobby::clear(w);
}

/// Fills the open record's parts (and clears the last answer when another record was
/// opened). Called by `adapter::refresh`.
pub fn load_record(w: &DeskWindow, ctrl: &DeskController, now: i64) {
    let r = w.global::<RecordPanes>();
    let today = today(ctrl, now);
    r.set_today(today.to_string().into());
    let Some(v) = ctrl.current.as_ref() else {
        r.set_record(-1);
        r.set_message("".into());
        return;
    };
    let record = v.id;
    if i64::from(r.get_record()) != record {
        r.set_record(i32::try_from(record).unwrap_or(-1));
        r.set_message("".into());
    }
    let mut problems = Vec::new();
    let agencies = actions::directory(ctrl, now).unwrap_or_else(|e| {
        problems.push(e);
        Vec::new()
    });
    let store = ctrl.store();
    let meetings = store.meetings(Some(record)).unwrap_or_else(|e| {
        problems.push(e.to_string());
        Vec::new()
    });
    links::load(w, ctrl, record, &agencies, today, &mut problems);
    meetings::load(w, &meetings);
    pyramid::load(w, ctrl, v, &mut problems);
    followups::load(w, ctrl, record, meetings.last(), today, &mut problems);
    if !problems.is_empty() {
        r.set_message(problems.join(" / ").into());
        r.set_message_kind(3);
    }
}

/// The home's due list (read only while no record is open).
pub fn load_due(w: &DeskWindow, ctrl: &DeskController, now: i64) {
    due::load(w, ctrl, now);
}

/// Wires every pane's callbacks.
pub fn connect(
    window: &DeskWindow,
    ctrl: Rc<RefCell<DeskController>>,
    clock: Clock,
    touch: Rc<dyn Fn()>,
) {
    let wire = Wire {
        w: window.as_weak(),
        ctrl,
        clock,
        touch,
    };
    links::connect(window, &wire);
    meetings::connect(window, &wire);
    pyramid::connect(window, &wire);
    followups::connect(window, &wire);
    due::connect(window, &wire);
    agencies::connect(window, &wire);
    lobby::connect(window, &wire);
}
