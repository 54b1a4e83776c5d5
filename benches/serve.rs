//! SERVER.md §7, a load command (`cargo bench --bench serve`), not a timed test: the real
//! `serve` (in this process, on a loopback port) over the cached 50 000-record desk.sqlite;
//! 30 simulated staff, each an HTTP client on 127.0.0.1 with its own session, scanning,
//! opening, saving, searching and reading the home's due list for 60 s (bounded in count and
//! time); then a staff call reaching 30 open `/events` streams; the page weight. Prints p50
//! and p99 per route and the errors. `SERVE_BENCH_SECONDS` shortens the run.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hatarakitai::content::Content;
use hatarakitai::store::key_file::KeyFile;

mod desk_data;
use desk_data::{FIRST, KEY, RECORDS, database, payload_for};

const PW: &str = "bench-password-2026";
const STAFF: usize = 30;

struct Res {
    status: u16,
    headers: String,
    body: String,
}

fn request(host: &str, method: &str, path: &str, cookie: &str, body: &str) -> std::io::Result<Res> {
    let mut c = TcpStream::connect(host)?;
    c.set_read_timeout(Some(Duration::from_secs(30)))?;
    let origin = format!("http://{host}");
    write!(
        c,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nCookie: {cookie}\r\nOrigin: {origin}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    c.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok(Res {
        status,
        headers: head.to_string(),
        body: rest.to_string(),
    })
}

fn cookie_of(r: &Res, name: &str) -> Option<String> {
    r.headers.lines().find_map(|l| {
        let v = l
            .strip_prefix("set-cookie: ")
            .or_else(|| l.strip_prefix("Set-Cookie: "))?;
        let (k, rest) = v.split_once('=')?;
        (k == name).then(|| rest.split(';').next().unwrap_or("").to_string())
    })
}

fn token(body: &str, field: &str) -> Option<String> {
    let key = format!("name=\"{field}\" value=\"");
    let at = body.find(&key)? + key.len();
    Some(body[at..].split('"').next()?.to_string())
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Signs in; returns the session cookie and the form token.
fn sign_in(host: &str, login: &str) -> (String, String) {
    let page = request(host, "GET", "/sign-in", "", "").unwrap();
    let pre = cookie_of(&page, "hatarakitai-pre").unwrap();
    let t = token(&page.body, "csrf").unwrap();
    let r = request(
        host,
        "POST",
        "/sign-in",
        &format!("hatarakitai-pre={pre}"),
        &format!("login={login}&password={}&csrf={t}", enc(PW)),
    )
    .unwrap();
    assert_eq!(r.status, 303, "sign-in: {}", r.body);
    let c = format!("hatarakitai={}", cookie_of(&r, "hatarakitai").unwrap());
    let home = request(host, "GET", "/", &c, "").unwrap();
    (c, token(&home.body, "csrf").unwrap())
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(((v.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or(f64::NAN)
}

fn main() {
    let seconds: u64 = std::env::var("SERVE_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let content = Content::embedded().unwrap();
    let cached = database(&content).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&cached, dir.path().join("desk.sqlite")).unwrap();
    KEY.write_new(&dir.path().join("centre.key")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let host = format!("127.0.0.1:{port}");
    let config = dir.path().join("desk.toml");
    std::fs::write(
        &config,
        format!("[serve]\nlisten = \"{host}\"\n\n[desk]\nlock_minutes = 60\n"),
    )
    .unwrap();
    let loaded = hatarakitai::config::Loaded::load(Some(&config)).unwrap();
    {
        let store =
            hatarakitai::desk::store::DeskStore::open(&dir.path().join("desk.sqlite")).unwrap();
        for i in 0..STAFF {
            let hash = hatarakitai::desk::accounts::hash_password(PW).unwrap();
            let a = hatarakitai::desk::accounts::Account {
                login: format!("staff{i:02}"),
                name: format!("職員{i}"),
                role: hatarakitai::desk::accounts::Role::Staff,
                active: true,
                hash,
                failures: 0,
                locked_until: None,
            };
            store.staff_insert(&a, FIRST).unwrap();
        }
    }
    let data = dir.path().to_path_buf();
    std::thread::spawn(move || hatarakitai::serve::run(&loaded, &data));
    for _ in 0..200 {
        if TcpStream::connect(&host).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // The weight of a page with its CSS and JS.
    let (c0, _) = sign_in(&host, "staff00");
    let rec = request(&host, "GET", "/records/25000", &c0, "").unwrap();
    let weight = rec.body.len() + hatarakitai::serve::assets::page_assets_bytes();

    let lat: Arc<Mutex<Vec<(&'static str, f64)>>> = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let end = Instant::now() + Duration::from_secs(seconds);
    let now = FIRST + 5 * 365 * 86_400;
    let workers: Vec<_> = (0..STAFF)
        .map(|i| {
            let (host, lat, errors, content) = (host.clone(), lat.clone(), errors.clone(), content.clone());
            std::thread::spawn(move || {
                let (cookie, csrf) = sign_in(&host, &format!("staff{i:02}"));
                let mut n: u32 = i as u32 * 7919;
                let mut requests = 0u32;
                while Instant::now() < end && requests < 100_000 {
                    n = n.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    let serial = 1 + (n >> 8) % RECORDS;
                    let op = (n >> 4) % 5;
                    let t = Instant::now();
                    let (name, r, want) = match op {
                        0 => {
                            let p = payload_for(&content, serial, FIRST + i64::from(serial) * 3153);
                            ("POST /scan", request(&host, "POST", "/scan", &cookie, &format!("payload={p}&csrf={csrf}")), 303)
                        }
                        1 => ("GET /records/{id}", request(&host, "GET", &format!("/records/{serial}"), &cookie, ""), 200),
                        2 => {
                            let page = request(&host, "GET", &format!("/records/{serial}"), &cookie, "");
                            let v = page.as_ref().ok().and_then(|p| token(&p.body, "version")).unwrap_or_default();
                            let t = Instant::now();
                            let body = format!("csrf={csrf}&version={v}&name=%E5%B1%B1%E6%9C%AC{i}&furigana=&contact=&assigned_staff=&next_action=&notes=bench&stage=intake");
                            let r = request(&host, "POST", &format!("/records/{serial}"), &cookie, &body);
                            // Another staff member may have saved first: 409 is a right answer.
                            let ok = r.as_ref().is_ok_and(|r| r.status == 303 || r.status == 409);
                            lat.lock().unwrap().push(("POST /records/{id}", t.elapsed().as_secs_f64() * 1e3));
                            if !ok {
                                errors.lock().unwrap().push(format!("save: {:?}", r.map(|r| r.status)));
                            }
                            requests += 2;
                            let _ = now;
                            continue;
                        }
                        3 => ("GET /records?text=", request(&host, "GET", "/records?text=%E5%B1%B1%E6%9C%AC", &cookie, ""), 200),
                        _ => ("GET / (due list)", request(&host, "GET", "/", &cookie, ""), 200),
                    };
                    let ms = t.elapsed().as_secs_f64() * 1e3;
                    match r {
                        Ok(r) if r.status == want => lat.lock().unwrap().push((name, ms)),
                        Ok(r) => errors.lock().unwrap().push(format!("{name}: {}", r.status)),
                        Err(e) => errors.lock().unwrap().push(format!("{name}: {e}")),
                    }
                    requests += 1;
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }

    // A staff call to 30 open event streams: from the write to each stream's event.
    let streams: Vec<_> = (0..30)
        .map(|i| {
            let (c, _) = sign_in(&host, &format!("staff{:02}", i % STAFF));
            let mut s = TcpStream::connect(&host).unwrap();
            write!(s, "GET /events HTTP/1.1\r\nHost: {host}\r\nCookie: {c}\r\nAccept: text/event-stream\r\n\r\n").unwrap();
            let mut r = BufReader::new(s);
            // The snapshot first.
            let mut line = String::new();
            while r.read_line(&mut line).unwrap_or(0) > 0 {
                if line.contains("event: lobby") {
                    break;
                }
                line.clear();
            }
            r
        })
        .collect();
    let db = rusqlite::Connection::open(dir.path().join("desk.sqlite")).unwrap();
    let called = Instant::now();
    db.execute(
        "INSERT INTO lobby_call (token, kiosk_id, kiosk_name, called_at, expires_at, lang, speech, keys) VALUES ('bench', 1, '1階ロビー', strftime('%s','now'), strftime('%s','now') + 600, 'ja', 0, 0)",
        [],
    )
    .unwrap();
    let waits: Vec<_> = streams
        .into_iter()
        .map(|mut r| {
            std::thread::spawn(move || {
                let mut line = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return f64::NAN;
                    }
                    if line.contains("data-call") {
                        return called.elapsed().as_secs_f64() * 1e3;
                    }
                }
            })
        })
        .collect();
    let mut call_ms: Vec<f64> = waits
        .into_iter()
        .map(|w| w.join().unwrap_or(f64::NAN))
        .collect();

    let lat = lat.lock().unwrap();
    let mut names: Vec<&str> = lat.iter().map(|(n, _)| *n).collect();
    names.sort();
    names.dedup();
    println!(
        "\nserve on desk.sqlite, {RECORDS} records, {STAFF} staff for {seconds} s ({} cores):",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("| route | requests | p50 | p99 |\n|---|---|---|---|");
    for n in names {
        let mut v: Vec<f64> = lat
            .iter()
            .filter(|(m, _)| *m == n)
            .map(|(_, ms)| *ms)
            .collect();
        let count = v.len();
        println!(
            "| {n} | {count} | {:.1} ms | {:.1} ms |",
            pct(&mut v, 0.5),
            pct(&mut v, 0.99)
        );
    }
    let errors = errors.lock().unwrap();
    println!(
        "errors: {}{}",
        errors.len(),
        errors
            .iter()
            .take(5)
            .map(|e| format!("; {e}"))
            .collect::<String>()
    );
    println!(
        "staff call → 30 open /events streams: p50 {:.0} ms, p99 {:.0} ms (the watcher reads the lobby every {} ms)",
        pct(&mut call_ms, 0.5),
        pct(&mut call_ms, 0.99),
        hatarakitai::serve::events::POLL.as_millis()
    );
    println!(
        "record page with its CSS and JS: {:.1} KB",
        weight as f64 / 1024.0
    );
}
