//! Publishing the kiosk's daily aggregates to the team's database (`[kiosk] publish_to`,
//! TEAM.md §3) on a thread of its own. The kiosk nudges it when a visit ends and never waits
//! for it: a server that is down or slow costs the visitor nothing. A failed publish is tried
//! again after 15 s, doubling up to 10 min, and at the next visit's end; every publish sends
//! whole days (`store::shared`), so nothing is lost while the server is away and nothing is
//! counted twice when it comes back. Nothing is logged.

use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::store::kiosk::KioskStore;
use crate::store::pg::PgTarget;
use crate::store::shared::{self, PublishError, Published};

/// The wall clock of the publishing thread.
pub type SendClock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// When to try again.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// After the first failure; doubled after each further one, up to `last_retry`.
    pub first_retry: Duration,
    pub last_retry: Duration,
    /// Even without visits, today's figures are sent again this often (the day rolls over).
    pub quiet: Duration,
}

impl Default for Timing {
    fn default() -> Timing {
        Timing {
            first_retry: Duration::from_secs(15),
            last_retry: Duration::from_secs(600),
            quiet: Duration::from_secs(3600),
        }
    }
}

/// What the staff screen shows about publishing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishState {
    /// When the last publish succeeded, and what it sent.
    pub last_ok: Option<(DateTime<Utc>, String)>,
    /// Why the last attempt failed (cleared by a success).
    pub problem: Option<String>,
    pub attempts: u64,
}

pub struct Publisher {
    nudge: Sender<()>,
    state: Arc<Mutex<PublishState>>,
}

impl Publisher {
    /// Starts the thread; it publishes at once, then after every nudge.
    pub fn start(
        target: PgTarget,
        db: PathBuf,
        tz: chrono_tz::Tz,
        kiosk_id: u16,
        clock: SendClock,
        timing: Timing,
    ) -> Result<Publisher, String> {
        let (tx, rx) = mpsc::channel::<()>();
        let state = Arc::new(Mutex::new(PublishState::default()));
        let st = state.clone();
        std::thread::Builder::new()
            .name("publish".into())
            .spawn(move || {
                let mut worker = Worker {
                    target,
                    db,
                    tz,
                    kiosk_id,
                    clock,
                    client: None,
                    store: None,
                };
                let mut retry = timing.first_retry;
                loop {
                    let result = worker.publish_once();
                    let wait = match &result {
                        Ok(_) => {
                            retry = timing.first_retry;
                            timing.quiet
                        }
                        Err(e) if e.retry => {
                            let w = retry;
                            retry = (retry * 2).min(timing.last_retry);
                            w
                        }
                        Err(_) => timing.last_retry,
                    };
                    if let Ok(mut s) = st.lock() {
                        s.attempts += 1;
                        match result {
                            Ok(p) => {
                                s.last_ok =
                                    Some(((worker.clock)(), p.summary(kiosk_id, "the server")));
                                s.problem = None;
                            }
                            Err(e) => s.problem = Some(e.message),
                        }
                    }
                    match rx.recv_timeout(wait) {
                        Ok(()) | Err(RecvTimeoutError::Timeout) => {
                            // Several visits ended meanwhile: one publish covers them all.
                            while rx.try_recv().is_ok() {}
                        }
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
            })
            .map_err(|e| format!("cannot start publishing ({e})"))?;
        Ok(Publisher { nudge: tx, state })
    }

    /// Between visits: publish soon. Never blocks.
    pub fn nudge(&self) {
        let _ = self.nudge.send(());
    }

    pub fn state(&self) -> PublishState {
        self.state.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

struct Worker {
    target: PgTarget,
    db: PathBuf,
    tz: chrono_tz::Tz,
    kiosk_id: u16,
    clock: SendClock,
    client: Option<postgres::Client>,
    /// Its own read connection to kiosk.sqlite (WAL: the kiosk's writes go on meanwhile).
    store: Option<KioskStore>,
}

impl Worker {
    fn publish_once(&mut self) -> Result<Published, PublishError> {
        if self.store.is_none() {
            self.store =
                Some(
                    KioskStore::open_existing(&self.db, self.tz).map_err(|e| PublishError {
                        message: e.to_string(),
                        retry: true,
                    })?,
                );
        }
        if self.client.as_ref().is_none_or(|c| c.is_closed()) {
            self.client = Some(
                self.target
                    .connect("hatarakitai-kiosk", Duration::from_secs(5))
                    .map_err(|message| PublishError {
                        message,
                        retry: true,
                    })?,
            );
        }
        let (Some(store), Some(client)) = (self.store.as_ref(), self.client.as_mut()) else {
            return Err(PublishError {
                message: "not connected".into(),
                retry: true,
            });
        };
        let now = (self.clock)();
        let today = store.local_date(now);
        let r = shared::publish(client, store, self.kiosk_id, today, now.timestamp());
        if r.is_err() {
            // A broken connection is made again next time.
            self.client = None;
        }
        r
    }
}
