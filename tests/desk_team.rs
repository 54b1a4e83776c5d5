//! A team's desks on one PostgreSQL server, through the real command line: 8 desk processes
//! scanning the same 200 slips at the same time make exactly 200 records, and none of them
//! sees an error (TEAM.md §4). Also: bad URLs, passwords in the URL, readable password files
//! and a server that is down give clear messages.

mod pg_support;

use std::process::{Command, Stdio};

use hatarakitai::answers::Answers;
use hatarakitai::content::Content;
use hatarakitai::lang::Lang;
use hatarakitai::matcher;
use hatarakitai::payload::{self, CentreKey, VisitRecord};
use hatarakitai::store::key_file::KeyFile;

const T0: i64 = 1_795_600_000;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hatarakitai"))
}

const PW: &str = "kanri-2026";

/// Runs the CLI with `pw` on standard input (as every signed-in command reads it).
fn run_pw(args: &[&str], pw: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(mut i) = child.stdin.take() {
        let _ = writeln!(i, "{pw}");
    }
    child.wait_with_output().unwrap()
}

/// The first administrator, made on the command line.
fn add_admin(cfg: &str, d: &str) {
    let o = run_pw(
        &[
            "--config",
            cfg,
            "--data-dir",
            d,
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
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn slips(key: &CentreKey, n: u32) -> Vec<String> {
    let content = Content::embedded().unwrap();
    let a = Answers::parse_kv(&content.questionnaire, "goal=work_now,days=d5").unwrap();
    let o = matcher::match_answers(&content, &a);
    (1..=n)
        .map(|serial| {
            let rec = VisitRecord::from_visit(&content, &a, &o, Lang::Ja, 1, serial, T0).unwrap();
            payload::encode(&rec, key, payload::random_nonce().unwrap()).unwrap()
        })
        .collect()
}

/// A data dir with the centre key and a config naming the database.
fn setup(url: &str) -> (tempfile::TempDir, CentreKey) {
    let dir = tempfile::tempdir().unwrap();
    let key = CentreKey::generate().unwrap();
    key.write_new(&dir.path().join("centre.key")).unwrap();
    std::fs::write(
        dir.path().join("desk.toml"),
        format!("[desk]\ndatabase = \"{url}\"\n"),
    )
    .unwrap();
    (dir, key)
}

#[test]
fn eight_desk_processes_scanning_200_slips_make_200_records() {
    let Some(pg) = pg_support::server() else {
        return;
    };
    let url = pg.new_database("team");
    let (dir, key) = setup(&url);
    let texts = slips(&key, 200);
    let d = dir.path().to_str().unwrap().to_string();
    let cfg = dir.path().join("desk.toml").to_str().unwrap().to_string();
    add_admin(&cfg, &d);
    let results: Vec<(usize, usize, Vec<String>)> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..8usize)
            .map(|desk| {
                let (texts, d, cfg) = (&texts, &d, &cfg);
                sc.spawn(move || {
                    // Each desk scans half the slips, in its own order, so every slip is
                    // scanned by 4 desks.
                    let mut created = 0;
                    let mut opened = 0;
                    let mut errors = Vec::new();
                    for k in 0..200usize {
                        let slot = (k * 7 + desk * 13) % 200;
                        if (slot + desk) % 2 == 1 {
                            continue;
                        }
                        let t = &texts[slot];
                        let o = run_pw(
                            &[
                                "--config",
                                cfg,
                                "--data-dir",
                                d,
                                "intake",
                                "open",
                                t,
                                "--staff",
                                "admin",
                            ],
                            PW,
                        );
                        if !o.status.success() {
                            errors.push(String::from_utf8_lossy(&o.stderr).into_owned());
                            continue;
                        }
                        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
                        opened += 1;
                        if v["created"] == true {
                            created += 1;
                        }
                    }
                    (created, opened, errors)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let errors: Vec<&String> = results.iter().flat_map(|r| &r.2).collect();
    assert!(errors.is_empty(), "desks saw errors: {errors:?}");
    let created: usize = results.iter().map(|r| r.0).sum();
    let opened: usize = results.iter().map(|r| r.1).sum();
    let mut c = pg.client(&url);
    let rows: i64 = c
        .query_one("SELECT COUNT(*) FROM intake", &[])
        .unwrap()
        .get(0);
    println!(
        "8 desks, {opened} scans of 200 slips: {created} records created, {rows} in the database"
    );
    assert_eq!(opened, 800, "each slip scanned by 4 desks");
    assert_eq!(rows, 200);
    assert_eq!(created, 200, "exactly one desk created each record");
}

#[test]
fn bad_database_settings_are_clear_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let key = CentreKey::generate().unwrap();
    key.write_new(&dir.path().join("centre.key")).unwrap();
    let text = slips(&key, 1).remove(0);
    let d = dir.path().to_str().unwrap();
    let cfg = dir.path().join("desk.toml");
    let run = |toml: &str| {
        std::fs::write(&cfg, toml).unwrap();
        let o = run_pw(
            &[
                "--config",
                cfg.to_str().unwrap(),
                "--data-dir",
                d,
                "intake",
                "open",
                &text,
                "--staff",
                "admin",
            ],
            PW,
        );
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, e) = run("[desk]\ndatabase = \"postgresql://desk:secret@127.0.0.1/x\"\n");
    assert_eq!(code, Some(2), "{e}");
    assert!(e.contains("password_file") && !e.contains("secret"), "{e}");
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "s3cret\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, e) =
        run("[desk]\ndatabase = \"postgresql://desk@127.0.0.1/x\"\npassword_file = \"pw\"\n");
    assert_eq!(code, Some(2), "{e}");
    assert!(e.contains("chmod 600"), "{e}");
    // Nothing listens on port 1: the server is down.
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, e) =
        run("[desk]\ndatabase = \"postgresql://desk@127.0.0.1:1/x\"\npassword_file = \"pw\"\n");
    assert_eq!(code, Some(1), "{e}");
    assert!(
        e.contains("PostgreSQL 127.0.0.1/x") && e.contains("server is running"),
        "{e}"
    );
    assert!(
        !dir.path().join("desk.sqlite").exists(),
        "no silent fallback to a local file"
    );
}

#[test]
fn a_database_newer_than_this_desk_is_refused() {
    let Some(pg) = pg_support::server() else {
        return;
    };
    let url = pg.new_database("newer");
    let (dir, key) = setup(&url);
    let text = slips(&key, 1).remove(0);
    let d = dir.path().to_str().unwrap();
    let cfg = dir.path().join("desk.toml");
    add_admin(cfg.to_str().unwrap(), d);
    let open = || {
        run_pw(
            &[
                "--config",
                cfg.to_str().unwrap(),
                "--data-dir",
                d,
                "intake",
                "open",
                &text,
                "--staff",
                "admin",
            ],
            PW,
        )
    };
    let o = open();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut c = pg.client(&url);
    c.batch_execute("UPDATE hatarakitai_schema SET version = 99")
        .unwrap();
    let o = open();
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(
        e.contains("schema version 99") && e.contains("update hatarakitai"),
        "{e}"
    );
}

/// TEAM.md §1 through the command line, on SQLite and PostgreSQL: no account → a clear way
/// to make the first admin; wrong password → exit 2, nothing read, logged; 5 wrong → locked;
/// disabled → refused; audit rows carry the login id; the access log is for admins only.
fn sign_in_flow(cfg: &std::path::Path, d: &str, key: &CentreKey) {
    let cfg = cfg.to_str().unwrap();
    let text = slips(key, 1).remove(0);
    let open = |login: &str, pw: &str| {
        run_pw(
            &[
                "--config",
                cfg,
                "--data-dir",
                d,
                "intake",
                "open",
                &text,
                "--staff",
                login,
            ],
            pw,
        )
    };
    let o = open("admin", PW);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("staff add --admin"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    add_admin(cfg, d);
    let o = run_pw(
        &[
            "--config",
            cfg,
            "--data-dir",
            d,
            "staff",
            "add",
            "--login",
            "sato",
            "--name",
            "佐藤 花子",
            "--staff",
            "admin",
        ],
        &format!("{PW}\nsato-pass-1"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A short password is refused.
    let o = run_pw(
        &[
            "--config",
            cfg,
            "--data-dir",
            d,
            "staff",
            "add",
            "--login",
            "x1",
            "--name",
            "X",
            "--staff",
            "admin",
        ],
        &format!("{PW}\nshort"),
    );
    assert_eq!(o.status.code(), Some(2));
    // Wrong password: exit 2, nothing opened.
    let o = open("sato", "wrong-password");
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    // Right password: the record opens; the audit names the login.
    let o = open("sato", "sato-pass-1");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let id = v["id"].as_i64().unwrap();
    let o = run_pw(
        &[
            "--config",
            cfg,
            "--data-dir",
            d,
            "intake",
            "save",
            &id.to_string(),
            "--staff",
            "sato",
            "--set",
            "name=山田 太郎",
            "--set",
            "stage=assessment",
        ],
        "sato-pass-1",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A save on a stale version is refused with what changed.
    let o = run_pw(
        &[
            "--config",
            cfg,
            "--data-dir",
            d,
            "intake",
            "save",
            &id.to_string(),
            "--staff",
            "admin",
            "--set",
            "notes=x",
            "--version",
            "0",
        ],
        PW,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("sato"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run_pw(
        &[
            "--config",
            cfg,
            "--data-dir",
            d,
            "intake",
            "show",
            &id.to_string(),
            "--staff",
            "admin",
        ],
        PW,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let whos: Vec<&str> = v["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["who"].as_str())
        .collect();
    assert!(
        whos.contains(&"sato") && !whos.contains(&"staff"),
        "{whos:?}"
    );
    // Staff may not read the access log; admins may, and it names no visitor.
    let o = run_pw(
        &[
            "--config",
            cfg,
            "--data-dir",
            d,
            "access-log",
            "--staff",
            "sato",
        ],
        "sato-pass-1",
    );
    assert_eq!(o.status.code(), Some(2));
    let o = run_pw(
        &[
            "--config",
            cfg,
            "--data-dir",
            d,
            "access-log",
            "--staff",
            "admin",
            "--format",
            "json",
        ],
        PW,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let log = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        log.contains("sign_in_failed") && (log.contains("\"view\"") || log.contains("\"create\"")),
        "{log}"
    );
    assert!(!log.contains("山田"), "no visitor names in the access log");
    let o = run_pw(
        &[
            "--config",
            cfg,
            "--data-dir",
            d,
            "access-log",
            "--staff",
            "admin",
            "--format",
            "csv",
        ],
        PW,
    );
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("\u{feff}日時,ログインID"));
    // 5 wrong passwords lock the account, even for the right one.
    for _ in 0..5 {
        let _ = open("sato", "wrong-password");
    }
    let o = open("sato", "sato-pass-1");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("ロック"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Disabled by an administrator: refused.
    let o = run_pw(
        &[
            "--config",
            cfg,
            "--data-dir",
            d,
            "staff",
            "disable",
            "sato",
            "--staff",
            "admin",
        ],
        PW,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run_pw(
        &[
            "--config",
            cfg,
            "--data-dir",
            d,
            "staff",
            "reset-password",
            "sato",
            "--staff",
            "admin",
        ],
        &format!("{PW}\nsato-pass-2"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = open("sato", "sato-pass-2");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("使えません"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn staff_sign_in_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let key = CentreKey::generate().unwrap();
    key.write_new(&dir.path().join("centre.key")).unwrap();
    let cfg = dir.path().join("desk.toml");
    std::fs::write(&cfg, "").unwrap();
    sign_in_flow(&cfg, dir.path().to_str().unwrap(), &key);
}

#[test]
fn staff_sign_in_on_postgres() {
    let Some(pg) = pg_support::server() else {
        return;
    };
    let (dir, key) = setup(&pg.new_database("signin"));
    sign_in_flow(
        &dir.path().join("desk.toml"),
        dir.path().to_str().unwrap(),
        &key,
    );
}

/// TLS through rustls as `sslmode` asks (TEAM.md §2): verify-full with the right CA is
/// encrypted (the server's own `pg_stat_ssl` says so); a wrong CA, the wrong host name under
/// verify-full, and `require` against a server without TLS are refused with a message.
#[test]
fn tls_by_sslmode_on_a_real_server() {
    use hatarakitai::desk::store::postgres::PgTarget;
    use std::time::Duration;
    let Some(pg) = pg_support::tls_server() else {
        return;
    };
    let ca = pg.ca.clone().unwrap();
    let base = pg.new_database("tls");
    let encrypted = |url: &str| -> Result<bool, String> {
        let t = PgTarget::new(url, None)?;
        let mut c = t.connect("hatarakitai-test", Duration::from_secs(5))?;
        let row = c
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .map_err(|e| e.to_string())?;
        Ok(row.get::<_, bool>(0))
    };
    let localhost = base.replace("127.0.0.1", "localhost");
    assert_eq!(
        encrypted(&format!(
            "{localhost}?sslmode=verify-full&sslrootcert={}",
            ca.display()
        )),
        Ok(true)
    );
    assert_eq!(
        encrypted(&format!(
            "{base}?sslmode=verify-ca&sslrootcert={}",
            ca.display()
        )),
        Ok(true)
    );
    assert_eq!(encrypted(&format!("{base}?sslmode=require")), Ok(true));
    assert_eq!(encrypted(&base), Ok(true), "prefer uses TLS when offered");
    assert_eq!(encrypted(&format!("{base}?sslmode=disable")), Ok(false));

    // A CA that did not sign the server's certificate.
    let other = tempfile::tempdir().unwrap();
    let st = Command::new("sh")
        .current_dir(other.path())
        .args([
            "-c",
            "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=other -keyout k -out ca.crt 2>/dev/null",
        ])
        .status()
        .unwrap();
    assert!(st.success());
    let e = encrypted(&format!(
        "{localhost}?sslmode=verify-full&sslrootcert={}",
        other.path().join("ca.crt").display()
    ))
    .unwrap_err();
    assert!(
        e.contains("connecting failed") && e.contains("sslrootcert"),
        "{e}"
    );
    // The certificate is for localhost / 127.0.0.1, not for this name.
    let wrong_host = base.replace("127.0.0.1", "127.0.0.2");
    let e = encrypted(&format!(
        "{wrong_host}?sslmode=verify-full&sslrootcert={}",
        ca.display()
    ))
    .unwrap_err();
    assert!(e.contains("certificate"), "{e}");
    // verify-ca does not compare the name.
    assert_eq!(
        encrypted(&format!(
            "{wrong_host}?sslmode=verify-ca&sslrootcert={}",
            ca.display()
        )),
        Ok(true)
    );
    // require against a server that has no TLS.
    if let Some(plain) = pg_support::server() {
        let url = plain.new_database("notls");
        let e = encrypted(&format!("{url}?sslmode=require")).unwrap_err();
        assert!(e.contains("connecting failed"), "{e}");
    }
}

fn stats_json(dir: &std::path::Path, extra: &[&str], pw: Option<&str>) -> String {
    let d = dir.to_str().unwrap();
    let cfg = dir.join("config.toml");
    let mut args = vec!["--config", cfg.to_str().unwrap(), "--data-dir", d, "stats"];
    args.extend_from_slice(extra);
    let o = match pw {
        Some(pw) => run_pw(&args, pw),
        None => bin().args(&args).output().unwrap(),
    };
    assert!(
        o.status.success(),
        "stats {extra:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// TEAM.md §3: two kiosks publish their daily aggregates with the role of
/// assets/deploy/kiosk-role.sql (which cannot read intake records); every desk then reads
/// them, and one kiosk's shared JSON equals its own `stats`. Publishing twice counts nothing
/// twice; a server that cannot be reached is a clear exit 1.
#[test]
fn kiosks_publish_and_shared_stats_equal_their_own() {
    let Some(pg) = pg_support::server() else {
        return;
    };
    let url = pg.new_database("publish");
    let (desk, _key) = setup(&url);
    let dcfg = desk.path().join("desk.toml");
    add_admin(dcfg.to_str().unwrap(), desk.path().to_str().unwrap());

    let sql = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/deploy/kiosk-role.sql");
    for _ in 0..2 {
        let o = pg.psql(&url, &["-f", sql]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let kiosk_url = url.replace("postgres@", "hatarakitai_kiosk@");
    for forbidden in [
        "SELECT count(*) FROM intake",
        "SELECT count(*) FROM staff",
        "SELECT count(*) FROM access_log",
        "DELETE FROM kiosk_stats",
    ] {
        let o = pg.psql(&kiosk_url, &["-c", forbidden]);
        assert!(!o.status.success(), "the kiosk role may not: {forbidden}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("permission denied"),
            "{forbidden}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }

    let tz = chrono_tz::Asia::Tokyo;
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let (from, to) = (
        (today - chrono::Duration::days(4)).to_string(),
        today.to_string(),
    );
    let mut kiosks = Vec::new();
    for id in [1u16, 2] {
        let k = tempfile::tempdir().unwrap();
        std::fs::write(
            k.path().join("config.toml"),
            format!(
                "[kiosk]\nid = {id}\npublish_to = \"{kiosk_url}\"\n\n[desk]\ndatabase = \"{url}\"\n"
            ),
        )
        .unwrap();
        let d = k.path().to_str().unwrap().to_string();
        let cfg = k.path().join("config.toml");
        let c = cfg.to_str().unwrap();
        let o = bin()
            .args(["--config", c, "--data-dir", &d, "simulate", "--visits"])
            .arg(if id == 1 { "90" } else { "40" })
            .args(["--days", "3", "--seed"])
            .arg(id.to_string())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        for round in 0..2 {
            let o = bin()
                .args(["--config", c, "--data-dir", &d, "publish"])
                .output()
                .unwrap();
            let out = String::from_utf8_lossy(&o.stdout);
            assert!(
                o.status.success(),
                "publish: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            if round == 0 {
                assert!(out.contains(&format!("kiosk {id}: sent 3 days")), "{out}");
            } else {
                // The server has today: only today is sent again.
                assert!(
                    out.contains(&format!("kiosk {id}: sent 1 day ({to} – {to})")),
                    "{out}"
                );
            }
        }
        kiosks.push(k);
    }
    // The admin at a desk: one kiosk's shared figures are its own, in every form.
    for by in ["day", "hour", "route"] {
        for format in ["json", "csv"] {
            for (i, k) in kiosks.iter().enumerate() {
                let own = stats_json(
                    k.path(),
                    &["--from", &from, "--to", &to, "--format", format, "--by", by],
                    None,
                );
                let id = (i + 1).to_string();
                let shared = stats_json(
                    k.path(),
                    &[
                        "--source", "shared", "--staff", "admin", "--kiosk", &id, "--from", &from,
                        "--to", &to, "--format", format, "--by", by,
                    ],
                    Some(PW),
                );
                assert_eq!(own, shared, "kiosk {id}, --by {by} --format {format}");
            }
        }
    }
    let started = |json: &str| -> u64 {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        v["total"]["started"].as_u64().unwrap()
    };
    let one = started(&stats_json(
        kiosks[0].path(),
        &["--from", &from, "--to", &to, "--format", "json"],
        None,
    ));
    let two = started(&stats_json(
        kiosks[1].path(),
        &["--from", &from, "--to", &to, "--format", "json"],
        None,
    ));
    let all = started(&stats_json(
        kiosks[0].path(),
        &[
            "--source", "shared", "--staff", "admin", "--from", &from, "--to", &to, "--format",
            "json",
        ],
        Some(PW),
    ));
    assert!(one > 0 && two > 0);
    assert_eq!(all, one + two, "every kiosk, summed");

    // A wrong password reads nothing.
    let o = run_pw(
        &[
            "--config",
            kiosks[0].path().join("config.toml").to_str().unwrap(),
            "--data-dir",
            kiosks[0].path().to_str().unwrap(),
            "stats",
            "--source",
            "shared",
            "--staff",
            "admin",
        ],
        "wrong-password",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());

    // The server cannot be reached: exit 1, what failed and what to check.
    let k = tempfile::tempdir().unwrap();
    let dead = format!(
        "postgresql://hatarakitai_kiosk@127.0.0.1:{}/x",
        pg_support::free_port().unwrap()
    );
    std::fs::write(
        k.path().join("config.toml"),
        format!("[kiosk]\npublish_to = \"{dead}\"\n"),
    )
    .unwrap();
    let c = k.path().join("config.toml");
    let d = k.path().to_str().unwrap();
    let o = bin()
        .args([
            "--config",
            c.to_str().unwrap(),
            "--data-dir",
            d,
            "simulate",
            "--visits",
            "3",
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    let o = bin()
        .args(["--config", c.to_str().unwrap(), "--data-dir", d, "publish"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("connecting failed") && err.contains("reachable"),
        "{err}"
    );
    // Not configured: exit 2 naming the setting.
    std::fs::write(k.path().join("config.toml"), "").unwrap();
    let o = bin()
        .args(["--config", c.to_str().unwrap(), "--data-dir", d, "publish"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("[kiosk] publish_to is not set"));
}

/// The kiosk's publishing thread: a database the desks have not set up yet is reported and
/// tried again; once it is ready the next attempt sends everything, and the kiosk's visits
/// were never held up (`nudge` returns at once).
#[test]
fn the_publisher_thread_retries_until_the_server_is_ready() {
    use hatarakitai::desk::store::DeskStore;
    use hatarakitai::desk::store::postgres::PgTarget;
    use hatarakitai::kiosk::publish::{Publisher, Timing};
    use std::time::{Duration, Instant};
    let Some(pg) = pg_support::server() else {
        return;
    };
    let url = pg.new_database("publisher");
    let k = tempfile::tempdir().unwrap();
    let d = k.path().to_str().unwrap();
    let o = bin()
        .args(["--data-dir", d, "simulate", "--visits", "30", "--days", "2"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let tz = chrono_tz::Asia::Tokyo;
    let p = Publisher::start(
        PgTarget::for_setting("[kiosk] publish_to", &url, None).unwrap(),
        k.path().join("kiosk.sqlite"),
        tz,
        1,
        std::sync::Arc::new(chrono::Utc::now),
        Timing {
            first_retry: Duration::from_millis(200),
            last_retry: Duration::from_millis(400),
            quiet: Duration::from_secs(60),
        },
    )
    .unwrap();
    let wait = |what: &str, f: &dyn Fn() -> bool| {
        let t = Instant::now();
        while !f() {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "timed out waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait("the first attempt", &|| p.state().attempts >= 1);
    let s = p.state();
    assert!(s.last_ok.is_none());
    assert!(
        s.problem
            .as_deref()
            .unwrap_or("")
            .contains("no statistics table yet"),
        "{s:?}"
    );
    // A desk connects once: the tables exist now.
    let store = DeskStore::connect(&PgTarget::new(&url, None).unwrap()).unwrap();
    let t = Instant::now();
    p.nudge();
    assert!(t.elapsed() < Duration::from_millis(5), "nudge never waits");
    wait("a publish", &|| p.state().last_ok.is_some());
    assert_eq!(p.state().problem, None);
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let from = today - chrono::Duration::days(3);
    let kiosk =
        hatarakitai::store::kiosk::KioskStore::open_existing(&k.path().join("kiosk.sqlite"), tz)
            .unwrap();
    let own = kiosk.buckets(from, today).unwrap();
    let shared: Vec<_> = store
        .kiosk_buckets(Some(1), from, today)
        .unwrap()
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    assert_eq!(own, shared);
    // Many nudges (visits ending) are one publish each time at most, and change nothing.
    for _ in 0..5 {
        p.nudge();
    }
    std::thread::sleep(Duration::from_millis(300));
    let again: Vec<_> = store
        .kiosk_buckets(Some(1), from, today)
        .unwrap()
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    assert_eq!(own, again);
}

/// TEAM.md §2: a one-PC centre's desk.sqlite moves to the team's server with `desk migrate`:
/// every table arrives with the same rows (counted again with psql), the accounts sign in
/// with their own passwords, the records read the same, new scans get fresh ids; a second
/// run is refused because the target is no longer empty.
#[test]
fn desk_migrate_copies_a_one_pc_desk_into_postgres_verified() {
    let Some(pg) = pg_support::server() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key = CentreKey::generate().unwrap();
    key.write_new(&dir.path().join("centre.key")).unwrap();
    let d = dir.path().to_str().unwrap();
    let sqlite_cfg = dir.path().join("one-pc.toml");
    std::fs::write(&sqlite_cfg, "").unwrap();
    let sc = sqlite_cfg.to_str().unwrap();
    add_admin(sc, d);
    // Records with edits (audit rows), a failed sign-in (access log), published figures.
    for p in slips(&key, 12) {
        let o = run_pw(
            &[
                "--config",
                sc,
                "--data-dir",
                d,
                "intake",
                "open",
                &p,
                "--staff",
                "admin",
            ],
            PW,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for id in ["1", "5"] {
        let o = run_pw(
            &[
                "--config",
                sc,
                "--data-dir",
                d,
                "intake",
                "save",
                id,
                "--staff",
                "admin",
                "--set",
                "name=山田 太郎",
                "--set",
                "notes=一行目\n二行目\tタブ",
            ],
            PW,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let o = run_pw(
        &[
            "--config",
            sc,
            "--data-dir",
            d,
            "intake",
            "list",
            "--staff",
            "admin",
        ],
        "wrong-pass",
    );
    assert_eq!(o.status.code(), Some(2));
    {
        use hatarakitai::stats::Bucket;
        use hatarakitai::stats::Figures;
        let s = hatarakitai::desk::store::DeskStore::open(&dir.path().join("desk.sqlite")).unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let f = Figures {
            started: 3,
            ..Figures::default()
        };
        s.publish_day(
            1,
            day,
            &[Bucket {
                date: day,
                hour: 10,
                figures: f,
            }],
            T0,
        )
        .unwrap();
    }
    // The network: the sample directory, a link with consent, a contact.
    for args in [
        vec!["agency", "list", "--staff", "admin"],
        vec![
            "case",
            "link",
            "1",
            "--agency",
            "hw-town",
            "--role",
            "就労",
            "--consent",
            "2026-11-30",
            "--scope",
            "就労に関する情報",
            "--staff",
            "admin",
        ],
        vec![
            "case",
            "contact",
            "1",
            "--agency",
            "hw-town",
            "--method",
            "電話",
            "--direction",
            "sent",
            "--summary",
            "求人票を送付",
            "--staff",
            "admin",
        ],
        vec![
            "meeting",
            "add",
            "1",
            "--date",
            "2026-11-30",
            "--participants",
            "本人、母、ハローワーク",
            "--decision",
            "就労移行の見学",
            "--goal",
            "週3日通う",
            "--goal-date",
            "2027-01-31",
            "--review",
            "2026-12-28",
            "--staff",
            "admin",
        ],
        vec![
            "pyramid",
            "add",
            "1",
            "--ratings",
            "3,2,2,1,1",
            "--notes",
            "服薬は安定|朝が弱い|||",
            "--date",
            "2026-11-30",
            "--staff",
            "admin",
        ],
        vec![
            "followup",
            "add",
            "1",
            "--kind",
            "定着支援",
            "--phase",
            "1か月",
            "--date",
            "2026-12-30",
            "--staff",
            "admin",
        ],
        // Consent withdrawn (its history), and a retention run (the maintenance mark).
        vec![
            "case",
            "consent",
            "1",
            "--agency",
            "hw-town",
            "--withdrawn",
            "2026-12-01",
            "--note",
            "本人の申し出",
            "--staff",
            "admin",
        ],
        vec!["retention", "--staff", "admin"],
    ] {
        let mut a = vec!["--config", sc, "--data-dir", d];
        a.extend(args);
        let o = run_pw(&a, PW);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let list = |cfg: &str| {
        let o = run_pw(
            &[
                "--config",
                cfg,
                "--data-dir",
                d,
                "intake",
                "list",
                "--staff",
                "admin",
            ],
            PW,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let before = list(sc);
    // A one-PC desk's lobby tables stay empty in life (kiosks publish to a server); today's
    // rows here show that `desk migrate` copies them too.
    let db = rusqlite::Connection::open(dir.path().join("desk.sqlite")).unwrap();
    db.execute_batch(
        "INSERT INTO lobby_call (token, kiosk_id, kiosk_name, called_at, expires_at, lang, speech,
                 keys, answered_by, answered_name, answered_at)
             VALUES ('tok', 1, '1階ロビー', strftime('%s','now'), strftime('%s','now') + 60,
                 'ja', 1, 0, 'admin', '管理者', strftime('%s','now'));
         INSERT INTO lobby_arrival (kiosk_id, serial, receipt_no, kiosk_name, arrived_at, lang,
                 speech, keys, large_text)
             VALUES (1, 99, '1207-099', '1階ロビー', strftime('%s','now'), 'en', 0, 1, 0);
         INSERT INTO kiosk_health (kiosk_id, kiosk_name, running_since, printer, speech, version,
                 seen_at)
             VALUES (1, '1階ロビー', 0, 'ok', 1, '0.1.0', strftime('%s','now'));
         INSERT INTO web_session (id_hash, login, csrf, created_at, seen_at, must_change)
             VALUES ('ab12', 'admin', 'cd34', strftime('%s','now'), strftime('%s','now'), 0);
         INSERT INTO retention_policy (id, closed_days, inactive_years) VALUES (1, 1095, 5);",
    )
    .unwrap();
    drop(db);

    let url = pg.new_database("migrate");
    let o = bin()
        .args([
            "--config",
            sc,
            "--data-dir",
            d,
            "desk",
            "migrate",
            "--to",
            &url,
        ])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for table in [
        "intake",
        "audit",
        "staff",
        "access_log",
        "kiosk_stats",
        "agency",
        "agency_audit",
        "case_link",
        "contact",
        "meeting",
        "assessment",
        "followup",
        "consent_event",
        "maintenance",
    ] {
        assert!(
            out.lines()
                .any(|l| l.trim_start().starts_with(table) && l.contains("verified")),
            "{table}: {out}"
        );
    }
    // Counted again by psql, against the numbers the source holds.
    let src = hatarakitai::desk::store::sqlite::SqliteStore::open(&dir.path().join("desk.sqlite"))
        .unwrap();
    for c in hatarakitai::desk::store::migrate::sqlite_digests(&src).unwrap() {
        let o = pg.psql(
            &url,
            &["-At", "-c", &format!("SELECT count(*) FROM {}", c.table)],
        );
        assert!(o.status.success());
        assert_eq!(
            String::from_utf8_lossy(&o.stdout).trim(),
            c.rows.to_string(),
            "{}",
            c.table
        );
        assert!(c.rows > 0, "{} should have rows in this test", c.table);
        assert!(out.contains(&c.sha256), "{}: {out}", c.table);
    }
    // The team's desk: same records, same password, new scans continue the ids.
    let pg_cfg = dir.path().join("team.toml");
    std::fs::write(&pg_cfg, format!("[desk]\ndatabase = \"{url}\"\n")).unwrap();
    let pc = pg_cfg.to_str().unwrap();
    assert_eq!(list(pc), before);
    let more = slips(&key, 13);
    let o = run_pw(
        &[
            "--config",
            pc,
            "--data-dir",
            d,
            "intake",
            "open",
            &more[12],
            "--staff",
            "admin",
        ],
        PW,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["id"].as_i64(), Some(13), "{v}");

    // Again: refused, nothing changed.
    let o = bin()
        .args([
            "--config",
            sc,
            "--data-dir",
            d,
            "desk",
            "migrate",
            "--to",
            &url,
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("is not empty") && err.contains("Nothing was changed"),
        "{err}"
    );
    let o = pg.psql(&url, &["-At", "-c", "SELECT count(*) FROM intake"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "13");
    // No desk.sqlite here: exit 2 naming it.
    let empty = tempfile::tempdir().unwrap();
    let o = bin()
        .args([
            "--config",
            sc,
            "--data-dir",
            empty.path().to_str().unwrap(),
            "desk",
            "migrate",
            "--to",
            &url,
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("desk.sqlite does not exist"));
}

/// The server restarts (every connection dropped) while a staff member is editing: the save
/// says it failed and that the edits are kept, the edits are still there, and saving again
/// reconnects and writes them once.
#[test]
fn a_connection_lost_mid_save_keeps_the_edits_and_the_retry_saves() {
    use hatarakitai::desk::controller::{DeskController, Notice};
    use hatarakitai::desk::store::DeskStore;
    use hatarakitai::desk::store::postgres::PgTarget;
    let Some(pg) = pg_support::server() else {
        return;
    };
    let url = pg.new_database("dropped");
    let key = CentreKey::generate().unwrap();
    let content = Content::embedded().unwrap();
    let tz = chrono_tz::Asia::Tokyo;
    let store = DeskStore::connect(&PgTarget::new(&url, None).unwrap()).unwrap();
    let decode = hatarakitai::desk::run::decoder(vec![key.clone()], content.clone(), tz);
    let mut desk = DeskController::new(store, content, tz, "sato".into(), decode);
    let slip = slips(&key, 1).remove(0);
    assert_eq!(desk.scan(&slip, T0 + 10), &Notice::Opened { created: true });
    desk.edits.name = "山田 太郎".into();
    desk.edits.next_action = "見学の日程を電話で連絡".into();
    // What a server restart does to every desk's connection.
    let mut admin = pg.client(&url);
    let killed: i64 = admin
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(killed >= 1);
    match desk.save(T0 + 60).clone() {
        Notice::Error(m) => assert!(m.contains("Your edits are kept"), "{m}"),
        other => panic!("expected an error, got {other:?}"),
    }
    assert_eq!(desk.edits.name, "山田 太郎");
    assert_eq!(desk.save(T0 + 120), &Notice::Saved { changed: 2 });
    let n: i64 = admin
        .query_one("SELECT count(*) FROM audit WHERE field = 'name'", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 1, "written once");
}

fn network_cli(cfg: &std::path::Path, d: &str, key: &CentreKey) {
    let c = cfg.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut a = vec!["--config", c, "--data-dir", d];
        a.extend_from_slice(args);
        run_pw(&a, PW)
    };
    add_admin(c, d);
    let o = run(&["intake", "open", &slips(key, 1)[0], "--staff", "admin"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The bundled sample on first use.
    let o = run(&["agency", "list", "--format", "json", "--staff", "admin"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"hw-town") && ids.contains(&"shokugyo-osaka"),
        "{ids:?}"
    );
    // A bad file: every problem with file:line:field, exit 2, nothing written.
    let dir = std::path::Path::new(d);
    let bad = dir.join("bad-agencies.toml");
    std::fs::write(&bad, "[[agency]]\nid = \"new-one\"\nname = \"A\"\nkind = \"企業\"\n\n[[agency]]\nid = \"new-one\"\nname = \"B\"\nkind = \"会社\"\n").unwrap();
    let o = run(&[
        "agency",
        "import",
        bad.to_str().unwrap(),
        "--staff",
        "admin",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("bad-agencies.toml:7: field `agency[2].id`: duplicate id `new-one`"),
        "{e}"
    );
    assert!(
        e.contains("bad-agencies.toml:9: field `agency[2].kind`: unknown kind `会社`"),
        "{e}"
    );
    let o = run(&["agency", "list", "--staff", "admin"]);
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains("new-one"),
        "nothing written"
    );
    // A good one: added, then updated by id.
    let good = dir.join("agencies.toml");
    std::fs::write(&good, "[[agency]]\nid = \"company-a\"\nname = \"株式会社サンプル\"\nkind = \"企業\"\ncontact_method = \"メール\"\n").unwrap();
    let o = run(&[
        "agency",
        "import",
        good.to_str().unwrap(),
        "--staff",
        "admin",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["added"], serde_json::json!(["company-a"]));
    std::fs::write(&good, "[[agency]]\nid = \"company-a\"\nname = \"株式会社サンプル\"\nkind = \"企業\"\ncontact_method = \"電話\"\n").unwrap();
    let o = run(&[
        "agency",
        "import",
        good.to_str().unwrap(),
        "--staff",
        "admin",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["updated"], serde_json::json!(["company-a"]));
    // Consent: a contact sent without it is refused and nothing is written.
    let o = run(&[
        "case",
        "link",
        "1",
        "--agency",
        "company-a",
        "--role",
        "企業",
        "--staff",
        "admin",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["consent"], serde_json::json!(false));
    let o = run(&[
        "case",
        "contact",
        "1",
        "--agency",
        "company-a",
        "--method",
        "メール",
        "--direction",
        "sent",
        "--summary",
        "実習の打診",
        "--staff",
        "admin",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("同意なし"));
    let o = run(&[
        "case",
        "contact",
        "1",
        "--agency",
        "company-a",
        "--method",
        "メール",
        "--direction",
        "received",
        "--summary",
        "実習の受け入れ可",
        "--staff",
        "admin",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A link ends (once); a link of another record or an ended one is refused.
    let o = run(&[
        "case",
        "link",
        "1",
        "--agency",
        "company-a",
        "--role",
        "企業",
        "--person",
        "人事 佐々木",
        "--staff",
        "admin",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let l: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let lid = l["id"].to_string();
    let o = run(&["case", "end", "1", "--link", &lid, "--staff", "admin"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&["case", "end", "1", "--link", &lid, "--staff", "admin"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not an open link"));
    // 個別支援会議 and the pyramid; what is due.
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .date_naive();
    let day = |n: i64| {
        (today + chrono::Duration::days(n))
            .format("%Y-%m-%d")
            .to_string()
    };
    let (d0, d3, d60, dm1) = (day(0), day(3), day(60), day(-1));
    let o = run(&[
        "meeting",
        "add",
        "1",
        "--date",
        &d0,
        "--participants",
        "本人、家族、支援員",
        "--decision",
        "実習に向けて生活リズムを整える",
        "--goal",
        "朝9時に起きる",
        "--goal-date",
        &d60,
        "--review",
        &d3,
        "--staff",
        "admin",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let o = run(&[
        "due", "--within", "7", "--format", "json", "--staff", "admin",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let due: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(due[0]["meeting"], m["id"], "{due}");
    assert_eq!(due[0]["in_days"], serde_json::json!(3));
    let o = run(&["due", "--within", "2", "--staff", "admin"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "[]");
    let o = run(&["due", "--mine", "--staff", "admin"]);
    let mine: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    let o = run(&[
        "pyramid",
        "add",
        "1",
        "--ratings",
        "2,2,3,1,1",
        "--notes",
        "通院は月1回||||",
        "--staff",
        "admin",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The meeting's record as an A4 PDF: written whole, no personal data in its name.
    let pdf = dir.join("meeting.pdf");
    let mid = m["id"].to_string();
    let o = run(&[
        "meeting",
        "pdf",
        &mid,
        "--out",
        pdf.to_str().unwrap(),
        "--staff",
        "admin",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    let tail = String::from_utf8_lossy(&bytes[bytes.len().saturating_sub(16)..]).to_string();
    assert!(tail.contains("%%EOF"), "written whole: {tail:?}");
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "no half files");
    for (args, needle) in [
        (
            vec!["meeting", "pdf", "999", "--out", pdf.to_str().unwrap()],
            "no meeting 999",
        ),
        (
            vec![
                "meeting",
                "pdf",
                mid.as_str(),
                "--out",
                "/nonexistent/dir/m.pdf",
            ],
            "cannot write it",
        ),
    ] {
        let mut a = args.clone();
        a.extend(["--staff", "admin"]);
        let o = run(&a);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(needle),
            "{args:?}"
        );
    }
    assert!(!std::path::Path::new("/nonexistent/dir").exists());
    // Follow-ups: employment with its 定着支援 plan, a job coach phase; both come due.
    let dm20 = day(-20);
    let o = run(&[
        "followup",
        "add",
        "1",
        "--kind",
        "就職",
        "--phase",
        "株式会社サンプル",
        "--date",
        &dm20,
        "--plan-retention",
        "--staff",
        "admin",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let f: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(f["planned"].as_array().map(Vec::len), Some(4));
    let o = run(&[
        "followup",
        "add",
        "1",
        "--kind",
        "jobcoach",
        "--phase",
        "集中支援期",
        "--date",
        &dm20,
        "--until",
        &day(2),
        "--staff",
        "admin",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let jc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let o = run(&["due", "--within", "7", "--staff", "admin"]);
    let due: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let kinds: Vec<&str> = due
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["kind"].as_str().unwrap())
        .collect();
    // 2 weeks after day -20 = day -6: overdue; the phase ends on day 2; the review on day 3.
    assert_eq!(kinds, vec!["retention", "jobcoach", "review"], "{due}");
    assert_eq!(due[0]["in_days"], serde_json::json!(-6));
    let jc_id = jc["id"].to_string();
    let o = run(&["followup", "done", &jc_id, "--staff", "admin"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&["followup", "done", &jc_id, "--staff", "admin"]);
    assert_eq!(o.status.code(), Some(2), "done once");
    for (args, needle) in [
        (
            vec![
                "followup",
                "add",
                "99",
                "--kind",
                "定着支援",
                "--date",
                d0.as_str(),
            ],
            "no record 99",
        ),
        (
            vec![
                "followup",
                "add",
                "1",
                "--kind",
                "訪問",
                "--date",
                d0.as_str(),
            ],
            "--kind",
        ),
        (
            vec![
                "followup",
                "add",
                "1",
                "--kind",
                "就職",
                "--date",
                d3.as_str(),
            ],
            "in the future",
        ),
        (
            vec![
                "followup",
                "add",
                "1",
                "--kind",
                "ジョブコーチ",
                "--phase",
                "準備",
                "--date",
                d0.as_str(),
                "--until",
                d3.as_str(),
            ],
            "--phase",
        ),
        (
            vec![
                "followup",
                "add",
                "1",
                "--kind",
                "ジョブコーチ",
                "--phase",
                "集中支援期",
                "--date",
                d3.as_str(),
                "--until",
                d0.as_str(),
            ],
            "before --date",
        ),
        (
            vec![
                "followup",
                "add",
                "1",
                "--kind",
                "定着支援",
                "--date",
                d0.as_str(),
                "--plan-retention",
            ],
            "--plan-retention",
        ),
    ] {
        let before = run(&["due", "--within", "400", "--staff", "admin"]).stdout;
        let mut a = args.clone();
        a.extend(["--staff", "admin"]);
        let o = run(&a);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(needle),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(
            run(&["due", "--within", "400", "--staff", "admin"]).stdout,
            before,
            "nothing written"
        );
    }
    // The council's numbers: anonymous, small cells hidden.
    let first = today.format("%Y-%m-01").to_string();
    let o = run(&[
        "council-stats",
        "--from",
        &first,
        "--to",
        &d0,
        "--format",
        "csv",
        "--staff",
        "admin",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = String::from_utf8(o.stdout).unwrap();
    assert!(csv.starts_with('\u{FEFF}') && csv.contains("\r\n"));
    assert!(csv.contains("新規インテーク,件数,<3,<3\r\n"), "{csv}");
    assert!(
        csv.contains("\r\n就職,件数,"),
        "employment is counted: {csv}"
    );
    assert!(csv.contains("連携した機関（種類別）,企業,<3,<3"), "{csv}");
    assert!(
        !csv.contains("実習") && !csv.contains("株式会社"),
        "no names in the council report"
    );
    let o = run(&[
        "council-stats",
        "--from",
        &first,
        "--to",
        &d0,
        "--format",
        "json",
        "--staff",
        "admin",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["rows"][0]["values"][0], serde_json::json!("<3"));
    // Bad input names the field.
    let later = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    for (args, needle) in [
        (
            vec![
                "case",
                "link",
                "99",
                "--agency",
                "company-a",
                "--role",
                "企業",
                "--staff",
                "admin",
            ],
            "no record 99",
        ),
        (
            vec![
                "case", "link", "1", "--agency", "nope", "--role", "企業", "--staff", "admin",
            ],
            "--agency `nope`",
        ),
        (
            vec![
                "case",
                "link",
                "1",
                "--agency",
                "company-a",
                "--role",
                "企業",
                "--consent",
                later.as_str(),
                "--scope",
                "x",
                "--staff",
                "admin",
            ],
            "in the future",
        ),
        (
            vec![
                "case",
                "contact",
                "1",
                "--agency",
                "company-a",
                "--method",
                "手紙",
                "--direction",
                "received",
                "--summary",
                "x",
                "--staff",
                "admin",
            ],
            "--method",
        ),
        (
            vec![
                "case",
                "contact",
                "1",
                "--agency",
                "company-a",
                "--method",
                "電話",
                "--direction",
                "up",
                "--summary",
                "x",
                "--staff",
                "admin",
            ],
            "--direction",
        ),
        (
            vec![
                "meeting",
                "add",
                "1",
                "--date",
                d0.as_str(),
                "--decision",
                "x",
                "--goal",
                "y",
                "--goal-date",
                d60.as_str(),
                "--review",
                dm1.as_str(),
                "--staff",
                "admin",
            ],
            "is before the meeting",
        ),
        (
            vec![
                "meeting",
                "add",
                "99",
                "--date",
                d0.as_str(),
                "--decision",
                "x",
                "--goal",
                "y",
                "--goal-date",
                d60.as_str(),
                "--review",
                d3.as_str(),
                "--staff",
                "admin",
            ],
            "no record 99",
        ),
        (
            vec![
                "pyramid",
                "add",
                "1",
                "--ratings",
                "1,2,3,4",
                "--staff",
                "admin",
            ],
            "five ratings",
        ),
        (
            vec![
                "pyramid",
                "add",
                "1",
                "--ratings",
                "1,2,3,4,5",
                "--staff",
                "admin",
            ],
            "`5`",
        ),
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(needle), "{args:?}: {e}");
        assert!(!e.contains("実習"), "no personal data in messages: {e}");
    }
}

#[test]
fn agency_directory_and_consent_on_the_command_line_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let key = CentreKey::generate().unwrap();
    key.write_new(&dir.path().join("centre.key")).unwrap();
    let cfg = dir.path().join("desk.toml");
    std::fs::write(&cfg, "").unwrap();
    network_cli(&cfg, dir.path().to_str().unwrap(), &key);
}

#[test]
fn agency_directory_and_consent_on_the_command_line_postgres() {
    let Some(pg) = pg_support::server() else {
        return;
    };
    let (dir, key) = setup(&pg.new_database("network"));
    network_cli(
        &dir.path().join("desk.toml"),
        dir.path().to_str().unwrap(),
        &key,
    );
}
