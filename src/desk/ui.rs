//! The desk window's generated Slint code lives with the kiosk's (one compiled `ui/app.slint`).
pub use crate::kiosk::ui::{
    Bar, DeskAdapter, DeskAnswer, DeskAudit, DeskBar, DeskDayRow, DeskListItem, DeskRoute,
    DeskWindow, StaffAdapter, StaffRow,
};
