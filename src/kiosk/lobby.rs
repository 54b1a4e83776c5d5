//! The kiosk's side of the lobby (LOBBY.md): staff calls, arrivals (a slip printed) and a
//! heartbeat every minute, sent to the team's database with `[kiosk] publish_to` through the
//! kiosk's role, which may only call the SECURITY DEFINER functions of
//! `desk::store::schema::PG_ROUTINES`. The kiosk learns the answer to its own call by asking
//! `hatarakitai_lobby_call_state(token)` for the random token it made, and nothing else.
//!
//! All of it runs on a thread of its own behind a bounded queue: the UI thread only
//! `try_send`s and never waits (a full queue counts as a failed call). A call that cannot be
//! sent is reported `Failed` at once (the visitor is sent to the window) and tried again in the
//! background only while it is younger than `call_answer_seconds`: it is never delivered late.
//! Nothing is logged: the rows carry no answers, and errors stay in `LinkState` for the staff
//! screen.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use postgres::Client;

use super::controller::{CallNews, CallRequest};
use crate::lobby::PrinterState;
use crate::store::pg::PgTarget;

/// What the lobby link reports of a call, on the link's thread (`seq` = the controller's).
pub type Report = Box<dyn Fn(u64, CallNews) + Send + Sync>;

/// Where news of calls (from the lobby link's thread, or the `on_call_staff` command's
/// reaper) waits for the UI thread, which drains it (`kiosk::adapter`).
pub struct NewsChannel {
    pub tx: mpsc::Sender<(u64, CallNews)>,
    pub rx: mpsc::Receiver<(u64, CallNews)>,
}

impl Default for NewsChannel {
    fn default() -> NewsChannel {
        let (tx, rx) = mpsc::channel();
        NewsChannel { tx, rx }
    }
}

impl NewsChannel {
    pub fn report(&self) -> Report {
        let tx = self.tx.clone();
        Box::new(move |seq, news| {
            let _ = tx.send((seq, news));
        })
    }
}

/// A printed slip, as the waiting list shows it: never an answer or a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrivalInfo {
    pub serial: u32,
    pub receipt_no: String,
    pub lang: &'static str,
    pub speech: bool,
    pub keys: bool,
    pub large_text: bool,
}

/// What the heartbeat tells (LOBBY.md §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    pub running_since: i64,
    pub printer: PrinterState,
    pub speech: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub heartbeat: Duration,
    /// How often an unanswered call's state is asked for.
    pub poll: Duration,
    /// After a failure, before trying the server again.
    pub retry: Duration,
    pub connect_timeout: Duration,
}

impl Default for Timing {
    fn default() -> Timing {
        Timing {
            heartbeat: Duration::from_secs(crate::lobby::HEARTBEAT_SECONDS as u64),
            poll: Duration::from_millis(300),
            retry: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(3),
        }
    }
}

/// Who this kiosk is at the desks.
#[derive(Debug, Clone)]
pub struct Identity {
    pub kiosk_id: u16,
    /// The name when the setup has given none (or without a data dir).
    pub name: String,
    /// The data dir whose setup name wins, read again for each message, so that a name
    /// changed at the staff screen reaches the desks without a restart.
    pub setup_dir: Option<std::path::PathBuf>,
    pub version: String,
    pub call_answer_seconds: u32,
}

impl Identity {
    /// This kiosk as the config and its data dir name it (the name given at the setup, else
    /// 「受付端末 N」, as on the staff screen).
    pub fn of(loaded: &crate::config::Loaded, data_dir: &std::path::Path) -> Identity {
        let k = &loaded.config.kiosk;
        Identity {
            kiosk_id: k.id,
            name: crate::kiosk::pin_files::default_name(k.id),
            setup_dir: Some(data_dir.to_path_buf()),
            version: format!(
                "{} ({})",
                env!("CARGO_PKG_VERSION"),
                env!("HATARAKITAI_COMMIT")
            ),
            call_answer_seconds: k.call_answer_seconds,
        }
    }

    /// The name the desks show now: the one given at the setup, else `name`.
    pub fn current_name(&self) -> String {
        self.setup_dir
            .as_deref()
            .and_then(|d| crate::kiosk::pin_files::StaffFiles::new(d).read_name())
            .unwrap_or_else(|| self.name.clone())
    }
}

enum Job {
    Call(CallRequest, Instant),
    Arrival(ArrivalInfo),
}

/// Is the server reachable, as last seen (the staff screen's status line), and what was
/// handed to the link and what it has finished with (sent, or dropped as too late).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LinkState {
    #[serde(skip)]
    pub problem: Option<String>,
    #[serde(skip)]
    pub accepted: u64,
    #[serde(skip)]
    pub finished: u64,
    pub calls_sent: u64,
    pub arrivals_sent: u64,
}

/// The queue's depth: a visitor's call, a slip, a call again… far more than a lobby makes
/// while a server is away; beyond it a call is refused (and the visitor told at once).
const QUEUE: usize = 32;

/// Shared by the backend (arrivals, printer state) and the adapter (calls).
#[derive(Clone)]
pub struct LobbyLink {
    tx: SyncSender<Job>,
    health: Arc<Mutex<Health>>,
    state: Arc<Mutex<LinkState>>,
    report: Arc<Report>,
}

impl LobbyLink {
    pub fn start(
        target: PgTarget,
        me: Identity,
        health: Health,
        timing: Timing,
        report: Report,
    ) -> Result<LobbyLink, String> {
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let health = Arc::new(Mutex::new(health));
        let state = Arc::new(Mutex::new(LinkState::default()));
        let report = Arc::new(report);
        let mut w = Worker {
            target,
            me,
            timing,
            client: None,
            next_try: Instant::now(),
            health: health.clone(),
            state: state.clone(),
            report: report.clone(),
            calls: Vec::new(),
            arrivals: Vec::new(),
            next_beat: Instant::now(),
        };
        std::thread::Builder::new()
            .name("lobby".into())
            .spawn(move || w.run(rx))
            .map_err(|e| format!("cannot start the lobby link ({e})"))?;
        Ok(LobbyLink {
            tx,
            health,
            state,
            report,
        })
    }

    /// Sends a call; never blocks. A full queue is reported as `Failed` at once.
    pub fn call(&self, r: CallRequest) {
        let seq = r.seq;
        match self.tx.try_send(Job::Call(r, Instant::now())) {
            Ok(()) => self.accepted(),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                (self.report)(seq, CallNews::Failed)
            }
        }
    }

    /// A slip printed: its holder joins the waiting list. Never blocks.
    pub fn arrival(&self, a: ArrivalInfo) {
        if self.tx.try_send(Job::Arrival(a)).is_ok() {
            self.accepted();
        }
    }

    fn accepted(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.accepted += 1;
        }
    }

    /// Waits (at most `limit`) until every call and arrival handed over is sent or dropped:
    /// for `simulate`, which ends right after its last visit. The kiosk never waits.
    pub fn wait_sent(&self, limit: Duration) -> bool {
        let until = Instant::now() + limit;
        loop {
            let s = self.state();
            if s.finished >= s.accepted {
                return true;
            }
            if Instant::now() >= until {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// For a print job's thread: reports the printer's state to the next heartbeat.
    pub fn printer_reporter(&self) -> Box<dyn FnOnce(PrinterState) + Send> {
        let health = self.health.clone();
        Box::new(move |p| {
            if let Ok(mut h) = health.lock() {
                h.printer = p;
            }
        })
    }

    pub fn state(&self) -> LinkState {
        self.state.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

struct PendingCall {
    req: CallRequest,
    token: String,
    deadline: Instant,
    sent: bool,
    told_failed: bool,
}

struct Worker {
    target: PgTarget,
    me: Identity,
    timing: Timing,
    client: Option<Client>,
    next_try: Instant,
    health: Arc<Mutex<Health>>,
    state: Arc<Mutex<LinkState>>,
    report: Arc<Report>,
    calls: Vec<PendingCall>,
    arrivals: Vec<ArrivalInfo>,
    next_beat: Instant,
}

fn err(what: &'static str) -> impl Fn(postgres::Error) -> String {
    move |e: postgres::Error| {
        let detail = e
            .as_db_error()
            .map(|d| d.message().to_string())
            .unwrap_or_else(|| e.to_string());
        format!(
            "{what} failed ({detail}): check the server, and give the kiosk's role its rights with assets/deploy/kiosk-role.sql"
        )
    }
}

fn token() -> Result<String, String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| format!("no random numbers ({e})"))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

impl Worker {
    fn run(&mut self, rx: Receiver<Job>) {
        loop {
            // The next heartbeat, or sooner while a call waits for its answer; never before
            // the next try when the server was not reached.
            let now = Instant::now();
            let mut due = self.next_beat;
            if !self.calls.is_empty() || !self.arrivals.is_empty() {
                due = due.min(now + self.timing.poll);
            }
            if self.client.is_none() {
                due = due.max(self.next_try);
            }
            let wait = due.saturating_duration_since(now);
            match rx.recv_timeout(wait) {
                Ok(job) => self.take(job),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            while let Ok(job) = rx.try_recv() {
                self.take(job);
            }
            self.work();
        }
    }

    fn take(&mut self, job: Job) {
        match job {
            Job::Call(req, at) => match token() {
                Ok(token) => self.calls.push(PendingCall {
                    deadline: at + Duration::from_secs(u64::from(self.me.call_answer_seconds)),
                    req,
                    token,
                    sent: false,
                    told_failed: false,
                }),
                Err(_) => {
                    (self.report)(req.seq, CallNews::Failed);
                    self.finish(1, 0, 0);
                }
            },
            Job::Arrival(a) => {
                if self.arrivals.len() >= QUEUE {
                    self.arrivals.remove(0);
                    self.finish(1, 0, 0);
                }
                self.arrivals.push(a);
            }
        }
    }

    fn work(&mut self) {
        let now = Instant::now();
        // Never late: a call past its time is dropped, sent or not.
        let before = self.calls.iter().filter(|c| !c.sent).count();
        self.calls.retain(|c| now < c.deadline);
        let dropped = before - self.calls.iter().filter(|c| !c.sent).count();
        self.finish(dropped, 0, 0);
        let unsent = self.calls.iter().any(|c| !c.sent) || !self.arrivals.is_empty();
        let beat = now >= self.next_beat;
        let polling = self.calls.iter().any(|c| c.sent);
        if !(unsent || beat || polling) {
            return;
        }
        if self.client.is_none() {
            if now < self.next_try {
                return;
            }
            match self
                .target
                .connect("hatarakitai-kiosk", self.timing.connect_timeout)
            {
                Ok(c) => self.client = Some(c),
                Err(e) => return self.failed(e),
            }
        }
        if let Err(e) = self.send_all(beat) {
            self.client = None;
            self.failed(e);
        } else if let Ok(mut s) = self.state.lock() {
            s.problem = None;
        }
    }

    fn finish(&self, dropped: usize, calls: usize, arrivals: usize) {
        if dropped + calls + arrivals == 0 {
            return;
        }
        if let Ok(mut s) = self.state.lock() {
            s.finished += (dropped + calls + arrivals) as u64;
            s.calls_sent += calls as u64;
            s.arrivals_sent += arrivals as u64;
        }
    }

    /// The server could not be reached: every call not yet sent is reported once (the
    /// visitor hears at once that staff could not be reached); all is tried again later.
    fn failed(&mut self, e: String) {
        self.next_try = Instant::now() + self.timing.retry;
        if self.next_beat <= Instant::now() {
            self.next_beat = Instant::now() + self.timing.heartbeat;
        }
        for c in self.calls.iter_mut().filter(|c| !c.sent && !c.told_failed) {
            c.told_failed = true;
            (self.report)(c.req.seq, CallNews::Failed);
        }
        if let Ok(mut s) = self.state.lock() {
            s.problem = Some(e);
        }
    }

    fn send_all(&mut self, beat: bool) -> Result<(), String> {
        let kiosk = i32::from(self.me.kiosk_id);
        let now = Instant::now();
        let (mut sent_calls, mut sent_arrivals) = (0, 0);
        let r = self.send(kiosk, now, &mut sent_calls, &mut sent_arrivals, beat);
        self.finish(0, sent_calls, sent_arrivals);
        r
    }

    fn send(
        &mut self,
        kiosk: i32,
        now: Instant,
        sent_calls: &mut usize,
        sent_arrivals: &mut usize,
        beat: bool,
    ) -> Result<(), String> {
        let Some(db) = self.client.as_mut() else {
            return Ok(());
        };
        let name = self.me.current_name();
        for c in self.calls.iter_mut().filter(|c| !c.sent) {
            let left = c.deadline.saturating_duration_since(now).as_secs().max(1);
            let left = i32::try_from(left).unwrap_or(i32::MAX);
            db.execute(
                "SELECT hatarakitai_lobby_call($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &c.token,
                    &kiosk,
                    &name,
                    &c.req.lang,
                    &c.req.speech,
                    &c.req.keys,
                    &left,
                ],
            )
            .map_err(err("sending the staff call"))?;
            c.sent = true;
            *sent_calls += 1;
        }
        while let Some(a) = self.arrivals.first() {
            db.execute(
                "SELECT hatarakitai_lobby_arrival($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &kiosk,
                    &i64::from(a.serial),
                    &a.receipt_no,
                    &name,
                    &a.lang,
                    &a.speech,
                    &a.keys,
                    &a.large_text,
                ],
            )
            .map_err(err("sending the arrival"))?;
            self.arrivals.remove(0);
            *sent_arrivals += 1;
        }
        let mut done = Vec::new();
        for (i, c) in self.calls.iter().enumerate().filter(|(_, c)| c.sent) {
            let row = db
                .query_opt(
                    "SELECT state, answered_name FROM hatarakitai_lobby_call_state($1)",
                    &[&c.token],
                )
                .map_err(err("asking for the call's answer"))?;
            let (state, name): (Option<String>, Option<String>) = match &row {
                Some(r) => (r.get(0), r.get(1)),
                None => (None, None),
            };
            match state.as_deref() {
                Some("answered") => {
                    (self.report)(c.req.seq, CallNews::Answered(name));
                    done.push(i);
                }
                Some("open") => {}
                // Expired, or gone (pruned): nothing more will come.
                _ => done.push(i),
            }
        }
        for i in done.into_iter().rev() {
            self.calls.remove(i);
        }
        if beat {
            let h = self.health.lock().map(|h| h.clone()).map_err(|_| {
                "the kiosk's health record is unusable (a thread panicked)".to_string()
            })?;
            db.execute(
                "SELECT hatarakitai_kiosk_health($1, $2, $3, $4, $5, $6)",
                &[
                    &kiosk,
                    &name,
                    &h.running_since,
                    &h.printer.id(),
                    &h.speech,
                    &self.me.version,
                ],
            )
            .map_err(err("sending the heartbeat"))?;
            self.next_beat = Instant::now() + self.timing.heartbeat;
        }
        Ok(())
    }
}

#[cfg(test)]
mod identity_tests {
    use super::Identity;
    use crate::kiosk::pin_files::StaffFiles;

    /// A name given (or changed) at the staff screen is what the next message carries.
    #[test]
    fn the_setup_name_is_read_for_each_message() {
        let dir = tempfile::tempdir().unwrap();
        let me = Identity {
            kiosk_id: 2,
            name: "受付端末 2".into(),
            setup_dir: Some(dir.path().to_path_buf()),
            version: "test".into(),
            call_answer_seconds: 60,
        };
        assert_eq!(me.current_name(), "受付端末 2");
        StaffFiles::new(dir.path())
            .write_name("2階 相談室前")
            .unwrap();
        assert_eq!(me.current_name(), "2階 相談室前");
        StaffFiles::new(dir.path())
            .write_name("1階 ロビー")
            .unwrap();
        assert_eq!(me.current_name(), "1階 ロビー");
    }
}
