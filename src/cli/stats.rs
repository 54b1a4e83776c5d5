//! `hatarakitai stats --from D --to D --format table|csv|json --by day|hour|route [--db FILE]`:
//! the glue between the command line, the kiosk store and the report. Bad dates exit 2; a
//! store that cannot be read exits 1 (a missing file exits 2: the path is wrong).
//! `stats --source shared --staff LOGIN [--kiosk ID]` reads what the kiosks published to the
//! team's database instead (TEAM.md §3), and `publish` is the kiosk's side of that.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};
use clap::Subcommand;

use crate::cli::{Ctx, Failure};
use crate::config::Loaded;
use crate::stats::{By, Format};
use crate::store::ErrorKind;
use crate::store::kiosk::KioskStore;

#[derive(Subcommand, Debug)]
pub enum StatsCommand {
    /// Visitor statistics per day, hour of the day or route (PRODUCT.md §7).
    #[command(display_order = 12)]
    Stats {
        /// First local day, YYYY-MM-DD (default: today).
        #[arg(long)]
        from: Option<String>,
        /// Last local day, YYYY-MM-DD (default: --from).
        #[arg(long)]
        to: Option<String>,
        /// Output format (CSV for Excel: UTF-8 with BOM, CRLF).
        #[arg(long, value_enum, default_value = "table")]
        format: crate::stats::Format,
        /// One row per day, hour of the day or route.
        #[arg(long, value_enum, default_value = "day")]
        by: crate::stats::By,
        /// The kiosk database (default: kiosk.sqlite in the data directory).
        #[arg(long)]
        db: Option<PathBuf>,
        /// `kiosk`: this kiosk's own kiosk.sqlite; `shared`: what the kiosks published to the
        /// team's database (`[desk] database`; needs --staff).
        #[arg(long, value_enum, default_value = "kiosk")]
        source: Source,
        /// With --source shared: the staff login (password on standard input).
        #[arg(long)]
        staff: Option<String>,
        /// With --source shared: only this kiosk (default: every kiosk, summed).
        #[arg(long)]
        kiosk: Option<u16>,
    },
    /// Kiosk side: send this kiosk's daily aggregates to `[kiosk] publish_to` now, and say
    /// what was sent (the kiosk itself does this between visits).
    #[command(display_order = 21)]
    Publish,
}

impl StatsCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), Failure> {
        match self {
            StatsCommand::Publish => {
                let (loaded, dir) = ctx.setup()?;
                publish(&loaded, &dir)
            }
            StatsCommand::Stats {
                from,
                to,
                format,
                by,
                db,
                source: Source::Shared,
                staff,
                kiosk,
            } => {
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
                let (loaded, dir) = ctx.setup()?;
                shared(
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
            StatsCommand::Stats {
                from,
                to,
                format,
                by,
                db,
                source: Source::Kiosk,
                staff,
                kiosk,
            } => {
                if staff.is_some() || kiosk.is_some() {
                    return Err(Failure::input(
                        "--staff and --kiosk go with --source shared (the team's database); this kiosk's own figures need neither",
                    ));
                }
                let loaded =
                    Loaded::load(ctx.config()).map_err(|e| Failure::input(e.to_string()))?;
                // With --db the data directory is not needed.
                let data_dir = match crate::config::data_dir(ctx.data_dir()) {
                    Ok(d) => d,
                    Err(e) if db.is_none() => return Err(Failure::input(e)),
                    Err(_) => PathBuf::new(),
                };
                stats(
                    &data_dir,
                    &loaded,
                    from.as_deref(),
                    to.as_deref(),
                    format,
                    by,
                    db.as_deref(),
                )
            }
        }
    }
}

/// The longest range accepted (a typo such as 0202 for 2026 would otherwise print millennia).
pub const MAX_DAYS: i64 = 366 * 20;

/// The kiosk database's file name in the data folder.
pub const KIOSK_DB: &str = "kiosk.sqlite";

/// Parses `--from` / `--to` (YYYY-MM-DD). Missing `--from` = today; missing `--to` = `--from`.
pub fn parse_range(
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), String> {
    let parse = |flag: &str, s: &str| {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
            format!("{flag} `{s}` is not a date: write YYYY-MM-DD, e.g. {flag} 2026-11-01")
        })
    };
    let from_d = match from {
        Some(s) => parse("--from", s)?,
        None => today,
    };
    let to_d = match to {
        Some(s) => parse("--to", s)?,
        None => from_d,
    };
    if from_d > to_d {
        return Err(format!(
            "--from {from_d} is after --to {to_d}: give the earlier date first"
        ));
    }
    if (to_d - from_d).num_days() >= MAX_DAYS {
        return Err(format!(
            "{from_d} to {to_d} is more than 20 years: check the years, or ask for a shorter range"
        ));
    }
    Ok((from_d, to_d))
}

/// Where `stats` reads its figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Source {
    Kiosk,
    Shared,
}

fn write_out(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // `stats | head` closing the pipe early is not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::other(format!("writing the report failed ({e})"))),
    }
}

/// `hatarakitai stats --source shared --staff LOGIN [--kiosk ID]`: the kiosks' published
/// figures from the team's database, summed over every kiosk unless one is named. The JSON
/// for one kiosk equals that kiosk's own `stats` for days it has published.
#[allow(clippy::too_many_arguments)]
pub fn shared(
    loaded: &Loaded,
    data_dir: &Path,
    login: &str,
    kiosk: Option<u16>,
    from: Option<&str>,
    to: Option<&str>,
    format: Format,
    by: By,
) -> Result<(), Failure> {
    let tz = loaded.config.timezone();
    let today = Utc::now().with_timezone(&tz).date_naive();
    let (from, to) = parse_range(from, to, today).map_err(Failure::input)?;
    let content = loaded
        .content()
        .map_err(|e| Failure::input(e.to_string()))?;
    if loaded.config.desk.database.is_none() {
        return Err(Failure::input(
            "--source shared reads the team's database: set [desk] database = \"postgresql://…\" in the config (a one-PC desk has no shared figures; use `stats` on the kiosk)",
        ));
    }
    let store = crate::desk::run::open_store(loaded, data_dir)?;
    super::staff::sign_in(&store, login)?;
    let rows = store
        .kiosk_buckets(kiosk, from, to)
        .map_err(|e| Failure::other(e.to_string()))?;
    let buckets: Vec<_> = rows.into_iter().map(|(_, b)| b).collect();
    let report = crate::stats::StatsReport::new(from, to, &buckets, &content);
    write_out(&report.render(format, by))
}

/// `hatarakitai publish`: sends this kiosk's days that the server may not have in full, and
/// prints what was sent.
pub fn publish(loaded: &Loaded, data_dir: &Path) -> Result<(), Failure> {
    let cfg = &loaded.config.kiosk;
    let Some(url) = &cfg.publish_to else {
        return Err(Failure::input(
            "[kiosk] publish_to is not set: add publish_to = \"postgresql://KIOSK_ROLE@HOST:5432/DBNAME\" and publish_password_file to the config (see DEPLOY.md, statistics at every desk)",
        ));
    };
    let target = crate::store::pg::PgTarget::for_setting(
        "[kiosk] publish_to",
        url,
        loaded.content_path(&cfg.publish_password_file).as_deref(),
    )
    .map_err(Failure::input)?;
    let tz = loaded.config.timezone();
    let path = data_dir.join(KIOSK_DB);
    let store = KioskStore::open_existing(&path, tz).map_err(|e| match e.kind {
        ErrorKind::NotFound => Failure::input(format!(
            "{e} (run `publish` on the kiosk PC, with its data directory)"
        )),
        _ => Failure::other(e.to_string()),
    })?;
    let mut client = target
        .connect("hatarakitai-publish", std::time::Duration::from_secs(10))
        .map_err(Failure::other)?;
    let now = Utc::now();
    let sent = crate::store::shared::publish(
        &mut client,
        &store,
        cfg.id,
        store.local_date(now),
        now.timestamp(),
    )
    .map_err(|e| Failure::other(format!("{}: {}", target.describe(), e.message)))?;
    println!("{}", sent.summary(cfg.id, &target.describe()));
    Ok(())
}

/// Runs `hatarakitai stats`: reads `db` (default: `kiosk.sqlite` in `data_dir`) and writes the
/// report to standard output.
pub fn stats(
    data_dir: &Path,
    loaded: &Loaded,
    from: Option<&str>,
    to: Option<&str>,
    format: Format,
    by: By,
    db: Option<&Path>,
) -> Result<(), Failure> {
    let tz = loaded.config.timezone();
    let today = Utc::now().with_timezone(&tz).date_naive();
    let (from, to) = parse_range(from, to, today).map_err(Failure::input)?;
    let content = loaded
        .content()
        .map_err(|e| Failure::input(e.to_string()))?;
    let path: PathBuf = db.map_or_else(|| data_dir.join(KIOSK_DB), Path::to_path_buf);
    let store = KioskStore::open_existing(&path, tz).map_err(|e| match e.kind {
        ErrorKind::NotFound => Failure::input(e.to_string()),
        _ => Failure::other(e.to_string()),
    })?;
    let report = store
        .report(&content, from, to)
        .map_err(|e| Failure::other(e.to_string()))?;
    write_out(&report.render(format, by))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn ranges() {
        let today = d("2026-11-25");
        assert_eq!(parse_range(None, None, today), Ok((today, today)));
        assert_eq!(
            parse_range(Some("2026-11-01"), None, today),
            Ok((d("2026-11-01"), d("2026-11-01")))
        );
        assert_eq!(
            parse_range(Some("2026-11-01"), Some("2026-11-30"), today),
            Ok((d("2026-11-01"), d("2026-11-30")))
        );
        let bad = parse_range(Some("2026-13-01"), None, today).unwrap_err();
        assert!(bad.contains("--from `2026-13-01` is not a date"), "{bad}");
        let bad = parse_range(Some("2026-11-30"), Some("2026-11-01"), today).unwrap_err();
        assert!(bad.contains("is after --to"), "{bad}");
        let bad = parse_range(Some("0202-01-01"), Some("2026-01-01"), today).unwrap_err();
        assert!(bad.contains("more than 20 years"), "{bad}");
    }
}
