//! The kiosk's own words (buttons, screen sentences) from `assets/ui.toml`, embedded at build
//! time and validated at start: every key in ja, ja-easy and en, well-formed ruby, and a
//! reading over every kanji in やさしいにほんご. Errors name the file, line and key.

use std::collections::BTreeMap;

use crate::content::ContentError;
use crate::content::text::parse_ruby;
use crate::kiosk::rtext::RText;
use crate::lang::Lang;

pub const EMBEDDED_UI: &str = include_str!("../../assets/ui.toml");
const FILE: &str = "<embedded>/assets/ui.toml";

#[derive(Debug, Clone)]
pub struct UiTexts {
    /// key → raw markup per language (ja, ja-easy, en).
    raw: BTreeMap<String, [String; 3]>,
    /// key → display text per language, parsed once.
    shown: BTreeMap<String, [RText; 3]>,
}

fn lang_index(l: Lang) -> usize {
    match l {
        Lang::Ja => 0,
        Lang::JaEasy => 1,
        Lang::En => 2,
    }
}

/// Is `c` a kanji (CJK ideograph) that needs a reading in やさしいにほんご?
pub fn is_kanji(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '々')
}

impl UiTexts {
    pub fn embedded() -> Result<UiTexts, Vec<ContentError>> {
        UiTexts::parse(FILE, EMBEDDED_UI)
    }

    pub fn parse(file: &str, text: &str) -> Result<UiTexts, Vec<ContentError>> {
        let err = |line: Option<usize>, key: &str, message: String| ContentError {
            file: file.to_string(),
            line,
            field: key.to_string(),
            message,
        };
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            vec![err(
                line,
                "",
                format!("{} (fix the TOML at this line)", e.message().trim()),
            )]
        })?;
        let mut leaves = Vec::new();
        collect(&table, String::new(), &mut leaves);
        let mut errs = Vec::new();
        let mut raw = BTreeMap::new();
        for (key, t) in leaves {
            let header = header_line(text, &key);
            let mut texts: [String; 3] = Default::default();
            for lang in Lang::ALL {
                let Some(v) = t.get(lang.id()) else {
                    errs.push(err(
                        header,
                        &key,
                        format!(
                            "no `{}` text: give the text in ja, ja-easy and en",
                            lang.id()
                        ),
                    ));
                    continue;
                };
                let line = value_line(text, header, lang.id()).or(header);
                let Some(s) = v.as_str() else {
                    errs.push(err(
                        line,
                        &format!("{key}.{}", lang.id()),
                        "must be a string".into(),
                    ));
                    continue;
                };
                if s.trim().is_empty() {
                    errs.push(err(
                        line,
                        &format!("{key}.{}", lang.id()),
                        "is empty".into(),
                    ));
                }
                match parse_ruby(s) {
                    Err(e) => errs.push(err(line, &format!("{key}.{}", lang.id()), e)),
                    Ok(segs) if lang == Lang::JaEasy => {
                        if let Some(c) = segs
                            .iter()
                            .filter(|s| s.ruby.is_none())
                            .flat_map(|s| s.base.chars())
                            .find(|&c| is_kanji(c))
                        {
                            errs.push(err(line, &format!("{key}.ja-easy"), format!("`{c}` has no reading: write {{{c}|…}} (every kanji in やさしいにほんご needs furigana)")));
                        }
                    }
                    Ok(_) => {}
                }
                texts[lang_index(lang)] = s.to_string();
            }
            for k in t
                .keys()
                .filter(|k| Lang::ALL.iter().all(|l| l.id() != k.as_str()))
            {
                errs.push(err(
                    header,
                    &format!("{key}.{k}"),
                    "unknown language: use ja, ja-easy and en".into(),
                ));
            }
            raw.insert(key, texts);
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        let shown = raw
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    [
                        RText::for_lang(&v[0], Lang::Ja),
                        RText::for_lang(&v[1], Lang::JaEasy),
                        RText::for_lang(&v[2], Lang::En),
                    ],
                )
            })
            .collect();
        Ok(UiTexts { raw, shown })
    }

    pub fn has(&self, key: &str) -> bool {
        self.raw.contains_key(key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.raw.keys().map(String::as_str)
    }

    /// The text for `key`; a missing key shows itself (a test checks every key used in ui/).
    pub fn get(&self, key: &str, lang: Lang) -> RText {
        match self.shown.get(key) {
            Some(t) => t[lang_index(lang)].clone(),
            None => RText::plain(format!("⟨{key}⟩")),
        }
    }

    /// The text with `%s` replaced by `arg` (a number or receipt number, no markup).
    pub fn format(&self, key: &str, lang: Lang, arg: &str) -> RText {
        match self.raw.get(key) {
            Some(t) => RText::for_lang(&t[lang_index(lang)].replace("%s", arg), lang),
            None => RText::plain(format!("⟨{key}⟩")),
        }
    }
}

/// Leaves are tables whose values are all strings (`ja`, `ja-easy`, `en`).
fn collect(t: &toml::Table, prefix: String, out: &mut Vec<(String, toml::Table)>) {
    let is_leaf = !t.is_empty() && t.values().all(|v| !v.is_table());
    if is_leaf && !prefix.is_empty() {
        out.push((prefix, t.clone()));
        return;
    }
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(sub) => collect(sub, key, out),
            _ => out.push((key, toml::Table::new())),
        }
    }
}

fn header_line(text: &str, key: &str) -> Option<usize> {
    let want = format!("[{key}]");
    text.lines().position(|l| l.trim() == want).map(|i| i + 1)
}

fn value_line(text: &str, header: Option<usize>, lang: &str) -> Option<usize> {
    let start = header?;
    for (i, l) in text.lines().enumerate().skip(start) {
        let l = l.trim();
        if l.starts_with('[') {
            return None;
        }
        if let Some((k, _)) = l.split_once('=')
            && k.trim() == lang
        {
            return Some(i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_texts_are_valid() {
        let t = UiTexts::embedded().unwrap_or_else(|e| panic!("{e:?}"));
        assert!(t.has("attract.start"));
        assert_eq!(t.get("q.back", Lang::En).plain, "Back");
        assert!(t.get("attract.title", Lang::JaEasy).ruby);
        assert_eq!(
            t.format("q.progress", Lang::Ja, "3 / 8").plain,
            "質問 3 / 8"
        );
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let bad = "[a.b]\nja = \"x\"\nja-easy = \"{漢字|かんじ\"\nen = \"y\"\n\n[c]\nja = \"x\"\nen = \"y\"\n[d]\nja = \"x\"\nja-easy = \"漢字\"\nen = \"y\"\n";
        let errs = UiTexts::parse("ui.toml", bad).err().unwrap_or_default();
        let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("ui.toml:3: field `a.b.ja-easy`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("ui.toml:6: field `c`") && m.contains("ja-easy")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("ui.toml:11: field `d.ja-easy`") && m.contains("reading")),
            "{msgs:?}"
        );
    }

    #[test]
    fn every_key_used_in_ui_exists() {
        let t = UiTexts::embedded().unwrap_or_else(|e| panic!("{e:?}"));
        let mut missing = Vec::new();
        for entry in walk(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/ui"
        ))) {
            let src = std::fs::read_to_string(&entry).unwrap_or_default();
            for lit in src.split('"').skip(1).step_by(2) {
                let looks_like_key = (lit.contains('.') || lit == "call_staff")
                    && lit
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_' || c == '-')
                    // "opt." + index is a focus-key prefix, not a text key.
                    && !lit.ends_with('.')
                    && !lit.ends_with(".slint")
                    && !lit.ends_with(".ttf");
                if looks_like_key && !t.has(lit) {
                    missing.push(format!("{}: {lit}", entry.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys used in ui/ but missing from assets/ui.toml: {missing:?}"
        );
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else if p.extension().is_some_and(|x| x == "slint") {
                out.push(p);
            }
        }
        out
    }
}
