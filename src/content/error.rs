//! Content and config errors that name the file, the line and the field, and say how to fix it.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentError {
    /// File name as the administrator knows it (path or `<embedded>/routes.toml`).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The field, e.g. `route[3].summary.en` or `rule[2].when.goal`.
    pub field: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: ", self.file, line)?,
            None => write!(f, "{}: ", self.file)?,
        }
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "field `{}`: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for ContentError {}

/// Collects every problem in one file so the administrator can fix them all in one go.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContentErrors(pub Vec<ContentError>);

impl fmt::Display for ContentErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ContentErrors {}

/// A source file: its name for messages and its text, to turn byte offsets into lines.
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

impl Source<'_> {
    pub fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    pub fn err(
        &self,
        span: Option<std::ops::Range<usize>>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> ContentError {
        ContentError {
            file: self.name.to_string(),
            line: span.map(|s| self.line_of(s.start)),
            field: field.into(),
            message: message.into(),
        }
    }

    /// Turns a TOML parse/shape error into a ContentError with its line.
    pub fn toml_err(&self, e: &toml::de::Error) -> ContentError {
        let msg = e.message().trim().to_string();
        self.err(
            e.span(),
            "",
            format!("{msg} (fix the TOML at this line; the bundled file in assets/ shows the expected shape)"),
        )
    }
}
