//! The centre key: a 256-bit secret shared by the kiosk and the desk (PRODUCT.md §5). The
//! kiosk seals slips with it; the desk may hold old keys too (rotation), chosen by key id.
//!
//! Key file (UTF-8 text, mode 0600; `#` lines and blank lines are ignored):
//! ```text
//! # hatarakitai centre key — secret. ...
//! hatarakitai-centre-key v1
//! id: 173
//! key: 64 hex digits (32 bytes)
//! ```
//! The key itself is never printed, logged or put in an error message. Plain data: reading
//! and writing key files is `crate::store::key_file`.

use std::fmt;
use std::path::{Path, PathBuf};

/// One centre key. `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct CentreKey {
    pub id: u8,
    pub key: [u8; 32],
}

impl fmt::Debug for CentreKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CentreKey {{ id: {}, key: <secret> }}", self.id)
    }
}

const MAGIC: &str = "hatarakitai-centre-key";
const FILE_VERSION: &str = "v1";

/// A key file could not be read, written or understood. Messages name the file and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    Missing {
        path: PathBuf,
    },
    /// The file exists; `write_new` never overwrites a key (old slips need it).
    Exists {
        path: PathBuf,
    },
    Io {
        path: PathBuf,
        action: &'static str,
        error: String,
    },
    Format {
        path: PathBuf,
        line: Option<usize>,
        problem: String,
    },
    /// The OS random source failed.
    Random(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Missing { path } => write!(
                f,
                "鍵ファイル {p} がありません。キオスクで `hatarakitai keygen --out {p}` を実行して作り、デスクには同じファイルをコピーしてください。 / Key file {p} does not exist: make it with `hatarakitai keygen --out {p}` on the kiosk and copy the same file to the desk.",
                p = path.display()
            ),
            KeyError::Exists { path } => write!(
                f,
                "{p} はすでにあります。上書きしません（古い受付票を読むのに必要です）。別のファイル名を指定してください。 / {p} already exists and is not overwritten (slips already printed need it): give another file name.",
                p = path.display()
            ),
            KeyError::Io {
                path,
                action,
                error,
            } => write!(
                f,
                "鍵ファイル {p} を{ja}できません（{error}）。場所と権限を確認してください。 / Cannot {action} the key file {p} ({error}): check the path and permissions.",
                p = path.display(),
                ja = match *action {
                    "read" => "読み込み",
                    "create" => "作成",
                    _ => "書き込み",
                }
            ),
            KeyError::Format {
                path,
                line,
                problem,
            } => {
                let at = line.map(|l| format!(":{l}")).unwrap_or_default();
                write!(
                    f,
                    "{p}{at} は hatarakitai の鍵ファイルとして読めません: {problem}。`hatarakitai keygen` で作ったファイルをそのまま使ってください。 / {p}{at} is not a valid hatarakitai key file: {problem}. Use the file made by `hatarakitai keygen` unchanged.",
                    p = path.display()
                )
            }
            KeyError::Random(e) => write!(
                f,
                "乱数を取得できません（{e}）。 / The system random number source failed ({e})."
            ),
        }
    }
}

impl std::error::Error for KeyError {}

impl CentreKey {
    /// A new key with a random id, from the OS random source.
    pub fn generate() -> Result<CentreKey, KeyError> {
        let mut buf = [0u8; 33];
        getrandom::fill(&mut buf).map_err(|e| KeyError::Random(e.to_string()))?;
        let mut key = [0u8; 32];
        key.copy_from_slice(&buf[1..]);
        Ok(CentreKey { id: buf[0], key })
    }

    /// The key file's text.
    pub fn to_file_text(&self) -> String {
        let hex: String = self.key.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "# hatarakitai centre key. SECRET: whoever has this file can read the slips.\n\
             # Give the kiosk and the desk the same file (mode 0600); keep old keys on the desk\n\
             # to read slips printed before a key change. Do not edit.\n\
             {MAGIC} {FILE_VERSION}\nid: {}\nkey: {hex}\n",
            self.id
        )
    }

    /// Parses a key file's text; `path` is only used in error messages.
    pub fn parse(path: &Path, text: &str) -> Result<CentreKey, KeyError> {
        let err = |line: Option<usize>, problem: &str| KeyError::Format {
            path: path.to_path_buf(),
            line,
            problem: problem.to_string(),
        };
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(n, l)| (n + 1, l.trim()))
            .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
        match lines.next() {
            Some((_, l)) if l == format!("{MAGIC} {FILE_VERSION}") => {}
            Some((n, l)) if l.starts_with(MAGIC) => {
                return Err(err(
                    Some(n),
                    "the file is of a newer or unknown version (update hatarakitai)",
                ));
            }
            _ => {
                return Err(err(
                    None,
                    &format!("the first line must be `{MAGIC} {FILE_VERSION}`"),
                ));
            }
        }
        let (mut id, mut key) = (None, None);
        for (n, l) in lines {
            let Some((name, value)) = l.split_once(':') else {
                return Err(err(Some(n), "expected `id: N` or `key: HEX`"));
            };
            let value = value.trim();
            match name.trim() {
                "id" if id.is_none() => {
                    id = Some(
                        value
                            .parse::<u8>()
                            .map_err(|_| err(Some(n), "the id must be a number from 0 to 255"))?,
                    );
                }
                "key" if key.is_none() => {
                    key = Some(parse_hex32(value).ok_or_else(|| {
                        err(Some(n), "the key must be 64 hexadecimal digits (0-9, a-f)")
                    })?);
                }
                "id" | "key" => return Err(err(Some(n), "the line is given twice")),
                _ => return Err(err(Some(n), "unknown line (expected `id:` or `key:`)")),
            }
        }
        match (id, key) {
            (Some(id), Some(key)) => Ok(CentreKey { id, key }),
            (None, _) => Err(err(None, "the `id:` line is missing")),
            (_, None) => Err(err(None, "the `key:` line is missing")),
        }
    }
}

fn parse_hex32(s: &str) -> Option<[u8; 32]> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in b.chunks_exact(2).enumerate() {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        out[i] = (hi * 16 + lo) as u8;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_round_trip_and_errors() {
        let k = CentreKey {
            id: 9,
            key: [0xab; 32],
        };
        let p = Path::new("centre.key");
        assert_eq!(CentreKey::parse(p, &k.to_file_text()).unwrap(), k);
        assert!(!format!("{k:?}").contains("ab"));
        let bad = k.to_file_text().replace("key: ab", "key: zz");
        let e = CentreKey::parse(p, &bad).unwrap_err();
        assert!(matches!(e, KeyError::Format { line: Some(6), .. }), "{e:?}");
        assert!(!e.to_string().contains("abab"));
        assert!(CentreKey::parse(p, "hello").is_err());
        assert!(CentreKey::parse(p, "hatarakitai-centre-key v1\nid: 300\nkey: 00").is_err());
        assert!(CentreKey::parse(p, "hatarakitai-centre-key v1\nid: 3\n").is_err());
    }
}
