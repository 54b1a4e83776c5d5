//! The lobby as the desks see it (LOBBY.md): staff calls from the kiosks, visitors waiting
//! with a printed slip, and each kiosk's health. Plain data and pure rules, no store, no
//! Slint: `desk::store::lobby_sql` reads a `Lobby` from the team's database, `events` says
//! what changed between two of them (`hatarakitai lobby --follow`, the desk's chime),
//! `text` holds the words the desks show.
//!
//! Nothing here comes from a visit's answers: a call or an arrival carries the kiosk, the
//! time, the language and which aids were in use, and a receipt number — never a route, an
//! answer or a name of the visitor.

use serde::Serialize;

pub mod events;
pub mod text;

/// The kiosk's printer as it reported itself at its last print or test (LOBBY.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrinterState {
    Ok,
    PaperOut,
    CoverOpen,
    Offline,
    /// Cutter jam, overheating, no answer, cannot be reached or written.
    Error,
    /// Slips go to a folder (`[printer] kind = "file"`): there is no printer to watch.
    NotConfigured,
    /// Nothing printed or tested since the kiosk started.
    Unknown,
}

impl PrinterState {
    pub const ALL: [PrinterState; 7] = [
        PrinterState::Ok,
        PrinterState::PaperOut,
        PrinterState::CoverOpen,
        PrinterState::Offline,
        PrinterState::Error,
        PrinterState::NotConfigured,
        PrinterState::Unknown,
    ];

    /// The word stored and printed in JSON.
    pub fn id(self) -> &'static str {
        match self {
            PrinterState::Ok => "ok",
            PrinterState::PaperOut => "paper_out",
            PrinterState::CoverOpen => "cover_open",
            PrinterState::Offline => "offline",
            PrinterState::Error => "error",
            PrinterState::NotConfigured => "not_configured",
            PrinterState::Unknown => "unknown",
        }
    }

    /// A stored word; an unknown one (a newer kiosk) reads as `Unknown`.
    pub fn from_id(s: &str) -> PrinterState {
        PrinterState::ALL
            .into_iter()
            .find(|p| p.id() == s)
            .unwrap_or(PrinterState::Unknown)
    }

    /// A printer that cannot print a slip now.
    pub fn blocks_printing(self) -> bool {
        matches!(
            self,
            PrinterState::PaperOut
                | PrinterState::CoverOpen
                | PrinterState::Offline
                | PrinterState::Error
        )
    }
}

/// A visitor's 「スタッフを よぶ」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Call {
    pub id: i64,
    pub kiosk_id: i64,
    pub kiosk_name: String,
    /// Unix seconds, the server's clock.
    pub called_at: i64,
    /// After this the kiosk has told the visitor to go to the reception window: the call is
    /// no longer offered to the desks (`[kiosk] call_answer_seconds`).
    pub expires_at: i64,
    pub lang: String,
    pub speech: bool,
    pub keys: bool,
    /// The login and display name of who answered 「行きます」.
    pub answered_by: Option<String>,
    pub answered_name: Option<String>,
    pub answered_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    Open,
    Answered,
    /// Nobody answered in time; the kiosk sent the visitor to the window.
    Expired,
}

impl Call {
    pub fn state(&self, now: i64) -> CallState {
        if self.answered_by.is_some() {
            CallState::Answered
        } else if now >= self.expires_at {
            CallState::Expired
        } else {
            CallState::Open
        }
    }
}

/// A printed slip whose holder waits in the lobby (LOBBY.md §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Arrival {
    pub id: i64,
    pub receipt_no: String,
    pub kiosk_id: i64,
    pub kiosk_name: String,
    /// The visit's serial at that kiosk: the scan of the slip matches on kiosk + serial.
    pub serial: i64,
    pub arrived_at: i64,
    pub lang: String,
    pub speech: bool,
    pub keys: bool,
    pub large_text: bool,
    /// 「対応中」: who is walking up to this visitor.
    pub handling_by: Option<String>,
    pub handling_name: Option<String>,
    pub scanned_at: Option<i64>,
}

/// A kiosk's last heartbeat (LOBBY.md §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KioskHealth {
    pub kiosk_id: i64,
    pub kiosk_name: String,
    pub running_since: i64,
    pub printer: PrinterState,
    pub speech: bool,
    pub version: String,
    pub seen_at: i64,
}

/// Heartbeats are sent every minute; a kiosk silent for more than three is a warning.
pub const HEARTBEAT_SECONDS: i64 = 60;
pub const SILENT_AFTER: i64 = 3 * HEARTBEAT_SECONDS;

/// What a kiosk's row warns staff of, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Warning {
    Silent,
    Printer(PrinterState),
}

impl KioskHealth {
    pub fn warning(&self, now: i64) -> Option<Warning> {
        if now - self.seen_at > SILENT_AFTER {
            Some(Warning::Silent)
        } else if self.printer.blocks_printing() {
            Some(Warning::Printer(self.printer))
        } else {
            None
        }
    }
}

/// Everything the desks show of the lobby, read at `now` (the reader's clock).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lobby {
    pub now: i64,
    /// Today's calls, oldest first.
    pub calls: Vec<Call>,
    /// Today's arrivals (scanned ones too, so a scan is seen as such), oldest first.
    pub arrivals: Vec<Arrival>,
    pub kiosks: Vec<KioskHealth>,
}

impl Lobby {
    /// Calls a desk can still answer.
    pub fn open_calls(&self) -> impl Iterator<Item = &Call> {
        self.calls
            .iter()
            .filter(|c| c.state(self.now) == CallState::Open)
    }

    /// Visitors waiting: today's arrivals whose slip was not scanned yet.
    pub fn waiting(&self) -> impl Iterator<Item = &Arrival> {
        self.arrivals.iter().filter(|a| a.scanned_at.is_none())
    }

    /// Kiosks with a warning, and which.
    pub fn warnings(&self) -> impl Iterator<Item = (&KioskHealth, Warning)> {
        self.kiosks
            .iter()
            .filter_map(|k| k.warning(self.now).map(|w| (k, w)))
    }

    /// `hatarakitai lobby --format json`: `{"calls": […], "waiting": […], "kiosks": […]}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "calls": self.calls.iter().map(|c| call_json(c, self.now)).collect::<Vec<_>>(),
            "waiting": self.waiting().map(|a| arrival_json(a, self.now)).collect::<Vec<_>>(),
            "kiosks": self.kiosks.iter().map(|k| kiosk_json(k, self.now)).collect::<Vec<_>>(),
        })
    }
}

/// Unix seconds as RFC 3339 (UTC), as every other JSON of this program.
pub fn rfc3339(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

pub fn call_json(c: &Call, now: i64) -> serde_json::Value {
    serde_json::json!({
        "id": c.id,
        "kiosk_id": c.kiosk_id,
        "kiosk_name": c.kiosk_name,
        "called_at": rfc3339(c.called_at),
        "expires_at": rfc3339(c.expires_at),
        "state": c.state(now),
        "lang": c.lang,
        "speech": c.speech,
        "keys": c.keys,
        "answered_by": c.answered_by,
        "answered_name": c.answered_name,
        "answered_at": c.answered_at.map(rfc3339),
    })
}

pub fn arrival_json(a: &Arrival, now: i64) -> serde_json::Value {
    serde_json::json!({
        "id": a.id,
        "receipt_no": a.receipt_no,
        "kiosk_id": a.kiosk_id,
        "kiosk_name": a.kiosk_name,
        "arrived_at": rfc3339(a.arrived_at),
        "waited_seconds": (a.scanned_at.unwrap_or(now) - a.arrived_at).max(0),
        "lang": a.lang,
        "speech": a.speech,
        "keys": a.keys,
        "large_text": a.large_text,
        "handling_by": a.handling_by,
        "handling_name": a.handling_name,
        "scanned_at": a.scanned_at.map(rfc3339),
    })
}

pub fn kiosk_json(k: &KioskHealth, now: i64) -> serde_json::Value {
    let warning = k.warning(now).map(|w| match w {
        Warning::Silent => "silent".to_string(),
        Warning::Printer(p) => format!("printer_{}", p.id()),
    });
    serde_json::json!({
        "kiosk_id": k.kiosk_id,
        "kiosk_name": k.kiosk_name,
        "running_since": rfc3339(k.running_since),
        "printer": k.printer,
        "speech": k.speech,
        "version": k.version,
        "last_seen": rfc3339(k.seen_at),
        "warning": warning,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn call(id: i64, at: i64) -> Call {
        Call {
            id,
            kiosk_id: 1,
            kiosk_name: "1階ロビー".into(),
            called_at: at,
            expires_at: at + 60,
            lang: "ja-easy".into(),
            speech: true,
            keys: false,
            answered_by: None,
            answered_name: None,
            answered_at: None,
        }
    }

    pub fn arrival(id: i64, at: i64) -> Arrival {
        Arrival {
            id,
            receipt_no: format!("1-{id:04}"),
            kiosk_id: 1,
            kiosk_name: "1階ロビー".into(),
            serial: id,
            arrived_at: at,
            lang: "ja".into(),
            speech: false,
            keys: true,
            large_text: true,
            handling_by: None,
            handling_name: None,
            scanned_at: None,
        }
    }

    pub fn kiosk(seen: i64, printer: PrinterState) -> KioskHealth {
        KioskHealth {
            kiosk_id: 1,
            kiosk_name: "1階ロビー".into(),
            running_since: seen - 3600,
            printer,
            speech: true,
            version: "0.1.0".into(),
            seen_at: seen,
        }
    }

    #[test]
    fn a_call_is_open_until_answered_or_expired() {
        let mut c = call(1, 1000);
        assert_eq!(c.state(1000), CallState::Open);
        assert_eq!(c.state(1059), CallState::Open);
        assert_eq!(c.state(1060), CallState::Expired);
        c.answered_by = Some("sato".into());
        assert_eq!(c.state(1010), CallState::Answered);
        assert_eq!(c.state(5000), CallState::Answered);
    }

    #[test]
    fn a_kiosk_warns_when_silent_for_three_heartbeats_or_its_printer_cannot_print() {
        let k = kiosk(1000, PrinterState::Ok);
        assert_eq!(k.warning(1000 + SILENT_AFTER), None);
        assert_eq!(k.warning(1001 + SILENT_AFTER), Some(Warning::Silent));
        for p in PrinterState::ALL {
            let w = kiosk(1000, p).warning(1010);
            assert_eq!(w.is_some(), p.blocks_printing(), "{p:?}");
            assert_eq!(PrinterState::from_id(p.id()), p);
        }
        assert_eq!(
            PrinterState::from_id("on_fire_in_a_newer_version"),
            PrinterState::Unknown
        );
        assert!(!PrinterState::NotConfigured.blocks_printing());
    }

    #[test]
    fn the_json_lists_open_calls_waiting_visitors_and_kiosks() {
        let mut scanned = arrival(2, 1000);
        scanned.scanned_at = Some(1200);
        let lobby = Lobby {
            now: 1300,
            calls: vec![call(1, 1290)],
            arrivals: vec![arrival(1, 1000), scanned],
            kiosks: vec![kiosk(1290, PrinterState::PaperOut)],
        };
        let j = lobby.to_json();
        assert_eq!(j["calls"][0]["state"], "open");
        assert_eq!(j["calls"][0]["called_at"], "1970-01-01T00:21:30Z");
        assert_eq!(j["waiting"].as_array().map(Vec::len), Some(1));
        assert_eq!(j["waiting"][0]["waited_seconds"], 300);
        assert_eq!(j["waiting"][0]["receipt_no"], "1-0001");
        assert_eq!(j["kiosks"][0]["printer"], "paper_out");
        assert_eq!(j["kiosks"][0]["warning"], "printer_paper_out");
    }
}
