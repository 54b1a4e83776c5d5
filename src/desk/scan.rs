//! What arrives from a USB QR scanner in keyboard-wedge mode, cleaned up before decoding.
//!
//! The payload alphabet is `HT1` + Base32 (`0-9A-Z`), which reads the same on US and JIS
//! layouts. What goes wrong in practice: a Japanese IME left on (romaji turns into kana, or
//! letters arrive full-width), Caps Lock (lower case — accepted), a scanner set to the wrong
//! layout reading a foreign code with symbols (`:` arrives as `+` or `*`), stray CR/LF/TAB.
//! Each gets its own message, so staff know what to fix.

/// The cleaned scan text, or why it cannot be a slip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanInput {
    /// Upper-case ASCII alphanumerics, whitespace removed; ready for the payload decoder.
    Text(String),
    Empty,
    /// Kana or other IME output: the input method is on.
    ImeOn,
    /// Symbols that a US↔JIS layout mismatch produces; the text is not a slip of ours.
    LayoutSymbols(char),
    TooLong(usize),
}

/// Longer than any slip can be; beyond this the input is not read further.
pub const MAX_SCAN_CHARS: usize = 512;

pub fn clean(raw: &str) -> ScanInput {
    let n = raw.chars().count();
    if n > MAX_SCAN_CHARS {
        return ScanInput::TooLong(n);
    }
    let mut out = String::with_capacity(n);
    for c in raw.chars() {
        let c = match c {
            // Full-width ASCII (IME in 全角英数): unambiguous, so accept it.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        };
        if c.is_whitespace() || c.is_control() {
            continue;
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if is_kana_or_cjk(c) {
            return ScanInput::ImeOn;
        } else {
            return ScanInput::LayoutSymbols(c);
        }
    }
    if out.is_empty() {
        ScanInput::Empty
    } else {
        ScanInput::Text(out)
    }
}

fn is_kana_or_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xFF61..=0xFF9F | 0x3001..=0x303F)
}

impl ScanInput {
    /// The message for staff when the input is not usable (None for `Text`).
    pub fn problem(&self) -> Option<String> {
        match self {
            ScanInput::Text(_) => None,
            ScanInput::Empty => Some("読み取った内容が空です。受付票のQRコードをもう一度読み取ってください。 / Nothing was scanned: scan the slip's QR code again.".into()),
            ScanInput::ImeOn => Some(
                "日本語入力（IME）がオンになっています。半角英数に切り替えてから、もう一度読み取ってください。 / The Japanese input method is on: switch it off (半角英数) and scan again."
                    .into(),
            ),
            ScanInput::LayoutSymbols(c) => Some(format!(
                "受付票のQRではない記号「{c}」が入っています。別のQRコードか、スキャナーのキーボード配列（US/JIS）の設定違いです。受付票のQRを読み取ってください。 / The scan contains the symbol '{c}', which a hatarakitai slip never has: this is another QR code, or the scanner's keyboard layout (US/JIS) does not match this PC."
            )),
            ScanInput::TooLong(n) => Some(format!(
                "読み取った内容が長すぎます（{n}文字）。受付票のQRではありません。 / The scan is {n} characters long: too long for a hatarakitai slip."
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_scanner_noise() {
        assert_eq!(clean("  ht1abc\r\n"), ScanInput::Text("HT1ABC".into()));
        assert_eq!(clean("\tHT1A B\tC\n"), ScanInput::Text("HT1ABC".into()));
        assert_eq!(clean("ＨＴ１ＡＢＣ"), ScanInput::Text("HT1ABC".into()));
        assert_eq!(clean("\r\n"), ScanInput::Empty);
        assert_eq!(clean("ｈｔ１あ"), ScanInput::ImeOn);
        assert_eq!(clean("ほげ"), ScanInput::ImeOn);
        assert_eq!(clean("https+//example"), ScanInput::LayoutSymbols('+'));
        assert!(matches!(
            clean(&"A".repeat(10_000)),
            ScanInput::TooLong(10_000)
        ));
        for s in [
            ScanInput::Empty,
            ScanInput::ImeOn,
            ScanInput::LayoutSymbols('*'),
            ScanInput::TooLong(600),
        ] {
            assert!(s.problem().is_some());
        }
    }
}

/// Tells a keyboard-wedge scanner from a person typing (TRUST.md §9): a burst that starts
/// with the slip's prefix (`HT1`) and whose keys come faster than anyone types goes to the
/// scan, whichever field has focus, and never into that field.
///
/// Keys are held back while they could still be the prefix; if the next key is too slow or
/// does not fit, the held keys are given back (`Wedge::Replay`) in order, so a person typing
/// 「H」 in a note loses nothing. After the prefix, every key is the scan's until Enter (or a
/// pause, for scanners set without a suffix). Times are milliseconds from any steady clock.
#[derive(Debug, Default)]
pub struct Wedge {
    held: String,
    last_ms: u64,
}

/// The slip's prefix (`payload`'s version tag), as a scanner types it.
pub const PREFIX: &str = "HT1";
/// The longest gap between two keys of a scanner's burst. Scanners type a key every few
/// milliseconds; people need more than 50 ms between keys, and far more for Shift+H, Shift+T.
pub const BURST_GAP_MS: u64 = 50;

/// What the window does with a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WedgeKey {
    /// Not a scan: the key goes to the focused field as usual.
    Pass,
    /// Held (a possible or sure scan): the field does not get it.
    Hold,
    /// Not a scan after all: type these held keys into the focused field, then this key
    /// (Pass) — in this order.
    Replay(String),
    /// The burst ended with Enter: this is the scan's text.
    Scan(String),
}

impl Wedge {
    /// Whether keys are being held (a timer should call `timeout` after `BURST_GAP_MS`).
    pub fn holding(&self) -> bool {
        !self.held.is_empty()
    }

    fn is_scan(&self) -> bool {
        self.held.len() >= PREFIX.len()
    }

    /// One key's text at `now_ms`.
    pub fn key(&mut self, text: &str, now_ms: u64) -> WedgeKey {
        // Shift and other keys without text (Slint sends them as control or private-use
        // characters) neither break nor start a burst.
        if text.chars().all(|c| {
            (c.is_control() && c != '\n' && c != '\r') || ('\u{E000}'..='\u{F8FF}').contains(&c)
        }) {
            return if self.holding() {
                WedgeKey::Hold
            } else {
                WedgeKey::Pass
            };
        }
        let gap = now_ms.saturating_sub(self.last_ms);
        self.last_ms = now_ms;
        if self.holding() && gap > BURST_GAP_MS {
            // Too slow for a scanner: what was held is a person's, and so is this key.
            let back = self.expire();
            return match back {
                WedgeKey::Replay(held) => {
                    // This key may itself start a scan.
                    if self.starts(text) {
                        self.held = text.to_ascii_uppercase();
                        WedgeKey::Replay(held)
                    } else {
                        WedgeKey::Replay(held + text)
                    }
                }
                // A sure scan without Enter that paused: take it, and this key is new.
                other => other,
            };
        }
        if self.is_scan() {
            return if text == "\n" || text == "\r" {
                WedgeKey::Scan(std::mem::take(&mut self.held))
            } else {
                self.held.push_str(text);
                if self.held.len() > MAX_SCAN_CHARS {
                    // Not a slip of ours: give up the burst rather than swallow a whole text.
                    WedgeKey::Scan(std::mem::take(&mut self.held))
                } else {
                    WedgeKey::Hold
                }
            };
        }
        let next = format!("{}{}", self.held, text.to_ascii_uppercase());
        if PREFIX.starts_with(&next) && !text.is_empty() {
            self.held = next;
            WedgeKey::Hold
        } else if self.holding() {
            WedgeKey::Replay(std::mem::take(&mut self.held) + text)
        } else {
            WedgeKey::Pass
        }
    }

    fn starts(&self, text: &str) -> bool {
        !text.is_empty() && PREFIX.starts_with(&text.to_ascii_uppercase())
    }

    /// No key for `BURST_GAP_MS`: held keys that were only a prefix go back to the field; a
    /// sure scan (prefix seen) is taken as it is.
    pub fn expire(&mut self) -> WedgeKey {
        let held = std::mem::take(&mut self.held);
        if held.is_empty() {
            WedgeKey::Pass
        } else if held.len() >= PREFIX.len() && PREFIX.eq_ignore_ascii_case(&held[..PREFIX.len()]) {
            WedgeKey::Scan(held)
        } else {
            WedgeKey::Replay(held)
        }
    }
}

#[cfg(test)]
mod wedge_tests {
    use super::*;

    fn feed(w: &mut Wedge, text: &str, start: u64, step: u64) -> Vec<WedgeKey> {
        text.chars()
            .enumerate()
            .map(|(i, c)| w.key(&c.to_string(), start + i as u64 * step))
            .filter(|k| *k != WedgeKey::Hold)
            .collect()
    }

    #[test]
    fn a_burst_with_the_prefix_is_a_scan_and_typing_is_not() {
        let mut w = Wedge::default();
        // A scanner: 5 ms a key, Enter at the end.
        assert_eq!(
            feed(&mut w, "HT1ABC234\n", 1000, 5),
            vec![WedgeKey::Scan("HT1ABC234".into())]
        );
        // A person typing "Hello" at 120 ms a key: H is held, then given back with e.
        assert_eq!(
            feed(&mut w, "Hello", 5000, 120),
            vec![
                WedgeKey::Replay("He".into()),
                WedgeKey::Pass,
                WedgeKey::Pass,
                WedgeKey::Pass
            ]
        );
        // "HT" typed fast by a person, then a different key: all given back in order.
        assert_eq!(
            feed(&mut w, "HTX", 9000, 10),
            vec![WedgeKey::Replay("HTX".into())]
        );
        // A single H, then nothing: the timer gives it back.
        assert_eq!(feed(&mut w, "H", 12_000, 10), vec![]);
        assert_eq!(w.expire(), WedgeKey::Replay("H".into()));
        // A scanner without an Enter suffix: the pause ends the scan.
        assert_eq!(feed(&mut w, "HT1XYZ", 20_000, 4), vec![]);
        assert_eq!(w.expire(), WedgeKey::Scan("HT1XYZ".into()));
        // Shift between the keys of a burst changes nothing.
        assert_eq!(w.key("\u{10}", 40_000), WedgeKey::Pass);
        assert_eq!(w.key("H", 40_001), WedgeKey::Hold);
        assert_eq!(w.key("\u{10}", 40_002), WedgeKey::Hold);
        assert_eq!(w.key("T", 40_003), WedgeKey::Hold);
        assert_eq!(w.key("1", 40_004), WedgeKey::Hold);
        assert_eq!(w.key("\n", 40_005), WedgeKey::Scan("HT1".into()));
        // Other text passes straight through.
        assert_eq!(
            feed(&mut w, "abc", 30_000, 3),
            vec![WedgeKey::Pass, WedgeKey::Pass, WedgeKey::Pass]
        );
    }
}
