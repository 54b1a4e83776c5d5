//! Localised text and the ruby (furigana) markup `{漢字|かんじ}`.
//!
//! Content stores one string per language. The やさしいにほんご string may carry ruby markup;
//! the UI and the slip turn it into base text with readings above. Other languages may use the
//! markup too, but `plain()` is what ends up in JSON output and logs-free summaries.

use serde::Deserialize;

use crate::lang::Lang;

/// One text in the three languages. All three are required: a missing language is a content
/// error, never a silent fallback.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub ja: String,
    #[serde(rename = "ja-easy")]
    pub ja_easy: String,
    pub en: String,
}

impl Texts {
    /// The raw text (may contain ruby markup).
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.ja,
            Lang::JaEasy => &self.ja_easy,
            Lang::En => &self.en,
        }
    }

    /// The text with ruby markup removed (`{漢字|かんじ}` → `漢字`).
    pub fn plain(&self, lang: Lang) -> String {
        plain(self.get(lang))
    }

    /// Checks each language: non-empty and well-formed ruby. Returns (language, problem).
    pub fn problems(&self) -> Vec<(Lang, String)> {
        let mut out = Vec::new();
        for lang in Lang::ALL {
            let s = self.get(lang);
            if s.trim().is_empty() {
                out.push((lang, "is empty".to_string()));
            } else if let Err(e) = parse_ruby(s) {
                out.push((lang, e));
            }
        }
        out
    }
}

/// A run of text, with an optional reading shown above it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub base: String,
    pub ruby: Option<String>,
}

/// Splits ruby markup into segments. Errors say what is wrong, for content validation.
pub fn parse_ruby(s: &str) -> Result<Vec<Segment>, String> {
    let mut out = Vec::new();
    let mut plain_run = String::new();
    let mut chars = s.char_indices();
    while let Some((pos, c)) = chars.next() {
        match c {
            '{' => {
                let rest = &s[pos + 1..];
                let Some(close) = rest.find('}') else {
                    return Err(format!(
                        "ruby markup `{{` at character {} is never closed; write {{漢字|かんじ}}",
                        s[..pos].chars().count() + 1
                    ));
                };
                let inner = &rest[..close];
                if inner.contains('{') {
                    return Err(format!(
                        "ruby markup `{{{inner}}}` contains another `{{`; ruby cannot be nested"
                    ));
                }
                let Some((base, ruby)) = inner.split_once('|') else {
                    return Err(format!(
                        "ruby markup `{{{inner}}}` has no `|`; write {{漢字|かんじ}}"
                    ));
                };
                if base.trim().is_empty() || ruby.trim().is_empty() || ruby.contains('|') {
                    return Err(format!(
                        "ruby markup `{{{inner}}}` needs one base and one reading, like {{漢字|かんじ}}"
                    ));
                }
                if !plain_run.is_empty() {
                    out.push(Segment {
                        base: std::mem::take(&mut plain_run),
                        ruby: None,
                    });
                }
                out.push(Segment {
                    base: base.to_string(),
                    ruby: Some(ruby.to_string()),
                });
                // Skip the consumed characters.
                let end = pos + 1 + close;
                for (p, _) in chars.by_ref() {
                    if p >= end {
                        break;
                    }
                }
            }
            '}' => {
                return Err(format!(
                    "stray `}}` at character {} without an opening `{{`",
                    s[..pos].chars().count() + 1
                ));
            }
            '|' => {
                return Err(format!(
                    "stray `|` at character {} outside ruby markup",
                    s[..pos].chars().count() + 1
                ));
            }
            c => plain_run.push(c),
        }
    }
    if !plain_run.is_empty() {
        out.push(Segment {
            base: plain_run,
            ruby: None,
        });
    }
    Ok(out)
}

/// Text without ruby markup. Malformed markup (already rejected at load) is kept as is.
pub fn plain(s: &str) -> String {
    match parse_ruby(s) {
        Ok(segs) => segs.into_iter().map(|s| s.base).collect(),
        Err(_) => s.to_string(),
    }
}

/// Text with readings in brackets, e.g. `漢字(かんじ)`: for places that cannot draw ruby.
pub fn with_readings_inline(s: &str) -> String {
    match parse_ruby(s) {
        Ok(segs) => segs
            .into_iter()
            .map(|s| match s.ruby {
                Some(r) => format!("{}({})", s.base, r),
                None => s.base,
            })
            .collect(),
        Err(_) => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ruby_segments() {
        let segs = parse_ruby("いまの {気持|きも}ちに").unwrap();
        assert_eq!(
            segs,
            vec![
                Segment {
                    base: "いまの ".into(),
                    ruby: None
                },
                Segment {
                    base: "気持".into(),
                    ruby: Some("きも".into())
                },
                Segment {
                    base: "ちに".into(),
                    ruby: None
                },
            ]
        );
        assert_eq!(plain("いまの {気持|きも}ちに"), "いまの 気持ちに");
        assert_eq!(with_readings_inline("{体|からだ}"), "体(からだ)");
    }

    #[test]
    fn rejects_malformed_ruby() {
        for bad in [
            "{漢字",
            "{漢字}",
            "{|かな}",
            "{漢字|}",
            "漢字}",
            "a|b",
            "{a|b|c}",
            "{{a|b}|c}",
        ] {
            assert!(parse_ruby(bad).is_err(), "{bad} should be rejected");
        }
    }
}
