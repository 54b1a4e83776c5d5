//! The lobby kiosk: Slint UI controllers around the pure domain.

pub mod backend;
pub mod live;
