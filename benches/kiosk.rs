//! Tap → next screen: the work one tap causes before Slint draws (PRODUCT.md §11: ≤ 16 ms).
//! Controller transition + building the view + mapping it to the Slint models.

use std::hint::black_box;
use std::rc::Rc;

use criterion::{Criterion, criterion_group, criterion_main};
use hatarakitai::content::Content;
use hatarakitai::kiosk::adapter::{map_question, map_results};
use hatarakitai::kiosk::backend::MemoryBackend;
use hatarakitai::kiosk::controller::{Controller, KioskSettings};
use hatarakitai::kiosk::ui_texts::UiTexts;
use hatarakitai::lang::Lang;

fn controller(lang: Lang) -> (Controller, u64) {
    let content = Rc::new(Content::embedded().unwrap_or_else(|e| panic!("{e}")));
    let texts = Rc::new(UiTexts::embedded().unwrap_or_else(|e| panic!("{e:?}")));
    let mut c = Controller::new(
        content,
        texts,
        KioskSettings::default(),
        Box::new(MemoryBackend::default()),
    );
    let mut now = 1_000;
    c.set_lang(now, lang);
    now += 1_000;
    c.start(now);
    now += 1_000;
    c.consent_accept(now);
    (c, now)
}

fn taps(cr: &mut Criterion) {
    for lang in [Lang::Ja, Lang::JaEasy] {
        let (mut c, mut now) = controller(lang);
        cr.bench_function(&format!("tap_answer_to_next_question_{lang}"), |b| {
            b.iter(|| {
                // Answer question 1 → question 2 shown, then もどる → question 1 again.
                now += 1_000;
                c.answer(now, 0, 1);
                let v = c.view();
                black_box(map_question(v.question.as_ref()));
                now += 1_000;
                c.back(now, 1);
                black_box(map_question(c.view().question.as_ref()));
            })
        });

        let (mut c, mut now) = controller(lang);
        for q in 0..7 {
            now += 1_000;
            c.answer(now, q, 1);
        }
        cr.bench_function(&format!("tap_last_answer_to_results_{lang}"), |b| {
            b.iter(|| {
                // The heaviest tap: the matcher runs and three route cards are built.
                now += 1_000;
                c.answer(now, 7, 0);
                let v = c.view();
                black_box(map_results(v.results.as_ref()));
                now += 1_000;
                c.results_back(now);
            })
        });
    }
}

/// The same tap including Slint's layout and a full software-rendered 1920×1080 frame (the
/// real window repaints only what changed, so this is the worst case).
fn tap_to_frame(cr: &mut Criterion) {
    use hatarakitai::config::Loaded;
    use hatarakitai::kiosk::run::prepare;
    use hatarakitai::screenshots::kiosk::{Shooter, Shot};
    let loaded = Loaded::load(None).unwrap_or_else(|e| panic!("{e}"));
    let content = loaded.content().unwrap_or_else(|e| panic!("{e}"));
    let prepared = prepare(&loaded, content).unwrap_or_else(|e| panic!("{e}"));
    let mut shooter = Shooter::new(prepared).unwrap_or_else(|e| panic!("{e}"));
    for lang in [Lang::Ja, Lang::JaEasy] {
        shooter.set_state(Shot::Question(0), lang, false);
        shooter.render(1920, 1080);
        cr.bench_function(&format!("tap_to_rendered_frame_1920x1080_{lang}"), |b| {
            b.iter(|| {
                shooter.act(|c, n| c.answer(n, 0, 1));
                black_box(shooter.render(1920, 1080));
                shooter.act(|c, n| c.back(n, 1));
                black_box(shooter.render(1920, 1080));
            })
        });
    }

    // Key press → focus moved and repainted (ACCESS.md §5): Tab / Shift+Tab delivered to the
    // window as a keyboard would, the adapter moving Slint's focus, and a full software frame
    // (one process has one Slint platform, so this shares the window above).
    use slint::ComponentHandle;
    use slint::platform::WindowEvent;
    shooter.set_state(Shot::KeysQuestion, Lang::Ja, false);
    shooter.render(1920, 1080);
    let press = |s: &Shooter, text: &str| {
        let w = s.app().window();
        w.dispatch_event(WindowEvent::KeyPressed { text: text.into() });
        w.dispatch_event(WindowEvent::KeyReleased { text: text.into() });
    };
    cr.bench_function("key_to_focus_repainted_1920x1080", |b| {
        b.iter(|| {
            press(&shooter, "\t");
            black_box(shooter.render(1920, 1080));
            press(&shooter, "\u{19}");
            black_box(shooter.render(1920, 1080));
        })
    });
}

criterion_group!(benches, taps, tap_to_frame);
criterion_main!(benches);
