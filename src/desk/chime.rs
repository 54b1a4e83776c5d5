//! The staff-call chime at the desks (LOBBY.md §1): the bundled WAV
//! (assets/sounds/chime.wav, two tones, 0.9 s, made with
//! `sox -n -r 22050 -c 1 -b 16 chime.wav synth 0.35 sine 880 fade q 0.01 0.35 0.25 : synth 0.55 sine 660 fade q 0.01 0.55 0.45 vol 0.6`)
//! at `[desk] chime_volume`, through the same player programs as the kiosk's speech
//! (`[access] players`: aplay, paplay, pw-cat). On its own thread; a PC without sound plays
//! nothing and the banner still shows.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use crate::speech::player::Players;

const WAV: &[u8] = include_bytes!("../../assets/sounds/chime.wav");

/// The chime's samples at `volume` (0.0–1.0) and its rate.
pub fn samples(volume: f32) -> Result<(Vec<i16>, u32), String> {
    let r = hound::WavReader::new(std::io::Cursor::new(WAV))
        .map_err(|e| format!("the bundled chime cannot be read: {e}"))?;
    let rate = r.spec().sample_rate;
    let v = volume.clamp(0.0, 1.0);
    let s = r
        .into_samples::<i16>()
        .map(|x| x.map(|x| (f32::from(x) * v) as i16))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("the bundled chime cannot be read: {e}"))?;
    Ok((s, rate))
}

/// Plays the chime once (returns at once; a chime already playing is not interrupted).
pub fn player(players: &[String], volume: f32) -> impl Fn() + Send + 'static {
    let players = Arc::new(Players::new(players));
    move || {
        if volume <= 0.0 {
            return;
        }
        let p = players.clone();
        let _ = std::thread::Builder::new()
            .name("chime".into())
            .spawn(move || {
                let Ok((s, rate)) = samples(volume) else {
                    return;
                };
                let generation = AtomicU64::new(0);
                if let Ok(mut playing) = p.start(rate, 0, &generation)
                    && playing.write(&s, &mut || {}).is_ok()
                {
                    let _ = playing.finish(&generation, 0);
                }
            });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bundled_chime_is_short_audible_and_scaled_by_the_volume() {
        let (full, rate) = super::samples(1.0).unwrap_or_else(|e| panic!("{e}"));
        let secs = full.len() as f32 / rate as f32;
        assert!((0.3..=1.5).contains(&secs), "{secs} s");
        let peak = |s: &[i16]| s.iter().map(|x| i32::from(*x).abs()).max().unwrap_or(0);
        assert!(peak(&full) > 8000, "audible");
        let (half, _) = super::samples(0.5).unwrap_or_else(|e| panic!("{e}"));
        assert!((peak(&half) - peak(&full) / 2).abs() < 200);
        let (none, _) = super::samples(0.0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(peak(&none), 0);
    }
}
