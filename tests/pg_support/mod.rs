//! A real PostgreSQL server for the tests, started from Debian's binaries (`initdb` +
//! `pg_ctl`) in a temporary directory on a free loopback port, once per test binary. As root
//! it runs as the `postgres` user (PostgreSQL refuses to run as root). A watchdog stops it
//! when the test process ends.
//!
//! Without PostgreSQL installed, `server()` returns None and prints one line saying the suite
//! did not run and how to run it; with HATARAKITAI_REQUIRE_POSTGRES=1 (set by `.ci/run`)
//! that is a failure instead.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

pub struct PgServer {
    pub port: u16,
    pub dir: PathBuf,
    superuser: String,
    /// With `tls_server()`: the CA that signed the server's certificate (for `sslrootcert`).
    pub ca: Option<PathBuf>,
}

static SERVER: OnceLock<Result<PgServer, String>> = OnceLock::new();
static TLS_SERVER: OnceLock<Result<PgServer, String>> = OnceLock::new();

/// The shared server, or None (and one line on stdout) when PostgreSQL is not installed.
pub fn server() -> Option<&'static PgServer> {
    available(SERVER.get_or_init(|| start(false)))
}

/// A second server with `ssl = on` and a certificate for `localhost` / 127.0.0.1 signed by a
/// CA made for it with `openssl`.
pub fn tls_server() -> Option<&'static PgServer> {
    available(TLS_SERVER.get_or_init(|| start(true)))
}

fn available(s: &'static Result<PgServer, String>) -> Option<&'static PgServer> {
    match s {
        Ok(s) => Some(s),
        Err(why) => {
            if std::env::var_os("HATARAKITAI_REQUIRE_POSTGRES").is_some() {
                panic!("the PostgreSQL suite must run here: {why}");
            }
            println!(
                "PostgreSQL suite not run: {why} (install Debian's `postgresql` and run `cargo test`, as .ci/run does)"
            );
            None
        }
    }
}

fn bindir() -> Option<PathBuf> {
    if let Ok(o) = Command::new("pg_config").arg("--bindir").output()
        && o.status.success()
    {
        let p = PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
        if p.join("initdb").is_file() {
            return Some(p);
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").is_file())
        .collect();
    found.sort();
    found.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs `bin` with `args`, as the `postgres` user when we are root.
fn run_as(user: Option<&str>, bin: &Path, args: &[&str]) -> Result<String, String> {
    let mut cmd = match user {
        Some(u) => {
            let mut c = Command::new("runuser");
            c.args(["-u", u, "--"]).arg(bin);
            c
        }
        None => Command::new(bin),
    };
    let o = cmd
        .args(args)
        .output()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    if !o.status.success() {
        return Err(format!(
            "{} {}: {}{}",
            bin.display(),
            args.join(" "),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&o.stdout).into_owned())
}

/// A loopback port nothing listens on (yet).
pub fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// A CA and a server certificate (CN localhost, SAN localhost + 127.0.0.1) in `dir`.
fn make_certs(dir: &Path) -> Result<(), String> {
    let d = dir.display();
    let script = format!(
        "set -e; cd {d}
         openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=hatarakitai-test-ca -keyout ca.key -out ca.crt 2>/dev/null
         openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out server.csr 2>/dev/null
         printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n' > ext.cnf
         openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf -out server.crt 2>/dev/null
         chmod 600 server.key"
    );
    let o = Command::new("sh")
        .args(["-c", &script])
        .output()
        .map_err(|e| format!("openssl: {e}"))?;
    if !o.status.success() {
        return Err(format!(
            "making test certificates with openssl failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    Ok(())
}

fn start(tls: bool) -> Result<PgServer, String> {
    let bin = bindir().ok_or("initdb not found (no PostgreSQL server binaries)")?;
    let user = is_root().then_some("postgres");
    let dir = std::env::temp_dir().join(format!(
        "hatarakitai-pg{}-{}",
        if tls { "tls" } else { "" },
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    if tls {
        make_certs(&dir)?;
    }
    if let Some(u) = user {
        let st = Command::new("chown")
            .args(["-R", &format!("{u}:{u}"), dir.to_str().unwrap_or("")])
            .status()
            .map_err(|e| e.to_string())?;
        if !st.success() {
            return Err(format!("cannot give {} to the {u} user", dir.display()));
        }
    }
    let data = dir.join("data");
    let d = data.to_str().ok_or("temp path")?;
    run_as(
        user,
        &bin.join("initdb"),
        &[
            "-D",
            d,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ],
    )?;
    let port = free_port()?;
    let mut opts = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=60",
        dir.display()
    );
    if tls {
        opts.push_str(&format!(
            " -c ssl=on -c ssl_cert_file={0}/server.crt -c ssl_key_file={0}/server.key -c listen_addresses=127.0.0.1,127.0.0.2",
            dir.display()
        ));
    }
    let log = dir.join("server.log");
    run_as(
        user,
        &bin.join("pg_ctl"),
        &[
            "-D",
            d,
            "-l",
            log.to_str().ok_or("temp path")?,
            "-o",
            &opts,
            "-w",
            "-t",
            "30",
            "start",
        ],
    )?;
    // Stop the server when this test process goes, however it goes.
    let watchdog = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {runas}{pg_ctl} -D {d} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        runas = user
            .map(|u| format!("runuser -u {u} -- "))
            .unwrap_or_default(),
        pg_ctl = bin.join("pg_ctl").display(),
        dir = dir.display(),
    );
    Command::new("sh")
        .args(["-c", &watchdog])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    Ok(PgServer {
        port,
        ca: tls.then(|| dir.join("ca.crt")),
        dir,
        superuser: "postgres".into(),
    })
}

static DB_SEQ: AtomicU32 = AtomicU32::new(0);

impl PgServer {
    /// A new empty database (its own per test); returns its URL.
    pub fn new_database(&self, stem: &str) -> String {
        let name = format!(
            "{stem}_{}_{}",
            std::process::id(),
            DB_SEQ.fetch_add(1, Ordering::SeqCst)
        );
        let mut c = postgres::Client::connect(
            &format!(
                "host=127.0.0.1 port={} user={} dbname=postgres",
                self.port, self.superuser
            ),
            postgres::NoTls,
        )
        .unwrap_or_else(|e| panic!("connect to the test server: {e}"));
        c.batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("create database: {e}"));
        self.url(&name)
    }

    pub fn url(&self, db: &str) -> String {
        format!(
            "postgresql://{}@127.0.0.1:{}/{db}",
            self.superuser, self.port
        )
    }

    /// A client on `db` as the superuser, for the tests' own checks.
    pub fn client(&self, url: &str) -> postgres::Client {
        postgres::Client::connect(url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("connect {url}: {e}"))
    }

    /// Runs Debian's `psql` on `url` with `args` (ON_ERROR_STOP), as a user's own tool would.
    pub fn psql(&self, url: &str, args: &[&str]) -> std::process::Output {
        let psql = bindir()
            .map(|b| b.join("psql"))
            .filter(|p| p.is_file())
            .unwrap_or_else(|| PathBuf::from("psql"));
        Command::new(psql)
            .arg(url)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1"])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("psql: {e}"))
    }
}
