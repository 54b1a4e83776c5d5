//! `hatarakitai serve` tried from outside (SERVER.md §2, §4): the real binary on a loopback
//! port, on desk.sqlite and on a real PostgreSQL server, spoken to over HTTP as a browser, a
//! staff member and an attacker would: no session, a replayed cookie after sign-out, a
//! missing or wrong form token, a foreign Origin, another role's URL, bodies over 64 KiB,
//! markup in every text field, a stale save, the lock, the route table walked whole.

mod pg_support;
mod serve_support;

use serve_support::{ADMIN_PW, STAFF_PW, Server, cli};

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

/// One HTTP exchange, raw, so that every header and body is the test's own.
#[derive(Debug)]
struct Res {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Res {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn cookies(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The value of cookie `name` set by this response.
    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies().iter().find_map(|c| {
            let first = c.split(';').next()?;
            let (k, v) = first.split_once('=')?;
            (k == name && !v.is_empty()).then(|| v.to_string())
        })
    }

    /// The hidden form token on the page.
    fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("no csrf field")
            + 19;
        self.body[at..at + 64].to_string()
    }
}

fn request(s: &Server, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Res {
    let mut conn = std::net::TcpStream::connect(&s.host).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        s.host,
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    conn.write_all(req.as_bytes()).unwrap();
    let _ = conn.write_all(body);
    let mut raw = Vec::new();
    let _ = conn.read_to_end(&mut raw);
    parse(&raw)
}

fn parse(raw: &[u8]) -> Res {
    let text = String::from_utf8_lossy(raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    Res {
        status,
        headers,
        body,
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

/// A browser's session: its cookie and the page's form token.
struct Browser {
    cookie: String,
    csrf: String,
}

fn sign_in(s: &Server, login: &str, pw: &str) -> Browser {
    let page = request(s, "GET", "/sign-in", &[], b"");
    assert_eq!(page.status, 200);
    let pre = page.cookie("hatarakitai-pre").expect("pre-session cookie");
    let token = page.csrf();
    let res = request(
        s,
        "POST",
        "/sign-in",
        &[
            FORM,
            ("Cookie", &format!("hatarakitai-pre={pre}")),
            ("Origin", &s.base),
        ],
        &form(&[("login", login), ("password", pw), ("csrf", &token)]),
    );
    assert_eq!(res.status, 303, "sign-in of {login}: {}", res.body);
    let cookie = res.cookie("hatarakitai").expect("session cookie");
    let home = request(
        s,
        "GET",
        "/",
        &[("Cookie", &format!("hatarakitai={cookie}"))],
        b"",
    );
    assert_eq!(home.status, 200, "{}", home.body);
    Browser {
        csrf: home.csrf(),
        cookie,
    }
}

impl Browser {
    fn get(&self, s: &Server, path: &str) -> Res {
        request(
            s,
            "GET",
            path,
            &[("Cookie", &format!("hatarakitai={}", self.cookie))],
            b"",
        )
    }

    fn post(&self, s: &Server, path: &str, fields: &[(&str, &str)]) -> Res {
        let mut f: Vec<(&str, &str)> = fields.to_vec();
        f.push(("csrf", &self.csrf));
        request(
            s,
            "POST",
            path,
            &[
                FORM,
                ("Cookie", &format!("hatarakitai={}", self.cookie)),
                ("Origin", &s.base),
            ],
            &form(&f),
        )
    }
}

fn record_id(res: &Res) -> i64 {
    assert_eq!(res.status, 303, "{}", res.body);
    res.header("location")
        .and_then(|l| l.strip_prefix("/records/"))
        .and_then(|n| n.parse().ok())
        .expect("303 to /records/{id}")
}

fn version_of(page: &Res) -> String {
    let at = page
        .body
        .find("name=\"version\" value=\"")
        .expect("version field")
        + 22;
    page.body[at..].split('"').next().unwrap().to_string()
}

fn record_fields<'a>(version: &'a str, name: &'a str, notes: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("version", version),
        ("name", name),
        ("furigana", "やまもと"),
        ("contact", "090-0000-0000"),
        ("assigned_staff", "山田"),
        ("next_action", "来週 電話"),
        ("notes", notes),
        ("stage", "assessment"),
    ]
}

fn whole_path(s: &Server) {
    // Health without a session; the headers on every response.
    let h = request(s, "GET", "/healthz", &[], b"");
    assert_eq!((h.status, h.body.as_str()), (200, "ok"));
    for res in [&h, &request(s, "GET", "/sign-in", &[], b"")] {
        let csp = res.header("content-security-policy").unwrap_or("");
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && csp.contains("form-action 'self'"),
            "{csp}"
        );
        assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(res.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(res.header("cache-control"), Some("no-store"));
    }
    // No inline script or style on any page (the CSP would block it).
    let page = request(s, "GET", "/sign-in", &[], b"");
    assert!(
        !page.body.contains("style=")
            && !page.body.contains("<style")
            && !page.body.contains("<script>")
    );

    let yamada = sign_in(s, "yamada", STAFF_PW);
    // The scan: the slip's text → 303 to a new record; the same slip again → the same record.
    let payload = s.payload("goal=work_now,days=d5,health=stable");
    let id = record_id(&yamada.post(s, "/scan", &[("payload", &payload)]));
    assert_eq!(
        record_id(&yamada.post(s, "/scan", &[("payload", &payload)])),
        id
    );
    // Full-width input from an IME is cleaned as at the desk.
    let wide: String = payload
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
        .collect();
    assert_eq!(
        record_id(&yamada.post(s, "/scan", &[("payload", &wide)])),
        id
    );
    // A damaged slip: the same form, the text kept, the message next to the field.
    let bad = yamada.post(s, "/scan", &[("payload", "HT1NOTAREALSLIP")]);
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("value=\"HT1NOTAREALSLIP\"")
            && bad.body.contains("aria-describedby=\"scan-error\""),
        "{}",
        bad.body
    );

    // The record: answers, routes and reasons in plain Japanese.
    let rec = yamada.get(s, &format!("/records/{id}"));
    assert_eq!(rec.status, 200);
    assert_eq!(rec.header("cache-control"), Some("no-store"));
    for want in [
        "キオスクでの 答え",
        "見せた 道と 理由",
        "ハローワーク",
        "職員の 記入",
        "<h1>記録 ",
    ] {
        assert!(rec.body.contains(want), "{want} not on the record page");
    }
    assert_eq!(rec.body.matches("<h1").count(), 1, "one h1 per page");

    // Markup in every text field is shown as text, never as markup.
    let v = version_of(&rec);
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let saved = yamada.post(s, &format!("/records/{id}"), &record_fields(&v, evil, evil));
    assert_eq!(saved.status, 303, "{}", saved.body);
    let rec = yamada.get(s, &format!("/records/{id}"));
    assert!(!rec.body.contains(evil) && rec.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        rec.body.contains("保存しました"),
        "the save's result is said"
    );

    // A stale save (someone saved since this version): refused, nothing written, the
    // other person's change named, my text kept in the form.
    let boss = sign_in(s, "boss", ADMIN_PW);
    let v_old = version_of(&rec);
    let b = boss.post(
        s,
        &format!("/records/{id}"),
        &record_fields(&v_old, "山本 太郎", "所長のメモ"),
    );
    assert_eq!(b.status, 303);
    let stale = yamada.post(
        s,
        &format!("/records/{id}"),
        &record_fields(&v_old, "山本 たろう", "山田のメモ"),
    );
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(
        stale.body.contains("boss さんが 先に 保存しました"),
        "{}",
        stale.body
    );
    assert!(stale.body.contains("山田のメモ") && stale.body.contains("value=\"山本 たろう\""));
    let now = yamada.get(s, &format!("/records/{id}"));
    assert!(now.body.contains("所長のメモ") && !now.body.contains("山田のメモ"));

    // Bad input: a field too long, a stage not on the list — the form back, filled.
    let long = "あ".repeat(101);
    let r = yamada.post(
        s,
        &format!("/records/{id}"),
        &record_fields(&version_of(&now), &long, "x"),
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&long) && r.body.contains("aria-describedby=\"name-error\""));
    let v_now = version_of(&now);
    let mut f = record_fields(&v_now, "山本", "x");
    f[7] = ("stage", "boss");
    let r = yamada.post(s, &format!("/records/{id}"), &f);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("段階を 一覧から"));

    // The access log has the views and saves by login and record number, no name.
    let log = s.access_log();
    assert!(log.contains("\"save\"") && log.contains("\"view\"") && log.contains("\"create\""));
    assert!(!log.contains("山本"));

    // Search by name.
    let list = yamada.get(s, "/records?text=%E5%B1%B1%E6%9C%AC");
    assert!(list.body.contains(&format!("href=\"/records/{id}\"")));

    // Sign-out ends the session on the server: the old cookie replayed gets the sign-in page.
    let out = yamada.post(s, "/sign-out", &[]);
    assert_eq!(out.status, 303);
    assert!(out.header("clear-site-data").is_some());
    let replay = yamada.get(s, &format!("/records/{id}"));
    assert_eq!(
        (replay.status, replay.header("location")),
        (303, Some("/sign-in"))
    );
}

fn attacks(s: &Server) {
    let yamada = sign_in(s, "yamada", STAFF_PW);
    let payload = s.payload("goal=train_first");
    // No session: GET → 303 to sign-in, a fetch → 401, a POST → 303, nothing written.
    assert_eq!(request(s, "GET", "/", &[], b"").status, 303);
    assert_eq!(
        request(s, "GET", "/records/1", &[("Sec-Fetch-Mode", "cors")], b"").status,
        401
    );
    assert_eq!(
        request(s, "GET", "/events", &[("Accept", "text/event-stream")], b"").status,
        401
    );
    let r = request(s, "POST", "/scan", &[FORM], &form(&[("payload", &payload)]));
    assert_eq!(r.status, 303);
    // A made-up cookie.
    let fake = request(
        s,
        "GET",
        "/",
        &[("Cookie", &format!("hatarakitai={}", "0".repeat(64)))],
        b"",
    );
    assert_eq!(fake.status, 303);
    // A POST without the token, with another session's token, from a foreign Origin, or
    // from a cross-site page: 403, logged, nothing written.
    let cookie = format!("hatarakitai={}", yamada.cookie);
    let before = s.access_log().matches("\"create\"").count();
    let no_token = request(
        s,
        "POST",
        "/scan",
        &[FORM, ("Cookie", &cookie)],
        &form(&[("payload", &payload)]),
    );
    assert_eq!(no_token.status, 403);
    let boss = sign_in(s, "boss", ADMIN_PW);
    let other = request(
        s,
        "POST",
        "/scan",
        &[FORM, ("Cookie", &cookie)],
        &form(&[("payload", &payload), ("csrf", &boss.csrf)]),
    );
    assert_eq!(other.status, 403);
    let foreign = request(
        s,
        "POST",
        "/scan",
        &[
            FORM,
            ("Cookie", &cookie),
            ("Origin", "https://evil.example"),
        ],
        &form(&[("payload", &payload), ("csrf", &yamada.csrf)]),
    );
    assert_eq!(foreign.status, 403);
    let cross = request(
        s,
        "POST",
        "/scan",
        &[FORM, ("Cookie", &cookie), ("Sec-Fetch-Site", "cross-site")],
        &form(&[("payload", &payload), ("csrf", &yamada.csrf)]),
    );
    assert_eq!(cross.status, 403);
    let log = s.access_log();
    assert_eq!(
        log.matches("\"create\"").count(),
        before,
        "a refused POST wrote nothing"
    );
    assert!(log.matches("csrf_refused").count() >= 4, "{log}");
    // The sign-in form without its pre-session cookie: 403.
    let page = request(s, "GET", "/sign-in", &[], b"");
    let r = request(
        s,
        "POST",
        "/sign-in",
        &[FORM],
        &form(&[
            ("login", "yamada"),
            ("password", STAFF_PW),
            ("csrf", &page.csrf()),
        ]),
    );
    assert_eq!(r.status, 403);
    // Another role's URL: staff on an admin page → 403, logged; the admin → 200.
    let r = yamada.get(s, "/admin/access-log");
    assert_eq!(r.status, 403);
    assert!(!r.body.contains("csrf_refused"), "nothing of the log shown");
    assert_eq!(boss.get(s, "/admin/access-log").status, 200);
    // Bodies over 64 KiB: 413, whether declared or not.
    let big = vec![b'a'; 70 * 1024];
    let r = request(
        s,
        "POST",
        "/scan",
        &[FORM, ("Cookie", &cookie), ("Origin", &s.base)],
        &big,
    );
    assert_eq!(r.status, 413);
    // Unknown paths: a 404 page; a wrong Host: refused.
    let r = yamada.get(s, "/no/such/page");
    assert_eq!(r.status, 404);
    assert!(r.body.contains("見つかりません"));
    let mut conn = std::net::TcpStream::connect(&s.host).unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut raw = Vec::new();
    let _ = conn.read_to_end(&mut raw);
    assert_eq!(parse(&raw).status, 421);
    // Guessing passwords in parallel: 30 at once, the account locks after at most 5 and the
    // right password is then refused too.
    let o = cli(
        s.dir.path(),
        &[
            "staff", "add", "--login", "nakamura", "--name", "中村", "--staff", "boss",
        ],
        &format!("{ADMIN_PW}\nnakamura-pass-2026"),
    );
    assert!(o.status.success());
    let page = request(s, "GET", "/sign-in", &[], b"");
    let pre = page.cookie("hatarakitai-pre").unwrap();
    let token = page.csrf();
    let threads: Vec<_> = (0..30)
        .map(|i| {
            let (host, base, pre, token) = (s.host.clone(), s.base.clone(), pre.clone(), token.clone());
            std::thread::spawn(move || {
                let body = form(&[("login", "nakamura"), ("password", &format!("wrong-guess-{i:04}")), ("csrf", &token)]);
                let mut conn = std::net::TcpStream::connect(&host).unwrap();
                let head = format!(
                    "POST /sign-in HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nCookie: hatarakitai-pre={pre}\r\nOrigin: {base}\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                conn.write_all(head.as_bytes()).unwrap();
                conn.write_all(&body).unwrap();
                let mut raw = Vec::new();
                let _ = conn.read_to_end(&mut raw);
                parse(&raw).status
            })
        })
        .collect();
    let codes: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(codes.iter().all(|c| *c == 401), "{codes:?}");
    let log = s.access_log();
    let failed = log.matches("\"sign_in_failed\"").count();
    assert!(failed <= 5, "{failed} guesses counted before the lock");
    let page = request(s, "GET", "/sign-in", &[], b"");
    let r = request(
        s,
        "POST",
        "/sign-in",
        &[
            FORM,
            (
                "Cookie",
                &format!(
                    "hatarakitai-pre={}",
                    page.cookie("hatarakitai-pre").unwrap()
                ),
            ),
            ("Origin", &s.base),
        ],
        &form(&[
            ("login", "nakamura"),
            ("password", "nakamura-pass-2026"),
            ("csrf", &page.csrf()),
        ]),
    );
    assert_eq!(r.status, 401);
    assert!(r.body.contains("ロック中"), "{}", r.body);
}

/// Every route of the table, without a session and as staff: the rule holds for each.
fn route_table(s: &Server) {
    let staff = sign_in(s, "yamada", STAFF_PW);
    for route in hatarakitai::serve::routes::ROUTES {
        let path = route
            .path
            .replace("{id}", "1")
            .replace("{file}", "desk.css");
        let anon = request(s, route.method, &path, &[FORM], b"");
        if path == "/sign-out" {
            // Tried at the end of the whole path (it ends the session).
            assert_eq!(
                (anon.status, anon.header("location")),
                (303, Some("/sign-in"))
            );
            continue;
        }
        let as_staff = if route.method == "GET" {
            staff.get(s, &path)
        } else {
            staff.post(s, &path, &[])
        };
        use hatarakitai::serve::routes::Access;
        match route.access {
            Access::Public => assert_ne!(anon.status, 303, "{path} is public"),
            Access::Staff | Access::Locked | Access::Admin => {
                assert!(
                    matches!(anon.status, 303 | 401 | 403),
                    "{} {path} without a session: {}",
                    route.method,
                    anon.status
                );
                if anon.status == 303 {
                    assert_eq!(anon.header("location"), Some("/sign-in"));
                }
            }
        }
        if route.access == Access::Admin {
            assert_eq!(as_staff.status, 403, "{path} as staff");
        } else {
            assert_ne!(
                as_staff.status, 404,
                "{} {path} has a handler",
                route.method
            );
        }
    }
}

/// The lock, decided by the server: a request after `lock_minutes` gets the lock page and no
/// data; a POST then is kept as the person's draft and given back after the password.
fn lock(s: &Server) {
    let b = sign_in(s, "yamada", STAFF_PW);
    let id = record_id(&b.post(
        s,
        "/scan",
        &[("payload", &s.payload("goal=work_now,days=d3_4"))],
    ));
    let page = b.get(s, &format!("/records/{id}"));
    let v = version_of(&page);
    // Age the session in its store (as 61 s without activity would).
    let db = s.dir.path().join("desk.sqlite");
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute("UPDATE web_session SET seen_at = seen_at - 61", [])
        .unwrap();
    let locked = b.get(s, &format!("/records/{id}"));
    assert_eq!(locked.status, 200);
    assert!(locked.body.contains("ロック中") && !locked.body.contains("キオスクでの 答え"));
    let post = b.post(
        s,
        &format!("/records/{id}"),
        &record_fields(&v, "ロック後の名前", "ロック後のメモ"),
    );
    assert!(post.body.contains("サインインすると 入力欄に 戻ります"));
    assert!(
        !post.body.contains("ロック後の名前"),
        "the draft is not shown on the lock page"
    );
    // Wrong password: still locked. The right one: back to the record with the draft.
    let r = b.post(s, "/unlock", &[("password", "not-the-password")]);
    assert_eq!(r.status, 401);
    let r = b.post(s, "/unlock", &[("password", STAFF_PW)]);
    assert_eq!(
        r.header("location"),
        Some(format!("/records/{id}").as_str())
    );
    let back = b.get(s, &format!("/records/{id}"));
    assert!(back.body.contains("ロック後のメモ") && back.body.contains("まだ 保存していません"));
}

/// A password shorter than the web's 12 characters signs in once, then must be changed.
fn short_password(s: &Server) {
    let o = cli(
        s.dir.path(),
        &[
            "staff", "add", "--login", "kato", "--name", "加藤", "--staff", "boss",
        ],
        &format!("{ADMIN_PW}\n12345678"),
    );
    assert!(o.status.success());
    let page = request(s, "GET", "/sign-in", &[], b"");
    let pre = page.cookie("hatarakitai-pre").unwrap();
    let r = request(
        s,
        "POST",
        "/sign-in",
        &[
            FORM,
            ("Cookie", &format!("hatarakitai-pre={pre}")),
            ("Origin", &s.base),
        ],
        &form(&[
            ("login", "kato"),
            ("password", "12345678"),
            ("csrf", &page.csrf()),
        ]),
    );
    assert_eq!(r.header("location"), Some("/password"));
    let cookie = r.cookie("hatarakitai").unwrap();
    let home = request(
        s,
        "GET",
        "/",
        &[("Cookie", &format!("hatarakitai={cookie}"))],
        b"",
    );
    assert_eq!(
        (home.status, home.header("location")),
        (303, Some("/password"))
    );
    let pw = request(
        s,
        "GET",
        "/password",
        &[("Cookie", &format!("hatarakitai={cookie}"))],
        b"",
    );
    let b = Browser {
        csrf: pw.csrf(),
        cookie,
    };
    let r = b.post(
        s,
        "/password",
        &[
            ("current", "12345678"),
            ("new", "short-one"),
            ("again", "short-one"),
        ],
    );
    assert_eq!(r.status, 422);
    let r = b.post(
        s,
        "/password",
        &[
            ("current", "12345678"),
            ("new", "kato-no-atarashii"),
            ("again", "kato-no-atarashii"),
        ],
    );
    assert_eq!(r.status, 303);
    assert_eq!(b.get(s, "/").status, 200);
}

#[test]
fn serve_on_sqlite() {
    let s = Server::start("");
    whole_path(&s);
    attacks(&s);
    route_table(&s);
    short_password(&s);
    lock(&s);
}

#[test]
fn serve_on_postgres() {
    let Some(pg) = pg_support::server() else {
        return;
    };
    let url = pg.new_database("serve");
    let s = Server::start(&format!("database = \"{url}\"\n"));
    whole_path(&s);
    attacks(&s);
    route_table(&s);
    short_password(&s);
}

#[test]
fn a_network_address_without_tls_is_refused_naming_the_keys() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("desk.toml"),
        "[serve]\nlisten = \"0.0.0.0:8443\"\n",
    )
    .unwrap();
    let o = cli(dir.path(), &["serve"], "");
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("serve.tls_cert") && e.contains("serve.tls_key"),
        "{e}"
    );
}

/// HTTPS with the centre's own CA (`tls init`), checked by curl: the CA verifies the
/// server, the cookies are `__Host-` and Secure, HSTS is sent, an ending certificate is
/// warned of, and a client without the CA refuses the server.
#[test]
fn https_with_the_centres_own_ca() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("desk.toml"), "").unwrap();
    let tls = dir.path().join("tls");
    let o = cli(
        dir.path(),
        &[
            "tls",
            "init",
            "--name",
            "localhost",
            "--ip",
            "127.0.0.1",
            "--days",
            "20",
            "--out",
            tls.to_str().unwrap(),
        ],
        "",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Again: nothing overwritten.
    let again = cli(
        dir.path(),
        &[
            "tls",
            "init",
            "--name",
            "localhost",
            "--out",
            tls.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(again.status.code(), Some(2));
    std::fs::write(
        dir.path().join("desk.toml"),
        "[serve]\nlisten = \"127.0.0.1:0\"\ntls_cert = \"tls/server.crt\"\ntls_key = \"tls/server.key\"\n",
    )
    .unwrap();
    let slip = dir.path().join("s.png");
    assert!(
        cli(
            dir.path(),
            &[
                "slip",
                "--answers",
                "goal=work_now",
                "--out",
                slip.to_str().unwrap()
            ],
            ""
        )
        .status
        .success()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_hatarakitai"))
        .arg("--config")
        .arg(dir.path().join("desk.toml"))
        .arg("--data-dir")
        .arg(dir.path())
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("serving the desk at ")
        .unwrap_or_else(|| panic!("{line}"))
        .to_string();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let curl = |args: &[&str]| {
        Command::new("curl")
            .args(["-sS", "-D", "-", "-o", "/dev/null"])
            .args(args)
            .output()
            .unwrap()
    };
    let ok = curl(&[
        "--cacert",
        tls.join("ca.crt").to_str().unwrap(),
        &format!("{url}sign-in"),
    ]);
    let head = String::from_utf8_lossy(&ok.stdout).to_lowercase();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains("strict-transport-security: max-age="),
        "{head}"
    );
    assert!(
        head.contains("set-cookie: __host-hatarakitai-pre=") && head.contains("; secure"),
        "{head}"
    );
    let refused = curl(&[&format!("{url}healthz")]);
    assert!(
        !refused.status.success(),
        "a client without the centre's CA must refuse the server"
    );
    let _ = child.kill();
    let mut err = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut err);
    let _ = child.wait();
    assert!(
        err.contains("ends in 20 days") || err.contains("ends in 19 days"),
        "{err}"
    );
}
