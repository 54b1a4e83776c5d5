//! The `hatarakitai` command line (PRODUCT.md §10). Exit codes: 0 ok, 2 bad input (arguments,
//! content, config), 1 failure. Machine-readable output is JSON on stdout; messages on stderr.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::answers::Answers;
use crate::content::Content;
use crate::lang::Lang;
use crate::matcher::{self, OutcomeJson};

#[derive(Parser, Debug)]
#[command(name = "hatarakitai", version, about = "働きたい!! — lobby kiosk for an employment and life support centre")]
pub struct Cli {
    /// Data directory (default: $XDG_DATA_HOME/hatarakitai).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// TOML config file.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// The lobby kiosk (the default).
    Kiosk {
        #[arg(long)]
        fullscreen: bool,
        #[arg(long)]
        exit_after_first_frame: bool,
    },
    /// Match answers to routes: --answers goal=work_now,days=d5 or --batch (JSON Lines).
    Match {
        #[arg(long, conflicts_with = "batch")]
        answers: Option<String>,
        #[arg(long)]
        batch: bool,
        #[arg(long, default_value = "ja")]
        lang: String,
    },
    /// Validate a config file and the content it points to.
    CheckConfig { file: PathBuf },
    /// Make a new centre key file (mode 0600; never overwrites). Prints the key id.
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// What the desk reads from a slip's QR text (`-` = standard input).
    Decode { payload: String },
    /// Print a test slip on the configured printer and report its status.
    PrintTest,
}

/// A failure with its exit code: 2 = the input is wrong, 1 = something else failed.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn input(message: impl Into<String>) -> Failure {
        Failure { code: 2, message: message.into() }
    }
    pub fn other(message: impl Into<String>) -> Failure {
        Failure { code: 1, message: message.into() }
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("hatarakitai: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

pub fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        None | Some(Command::Kiosk { .. }) => Err(Failure::other("the kiosk window is not yet available in this build")),
        Some(Command::Match { answers, batch, lang }) => {
            let lang: Lang = lang.parse().map_err(Failure::input)?;
            let content = load_content()?;
            if batch {
                match_batch(&content, lang)
            } else {
                let answers = answers.unwrap_or_default();
                let a = Answers::parse_kv(&content.questionnaire, &answers).map_err(|e| Failure::input(e.0))?;
                let out = OutcomeJson::new(&content, &matcher::match_answers(&content, &a), lang);
                let json = serde_json::to_string(&out).map_err(|e| Failure::other(e.to_string()))?;
                println!("{json}");
                Ok(())
            }
        }
        Some(Command::CheckConfig { file: _ }) => Err(Failure::other("check-config is not yet available")),
        Some(Command::Keygen { out }) => crate::slip::cli::keygen(&out),
        Some(Command::Decode { payload }) => crate::slip::cli::decode_command(
            &payload,
            cli.config.as_deref(),
            cli.data_dir.as_deref(),
        ),
        Some(Command::PrintTest) => {
            crate::slip::cli::print_test_command(cli.config.as_deref(), cli.data_dir.as_deref())
        }
    }
}

fn load_content() -> Result<Content, Failure> {
    Content::embedded().map_err(|e| Failure::input(e.to_string()))
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
        let a = Answers::from_json(&content.questionnaire, &value).map_err(|e| Failure::input(format!("line {}: {}", n + 1, e.0)))?;
        let o = OutcomeJson::new(content, &matcher::match_answers(content, &a), lang);
        serde_json::to_writer(&mut out, &o).map_err(|e| Failure::other(e.to_string()))?;
        out.write_all(b"\n").map_err(|e| Failure::other(format!("writing output: {e}")))?;
    }
    out.flush().map_err(|e| Failure::other(format!("writing output: {e}")))?;
    Ok(())
}
