//! The support network around a person (NETWORK.md): the agency directory (`agency`), the
//! case's network with consent and the contact log (`case`), 個別支援会議 and the pyramid
//! (`meeting`, drawn by the desk, printed by `meeting_pdf`), follow-ups (`followup`), what is
//! due (`due`) and the council's counts (`council`). Plain Rust: parsing, checks, the consent
//! rule and layouts; the desk store keeps them (its tables: `desk::store::schema`) and the CLI
//! and the desk drive them.

pub mod agency;
pub mod case;
pub mod council;
pub mod due;
pub mod followup;
pub mod meeting;
pub mod meeting_pdf;

/// The tables holding a record's network, deleted with the record by retention.
pub const CASE_TABLES: [&str; 6] = [
    "case_link",
    "contact",
    "meeting",
    "assessment",
    "followup",
    "consent_event",
];
