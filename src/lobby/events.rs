//! What changed in the lobby between two readings: the events `hatarakitai lobby --follow`
//! prints, one JSON line each, and that make a desk chime. A desk that was away (a lost
//! connection, a restart) reads the lobby whole and compares: whatever happened meanwhile
//! comes out as events, so nothing is missed and nothing is told twice.

use std::collections::HashMap;

use super::{Arrival, Call, CallState, KioskHealth, Lobby};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A new call a desk can answer.
    Call(Call),
    Answered(Call),
    Arrival(Arrival),
    Scanned(Arrival),
    /// A kiosk's heartbeat brought something new (first seen, printer, speech, version,
    /// restart) or it fell silent.
    Health(KioskHealth),
}

impl Event {
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Call(_) => "call",
            Event::Answered(_) => "answered",
            Event::Arrival(_) => "arrival",
            Event::Scanned(_) => "scanned",
            Event::Health(_) => "health",
        }
    }

    /// One line of `lobby --follow`: `{"event": "call", "call": {…}}`.
    pub fn to_json(&self, now: i64) -> serde_json::Value {
        let (key, body) = match self {
            Event::Call(c) | Event::Answered(c) => ("call", super::call_json(c, now)),
            Event::Arrival(a) | Event::Scanned(a) => ("arrival", super::arrival_json(a, now)),
            Event::Health(k) => ("kiosk", super::kiosk_json(k, now)),
        };
        serde_json::json!({ "event": self.kind(), key: body })
    }
}

/// The events that lead from `before` to `after`. A call that expired unseen is not told
/// (LOBBY.md §5: never delivered late).
pub fn between(before: &Lobby, after: &Lobby) -> Vec<Event> {
    let mut out = Vec::new();
    let calls: HashMap<i64, &Call> = before.calls.iter().map(|c| (c.id, c)).collect();
    for c in &after.calls {
        match calls.get(&c.id) {
            None if c.state(after.now) == CallState::Open => out.push(Event::Call(c.clone())),
            None if c.answered_by.is_some() => out.push(Event::Answered(c.clone())),
            Some(old) if old.answered_by.is_none() && c.answered_by.is_some() => {
                out.push(Event::Answered(c.clone()))
            }
            _ => {}
        }
    }
    let arrivals: HashMap<i64, &Arrival> = before.arrivals.iter().map(|a| (a.id, a)).collect();
    for a in &after.arrivals {
        match arrivals.get(&a.id) {
            None if a.scanned_at.is_none() => out.push(Event::Arrival(a.clone())),
            None => out.push(Event::Scanned(a.clone())),
            Some(old) if old.scanned_at.is_none() && a.scanned_at.is_some() => {
                out.push(Event::Scanned(a.clone()))
            }
            _ => {}
        }
    }
    let kiosks: HashMap<i64, &KioskHealth> =
        before.kiosks.iter().map(|k| (k.kiosk_id, k)).collect();
    for k in &after.kiosks {
        let news = match kiosks.get(&k.kiosk_id) {
            None => true,
            Some(old) => {
                (
                    old.printer,
                    old.speech,
                    &old.version,
                    old.running_since,
                    &old.kiosk_name,
                ) != (
                    k.printer,
                    k.speech,
                    &k.version,
                    k.running_since,
                    &k.kiosk_name,
                ) || old.warning(before.now) != k.warning(after.now)
            }
        };
        if news {
            out.push(Event::Health(k.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::PrinterState;
    use super::super::tests::{arrival, call, kiosk};
    use super::*;

    fn kinds(e: &[Event]) -> Vec<&'static str> {
        e.iter().map(Event::kind).collect()
    }

    #[test]
    fn each_change_is_one_event_and_nothing_twice() {
        let empty = Lobby::default();
        let one = Lobby {
            now: 1010,
            calls: vec![call(1, 1000)],
            arrivals: vec![arrival(7, 900)],
            kiosks: vec![kiosk(1000, PrinterState::Ok)],
        };
        assert_eq!(kinds(&between(&empty, &one)), ["call", "arrival", "health"]);
        assert!(between(&one, &one).is_empty());

        let mut two = one.clone();
        two.now = 1020;
        two.calls[0].answered_by = Some("sato".into());
        two.arrivals[0].scanned_at = Some(1015);
        two.kiosks[0].printer = PrinterState::PaperOut;
        let e = between(&one, &two);
        assert_eq!(kinds(&e), ["answered", "scanned", "health"]);
        assert_eq!(e[0].to_json(1020)["call"]["answered_by"], "sato");
        assert_eq!(e[2].to_json(1020)["kiosk"]["printer"], "paper_out");

        // Silence is news once; the heartbeat's return is news again.
        let mut silent = two.clone();
        silent.now = 1000 + super::super::SILENT_AFTER + 1;
        assert_eq!(kinds(&between(&two, &silent)), ["health"]);
        let mut later = silent.clone();
        later.now += 30;
        assert!(between(&silent, &later).is_empty());
    }

    #[test]
    fn a_call_that_expired_unseen_is_never_told() {
        let late = Lobby {
            now: 2000,
            calls: vec![call(1, 1000)],
            ..Lobby::default()
        };
        assert!(between(&Lobby::default(), &late).is_empty());
    }
}
