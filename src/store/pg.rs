//! Reaching the centre's PostgreSQL server (TEAM.md §2, §3): the URL from the config, the
//! password from a file (mode 0600, like `.pgpass`; never in the config), and TLS through
//! rustls as `sslmode` asks. The desk store and the kiosk's publisher both connect through
//! here, each with its own role.
//!
//! `sslmode` follows libpq: `disable`; `prefer` (the default: TLS when the server offers it,
//! certificate not checked); `require` (TLS or nothing; checked against `sslrootcert` when one
//! is given); `verify-ca` (chain to `sslrootcert`); `verify-full` (chain and host name).
//! Both are read from the URL's query (`?sslmode=verify-full&sslrootcert=/etc/…/root.crt`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use postgres::Client;
use postgres::config::SslMode as WireMode;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

/// libpq's `sslmode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(s: &str) -> Option<SslMode> {
        Some(match s {
            "disable" => SslMode::Disable,
            "allow" | "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }
}

/// Where a PostgreSQL database is and how to reach it. `Debug` never shows the password.
#[derive(Clone)]
pub struct PgTarget {
    /// The config setting this came from, for messages (`[desk] database`).
    setting: String,
    /// The URL without `sslmode` / `sslrootcert`, which this module handles itself.
    url: String,
    password: Option<String>,
    pub ssl: SslMode,
    pub root_cert: Option<PathBuf>,
}

impl std::fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgTarget({}, {:?})", self.url, self.ssl)
    }
}

impl PgTarget {
    /// `[desk] database` with its password file.
    pub fn new(url: &str, password_file: Option<&Path>) -> Result<PgTarget, String> {
        PgTarget::for_setting("[desk] database", url, password_file)
    }

    /// `setting` names the config key in messages (`[kiosk] publish_to`, …).
    pub fn for_setting(
        setting: &str,
        url: &str,
        password_file: Option<&Path>,
    ) -> Result<PgTarget, String> {
        let (base, query) = match url.split_once('?') {
            Some((b, q)) => (b, q),
            None => (url, ""),
        };
        let mut ssl = SslMode::Prefer;
        let mut root_cert = None;
        let mut rest = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "sslmode" => {
                    ssl = SslMode::parse(v).ok_or_else(|| {
                        format!("{setting}: sslmode={v} is not known; use disable, prefer, require, verify-ca or verify-full")
                    })?;
                }
                "sslrootcert" => root_cert = Some(PathBuf::from(v)),
                _ => rest.push(pair),
            }
        }
        let url_rest = if rest.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", rest.join("&"))
        };
        let cfg: postgres::Config = url_rest.parse().map_err(|e| {
            format!(
                "{setting}: `{}` is not a PostgreSQL URL ({e}); write postgresql://USER@HOST:5432/DBNAME",
                redact(url)
            )
        })?;
        if cfg.get_password().is_some() {
            let file = if setting.starts_with("[kiosk]") {
                "[kiosk] publish_password_file"
            } else if setting.starts_with("--") {
                "--password-file (or [desk] password_file)"
            } else {
                "[desk] password_file"
            };
            return Err(format!(
                "{setting}: the URL holds a password; put it in the file named by {file} (first line, mode 0600) instead"
            ));
        }
        if matches!(ssl, SslMode::VerifyCa | SslMode::VerifyFull) && root_cert.is_none() {
            return Err(format!(
                "{setting}: sslmode={} needs sslrootcert=/path/to/root.crt (the certificate of the CA that signed the server's certificate)",
                if ssl == SslMode::VerifyCa {
                    "verify-ca"
                } else {
                    "verify-full"
                }
            ));
        }
        let password = match password_file {
            None => None,
            Some(p) => Some(read_password_file(setting, p)?),
        };
        Ok(PgTarget {
            setting: setting.to_string(),
            url: url_rest,
            password,
            ssl,
            root_cert,
        })
    }

    /// host/dbname, for messages (never the user's password).
    pub fn describe(&self) -> String {
        match self.url.parse::<postgres::Config>() {
            Ok(c) => {
                let host = c
                    .get_hosts()
                    .first()
                    .map(|h| match h {
                        postgres::config::Host::Tcp(s) => s.clone(),
                        #[cfg(unix)]
                        postgres::config::Host::Unix(p) => p.display().to_string(),
                    })
                    .unwrap_or_default();
                format!("PostgreSQL {}/{}", host, c.get_dbname().unwrap_or(""))
            }
            Err(_) => "PostgreSQL".into(),
        }
    }

    /// A connected client, named `application` in `pg_stat_activity`. The message of an
    /// error says what failed and what to check.
    pub fn connect(&self, application: &str, timeout: Duration) -> Result<Client, String> {
        let name = self.describe();
        let mut cfg: postgres::Config = self
            .url
            .parse()
            .map_err(|e| format!("{}: {e}", self.setting))?;
        if let Some(p) = &self.password {
            cfg.password(p.as_bytes());
        }
        cfg.connect_timeout(timeout);
        cfg.application_name(application);
        let result = match self.ssl {
            SslMode::Disable => {
                cfg.ssl_mode(WireMode::Disable);
                cfg.connect(postgres::NoTls)
            }
            mode => {
                cfg.ssl_mode(if mode == SslMode::Prefer {
                    WireMode::Prefer
                } else {
                    WireMode::Require
                });
                let tls = self.tls_config()?;
                cfg.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
            }
        };
        result.map_err(|e| {
            let detail = e
                .as_db_error()
                .map(|d| d.message().to_string())
                .unwrap_or_else(|| e.to_string());
            let hint = if detail.contains("certificate") || detail.contains("TLS") {
                "; check sslmode and that sslrootcert is the CA that signed the server's certificate"
            } else if detail.contains("password") || detail.contains("authentication") {
                "; check the role and its password file"
            } else if detail.contains("does not exist") {
                "; check the database name and role in the URL"
            } else {
                "; check that the server is running and reachable from this PC"
            };
            format!("{name}: connecting failed ({detail}){hint}")
        })
    }

    fn tls_config(&self) -> Result<ClientConfig, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("{}: TLS setup failed ({e})", self.setting))?;
        let roots = match &self.root_cert {
            Some(p) => Some(Arc::new(self.load_roots(p)?)),
            None => None,
        };
        let verifier: Arc<dyn ServerCertVerifier> = match (self.ssl, roots) {
            (SslMode::VerifyFull, Some(r)) | (SslMode::Require, Some(r)) => {
                self.webpki(r, &provider)?
            }
            (SslMode::VerifyCa, Some(r)) => Arc::new(ChainOnly(self.webpki(r, &provider)?)),
            // prefer, require without a root: encrypted, the server not identified (libpq's
            // rules); DEPLOY.md recommends verify-full.
            _ => Arc::new(EncryptOnly(provider)),
        };
        Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth())
    }

    fn webpki(
        &self,
        roots: Arc<RootCertStore>,
        provider: &Arc<CryptoProvider>,
    ) -> Result<Arc<dyn ServerCertVerifier>, String> {
        let v = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
            .build()
            .map_err(|e| format!("{}: sslrootcert cannot be used ({e})", self.setting))?;
        Ok(v)
    }

    fn load_roots(&self, p: &Path) -> Result<RootCertStore, String> {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(p)
            .map_err(|e| {
                format!(
                    "{}: sslrootcert {}: cannot read it ({e})",
                    self.setting,
                    p.display()
                )
            })?
            .collect::<Result<_, _>>()
            .map_err(|e| {
                format!(
                    "{}: sslrootcert {}: not a PEM certificate file ({e})",
                    self.setting,
                    p.display()
                )
            })?;
        let mut store = RootCertStore::empty();
        let (added, _) = store.add_parsable_certificates(certs);
        if added == 0 {
            return Err(format!(
                "{}: sslrootcert {}: holds no usable certificate (expected -----BEGIN CERTIFICATE-----)",
                self.setting,
                p.display()
            ));
        }
        Ok(store)
    }
}

/// `verify-ca`: the chain must lead to the root; the host name is not compared.
#[derive(Debug)]
struct ChainOnly(Arc<dyn ServerCertVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(m, c, d)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(m, c, d)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer` / `require` without a root: the handshake's signatures are checked (so the
/// session key belongs to whoever holds the certificate), the certificate itself is not.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// postgresql://user:secret@host → postgresql://user:***@host
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(a), Some(b)) if b > a => {
            let cred = &url[a + 3..b];
            match cred.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..a + 3], &cred[..c], &url[b..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn read_password_file(setting: &str, p: &Path) -> Result<String, String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(p).map_err(|e| {
            format!(
                "{setting}: password file {}: cannot read it ({e})",
                p.display()
            )
        })?;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(format!(
                "{setting}: password file {}: other users can read it (mode {:o}); run: chmod 600 {}",
                p.display(),
                meta.permissions().mode() & 0o777,
                p.display()
            ));
        }
    }
    let text = std::fs::read_to_string(p).map_err(|e| {
        format!(
            "{setting}: password file {}: cannot read it ({e})",
            p.display()
        )
    })?;
    let pw = text.lines().next().unwrap_or("").trim_end().to_string();
    if pw.is_empty() {
        return Err(format!(
            "{setting}: password file {}: the file is empty; put the role's password on its first line",
            p.display()
        ));
    }
    Ok(pw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssl_settings_come_from_the_query() {
        let t = PgTarget::new(
            "postgresql://desk@db.local:5432/htk?sslmode=verify-full&sslrootcert=/etc/htk/root.crt",
            None,
        )
        .unwrap();
        assert_eq!(t.ssl, SslMode::VerifyFull);
        assert_eq!(t.root_cert.as_deref(), Some(Path::new("/etc/htk/root.crt")));
        assert_eq!(t.describe(), "PostgreSQL db.local/htk");
        let t = PgTarget::new("postgresql://desk@db/htk", None).unwrap();
        assert_eq!(t.ssl, SslMode::Prefer);
        let e = PgTarget::new("postgresql://desk@db/htk?sslmode=verify-full", None).unwrap_err();
        assert!(e.contains("needs sslrootcert"), "{e}");
        let e = PgTarget::new("postgresql://desk@db/htk?sslmode=always", None).unwrap_err();
        assert!(e.contains("sslmode=always is not known"), "{e}");
        let e = PgTarget::new("postgresql://desk:hunter2@db/htk", None).unwrap_err();
        assert!(
            e.contains("holds a password") && !e.contains("hunter2"),
            "{e}"
        );
        let e = PgTarget::for_setting("[kiosk] publish_to", "mysql:/x", None).unwrap_err();
        assert!(e.starts_with("[kiosk] publish_to:"), "{e}");
    }

    #[test]
    fn a_root_file_that_is_not_pem_is_named() {
        let dir = std::env::temp_dir().join(format!("htk-pg-root-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let f = dir.join("root.crt");
        let _ = std::fs::write(&f, "not a certificate\n");
        let t = PgTarget::new(
            &format!(
                "postgresql://desk@127.0.0.1:1/htk?sslmode=verify-full&sslrootcert={}",
                f.display()
            ),
            None,
        )
        .unwrap();
        let Err(e) = t.connect("test", Duration::from_secs(1)) else {
            panic!("connected with a root file that is not PEM");
        };
        assert!(
            e.contains("sslrootcert") && e.contains("no usable certificate"),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
