//! The content's commands: match answers to routes (one set, a batch, or the whole answer
//! space) and check a centre's edited config and content.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::{Ctx, Failure, load_content};
use crate::answers::Answers;
use crate::config::Loaded;
use crate::content::Content;
use crate::lang::Lang;
use crate::matcher::must::MustChecker;
use crate::matcher::{self, OutcomeJson, space};

#[derive(Subcommand, Debug)]
pub enum ContentCommand {
    /// Match answers to routes: --answers goal=work_now,days=d5 or --batch (JSON Lines).
    #[command(display_order = 2)]
    Match {
        /// The answers, k=v,… (e.g. goal=work_now,days=d5); question ids and values as in questions.toml.
        #[arg(long, conflicts_with_all = ["batch", "emit_space"])]
        answers: Option<String>,
        /// Read JSON Lines ({"goal":"work_now",…}) on stdin, write one result line per input line.
        #[arg(long, conflicts_with = "emit_space")]
        batch: bool,
        /// Print every possible set of answers as JSON Lines (input for --batch).
        #[arg(long)]
        emit_space: bool,
        /// The language of the explanation: ja | ja-easy (やさしいにほんご, furigana) | en.
        #[arg(long, default_value = "ja")]
        lang: String,
    },
    /// Validate a config file and the content it points to.
    #[command(display_order = 3)]
    CheckConfig {
        /// The TOML config file.
        file: PathBuf,
    },
}

impl ContentCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), Failure> {
        match self {
            ContentCommand::Match {
                answers,
                batch,
                emit_space,
                lang,
            } => {
                let lang: Lang = lang.parse().map_err(Failure::input)?;
                let content = load_content(ctx.config())?;
                if emit_space {
                    emit_answer_space(&content)
                } else if batch {
                    match_batch(&content, lang)
                } else {
                    let answers = answers.unwrap_or_default();
                    let a = Answers::parse_kv(&content.questionnaire, &answers)
                        .map_err(|e| Failure::input(e.0))?;
                    let out =
                        OutcomeJson::new(&content, &matcher::match_answers(&content, &a), lang);
                    let json =
                        serde_json::to_string(&out).map_err(|e| Failure::other(e.to_string()))?;
                    println!("{json}");
                    Ok(())
                }
            }
            ContentCommand::CheckConfig { file } => check_config(&file),
        }
    }
}

/// Validates a config file, the content it points to, and the MUST rules over every possible
/// set of answers — what an administrator runs after editing routes or weights.
fn check_config(file: &Path) -> Result<(), Failure> {
    let loaded = Loaded::load(Some(file)).map_err(|e| Failure::input(e.to_string()))?;
    let content = loaded
        .content()
        .map_err(|e| Failure::input(e.to_string()))?;
    // The take-home sheet's map (every catalogue route once) and public contacts.
    let tree = loaded
        .sheet(&content)
        .map_err(|e| Failure::input(e.to_string()))?;
    let contacts = crate::sheet::public_contacts(&loaded, &content)
        .map_err(|e| Failure::input(e.to_string()))?;
    let checker = MustChecker::new(&content).map_err(|missing| {
        Failure::input(format!(
            "the content has no {missing}, which the product's matching rules (routes.md M1–M12) name: keep the bundled ids"
        ))
    })?;
    let mut violations: Vec<String> = Vec::new();
    let mut count = 0u64;
    for a in space::iter(&content.questionnaire) {
        let o = matcher::match_answers(&content, &a);
        count += 1;
        for v in checker.violations(&a, &o) {
            if violations.len() < 10 {
                let pairs: Vec<String> = a
                    .pairs(&content.questionnaire)
                    .iter()
                    .map(|(q, o)| format!("{q}={o}"))
                    .collect();
                violations.push(format!(
                    "{v} (answers: {})",
                    if pairs.is_empty() {
                        "none".to_string()
                    } else {
                        pairs.join(",")
                    }
                ));
            }
        }
    }
    if !violations.is_empty() {
        return Err(Failure::input(format!(
            "{}: the rules break the product's MUST rules for some answers; adjust points or limits in the rules file:\n  {}",
            file.display(),
            violations.join("\n  ")
        )));
    }
    let report = serde_json::json!({
        "ok": true,
        "config": file.display().to_string(),
        "questions": content.questionnaire.len(),
        "routes": content.catalogue.routes.len(),
        "score_rules": content.rules.score.len(),
        "sheet_places": tree.branches.iter().map(|b| b.places.len()).sum::<usize>(),
        "public_contacts": contacts.len(),
        "combinations_checked": count,
        "must_violations": 0,
    });
    println!("{report}");
    Ok(())
}

/// Every combination of answers as JSON Lines, for `match --batch`.
fn emit_answer_space(content: &Content) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for a in space::iter(&content.questionnaire) {
        let obj: serde_json::Map<String, serde_json::Value> = a
            .pairs(&content.questionnaire)
            .into_iter()
            .map(|(q, o)| (q.to_string(), serde_json::Value::from(o)))
            .collect();
        serde_json::to_writer(&mut out, &obj).map_err(|e| Failure::other(e.to_string()))?;
        out.write_all(b"\n")
            .map_err(|e| Failure::other(format!("writing output: {e}")))?;
    }
    out.flush()
        .map_err(|e| Failure::other(format!("writing output: {e}")))
}

/// JSON Lines in, JSON Lines out: one output line per input line, in order. A bad line stops
/// the run with exit 2 and names the line (nothing is silently skipped).
fn match_batch(content: &Content, lang: Lang) -> Result<(), Failure> {
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (n, line) in stdin.lines().enumerate() {
        let line = line.map_err(|e| Failure::other(format!("reading standard input: {e}")))?;
        let value: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| Failure::input(format!("line {}: not valid JSON ({e}); write one object per line, e.g. {{\"goal\":\"work_now\"}}", n + 1)))?;
        let a = Answers::from_json(&content.questionnaire, &value)
            .map_err(|e| Failure::input(format!("line {}: {}", n + 1, e.0)))?;
        let o = OutcomeJson::new(content, &matcher::match_answers(content, &a), lang);
        serde_json::to_writer(&mut out, &o).map_err(|e| Failure::other(e.to_string()))?;
        out.write_all(b"\n")
            .map_err(|e| Failure::other(format!("writing output: {e}")))?;
    }
    out.flush()
        .map_err(|e| Failure::other(format!("writing output: {e}")))?;
    Ok(())
}
