//! Plays 16-bit mono PCM through a player program reading standard input (`aplay` for ALSA,
//! `paplay` for PulseAudio, `pw-cat` for PipeWire): whatever the system has, no audio
//! library linked in. Stopping kills the player, which silences it at once.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The configured player commands (`{rate}` = sample rate); the first installed one is used.
pub struct Players {
    commands: Vec<Vec<String>>,
    current: Arc<Mutex<Option<Child>>>,
}

/// Samples written per chunk: small, so a stop or a new request is never stuck behind a
/// full pipe for long, and the first sound leaves quickly.
const CHUNK: usize = 2048;

impl Players {
    pub fn new(commands: &[String]) -> Players {
        Players {
            commands: commands
                .iter()
                .map(|c| c.split_whitespace().map(str::to_string).collect::<Vec<_>>())
                .filter(|c| !c.is_empty())
                .collect(),
            current: Arc::new(Mutex::new(None)),
        }
    }

    fn pick(&self) -> Option<&Vec<String>> {
        self.commands
            .iter()
            .find(|c| super::engine::find_program(&c[0]).is_some())
    }

    /// What is missing, if no player is installed.
    pub fn problem(&self) -> Option<String> {
        if self.pick().is_some() {
            return None;
        }
        let names: Vec<&str> = self.commands.iter().map(|c| c[0].as_str()).collect();
        Some(format!(
            "no sound player found (tried {}): install it with: apt-get install alsa-utils",
            names.join(", ")
        ))
    }

    /// Kills the running player, if any (any thread).
    pub fn kill(&self) {
        if let Ok(mut cur) = self.current.lock()
            && let Some(mut c) = cur.take()
        {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the player for one request.
    pub fn start(&self, rate: u32, g: u64, generation: &AtomicU64) -> Result<Playing, String> {
        let Some(cmd) = self.pick() else {
            return Err(self.problem().unwrap_or_default());
        };
        let args: Vec<String> = cmd[1..]
            .iter()
            .map(|a| a.replace("{rate}", &rate.to_string()))
            .collect();
        let mut child = Command::new(&cmd[0])
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start the sound player `{}`: {e}", cmd[0]))?;
        let stdin = child.stdin.take();
        let Ok(mut cur) = self.current.lock() else {
            let _ = child.kill();
            return Err("sound player lock".into());
        };
        if generation.load(Ordering::SeqCst) != g {
            let _ = child.kill();
            let _ = child.wait();
            return Err("stopped".into());
        }
        *cur = Some(child);
        Ok(Playing {
            stdin,
            rate,
            name: cmd[0].clone(),
            current: self.current.clone(),
        })
    }
}

/// A player that is running for one request.
pub struct Playing {
    stdin: Option<ChildStdin>,
    rate: u32,
    name: String,
    current: Arc<Mutex<Option<Child>>>,
}

impl Playing {
    /// Writes samples, then a short pause; calls `first` once the first chunk is out.
    /// Fails when the player was killed (a stop) or has gone.
    pub fn write(&mut self, samples: &[i16], first: &mut dyn FnMut()) -> std::io::Result<()> {
        let Some(w) = self.stdin.as_mut() else {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        };
        let pause = vec![0i16; (self.rate / 5) as usize];
        for chunk in samples.chunks(CHUNK).chain(std::iter::once(&pause[..])) {
            let bytes: Vec<u8> = chunk.iter().flat_map(|s| s.to_le_bytes()).collect();
            w.write_all(&bytes)?;
            first();
        }
        Ok(())
    }

    /// Closes the input and waits for the sound to end (or a stop). A player that failed
    /// (no sound device) gives its message.
    pub fn finish(mut self, generation: &AtomicU64, g: u64) -> Result<(), String> {
        drop(self.stdin.take());
        loop {
            if generation.load(Ordering::SeqCst) != g {
                return Ok(());
            }
            let Ok(mut cur) = self.current.lock() else {
                return Ok(());
            };
            let Some(child) = cur.as_mut() else {
                return Ok(());
            };
            match child.try_wait() {
                Ok(Some(status)) => {
                    let mut err = String::new();
                    if let Some(mut e) = child.stderr.take() {
                        let _ = e.read_to_string(&mut err);
                    }
                    *cur = None;
                    if status.success() {
                        return Ok(());
                    }
                    let first = err.lines().next().unwrap_or("").trim().to_string();
                    return Err(format!(
                        "the sound player `{}` failed ({status}): {first} — check that a sound device or headphones are connected",
                        self.name
                    ));
                }
                Ok(None) => {}
                Err(_) => return Ok(()),
            }
            drop(cur);
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
