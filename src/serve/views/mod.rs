//! The pages, one module per page (kanidm's `https/views` shape), rendered by maud (checked
//! at compile time, every value escaped). `layout` is the frame around each page.

pub mod access_log;
pub mod errors;
pub mod home;
pub mod layout;
pub mod lobby;
pub mod lock;
pub mod password;
pub mod record;
pub mod sign_in;

use crate::serve::App;
use crate::serve::guard::Signed;

/// A one-time message for the session's next page (a 303 after a POST carries no body).
pub fn flash(app: &App, s: &Signed, msg: String) {
    if let Ok(mut f) = app.flash.lock() {
        f.insert(s.session.id_hash.clone(), msg);
    }
}

/// The session's message, taken.
pub fn take_flash(app: &App, s: &Signed) -> Option<String> {
    app.flash.lock().ok()?.remove(&s.session.id_hash)
}
