//! Starting the desk: keys, content, `desk.sqlite`, retention; then either the window
//! (`hatarakitai desk`) or the headless scan path (`hatarakitai intake open PAYLOAD`), which
//! go through the same controller.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use slint::ComponentHandle;

use super::controller::{Decoder, DeskController};
use super::intake::ScannedVisit;
use super::store::DeskStore;
use super::store::postgres::PgTarget;
use crate::config::Loaded;
use crate::content::Content;
use crate::failure::Failure;
use crate::payload::{self, CentreKey};

/// The real decoder: payload → ids with this desk's content. A slip whose questionnaire or
/// catalogue differs is refused with the reason (the visitor keeps the slip; fix the config
/// and scan again).
pub fn decoder(keys: Vec<CentreKey>, content: Content, tz: chrono_tz::Tz) -> Decoder {
    Box::new(move |text: &str| {
        let rec = payload::decode(text, &keys).map_err(|e| e.to_string())?;
        let mismatch = |w: String| {
            format!(
                "この受付票は読めましたが、デスクの設定と合いません: {w}。キオスクとデスクで同じ質問・ルートのファイルを使ってください。 / The slip is valid but this desk's content differs: {w}."
            )
        };
        let answers = rec.answer_ids(&content.questionnaire).map_err(mismatch)?;
        let routes = rec.route_ids(&content.catalogue).map_err(mismatch)?;
        Ok(ScannedVisit {
            kiosk_id: rec.kiosk_id,
            serial: rec.serial,
            issued_at: rec.issued_at,
            lang: rec.lang.id().to_string(),
            questionnaire_version: rec.questionnaire_version,
            answers: answers
                .into_iter()
                .map(|(q, o)| (q.to_string(), o.to_string()))
                .collect(),
            routes: routes.into_iter().map(str::to_string).collect(),
            receipt_no: rec.receipt_no(tz),
        })
    })
}

/// The desk's store: the centre's PostgreSQL server when `[desk] database` names one, else
/// `desk.sqlite` in the data dir.
pub fn open_store(loaded: &Loaded, data_dir: &Path) -> Result<DeskStore, Failure> {
    match pg_target(loaded)? {
        Some(target) => DeskStore::connect(&target).map_err(|e| Failure::other(e.to_string())),
        None => DeskStore::open(&data_dir.join("desk.sqlite"))
            .map_err(|e| Failure::other(e.to_string())),
    }
}

/// `[desk] database`, when it names the team's PostgreSQL server.
pub fn pg_target(loaded: &Loaded) -> Result<Option<PgTarget>, Failure> {
    let Some(url) = &loaded.config.desk.database else {
        return Ok(None);
    };
    // Relative to the config's folder, like the content files.
    let pw = loaded.content_path(&loaded.config.desk.password_file);
    PgTarget::new(url, pw.as_deref())
        .map(Some)
        .map_err(Failure::input)
}

/// Builds the controller the window and the CLI share. Applies retention on the way.
pub fn controller(loaded: &Loaded, data_dir: &Path, now: i64) -> Result<DeskController, Failure> {
    let content = loaded
        .content()
        .map_err(|e| Failure::input(e.to_string()))?;
    let paths = loaded.key_paths(data_dir);
    let keys = crate::store::key_file::load_all(&paths).map_err(|e| {
        Failure::input(format!(
            "{e}\nThe desk needs the centre key the kiosk uses: copy the kiosk's centre.key into {} (or list key files under [keys] in the config).",
            data_dir.display()
        ))
    })?;
    let tz = loaded.config.timezone();
    let store = open_store(loaded, data_dir)?;
    daily_retention(&store, loaded, data_dir, now).map_err(Failure::other)?;
    // Nobody is signed in yet: the store refuses every write until someone is.
    let mut ctrl = DeskController::new(
        store,
        content.clone(),
        tz,
        String::new(),
        decoder(keys, content, tz),
    );
    let kiosk_db = data_dir.join("kiosk.sqlite");
    ctrl.kiosk_db = kiosk_db.exists().then_some(kiosk_db);
    ctrl.kiosk_id = loaded.config.kiosk.id;
    ctrl.pdf_dir = data_dir.join("pdf");
    ctrl.centre = loaded.config.centre.name.clone();
    ctrl.open_pdf = true;
    Ok(ctrl)
}

/// The retention policy of the config.
pub fn retention_policy(loaded: &Loaded) -> crate::desk::retention::Policy {
    crate::desk::retention::Policy {
        closed_days: loaded.config.desk.retention_days,
        inactive_years: loaded.config.desk.retention_years,
    }
}

/// The desks' own retention (TRUST.md §5): at most once a day across every desk of the
/// centre (the store's lock and last-run mark), with the removed records' PDFs, and this
/// desk's printouts older than a day. Returns what was removed.
pub fn daily_retention(
    store: &DeskStore,
    loaded: &Loaded,
    data_dir: &Path,
    now: i64,
) -> Result<crate::desk::retention::Report, String> {
    use crate::desk::retention::Run;
    use crate::desk::store::RETENTION;
    let pdf = data_dir.join("pdf");
    super::private_files::prune(&pdf, std::time::SystemTime::now());
    let report = store
        .retention(now, retention_policy(loaded), Run::Daily, RETENTION)
        .map_err(|e| e.to_string())?;
    for r in &report.removed {
        super::private_files::remove_meetings(&pdf, &r.meetings);
    }
    // The lobby is a day's: earlier days' calls and arrivals go (they name no visitor).
    let midnight = super::clock::local_midnight(now, 0, loaded.config.timezone());
    store.lobby_prune(midnight).map_err(|e| e.to_string())?;
    Ok(report)
}

/// `hatarakitai desk`: the staff window.
pub fn run_desk(loaded: &Loaded, data_dir: &Path) -> Result<(), Failure> {
    let now = chrono::Utc::now().timestamp();
    let ctrl = Rc::new(RefCell::new(controller(loaded, data_dir, now)?));
    let has_display = ["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
    if !has_display && std::env::var_os("SLINT_BACKEND").is_none() {
        return Err(Failure::other(
            "no display available for the desk window (neither DISPLAY nor WAYLAND_DISPLAY is set): run it in an X11 or Wayland desktop session, or set SLINT_BACKEND; `hatarakitai intake open PAYLOAD` works without a display",
        ));
    }
    let window = match std::panic::catch_unwind(crate::ui::DeskWindow::new) {
        Ok(Ok(w)) => w,
        Ok(Err(e)) => {
            return Err(Failure::other(format!(
                "cannot open the desk window ({e}): run it in an X11 or Wayland desktop session"
            )));
        }
        Err(_) => {
            return Err(Failure::other(
                "the windowing backend failed to start: run the desk in an X11 or Wayland desktop session",
            ));
        }
    };
    // Retention runs daily while a desk runs (the store lets one desk a day do it), on a
    // thread with its own connection: the deleting never holds up the window.
    let daily = slint::Timer::default();
    {
        let (loaded, dir) = (loaded.clone(), data_dir.to_path_buf());
        let running = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        daily.start(
            slint::TimerMode::Repeated,
            std::time::Duration::from_secs(3600),
            move || {
                use std::sync::atomic::Ordering;
                if running.swap(true, Ordering::AcqRel) {
                    return;
                }
                let (loaded, dir, running) = (loaded.clone(), dir.clone(), running.clone());
                std::thread::spawn(move || {
                    let now = chrono::Utc::now().timestamp();
                    let result = open_store(&loaded, &dir)
                        .map_err(|f| f.message)
                        .and_then(|store| daily_retention(&store, &loaded, &dir, now));
                    if let Err(e) = result {
                        eprintln!(
                            "hatarakitai desk: retention did not run ({e}); it is tried again in an hour"
                        );
                    }
                    running.store(false, Ordering::Release);
                });
            },
        );
    }
    // The lobby (LOBBY.md) is heard only through the team's server.
    if let Some(target) = pg_target(loaded)? {
        super::panes::lobby::start(
            &window,
            loaded.config.timezone(),
            target,
            super::chime::player(
                &loaded.config.access.players,
                loaded.config.desk.chime_volume,
            ),
        );
    }
    let _wedge = super::wedge::connect(&window);
    let _lock_timer = super::adapter::connect_team(
        &window,
        ctrl,
        Rc::new(|| chrono::Utc::now().timestamp()),
        loaded.config.desk.lock_minutes,
    );
    window
        .run()
        .map_err(|e| Failure::other(format!("the desk window stopped: {e}")))
}
