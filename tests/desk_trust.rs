//! TRUST.md tried from outside, as a hostile person at a desk PC would: the real binary, on
//! desk.sqlite and on a real PostgreSQL server (tests/pg_support). Account changes without an
//! administrator's sign-in, 30 wrong passwords at the same moment, contacts sent after a
//! withdrawal or a link's end, the audit's `who`, retention's dry run and private PDFs.

mod pg_support;

use std::process::{Command, Output, Stdio};

const PW: &str = "kanri-2026";

/// A data dir with a config (SQLite, or the PostgreSQL database named).
struct Desk {
    dir: tempfile::TempDir,
}

impl Desk {
    fn sqlite() -> Desk {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("desk.toml"), "").unwrap();
        Desk { dir }
    }

    fn postgres(name: &str) -> Option<Desk> {
        let pg = pg_support::server()?;
        let dir = tempfile::tempdir().unwrap();
        let url = pg.new_database(name);
        std::fs::write(
            dir.path().join("desk.toml"),
            format!("[desk]\ndatabase = \"{url}\"\n"),
        )
        .unwrap();
        Some(Desk { dir })
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hatarakitai"));
        c.arg("--config")
            .arg(self.dir.path().join("desk.toml"))
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    /// Runs with `input` on standard input (lines: the password, then a new one).
    fn run(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = self.command(args).spawn().unwrap();
        if let Some(mut i) = child.stdin.take() {
            let _ = writeln!(i, "{input}");
        }
        child.wait_with_output().unwrap()
    }

    fn ok(&self, args: &[&str], input: &str) -> serde_json::Value {
        let o = self.run(args, input);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null)
    }

    /// Exit 2 with a message containing `want`; returns the message.
    fn refused(&self, args: &[&str], input: &str, want: &str) -> String {
        let o = self.run(args, input);
        let e = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(2), "{args:?} must be refused: {e}");
        assert!(e.contains(want), "{args:?}: `{want}` not in: {e}");
        assert!(o.stdout.is_empty(), "{args:?} printed: {:?}", o.stdout);
        e
    }

    fn accounts(&self) -> Vec<serde_json::Value> {
        let v = self.ok(&["staff", "list", "--staff", "admin"], PW);
        v.as_array().cloned().unwrap_or_default()
    }

    fn access_log(&self) -> Vec<serde_json::Value> {
        let v = self.ok(&["access-log", "--staff", "admin", "--format", "json"], PW);
        v.as_array().cloned().unwrap_or_default()
    }

    /// A real slip's payload (the kiosk's own path, with this data dir's centre key).
    fn slip(&self, serial_hint: &str) -> String {
        let out = self.dir.path().join(format!("slip-{serial_hint}.png"));
        let v = self.ok(
            &[
                "slip",
                "--answers",
                "goal=work_now,days=d5",
                "--out",
                out.to_str().unwrap(),
            ],
            "",
        );
        v["payload"].as_str().unwrap().to_string()
    }
}

fn admin_and_staff(d: &Desk) {
    d.ok(
        &[
            "staff",
            "add",
            "--admin",
            "--login",
            "admin",
            "--name",
            "管理者",
        ],
        PW,
    );
    d.ok(
        &[
            "staff", "add", "--login", "yamada", "--name", "山田", "--staff", "admin",
        ],
        &format!("{PW}\nyamada-pass-1"),
    );
}

// §1 — accounts are managed by a signed-in administrator only.
fn accounts_are_managed_by_admins_only(d: &Desk) {
    // The very first account must be an administrator.
    d.refused(
        &["staff", "add", "--login", "first", "--name", "F"],
        PW,
        "must be an administrator",
    );
    admin_and_staff(d);
    // No sign-in: a new admin is refused, and the attempt is in the log.
    d.refused(
        &["staff", "add", "--admin", "--login", "x", "--name", "X"],
        "attacker-pass",
        "only a signed-in administrator",
    );
    // Without --staff, reset / list / disable do not even parse.
    for args in [
        &["staff", "reset-password", "admin"][..],
        &["staff", "list"][..],
        &["staff", "disable", "admin"][..],
    ] {
        let o = d.run(args, "new-password-1");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("--staff"));
    }
    // A staff account may not manage accounts.
    d.refused(
        &["staff", "reset-password", "admin", "--staff", "yamada"],
        "yamada-pass-1\nowned-by-me-1",
        "not an administrator",
    );
    d.refused(
        &[
            "staff", "add", "--admin", "--login", "x", "--name", "X", "--staff", "yamada",
        ],
        "yamada-pass-1\nattacker-pass",
        "not an administrator",
    );
    // A wrong admin password: refused, nothing changed.
    d.refused(
        &["staff", "disable", "yamada", "--staff", "admin"],
        "wrong-password",
        "ログインIDかパスワードが違います",
    );
    let logins: Vec<String> = d
        .accounts()
        .iter()
        .map(|a| format!("{}:{}", a["login"], a["active"]))
        .collect();
    assert_eq!(logins, ["\"admin\":true", "\"yamada\":true"]);
    // The last active admin can neither be disabled nor made staff.
    d.refused(
        &["staff", "disable", "admin", "--staff", "admin"],
        PW,
        "last active administrator",
    );
    d.refused(
        &[
            "staff", "role", "admin", "--role", "staff", "--staff", "admin",
        ],
        PW,
        "last active administrator",
    );
    // An admin's changes work, each in the access log with who and to whom.
    d.ok(
        &[
            "staff", "role", "yamada", "--role", "admin", "--staff", "admin",
        ],
        PW,
    );
    d.ok(&["staff", "disable", "yamada", "--staff", "admin"], PW);
    d.ok(&["staff", "enable", "yamada", "--staff", "admin"], PW);
    d.ok(
        &["staff", "reset-password", "yamada", "--staff", "admin"],
        &format!("{PW}\nyamada-pass-2"),
    );
    let log = d.access_log();
    let has = |login: &str, action: &str, target: &str| {
        log.iter().any(|e| {
            e["login"] == login && e["action"] == action && e["target"].as_str() == Some(target)
        })
    };
    assert!(has("admin", "staff_add", "yamada"), "{log:?}");
    assert!(has("-", "staff_refused", "x"), "{log:?}");
    assert!(has("yamada", "staff_refused", "admin"), "{log:?}");
    assert!(has("admin", "staff_refused", "yamada"), "{log:?}");
    assert!(has("admin", "staff_role", "yamada"), "{log:?}");
    assert!(has("admin", "staff_disable", "yamada"), "{log:?}");
    assert!(has("admin", "staff_enable", "yamada"), "{log:?}");
    assert!(has("admin", "staff_reset_password", "yamada"), "{log:?}");
}

// §2 — 30 wrong passwords at the same moment: locked after at most 5 counted.
fn thirty_wrong_passwords_at_once_lock_the_account(d: &Desk) {
    admin_and_staff(d);
    let children: Vec<_> = (0..30)
        .map(|i| {
            let mut c = d
                .command(&["intake", "list", "--staff", "yamada"])
                .spawn()
                .unwrap();
            if let Some(mut stdin) = c.stdin.take() {
                use std::io::Write;
                let _ = writeln!(stdin, "guess-{i:04}");
            }
            c
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(2));
    }
    let yamada = d
        .accounts()
        .into_iter()
        .find(|a| a["login"] == "yamada")
        .unwrap();
    assert!(
        yamada["locked_until"].as_i64().is_some(),
        "locked after 30 wrong tries: {yamada}"
    );
    let counted = d
        .access_log()
        .iter()
        .filter(|e| e["login"] == "yamada" && e["action"] == "sign_in_failed")
        .count();
    assert!(counted <= 5, "{counted} failures counted");
    d.refused(
        &["intake", "list", "--staff", "yamada"],
        "yamada-pass-1",
        "ロック",
    );
}

// §3 and §6 — the audit names who acted; consent given later, withdrawn, and ended links.
fn consent_over_time_and_who_in_the_audit(d: &Desk) {
    admin_and_staff(d);
    let payload = d.slip("1");
    let rec = d.ok(
        &["intake", "open", &payload, "--staff", "yamada"],
        "yamada-pass-1",
    );
    let id = rec["id"].as_i64().unwrap().to_string();
    let show = d.ok(&["intake", "show", &id, "--staff", "admin"], PW);
    let whos: Vec<&str> = show["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["who"].as_str())
        .collect();
    assert_eq!(whos, ["yamada"], "the scan's audit names who scanned");

    let yamada = |args: &[&str]| {
        let mut a = args.to_vec();
        a.extend(["--staff", "yamada"]);
        d.ok(&a, "yamada-pass-1")
    };
    let refused = |args: &[&str], want: &str| {
        let mut a = args.to_vec();
        a.extend(["--staff", "yamada"]);
        d.refused(&a, "yamada-pass-1", want)
    };
    yamada(&["case", "link", &id, "--agency", "hw-town", "--role", "就労"]);
    let sent = [
        "case",
        "contact",
        &id,
        "--agency",
        "hw-town",
        "--method",
        "電話",
        "--direction",
        "sent",
        "--summary",
        "求人票を送付",
    ];
    refused(&sent, "同意なし");
    // Consent recorded later: now it may be sent.
    let today = chrono::Local::now().date_naive().to_string();
    let g = yamada(&[
        "case", "consent", &id, "--agency", "hw-town", "--given", &today, "--scope", "就労",
    ]);
    assert_eq!(g["change"], "given");
    yamada(&sent);
    // Withdrawn: refused again, nothing written.
    refused(
        &[
            "case",
            "consent",
            &id,
            "--agency",
            "hw-town",
            "--withdrawn",
            "2001-01-01",
        ],
        "before the consent",
    );
    let w = yamada(&[
        "case",
        "consent",
        &id,
        "--agency",
        "hw-town",
        "--withdrawn",
        &today,
        "--note",
        "本人から電話で",
    ]);
    assert_eq!(w["history"].as_array().map(Vec::len), Some(2), "{w}");
    assert_eq!(w["history"][1]["who"], "yamada");
    let e = refused(&sent, "withdrew");
    assert!(e.contains("nothing was written"), "{e}");
    // Given again, then the link ends: refused for the ended link.
    yamada(&[
        "case", "consent", &id, "--agency", "hw-town", "--given", &today, "--scope", "就労",
    ]);
    let link = g["link"].as_i64().unwrap().to_string();
    yamada(&["case", "end", &id, "--link", &link]);
    refused(&sent, "ended on");
    // Every audit entry names a person; the consent steps are there.
    let show = d.ok(&["intake", "show", &id, "--staff", "admin"], PW);
    let audit = show["audit"].as_array().unwrap();
    assert!(audit.iter().all(|a| a["who"] == "yamada"), "{audit:?}");
    let consent = audit
        .iter()
        .filter(|a| a["field"] == "consent:hw-town")
        .count();
    assert_eq!(consent, 3, "{audit:?}");
    // The refused attempts on the record are in the access log (ids only).
    let log = d.access_log();
    for action in ["contact_refused", "consent_refused"] {
        assert!(
            log.iter().any(|e| e["login"] == "yamada"
                && e["action"] == action
                && e["record"] == rec["id"]),
            "{action}: {log:?}"
        );
    }
}

// §5 — retention's dry run (administrators only) and private PDFs.
fn retention_dry_run_and_private_pdfs(d: &Desk) {
    admin_and_staff(d);
    let payload = d.slip("1");
    let id = d.ok(&["intake", "open", &payload, "--staff", "admin"], PW)["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let m = d.ok(
        &[
            "meeting",
            "add",
            &id,
            "--date",
            "2026-12-01",
            "--decision",
            "体験利用",
            "--goal",
            "週3日通う",
            "--goal-date",
            "2027-01-31",
            "--review",
            "2027-01-05",
            "--staff",
            "admin",
        ],
        PW,
    );
    let out = d.dir.path().join("m.pdf");
    d.ok(
        &[
            "meeting",
            "pdf",
            &m["id"].to_string(),
            "--out",
            out.to_str().unwrap(),
            "--staff",
            "admin",
        ],
        PW,
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a meeting PDF is the person's data");
    }
    d.refused(
        &["retention", "--dry-run", "--staff", "yamada"],
        "yamada-pass-1",
        "not an administrator",
    );
    let v = d.ok(&["retention", "--dry-run", "--staff", "admin"], PW);
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["removed"], serde_json::json!([]), "a new record stays");
    assert_eq!(v["policy"]["inactive_years"], 5);
}

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(&super::Desk::sqlite());
            }
            #[test]
            fn postgres() {
                let Some(d) = super::Desk::postgres(stringify!($name)) else { return };
                super::$name(&d);
            }
        }
    )*};
}

on_both!(
    accounts_are_managed_by_admins_only,
    thirty_wrong_passwords_at_once_lock_the_account,
    consent_over_time_and_who_in_the_audit,
    retention_dry_run_and_private_pdfs,
);
