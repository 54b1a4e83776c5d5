//! The TOML config (PRODUCT.md §10). Every key is optional; built-in defaults make
//! `hatarakitai` with no arguments a working kiosk. Unknown keys are errors (a typo must not be
//! silently ignored), reported with file, line and field.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::content::ContentError;

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub centre: CentreConfig,
    pub kiosk: KioskConfig,
    pub keys: KeysConfig,
    pub printer: PrinterConfig,
    pub content: ContentConfig,
    pub desk: DeskConfig,
    pub access: AccessConfig,
    pub serve: ServeConfig,
    pub sheet: SheetConfig,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CentreConfig {
    pub name: String,
    pub phone: String,
    pub hours: String,
    /// IANA zone: days in statistics and times on slips are local to the centre.
    pub timezone: String,
}

/// The seed's own line under its map.
pub fn default_procedures() -> crate::content::Texts {
    crate::content::Texts {
        ja: "※手続きは障がい福祉課".into(),
        ja_easy: "※{手続|てつづ}きは {市|し}の {障|しょう}がい{福祉課|ふくしか}".into(),
        en: "* Applications: the city's disability welfare section (障がい福祉課)".into(),
    }
}

/// `[sheet]`: the visitor's take-home sheet 「働くためには？」 (SHEET.md).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct SheetConfig {
    /// 「持ち帰り用も 印刷」 is already chosen when the results appear; false: one press
    /// chooses it.
    pub take_home: bool,
    /// The 「※手続きは障がい福祉課」 line, in the centre's words: `[sheet.procedures] ja =
    /// "…", ja-easy = "…", en = "…"`. Unset: [`default_procedures`].
    pub procedures: Option<crate::content::Texts>,
}

impl SheetConfig {
    /// The 「※手続きは…」 line (the centre's or the seed's).
    pub fn procedures(&self) -> crate::content::Texts {
        self.procedures.clone().unwrap_or_else(default_procedures)
    }
}

impl Default for CentreConfig {
    fn default() -> Self {
        CentreConfig {
            name: "障害者就業・生活支援センター".into(),
            phone: String::new(),
            hours: String::new(),
            timezone: "Asia/Tokyo".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KioskConfig {
    pub id: u16,
    pub idle_seconds: u32,
    pub warning_seconds: u32,
    pub retention_days: u32,
    /// `hatarakitai hash-pin` output (an Argon2 PHC string; a plain PIN is refused). Wins over
    /// the PIN set at the kiosk (`<data dir>/staff-pin`). None and no file: no PIN works until
    /// the staff corner's first-time setup sets one (TRUST.md §4).
    pub staff_pin_hash: Option<String>,
    /// Run (without a shell, not waited for) when a visitor taps 「スタッフをよぶ」.
    pub on_call_staff: Option<String>,
    /// `postgresql://KIOSK_ROLE@HOST:5432/DBNAME`: publish the daily aggregates (never a
    /// visit's answers) to the team's database between visits (TEAM.md §3).
    pub publish_to: Option<String>,
    /// That role's password, first line of this file (mode 0600), relative to the config.
    pub publish_password_file: Option<PathBuf>,
    /// With `publish_to`: a staff call not answered at a desk within this many seconds is
    /// withdrawn and the visitor is told to speak to the reception window (LOBBY.md §1).
    pub call_answer_seconds: u32,
    /// The kiosk says who is coming (「佐藤さんが 向かっています」) instead of only that
    /// someone is.
    pub show_staff_name: bool,
    /// Where a visitor goes when no desk can come (no channel, no answer, no server), in the
    /// centre's words: `[kiosk.call_help] ja = "…", ja-easy = "…", en = "…"` (ja-easy may use
    /// `{漢字|かんじ}`). Unset: 「受付の 窓口で 声を かけてください。」.
    pub call_help: Option<CallHelp>,
}

/// `[kiosk.call_help]`: one sentence per language.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallHelp {
    pub ja: String,
    #[serde(rename = "ja-easy")]
    pub ja_easy: String,
    pub en: String,
}

impl Default for KioskConfig {
    fn default() -> Self {
        KioskConfig {
            id: 1,
            idle_seconds: 90,
            warning_seconds: 30,
            retention_days: 30,
            staff_pin_hash: None,
            on_call_staff: None,
            publish_to: None,
            publish_password_file: None,
            call_answer_seconds: 60,
            show_staff_name: false,
            call_help: None,
        }
    }
}

/// Speech and keys for visitors who cannot see or tap the screen (ACCESS.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccessConfig {
    /// false: the kiosk never speaks (the 「よみあげ」 toggle says speech is not available).
    pub speech: bool,
    /// Plays 16-bit mono PCM from standard input; `{rate}` is replaced by the sample rate.
    /// Run without a shell. The first one that exists is used.
    pub players: Vec<String>,
    /// The Open JTalk program, its dictionary and an HTS voice (empty = the bundled `mei`).
    pub open_jtalk: String,
    pub dictionary: PathBuf,
    pub voice: PathBuf,
    /// The English engine.
    pub espeak: String,
    /// A speech engine that takes longer than this for one sentence is stopped.
    pub engine_timeout_ms: u64,
    /// Action name → key names (`[access.keys] help = ["h", "F1"]`); see src/kiosk/keys.rs.
    pub keys: std::collections::BTreeMap<toml::Spanned<String>, Vec<toml::Spanned<String>>>,
}

impl Default for AccessConfig {
    fn default() -> Self {
        AccessConfig {
            speech: true,
            players: vec![
                "aplay -q -t raw -f S16_LE -r {rate} -c 1 -".into(),
                "paplay --raw --format=s16le --rate={rate} --channels=1".into(),
                "pw-cat --playback --format=s16 --rate={rate} --channels=1 -".into(),
            ],
            open_jtalk: "open_jtalk".into(),
            dictionary: PathBuf::from("/var/lib/mecab/dic/open-jtalk/naist-jdic"),
            voice: PathBuf::new(),
            espeak: "espeak-ng".into(),
            engine_timeout_ms: 5000,
            keys: Default::default(),
        }
    }
}

impl AccessConfig {
    /// The key map, or the first bad entry (its span, field and message).
    pub fn key_map(&self) -> Result<crate::keys::KeyMap, (std::ops::Range<usize>, String, String)> {
        use crate::keys;
        let mut given = std::collections::BTreeMap::new();
        for (action, list) in &self.keys {
            if keys::action_named(action.get_ref()).is_none() {
                return Err((
                    action.span(),
                    format!("access.keys.{}", action.get_ref()),
                    format!(
                        "unknown action `{}`: use one of {}",
                        action.get_ref(),
                        keys::action_names()
                    ),
                ));
            }
            let mut names = Vec::new();
            for k in list {
                if !keys::known_key(k.get_ref()) {
                    return Err((
                        k.span(),
                        format!("access.keys.{}", action.get_ref()),
                        format!(
                            "unknown key name `{}`: use {}",
                            k.get_ref(),
                            keys::key_names_help()
                        ),
                    ));
                }
                names.push(k.get_ref().clone());
            }
            given.insert(action.get_ref().clone(), names);
        }
        Ok(keys::KeyMap::with(&given))
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeysConfig {
    /// Relative to the data dir. The first is the key the kiosk signs with; the desk accepts all.
    pub files: Vec<PathBuf>,
}

impl Default for KeysConfig {
    fn default() -> Self {
        KeysConfig {
            files: vec![PathBuf::from("centre.key")],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PrinterKind {
    #[default]
    File,
    EscposTcp,
    EscposDevice,
    Cups,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrinterConfig {
    pub kind: PrinterKind,
    pub address: String,
    pub device: PathBuf,
    pub queue: String,
    /// Relative to the data dir.
    pub dir: PathBuf,
    pub dots: u32,
    pub timeout_ms: u64,
}

impl Default for PrinterConfig {
    fn default() -> Self {
        PrinterConfig {
            kind: PrinterKind::File,
            // No defaults: an escpos printer without its address or device is a config
            // error at load, not a failure at the first print.
            address: String::new(),
            device: PathBuf::new(),
            queue: String::new(),
            dir: PathBuf::from("slips"),
            dots: 576,
            timeout_ms: 8000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ContentConfig {
    pub questionnaire: Option<PathBuf>,
    pub routes: Option<PathBuf>,
    pub rules: Option<PathBuf>,
    /// The map 「働くためには？」 (assets/sheet.toml's shape).
    pub sheet: Option<PathBuf>,
    /// The centre's directory (assets/agencies.toml's shape): the take-home sheet prints the
    /// `public = true` entries' contacts.
    pub agencies: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeskConfig {
    /// Closed (ターミネーション) intake records are deleted this many days after closing.
    pub retention_days: u32,
    /// Records without an end are deleted after this many years without any activity.
    pub retention_years: u32,
    /// Not used any more: the audit trail names the signed-in login (TRUST.md §3). Still
    /// accepted so that older configs load.
    pub staff_name: String,
    /// `postgresql://USER@HOST:5432/DBNAME`: every desk of the centre on one PostgreSQL
    /// server. None = `desk.sqlite` in the data dir (one PC).
    pub database: Option<String>,
    /// The database password, first line of this file (mode 0600), relative to the config.
    pub password_file: Option<PathBuf>,
    /// The desk window locks (hiding every record) after this long without input.
    pub lock_minutes: u32,
    /// The chime of a staff call from a kiosk, 0.0 (silent) to 1.0.
    pub chime_volume: f32,
}

impl Default for DeskConfig {
    fn default() -> Self {
        DeskConfig {
            retention_days: 365 * 3,
            retention_years: 5,
            staff_name: "staff".into(),
            database: None,
            password_file: None,
            lock_minutes: 5,
            chime_volume: 0.7,
        }
    }
}

/// `hatarakitai serve` (SERVER.md §1–2): where the desk is served to the staff's browsers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServeConfig {
    /// `127.0.0.1:8080` by default: plain HTTP is served on a loopback address only.
    pub listen: String,
    /// The server certificate (PEM, with its chain) and its key, relative to the config:
    /// both set = HTTPS (`hatarakitai tls init` makes them).
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// The address staff type (`https://desk.centre.lan:8443/`): decides the cookie's name
    /// and Secure flag, HSTS, the Origin a POST must carry and the Host names accepted.
    /// Unset = made from `listen` (and TLS).
    pub public_url: Option<String>,
    /// Threads that each own one connection to the store (the store is synchronous).
    pub store_workers: u32,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            listen: "127.0.0.1:8080".into(),
            tls_cert: None,
            tls_key: None,
            public_url: None,
            store_workers: 4,
        }
    }
}

impl ServeConfig {
    /// The listen address, parsed.
    pub fn addr(&self) -> Result<std::net::SocketAddr, (String, String)> {
        self.listen.parse().map_err(|_| {
            (
                "serve.listen".into(),
                format!(
                    "`{}` is not an address and port: write e.g. \"127.0.0.1:8080\" (this PC only) or \"0.0.0.0:8443\" (every network, with tls_cert and tls_key)",
                    self.listen
                ),
            )
        })
    }

    pub fn tls(&self) -> bool {
        self.tls_cert.is_some() && self.tls_key.is_some()
    }

    fn validate(&self) -> Result<(), (String, String)> {
        let addr = self.addr()?;
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err((
                "serve.tls_cert".into(),
                "set both serve.tls_cert and serve.tls_key (PEM files, e.g. from `hatarakitai tls init`), or neither".into(),
            ));
        }
        if !addr.ip().is_loopback() && !self.tls() {
            return Err((
                "serve.listen".into(),
                format!(
                    "{addr} is reachable from other PCs, so staff passwords and records would cross the network unencrypted: set serve.tls_cert and serve.tls_key (`hatarakitai tls init --name HOST --out DIR` makes them), or listen on 127.0.0.1"
                ),
            ));
        }
        if !(1..=64).contains(&self.store_workers) {
            return Err((
                "serve.store_workers".into(),
                "use 1 to 64 (4 is plenty for a centre)".into(),
            ));
        }
        if let Some(u) = &self.public_url {
            crate::config::PublicUrl::parse(u).map_err(|m| ("serve.public_url".to_string(), m))?;
        }
        Ok(())
    }
}

/// `[serve] public_url`, checked: scheme, host and port, nothing after the `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    pub https: bool,
    /// `host` or `host:port` as the browser sends it in `Host` (default ports left out).
    pub authority: String,
}

impl PublicUrl {
    pub fn parse(u: &str) -> Result<PublicUrl, String> {
        let bad = || {
            format!(
                "`{u}` is not the desk's address: write the scheme, the host and the port staff type, e.g. \"https://desk.centre.lan:8443/\""
            )
        };
        let (https, rest) = if let Some(r) = u.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = u.strip_prefix("http://") {
            (false, r)
        } else {
            return Err(bad());
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty()
            || !authority
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        {
            return Err(bad());
        }
        let default_port = if https { ":443" } else { ":80" };
        let authority = authority
            .strip_suffix(default_port)
            .unwrap_or(authority)
            .to_ascii_lowercase();
        if !https {
            let host = authority
                .rsplit_once(':')
                .map_or(authority.as_str(), |(h, _)| h);
            if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
                return Err(format!(
                    "`{u}` is plain http on a name other PCs use: use https:// (a reverse proxy or serve.tls_cert) — plain http is for this PC only (127.0.0.1)"
                ));
            }
        }
        Ok(PublicUrl { https, authority })
    }

    /// The value a browser puts in `Origin` for pages of this address.
    pub fn origin(&self) -> String {
        format!(
            "{}://{}",
            if self.https { "https" } else { "http" },
            self.authority
        )
    }
}

/// A loaded config, with the directory its relative paths are resolved against.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub config: Config,
    /// Where content paths in the file are relative to (the config file's folder).
    pub base_dir: PathBuf,
    pub file: Option<PathBuf>,
}

impl Config {
    pub fn parse(name: &str, text: &str) -> Result<Config, ContentError> {
        let src = crate::content::error::Source { name, text };
        let cfg: Config = toml::from_str(text).map_err(|e| src.toml_err(&e))?;
        if let Err((span, field, message)) = cfg.access.key_map() {
            return Err(src.err(Some(span), field, message));
        }
        cfg.validate()
            .and_then(|()| cfg.serve.validate())
            .map_err(|(field, message)| ContentError {
                file: name.to_string(),
                line: None,
                field,
                message,
            })?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), (String, String)> {
        if self.centre.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err((
                "centre.timezone".into(),
                format!(
                    "unknown time zone `{}`: use an IANA name such as Asia/Tokyo",
                    self.centre.timezone
                ),
            ));
        }
        if !(10..=600).contains(&self.kiosk.call_answer_seconds) {
            return Err((
                "kiosk.call_answer_seconds".into(),
                format!(
                    "{} is out of range: use 10 to 600 seconds (how long a visitor waits for a desk to answer a staff call)",
                    self.kiosk.call_answer_seconds
                ),
            ));
        }
        if !(0.0..=1.0).contains(&self.desk.chime_volume) {
            return Err((
                "desk.chime_volume".into(),
                format!(
                    "{} is out of range: use 0.0 (silent) to 1.0 (full volume)",
                    self.desk.chime_volume
                ),
            ));
        }
        if let Some(h) = &self.kiosk.call_help {
            let fields = [
                ("ja", &h.ja, "受付の 窓口で 声を かけてください。"),
                (
                    "ja-easy",
                    &h.ja_easy,
                    "{受付|うけつけ}の {窓口|まどぐち}で {声|こえ}を かけてください。",
                ),
                ("en", &h.en, "Please speak to the reception desk."),
            ];
            for (field, text, example) in fields {
                if text.trim().is_empty() {
                    return Err((
                        format!("kiosk.call_help.{field}"),
                        format!(
                            "is empty: write where a visitor goes when no desk can come, e.g. \"{example}\" (or leave [kiosk.call_help] out for the default)"
                        ),
                    ));
                }
            }
            // ja-easy is shown with furigana: bad markup would reach the screen as braces.
            if let Err(why) = crate::content::text::parse_ruby(&h.ja_easy) {
                return Err(("kiosk.call_help.ja-easy".into(), why));
            }
        }
        if let Some(t) = &self.sheet.procedures
            && let Some((lang, problem)) = t.problems().into_iter().next()
        {
            return Err((
                format!("sheet.procedures.{lang}"),
                format!(
                    "{problem}: write the take-home sheet's 「※手続きは…」 line in ja, ja-easy and en (or leave [sheet.procedures] out for 「※手続きは障がい福祉課」)"
                ),
            ));
        }
        if self.kiosk.idle_seconds < 30 {
            return Err((
                "kiosk.idle_seconds".into(),
                format!(
                    "{} is too short for visitors who read slowly: use 30 or more (default 90)",
                    self.kiosk.idle_seconds
                ),
            ));
        }
        if self.kiosk.warning_seconds < 30 {
            return Err((
                "kiosk.warning_seconds".into(),
                "the 「まだ つかっていますか？」 countdown must give at least 30 seconds".into(),
            ));
        }
        if let Some(h) = &self.kiosk.staff_pin_hash
            && let Err(why) = check_pin_hash(h)
        {
            return Err((
                "kiosk.staff_pin_hash".into(),
                format!(
                    "{why}: make the hash with `hatarakitai hash-pin` (it reads the PIN, 6 to 12 digits, from standard input), or leave the key out and set the PIN at the kiosk's staff corner"
                ),
            ));
        }
        if self.kiosk.retention_days == 0 {
            return Err(("kiosk.retention_days".into(), "must be at least 1".into()));
        }
        if self.keys.files.is_empty() {
            return Err((
                "keys.files".into(),
                "name at least one key file (e.g. [\"centre.key\"])".into(),
            ));
        }
        if !matches!(self.printer.dots, 384 | 576) && !(200..=1024).contains(&self.printer.dots) {
            return Err((
                "printer.dots".into(),
                format!(
                    "{} dots: use 576 (80 mm paper) or 384 (58 mm)",
                    self.printer.dots
                ),
            ));
        }
        if self.access.engine_timeout_ms < 500 {
            return Err((
                "access.engine_timeout_ms".into(),
                "use at least 500 ms (a long sentence takes a moment to prepare)".into(),
            ));
        }
        if self
            .access
            .players
            .iter()
            .any(|p| p.split_whitespace().next().is_none())
        {
            return Err((
                "access.players".into(),
                "an empty command: give a program and its arguments, e.g. \"aplay -q -t raw -f S16_LE -r {rate} -c 1 -\"".into(),
            ));
        }
        if self.printer.timeout_ms < 500 {
            return Err(("printer.timeout_ms".into(), "use at least 500 ms".into()));
        }
        if self.printer.kind == PrinterKind::EscposTcp {
            let a = self.printer.address.trim();
            if a.is_empty() {
                return Err((
                    "printer.address".into(),
                    "kind = \"escpos-tcp\" needs address = \"HOST:PORT\" (the printer's network address, usually port 9100, e.g. \"192.168.10.50:9100\")".into(),
                ));
            }
            if a.rsplit_once(':')
                .is_none_or(|(h, p)| h.is_empty() || p.parse::<u16>().is_err())
            {
                return Err((
                    "printer.address".into(),
                    format!(
                        "`{a}` is not HOST:PORT: write the printer's address with its port, e.g. \"192.168.10.50:9100\""
                    ),
                ));
            }
        }
        if self.printer.kind == PrinterKind::EscposDevice
            && self.printer.device.as_os_str().is_empty()
        {
            return Err((
                "printer.device".into(),
                "kind = \"escpos-device\" needs device = \"/dev/usb/lp0\" (the printer's device file; see `ls /dev/usb/`)".into(),
            ));
        }
        if self.printer.kind == PrinterKind::Cups && self.printer.queue.trim().is_empty() {
            return Err((
                "printer.queue".into(),
                "kind = \"cups\" needs queue = \"NAME\" (see `lpstat -p`)".into(),
            ));
        }
        Ok(())
    }

    pub fn timezone(&self) -> chrono_tz::Tz {
        self.centre
            .timezone
            .parse()
            .unwrap_or(chrono_tz::Asia::Tokyo)
    }
}

impl Loaded {
    /// The key files of `[keys] files`, resolved against the data dir.
    pub fn key_paths(&self, data_dir: &Path) -> Vec<PathBuf> {
        self.config
            .keys
            .files
            .iter()
            .map(|p| in_data_dir(data_dir, p))
            .collect()
    }

    /// Reads the config file if given, else the defaults.
    pub fn load(file: Option<&Path>) -> Result<Loaded, ContentError> {
        let Some(path) = file else {
            return Ok(Loaded {
                config: Config::default(),
                base_dir: PathBuf::from("."),
                file: None,
            });
        };
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ContentError {
            file: name.clone(),
            line: None,
            field: String::new(),
            message: format!("cannot read the config file ({e}): check the --config path"),
        })?;
        let config = Config::parse(&name, &text)?;
        let base_dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Ok(Loaded {
            config,
            base_dir,
            file: Some(path.to_path_buf()),
        })
    }

    /// A content path from the config, resolved against the config file's folder.
    pub fn content_path(&self, p: &Option<PathBuf>) -> Option<PathBuf> {
        p.as_ref().map(|p| {
            if p.is_absolute() {
                p.clone()
            } else {
                self.base_dir.join(p)
            }
        })
    }

    pub fn content(&self) -> Result<crate::content::Content, crate::content::ContentErrors> {
        let q = self.content_path(&self.config.content.questionnaire);
        let r = self.content_path(&self.config.content.routes);
        let u = self.content_path(&self.config.content.rules);
        crate::content::Content::load(&crate::content::ContentPaths {
            questionnaire: q.as_deref(),
            routes: r.as_deref(),
            rules: u.as_deref(),
        })
    }
}

impl Loaded {
    /// The map 「働くためには？」 named by `[content] sheet` (or the bundled one), checked
    /// against the catalogue.
    pub fn sheet(
        &self,
        content: &crate::content::Content,
    ) -> Result<crate::content::SheetTree, crate::content::ContentErrors> {
        let p = self.content_path(&self.config.content.sheet);
        crate::content::SheetTree::load(p.as_deref(), &content.catalogue)
    }
}

/// Is `hash` an Argon2 PHC string with salt and hash (what `hatarakitai hash-pin` makes)? The
/// message never quotes `hash`: it may be a plain PIN written by mistake.
pub fn check_pin_hash(hash: &str) -> Result<(), String> {
    use argon2::password_hash::PasswordHash;
    let parsed = PasswordHash::new(hash)
        .map_err(|_| "not a PIN hash (a plain PIN is never accepted)".to_string())?;
    argon2::Algorithm::try_from(parsed.algorithm)
        .map_err(|_| format!("not an Argon2 hash (`{}`)", parsed.algorithm))?;
    argon2::Params::try_from(&parsed)
        .map_err(|e| format!("its Argon2 parameters are not valid ({e})"))?;
    if parsed.salt.is_none() || parsed.hash.is_none() {
        return Err("the PIN hash has no salt or no hash part".into());
    }
    Ok(())
}

/// `--data-dir`, else `$XDG_DATA_HOME/hatarakitai`, else `~/.local/share/hatarakitai`.
pub fn data_dir(arg: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(p) = arg {
        return Ok(p.to_path_buf());
    }
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|x| !x.is_empty()) {
        return Ok(PathBuf::from(x).join("hatarakitai"));
    }
    if let Some(h) = std::env::var_os("HOME").filter(|x| !x.is_empty()) {
        return Ok(PathBuf::from(h).join(".local/share/hatarakitai"));
    }
    Err("no data directory: pass --data-dir DIR (neither XDG_DATA_HOME nor HOME is set)".into())
}

/// Resolves a path relative to the data dir.
pub fn in_data_dir(data_dir: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        data_dir.join(p)
    }
}
