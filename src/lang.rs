//! The three languages the kiosk speaks. `ja-easy` is やさしいにほんご: short sentences and
//! furigana (ruby) over every kanji, written in content as `{漢字|かんじ}`.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Lang {
    #[default]
    Ja,
    JaEasy,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Ja, Lang::JaEasy, Lang::En];

    /// The id used on the command line, in content files and in stored visits.
    pub fn id(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::JaEasy => "ja-easy",
            Lang::En => "en",
        }
    }

    /// Compact code for the QR payload and the database.
    pub fn code(self) -> u8 {
        match self {
            Lang::Ja => 0,
            Lang::JaEasy => 1,
            Lang::En => 2,
        }
    }

    pub fn from_code(code: u8) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "ja" => Ok(Lang::Ja),
            "ja-easy" | "ja_easy" => Ok(Lang::JaEasy),
            "en" => Ok(Lang::En),
            other => Err(format!(
                "unknown language `{other}`: use one of ja, ja-easy, en"
            )),
        }
    }
}
