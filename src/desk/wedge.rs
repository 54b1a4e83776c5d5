//! The desk window's side of `scan::Wedge` (TRUST.md §9): the window's top `FocusScope` asks
//! `DeskAdapter.wedge-key` about every key before the focused field sees it. Held keys are
//! given back to the field by dispatching them to the window again (with the detector
//! stepped aside), a finished burst goes to the scan, and a single-shot timer ends a burst
//! that stops without Enter.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use slint::ComponentHandle;
use slint::platform::WindowEvent;

use super::scan::{BURST_GAP_MS, Wedge, WedgeKey};
use crate::ui::{DeskAdapter, DeskWindow};

struct State {
    wedge: RefCell<Wedge>,
    /// While held keys are typed back into the field, they pass.
    replaying: Cell<bool>,
    start: Instant,
    timer: slint::Timer,
}

/// Wires `wedge-key`; keep the returned handle as long as the window lives.
pub fn connect(window: &DeskWindow) -> Rc<impl Sized> {
    let state = Rc::new(State {
        wedge: RefCell::new(Wedge::default()),
        replaying: Cell::new(false),
        start: Instant::now(),
        timer: slint::Timer::default(),
    });
    let (w, st) = (window.as_weak(), Rc::downgrade(&state));
    window.global::<DeskAdapter>().on_wedge_key(move |text| {
        let (Some(w), Some(st)) = (w.upgrade(), st.upgrade()) else {
            return false;
        };
        if st.replaying.get() {
            return false;
        }
        let now = u64::try_from(st.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        let answer = st.wedge.borrow_mut().key(&text, now);
        let taken = act(&w, &st, answer);
        if st.wedge.borrow().holding() {
            let (w2, st2) = (w.as_weak(), Rc::downgrade(&st));
            st.timer.start(
                slint::TimerMode::SingleShot,
                Duration::from_millis(BURST_GAP_MS + 5),
                move || {
                    let (Some(w), Some(st)) = (w2.upgrade(), st2.upgrade()) else {
                        return;
                    };
                    let answer = st.wedge.borrow_mut().expire();
                    act(&w, &st, answer);
                },
            );
        }
        taken
    });
    state
}

/// Carries out the detector's answer; true = the key was taken from the field.
fn act(w: &DeskWindow, st: &Rc<State>, answer: WedgeKey) -> bool {
    match answer {
        WedgeKey::Pass => false,
        WedgeKey::Hold => true,
        WedgeKey::Replay(text) => {
            // Typed back now, in order, before any later key: the held keys (and this one)
            // go to the focused field as if they had never been held.
            st.replaying.set(true);
            for c in text.chars() {
                let t: slint::SharedString = c.to_string().into();
                w.window()
                    .dispatch_event(WindowEvent::KeyPressed { text: t.clone() });
                w.window()
                    .dispatch_event(WindowEvent::KeyReleased { text: t });
            }
            st.replaying.set(false);
            true
        }
        WedgeKey::Scan(text) => {
            let w = w.as_weak();
            slint::Timer::single_shot(Duration::ZERO, move || {
                if let Some(w) = w.upgrade() {
                    w.global::<DeskAdapter>().invoke_scanned(text.into());
                }
            });
            true
        }
    }
}
