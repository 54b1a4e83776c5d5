//! Speech output for the kiosk (ACCESS.md §3): a worker thread turns scripts into sound with
//! the engines (`engine`) and plays it through a player program (`player`). The UI thread
//! only sends requests and never waits: `speak` replaces whatever is being said, `stop`
//! silences it at once (the player and any running engine are killed).
//!
//! Sentences are cached by (language, rate, text), and `prepare` fills the cache in the
//! background with everything the kiosk can say before a visitor needs it, so a new screen
//! starts sounding well within 300 ms.

pub mod engine;
pub mod player;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::lang::Lang;
use engine::{Engines, Pcm, SpeechError, Synth};
use player::Players;

/// One request: sentences in one language, spoken in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub lang: Lang,
    /// What the engine is given for each sentence.
    pub says: Vec<String>,
    pub slow: bool,
    /// 1..=5.
    pub volume: u8,
}

/// What the staff screen shows about speech.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Status {
    /// None = working (or not used yet); Some = what is wrong and how to fix it.
    pub problem: Option<String>,
    /// Time from the last request to its first sample written to the player, in µs.
    pub last_latency_us: Option<u64>,
    pub sentences_cached: usize,
}

enum Cmd {
    Speak(u64, Request, Instant),
    Prepare(Vec<(Lang, String)>),
}

/// The kiosk's voice. Cheap to clone; dropping the last clone ends the worker.
#[derive(Clone)]
pub struct Speaker {
    tx: Sender<Cmd>,
    generation: Arc<AtomicU64>,
    players: Arc<Players>,
    status: Arc<Mutex<Status>>,
    available: bool,
}

impl Speaker {
    /// Starts the worker. `available` is false when an engine or the voice is missing (the
    /// reason is in `status()`); the speaker then says nothing.
    pub fn start(engines: Engines, players: Players) -> Speaker {
        let (tx, rx) = channel();
        let generation = Arc::new(AtomicU64::new(0));
        let status = Arc::new(Mutex::new(Status::default()));
        let players = Arc::new(players);
        let problem = engines
            .check(Lang::Ja)
            .and_then(|()| engines.check(Lang::En))
            .err()
            .map(|e| e.to_string())
            .or_else(|| players.problem());
        let available = engines.check(Lang::Ja).is_ok() || engines.check(Lang::En).is_ok();
        if let Ok(mut s) = status.lock() {
            s.problem = problem;
        }
        let w = Worker {
            engines,
            players: players.clone(),
            generation: generation.clone(),
            status: status.clone(),
            cache: HashMap::new(),
            prepare: Vec::new(),
        };
        // A speaker that cannot start its thread stays silent; the kiosk works as before.
        let spawned = std::thread::Builder::new()
            .name("speech".into())
            .spawn(move || w.run(rx));
        let available = available && spawned.is_ok();
        if spawned.is_err()
            && let Ok(mut s) = status.lock()
        {
            s.problem = Some("speech could not start a thread".into());
        }
        Speaker {
            tx,
            generation,
            players,
            status,
            available,
        }
    }

    pub fn available(&self) -> bool {
        self.available
    }

    /// Says `req`, cutting off anything still being said.
    pub fn speak(&self, req: Request) {
        let g = self.bump();
        if let Ok(mut st) = self.status.lock() {
            st.last_latency_us = None;
        }
        let _ = self.tx.send(Cmd::Speak(g, req, Instant::now()));
    }

    /// Silence at once: the player is killed here, on the caller's thread.
    pub fn stop(&self) {
        self.bump();
    }

    fn bump(&self) -> u64 {
        let g = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.players.kill();
        g
    }

    /// Synthesises these sentences into the cache when there is nothing else to do.
    pub fn prepare(&self, items: Vec<(Lang, String)>) {
        let _ = self.tx.send(Cmd::Prepare(items));
    }

    pub fn status(&self) -> Status {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

struct Worker {
    engines: Engines,
    players: Arc<Players>,
    generation: Arc<AtomicU64>,
    status: Arc<Mutex<Status>>,
    cache: HashMap<(Lang, bool, String), Arc<Synth>>,
    prepare: Vec<(Lang, String)>,
}

/// Enough for every sentence the kiosk has, in three languages and two rates.
const CACHE_MAX: usize = 4000;

impl Worker {
    fn run(mut self, rx: Receiver<Cmd>) {
        loop {
            let cmd = if self.prepare.is_empty() {
                match rx.recv() {
                    Ok(c) => c,
                    Err(_) => return,
                }
            } else {
                match rx.try_recv() {
                    Ok(c) => c,
                    Err(TryRecvError::Empty) => {
                        self.prepare_one();
                        continue;
                    }
                    Err(TryRecvError::Disconnected) => return,
                }
            };
            match cmd {
                Cmd::Prepare(items) => {
                    // Reversed so `pop` keeps the given order.
                    self.prepare.extend(items.into_iter().rev());
                }
                Cmd::Speak(g, req, at) => self.say(g, &req, at),
            }
        }
    }

    fn prepare_one(&mut self) {
        let Some((lang, say)) = self.prepare.pop() else {
            return;
        };
        let g = self.generation.load(Ordering::SeqCst);
        let _ = self.synth(lang, &say, false, g);
    }

    fn synth(
        &mut self,
        lang: Lang,
        say: &str,
        slow: bool,
        g: u64,
    ) -> Result<Arc<Synth>, SpeechError> {
        let key = (lang, slow, say.to_string());
        if let Some(s) = self.cache.get(&key) {
            return Ok(s.clone());
        }
        let s = Arc::new(self.engines.synth(lang, say, slow, &self.generation, g)?);
        if self.cache.len() >= CACHE_MAX {
            self.cache.clear();
        }
        self.cache.insert(key, s.clone());
        if let Ok(mut st) = self.status.lock() {
            st.sentences_cached = self.cache.len();
        }
        Ok(s)
    }

    fn say(&mut self, g: u64, req: &Request, at: Instant) {
        let mut first = true;
        let mut out: Option<player::Playing> = None;
        for say in &req.says {
            if self.generation.load(Ordering::SeqCst) != g {
                return;
            }
            let synth = match self.synth(req.lang, say, req.slow, g) {
                Ok(s) => s,
                Err(SpeechError::Cancelled) => return,
                Err(e) => {
                    // One sentence the engine cannot read is skipped, not the whole screen.
                    self.report(Some(e.to_string()));
                    continue;
                }
            };
            if synth.pcm.samples.is_empty() {
                continue;
            }
            if out.is_none() {
                match self.players.start(synth.pcm.rate, g, &self.generation) {
                    Ok(p) => out = Some(p),
                    Err(e) => {
                        self.report(Some(e));
                        return;
                    }
                }
            }
            let Some(p) = out.as_mut() else { return };
            let pcm = scaled(&synth.pcm, req.volume);
            let status = &self.status;
            let mut on_first = || {
                if first {
                    first = false;
                    let us = u64::try_from(at.elapsed().as_micros()).unwrap_or(u64::MAX);
                    if let Ok(mut st) = status.lock() {
                        st.last_latency_us = Some(us);
                    }
                }
            };
            if p.write(&pcm, &mut on_first).is_err() {
                // Killed by a stop, or the player gave up (no sound device): say which.
                if let Some(p) = out.take()
                    && let Err(e) = p.finish(&self.generation, g)
                {
                    self.report(Some(e));
                }
                return;
            }
        }
        if let Some(p) = out {
            match p.finish(&self.generation, g) {
                Ok(()) => self.report(None),
                Err(e) => self.report(Some(e)),
            }
        }
    }

    fn report(&self, problem: Option<String>) {
        if let Ok(mut st) = self.status.lock() {
            st.problem = problem;
        }
    }
}

/// Volume steps: 3 is the engine's own level; each step is about 4 dB.
fn scaled(pcm: &Pcm, volume: u8) -> Vec<i16> {
    let gain = 10f32.powf((f32::from(volume.clamp(1, 5)) - 3.0) * 4.0 / 20.0);
    pcm.samples
        .iter()
        .map(|&s| (f32::from(s) * gain).clamp(-32768.0, 32767.0) as i16)
        .collect()
}

/// Many sentences as one sound (for `hatarakitai speak`): a short pause between them.
pub fn join(parts: &[Synth]) -> Pcm {
    let rate = parts
        .iter()
        .map(|p| p.pcm.rate)
        .find(|&r| r > 0)
        .unwrap_or(48000);
    let pause = vec![0i16; (rate / 4) as usize];
    let mut samples = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            samples.extend_from_slice(&pause);
        }
        samples.extend_from_slice(&p.pcm.samples);
    }
    Pcm { rate, samples }
}

/// The engines and players named in `[access]`, with the bundled voice written into the
/// data dir when no other voice is configured.
pub fn from_config(
    access: &crate::config::AccessConfig,
    data_dir: &std::path::Path,
) -> (Engines, Players) {
    let voice = if access.voice.as_os_str().is_empty() {
        let dir = data_dir.join("voice");
        // A data dir that cannot be written leaves the voice missing; `check` then says so.
        engine::install_bundled_voice(&dir).unwrap_or_else(|_| dir.join("mei_normal.htsvoice"))
    } else {
        access.voice.clone()
    };
    let engines = Engines {
        open_jtalk: access.open_jtalk.clone(),
        dictionary: access.dictionary.clone(),
        voice,
        espeak: access.espeak.clone(),
        timeout: std::time::Duration::from_millis(access.engine_timeout_ms),
        work_dir: std::env::temp_dir().join(format!("hatarakitai-speech-{}", std::process::id())),
    };
    (engines, Players::new(&access.players))
}
