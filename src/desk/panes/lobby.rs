//! The lobby at the desk (LOBBY.md, `LobbyAdapter` in ui/desk_lobby.slint): what
//! `desk::lobby_live` hears on its own thread is shown here on the UI thread — the banner of
//! staff calls (with a chime for each new one), the waiting list and the kiosks' state on the
//! home — and 「行きます」 / 「対応します」 are written through the desk's store as the
//! signed-in person. The words are `lobby::text::rows`.

use slint::ComponentHandle;

use super::{Wire, model, strings};
use crate::desk::lobby_live::{self, Heard};
use crate::desk::store::lobby_sql::Refused;
use crate::desk::store::postgres::PgTarget;
use crate::lobby::Lobby;
use crate::lobby::events::Event;
use crate::lobby::text::rows;
use crate::ui::{DeskWindow, LobbyAdapter, LobbyCall, LobbyWaiting};

/// Shows a reading of the lobby; `me` = the signed-in login ("" = nobody).
pub fn show(w: &DeskWindow, l: &Lobby, tz: chrono_tz::Tz, me: &str) {
    let r = rows(l, tz, me);
    let a = w.global::<LobbyAdapter>();
    a.set_connection("".into());
    a.set_calls(model(
        r.calls
            .into_iter()
            .map(|(id, line)| LobbyCall {
                id: i32::try_from(id).unwrap_or(0),
                line: line.into(),
            })
            .collect(),
    ));
    a.set_answered(strings(&r.answered));
    a.set_waiting(model(
        r.waiting
            .into_iter()
            .map(|x| LobbyWaiting {
                id: i32::try_from(x.id).unwrap_or(0),
                line: x.line.into(),
                handling: x.handling.into(),
                mine: x.mine,
            })
            .collect(),
    ));
    a.set_warnings(strings(&r.warnings));
    a.set_kiosks(strings(&r.kiosks));
}

/// The server is gone: said on every desk until it returns (the last reading stays).
pub fn lost(w: &DeskWindow, why: &str) {
    w.global::<LobbyAdapter>().set_connection(
        format!(
            "サーバーに つながっていません — スタッフ呼び出しと 受付の 待ち状況が 届きません。つながり次第 追いつきます。（{why}）"
        )
        .into(),
    );
}

/// Starts hearing the lobby on a thread of its own (the desk with `[desk] database`).
/// `chime` plays for each new call while someone is signed in (locked or not).
pub fn start(
    window: &DeskWindow,
    tz: chrono_tz::Tz,
    target: PgTarget,
    chime: impl Fn() + Send + Sync + 'static,
) {
    let chime = std::sync::Arc::new(chime);
    window.global::<LobbyAdapter>().set_available(true);
    let weak = window.as_weak();
    let spawned = std::thread::Builder::new()
        .name("lobby".into())
        .spawn(move || {
            let mut first = true;
            lobby_live::listen(
                &target,
                tz,
                lobby_live::Timing::default(),
                Lobby::default(),
                move |heard| {
                    // The calls open when the desk starts are shown, not rung.
                    let call = !first
                        && matches!(&heard, Heard::Lobby(_, e) if e.iter().any(|e| matches!(e, Event::Call(_))));
                    if matches!(heard, Heard::Lobby(..)) {
                        first = false;
                    }
                    let chime = chime.clone();
                    weak.upgrade_in_event_loop(move |w| match heard {
                            Heard::Lobby(l, _) => {
                                // The login field keeps the signed-in person's login (and
                                // the locked one's); nobody signed in owns no row.
                                let me = w.global::<crate::ui::DeskAdapter>();
                                let login = if me.get_signed_in() {
                                    me.get_signin_login().trim().to_string()
                                } else {
                                    String::new()
                                };
                                show(&w, &l, tz, &login);
                                if call && me.get_signed_in() {
                                    chime();
                                }
                            }
                            Heard::Lost(why) => lost(&w, &why),
                        })
                        // The event loop has ended (the window closed): stop.
                        .is_ok()
                },
            );
        });
    if let Err(e) = spawned {
        lost(window, &format!("could not start listening: {e}"));
    }
}

fn refusal(r: Refused) -> String {
    match r {
        Refused::NotFound => "この呼び出しは もう ありません。".into(),
        Refused::Taken(who) => format!("{who}さんが 先に 応答しました（何も 変えていません）。"),
        Refused::Expired => "時間切れです。キオスクは 受付の 窓口へ 案内しました。".into(),
        Refused::Scanned => "この方の 受付票は もう 読み取られました。".into(),
    }
}

/// 「行きます」 and 「対応します」, as the signed-in person.
pub fn connect(window: &DeskWindow, wire: &Wire) {
    let a = window.global::<LobbyAdapter>();
    let wi = wire.clone();
    a.on_answer(move |id| {
        wi.with(|w, c, now| {
            let msg = match c
                .store()
                .lobby_answer(i64::from(id), c.who(), &c.who_name, now)
            {
                Ok(Ok(call)) => format!(
                    "{}へ 向かってください。ほかの デスクにも 伝わりました。",
                    call.kiosk_name
                ),
                Ok(Err(r)) => refusal(r),
                Err(e) => format!("応答できませんでした: {e}"),
            };
            w.global::<LobbyAdapter>().set_message(msg.into());
        });
    });
    let wi = wire.clone();
    a.on_handle(move |id| {
        wi.with(|w, c, _now| {
            let msg = match c.store().lobby_handle(i64::from(id), c.who(), &c.who_name) {
                Ok(Ok(arr)) => format!("受付番号 {} の方を 対応中に しました。", arr.receipt_no),
                Ok(Err(r)) => refusal(r),
                Err(e) => format!("記録できませんでした: {e}"),
            };
            w.global::<LobbyAdapter>().set_message(msg.into());
        });
    });
}

/// Empties the desk's own answer line on lock and sign-out (the calls and the waiting list
/// name no visitor and stay).
pub fn clear(w: &DeskWindow) {
    w.global::<LobbyAdapter>().set_message("".into());
}
