//! `GET /admin/access-log` (administrators): who opened, changed or was refused what, for a
//! day (record numbers and logins only, never names). The CSV and the range come with the
//! rest of the desk (SERVER.md §8).

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::html;

use super::layout::{Page, page as frame};
use crate::serve::App;
use crate::serve::guard::Signed;

#[derive(serde::Deserialize, Default)]
pub struct Day {
    #[serde(default)]
    day: String,
}

pub async fn page(
    State(app): State<Arc<App>>,
    Extension(s): Extension<Signed>,
    q: Result<Query<Day>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let today = crate::desk::clock::local_day(app.now(), app.tz);
    let parsed = chrono::NaiveDate::parse_from_str(&q.day, "%Y-%m-%d").ok();
    let bad = !q.day.is_empty() && parsed.is_none();
    let day = parsed.unwrap_or(today);
    let start = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| chrono::TimeZone::from_local_datetime(&app.tz, &t).earliest())
            .map_or(0, |t| t.timestamp())
    };
    let (from, to) = (start(day), start(day + chrono::Duration::days(1)));
    let login = s.login().to_string();
    let r = app
        .pool
        .run(move |store| {
            let rows = store.access_log(from, to)?;
            crate::desk::staff_admin::log(
                store,
                &login,
                "access_log",
                "",
                chrono::Utc::now().timestamp(),
            )?;
            Ok(rows)
        })
        .await;
    let rows = match r {
        Ok(r) => r,
        Err(e) => return super::errors::store_down(&e.0),
    };
    let body = html! {
        form.card method="get" action="/admin/access-log" {
            label for="day" { "日付" }
            @if bad { p #day-error .error role="alert" { "日付は 2026-12-01 の 形で 入れてください" } }
            input #day type="date" name="day" value=(if bad { q.day.clone() } else { day.to_string() })
                aria-invalid=(if bad { "true" } else { "false" }) aria-describedby=[bad.then_some("day-error")];
            p { button type="submit" { "表示" } }
        }
        table {
            caption { (day) " の アクセス（" (rows.len()) "件）" }
            thead { tr { th scope="col" { "時刻" } th scope="col" { "ログイン" } th scope="col" { "操作" } th scope="col" { "記録" } th scope="col" { "対象" } } }
            tbody {
                @for e in &rows {
                    tr {
                        td { (crate::desk::view::local_time(e.at, app.tz)) }
                        td { (e.login) } td { (e.action) }
                        td { @if let Some(r) = e.record { (r) } }
                        td { (e.target) }
                    }
                }
            }
        }
    };
    frame(
        &app,
        Page {
            title: "アクセス記録",
            signed: Some(&s),
            lobby: None,
        },
        body,
    )
    .into_response()
}
