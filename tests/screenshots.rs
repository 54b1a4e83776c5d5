//! Headless rendering (one Slint platform per process, so one test): the output is
//! deterministic, and the print-failure QR can be read back from the screen image.

use hatarakitai::config::Loaded;
use hatarakitai::kiosk::run::prepare;
use hatarakitai::lang::Lang;
use hatarakitai::screenshots::kiosk::{SAMPLE_PAYLOAD, Shooter, Shot};

fn decode_qr(rgb: &[u8], w: u32, h: u32) -> Vec<String> {
    let grey: Vec<u8> = rgb
        .chunks(3)
        .map(|p| ((u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2])) / 3) as u8)
        .collect();
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
        grey[y * w as usize + x]
    });
    img.detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, s)| s))
        .collect()
}

#[test]
fn renders_deterministically_and_the_fallback_qr_scans() {
    let loaded = Loaded::load(None).unwrap_or_else(|e| panic!("{e}"));
    let content = loaded.content().unwrap_or_else(|e| panic!("{e}"));
    let prepared = prepare(&loaded, content).unwrap_or_else(|e| panic!("{e}"));
    let mut shooter = Shooter::new(prepared).unwrap_or_else(|e| panic!("{e}"));

    shooter.set_state(Shot::Results, Lang::JaEasy, true);
    let a = shooter.render(1280, 800);
    shooter.set_state(Shot::Results, Lang::JaEasy, true);
    let b = shooter.render(1280, 800);
    assert!(a == b, "the same state renders the same pixels");

    for (w, h) in [(1280, 800), (1080, 1920)] {
        shooter.set_state(Shot::PrintFailed, Lang::Ja, false);
        let rgb = shooter.render(w, h);
        let found = decode_qr(&rgb, w, h);
        assert!(
            found.iter().any(|s| s == SAMPLE_PAYLOAD),
            "QR at {w}x{h}: {found:?}"
        );
    }
}
