//! The generated Slint code (ui/app.slint, compiled by build.rs).
#![allow(clippy::all, missing_docs, unused_qualifications)]
slint::include_modules!();
