//! The `hatarakitai` command line (PRODUCT.md §10). Exit codes: 0 ok, 2 bad input (arguments,
//! content, config), 1 failure. Machine-readable output is JSON on stdout; messages on stderr.
//!
//! One file per command family, each with its own clap types and handlers: `kiosk` (kiosk,
//! screenshots, simulate, hash-pin, speak), `content` (match, check-config), `desk` (desk,
//! desk migrate, intake, retention), `staff` (staff accounts, access-log; the `--staff LOGIN`
//! sign-in every desk command uses), `network` (agency, case, due, council-stats), `meeting`
//! (meeting, pyramid, followup), `slip` (slip, keygen, decode, print-test), `stats` (stats,
//! publish). `Command` flattens the families, so the command line is one flat list; `Ctx`
//! holds the global options and does the shared set-up once.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub mod content;
pub mod desk;
pub mod kiosk;
pub mod lobby;
pub mod meeting;
pub mod network;
pub mod slip;
pub mod staff;
pub mod stats;

pub use crate::failure::Failure;

use clap::{Parser, Subcommand};

use crate::config::Loaded;
use crate::content::Content;

#[derive(Parser, Debug)]
#[command(
    name = "hatarakitai",
    version,
    about = "働きたい!! — lobby kiosk for an employment and life support centre",
    long_about = LONG_ABOUT,
    after_long_help = AFTER_LONG_HELP
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

/// Every command, in the order `--help` lists them (`display_order` in each family).
#[derive(Subcommand, Debug)]
pub enum Command {
    #[command(flatten)]
    Kiosk(kiosk::KioskCommand),
    #[command(flatten)]
    Content(content::ContentCommand),
    #[command(flatten)]
    Desk(desk::DeskCommand),
    #[command(flatten)]
    Staff(staff::StaffCommand),
    #[command(flatten)]
    Slip(slip::SlipCommand),
    #[command(flatten)]
    Stats(stats::StatsCommand),
    #[command(flatten)]
    Network(network::NetworkCommand),
    #[command(flatten)]
    Meeting(meeting::MeetingCommand),
    #[command(flatten)]
    Lobby(lobby::LobbyCommand),
}

const LONG_ABOUT: &str = "働きたい!! — lobby kiosk for an employment and life support centre \
(障害者就業・生活支援センター).

Without a command, or with `kiosk`, it runs the touchscreen kiosk: eight short questions, the \
routes that fit and why, and a printed slip whose QR code holds the answers, encrypted with \
the centre key. `desk` runs the staff desk that reads the slip and keeps the intake record; \
the other commands do the same work without a window (for scripts, an administrator, tests).";

/// The rest of the manual: files, environment, exit status and the licence notice (the
/// binary links Slint under GPL-3.0-only; README.md § Licences).
const AFTER_LONG_HELP: &str = "Files:
  /etc/hatarakitai/kiosk.toml, /etc/hatarakitai/desk.toml
      The package's configs (--config); unknown keys are errors. Check one with
      `hatarakitai check-config FILE`.
  $XDG_DATA_HOME/hatarakitai (default ~/.local/share/hatarakitai; --data-dir)
      kiosk.sqlite (kiosk) or desk.sqlite (desk), centre.key, staff-pin, slips/, pdf/.
      The packaged kiosk units use /var/lib/hatarakitai (mode 0700, user hatarakitai).
  /usr/share/doc/hatarakitai/DEPLOY.md
      Installing a kiosk and a desk: the key, the staff PIN, the units, PostgreSQL.

Environment:
  XDG_DATA_HOME      where the data directory is, unless --data-dir is given
  SLINT_FULLSCREEN=1 full screen (as --fullscreen)
  SLINT_BACKEND      e.g. linuxkms-software for a build with the linuxkms feature

Exit status:
  0 done; 2 bad input (arguments, content, config: the message names the file and line);
  1 failure (database, printer, I/O). Messages go to standard error, JSON to standard output.

Licence:
  hatarakitai's own code is MIT OR Apache-2.0. This program links Slint (GPL-3.0-only, as
  chosen for this project) and other crates, so the program as built and distributed is
  under the GNU General Public License version 3 and comes with NO WARRANTY, to the extent
  permitted by law. You may redistribute it under that licence; its text and every
  third-party notice are in /usr/share/doc/hatarakitai/ (copyright, THIRD-PARTY-NOTICES.txt).";

/// The command line as `main` parses it: the derive's definition with the version line.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command().version(version_line())
}

/// The global options, handed to every family.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    pub config: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
}

impl Ctx {
    pub fn config(&self) -> Option<&Path> {
        self.config.as_deref()
    }

    pub fn data_dir(&self) -> Option<&Path> {
        self.data_dir.as_deref()
    }

    /// The config (or defaults) and the data directory.
    pub fn setup(&self) -> Result<(Loaded, PathBuf), Failure> {
        setup(&self.config, &self.data_dir)
    }
}

/// `hatarakitai --version`: the version, the commit it was built from and the schema versions
/// it speaks (a newer database is refused, an older one is migrated).
pub fn version_line() -> &'static str {
    static LINE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    LINE.get_or_init(|| {
        format!(
            "{} (commit {}; desk schema {}, kiosk schema {})",
            env!("CARGO_PKG_VERSION"),
            env!("HATARAKITAI_COMMIT"),
            crate::desk::store::sqlite::SCHEMA_VERSION,
            crate::store::kiosk::SCHEMA_VERSION,
        )
    })
}

/// When the process started, for `--exit-after-first-frame`.
pub(super) static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

pub fn main() -> ExitCode {
    STARTED.get_or_init(std::time::Instant::now);
    let parsed = command()
        .try_get_matches()
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m));
    let cli = match parsed {
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
    let ctx = Ctx {
        config: cli.config,
        data_dir: cli.data_dir,
    };
    match cli.command {
        None => kiosk::KioskCommand::Kiosk {
            fullscreen: false,
            exit_after_first_frame: false,
        }
        .run(&ctx),
        Some(Command::Kiosk(c)) => c.run(&ctx),
        Some(Command::Content(c)) => c.run(&ctx),
        Some(Command::Desk(c)) => c.run(&ctx),
        Some(Command::Staff(c)) => c.run(&ctx),
        Some(Command::Slip(c)) => c.run(&ctx),
        Some(Command::Stats(c)) => c.run(&ctx),
        Some(Command::Network(c)) => c.run(&ctx),
        Some(Command::Meeting(c)) => c.run(&ctx),
        Some(Command::Lobby(c)) => c.run(&ctx),
    }
}

/// The config (or defaults) and the data directory.
pub fn setup(
    config: &Option<PathBuf>,
    data_dir: &Option<PathBuf>,
) -> Result<(Loaded, PathBuf), Failure> {
    let loaded = Loaded::load(config.as_deref()).map_err(|e| Failure::input(e.to_string()))?;
    let dir = crate::config::data_dir(data_dir.as_deref()).map_err(Failure::input)?;
    Ok((loaded, dir))
}

/// The content named by the config (or the embedded default). Errors exit 2.
pub fn load_content(config: Option<&Path>) -> Result<Content, Failure> {
    let loaded = Loaded::load(config).map_err(|e| Failure::input(e.to_string()))?;
    loaded.content().map_err(|e| Failure::input(e.to_string()))
}
