//! Screen change → first audio sample (ACCESS.md §5, ≤ 300 ms): `Speaker::speak` on the UI
//! thread until the first chunk of PCM is written to the player. Sentences the kiosk prepared
//! at start come from the cache; a sentence it never said needs one engine run first.
//! Needs the speech packages (Open JTalk, eSpeak NG); without them it says so and measures
//! nothing.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use hatarakitai::config::AccessConfig;
use hatarakitai::lang::Lang;
use hatarakitai::speech::player::Players;
use hatarakitai::speech::{Request, Speaker};

fn wait_first_sample(sp: &Speaker) -> Duration {
    let t = Instant::now();
    loop {
        if let Some(us) = sp.status().last_latency_us {
            return Duration::from_micros(us);
        }
        if t.elapsed() > Duration::from_secs(10) {
            panic!("no sound after 10 s: {:?}", sp.status().problem);
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn speech(cr: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("hatarakitai-bench-speech-{}", std::process::id()));
    let (engines, _) = hatarakitai::speech::from_config(&AccessConfig::default(), &dir);
    if let Err(e) = engines.check(Lang::Ja).and(engines.check(Lang::En)) {
        println!("speech benchmark not run: {e}");
        return;
    }
    // A player that takes the sound as fast as it comes (the timing ends at the first write).
    let sp = Speaker::start(
        engines,
        Players::new(&["dd of=/dev/null status=none bs=65536".into()]),
    );
    let question = "いまの気持ちに いちばん近いものは どれですか？".to_string();
    sp.prepare(vec![
        (Lang::Ja, question.clone()),
        (Lang::En, "Which is closest to how you feel now?".into()),
    ]);
    std::thread::sleep(Duration::from_secs(2));
    for (name, lang, say) in [
        (
            "screen_change_to_first_sample_prepared_ja",
            Lang::Ja,
            question.clone(),
        ),
        (
            "screen_change_to_first_sample_prepared_en",
            Lang::En,
            "Which is closest to how you feel now?".to_string(),
        ),
    ] {
        cr.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    sp.speak(Request {
                        lang,
                        says: vec![say.clone()],
                        slow: false,
                        volume: 3,
                    });
                    total += wait_first_sample(&sp);
                }
                total
            })
        });
    }
    // Sentences never said before (a results screen's reasons in an edited content): one
    // engine run each before the first sample. Measured over fresh sentences.
    let mut group = cr.benchmark_group("speech_uncached");
    group.sample_size(10);
    let mut n = 0u32;
    group.bench_function("screen_change_to_first_sample_new_sentence_ja", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                n += 1;
                let say = format!("週{n}日 通えるので、まずは 相談から はじめましょう。");
                sp.speak(Request {
                    lang: Lang::Ja,
                    says: vec![say],
                    slow: false,
                    volume: 3,
                });
                total += wait_first_sample(&sp);
            }
            total
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, speech);
criterion_main!(benches);
