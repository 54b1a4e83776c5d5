//! The lobby kiosk: Slint UI controllers around the pure domain.
//!
//! touch → `adapter` callback → `controller` (plain Rust state machine) → domain (matcher) /
//! `backend` (store, slip, printer) → `controller::View` → `adapter` sets the Slint models.

pub mod adapter;
pub mod backend;
pub mod controller;
/// Key names → actions lives below the kiosk (the config validates `[access.keys]` with it).
pub use crate::keys;
pub mod live;
pub mod lobby;
pub mod measure;
pub mod pin;
pub mod pin_files;
pub mod publish;
pub mod rtext;
pub mod run;
pub mod simulate;
pub mod speak;
pub mod staff_stats;
pub mod test_print;
pub mod ui_texts;
