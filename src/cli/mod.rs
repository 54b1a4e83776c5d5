//! The `hatarakitai` command line (PRODUCT.md §10). Exit codes: 0 ok, 2 bad input (arguments,
//! content, config), 1 failure. Machine-readable output is JSON on stdout; messages on stderr.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub mod network;
pub mod slip;
pub mod staff;
pub mod stats;

pub use crate::failure::Failure;

use clap::{Parser, Subcommand};

use crate::answers::Answers;
use crate::config::Loaded;
use crate::content::Content;
use crate::lang::Lang;
use crate::matcher::must::MustChecker;
use crate::matcher::{self, OutcomeJson, space};

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
    /// The lobby kiosk (the default).
    Kiosk {
        #[arg(long)]
        fullscreen: bool,
        #[arg(long)]
        exit_after_first_frame: bool,
    },
    /// Match answers to routes: --answers goal=work_now,days=d5 or --batch (JSON Lines).
    Match {
        #[arg(long, conflicts_with_all = ["batch", "emit_space"])]
        answers: Option<String>,
        /// Read JSON Lines ({"goal":"work_now",…}) on stdin, write one result line per input line.
        #[arg(long, conflicts_with = "emit_space")]
        batch: bool,
        /// Print every possible set of answers as JSON Lines (input for --batch).
        #[arg(long)]
        emit_space: bool,
        #[arg(long, default_value = "ja")]
        lang: String,
    },
    /// Validate a config file and the content it points to.
    CheckConfig { file: PathBuf },
    /// Render every kiosk and desk screen (× 3 languages × 3 resolutions × 2 text sizes) to
    /// PNG, headless, with the software renderer.
    Screenshots {
        #[arg(long)]
        out: PathBuf,
        /// Only files whose name contains this (e.g. `results_ja-easy`).
        #[arg(long)]
        only: Option<String>,
    },
    /// Drive the real kiosk flow headlessly with random visitors (demo data, soak, benchmarks).
    Simulate {
        #[arg(long, default_value_t = 100)]
        visits: u64,
        /// Spread the visits over this many days, ending today.
        #[arg(long, default_value_t = 1)]
        days: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print `committed KIOSK SERIAL` for each visit committed for a slip (crash tests).
        #[arg(long)]
        report_commits: bool,
    },
    /// Make a `kiosk.staff_pin_hash` for the config (scripted installs): reads the PIN (6–12
    /// digits) from standard input, so it stays out of the shell history and the process list.
    /// There is no default PIN: without one, the kiosk's staff corner opens a one-time setup.
    HashPin,
    /// The staff desk: scan a slip, open the intake record.
    Desk {
        #[command(subcommand)]
        action: Option<DeskAction>,
    },
    /// Intake records without the window (signed in with --staff LOGIN).
    Intake {
        #[command(subcommand)]
        action: IntakeAction,
    },
    /// Staff accounts of the desk (TEAM.md §1).
    Staff {
        #[command(subcommand)]
        action: StaffAction,
    },
    /// Who viewed or changed which record, and every failed sign-in (admins only).
    AccessLog {
        #[arg(long)]
        staff: String,
        /// First local day, YYYY-MM-DD (default: 30 days ago).
        #[arg(long)]
        from: Option<String>,
        /// Last local day (default: today).
        #[arg(long)]
        to: Option<String>,
        #[arg(long, value_enum, default_value = "json")]
        format: crate::cli::staff::LogFormat,
    },
    /// Record a visit with these answers and write the slip it would print (same code path as
    /// the kiosk).
    Slip {
        #[arg(long)]
        answers: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value = "ja")]
        lang: String,
    },
    /// Visitor statistics per day, hour of the day or route (PRODUCT.md §7).
    Stats {
        /// First local day, YYYY-MM-DD (default: today).
        #[arg(long)]
        from: Option<String>,
        /// Last local day, YYYY-MM-DD (default: --from).
        #[arg(long)]
        to: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: crate::stats::Format,
        #[arg(long, value_enum, default_value = "day")]
        by: crate::stats::By,
        /// The kiosk database (default: kiosk.sqlite in the data directory).
        #[arg(long)]
        db: Option<PathBuf>,
        /// `kiosk`: this kiosk's own kiosk.sqlite; `shared`: what the kiosks published to the
        /// team's database (`[desk] database`; needs --staff).
        #[arg(long, value_enum, default_value = "kiosk")]
        source: self::stats::Source,
        /// With --source shared: the staff login (password on standard input).
        #[arg(long)]
        staff: Option<String>,
        /// With --source shared: only this kiosk (default: every kiosk, summed).
        #[arg(long)]
        kiosk: Option<u16>,
    },
    /// The agency directory (NETWORK.md §1): import a TOML file, list it.
    Agency {
        #[command(subcommand)]
        action: AgencyAction,
    },
    /// A record's support network (NETWORK.md §2): link an agency (with the person's
    /// consent), log a contact.
    Case {
        #[command(subcommand)]
        action: CaseAction,
    },
    /// 個別支援会議 (NETWORK.md §2): record a meeting with its decisions, goal and review.
    Meeting {
        #[command(subcommand)]
        action: MeetingAction,
    },
    /// 職業準備性ピラミッド (NETWORK.md §3): add an assessment (five ratings 1–4, base → top).
    Pyramid {
        #[command(subcommand)]
        action: PyramidAction,
    },
    /// Follow-ups (NETWORK.md §2): employment (就職), 定着支援 contacts, job coach phases.
    Followup {
        #[command(subcommand)]
        action: FollowupAction,
    },
    /// What is due today and within --within days (overdue included): reviews of 個別支援会議
    /// and open follow-ups, for the team or --mine.
    Due {
        #[arg(long, default_value_t = 7)]
        within: u32,
        #[arg(long)]
        mine: bool,
        #[arg(long, value_enum, default_value = "json")]
        format: ListFormat,
        #[arg(long)]
        staff: String,
    },
    /// Anonymous monthly counts for the 自立支援協議会 (cells under 3 shown as <3; cells hidden
    /// so that none can be worked back from a total shown as x).
    CouncilStats {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long, value_enum, default_value = "csv")]
        format: CouncilFormat,
        #[arg(long)]
        staff: String,
    },
    /// Desk retention now (TRUST.md §5): closed records after `[desk] retention_days`,
    /// records without an end after `[desk] retention_years` without activity, with their
    /// network and printed PDFs. `--dry-run` lists what would go. Administrators only.
    Retention {
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        staff: String,
    },
    /// Kiosk side: send this kiosk's daily aggregates to `[kiosk] publish_to` now, and say
    /// what was sent (the kiosk itself does this between visits).
    Publish,
    /// Make a new centre key file (mode 0600; never overwrites). Prints the key id.
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// What the desk reads from a slip's QR text (`-` = standard input).
    Decode { payload: String },
    /// Print a test slip on the configured printer and report its status.
    PrintTest,
    /// Write what the kiosk says on a screen (or a text) as a WAV, through the kiosk's own
    /// speech code; prints {"text", "reading", "seconds"} as JSON.
    Speak {
        /// attract | consent | question:N (1–8) | results | slip | done | staff-call | idle
        #[arg(long, conflicts_with = "text", required_unless_present = "text")]
        screen: Option<String>,
        #[arg(long)]
        text: Option<String>,
        #[arg(long, default_value = "ja")]
        lang: String,
        /// The answers the results come from (k=v,…).
        #[arg(long)]
        answers: Option<String>,
        /// Slow speech (×0.8), as the kiosk's 「ゆっくり」.
        #[arg(long)]
        slow: bool,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum IntakeAction {
    /// Do what a scan at the desk does (open or create the record) and print it as JSON.
    Open {
        /// The QR text.
        payload: String,
        /// Sign in as this staff login; the password is read from standard input.
        #[arg(long)]
        staff: String,
    },
    /// Print one intake record (with its audit trail) as JSON.
    Show {
        id: i64,
        #[arg(long)]
        staff: String,
    },
    /// Change staff fields of a record: --set name=… --set stage=assessment (ids as in
    /// `intake show`); --version makes the save fail if someone saved since that version.
    Save {
        id: i64,
        #[arg(long)]
        staff: String,
        #[arg(long = "set", required = true)]
        set: Vec<String>,
        #[arg(long)]
        version: Option<i64>,
    },
    /// List records (newest first) as JSON: --text matches name or ふりがな.
    List {
        #[arg(long)]
        staff: String,
        #[arg(long, default_value = "")]
        text: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AgencyAction {
    /// Add or update agencies by id from a TOML file (administrators).
    Import {
        file: PathBuf,
        #[arg(long)]
        staff: String,
    },
    /// Every agency as JSON (the bundled sample on first use).
    List {
        #[arg(long)]
        staff: String,
        #[arg(long, value_enum, default_value = "json")]
        format: ListFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CouncilFormat {
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Json,
}

#[derive(Subcommand, Debug)]
pub enum CaseAction {
    /// Link an agency to a record, with the person's consent to share information.
    Link {
        record: i64,
        #[arg(long)]
        agency: String,
        /// 就労 / 生活 / 医療 / 企業 / 家族 / その他, or free text.
        #[arg(long)]
        role: String,
        /// The day the person consented (YYYY-MM-DD; not in the future).
        #[arg(long)]
        consent: Option<String>,
        /// What may be shared.
        #[arg(long, default_value = "")]
        scope: String,
        /// The person there working with them (or a family member), if named.
        #[arg(long, default_value = "")]
        person: String,
        #[arg(long)]
        staff: String,
    },
    /// End a link: the agency no longer works with this person (from --date, default today).
    End {
        record: i64,
        #[arg(long)]
        link: i64,
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        staff: String,
    },
    /// Consent on a link given later (--given, with --scope) or withdrawn (--withdrawn); each
    /// is in the record's audit trail and the link's consent history.
    Consent {
        record: i64,
        #[arg(long)]
        agency: String,
        /// Which link, when the record has several open links to that agency.
        #[arg(long)]
        link: Option<i64>,
        #[arg(long, conflicts_with = "withdrawn")]
        given: Option<String>,
        #[arg(long, default_value = "")]
        scope: String,
        #[arg(long)]
        withdrawn: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        staff: String,
    },
    /// Log an exchange with an agency; `sent` needs the person's consent.
    Contact {
        record: i64,
        #[arg(long)]
        agency: String,
        /// 電話 | FAX | メール | 訪問
        #[arg(long)]
        method: String,
        /// sent | received
        #[arg(long)]
        direction: String,
        #[arg(long)]
        summary: String,
        #[arg(long)]
        staff: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum MeetingAction {
    /// Record a meeting: decisions (支援方針), a short-term goal and the next review.
    Add(MeetingAdd),
    /// The meeting's record as an A4 PDF for the participants (font embedded, text
    /// selectable).
    Pdf {
        /// The meeting's id (printed by `meeting add`).
        meeting: i64,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        staff: String,
    },
}

#[derive(clap::Args, Debug)]
pub struct MeetingAdd {
    pub record: i64,
    #[arg(long)]
    pub date: String,
    #[arg(long, default_value = "")]
    pub participants: String,
    #[arg(long, default_value = "")]
    pub agenda: String,
    #[arg(long)]
    pub decision: String,
    #[arg(long)]
    pub goal: String,
    #[arg(long)]
    pub goal_date: String,
    #[arg(long)]
    pub review: String,
    #[arg(long)]
    pub staff: String,
}

#[derive(Subcommand, Debug)]
pub enum FollowupAction {
    /// Record employment, plan a 定着支援 contact or a job coach phase.
    Add {
        record: i64,
        /// 就職 | 定着支援 | ジョブコーチ (or employment | retention | jobcoach)
        #[arg(long)]
        kind: String,
        /// Job coach: 事前準備期 | 集中支援期 | フォローアップ期; otherwise a short label.
        #[arg(long, default_value = "")]
        phase: String,
        /// The day work began, the contact's day, or the phase's first day (YYYY-MM-DD).
        #[arg(long)]
        date: String,
        /// The last day of a job coach phase.
        #[arg(long, default_value = "")]
        until: String,
        #[arg(long, default_value = "")]
        note: String,
        /// With --kind 就職: also plan 定着支援 at 2 weeks, 1, 3 and 6 months.
        #[arg(long = "plan-retention")]
        plan: bool,
        #[arg(long)]
        staff: String,
    },
    /// Mark a follow-up done (it leaves the due list).
    Done {
        id: i64,
        /// The day it was done (default: today).
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        staff: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum PyramidAction {
    Add {
        record: i64,
        /// Five ratings 1–4, base → top, e.g. 1,2,3,4,2.
        #[arg(long)]
        ratings: String,
        /// Notes per level, separated by |.
        #[arg(long, default_value = "")]
        notes: String,
        /// The assessment's day (default: today).
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        staff: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum DeskAction {
    /// Copy this PC's desk.sqlite (records, audit, accounts, access log) into an empty
    /// PostgreSQL database and verify row counts and a checksum per table.
    Migrate {
        /// postgresql://USER@HOST:5432/DBNAME (password from [desk] password_file or
        /// --password-file, never in the URL).
        #[arg(long)]
        to: String,
        /// The target role's password, first line of this file (mode 0600).
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
}

/// Every account command is an administrator's (TRUST.md §1): `--staff ADMIN`, the admin's
/// password on the first line of standard input (a new password, where one is asked, on the
/// second). Only the very first account is made without `--staff`, and it must be `--admin`.
#[derive(Subcommand, Debug)]
pub enum StaffAction {
    /// Add an account (the first one: `--admin`, its password on standard input).
    Add {
        #[arg(long)]
        admin: bool,
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// The administrator adding it (not for the very first account).
        #[arg(long)]
        staff: Option<String>,
    },
    /// The accounts, as JSON.
    List {
        #[arg(long)]
        staff: String,
    },
    /// Nobody can sign in with this login any more (a signed-in desk is signed out at its next action).
    Disable {
        login: String,
        #[arg(long)]
        staff: String,
    },
    Enable {
        login: String,
        #[arg(long)]
        staff: String,
    },
    /// A new password (second line of standard input), and the lock lifted.
    ResetPassword {
        login: String,
        #[arg(long)]
        staff: String,
    },
    /// Make an account administrator or staff (never the last administrator staff).
    Role {
        login: String,
        #[arg(long, value_parser = ["admin", "staff"])]
        role: String,
        #[arg(long)]
        staff: String,
    },
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
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

pub fn main() -> ExitCode {
    STARTED.get_or_init(std::time::Instant::now);
    let cmd = <Cli as clap::CommandFactory>::command().version(version_line());
    let parsed = cmd
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
    match cli.command {
        None => kiosk(&cli.config, &cli.data_dir, false, false),
        Some(Command::Kiosk {
            fullscreen,
            exit_after_first_frame,
        }) => kiosk(
            &cli.config,
            &cli.data_dir,
            fullscreen,
            exit_after_first_frame,
        ),
        Some(Command::Screenshots { out, only }) => {
            let prepared = prepare_kiosk(cli.config.as_deref())?;
            let files = crate::screenshots::render_all(prepared, &out, only.as_deref())
                .map_err(Failure::other)?;
            eprintln!(
                "hatarakitai: wrote {} screenshots to {}",
                files.len(),
                out.display()
            );
            Ok(())
        }
        Some(Command::HashPin) => hash_pin(),
        Some(Command::Simulate {
            visits,
            days,
            seed,
            report_commits,
        }) => {
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
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
        Some(Command::Match {
            answers,
            batch,
            emit_space,
            lang,
        }) => {
            let lang: Lang = lang.parse().map_err(Failure::input)?;
            let content = load_content(cli.config.as_deref())?;
            if emit_space {
                emit_answer_space(&content)
            } else if batch {
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
        Some(Command::CheckConfig { file }) => check_config(&file),
        Some(Command::Desk { action: None }) => {
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
            crate::desk::run::run_desk(&loaded, &dir)
        }
        Some(Command::Desk {
            action: Some(DeskAction::Migrate { to, password_file }),
        }) => {
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
            staff::migrate(&loaded, &dir, &to, password_file.as_deref())
        }
        Some(Command::Intake {
            action: IntakeAction::Open { payload, staff },
        }) => {
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
            staff::intake_open(&loaded, &dir, &staff, &payload)
        }
        Some(Command::Intake { action }) => {
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
            staff::intake(&loaded, &dir, action)
        }
        Some(Command::Retention { dry_run, staff }) => {
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
            staff::retention(&loaded, &dir, dry_run, &staff)
        }
        Some(Command::Staff { action }) => {
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
            staff::staff(&loaded, &dir, action)
        }
        Some(Command::AccessLog {
            staff,
            from,
            to,
            format,
        }) => {
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
            staff::access_log(&loaded, &dir, &staff, from, to, format)
        }
        Some(Command::Slip { answers, out, lang }) => {
            let lang: Lang = lang.parse().map_err(Failure::input)?;
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
            self::slip::slip_command(&loaded, &dir, &answers, lang, &out)
        }
        Some(Command::Agency { action }) => {
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
            network::agency_cmd(&loaded, &dir, action)
        }
        Some(Command::Case { action }) => {
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
            network::case_cmd(&loaded, &dir, action)
        }
        Some(Command::Meeting { action }) => {
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
            network::meeting_cmd(&loaded, &dir, action)
        }
        Some(Command::Followup { action }) => {
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
            network::followup_cmd(&loaded, &dir, action)
        }
        Some(Command::Pyramid { action }) => {
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
            network::pyramid_cmd(&loaded, &dir, action)
        }
        Some(Command::Due {
            within,
            mine,
            format: _,
            staff,
        }) => {
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
            network::due_cmd(&loaded, &dir, within, mine, &staff)
        }
        Some(Command::CouncilStats {
            from,
            to,
            format,
            staff,
        }) => {
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
            network::council_cmd(&loaded, &dir, &from, &to, format, &staff)
        }
        Some(Command::Publish) => {
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
            self::stats::publish(&loaded, &dir)
        }
        Some(Command::Stats {
            from,
            to,
            format,
            by,
            db,
            source: self::stats::Source::Shared,
            staff,
            kiosk,
        }) => {
            if db.is_some() {
                return Err(Failure::input(
                    "--db reads a kiosk.sqlite; with --source shared the figures come from the team's database: leave out --db",
                ));
            }
            let Some(staff) = staff else {
                return Err(Failure::input(
                    "--source shared needs --staff LOGIN (the password on standard input)",
                ));
            };
            let (loaded, dir) = setup(&cli.config, &cli.data_dir)?;
            self::stats::shared(
                &loaded,
                &dir,
                &staff,
                kiosk,
                from.as_deref(),
                to.as_deref(),
                format,
                by,
            )
        }
        Some(Command::Stats {
            from,
            to,
            format,
            by,
            db,
            source: self::stats::Source::Kiosk,
            staff,
            kiosk,
        }) => {
            if staff.is_some() || kiosk.is_some() {
                return Err(Failure::input(
                    "--staff and --kiosk go with --source shared (the team's database); this kiosk's own figures need neither",
                ));
            }
            let loaded = crate::config::Loaded::load(cli.config.as_deref())
                .map_err(|e| Failure::input(e.to_string()))?;
            // With --db the data directory is not needed.
            let data_dir = match crate::config::data_dir(cli.data_dir.as_deref()) {
                Ok(d) => d,
                Err(e) if db.is_none() => return Err(Failure::input(e)),
                Err(_) => PathBuf::new(),
            };
            self::stats::stats(
                &data_dir,
                &loaded,
                from.as_deref(),
                to.as_deref(),
                format,
                by,
                db.as_deref(),
            )
        }
        Some(Command::Keygen { out }) => self::slip::keygen(&out),
        Some(Command::Decode { payload }) => {
            self::slip::decode_command(&payload, cli.config.as_deref(), cli.data_dir.as_deref())
        }
        Some(Command::PrintTest) => {
            self::slip::print_test_command(cli.config.as_deref(), cli.data_dir.as_deref())
        }
        Some(Command::Speak {
            screen,
            text,
            lang,
            answers,
            slow,
            out,
        }) => speak(
            &cli.config,
            &cli.data_dir,
            (screen, text),
            &lang,
            answers,
            slow,
            &out,
        ),
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
    config: &Option<PathBuf>,
    data_dir: &Option<PathBuf>,
    spec: (Option<String>, Option<String>),
    lang: &str,
    answers: Option<String>,
    slow: bool,
    out: &std::path::Path,
) -> Result<(), Failure> {
    use crate::kiosk::controller::speech_script::{Script, Utterance};
    use crate::kiosk::speak::{ScreenSpec, script_for};
    let lang: crate::lang::Lang = lang.parse().map_err(Failure::input)?;
    let (loaded, dir) = setup(config, data_dir)?;
    let prepared = prepare_kiosk(config.as_deref())?;
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
fn kiosk(
    config: &Option<PathBuf>,
    data_dir: &Option<PathBuf>,
    fullscreen: bool,
    exit_after_first_frame: bool,
) -> Result<(), Failure> {
    let started = *STARTED.get_or_init(std::time::Instant::now);
    let (loaded, dir) = setup(config, data_dir)?;
    let mut prepared = prepare_kiosk(config.as_deref())?;
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
    crate::kiosk::run::run_kiosk(
        prepared,
        Box::new(backend),
        crate::kiosk::run::RunOptions {
            fullscreen,
            exit_after_first_frame,
            started,
            stats: Some(stats),
            speaker,
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

/// Validates a config file, the content it points to, and the MUST rules over every possible
/// set of answers — what an administrator runs after editing routes or weights.
fn check_config(file: &Path) -> Result<(), Failure> {
    let loaded = Loaded::load(Some(file)).map_err(|e| Failure::input(e.to_string()))?;
    let content = loaded
        .content()
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
