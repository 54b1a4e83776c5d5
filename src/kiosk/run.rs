//! The real kiosk window: checks everything that can be wrong before a window opens (config,
//! content, UI texts, PIN hash), then opens the winit window (full screen with `--fullscreen`
//! or `SLINT_FULLSCREEN`), connects the adapter and runs the event loop. No display → a clear
//! message and exit code 1, never a panic.

use std::rc::Rc;
use std::time::Instant;

use slint::ComponentHandle;

use crate::config::Loaded;
use crate::content::Content;
use crate::kiosk::adapter::{AdapterOptions, Kiosk, PrintRunner, system_clock};
use crate::kiosk::backend::KioskBackend;
use crate::kiosk::controller::{Controller, KioskSettings};
use crate::kiosk::pin;
use crate::kiosk::ui_texts::UiTexts;
use crate::ui::{AppWindow, KioskAdapter};

pub struct RunOptions {
    pub fullscreen: bool,
    pub exit_after_first_frame: bool,
    /// When the process started (for `first_frame_ms`).
    pub started: Instant,
    /// Where the staff screen reads its statistics (None: the panel says it has none).
    pub stats: Option<crate::kiosk::staff_stats::Source>,
    /// The kiosk's voice (None: `[access] speech = false`).
    pub speaker: Option<crate::speech::Speaker>,
    /// `[kiosk] publish_to`'s lobby link, and where it reports calls' news.
    pub lobby: Option<crate::kiosk::lobby::LobbyLink>,
    pub news: crate::kiosk::lobby::NewsChannel,
}

/// Everything the kiosk needs that is checked before the window opens.
pub struct Prepared {
    pub content: Rc<Content>,
    pub texts: Rc<UiTexts>,
    pub settings: KioskSettings,
    pub on_call_staff: Option<String>,
    pub keymap: crate::kiosk::keys::KeyMap,
    /// The take-home sheet's map (`[content] sheet`, or the bundled one).
    pub sheet_tree: Option<Rc<crate::content::SheetTree>>,
}

/// Validates config, content, UI texts and the PIN hash. Err = a message for the administrator.
pub fn prepare(loaded: &Loaded, content: Content) -> Result<Prepared, String> {
    crate::kiosk::measure::check_fonts()?;
    let texts = UiTexts::embedded().map_err(|errs| {
        errs.iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    if let Some(h) = &loaded.config.kiosk.staff_pin_hash {
        pin::validate_hash(h)?;
    }
    let on_call_staff = loaded
        .config
        .kiosk
        .on_call_staff
        .clone()
        .filter(|c| !c.trim().is_empty());
    let sheet_tree = loaded.sheet(&content).map_err(|e| e.to_string())?;
    crate::sheet::public_contacts(loaded, &content).map_err(|e| e.to_string())?;
    let mut settings = KioskSettings::from_config(&loaded.config.kiosk);
    settings.take_home_default = loaded.config.sheet.take_home;
    Ok(Prepared {
        content: Rc::new(content),
        texts: Rc::new(texts),
        settings,
        sheet_tree: Some(Rc::new(sheet_tree)),
        on_call_staff,
        keymap: loaded
            .config
            .access
            .key_map()
            .map_err(|(_, field, msg)| format!("{field}: {msg}"))?,
    })
}

const NO_DISPLAY: &str = "no display available for the kiosk window";

fn no_display_help(e: &dyn std::fmt::Display) -> String {
    format!(
        "{NO_DISPLAY} ({e}).\n\
         Options:\n\
         - run it in an X11 or Wayland session (DISPLAY or WAYLAND_DISPLAY must be set), e.g. a kiosk user's autologin session;\n\
         - pick the windowing system explicitly: SLINT_BACKEND=winit-x11 or SLINT_BACKEND=winit-wayland;\n\
         - without any desktop: build with `--features linuxkms` and run with SLINT_BACKEND=linuxkms on the console (DRM/KMS + libinput);\n\
         - to check the screens without a display: `hatarakitai screenshots --out DIR`."
    )
}

/// Runs the kiosk until staff exit it. The backend is the only way to side effects: the CLI
/// passes `live::LiveBackend` (store, slip renderer, printer); tests pass `MemoryBackend`.
pub fn run_kiosk(
    prepared: Prepared,
    backend: Box<dyn KioskBackend>,
    opts: RunOptions,
) -> Result<(), String> {
    // Without any display winit may panic deep inside; check first and say what to do.
    let has_display = ["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
    if !has_display && std::env::var_os("SLINT_BACKEND").is_none() {
        return Err(no_display_help(
            &"neither DISPLAY nor WAYLAND_DISPLAY is set",
        ));
    }
    // A windowing library that panics instead of returning an error must not print a
    // backtrace at the visitor's screen: the message below says what to do.
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let created = std::panic::catch_unwind(AppWindow::new);
    std::panic::set_hook(previous_hook);
    let app = match created {
        Ok(Ok(app)) => app,
        Ok(Err(e)) => return Err(no_display_help(&e)),
        Err(_) => return Err(no_display_help(&"the windowing backend failed to start")),
    };
    // The reference panel's size; full screen (with a window manager or compositor that
    // supports it) then covers whatever the screen is. Layouts scale with the window.
    app.window()
        .set_size(slint::LogicalSize::new(1920.0, 1080.0));
    if opts.fullscreen || std::env::var_os("SLINT_FULLSCREEN").is_some() {
        app.window().set_fullscreen(true);
    }
    let mut ctrl = Controller::new(prepared.content, prepared.texts, prepared.settings, backend);
    ctrl.set_sheet_tree(prepared.sheet_tree);
    let kiosk = Kiosk::connect(
        &app,
        ctrl,
        AdapterOptions {
            clock: system_clock(),
            print_runner: PrintRunner::Thread,
            on_call_staff: prepared.on_call_staff,
            lobby: opts.lobby,
            news: opts.news,
            speaker: opts.speaker,
            keymap: prepared.keymap,
        },
    );
    kiosk.prepare_speech();
    if let Some(src) = opts.stats {
        crate::kiosk::staff_stats::connect(&app, src);
    }

    let probe_started = opts.started;
    let exit_after = opts.exit_after_first_frame;
    let first = std::cell::Cell::new(true);
    app.global::<KioskAdapter>().on_first_frame_probe(move || {
        if first.replace(false) && exit_after {
            // Runs after the frame being drawn now has been presented.
            let _ = slint::invoke_from_event_loop(move || {
                println!("first_frame_ms={}", probe_started.elapsed().as_millis());
                let _ = slint::quit_event_loop();
            });
        }
        slint::Color::from_argb_u8(0, 0, 0, 0)
    });

    let result = app.run().map_err(|e| no_display_help(&e));
    drop(kiosk);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_pin_hash_is_reported_before_any_window() {
        let mut loaded = Loaded::load(None).unwrap_or_else(|e| panic!("{e}"));
        let content = loaded.content().unwrap_or_else(|e| panic!("{e}"));
        loaded.config.kiosk.staff_pin_hash = Some("1234".into());
        let err = prepare(&loaded, content).err().unwrap_or_default();
        assert!(
            err.contains("kiosk.staff_pin_hash") && err.contains("hash-pin"),
            "{err}"
        );
    }

    #[test]
    fn without_a_display_the_message_names_the_options() {
        let msg = no_display_help(&"test");
        for option in ["X11", "Wayland", "SLINT_BACKEND", "linuxkms"] {
            assert!(msg.contains(option), "{option} missing from: {msg}");
        }
    }
}
