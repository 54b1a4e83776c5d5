//! The lobby kiosk's commands: the kiosk itself, its screenshots, simulated visitors, the
//! staff PIN's hash and what the kiosk says (`speak`).

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::{Ctx, Failure};
use crate::config::Loaded;

#[derive(Subcommand, Debug)]
pub enum KioskCommand {
    /// The lobby kiosk (the default).
    #[command(display_order = 1)]
    Kiosk {
        /// Full screen (as SLINT_FULLSCREEN=1).
        #[arg(long)]
        fullscreen: bool,
        /// Print first_frame_ms=N once the first frame is shown, and exit (start-up checks).
        #[arg(long)]
        exit_after_first_frame: bool,
    },
    /// Render every kiosk and desk screen (× 3 languages × 3 resolutions × 2 text sizes) to
    /// PNG, headless, with the software renderer.
    #[command(display_order = 4)]
    Screenshots {
        /// The folder to write the PNG files to.
        #[arg(long)]
        out: PathBuf,
        /// Only files whose name contains this (e.g. `results_ja-easy`).
        #[arg(long)]
        only: Option<String>,
    },
    /// Drive the real kiosk flow headlessly with random visitors (demo data, soak, benchmarks).
    #[command(display_order = 5)]
    Simulate {
        /// How many visitors.
        #[arg(long, default_value_t = 100)]
        visits: u64,
        /// Spread the visits over this many days, ending today.
        #[arg(long, default_value_t = 1)]
        days: u32,
        /// The random seed (the same seed gives the same visits).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print `committed KIOSK SERIAL` for each visit committed for a slip (crash tests).
        #[arg(long)]
        report_commits: bool,
    },
    /// Make a `kiosk.staff_pin_hash` for the config (scripted installs): reads the PIN (6–12
    /// digits) from standard input, so it stays out of the shell history and the process list.
    /// There is no default PIN: without one, the kiosk's staff corner opens a one-time setup.
    #[command(display_order = 6)]
    HashPin,
    /// Write what the kiosk says on a screen (or a text) as a WAV, through the kiosk's own
    /// speech code; prints {"text", "reading", "seconds"} as JSON.
    #[command(display_order = 25)]
    Speak {
        /// attract | consent | question:N (1–8) | results | slip | done | staff-call | idle
        #[arg(long, conflicts_with = "text", required_unless_present = "text")]
        screen: Option<String>,
        /// Say this text instead of a screen's.
        #[arg(long)]
        text: Option<String>,
        /// The language: ja | ja-easy (やさしいにほんご, furigana) | en.
        #[arg(long, default_value = "ja")]
        lang: String,
        /// The answers the results come from (k=v,…).
        #[arg(long)]
        answers: Option<String>,
        /// Slow speech (×0.8), as the kiosk's 「ゆっくり」.
        #[arg(long)]
        slow: bool,
        /// The WAV file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

impl KioskCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), Failure> {
        match self {
            KioskCommand::Kiosk {
                fullscreen,
                exit_after_first_frame,
            } => kiosk(ctx, fullscreen, exit_after_first_frame),
            KioskCommand::Screenshots { out, only } => {
                let prepared = prepare_kiosk(ctx.config())?;
                let files = crate::screenshots::render_all(prepared, &out, only.as_deref())
                    .map_err(Failure::other)?;
                eprintln!(
                    "hatarakitai: wrote {} screenshots to {}",
                    files.len(),
                    out.display()
                );
                Ok(())
            }
            KioskCommand::HashPin => hash_pin(),
            KioskCommand::Simulate {
                visits,
                days,
                seed,
                report_commits,
            } => {
                let (loaded, dir) = ctx.setup()?;
                let opts = crate::kiosk::simulate::Options {
                    visits,
                    days,
                    seed,
                    report_commits,
                };
                let summary = crate::kiosk::simulate::run(&loaded, &dir, &opts, chrono::Utc::now())
                    .map_err(Failure::other)?;
                let json =
                    serde_json::to_string(&summary).map_err(|e| Failure::other(e.to_string()))?;
                println!("{json}");
                Ok(())
            }
            KioskCommand::Speak {
                screen,
                text,
                lang,
                answers,
                slow,
                out,
            } => speak(ctx, (screen, text), &lang, answers, slow, &out),
        }
    }
}

/// Config, content, UI texts and PIN hash, all checked before any window opens.
fn prepare_kiosk(config: Option<&Path>) -> Result<crate::kiosk::run::Prepared, Failure> {
    let loaded = Loaded::load(config).map_err(|e| Failure::input(e.to_string()))?;
    let content = loaded
        .content()
        .map_err(|e| Failure::input(e.to_string()))?;
    crate::kiosk::run::prepare(&loaded, content).map_err(Failure::input)
}

/// `hatarakitai speak`: the kiosk's script for a screen (or a text), synthesised sentence by
/// sentence with the same engines and cache key the kiosk uses, written as one WAV.
fn speak(
    ctx: &Ctx,
    spec: (Option<String>, Option<String>),
    lang: &str,
    answers: Option<String>,
    slow: bool,
    out: &std::path::Path,
) -> Result<(), Failure> {
    use crate::kiosk::controller::speech_script::{Script, Utterance};
    use crate::kiosk::speak::{ScreenSpec, script_for};
    let lang: crate::lang::Lang = lang.parse().map_err(Failure::input)?;
    let (loaded, dir) = ctx.setup()?;
    let prepared = prepare_kiosk(ctx.config())?;
    let content = prepared.content.clone();
    let given = match &answers {
        Some(a) => crate::answers::Answers::parse_kv(&content.questionnaire, a)
            .map_err(|e| Failure::input(e.to_string()))?,
        None => crate::answers::Answers::new(&content.questionnaire),
    };
    let script = match spec {
        (Some(screen), _) => {
            let s =
                ScreenSpec::parse(&screen, content.questionnaire.len()).map_err(Failure::input)?;
            script_for(&content, &prepared.texts, s, lang, &given)
        }
        (None, Some(text)) => {
            let rt = crate::kiosk::rtext::RText::for_lang(&text, lang);
            let mut s = Script::new(lang);
            s.parts.push(Utterance::from_rtext(&rt));
            s
        }
        (None, None) => return Err(Failure::input("give --screen NAME or --text \"…\"")),
    };
    let (engines, _) = crate::speech::from_config(&loaded.config.access, &dir);
    engines
        .check(lang)
        .map_err(|e| Failure::other(e.to_string()))?;
    let never = std::sync::atomic::AtomicU64::new(0);
    let mut parts = Vec::new();
    for u in &script.parts {
        let s = engines
            .synth(lang, &u.say, slow, &never, 0)
            .map_err(|e| Failure::other(e.to_string()))?;
        parts.push(s);
    }
    let pcm = crate::speech::join(&parts);
    crate::speech::engine::write_wav(out, &pcm).map_err(Failure::input)?;
    let reading: Vec<&str> = parts.iter().map(|p| p.reading.as_str()).collect();
    let json = serde_json::json!({
        "text": script.text(),
        "reading": if lang == crate::lang::Lang::En { String::new() } else { reading.join("\n") },
        "phonemes": if lang == crate::lang::Lang::En { reading.join("\n") } else { String::new() },
        "seconds": (pcm.seconds() * 100.0).round() / 100.0,
        "sentences": script.parts.len(),
    });
    println!("{json}");
    Ok(())
}

/// The lobby kiosk with the live backend (kiosk.sqlite, slips, printer).
fn kiosk(ctx: &Ctx, fullscreen: bool, exit_after_first_frame: bool) -> Result<(), Failure> {
    let started = *super::STARTED.get_or_init(std::time::Instant::now);
    let (loaded, dir) = ctx.setup()?;
    let mut prepared = prepare_kiosk(ctx.config())?;
    // The PIN set at the kiosk, its lock and the kiosk's name live in the data dir.
    prepared.settings.data_dir = Some(dir.clone());
    let mut backend = crate::kiosk::live::LiveBackend::open(
        &loaded,
        (*prepared.content).clone(),
        &dir,
        Box::new(chrono::Utc::now),
    );
    backend.start_publishing(&loaded);
    let tz = loaded.config.timezone();
    let stats = crate::kiosk::staff_stats::Source {
        db: dir.join("kiosk.sqlite"),
        content: prepared.content.clone(),
        tz,
        printer: loaded.config.printer.clone(),
        data_dir: dir.clone(),
        today: std::rc::Rc::new(move || chrono::Utc::now().with_timezone(&tz).date_naive()),
    };
    let speaker = loaded.config.access.speech.then(|| {
        let (engines, players) = crate::speech::from_config(&loaded.config.access, &dir);
        crate::speech::Speaker::start(engines, players)
    });
    let news = crate::kiosk::lobby::NewsChannel::default();
    backend.start_lobby(
        &loaded,
        crate::kiosk::lobby::Identity::of(&loaded, &dir),
        speaker
            .as_ref()
            .is_some_and(crate::speech::Speaker::available),
        news.report(),
    );
    let backend_lobby = backend.lobby().cloned();
    crate::kiosk::run::run_kiosk(
        prepared,
        Box::new(backend),
        crate::kiosk::run::RunOptions {
            fullscreen,
            exit_after_first_frame,
            started,
            stats: Some(stats),
            speaker,
            lobby: backend_lobby,
            news,
        },
    )
    .map_err(Failure::other)
}

fn hash_pin() -> Result<(), Failure> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        eprint!("New staff PIN (6-12 digits): ");
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Failure::other(format!("reading the PIN: {e}")))?;
    let hash = crate::kiosk::pin::hash_pin(line.trim()).map_err(Failure::input)?;
    println!("{hash}");
    eprintln!(
        "hatarakitai: put this in the config file under [kiosk]:\nstaff_pin_hash = \"{hash}\"\n(or, alone on one line, in the kiosk's data dir as `staff-pin`, mode 0600)"
    );
    Ok(())
}
