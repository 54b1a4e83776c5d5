//! The real `hatarakitai serve` for the tests (tests/serve.rs, tests/web_desk.rs): a data dir
//! with a centre key, an administrator and a staff member, the server on a free loopback
//! port (it prints the address), stopped when dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};

pub const ADMIN_PW: &str = "kanri-pass-2026";
pub const STAFF_PW: &str = "yamada-pass-2026";

pub struct Server {
    pub dir: tempfile::TempDir,
    child: Child,
    pub base: String,
    pub host: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn cli(dir: &std::path::Path, args: &[&str], input: &str) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hatarakitai"))
        .arg("--config")
        .arg(dir.join("desk.toml"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(mut i) = c.stdin.take() {
        let _ = writeln!(i, "{input}");
    }
    c.wait_with_output().unwrap()
}

impl Server {
    /// A data dir with a centre key, an administrator and a staff member; `extra` config.
    pub fn start(extra: &str) -> Server {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("desk.toml"),
            format!("[serve]\nlisten = \"127.0.0.1:0\"\n\n[desk]\nlock_minutes = 1\n{extra}"),
        )
        .unwrap();
        let ok = |args: &[&str], input: &str| {
            let o = cli(dir.path(), args, input);
            assert!(
                o.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        };
        ok(
            &[
                "staff", "add", "--admin", "--login", "boss", "--name", "所長",
            ],
            ADMIN_PW,
        );
        ok(
            &[
                "staff", "add", "--login", "yamada", "--name", "山田", "--staff", "boss",
            ],
            &format!("{ADMIN_PW}\n{STAFF_PW}"),
        );
        // The kiosk's key: a first slip makes it.
        let slip = dir.path().join("first.png");
        ok(
            &[
                "slip",
                "--answers",
                "goal=work_now",
                "--out",
                slip.to_str().unwrap(),
            ],
            "",
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
        let addr = line
            .trim()
            .strip_prefix("serving the desk at http://")
            .unwrap_or_else(|| {
                let mut e = String::new();
                let _ = child.stderr.take().unwrap().read_to_string(&mut e);
                panic!("serve said {line:?}; stderr: {e}")
            })
            .trim_end_matches('/')
            .to_string();
        // Keep reading its stdout so it never blocks.
        std::thread::spawn(move || {
            let mut sink = String::new();
            let _ = out.read_to_string(&mut sink);
        });
        Server {
            base: format!("http://{addr}"),
            host: addr,
            dir,
            child,
        }
    }

    pub fn payload(&self, answers: &str) -> String {
        let out = self.dir.path().join("s.png");
        let o = cli(
            self.dir.path(),
            &["slip", "--answers", answers, "--out", out.to_str().unwrap()],
            "",
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["payload"].as_str().unwrap().to_string()
    }

    pub fn access_log(&self) -> String {
        let o = cli(
            self.dir.path(),
            &["access-log", "--staff", "boss", "--format", "json"],
            ADMIN_PW,
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
}
