//! The lobby and the desks, live (LOBBY.md), on a real PostgreSQL server: the kiosk's real
//! lobby link with the role of assets/deploy/kiosk-role.sql, and the real `hatarakitai
//! lobby` commands (`--follow`, `answer`) as separate processes, as outside checks use them.

mod pg_support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hatarakitai::desk::intake::ScannedVisit;
use hatarakitai::desk::store::DeskStore;
use hatarakitai::desk::store::postgres::PgTarget;
use hatarakitai::kiosk::controller::{CallNews, CallRequest};
use hatarakitai::kiosk::lobby::{ArrivalInfo, Health, Identity, LobbyLink, Timing};
use hatarakitai::lobby::PrinterState;

const BOSS: &str = "kanri-2026-pw";
const SATO: &str = "sato-2026-pw";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hatarakitai"))
}

struct Desk {
    dir: tempfile::TempDir,
}

impl Desk {
    fn new(url: &str) -> Desk {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("desk.toml"),
            format!("[desk]\ndatabase = \"{url}\"\n"),
        )
        .unwrap();
        let d = Desk { dir };
        let o = d.run(
            &[
                "staff",
                "add",
                "--admin",
                "--login",
                "boss",
                "--name",
                "管理者",
            ],
            &format!("{BOSS}\n"),
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let o = d.run(
            &[
                "staff", "add", "--login", "sato", "--name", "佐藤", "--staff", "boss",
            ],
            &format!("{BOSS}\n{SATO}\n"),
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        d
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = bin();
        c.arg("--config")
            .arg(self.dir.path().join("desk.toml"))
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(args);
        c
    }

    /// Started with `stdin` written to it (the password) and its output piped.
    fn spawn(&self, args: &[&str], stdin: &str) -> Child {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child
    }

    fn run(&self, args: &[&str], stdin: &str) -> std::process::Output {
        self.spawn(args, stdin).wait_with_output().unwrap()
    }

    fn lobby(&self) -> serde_json::Value {
        let o = self.run(
            &["lobby", "--staff", "boss", "--format", "json"],
            &format!("{BOSS}\n"),
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    }

    /// `lobby --follow`, its lines arriving on a channel.
    fn follow(&self) -> (Child, mpsc::Receiver<serde_json::Value>) {
        let mut child = self.spawn(
            &["lobby", "--follow", "--staff", "boss", "--format", "json"],
            &format!("{BOSS}\n"),
        );
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let v: serde_json::Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not one JSON line ({e}): {line}"));
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        (child, rx)
    }
}

/// The next line of `--follow` with this event (others are skipped), within 10 s.
fn next_event(rx: &mpsc::Receiver<serde_json::Value>, kind: &str) -> serde_json::Value {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(v) if v["event"] == kind => return v,
            Ok(_) => {}
            Err(e) => panic!("no `{kind}` event within 10 s ({e})"),
        }
    }
}

fn kiosk_role(pg: &pg_support::PgServer, url: &str) -> String {
    let sql = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/deploy/kiosk-role.sql");
    let o = pg.psql(url, &["-f", sql]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    url.replace("postgres@", "hatarakitai_kiosk@")
}

fn link(url: &str, answer_seconds: u32) -> (LobbyLink, mpsc::Receiver<(u64, CallNews)>) {
    let (tx, rx) = mpsc::channel();
    let l = LobbyLink::start(
        PgTarget::for_setting("[kiosk] publish_to", url, None).unwrap(),
        Identity {
            kiosk_id: 1,
            name: "1階ロビー".into(),
            setup_dir: None,
            version: "0.1.0 (test)".into(),
            call_answer_seconds: answer_seconds,
        },
        Health {
            running_since: chrono::Utc::now().timestamp() - 60,
            printer: PrinterState::Unknown,
            speech: true,
        },
        Timing {
            heartbeat: Duration::from_millis(300),
            poll: Duration::from_millis(50),
            retry: Duration::from_millis(200),
            connect_timeout: Duration::from_secs(2),
        },
        Box::new(move |seq, news| {
            let _ = tx.send((seq, news));
        }),
    )
    .unwrap();
    (l, rx)
}

fn call(seq: u64) -> CallRequest {
    CallRequest {
        seq,
        lang: "ja-easy",
        speech: true,
        keys: false,
    }
}

/// §1, §2, §3, §4: a call reaches a following desk; the first 「行きます」 wins and the other
/// is refused naming who; the kiosk learns the answer to its own call; a printed slip joins
/// the waiting list and its scan takes it off; the heartbeat carries the printer's state.
#[test]
fn a_call_reaches_the_desks_the_first_answer_wins_and_the_kiosk_hears_it() {
    let Some(pg) = pg_support::server() else {
        return;
    };
    let url = pg.new_database("lobby");
    let desk = Desk::new(&url);
    let kiosk_url = kiosk_role(pg, &url);
    let (mut follower, events) = desk.follow();
    let (link, news) = link(&kiosk_url, 60);

    // The heartbeat comes first: the kiosk is known, its printer not yet.
    let h = next_event(&events, "health");
    assert_eq!(h["kiosk"]["kiosk_name"], "1階ロビー");
    assert_eq!(h["kiosk"]["printer"], "unknown");
    assert_eq!(h["kiosk"]["warning"], serde_json::Value::Null);

    link.call(call(1));
    let c = next_event(&events, "call");
    assert_eq!(c["call"]["state"], "open");
    assert_eq!(c["call"]["lang"], "ja-easy");
    assert_eq!(c["call"]["speech"], true);
    let id = c["call"]["id"].as_i64().unwrap().to_string();

    let o = desk.run(
        &["lobby", "answer", &id, "--staff", "sato"],
        &format!("{SATO}\n"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = desk.run(
        &["lobby", "answer", &id, "--staff", "boss"],
        &format!("{BOSS}\n"),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("already answered by 佐藤"), "{err}");

    let a = next_event(&events, "answered");
    assert_eq!(a["call"]["answered_by"], "sato");
    assert_eq!(
        news.recv_timeout(Duration::from_secs(10)).unwrap(),
        (1, CallNews::Answered(Some("佐藤".into())))
    );
    assert_eq!(desk.lobby()["calls"][0]["state"], "answered");

    // A printed slip: the waiting list, without anything of the visit but its aids.
    link.arrival(ArrivalInfo {
        serial: 7,
        receipt_no: "1207-001".into(),
        lang: "ja",
        speech: false,
        keys: true,
        large_text: true,
    });
    let w = next_event(&events, "arrival");
    assert_eq!(w["arrival"]["receipt_no"], "1207-001");
    assert_eq!(w["arrival"]["keys"], true);
    let waiting = desk.lobby()["waiting"].clone();
    assert_eq!(waiting.as_array().map(Vec::len), Some(1), "{waiting}");

    // The scan of that slip (any desk) takes the visitor off the list for everyone.
    let mut store = DeskStore::connect(&PgTarget::new(&url, None).unwrap()).unwrap();
    let visit = ScannedVisit {
        kiosk_id: 1,
        serial: 7,
        issued_at: chrono::Utc::now().timestamp(),
        lang: "ja".into(),
        questionnaire_version: 1,
        answers: Vec::new(),
        routes: Vec::new(),
        receipt_no: "1207-001".into(),
    };
    store
        .open_or_create(&visit, "sato", chrono::Utc::now().timestamp())
        .unwrap();
    let s = next_event(&events, "scanned");
    assert_eq!(s["arrival"]["receipt_no"], "1207-001");
    assert_eq!(desk.lobby()["waiting"].as_array().map(Vec::len), Some(0));

    // A print found the paper out: the next heartbeat warns every desk.
    link.printer_reporter()(PrinterState::PaperOut);
    let h = next_event(&events, "health");
    assert_eq!(h["kiosk"]["printer"], "paper_out");
    assert_eq!(h["kiosk"]["warning"], "printer_paper_out");
    let _ = follower.kill();
    let _ = follower.wait();
}

/// §5: the kiosk's role inserts its events and learns its own call's answer, nothing more.
#[test]
fn the_kiosk_role_reads_nothing_of_the_lobby_or_the_records() {
    let Some(pg) = pg_support::server() else {
        return;
    };
    let url = pg.new_database("lobby_role");
    let _desk = Desk::new(&url);
    let kiosk_url = kiosk_role(pg, &url);
    let as_kiosk = |sql: &str| pg.psql(&kiosk_url, &["-tA", "-c", sql]);
    let o = as_kiosk(
        "SELECT hatarakitai_lobby_call('tok-a', 1, 'ロビー', 'ja', false, false, 60); \
         SELECT hatarakitai_lobby_arrival(1, 3, '1207-003', 'ロビー', 'ja', false, false, false); \
         SELECT hatarakitai_kiosk_health(1, 'ロビー', 0, 'ok', true, 'x')",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Its own call, by its token: the state, nothing else.
    let o = as_kiosk("SELECT * FROM hatarakitai_lobby_call_state('tok-a')");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "open|",
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Another token (no such call, or another kiosk's): nothing at all.
    let o = as_kiosk(
        "SELECT coalesce(state, '-') || coalesce(answered_name, '-') \
         FROM hatarakitai_lobby_call_state('tok-b')",
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "--");
    for forbidden in [
        "SELECT * FROM lobby_call",
        "SELECT * FROM lobby_arrival",
        "SELECT * FROM kiosk_health",
        "SELECT * FROM intake",
        "SELECT * FROM staff",
        "INSERT INTO lobby_call (token, kiosk_id, kiosk_name, called_at, expires_at, lang, speech, keys) VALUES ('x', 1, 'x', 0, 0, 'ja', false, false)",
        "UPDATE lobby_call SET answered_by = 'kiosk'",
        "DELETE FROM lobby_arrival",
    ] {
        let o = as_kiosk(forbidden);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && err.contains("permission denied"),
            "the kiosk role may not: {forbidden} ({err})"
        );
    }
    // And no other role gets the functions by default.
    let o = pg.psql(
        &url,
        &[
            "-tA",
            "-c",
            "SELECT count(*) FROM information_schema.routine_privileges \
             WHERE grantee = 'PUBLIC' AND routine_name IN ('hatarakitai_lobby_call', \
             'hatarakitai_lobby_call_state', 'hatarakitai_lobby_arrival', 'hatarakitai_kiosk_health')",
        ],
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "0");
}

/// §5: with the server unreachable the kiosk hears at once that the call failed, and a call
/// older than `call_answer_seconds` is dropped, never sent late.
#[test]
fn an_unreachable_server_fails_the_call_at_once_and_never_delivers_it_late() {
    let port = pg_support::free_port().unwrap();
    let (l, news) = link(&format!("postgresql://nobody@127.0.0.1:{port}/none"), 1);
    let t = Instant::now();
    l.call(call(4));
    assert_eq!(
        news.recv_timeout(Duration::from_secs(5)).unwrap(),
        (4, CallNews::Failed)
    );
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert!(l.wait_sent(Duration::from_secs(5)), "dropped after 1 s");
    let s = l.state();
    assert_eq!(s.calls_sent, 0);
    assert!(s.problem.is_some_and(|p| p.contains("127.0.0.1")));
    assert!(news.try_recv().is_err(), "told once");
}
