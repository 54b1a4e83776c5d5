//! SERVER.md §3 tried from outside on a real PostgreSQL server: the owner makes and upgrades
//! the schema (`hatarakitai db upgrade`), `assets/deploy/server-roles.sql` makes the
//! application role, and that role — what `serve` connects as — can run no DDL, cannot
//! UPDATE, DELETE or TRUNCATE a row of the logs (access_log, audit, agency_audit,
//! consent_event), cannot change retention's periods or the schema version, and still runs
//! the whole desk: sign-in, scan, save, and retention through the owner's function. Each
//! refusal is tried with psql, as a person holding the role's password would.

mod pg_support;
mod serve_support;

use serve_support::cli;

use std::process::{Command, Stdio};

const PW: &str = "kanri-pass-2026";

fn ok(dir: &std::path::Path, args: &[&str], input: &str) -> serde_json::Value {
    let o = cli(dir, args, input);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null)
}

#[test]
fn the_application_role_cannot_rewrite_the_logs_nor_change_the_schema() {
    let Some(pg) = pg_support::server() else {
        return;
    };
    let owner_url = pg.new_database("roles");
    let app_url = owner_url.replacen("postgresql://postgres@", "postgresql://hatarakitai_app@", 1);
    assert_ne!(owner_url, app_url);
    // The owner's side: the schema and the periods, then the role.
    let owner = tempfile::tempdir().unwrap();
    std::fs::write(owner.path().join("desk.toml"), "").unwrap();
    let v = ok(
        owner.path(),
        &[
            "db",
            "upgrade",
            "--database",
            &owner_url,
            "--retention-days",
            "30",
            "--retention-years",
            "5",
        ],
        "",
    );
    assert_eq!(v["schema"], hatarakitai::desk::store::schema::VERSION);
    let roles = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/deploy/server-roles.sql"
    );
    let o = pg.psql(&owner_url, &["-f", roles]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Run twice: safe.
    assert!(pg.psql(&owner_url, &["-f", roles]).status.success());

    // The server's side: everything through the application role.
    let server = tempfile::tempdir().unwrap();
    std::fs::write(
        server.path().join("desk.toml"),
        format!("[desk]\ndatabase = \"{app_url}\"\n"),
    )
    .unwrap();
    ok(
        server.path(),
        &[
            "staff", "add", "--admin", "--login", "boss", "--name", "所長",
        ],
        PW,
    );
    let slip = server.path().join("s.png");
    let v = ok(
        server.path(),
        &[
            "slip",
            "--answers",
            "goal=work_now",
            "--out",
            slip.to_str().unwrap(),
        ],
        "",
    );
    let payload = v["payload"].as_str().unwrap().to_string();
    let opened = ok(
        server.path(),
        &["intake", "open", &payload, "--staff", "boss"],
        PW,
    );
    let id = opened["record"]["id"]
        .as_i64()
        .or(opened["id"].as_i64())
        .unwrap_or(1);
    ok(
        server.path(),
        &[
            "intake",
            "save",
            &id.to_string(),
            "--set",
            "name=山本",
            "--staff",
            "boss",
        ],
        PW,
    );
    // An agency change and a consent event, so every log table has rows.
    let agencies = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/agencies.toml");
    ok(
        server.path(),
        &["agency", "import", agencies, "--staff", "boss"],
        PW,
    );
    let list = ok(
        server.path(),
        &["agency", "list", "--format", "json", "--staff", "boss"],
        PW,
    );
    let agency = list[0]["id"].as_str().unwrap().to_string();
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .date_naive()
        .to_string();
    ok(
        server.path(),
        &[
            "case",
            "link",
            &id.to_string(),
            "--agency",
            &agency,
            "--role",
            "就労",
            "--consent",
            &today,
            "--scope",
            "就労に関する情報",
            "--staff",
            "boss",
        ],
        PW,
    );
    ok(
        server.path(),
        &[
            "case",
            "consent",
            &id.to_string(),
            "--agency",
            &agency,
            "--withdrawn",
            &today,
            "--staff",
            "boss",
        ],
        PW,
    );

    // `serve` itself runs as the application role (its start runs retention and prunes
    // sessions through that role).
    {
        use std::io::BufRead;
        std::fs::write(
            server.path().join("desk.toml"),
            format!("[desk]\ndatabase = \"{app_url}\"\n\n[serve]\nlisten = \"127.0.0.1:0\"\n"),
        )
        .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_hatarakitai"))
            .arg("--config")
            .arg(server.path().join("desk.toml"))
            .arg("--data-dir")
            .arg(server.path())
            .arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        assert!(
            line.starts_with("serving the desk at http://127.0.0.1:"),
            "{line} {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // Tried with psql as the application role (its password would be all one needs).
    let refused = |sql: &str| {
        let o = pg.psql(&app_url, &["-c", sql]);
        let e = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(!o.status.success(), "the application role could run: {sql}");
        assert!(
            e.contains("permission denied")
                || e.contains("must be owner")
                || e.contains("must be superuser"),
            "{sql}: {e}"
        );
    };
    let allowed = |sql: &str| {
        let o = pg.psql(&app_url, &["-At", "-c", sql]);
        assert!(
            o.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    for table in ["access_log", "audit", "agency_audit", "consent_event"] {
        assert_ne!(
            allowed(&format!("SELECT count(*) FROM {table}")),
            "0",
            "{table} has rows"
        );
        refused(&format!("UPDATE {table} SET at = 0"));
        refused(&format!("DELETE FROM {table}"));
        refused(&format!("TRUNCATE {table}"));
        refused(&format!("DROP TABLE {table}"));
        refused(&format!("ALTER TABLE {table} DISABLE TRIGGER ALL"));
    }
    refused("UPDATE audit SET who = 'boss'");
    refused("CREATE TABLE mine (a int)");
    refused("CREATE TEMP TABLE mine (a int)");
    refused("ALTER TABLE intake ADD COLUMN x int");
    refused("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'");
    refused("UPDATE hatarakitai_schema SET version = 1");
    refused("UPDATE retention_policy SET closed_days = 0");
    refused("ALTER ROLE hatarakitai_app SUPERUSER");
    // The days of a record's life stay the application's to write.
    allowed("UPDATE intake SET updated_at = updated_at");

    // Retention as the application role: only through the owner's function, with the
    // owner's periods. A record closed 31 days ago goes (with its network), audited.
    let mut su = pg.client(&owner_url);
    let old = chrono::Utc::now().timestamp() - 31 * 86_400;
    su.execute(
        "UPDATE intake SET closed_at = $1, stage = 6 WHERE id = $2",
        &[&old, &id],
    )
    .unwrap();
    su.execute("DELETE FROM maintenance", &[]).unwrap();
    let dry = ok(
        server.path(),
        &["retention", "--dry-run", "--staff", "boss"],
        PW,
    );
    assert!(
        dry.to_string().contains(&format!("\"record\":{id}")),
        "{dry}"
    );
    ok(server.path(), &["retention", "--staff", "boss"], PW);
    let left: i64 = su
        .query_one("SELECT count(*) FROM intake", &[])
        .unwrap()
        .get(0);
    assert_eq!(left, 0);
    let links: i64 = su
        .query_one("SELECT count(*) FROM case_link", &[])
        .unwrap()
        .get(0);
    assert_eq!(links, 0, "the record's network went with it");
    let who: String = su
        .query_one(
            "SELECT who FROM audit WHERE intake_id = $1 AND field = 'deleted'",
            &[&id],
        )
        .unwrap()
        .get(0);
    assert_eq!(who, "retention");
    // A time in the future does not make the function delete early.
    let far = chrono::Utc::now().timestamp() + 100 * 365 * 86_400;
    let n: i64 = su
        .query_one("SELECT count(*) FROM intake", &[])
        .unwrap()
        .get(0);
    let o = pg.psql(
        &app_url,
        &[
            "-At",
            "-c",
            &format!("SELECT count(*) FROM hatarakitai_retention({far}, true)"),
        ],
    );
    assert!(o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), n.to_string());

    // A schema other than the program's: the application role changes nothing and says
    // who must act.
    su.execute("UPDATE hatarakitai_schema SET version = version - 1", &[])
        .unwrap();
    let o = cli(server.path(), &["intake", "list", "--staff", "boss"], PW);
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && e.contains("db upgrade"), "{e}");
    su.execute("UPDATE hatarakitai_schema SET version = version + 1", &[])
        .unwrap();
    // And `db upgrade` as the application role is refused.
    let o = cli(server.path(), &["db", "upgrade"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("owner"));
}
