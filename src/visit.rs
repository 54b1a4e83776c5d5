//! What a kiosk visit produces, shared by the kiosk and the rooms below it (the store
//! records end reasons and print results, the slip module makes tickets, the printer runs
//! jobs): plain types, no behaviour.

/// Why a visit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// Results were shown and the visitor finished (with or without a slip).
    Completed,
    /// The visitor tapped やめる / went back to the start; `at_question` is 0-based, or None
    /// when it happened before the first question.
    Abandoned { at_question: Option<u8> },
    /// The idle countdown ran out.
    IdleReset { at_question: Option<u8> },
}

/// A slip ready to show and print.
#[derive(Debug, Clone, PartialEq)]
pub struct SlipTicket {
    /// The slip bitmap the printer gets, as 8-bit grey (0 = black, 255 = white).
    pub width: u32,
    pub height: u32,
    pub luma: Vec<u8>,
    /// The QR text (`HT1…`), for the on-screen fallback QR.
    pub payload: String,
    /// 受付番号, e.g. `1125-023`.
    pub receipt_no: String,
}

/// The outcome of a print job, reported back on the UI thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintResult {
    Printed,
    /// Human-readable reason for staff (e.g. "paper end", "timeout after 8 s").
    Failed(String),
}

/// A print job to run off the UI thread. It must finish (or fail) within its own timeout.
pub type PrintJob = Box<dyn FnOnce() -> PrintResult + Send + 'static>;
