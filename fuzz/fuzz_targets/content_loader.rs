//! Content and config loading must turn any bytes into content or a clear error, never panic.
#![no_main]

use hatarakitai::config::Config;
use hatarakitai::content::{Content, EMBEDDED_QUESTIONS, EMBEDDED_ROUTES, EMBEDDED_RULES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The first byte picks which file the fuzzer's text replaces.
    match data.first().map(|b| b % 4) {
        Some(0) => drop(Content::from_texts(("q", text), ("r", EMBEDDED_ROUTES), ("u", EMBEDDED_RULES))),
        Some(1) => drop(Content::from_texts(("q", EMBEDDED_QUESTIONS), ("r", text), ("u", EMBEDDED_RULES))),
        Some(2) => drop(Content::from_texts(("q", EMBEDDED_QUESTIONS), ("r", EMBEDDED_ROUTES), ("u", text))),
        _ => drop(Config::parse("c", text)),
    }
    // Ruby markup parsing on any text.
    let _ = hatarakitai::content::text::parse_ruby(text);
});
