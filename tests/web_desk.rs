//! The web desk in a real browser (SERVER.md §1, §4): Debian's `chromium`, driven over
//! WebDriver by `chromium-driver`, against the real `hatarakitai serve` on a loopback port.
//! Keyboard-only flows (sign-in, scan, save), a USB scanner's burst at 5 ms a key into the
//! search field, axe-core (pinned, tests/web/) in every page: 0 violations at WCAG 2.2 AA,
//! signed out and in, staff and admin. With HATARAKITAI_SHOTS=DIR each page's screenshot is
//! written there (1366×768) to be looked at.
//!
//! Needs `chromium` and `chromium-driver` (Debian): without them it says in one line that it
//! did not run; with HATARAKITAI_REQUIRE_BROWSER=1 (set by `.ci/run`) that is a failure.

mod serve_support;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use serve_support::{ADMIN_PW, STAFF_PW, Server};

const AXE: &str = include_str!("web/axe.min.js");

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// chromedriver on a free port, or why not.
fn driver() -> Option<(Driver, u16)> {
    let have = |b: &str| {
        Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("chromedriver") || !std::path::Path::new("/usr/bin/chromium").exists() {
        let why = "browser suite not run: Debian's chromium and chromium-driver are not installed (apt install chromium chromium-driver; .ci/run does)";
        assert!(
            std::env::var_os("HATARAKITAI_REQUIRE_BROWSER").is_none(),
            "{why}"
        );
        eprintln!("{why}");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some((Driver(child), port));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("chromedriver did not start");
}

async fn browser(port: u16, profile: &std::path::Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-quic", "--window-size=1366,768", "--lang=ja",
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a chromium session")
}

/// axe-core in the page: the violations at WCAG 2.2 AA (A and AA of 2.0, 2.1, 2.2).
async fn axe(c: &Client, page: &str) {
    c.execute(AXE, vec![]).await.expect("inject axe-core");
    let r = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
                .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' — ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("run axe-core");
    let v: Vec<String> = serde_json::from_value(r).unwrap_or_default();
    assert!(
        v.is_empty(),
        "{page}: axe-core violations at WCAG 2.2 AA: {v:#?}"
    );
}

async fn shot(c: &Client, name: &str) {
    if let Some(dir) = std::env::var_os("HATARAKITAI_SHOTS") {
        let png = c.screenshot().await.expect("screenshot");
        let _ = std::fs::create_dir_all(&dir);
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    }
}

/// Keys typed as a person does (into whatever has focus).
async fn keys(c: &Client, text: &str) {
    c.active_element()
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

/// Tab until the element with `id` has focus (at most 40 presses): the page's order.
async fn tab_to(c: &Client, id: &str) {
    for _ in 0..40 {
        let active = c
            .execute(
                "return document.activeElement && document.activeElement.id",
                vec![],
            )
            .await
            .unwrap();
        if active.as_str() == Some(id) {
            return;
        }
        keys(c, TAB).await;
    }
    panic!("Tab never reached #{id}");
}

async fn path(c: &Client) -> String {
    c.current_url().await.unwrap().path().to_string()
}

async fn sign_in_by_keys(c: &Client, s: &Server, login: &str, pw: &str) {
    c.goto(&format!("{}/sign-in", s.base)).await.unwrap();
    tab_to(c, "login").await;
    keys(c, login).await;
    keys(c, TAB).await;
    keys(c, pw).await;
    keys(c, ENTER).await;
    if c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#lobby"))
        .await
        .is_err()
    {
        let src = c.source().await.unwrap_or_default();
        panic!(
            "the home after sign-in did not come: {} {src}",
            path(c).await
        );
    }
}

/// A USB scanner: every key down/up with 5 ms between keys, then Enter.
async fn scanner_burst(c: &Client, text: &str) {
    let mut k = KeyActions::new("scanner".into());
    for ch in text.chars().chain(std::iter::once('\u{E007}')) {
        k = k
            .then(KeyAction::Down { value: ch })
            .then(KeyAction::Up { value: ch })
            .then(KeyAction::Pause {
                duration: Duration::from_millis(5),
            });
    }
    c.perform_actions(k).await.unwrap();
}

#[test]
fn the_desk_in_chromium_by_keyboard_with_axe() {
    let Some((_driver, port)) = driver() else {
        return;
    };
    let s = Server::start("");
    let payload = s.payload("goal=work_now,days=d5,health=stable");
    let profile = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = browser(port, profile.path()).await;
        // Signed out: the sign-in page and a 404.
        c.goto(&format!("{}/sign-in", s.base)).await.unwrap();
        axe(&c, "sign-in").await;
        shot(&c, "web-01-sign-in").await;
        c.goto(&format!("{}/no/such/page", s.base)).await.unwrap();
        axe(&c, "404").await;

        // Staff, by keys alone: sign in, then the scan field on the home.
        sign_in_by_keys(&c, &s, "yamada", STAFF_PW).await;
        axe(&c, "home (staff)").await;
        shot(&c, "web-02-home").await;
        // The skip link is the first stop and leads to the main content.
        c.execute("document.activeElement.blur(); window.scrollTo(0,0)", vec![]).await.unwrap();
        keys(&c, TAB).await;
        let first = c.execute("return document.activeElement.className", vec![]).await.unwrap();
        assert_eq!(first.as_str(), Some("skip"));

        // The scanner into the search field: the record opens, the field's own text stays.
        c.goto(&format!("{}/records", s.base)).await.unwrap();
        axe(&c, "records (staff)").await;
        tab_to(&c, "text").await;
        keys(&c, "山").await;
        // What the field holds as the page goes (kept in the tab's sessionStorage).
        c.execute(
            "window.addEventListener('pagehide', () => sessionStorage.setItem('field', document.getElementById('text').value));",
            vec![],
        )
        .await
        .unwrap();
        scanner_burst(&c, &payload).await;
        c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#staff-form")).await.expect("the scan opened the record");
        let p = path(&c).await;
        assert!(p.starts_with("/records/"), "{p}");
        let field = c.execute("return sessionStorage.getItem('field')", vec![]).await.unwrap();
        assert_eq!(field.as_str(), Some("山"), "the scan's keys must not reach the search field");
        axe(&c, "record (staff)").await;
        shot(&c, "web-03-record").await;
        let dom_ms = c
            .execute("const t = performance.getEntriesByType('navigation')[0]; return t ? t.domInteractive : -1", vec![])
            .await
            .unwrap();
        eprintln!("record page domInteractive: {dom_ms} ms");

        // Typing normally (not a scan) into a field is left alone: slow keys are typed.
        tab_to(&c, "name").await;
        keys(&c, "HT1 山本 太郎").await;
        let v = c.execute("return document.getElementById('name').value", vec![]).await.unwrap();
        assert_eq!(v.as_str(), Some("HT1 山本 太郎"), "typed text must reach the field");
        // Save by keys: Enter in the text field submits the form.
        keys(&c, ENTER).await;
        c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("p.ok[role=status]")).await.expect("the save's result");
        let said = c.find(Locator::Css("p.ok[role=status]")).await.unwrap().text().await.unwrap();
        assert!(said.contains("保存しました"), "{said}");

        // A refused save keeps the text and puts focus on the field.
        c.execute("document.getElementById('name').value = 'あ'.repeat(101)", vec![]).await.unwrap();
        c.find(Locator::Css("#staff-form button[type=submit]")).await.unwrap().click().await.unwrap();
        c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#name-error")).await.unwrap();
        let focus = c.execute("return document.activeElement.id", vec![]).await.unwrap();
        assert_eq!(focus.as_str(), Some("name"));
        axe(&c, "record with a refused field").await;
        shot(&c, "web-04-refused").await;

        // Staff on an admin page: 403, still accessible.
        c.goto(&format!("{}/admin/access-log", s.base)).await.unwrap();
        axe(&c, "403").await;

        // Sign out by keys, then the admin.
        c.goto(&format!("{}/", s.base)).await.unwrap();
        c.find(Locator::Css("header form button")).await.unwrap().click().await.unwrap();
        c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#login")).await.unwrap();
        sign_in_by_keys(&c, &s, "boss", ADMIN_PW).await;
        axe(&c, "home (admin)").await;
        c.goto(&format!("{}/admin/access-log", s.base)).await.unwrap();
        axe(&c, "access log (admin)").await;
        shot(&c, "web-05-access-log").await;
        c.goto(&format!("{}/password", s.base)).await.unwrap();
        axe(&c, "password").await;

        // The lock page (the session aged in its store).
        let db = s.dir.path().join("desk.sqlite");
        rusqlite::Connection::open(&db).unwrap().execute("UPDATE web_session SET seen_at = seen_at - 3600", []).unwrap();
        c.goto(&format!("{}/", s.base)).await.unwrap();
        let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
        assert_eq!(h1, "ロック中");
        axe(&c, "lock").await;
        shot(&c, "web-06-lock").await;
        c.close().await.unwrap();
    });
}
