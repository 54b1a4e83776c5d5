//! # hatarakitai (働きたい) — codemap
//!
//! A lobby kiosk for a 障害者就業・生活支援センター: a visitor answers eight questions, sees which
//! routes fit and why, and takes a slip with a QR code to the staff desk.
//!
//! ## Rooms
//! - `lang` — the three languages (ja, ja-easy = やさしいにほんご with furigana, en).
//! - `keys` — key names → kiosk actions (`[access.keys]`, validated with the config).
//! - `visit` — what a visit produces for the rooms below the kiosk: `EndReason`,
//!   `PrintResult`, `PrintJob`, `SlipTicket`.
//! - `content` — questionnaire, route catalogue (+ notes, handoff) and matching rules, loaded
//!   from TOML in `assets/` (embedded) or a centre's edited copies; every error names file,
//!   line and field. `content::text` holds the ruby markup `{漢字|かんじ}`; `content::sheet`
//!   the map 「働くためには？」 (every catalogue route on it once), loaded beside `Content`.
//! - `answers` — one visitor's answers (option index per question; skip options kept).
//! - `matcher` — the pure matcher (answers → ≤3 ranked routes with reasons, notes, handoff);
//!   `matcher::must` states routes.md's MUST rules as code; `matcher::space` enumerates
//!   every possible set of answers.
//! - `payload` — the slip's QR text: a visit record sealed with the centre key (the key and its
//!   file format as plain data; reading and writing key files is `store::key_file`).
//! - `slip` — the slip as a 1-bit raster (Japanese line breaking, furigana, QR).
//! - `sheet` — the visitor's take-home sheet 「働くためには？」 (SHEET.md): `SheetData` built
//!   from the map (`content::sheet`, assets/sheet.toml), the outcome and the directory's
//!   `public = true` contacts (`network::agency::public_contacts`, read from the kiosk's own
//!   content); `sheet::raster` (80 mm, 1-bit, the slip's text layout, ≤ 25 cm, reports the
//!   lines it set) and `sheet::pdf` (one A4 page, krilla). No QR, nothing of the visit.
//! - `printer` — ESC/POS encoding and status, and the file/TCP/device/CUPS backends.
//! - `store` — SQLite files (`store::kiosk`: visits in `mod.rs`, the statistics read and
//!   retention's folding into daily totals in `figures.rs`, its schema steps in `schema.rs`);
//!   `store::key_file` reads and writes centre key files (0600, never overwritten);
//!   `store::pg` reaches the team's PostgreSQL (URL, password file, TLS by `sslmode`) for
//!   every role; `store::shared` is the kiosks' published daily aggregates (`kiosk_stats`):
//!   whole days upserted by the kiosk, read back as the same buckets by the desks.
//! - `stats` — visitor statistics from buckets (a kiosk's own store or the shared table):
//!   table, CSV for Excel, JSON. `stats::figures` holds `Figures` and `Bucket` (one local
//!   hour's figures); stats imports no store: the stores hand it buckets
//!   (`KioskStore::report`, `desk::store::kiosk_buckets`).
//! - `failure` — `Failure` (message + exit code), what `kiosk`, `desk` and `cli` return; below
//!   all three, so nothing imports upward to fail.
//! - `kiosk` — the lobby kiosk. `kiosk::controller` is the state machine in plain Rust (screens,
//!   answers, idle reset, double-tap guard, staff PIN gate), tested without UI; split by concern:
//!   `controller/mod.rs` (the visitor's flow), `view.rs` (what the screen shows), `idle.rs`
//!   (the idle dialog, countdown and reset), `staff.rs` (PIN pad, the one-time PIN setup,
//!   staff screen), `access.rs` (focus targets in reading order, keys, speech mode,
//!   touch-to-hear), `speech_script.rs` (a `View` as sentences, ja-easy spoken by its
//!   furigana: part of the controller, which emits them), `take_home.rs` (「持ち帰り用も /
//!   だけ 印刷」, the marks choice, the 「ぜんたいの 地図」 screen, ui/map.slint). `kiosk::keys` (= `crate::keys`) maps
//!   key names to actions; `kiosk::speak` walks a controller to a screen for `hatarakitai
//!   speak` and the speech cache;
//!   `kiosk::adapter` connects it to the Slint global `KioskAdapter` (ui/adapter.slint);
//!   `adapter/models.rs` maps its `View` to Slint models (pure); `kiosk::backend` is the only
//!   door to side effects (store, slip, printer); `kiosk::run` opens the window;
//!   `kiosk::ui_texts` holds the kiosk's own words (assets/ui.toml);
//!   `kiosk::rtext` + `kiosk::measure` turn `{漢字|かんじ}` into words and lines for RubyText.
//!   `kiosk::live` is the real backend (store + slip + printer, safe mode on store faults);
//!   `kiosk::simulate` drives the controller with random visitors; `kiosk::staff_stats` fills
//!   the staff screen's statistics (ui/stats_panel.slint); `kiosk::publish` sends the daily
//!   aggregates to `[kiosk] publish_to` on its own thread with retry; `kiosk::test_print`
//!   is the test slip behind テスト印刷 and `print-test`. `kiosk::pin` is the staff PIN (no
//!   default: an Argon2id hash from `[kiosk] staff_pin_hash` or `<data dir>/staff-pin`; 5 wrong
//!   → 5 minutes, kept in `staff-pin-lock`); `kiosk::pin_files` reads and writes those files
//!   and `kiosk-name` (0600, written whole).
//! - `desk` — the staff desk. `desk::scan` cleans scanner input (IME, layout, whitespace);
//!   `desk::controller` (scan → record, edit, versioned save with conflicts, unsaved-edit
//!   guard) is plain Rust; `desk::store` (intake records, audit trail, staff accounts, access
//!   log, search, retention, the network's rows) is written once — `store::records`,
//!   `store::cases`, `store::network_sql`, `store::trust_sql`: one SQL text per statement, one
//!   row mapping per type, the save's conflict check and audit — over the narrow transactional
//!   `store::sql::Sql`, implemented by `store::sqlite` (`desk.sqlite`, one PC) and
//!   `store::postgres` (a team's server: schema table + advisory lock, `FOR UPDATE` saves,
//!   integer widths and booleans converted); every table is defined once in `store::schema`
//!   (both dialects' DDL and each migration step generated from it); `desk::accounts` (argon2 passwords,
//!   lockout) and `desk::session` (signed in / locked / drafts per person) decide sign-in;
//!   `desk::view` rebuilds answers, routes and reasons in plain Japanese; `desk::adapter`
//!   connects `DeskAdapter` (ui/desk*.slint; `connect_team` adds sign-in and the lock),
//!   `desk::stats_tab` fills the 統計 tab, `desk::clock` is the desk's `Clock` and local days
//!   (used by the adapter and the panes, so neither imports the other for them);
//!   `desk::run` opens the store named by the config and builds the controller;
//!   `desk::arrivals` joins printed slips with intake records; `desk::store::migrate` copies
//!   desk.sqlite into an empty PostgreSQL database, every column of `store::schema`'s tables,
//!   verified per table (`desk migrate`).
//!   TRUST.md: `desk::staff_admin` (account changes by administrators only, the last admin
//!   kept, each change logged with its target) for the CLI and the desk's 「職員」 tab
//!   (`desk::staff_pane`, ui/desk_staff.slint, administrators only); `desk::retention`
//!   decides what retention removes (closed by days, open by years without activity) and
//!   `DeskStore::retention` removes it daily under a database lock; `desk::private_files`
//!   writes meeting PDFs 0600 and prunes the desk's `pdf/`; `desk::scan::Wedge` tells a
//!   scanner's burst from typing and `desk::wedge` routes it to the scan from any field;
//!   `desk::store::trust_sql` holds the lockout, consent and retention statements (`?N`,
//!   turned into `$N` for PostgreSQL by `store::sql`).
//!   The record's parts (受付内容 / 連携 / 会議 / 評価 / 予定) sit beside the staff fields; with
//!   no record open the home is the due list; the 機関 tab edits the directory (admins).
//!   `desk::panes` holds those network panes, one module per pane (`links`, `meetings`,
//!   `pyramid`, `followups`, `due`, `agencies`: `load` sets the pane's one view struct, `clear`
//!   resets it, `connect` wires its callbacks), each with its own global in its own .slint
//!   file; the forms' text lives in the pane components (DeskRecord keeps the record's forms),
//!   handed to Rust as a struct argument. `desk::pane_text` builds the words they show (days,
//!   consent, hints, captions, due rows) as pure functions, tested without Slint.
//! - `network` — the support network (NETWORK.md), plain Rust: `network::agency` (the
//!   directory file `assets/agencies.toml`, checked with file:line:field; `check` for the
//!   desk's editor), `network::case` (links with the person's consent, the contact log and
//!   the consent rule), `network::meeting` (個別支援会議, 職業準備性ピラミッド ratings),
//!   `network::meeting_pdf` (a meeting as an A4 PDF: layout with kinsoku, krilla embeds a
//!   subset of the bundled font with ToUnicode maps), `network::followup` (就職, the 定着支援
//!   plan, job coach phases), `network::due` (reviews and follow-ups due by local day),
//!   `network::council` (monthly anonymous counts, small cells as 「<3」). Kept by
//!   `desk::store` (its tables defined in `desk::store::schema`, the network holds no SQL;
//!   rows by `desk::store::cases`; the due list and council counts read by
//!   `desk::store::network_sql`, aggregated in the database), driven by `cli::network` and
//!   at the desk by `desk::network` (the forms' actions) + `desk::panes` (`LinksAdapter`,
//!   `MeetingsAdapter`, `PyramidAdapter`, `FollowupsAdapter`, `DueAdapter`, `AgenciesAdapter`
//!   and `RecordPanes` in ui/desk_{network,meetings,pyramid,followups,due,agencies,panes}.slint).
//! - `lobby` — the lobby as the desks see it (LOBBY.md): staff calls, visitors waiting with a
//!   printed slip, kiosks' heartbeats (`PrinterState`, warnings), the JSON of `hatarakitai
//!   lobby`, `lobby::events` (what changed between two readings: `--follow`'s lines) and
//!   `lobby::text` (the desks' words). Pure; nothing from a visit's answers. Written by the
//!   kiosk's `kiosk::lobby` link (a thread, a bounded queue, SECURITY DEFINER functions of
//!   `desk::store::schema::PG_ROUTINES`), read by `desk::store::lobby_sql` and heard by
//!   `desk::lobby_live` (`LISTEN hatarakitai_lobby`); the kiosk's call screen follows its own
//!   call in `kiosk::controller::call`.
//! - `ui` — the generated Slint code of ui/app.slint (the kiosk's and the desk's windows and
//!   globals), used by `kiosk`, `desk` and `screenshots`.
//! - `screenshots` — `hatarakitai screenshots`: every kiosk screen (`screenshots::kiosk`, a
//!   controller driven to each state) and desk screen (`screenshots::desk`, a throwaway
//!   desk.sqlite) rendered headless into PNG through the shared `write_png` /
//!   `render_window`; a room above `kiosk` and `desk`, so neither imports the other.
//! - `serve` — `hatarakitai serve`, the desk for the staff's browsers (SERVER.md): axum on
//!   tokio, rustls, maud. `serve::pool` (threads that each own one `DeskStore`; no handler
//!   touches the synchronous store on a tokio worker), `serve::routes` (the one table of
//!   routes and roles the router is made from), `serve::guard` (session, lock, admin, CSRF
//!   token and Origin before any handler), `serve::session` (ids kept hashed, lock, cookies),
//!   `serve::headers`, `serve::events` (the lobby by SSE), `serve::tls` (`tls init`),
//!   `serve::views` (one module per page). A room above `desk`, beside `screenshots`; it
//!   uses the desk's store, accounts, view and lobby words, and nothing of Slint.
//! - `config` — the TOML config: every key optional, unknown keys rejected.
//! - `cli` — the `hatarakitai` subcommands; `main.rs` only calls `cli::main`. One file per
//!   command family, each with its own clap types, flattened into one `Command`; `cli::Ctx`
//!   holds `--config`/`--data-dir` and does the set-up: `cli::kiosk` (`kiosk`, `screenshots`,
//!   `simulate`, `hash-pin`, `speak`), `cli::content` (`match`, `check-config`), `cli::desk`
//!   (`desk`, `desk migrate`, `intake open/show/save/list`, `retention`), `cli::staff` (`staff`,
//!   `access-log`, the `--staff LOGIN` sign-in with the password on standard input),
//!   `cli::network` (`agency`, `case`, `due`, `council-stats`), `cli::meeting` (`meeting
//!   add/pdf`, `pyramid`, `followup`), `cli::slip` (`keygen`, `decode`, `print-test`, `slip`, `sheet`),
//!   `cli::stats` (`stats`, also `--source shared`, and `publish`), `cli::lobby` (`lobby`,
//!   `--follow`, `lobby answer`). Domain rooms hold no
//!   command handlers.
//!
//! ## Data flow
//! assets/*.toml → `content::Content` (validated once) → `matcher::match_answers` (pure) →
//! `matcher::OutcomeJson` (CLI) or the UI models.
//!
//! Keys: Slint `FocusScope` → `KioskAdapter.key` → `keys::KeyMap` → `Controller::key` → focus
//! key + serial → the button with that `key` takes Slint focus (so AccessKit's too). Speech:
//! `Controller` emits `Effect::Speak(Script)` / `StopSpeech` → `speech::Speaker`.
//! Kiosk: touch → `KioskAdapter` callback → `Controller` (+ `KioskBackend` = `kiosk::live`:
//! `store::kiosk` → `payload` → `slip` → `printer`) → `View` → Slint properties and models.
//! Desk: scanner keys → `desk::scan` → `payload::decode` → `desk::store` → `desk::view` →
//! `DeskAdapter`. Stats: `store::kiosk` buckets → `stats::StatsReport` → CLI / staff screens;
//! kiosk `store::kiosk` buckets → `kiosk::publish` → `store::shared` (`kiosk_stats`, a
//! table of `desk::store::schema`) →
//! `desk::store::kiosk_buckets` → the same `StatsReport` at every desk. Print jobs run on a
//! thread and report back through the event loop; a late result for an earlier visit is
//! dropped.
//!
//! Layers, bottom up: `lang`, `failure`, `visit` (end reasons, print results, slip tickets),
//! `keys` → `content` → `answers`, `config`, `network`, `lobby` → `matcher`, `payload`, `slip`, `sheet`, `stats`
//! → `store`, `printer`, `speech`, `ui` → `kiosk`, `desk` → `screenshots`, `serve` → `cli`. Nothing
//! imports a room above it or beside it (`kiosk` and `desk` import nothing of each other;
//! `kiosk::keys` and `kiosk::backend`'s visit types are re-exports of the lower rooms).
//!
//! ## Invariants
//! - The domain (`content`, `answers`, `matcher`, `payload`, `slip`, `sheet`, `network`) does no I/O
//!   beyond reading content files at load, holds no SQL, and never touches Slint or SQLite.
//! - The matcher is deterministic: same content + answers → byte-identical output.
//! - A reason is only ever given for an answer the visitor actually gave (M10).
//! - Every audit entry names the signed-in login (the store refuses an empty one); only
//!   `retention`, the desks' own daily run, writes a name that is not a person's.
//! - A failed sign-in is counted by one conditional UPDATE, and a locked account is refused
//!   before hashing: guesses at the same moment count at most 5.
//! - Desk pick lists carry the ids of the rows shown and act on them, never on a position
//!   in a list read again.
//! - Nothing is logged as sent to an agency without the person's recorded consent
//!   (`network::case::check_contact`, checked before any write), nor after it was withdrawn
//!   or the link ended; council counts carry no names or ids, never show a number under 3,
//!   and no hidden cell can be worked back from a shown total (secondary suppression); a past month's counts do not change when
//!   a case moves on later (stages at a month's end come from the audit trail).
//! - Retention deletes a record with its whole network (links, contacts, meetings,
//!   assessments, follow-ups: `network::CASE_TABLES`). A printed PDF is named by the
//!   meeting's number only. Sign-out and the desk's lock empty every network model that
//!   names a person (`desk::panes::clear`: each pane's view back to its default in one call);
//!   the text typed into the network forms lives only in components that a closed record or
//!   a locked desk does not instantiate.
//! - Every colour and size of every .slint file comes from `Theme` in ui/theme.slint
//!   (tests/theme.rs reads every file; the contrast pairs are listed in the theme).
//! - A kiosk publishes counts only (`Figures::metrics`), never answers or payloads; its role
//!   can read and write `kiosk_stats` and nothing else (assets/deploy/kiosk-role.sql).
//! - Answers, names and payloads never go to logs or error messages; the access log holds
//!   logins and record ids only; passwords only as Argon2id hashes, never in the config. The
//!   kiosk has no default PIN: none works until one is set, and it is stored only as a hash.
//! - One record per slip is the database's unique key, never a check-then-insert; a save on
//!   a stale version writes nothing.
//! - A visit is committed (`KioskStore::complete_visit`) before its slip is printed.
//! - The take-home sheet carries nothing that links it to the visit (no QR, answers, receipt
//!   number or time); its staff slip prints first; 「持ち帰り用だけ」 makes no staff slip.
//! - Statistics never change when old visits are folded into daily totals.
//! - An idle reset or the end of a visit clears the answers from the controller and every
//!   answer-bearing Slint model; screens are instantiated only while shown.
//! - Nothing is spoken unless the visitor turned speech on (toggle or first key); a reset
//!   stops speech and drops every queued sentence of the visit.
//! - Every focus target key in `controller::access` is carried by exactly one kind of Slint
//!   button (`key`, `accessible-id`; the setup's name field is the one text field);
//!   Tab/arrows never leave the current screen's targets.

pub mod answers;
pub mod cli;
pub mod config;
pub mod content;
pub mod desk;
pub mod failure;
pub mod keys;
pub mod kiosk;
pub mod lang;
pub mod lobby;
pub mod matcher;
pub mod network;
pub mod payload;
pub mod printer;
pub mod screenshots;
pub mod serve;
pub mod sheet;
pub mod slip;
pub mod speech;
pub mod stats;
pub mod store;
pub mod ui;
pub mod visit;
