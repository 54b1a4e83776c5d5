//! The lobby on the command line (LOBBY.md §4), the contract outside checks use:
//! `hatarakitai lobby --staff LOGIN --format json` prints `{"calls", "waiting", "kiosks"}`;
//! `--follow` prints one JSON line per event (`call`, `answered`, `arrival`, `scanned`,
//! `health`) until stopped; `lobby answer CALL_ID --staff LOGIN` answers a call (exit 2 when
//! someone was first, naming who). The password comes on standard input.

use std::io::Write;

use clap::{Subcommand, ValueEnum};

use super::staff::{json, sign_in};
use super::{Ctx, Failure};
use crate::desk::clock::local_midnight;
use crate::desk::lobby_live::{self, Heard};
use crate::desk::run::{open_store, pg_target};
use crate::desk::store::lobby_sql::Refused;
use crate::lobby::{Lobby, events::Event};

#[derive(Subcommand, Debug)]
pub enum LobbyCommand {
    /// Staff calls, visitors waiting with a slip, and the kiosks' state (LOBBY.md); with
    /// --follow, one JSON line per event as it happens. `lobby answer CALL_ID` answers a call.
    #[command(
        display_order = 26,
        args_conflicts_with_subcommands = true,
        subcommand_negates_reqs = true
    )]
    Lobby {
        #[command(subcommand)]
        action: Option<LobbyAction>,
        /// Keep running and print one JSON line per event (call, answered, arrival, scanned,
        /// health) as it happens, starting with what is open now; needs `[desk] database`.
        #[arg(long)]
        follow: bool,
        /// Output format (JSON only).
        #[arg(long, value_enum, default_value = "json")]
        format: LobbyFormat,
        /// The staff login (password on standard input).
        #[arg(long, required = true)]
        staff: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum LobbyAction {
    /// 「行きます」: answer a staff call for every desk (exit 2 if someone was first).
    Answer {
        /// The call's id (`id` in `hatarakitai lobby`'s calls).
        call_id: i64,
        /// The staff login who goes (password on standard input).
        #[arg(long)]
        staff: String,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum LobbyFormat {
    /// `{"calls": […], "waiting": […], "kiosks": […]}`, or JSON lines with --follow.
    Json,
}

impl LobbyCommand {
    pub fn run(self, ctx: &Ctx) -> Result<(), Failure> {
        let LobbyCommand::Lobby {
            action,
            follow,
            format: LobbyFormat::Json,
            staff,
        } = self;
        let (loaded, dir) = ctx.setup()?;
        let tz = loaded.config.timezone();
        let store = open_store(&loaded, &dir)?;
        match action {
            Some(LobbyAction::Answer { call_id, staff }) => {
                let me = sign_in(&store, &staff)?;
                let now = chrono::Utc::now().timestamp();
                match store
                    .lobby_answer(call_id, &me.login, &me.name, now)
                    .map_err(|e| Failure::other(e.to_string()))?
                {
                    Ok(call) => json(&crate::lobby::call_json(&call, now)),
                    Err(r) => Err(Failure::input(refusal(call_id, r))),
                }
            }
            None => {
                let login = staff.unwrap_or_default();
                sign_in(&store, &login)?;
                let now = chrono::Utc::now().timestamp();
                let lobby = store
                    .lobby(local_midnight(now, 0, tz), now)
                    .map_err(|e| Failure::other(e.to_string()))?;
                if !follow {
                    return json(&lobby.to_json());
                }
                let Some(target) = pg_target(&loaded)? else {
                    return Err(Failure::input(
                        "lobby --follow needs the team's PostgreSQL server: kiosks publish their calls there. Set [desk] database = \"postgresql://…\" (TEAM.md, DEPLOY.md)",
                    ));
                };
                drop(store);
                follow_lobby(&target, tz, lobby)
            }
        }
    }
}

/// Prints what the lobby holds now (open calls, waiting visitors, kiosks) as events, then
/// every event as it happens, until stopped (or standard output closes).
fn follow_lobby(
    target: &crate::desk::store::postgres::PgTarget,
    tz: chrono_tz::Tz,
    now: Lobby,
) -> Result<(), Failure> {
    let start: Vec<Event> = crate::lobby::events::between(&Lobby::default(), &now)
        .into_iter()
        .filter(|e| !matches!(e, Event::Scanned(_)))
        .collect();
    let print = |events: &[Event], at: i64| -> bool {
        let mut out = std::io::stdout().lock();
        for e in events {
            if writeln!(out, "{}", e.to_json(at)).is_err() {
                return false;
            }
        }
        out.flush().is_ok()
    };
    if !print(&start, now.now) {
        return Ok(());
    }
    let mut lost = false;
    lobby_live::listen(
        target,
        tz,
        lobby_live::Timing::default(),
        now,
        |heard| match heard {
            Heard::Lobby(l, events) => {
                if lost {
                    eprintln!("hatarakitai lobby: connected again");
                    lost = false;
                }
                print(&events, l.now)
            }
            Heard::Lost(why) => {
                if !lost {
                    eprintln!(
                        "hatarakitai lobby: サーバーに つながっていません ({why}); trying again"
                    );
                    lost = true;
                }
                true
            }
        },
    );
    Ok(())
}

fn refusal(id: i64, r: Refused) -> String {
    match r {
        Refused::NotFound => format!(
            "there is no staff call {id} today: see `hatarakitai lobby --staff LOGIN` for today's calls"
        ),
        Refused::Taken(who) => format!(
            "call {id} was already answered by {who}: they are on their way (nothing was changed)"
        ),
        Refused::Expired => format!(
            "call {id} has expired: nobody answered in time and the kiosk sent the visitor to the reception window (nothing was changed)"
        ),
        Refused::Scanned => format!("{id}: the slip was scanned already"),
    }
}
