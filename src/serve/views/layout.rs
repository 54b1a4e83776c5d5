//! The frame of every page: one `h1`, landmarks (banner, navigation, main), a skip link,
//! the form token in `<meta name="csrf-token">`, the lobby's banner on every signed-in page.

use maud::{DOCTYPE, Markup, html};

use crate::serve::App;
use crate::serve::guard::Signed;

pub struct Page<'a> {
    pub title: &'a str,
    pub signed: Option<&'a Signed>,
    /// The lobby's section (signed-in pages): calls and, on the home page, the waiting list.
    pub lobby: Option<Markup>,
}

pub fn page(app: &App, p: Page<'_>, body: Markup) -> Markup {
    let lock = app.lock_secs.to_string();
    html! {
        (DOCTYPE)
        html lang="ja" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (p.title) " — 働きたい デスク" }
                @if let Some(s) = p.signed {
                    meta name="csrf-token" content=(s.csrf());
                    meta name="lock-seconds" content=(lock);
                }
                link rel="stylesheet" href="/static/desk.css";
                script src="/static/desk.js" defer {}
            }
            body data-signed-in=(if p.signed.is_some() { "yes" } else { "no" }) {
                a.skip href="#main" { "本文へ移動 / Skip to content" }
                header.top {
                    span.brand { "働きたい デスク — " (app.centre) }
                    @if let Some(s) = p.signed.filter(|s| !s.locked) {
                        nav aria-label="デスク" {
                            ul {
                                li { a href="/" { "ホーム" } }
                                li { a href="/records" { "記録の一覧" } }
                                @if s.is_admin() {
                                    li { a href="/admin/access-log" { "アクセス記録" } }
                                }
                            }
                        }
                    }
                    @if let Some(s) = p.signed {
                        span.who { (s.account.name) "（" (s.login()) "）" }
                        form method="post" action="/sign-out" {
                            input type="hidden" name="csrf" value=(s.csrf());
                            button type="submit" { "サインアウト" }
                        }
                    }
                }
                main #main {
                    @if let Some(l) = p.lobby { (l) }
                    h1 { (p.title) }
                    (body)
                }
            }
        }
    }
}

/// A hidden form token.
pub fn csrf(s: &Signed) -> Markup {
    html! { input type="hidden" name="csrf" value=(s.csrf()); }
}
