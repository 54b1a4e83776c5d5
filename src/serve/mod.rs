//! `hatarakitai serve` (SERVER.md): the desk as a web app. One process holds the store and
//! its only credential; staff use a browser. axum on tokio, HTTPS by rustls, pages from maud.
//!
//! - `pool` — the store's workers: threads that each own one `DeskStore` (synchronous),
//!   fed jobs through one queue; no handler touches the store on a tokio worker.
//! - `session` — session ids (kept hashed), the lock and the 12 hours, cookies' names.
//! - `routes` — the one table of routes and who may use them (`Access`); the router is made
//!   from it and `guard` checks every request against it.
//! - `guard` — sign-in, lock, admin, CSRF token and Origin for each request, before any
//!   handler runs; `headers` — the security headers on every response.
//! - `views` — one module per page (maud), `views::layout` the frame, `views::errors` the
//!   error pages; `events` — the lobby pushed to every open page (SSE).
//! - `assets` — the page's CSS, script and chime (ui/web/, compiled in).

pub mod assets;
pub mod events;
pub mod guard;
pub mod headers;
pub mod pool;
pub mod routes;
pub mod session;
pub mod tls;
pub mod views;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::config::{Loaded, PublicUrl};
use crate::content::Content;
use crate::desk::controller::Decoder;
use crate::failure::Failure;

/// A form's fields as they were posted (a draft kept over the lock).
pub type Draft = Vec<(String, String)>;

/// What the handlers share: built once at start.
pub struct App {
    pub pool: pool::Pool,
    pub cookies: session::Cookies,
    pub public: PublicUrl,
    pub lock_secs: i64,
    pub tz: chrono_tz::Tz,
    pub centre: String,
    pub content: Content,
    pub decode: Decoder,
    pub chime_volume: f32,
    /// The lobby as last read, pushed to every open page (`events`).
    pub lobby: tokio::sync::watch::Sender<Option<Arc<crate::lobby::Lobby>>>,
    /// Form text that arrived after the lock, per (login, path): given back to the same
    /// person only (SERVER.md §2: a POST after the lock is kept as the person's draft).
    pub drafts: Mutex<HashMap<(String, String), Draft>>,
    /// Wakes the lobby's watcher after this server's own writes (`events::nudge`).
    pub wake: tokio::sync::Notify,
    /// Turns true when the server shuts down: event streams end.
    pub stop: tokio::sync::watch::Receiver<bool>,
    /// One message per session for its next page (`views::flash`).
    pub flash: Mutex<HashMap<String, String>>,
}

impl App {
    pub fn now(&self) -> i64 {
        chrono::Utc::now().timestamp()
    }
}

/// Where to listen and how, from `[serve]`: the socket already bound (so port 0 is known).
struct Listen {
    socket: std::net::TcpListener,
    local: SocketAddr,
    tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
}

/// Builds the app from the config: keys, content, the store's workers (each opens the store
/// once; PostgreSQL's schema is checked, desk.sqlite migrated), retention on the way.
pub fn build(
    loaded: &Loaded,
    data_dir: &Path,
    stop: tokio::sync::watch::Receiver<bool>,
    local: SocketAddr,
) -> Result<App, Failure> {
    let content = loaded
        .content()
        .map_err(|e| Failure::input(e.to_string()))?;
    let tz = loaded.config.timezone();
    let keys = crate::store::key_file::load_all(&loaded.key_paths(data_dir)).map_err(|e| {
        Failure::input(format!(
            "{e}\nThe server opens the slips with the centre key the kiosks use: copy a kiosk's centre.key into {} (or list key files under [keys] in the config).",
            data_dir.display()
        ))
    })?;
    let now = chrono::Utc::now().timestamp();
    {
        // Once, before the workers: schema, retention, ended sessions.
        let store = crate::desk::run::open_store(loaded, data_dir)?;
        crate::desk::run::daily_retention(&store, loaded, data_dir, now).map_err(Failure::other)?;
        store
            .session_prune(now - session::MAX_AGE)
            .map_err(|e| Failure::other(e.to_string()))?;
    }
    let opener: pool::Opener = {
        let loaded = loaded.clone();
        let dir = data_dir.to_path_buf();
        Arc::new(move || {
            crate::desk::run::open_store(&loaded, &dir)
                .map_err(|f| crate::desk::store::DeskError(f.message))
        })
    };
    let workers = usize::try_from(loaded.config.serve.store_workers).unwrap_or(4);
    let pool = pool::Pool::start(workers, opener).map_err(|e| Failure::other(e.0))?;
    let public = public_url(loaded, local)?;
    Ok(App {
        pool,
        cookies: session::Cookies::new(public.https),
        public,
        lock_secs: i64::from(loaded.config.desk.lock_minutes.max(1)) * 60,
        tz,
        centre: loaded.config.centre.name.clone(),
        decode: crate::desk::run::decoder(keys, content.clone(), tz),
        content,
        chime_volume: loaded.config.desk.chime_volume,
        lobby: tokio::sync::watch::channel(None).0,
        drafts: Mutex::new(HashMap::new()),
        flash: Mutex::new(HashMap::new()),
        wake: tokio::sync::Notify::new(),
        stop,
    })
}

/// `[serve] public_url`, or the bound address as the browser on this PC would type it.
fn public_url(loaded: &Loaded, addr: SocketAddr) -> Result<PublicUrl, Failure> {
    let s = &loaded.config.serve;
    let text = match &s.public_url {
        Some(u) => u.clone(),
        None => {
            let host = if addr.ip().is_unspecified() || addr.ip().is_loopback() {
                "127.0.0.1".to_string()
            } else {
                addr.ip().to_string()
            };
            let scheme = if s.tls() { "https" } else { "http" };
            format!("{scheme}://{host}:{}/", addr.port())
        }
    };
    PublicUrl::parse(&text).map_err(Failure::input)
}

fn listen(loaded: &Loaded) -> Result<Listen, Failure> {
    let s = &loaded.config.serve;
    let addr = s.addr().map_err(|(_, m)| Failure::input(m))?;
    let bound = |e: std::io::Error| {
        Failure::other(format!(
            "cannot listen on {addr} ({e}): another program may use that port; set [serve] listen to another"
        ))
    };
    let socket = std::net::TcpListener::bind(addr).map_err(bound)?;
    let local = socket.local_addr().map_err(bound)?;
    socket.set_nonblocking(true).map_err(bound)?;
    let tls = match (
        loaded.content_path(&s.tls_cert),
        loaded.content_path(&s.tls_key),
    ) {
        (Some(c), Some(k)) => Some((c, k)),
        _ => None,
    };
    Ok(Listen { socket, local, tls })
}

/// `hatarakitai serve`: builds the app, listens, prints the address to open, serves until
/// SIGINT or SIGTERM (open event streams are closed, requests in flight finish).
pub fn run(loaded: &Loaded, data_dir: &Path) -> Result<(), Failure> {
    let how = listen(loaded)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::other(format!("starting the server's runtime failed ({e})")))?;
    // The store is opened here, outside the runtime: the `postgres` crate runs a runtime of
    // its own and refuses to start inside tokio's.
    let (stop, _) = tokio::sync::watch::channel(false);
    let app = Arc::new(build(loaded, data_dir, stop.subscribe(), how.local)?);
    rt.block_on(async {
        stop_on_signal(stop.clone());
        serve(app, how, stop).await
    })
}

async fn serve(
    app: Arc<App>,
    how: Listen,
    stop: tokio::sync::watch::Sender<bool>,
) -> Result<(), Failure> {
    let router = routes::router(Arc::clone(&app));
    events::spawn_watcher(Arc::clone(&app), stop.subscribe());
    let failed = |e: std::io::Error| Failure::other(format!("the server stopped ({e})"));
    match how.tls {
        None => {
            let listener = tokio::net::TcpListener::from_std(how.socket).map_err(failed)?;
            announce(&app, how.local, false);
            let mut rx = stop.subscribe();
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async move {
                let _ = rx.changed().await;
            })
            .await
            .map_err(failed)
        }
        Some((cert, key)) => {
            let config = tls_config(&cert, &key)?;
            announce(&app, how.local, true);
            let handle = axum_server::Handle::new();
            let h = handle.clone();
            let mut rx = stop.subscribe();
            tokio::spawn(async move {
                let _ = rx.changed().await;
                h.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
            });
            axum_server::from_tcp_rustls(
                how.socket,
                axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(config)),
            )
            .handle(handle)
            .serve(router.into_make_service_with_connect_info::<SocketAddr>())
            .await
            .map_err(failed)
        }
    }
}

/// `stop` turns true on SIGINT / SIGTERM.
fn stop_on_signal(t: tokio::sync::watch::Sender<bool>) {
    tokio::spawn(async move {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = term => {}
        }
        let _ = t.send(true);
    });
}

fn announce(app: &App, local: SocketAddr, tls: bool) {
    use std::io::Write;
    let scheme = if tls { "https" } else { "http" };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "serving the desk at {scheme}://{local}/");
    let _ = writeln!(out, "staff open: {}/", app.public.origin());
    let _ = out.flush();
}

/// rustls from the PEM files; a certificate that ends within 30 days is warned of.
fn tls_config(cert: &Path, key: &Path) -> Result<rustls::ServerConfig, Failure> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            Failure::input(format!(
                "serve.tls_cert: {} could not be read as PEM certificates ({e}); make them with `hatarakitai tls init`",
                cert.display()
            ))
        })?;
    if certs.is_empty() {
        return Err(Failure::input(format!(
            "serve.tls_cert: {} holds no certificate",
            cert.display()
        )));
    }
    if let Some(days) = tls::days_left(&certs[0], chrono::Utc::now().timestamp()) {
        if days < 0 {
            return Err(Failure::input(format!(
                "serve.tls_cert: {} has ended; browsers will refuse it: make a new one (`hatarakitai tls init`, or from the centre's CA)",
                cert.display()
            )));
        }
        if days <= 30 {
            eprintln!(
                "warning: the server certificate {} ends in {days} days: make a new one before then (`hatarakitai tls init` with the centre's CA, DEPLOY.md)",
                cert.display()
            );
        }
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        Failure::input(format!(
            "serve.tls_key: {} could not be read as a PEM private key ({e})",
            key.display()
        ))
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Failure::other(format!("TLS set-up failed ({e})")))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            Failure::input(format!(
                "serve.tls_cert / serve.tls_key: the certificate and key do not go together ({e})"
            ))
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
