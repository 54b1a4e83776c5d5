//! Display text for the kiosk: a string in one language, split once into words and ruby
//! segments for `RubyText` (ui/widgets/ruby_text.slint). Lines may break between words but
//! never inside one, so a reading always stays over its kanji.

use crate::content::text::{Segment, parse_ruby, plain};

/// One run of text and its reading ("" = none).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Seg {
    pub base: String,
    pub ruby: String,
}

/// Segments kept on one line; `gap` = a space follows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Word {
    pub segs: Vec<Seg>,
    pub gap: bool,
}

/// A text ready to show: `plain` for accessibility (and as a plain Text when not `ruby`);
/// `words` when `ruby` (laid out word by word, lines breaking only between words);
/// `readings` when some word carries furigana (a row is kept above every line for them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RText {
    pub plain: String,
    pub words: Vec<Word>,
    pub ruby: bool,
    pub readings: bool,
}

/// A word longer than this (characters, no space, no ruby) is cut after punctuation or, failing
/// that, between characters, so a long Japanese sentence can still wrap.
const MAX_WORD_CHARS: usize = 10;

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{3000}' || c == '\t' || c == '\n'
}

fn breaks_after(c: char) -> bool {
    matches!(
        c,
        '、' | '。' | '，' | '．' | '！' | '？' | '）' | '」' | '・' | '：' | ',' | '.'
    )
}

fn breaks_before(c: char) -> bool {
    matches!(c, '（' | '「' | '『' | '(')
}

impl RText {
    /// Plain text without ruby (English, or already plain).
    pub fn plain(s: impl Into<String>) -> RText {
        RText {
            plain: s.into(),
            words: Vec::new(),
            ruby: false,
            readings: false,
        }
    }

    /// From content markup `{漢字|かんじ}`: with `show_ruby`, laid out word by word with the
    /// readings; without, a plain wrapping Text (readings dropped).
    pub fn from_markup(s: &str, show_ruby: bool) -> RText {
        let Ok(segs) = parse_ruby(s) else {
            // Content is validated at load; keep the raw text rather than fail here.
            return RText::plain(s);
        };
        if !show_ruby {
            return RText::plain(segs.into_iter().map(|s| s.base).collect::<String>());
        }
        let readings = segs.iter().any(|s| s.ruby.is_some());
        RText {
            plain: plain(s),
            words: words(&segs),
            ruby: true,
            readings,
        }
    }

    /// How a text is shown in each language: English wraps between words by itself; Japanese
    /// is laid out by phrase (the content's spaces) so a line never breaks inside one, with
    /// furigana in やさしいにほんご.
    pub fn for_lang(s: &str, lang: crate::lang::Lang) -> RText {
        use crate::lang::Lang;
        match lang {
            Lang::En => RText::from_markup(s, false),
            Lang::JaEasy => RText::from_markup(s, true),
            Lang::Ja => {
                let Ok(segs) = parse_ruby(s) else {
                    return RText::plain(s);
                };
                let bare: Vec<Segment> = segs
                    .into_iter()
                    .map(|g| Segment {
                        base: g.base,
                        ruby: None,
                    })
                    .collect();
                let plain: String = bare.iter().map(|g| g.base.as_str()).collect();
                RText {
                    words: words(&bare),
                    plain,
                    ruby: true,
                    readings: false,
                }
            }
        }
    }
}

fn words(segs: &[Segment]) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut cur = Word::default();
    let push_word = |cur: &mut Word, out: &mut Vec<Word>, gap: bool| {
        if !cur.segs.is_empty() {
            cur.gap = gap;
            out.push(std::mem::take(cur));
        } else if gap && let Some(last) = out.last_mut() {
            last.gap = true;
        }
    };
    for seg in segs {
        match &seg.ruby {
            Some(r) => cur.segs.push(Seg {
                base: seg.base.clone(),
                ruby: r.clone(),
            }),
            None => {
                let mut run = String::new();
                for c in seg.base.chars() {
                    if is_space(c) {
                        if !run.is_empty() {
                            cur.segs.push(Seg {
                                base: std::mem::take(&mut run),
                                ruby: String::new(),
                            });
                        }
                        push_word(&mut cur, &mut out, true);
                    } else {
                        run.push(c);
                    }
                }
                if !run.is_empty() {
                    cur.segs.push(Seg {
                        base: run,
                        ruby: String::new(),
                    });
                }
            }
        }
    }
    push_word(&mut cur, &mut out, false);
    out.into_iter().flat_map(split_long).collect()
}

/// Cuts a long plain word so it can wrap: after punctuation, else every MAX_WORD_CHARS.
fn split_long(word: Word) -> Vec<Word> {
    let len: usize = word.segs.iter().map(|s| s.base.chars().count()).sum();
    if len <= MAX_WORD_CHARS {
        return vec![word];
    }
    let gap = word.gap;
    let mut out: Vec<Word> = Vec::new();
    let mut cur = Word::default();
    let mut cur_len = 0;
    for seg in word.segs {
        if !seg.ruby.is_empty() {
            cur_len += seg.base.chars().count();
            cur.segs.push(seg);
            continue;
        }
        let mut run = String::new();
        for c in seg.base.chars() {
            // An opening bracket starts a new piece, so a note in brackets moves as one.
            if breaks_before(c) && cur_len > 0 {
                if !run.is_empty() {
                    cur.segs.push(Seg {
                        base: std::mem::take(&mut run),
                        ruby: String::new(),
                    });
                }
                out.push(std::mem::take(&mut cur));
                cur_len = 0;
            }
            run.push(c);
            cur_len += 1;
            if breaks_after(c) || cur_len >= MAX_WORD_CHARS {
                cur.segs.push(Seg {
                    base: std::mem::take(&mut run),
                    ruby: String::new(),
                });
                out.push(std::mem::take(&mut cur));
                cur_len = 0;
            }
        }
        if !run.is_empty() {
            cur.segs.push(Seg {
                base: run,
                ruby: String::new(),
            });
        }
    }
    if !cur.segs.is_empty() {
        out.push(cur);
    }
    if let Some(last) = out.last_mut() {
        last.gap = gap;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bases(t: &RText) -> Vec<String> {
        t.words
            .iter()
            .map(|w| w.segs.iter().map(|s| s.base.as_str()).collect())
            .collect()
    }

    #[test]
    fn readings_stay_with_their_word() {
        let t = RText::from_markup("いまの {気持|きも}ちに いちばん", true);
        assert!(t.ruby);
        assert_eq!(t.plain, "いまの 気持ちに いちばん");
        assert_eq!(bases(&t), ["いまの", "気持ちに", "いちばん"]);
        assert!(t.words[0].gap && t.words[1].gap && !t.words[2].gap);
        assert_eq!(
            t.words[1].segs[0],
            Seg {
                base: "気持".into(),
                ruby: "きも".into()
            }
        );
    }

    #[test]
    fn readings_only_when_wanted_and_present() {
        let t = RText::from_markup("{体|からだ}の {調子|ちょうし}", false);
        assert!(!t.ruby);
        assert_eq!(t.plain, "体の 調子");
        let kana = RText::from_markup("わからない ときは", true);
        assert!(
            kana.ruby && !kana.readings,
            "やさしいにほんご without kanji is still laid out by phrase"
        );
    }

    #[test]
    fn japanese_is_laid_out_by_phrase_without_readings() {
        let t = RText::for_lang(
            "いまの{気持|きも}ちに いちばん近いものは どれですか？",
            crate::lang::Lang::Ja,
        );
        assert!(t.ruby && !t.readings);
        assert_eq!(
            bases(&t),
            ["いまの気持ちに", "いちばん近いものは", "どれですか？"]
        );
        assert!(
            t.words
                .iter()
                .flat_map(|w| &w.segs)
                .all(|s| s.ruby.is_empty())
        );
        assert!(!RText::for_lang("Hello there", crate::lang::Lang::En).ruby);
    }

    #[test]
    fn brackets_move_as_one() {
        let t = RText::for_lang("工賃あり（雇用契約なし）", crate::lang::Lang::Ja);
        assert_eq!(bases(&t), ["工賃あり", "（雇用契約なし）"]);
    }

    #[test]
    fn long_words_are_cut_so_they_can_wrap() {
        let t = RText::from_markup(
            "{障|しょう}がいを つたえないで、しごとを さがしていますが なかなか みつかりません",
            true,
        );
        assert!(t.words.iter().all(
            |w| w.segs.iter().map(|s| s.base.chars().count()).sum::<usize>() <= MAX_WORD_CHARS
        ));
        assert_eq!(bases(&t).concat(), t.plain.replace(' ', ""));
    }
}
