//! The staff desk: scan a slip, open the intake record, edit it with an audit trail; the
//! person's support network, meetings, pyramid and follow-ups; what is due.

pub mod accounts;
pub mod adapter;
pub mod arrivals;
pub mod chime;
pub mod clock;
pub mod controller;
pub mod intake;
pub mod lobby_live;
pub mod network;
pub mod pane_text;
pub mod panes;
pub mod private_files;
pub mod retention;
pub mod run;
pub mod scan;
pub mod session;
pub mod staff_admin;
pub mod staff_pane;
pub mod stats_tab;
pub mod store;
pub mod view;
pub mod wedge;
