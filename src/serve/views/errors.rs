//! Error pages: 404 for unknown paths, the store that cannot be reached, and the plain
//! page behind 403 / 413 / 421. They name no record and no person.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, html};

pub fn page(status: StatusCode, title: &str, text: &str) -> Response {
    let body = html! {
        (DOCTYPE)
        html lang="ja" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — 働きたい デスク" }
                link rel="stylesheet" href="/static/desk.css";
            }
            body {
                a.skip href="#main" { "本文へ移動 / Skip to content" }
                header.top { span.brand { "働きたい デスク" } }
                main #main {
                    h1 { (title) }
                    p { (text) }
                    p { a href="/" { "ホームへ / Home" } }
                }
            }
        }
    };
    (status, body).into_response()
}

pub async fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "ページが 見つかりません / Not found",
        "アドレスを 確かめてください。 / Check the address.",
    )
}

/// The store did not answer: the message says so (without any record's data).
pub fn store_down(e: &str) -> Response {
    // The store's own message names the database and the operation, never a person.
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        "データベースに つながりません / The database cannot be reached",
        &format!(
            "しばらく待って もう一度 送ってください。入力は このページの 前の画面に 残っています（ブラウザの「戻る」）。続くときは 管理者に 知らせてください。 / Wait a moment and send again; your input is still on the previous page (Back). If it goes on, tell the administrator. ({e})"
        ),
    )
}
