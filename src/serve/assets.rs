//! The page's static files, compiled in (ui/web/ and the kiosk's chime): the CSP allows
//! script and style only from the desk's own address, so they are files, never inline.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "desk.css",
        "text/css; charset=utf-8",
        include_bytes!("../../ui/web/desk.css"),
    ),
    (
        "desk.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../ui/web/desk.js"),
    ),
    (
        "chime.wav",
        "audio/wav",
        include_bytes!("../../assets/sounds/chime.wav"),
    ),
];

/// The total size of what a page loads besides its HTML (SERVER.md §7: ≤ 150 KB with it).
pub fn page_assets_bytes() -> usize {
    FILES
        .iter()
        .filter(|(n, _, _)| n.ends_with(".css") || n.ends_with(".js"))
        .map(|(_, _, b)| b.len())
        .sum()
}

pub async fn file(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, ty, body)) => {
            let mut res = (*body).into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ty));
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            res
        }
        None => super::views::errors::page(
            StatusCode::NOT_FOUND,
            "ページが 見つかりません / Not found",
            "このファイルは ありません。 / No such file.",
        ),
    }
}
