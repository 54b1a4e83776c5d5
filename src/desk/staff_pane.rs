//! The desk's 「職員」 tab (TRUST.md §1; ui/desk_staff.slint): what an administrator sees of
//! the accounts and the actions on them, through `desk::staff_admin` like the command line.
//! Every action names the login it acts on (the row's id), never a position in the list.

use std::cell::RefCell;
use std::rc::Rc;

use slint::{ComponentHandle, ModelRc, VecModel};

use super::accounts::{Account, Role, lock_minutes};
use super::controller::DeskController;
use super::staff_admin::{self, Refused};
use crate::ui::{DeskWindow, StaffAdapter, StaffRow};

/// One account as the list shows it (plain Rust, so it is tested without Slint).
pub fn row_text(a: &Account, now: i64) -> (String, String) {
    let role = match a.role {
        Role::Admin => "管理者",
        Role::Staff => "職員",
    };
    let state = if !a.active {
        "使えない（無効）".to_string()
    } else if let Some(m) = lock_minutes(a.locked_until, now) {
        format!("ロック中（あと{m}分）")
    } else {
        "使える".to_string()
    };
    (role.to_string(), state)
}

/// Fills the tab for the signed-in person: the accounts for an administrator, nothing for
/// anyone else (and no tab: `is-admin`).
pub fn load(w: &DeskWindow, ctrl: &DeskController, now: i64) {
    let a = w.global::<StaffAdapter>();
    // As the store has the person now: an administrator who made themselves staff loses the tab.
    let admin = ctrl
        .store()
        .staff_get(ctrl.who())
        .ok()
        .flatten()
        .is_some_and(|x| x.active && x.role == Role::Admin);
    if !admin {
        return clear(w);
    }
    a.set_is_admin(true);
    let rows = ctrl.store().staff_list().unwrap_or_else(|e| {
        a.set_message(e.to_string().into());
        a.set_message_kind(3);
        Vec::new()
    });
    a.set_accounts(ModelRc::new(VecModel::from(
        rows.iter()
            .map(|x| {
                let (role, state) = row_text(x, now);
                StaffRow {
                    login: x.login.clone().into(),
                    name: x.name.clone().into(),
                    role: role.into(),
                    state: state.into(),
                    active: x.active,
                    admin: x.role == Role::Admin,
                }
            })
            .collect::<Vec<_>>(),
    )));
}

/// Sign-out and the lock: no account list, no half-typed password stays in the window.
pub fn clear(w: &DeskWindow) {
    let a = w.global::<StaffAdapter>();
    a.set_is_admin(false);
    a.set_accounts(ModelRc::new(VecModel::from(Vec::<StaffRow>::new())));
    a.set_message("".into());
    clear_form(&a);
}

/// The answer to an action, in the desk's words.
fn show(a: &StaffAdapter<'_>, r: Result<String, Refused>) {
    let (text, kind) = match r {
        Ok(m) => (m, 1),
        Err(Refused::Input(m)) => (ja(&m), 2),
        Err(Refused::Store(e)) => (e.to_string(), 3),
    };
    a.set_message(text.into());
    a.set_message_kind(kind);
}

/// The command line's messages, for staff at the desk.
fn ja(m: &str) -> String {
    if m.contains("last active administrator") {
        "最後の管理者は 使えなくしたり 職員にしたりできません。先に ほかの人を管理者にしてください（何も変えていません）。".into()
    } else if m.contains("exists already") {
        "そのログインIDは もうあります。別のIDにしてください。".into()
    } else if m.contains("password is too short") {
        "パスワードが短すぎます。8文字以上、または6けた以上の数字にしてください。".into()
    } else if m.contains("is not a login id") {
        "ログインIDには 英小文字・数字・「.」「_」「-」を 2〜32文字で使います（例: t.tanaka）。"
            .into()
    } else if m.contains("--name") {
        "名前を入れてください。".into()
    } else if m.contains("not an administrator") {
        "管理者だけが アカウントを変えられます（何も変えていません）。".into()
    } else {
        m.to_string()
    }
}

/// One action by the signed-in administrator (as the store has them now, so a disabled or
/// demoted one is refused), its answer shown, the list read again.
fn act(
    w: &DeskWindow,
    c: &DeskController,
    now: i64,
    f: impl FnOnce(&StaffAdapter<'_>, &DeskController, &Account) -> Result<String, Refused>,
) {
    let a = w.global::<StaffAdapter>();
    let by = match c.store().staff_get(c.who()) {
        Ok(Some(by)) => by,
        Ok(None) => return show(&a, Err(Refused::Input("not an administrator".into()))),
        Err(e) => return show(&a, Err(Refused::Store(e))),
    };
    show(&a, f(&a, c, &by));
    load(w, c, now);
}

/// Wires the tab's callbacks. `touch` counts as activity (and signs a disabled admin out).
pub fn connect(
    window: &DeskWindow,
    ctrl: Rc<RefCell<DeskController>>,
    clock: Rc<dyn Fn() -> i64>,
    touch: Rc<dyn Fn()>,
) {
    let a = window.global::<StaffAdapter>();
    // Each callback: the window, the controller and now, after `touch`.
    let ctx = || {
        let (w, c, k, t) = (window.as_weak(), ctrl.clone(), clock.clone(), touch.clone());
        move || {
            let w = w.upgrade()?;
            t();
            Some((w, c.clone(), k()))
        }
    };
    let get = ctx();
    a.on_add(move || {
        let Some((w, c, now)) = get() else { return };
        act(&w, &c.borrow(), now, |a, c, by| {
            let role = if a.get_new_admin() {
                Role::Admin
            } else {
                Role::Staff
            };
            let login = a.get_new_login().trim().to_string();
            let name = a.get_new_name();
            let acc = staff_admin::add(
                c.store(),
                Some(by),
                &login,
                &name,
                role,
                &a.get_new_password(),
                now,
            )?;
            clear_form(a);
            Ok(format!("{}（{}）を追加しました。", acc.name, acc.login))
        });
    });
    let get = ctx();
    a.on_reset(move || {
        let Some((w, c, now)) = get() else { return };
        act(&w, &c.borrow(), now, |a, c, by| {
            let login = a.get_reset_login().to_string();
            let pw = a.get_reset_password();
            let acc = staff_admin::reset_password(c.store(), by, &login, &pw, now)?;
            a.set_reset_login("".into());
            a.set_reset_password("".into());
            Ok(format!(
                "{} のパスワードを変えました（ロックも解除）。",
                acc.login
            ))
        });
    });
    let get = ctx();
    a.on_pick_reset(move |login| {
        let Some((w, _, _)) = get() else { return };
        let a = w.global::<StaffAdapter>();
        a.set_reset_login(login);
        a.set_reset_password("".into());
    });
    let get = ctx();
    a.on_set_active(move |login, active| {
        let Some((w, c, now)) = get() else { return };
        act(&w, &c.borrow(), now, |_, c, by| {
            let acc = staff_admin::set_active(c.store(), by, &login, active, now)?;
            Ok(if acc.active {
                format!("{} を使えるようにしました。", acc.login)
            } else {
                format!("{} を使えなくしました。", acc.login)
            })
        });
    });
    let get = ctx();
    a.on_set_admin(move |login, admin| {
        let Some((w, c, now)) = get() else { return };
        let role = if admin { Role::Admin } else { Role::Staff };
        act(&w, &c.borrow(), now, |_, c, by| {
            let acc = staff_admin::set_role(c.store(), by, &login, role, now)?;
            let what = if acc.role == Role::Admin {
                "管理者"
            } else {
                "職員"
            };
            Ok(format!("{} を{what}にしました。", acc.login))
        });
    });
}

fn clear_form(a: &StaffAdapter<'_>) {
    for set in [
        StaffAdapter::set_new_login,
        StaffAdapter::set_new_name,
        StaffAdapter::set_new_password,
        StaffAdapter::set_reset_login,
        StaffAdapter::set_reset_password,
    ] {
        set(a, "".into());
    }
    a.set_new_admin(false);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_say_role_and_state() {
        let mut a = Account {
            login: "tanaka".into(),
            name: "田中".into(),
            role: Role::Staff,
            active: true,
            hash: String::new(),
            failures: 0,
            locked_until: Some(1000 + 200),
        };
        assert_eq!(
            row_text(&a, 1000),
            ("職員".into(), "ロック中（あと4分）".into())
        );
        a.locked_until = None;
        a.role = Role::Admin;
        assert_eq!(row_text(&a, 1000), ("管理者".into(), "使える".into()));
        a.active = false;
        assert_eq!(row_text(&a, 1000).1, "使えない（無効）");
        assert!(ja("`admin` is the last active administrator: …").contains("最後の管理者"));
    }
}
