//! The generated Slint code for the desk window.
#![allow(clippy::all)]
slint::include_modules!();
