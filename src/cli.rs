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
#[command(
    name = "hatarakitai",
    version,
    about = "働きたい!! — lobby kiosk for an employment and life support centre"
)]
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
    /// The lobby kiosk (the default). Full screen with --fullscreen or SLINT_FULLSCREEN=1.
    Kiosk {
        #[arg(long)]
        fullscreen: bool,
        /// Print `first_frame_ms=N` once the first frame is drawn, then exit (benchmarks).
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
    /// Render every kiosk screen (× 3 languages × 3 resolutions × 2 text sizes) to PNG,
    /// headless, with the software renderer.
    Screenshots {
        #[arg(long)]
        out: PathBuf,
        /// Only files whose name contains this (e.g. `results_ja-easy`).
        #[arg(long)]
        only: Option<String>,
    },
    /// Make a `kiosk.staff_pin_hash` for the config: reads the PIN (4–8 digits) from standard
    /// input, so it stays out of the shell history and the process list. Without a hash in the
    /// config the staff PIN is 1234, and the staff screen warns until it is changed.
    HashPin,
}

/// A failure with its exit code: 2 = the input is wrong, 1 = something else failed.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn input(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
    pub fn other(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

/// When the process started, for `first_frame_ms`.
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

pub fn main() -> ExitCode {
    STARTED.get_or_init(std::time::Instant::now);
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
        None => kiosk(cli.config.as_deref(), false, false),
        Some(Command::Kiosk {
            fullscreen,
            exit_after_first_frame,
        }) => kiosk(cli.config.as_deref(), fullscreen, exit_after_first_frame),
        Some(Command::Screenshots { out, only }) => {
            let prepared = prepare_kiosk(cli.config.as_deref())?;
            let files = crate::kiosk::screenshots::render_all(prepared, &out, only.as_deref())
                .map_err(Failure::other)?;
            eprintln!(
                "hatarakitai: wrote {} screenshots to {}",
                files.len(),
                out.display()
            );
            Ok(())
        }
        Some(Command::HashPin) => hash_pin(),
        Some(Command::Match {
            answers,
            batch,
            lang,
        }) => {
            let lang: Lang = lang.parse().map_err(Failure::input)?;
            let content = load_content()?;
            if batch {
                match_batch(&content, lang)
            } else {
                let answers = answers.unwrap_or_default();
                let a = Answers::parse_kv(&content.questionnaire, &answers)
                    .map_err(|e| Failure::input(e.0))?;
                let out = OutcomeJson::new(&content, &matcher::match_answers(&content, &a), lang);
                let json =
                    serde_json::to_string(&out).map_err(|e| Failure::other(e.to_string()))?;
                println!("{json}");
                Ok(())
            }
        }
        Some(Command::CheckConfig { file: _ }) => {
            Err(Failure::other("check-config is not yet available"))
        }
    }
}

/// Config, content, UI texts and PIN hash, all checked before any window opens.
fn prepare_kiosk(config: Option<&std::path::Path>) -> Result<crate::kiosk::run::Prepared, Failure> {
    let loaded = crate::config::Loaded::load(config).map_err(|e| Failure::input(e.to_string()))?;
    let content = loaded
        .content()
        .map_err(|e| Failure::input(e.to_string()))?;
    crate::kiosk::run::prepare(&loaded, content).map_err(Failure::input)
}

fn kiosk(
    config: Option<&std::path::Path>,
    fullscreen: bool,
    exit_after_first_frame: bool,
) -> Result<(), Failure> {
    let prepared = prepare_kiosk(config)?;
    // The lead's real backend (SQLite store + slip renderer + printer) goes here.
    let backend = Box::new(crate::kiosk::run::PlaceholderBackend);
    let started = *STARTED.get_or_init(std::time::Instant::now);
    crate::kiosk::run::run_kiosk(
        prepared,
        backend,
        crate::kiosk::run::RunOptions {
            fullscreen,
            exit_after_first_frame,
            started,
        },
    )
    .map_err(Failure::other)
}

fn hash_pin() -> Result<(), Failure> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        eprint!("New staff PIN (4-8 digits): ");
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Failure::other(format!("reading the PIN: {e}")))?;
    let hash = crate::kiosk::pin::hash_pin(line.trim()).map_err(Failure::input)?;
    println!("{hash}");
    eprintln!(
        "hatarakitai: put this in the config file under [kiosk]:\nstaff_pin_hash = \"{hash}\""
    );
    Ok(())
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
