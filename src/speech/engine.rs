//! The speech engines, run as programs: Open JTalk (Japanese, with an HTS voice and the
//! naist-jdic dictionary) and eSpeak NG (English). Each sentence is one run with a timeout; a
//! run can be cancelled at once (the kiosk stops speaking when the screen changes).
//!
//! Open JTalk's trace (`-ot`) lists every word it analysed with its features; the reading
//! (読み, katakana) is the 9th comma-separated field (the 10th is the pronunciation, 発音).
//! That is the reading `speak` reports. Open JTalk reads only the first line of its input,
//! at most about 1 000 bytes, and fails on text without anything to pronounce: the text is
//! put on one line, long text is split at 。, and nothing is synthesised for bare symbols.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::lang::Lang;

/// The bundled HTS voice `mei` (CC BY 3.0, see assets/voice/LICENSE-mei.txt).
pub const MEI_VOICE: &[u8] = include_bytes!("../../assets/voice/mei_normal.htsvoice");
pub const VOICE_CREDIT: &str =
    "音声: HTS voice \"mei\" © Nagoya Institute of Technology (MMDAgent), CC BY 3.0";

/// Mono 16-bit samples.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pcm {
    pub rate: u32,
    pub samples: Vec<i16>,
}

impl Pcm {
    pub fn seconds(&self) -> f64 {
        if self.rate == 0 {
            return 0.0;
        }
        self.samples.len() as f64 / f64::from(self.rate)
    }
}

/// One sentence, synthesised.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Synth {
    pub pcm: Pcm,
    /// Katakana reading (Japanese) or phonemes (English) the engine used.
    pub reading: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpeechError {
    /// Something is not installed; the message names it and how to install it.
    Missing(String),
    /// The engine failed or took too long for this sentence.
    Failed(String),
    /// Stopped on purpose (a newer request came).
    Cancelled,
}

impl std::fmt::Display for SpeechError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpeechError::Missing(m) | SpeechError::Failed(m) => f.write_str(m),
            SpeechError::Cancelled => f.write_str("stopped"),
        }
    }
}

/// Where the engines are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engines {
    pub open_jtalk: String,
    pub dictionary: PathBuf,
    /// The HTS voice file (the bundled one is written to the data dir).
    pub voice: PathBuf,
    pub espeak: String,
    pub timeout: Duration,
    /// Scratch files for one run.
    pub work_dir: PathBuf,
}

/// The program `name` on PATH (or the path itself when it has a slash).
pub fn find_program(name: &str) -> Option<PathBuf> {
    if name.contains('/') {
        let p = PathBuf::from(name);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Writes the bundled voice into `dir` (once; rewritten if the file is not the same size).
pub fn install_bundled_voice(dir: &Path) -> std::io::Result<PathBuf> {
    let p = dir.join("mei_normal.htsvoice");
    let same = std::fs::metadata(&p).is_ok_and(|m| m.len() == MEI_VOICE.len() as u64);
    if !same {
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".mei.{}.tmp", std::process::id()));
        std::fs::write(&tmp, MEI_VOICE)?;
        std::fs::rename(&tmp, &p)?;
    }
    Ok(p)
}

const INSTALL: &str =
    "install it with: apt-get install open-jtalk open-jtalk-mecab-naist-jdic espeak-ng alsa-utils";

impl Engines {
    /// What is missing for `lang`, if anything (one message naming each part).
    pub fn check(&self, lang: Lang) -> Result<(), SpeechError> {
        let mut missing = Vec::new();
        if lang == Lang::En {
            if find_program(&self.espeak).is_none() {
                missing.push(format!("the English speech engine `{}`", self.espeak));
            }
        } else {
            if find_program(&self.open_jtalk).is_none() {
                missing.push(format!("the Japanese speech engine `{}`", self.open_jtalk));
            }
            if !self.dictionary.join("sys.dic").is_file() {
                missing.push(format!(
                    "the Open JTalk dictionary ({})",
                    self.dictionary.display()
                ));
            }
            if !self.voice.is_file() {
                missing.push(format!("the HTS voice ({})", self.voice.display()));
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(SpeechError::Missing(format!(
                "speech is not available: missing {}; {INSTALL}",
                missing.join(", ")
            )))
        }
    }

    /// Synthesises one sentence. `cancel` is polled: when it no longer equals `generation`
    /// the engine is killed and `Cancelled` returned.
    pub fn synth(
        &self,
        lang: Lang,
        say: &str,
        slow: bool,
        cancel: &AtomicU64,
        generation: u64,
    ) -> Result<Synth, SpeechError> {
        self.check(lang)?;
        std::fs::create_dir_all(&self.work_dir)
            .map_err(|e| SpeechError::Failed(format!("speech work folder: {e}")))?;
        static RUN: AtomicU64 = AtomicU64::new(0);
        let n = RUN.fetch_add(1, Ordering::Relaxed);
        let stem = self
            .work_dir
            .join(format!("say-{}-{n}", std::process::id()));
        let wav = stem.with_extension("wav");
        let trace = stem.with_extension("trace");
        let input = stem.with_extension("txt");
        let result = self.run(lang, say, slow, &input, &wav, &trace, cancel, generation);
        for p in [&wav, &trace, &input] {
            let _ = std::fs::remove_file(p);
        }
        result
    }

    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        lang: Lang,
        say: &str,
        slow: bool,
        input: &Path,
        wav: &Path,
        trace: &Path,
        cancel: &AtomicU64,
        generation: u64,
    ) -> Result<Synth, SpeechError> {
        let text = clean(say);
        if !text.chars().any(char::is_alphanumeric) {
            return Ok(Synth::default());
        }
        if lang != Lang::En && text.len() > MAX_LINE_BYTES {
            let mut all = Synth::default();
            for piece in split_long(&text) {
                let part = self.run(lang, &piece, slow, input, wav, trace, cancel, generation)?;
                all.pcm.rate = part.pcm.rate;
                all.pcm.samples.extend(part.pcm.samples);
                all.reading.push_str(&part.reading);
            }
            return Ok(all);
        }
        let mut cmd;
        if lang == Lang::En {
            cmd = Command::new(&self.espeak);
            // 175 words a minute is eSpeak's own rate; slow is ×0.8.
            let wpm = if slow { "140" } else { "175" };
            cmd.args(["-v", "en-us", "-s", wpm, "--ipa", "-w"])
                .arg(wav)
                .arg("--")
                .arg(&text);
        } else {
            std::fs::write(input, format!("{text}\n"))
                .map_err(|e| SpeechError::Failed(format!("speech work file: {e}")))?;
            cmd = Command::new(&self.open_jtalk);
            cmd.arg("-x")
                .arg(&self.dictionary)
                .arg("-m")
                .arg(&self.voice)
                .args(["-r", if slow { "0.8" } else { "1.0" }])
                .arg("-ow")
                .arg(wav)
                .arg("-ot")
                .arg(trace)
                .arg(input);
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| SpeechError::Failed(format!("could not start the speech engine: {e}")))?;
        let stdout = wait(child, self.timeout, cancel, generation)?;
        let pcm = read_wav(wav)?;
        let reading = if lang == Lang::En {
            stdout.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            std::fs::read_to_string(trace)
                .map(|t| reading_from_trace(&t))
                .unwrap_or_default()
        };
        Ok(Synth { pcm, reading })
    }
}

/// Open JTalk reads one line of at most ~1 000 bytes.
const MAX_LINE_BYTES: usize = 900;

/// Pieces of at most `MAX_LINE_BYTES`, cut after 。 (or anywhere, for one very long sentence).
fn split_long(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        cur.push(c);
        if (c == '。' && cur.len() > MAX_LINE_BYTES / 2) || cur.len() >= MAX_LINE_BYTES {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

/// Text an engine can read: no control characters, Japanese brackets as pauses.
fn clean(say: &str) -> String {
    say.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace(['「', '」', '『', '』'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Waits for `child` with a timeout, killing it on timeout or cancel; returns its stdout.
fn wait(
    mut child: Child,
    timeout: Duration,
    cancel: &AtomicU64,
    generation: u64,
) -> Result<String, SpeechError> {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let mut out = String::new();
                if let Some(mut s) = child.stdout.take() {
                    let _ = s.read_to_string(&mut out);
                }
                if !status.success() {
                    return Err(SpeechError::Failed(format!(
                        "the speech engine failed ({status})"
                    )));
                }
                return Ok(out);
            }
            Ok(None) => {}
            Err(e) => return Err(SpeechError::Failed(format!("speech engine: {e}"))),
        }
        if cancel.load(Ordering::SeqCst) != generation {
            let _ = child.kill();
            let _ = child.wait();
            return Err(SpeechError::Cancelled);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(SpeechError::Failed(format!(
                "the speech engine took more than {} ms for one sentence and was stopped",
                timeout.as_millis()
            )));
        }
        std::thread::sleep(Duration::from_millis(3));
    }
}

fn read_wav(p: &Path) -> Result<Pcm, SpeechError> {
    let mut r = hound::WavReader::open(p)
        .map_err(|e| SpeechError::Failed(format!("the speech engine wrote no sound: {e}")))?;
    let spec = r.spec();
    if spec.bits_per_sample != 16 || spec.sample_format != hound::SampleFormat::Int {
        return Err(SpeechError::Failed(format!(
            "the speech engine wrote {}-bit sound; 16-bit expected",
            spec.bits_per_sample
        )));
    }
    let ch = usize::from(spec.channels.max(1));
    let all: Vec<i16> = r.samples::<i16>().filter_map(Result::ok).collect();
    let samples = if ch == 1 {
        all
    } else {
        all.chunks(ch).map(|c| c[0]).collect()
    };
    Ok(Pcm {
        rate: spec.sample_rate,
        samples,
    })
}

/// The katakana reading of every word in an Open JTalk trace (field 9 of each feature line
/// after "[Text analysis result]", up to the first empty line), symbols left out, joined.
pub fn reading_from_trace(trace: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in trace.lines() {
        let l = line.trim();
        if l.starts_with("[Text analysis result]") {
            inside = true;
            continue;
        }
        if !inside {
            continue;
        }
        if l.is_empty() || l.starts_with('[') {
            break;
        }
        let fields: Vec<&str> = l.split(',').collect();
        if let Some(r) = fields.get(8)
            && *r != "*"
            && !r.is_empty()
            && fields.get(1) != Some(&"記号")
        {
            out.push_str(r);
        }
    }
    out
}

/// Writes `pcm` as a 16-bit PCM WAV.
pub fn write_wav(path: &Path, pcm: &Pcm) -> Result<(), String> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: pcm.rate.max(1),
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec)
        .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    for s in &pcm.samples {
        w.write_sample(*s)
            .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    }
    w.finalize()
        .map_err(|e| format!("{}: cannot write: {e}", path.display()))
}

/// Hiragana → katakana (to compare the content's furigana with the engine's reading).
pub fn to_katakana(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ぁ'..='ゖ' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_come_from_the_trace_feature_lines() {
        // As Open JTalk 1.11 writes it (reading = field 9, pronunciation = field 10).
        let t = "[Text analysis result]\n受付,名詞,サ変接続,*,*,*,*,受付,ウケツケ,ウケツ’ケ,4/4,C2,0\n票,名詞,接尾,一般,*,*,*,票,ヒョウ,ヒョー,0/2,C3,1\nは,助詞,係助詞,*,*,*,*,は,ハ,ワ,0/1,*,1\n。,記号,句点,*,*,*,*,。,、,、,0/0,*,0\n\n[Output label]\nxx\n";
        assert_eq!(reading_from_trace(t), "ウケツケヒョウハ");
    }

    #[test]
    fn katakana_and_clean_text() {
        assert_eq!(to_katakana("はたらく ゔ"), "ハタラク ヴ");
        assert_eq!(clean("「はじめる」\nを\u{7}"), "はじめる を");
        let long = "あいうえお。".repeat(200);
        let parts = split_long(&long);
        assert!(parts.len() > 1 && parts.iter().all(|p| p.len() <= MAX_LINE_BYTES));
        assert_eq!(parts.concat(), long);
    }
}
