//! Keys and the keypad (ACCESS.md §2): which key does what. A USB numeric keypad works as an
//! EZ-Access-style keypad (8/2/4/6 move, 5 selects, 0 goes back, `.` helps, `+`/`-` volume,
//! `*` speech); a full keyboard works with Tab, arrows, Enter, Space, Escape and Backspace.
//! The map is data (`[access.keys]` in the config): each action lists its keys by name.
//!
//! Slint reports a key as text (`KeyEvent.text`): a printable character, or a private-use
//! code for named keys (`i_slint_common::key_codes`). `key_name` turns that into the names
//! used in the config, so the map never depends on Slint's codes.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyAction {
    /// Focus back in reading order (Shift+Tab, ↑, ←, keypad 8 / 4).
    Previous,
    /// Focus on in reading order (Tab, ↓, →, keypad 2 / 6).
    Next,
    /// Activate the focused control (Enter, Space, keypad 5).
    Select,
    /// 「もどる」 (Escape, Backspace, keypad 0).
    Back,
    /// Read a short explanation of this screen.
    Help,
    VolumeUp,
    VolumeDown,
    /// Speech on / off.
    Speech,
    /// Slow speech (×0.8) on / off.
    Slow,
}

/// Action names as written in the config, with the keys they have by default.
pub const ACTIONS: &[(&str, KeyAction, &[&str])] = &[
    (
        "previous",
        KeyAction::Previous,
        &["Shift+Tab", "Up", "Left", "8", "4"],
    ),
    ("next", KeyAction::Next, &["Tab", "Down", "Right", "2", "6"]),
    ("select", KeyAction::Select, &["Enter", "Space", "5"]),
    (
        "back",
        KeyAction::Back,
        &["Escape", "Backspace", "0", "Insert"],
    ),
    ("help", KeyAction::Help, &[".", "Delete", "F1", "?"]),
    ("volume_up", KeyAction::VolumeUp, &["+"]),
    ("volume_down", KeyAction::VolumeDown, &["-"]),
    ("speech", KeyAction::Speech, &["*"]),
    ("slow", KeyAction::Slow, &["/"]),
];

/// Named keys (besides single printable characters) and their Slint key text.
const NAMED: &[(&str, char)] = &[
    ("Backspace", '\u{0008}'),
    ("Tab", '\u{0009}'),
    ("Enter", '\u{000a}'),
    ("Escape", '\u{001b}'),
    ("Delete", '\u{007f}'),
    ("Space", ' '),
    ("Up", '\u{F700}'),
    ("Down", '\u{F701}'),
    ("Left", '\u{F702}'),
    ("Right", '\u{F703}'),
    ("F1", '\u{F704}'),
    ("F2", '\u{F705}'),
    ("F3", '\u{F706}'),
    ("F4", '\u{F707}'),
    ("F5", '\u{F708}'),
    ("F6", '\u{F709}'),
    ("F7", '\u{F70A}'),
    ("F8", '\u{F70B}'),
    ("F9", '\u{F70C}'),
    ("F10", '\u{F70D}'),
    ("F11", '\u{F70E}'),
    ("F12", '\u{F70F}'),
    ("Insert", '\u{F727}'),
    ("Home", '\u{F729}'),
    ("End", '\u{F72B}'),
    ("PageUp", '\u{F72C}'),
    ("PageDown", '\u{F72D}'),
];

/// The config name of a key as Slint reports it (`text` of a key press, with Shift), or None
/// for keys that have no name here (modifiers alone, IME text).
pub fn key_name(text: &str, shift: bool) -> Option<String> {
    let mut chars = text.chars();
    let c = chars.next()?;
    if chars.next().is_some() {
        return None;
    }
    if c == '\u{0019}' || (c == '\t' && shift) {
        return Some("Shift+Tab".into());
    }
    if c == '\r' {
        return Some("Enter".into());
    }
    if let Some((name, _)) = NAMED.iter().find(|(_, k)| *k == c) {
        return Some((*name).into());
    }
    (c.is_ascii_graphic()).then(|| c.to_string())
}

/// Is `name` a key the map can hold?
pub fn known_key(name: &str) -> bool {
    name == "Shift+Tab"
        || NAMED.iter().any(|(n, _)| *n == name)
        || (name.chars().count() == 1 && name.chars().all(|c| c.is_ascii_graphic()))
}

/// The names a config may use, for error messages.
pub fn key_names_help() -> String {
    let mut names: Vec<&str> = NAMED.iter().map(|(n, _)| *n).collect();
    names.push("Shift+Tab");
    format!(
        "{}, or one printable character such as 8 . + *",
        names.join(", ")
    )
}

/// Which action each key does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap {
    keys: BTreeMap<String, KeyAction>,
}

impl Default for KeyMap {
    fn default() -> Self {
        KeyMap::with(&BTreeMap::new())
    }
}

impl KeyMap {
    /// The default map with some actions given other keys (`action name → key names`, already
    /// checked with `known_key` and `action_named`).
    pub fn with(overrides: &BTreeMap<String, Vec<String>>) -> KeyMap {
        let mut keys = BTreeMap::new();
        for (name, action, defaults) in ACTIONS {
            let list: Vec<String> = match overrides.get(*name) {
                Some(given) => given.clone(),
                None => defaults.iter().map(|s| s.to_string()).collect(),
            };
            for k in list {
                keys.entry(k).or_insert(*action);
            }
        }
        KeyMap { keys }
    }

    pub fn action(&self, key_name: &str) -> Option<KeyAction> {
        self.keys.get(key_name).copied()
    }
}

pub fn action_named(name: &str) -> Option<KeyAction> {
    ACTIONS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, a, _)| *a)
}

pub fn action_names() -> String {
    ACTIONS
        .iter()
        .map(|(n, _, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slint_key_texts_have_names() {
        assert_eq!(key_name("\u{F700}", false).as_deref(), Some("Up"));
        assert_eq!(key_name("\t", true).as_deref(), Some("Shift+Tab"));
        assert_eq!(key_name("\u{0019}", false).as_deref(), Some("Shift+Tab"));
        assert_eq!(key_name("\n", false).as_deref(), Some("Enter"));
        assert_eq!(key_name("\r", false).as_deref(), Some("Enter"));
        assert_eq!(key_name("8", false).as_deref(), Some("8"));
        assert_eq!(key_name("あ", false), None);
        assert_eq!(key_name("\u{0010}", false), None);
    }

    #[test]
    fn the_default_map_is_the_spec_keypad() {
        let m = KeyMap::default();
        assert_eq!(m.action("8"), Some(KeyAction::Previous));
        assert_eq!(m.action("2"), Some(KeyAction::Next));
        assert_eq!(m.action("4"), Some(KeyAction::Previous));
        assert_eq!(m.action("6"), Some(KeyAction::Next));
        assert_eq!(m.action("5"), Some(KeyAction::Select));
        assert_eq!(m.action("Enter"), Some(KeyAction::Select));
        assert_eq!(m.action("0"), Some(KeyAction::Back));
        assert_eq!(m.action("Backspace"), Some(KeyAction::Back));
        assert_eq!(m.action("."), Some(KeyAction::Help));
        assert_eq!(m.action("+"), Some(KeyAction::VolumeUp));
        assert_eq!(m.action("-"), Some(KeyAction::VolumeDown));
        assert_eq!(m.action("*"), Some(KeyAction::Speech));
        assert_eq!(m.action("x"), None);
    }

    #[test]
    fn an_override_replaces_that_actions_keys() {
        let mut o = BTreeMap::new();
        o.insert("help".to_string(), vec!["h".to_string()]);
        let m = KeyMap::with(&o);
        assert_eq!(m.action("h"), Some(KeyAction::Help));
        assert_eq!(m.action("."), None);
        assert!(known_key("PageDown") && known_key("+") && !known_key("Hyper") && !known_key("ab"));
    }
}
