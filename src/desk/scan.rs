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
