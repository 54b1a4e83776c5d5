//! Faults (PRODUCT.md §8): each ends in a clear message and a defined state, never a panic.
//! Tests run as root here, so permission bits would not stop anything: an unusable data
//! directory is made with `chattr +i` (immutable, binds root too) or as a path whose parent
//! is a regular file, which no user can create.

use std::cell::Cell;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::rc::Rc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use hatarakitai::answers::Answers;
use hatarakitai::config::Loaded;
use hatarakitai::kiosk::backend::{EndReason, KioskBackend, PrintResult};
use hatarakitai::kiosk::controller::{Controller, Effect, KioskSettings, Screen};
use hatarakitai::kiosk::live::LiveBackend;
use hatarakitai::kiosk::ui_texts::UiTexts;
use hatarakitai::lang::Lang;
use hatarakitai::payload::{self, CentreKey, VisitRecord};
use hatarakitai::printer::{self, Printer, TcpPrinter};
use hatarakitai::slip::Bitmap;

fn bin(data: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hatarakitai"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().expect("exited, not killed by a signal"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_clean_failure(what: &str, (code, stdout, stderr): (i32, String, String)) {
    assert_ne!(code, 0, "{what}: succeeded\n{stdout}");
    assert!(!stderr.contains("panicked"), "{what}: panicked\n{stderr}");
    assert!(
        stderr.contains("kiosk.sqlite") || stderr.contains("データベース"),
        "{what}: the message does not say what failed\n{stderr}"
    );
    eprintln!("{what}: exit {code}: {}", stderr.trim());
}

#[test]
fn data_dir_that_cannot_be_created_fails_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, b"a regular file").unwrap();
    let data = file.join("data");
    assert_clean_failure(
        "simulate, data dir under a file",
        bin(&data, &["simulate", "--visits", "3"]),
    );
    let png = dir.path().join("slip.png");
    assert_clean_failure(
        "slip, data dir under a file",
        bin(
            &data,
            &[
                "slip",
                "--answers",
                "days=d5",
                "--out",
                png.to_str().unwrap(),
            ],
        ),
    );
    assert!(!png.exists(), "a slip was written without a recorded visit");
    // The data dir itself is a regular file.
    assert_clean_failure(
        "simulate, data dir is a file",
        bin(&file, &["simulate", "--visits", "3"]),
    );
}

/// Makes `dir` unwritable even for root: `chattr +i`; where the file system has no such
/// attribute, the directory is replaced by a regular file (still unusable for root).
struct Unwritable<'a>(&'a Path, bool);
impl<'a> Unwritable<'a> {
    fn new(dir: &'a Path) -> Unwritable<'a> {
        let immutable = Command::new("chattr")
            .arg("+i")
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        if !immutable {
            std::fs::remove_dir_all(dir).unwrap();
            std::fs::write(dir, b"not a folder").unwrap();
        }
        Unwritable(dir, immutable)
    }
}
impl Drop for Unwritable<'_> {
    fn drop(&mut self) {
        if self.1 {
            let _ = Command::new("chattr").arg("-i").arg(self.0).status();
        }
    }
}

#[test]
fn read_only_data_dir_fails_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let guard = Unwritable::new(&data);
    assert!(
        std::fs::write(data.join("probe"), b"x").is_err(),
        "the data dir is still writable"
    );
    assert_clean_failure(
        "simulate, read-only data dir",
        bin(&data, &["simulate", "--visits", "3"]),
    );
    let png = dir.path().join("slip.png");
    assert_clean_failure(
        "slip, read-only data dir",
        bin(
            &data,
            &[
                "slip",
                "--answers",
                "days=d5",
                "--out",
                png.to_str().unwrap(),
            ],
        ),
    );
    drop(guard);
}

fn fixed_clock(at: DateTime<Utc>) -> hatarakitai::kiosk::live::Clock {
    Box::new(move || at)
}

#[test]
fn corrupted_database_gives_safe_mode_routes_but_no_slips() {
    let dir = tempfile::tempdir().unwrap();
    let garbage: Vec<u8> = (0..16384u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(dir.path().join("kiosk.sqlite"), &garbage).unwrap();
    let loaded = Loaded::load(None).unwrap();
    let content = loaded.content().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 1, 0, 0).unwrap();

    let mut b = LiveBackend::open(&loaded, content.clone(), dir.path(), fixed_clock(now));
    assert!(b.store().is_none());
    let status = b.status();
    assert!(
        status.contains("データベース") && status.contains("routes are still shown"),
        "status does not say safe mode: {status:?}"
    );
    b.visit_started(Lang::Ja, false);
    let a = Answers::new(&content.questionnaire);
    let o = hatarakitai::matcher::match_answers(&content, &a);
    b.results_shown(&a, &o, Lang::Ja);
    let Err(refusal) = b.make_slip(&a, &o, Lang::Ja) else {
        panic!("a slip was made without a recorded visit");
    };
    assert!(refusal.contains("no slip"), "{refusal}");
    // The garbage is left alone for staff to inspect.
    assert_eq!(
        std::fs::read(dir.path().join("kiosk.sqlite")).unwrap(),
        garbage
    );

    // The visitor still gets routes: the real controller through to Results.
    let backend = LiveBackend::open(&loaded, content.clone(), dir.path(), fixed_clock(now));
    let content = Rc::new(content);
    let mut settings = KioskSettings::from_config(&loaded.config.kiosk);
    // A centre whose staff are paged by a command: the failed slip calls them.
    settings.call_channel = hatarakitai::kiosk::controller::CallChannel::Hook;
    let mut ctrl = Controller::new(
        content.clone(),
        Rc::new(UiTexts::embedded().unwrap()),
        settings,
        Box::new(backend),
    );
    let mut t = 10_000u64;
    let mut step = || {
        t += 1500;
        t
    };
    ctrl.start(step());
    ctrl.consent_accept(step());
    for q in 0..content.questionnaire.len() {
        assert!(ctrl.answer(step(), q, 0), "question {q} refused an answer");
    }
    assert_eq!(ctrl.screen(), Screen::Results);
    let outcome = hatarakitai::matcher::match_answers(&content, ctrl.answers());
    assert!(!outcome.routes.is_empty(), "no routes shown in safe mode");
    assert!(!ctrl.backend().status().is_empty());
    ctrl.print(step());
    assert!(ctrl.slip_ticket().is_none());
    assert_eq!(ctrl.screen(), Screen::Results, "stays on the routes");
    let effects = ctrl.take_effects();
    assert!(effects.iter().any(|e| matches!(e, Effect::CallStaff(_))));
    // … and the results say what is true: staff were told, not that someone is coming.
    assert_eq!(ctrl.view().call.title.plain, "スタッフに 知らせました");
    assert!(!effects.iter().any(|e| matches!(e, Effect::Print { .. })));
}

#[test]
fn desk_without_the_key_file_exits_2_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let rec = VisitRecord {
        kiosk_id: 1,
        serial: 1,
        issued_at: 1_764_000_000,
        lang: Lang::Ja,
        questionnaire_version: 1,
        answers: vec![Some(0); 8],
        routes: vec![0],
        catalogue_tag: 1,
    };
    let key = CentreKey {
        id: 1,
        key: [3; 32],
    };
    let text = payload::encode(&rec, &key, [5; 24]).unwrap();
    let (code, stdout, stderr) = bin(dir.path(), &["intake", "open", &text, "--staff", "admin"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("centre.key"), "key not named: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains(&text), "the payload went into the message");
    assert!(
        !dir.path().join("centre.key").exists(),
        "the desk made a key of its own"
    );
}

#[test]
fn clock_going_back_an_hour_between_visits_still_records_them() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = Loaded::load(None).unwrap();
    let content = loaded.content().unwrap();
    let start = Utc.with_ymd_and_hms(2026, 11, 25, 5, 0, 0).unwrap();
    let clock = Rc::new(Cell::new(start.timestamp()));
    let c = clock.clone();
    let mut b = LiveBackend::open(
        &loaded,
        content.clone(),
        dir.path(),
        Box::new(move || DateTime::from_timestamp(c.get(), 0).unwrap()),
    );
    b.simulated_print = Some(PrintResult::Printed);
    let mut seen = Vec::new();
    for i in 0..6u8 {
        // Each visit starts an hour before the previous one (NTP step, RTC battery, DST bug).
        clock.set(start.timestamp() - 3600 * i64::from(i));
        b.visit_started(Lang::Ja, false);
        let mut a = Answers::new(&content.questionnaire);
        for q in 0..content.questionnaire.len() {
            let n = content.questionnaire.questions[q].options.len() as u8;
            a.set(q, Some(i % n));
            b.answered(q, Some(i % n));
        }
        let o = hatarakitai::matcher::match_answers(&content, &a);
        b.results_shown(&a, &o, Lang::Ja);
        let (ticket, _job) = b.make_slip(&a, &o, Lang::Ja).unwrap();
        let v = b.current_visit().unwrap();
        seen.push((v.kiosk_id, v.serial, ticket.receipt_no));
        b.print_finished(&PrintResult::Printed);
        b.visit_ended(EndReason::Completed);
    }
    assert!(b.status().is_empty(), "{}", b.status());
    let mut serials: Vec<u32> = seen.iter().map(|s| s.1).collect();
    serials.sort_unstable();
    serials.dedup();
    assert_eq!(serials.len(), seen.len(), "a serial repeated: {seen:?}");
    let store = b.store().unwrap();
    for (k, s, receipt) in &seen {
        let v = store.visit(*k, *s).unwrap().expect("visit recorded");
        assert_eq!(&v.receipt.unwrap().receipt_no, receipt);
    }
    let tz = loaded.config.timezone();
    let to = start.with_timezone(&tz).date_naive();
    let from = to - chrono::Duration::days(1);
    let report = store.report(&content, from, to).unwrap();
    let day = report.day(to).expect("figures for the last day");
    let rendered = report.render(
        hatarakitai::stats::Format::Table,
        hatarakitai::stats::By::Day,
    );
    assert!(!rendered.is_empty());
    eprintln!("stats after the clock went back: {day:?}");
}

#[test]
fn printer_dropping_the_connection_mid_job_is_an_error_quickly() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        // Answer the four status requests (DLE EOT n) with "ready", then take a little of
        // the raster and hang up with the rest unread (the kernel sends a reset).
        let mut req = [0u8; 3];
        for _ in 0..4 {
            s.read_exact(&mut req).unwrap();
            assert_eq!(req[..2], [0x10, 0x04]);
            s.write_all(&[0x12]).unwrap();
        }
        let mut some = [0u8; 2048];
        let _ = s.read(&mut some);
        std::thread::sleep(Duration::from_millis(50));
        drop(s);
    });
    // A long slip: more than the socket buffers take at once.
    let mut bitmap = Bitmap::new(576, 6000);
    bitmap.fill_rect(0, 0, 576, 6000);
    let timeout = Duration::from_secs(5);
    let p: Box<dyn Printer + Send> = Box::new(TcpPrinter::new(addr, timeout));
    let t = Instant::now();
    let r = printer::print_with_timeout(p, bitmap, "1125-001".into(), timeout);
    let took = t.elapsed();
    server.join().unwrap();
    let e = r.expect_err("a job the printer hung up on was reported printed");
    eprintln!("printer hung up mid-job after {took:?}: {e}");
    assert!(
        took < Duration::from_secs(2),
        "took {took:?}: the broken connection was not noticed"
    );
    assert!(!e.to_string().is_empty());
}
