//! `hatarakitai screenshots --out DIR`: every kiosk and desk screen rendered headless with
//! Slint's software renderer into PNG files — a room both sides use, above them: `kiosk`
//! drives the kiosk's controller to each screen, `desk` fills the desk from a throwaway store,
//! and both write through `write_png` / `render_window` here. No display and no real clock,
//! so the output is deterministic; Slint allows one platform per process, so everything
//! renders in one run on one software window.

use std::path::{Path, PathBuf};

use slint::platform::software_renderer::MinimalSoftwareWindow;
use slint::{PhysicalSize, Rgb8Pixel};

use crate::kiosk::run::Prepared;

pub mod desk;
pub mod kiosk;

/// Renders everything into `out`; returns the files written.
pub fn render_all(
    prepared: Prepared,
    out: &Path,
    only: Option<&str>,
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let (mut written, window) = kiosk::render_all(prepared, out, only)?;
    written.extend(desk::render_all(&window, out, only)?);
    Ok(written)
}

pub fn write_png(path: &Path, w: u32, h: u32, rgb: &[u8]) -> Result<(), String> {
    let file =
        std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc
        .write_header()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    writer
        .write_image_data(rgb)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    writer
        .finish()
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Renders whatever the software window shows at `w`×`h` into RGB bytes.
pub fn render_window(window: &MinimalSoftwareWindow, w: u32, h: u32) -> Vec<u8> {
    window.set_size(PhysicalSize::new(w, h));
    slint::platform::update_timers_and_animations();
    window.request_redraw();
    let mut buf = vec![Rgb8Pixel::default(); (w * h) as usize];
    window.draw_if_needed(|r| {
        r.render(&mut buf, w as usize);
    });
    let mut rgb = Vec::with_capacity(buf.len() * 3);
    for p in &buf {
        rgb.extend_from_slice(&[p.r, p.g, p.b]);
    }
    rgb
}
