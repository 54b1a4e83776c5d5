//! The desk's 統計 tab: intakes opened per day, each kiosk's visitors next to them and the
//! routes shown first (from the team's database or this PC's kiosk.sqlite), and how many
//! printed slips reached the desk. Fills `DeskAdapter`'s statistics (ui/desk_stats.slint).

use chrono::Duration;
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::clock::{local_day, local_midnight};
use super::controller::DeskController;
use super::pane_text::day_label;
use crate::ui::{Bar, DeskAdapter, DeskBar, DeskDayRow, DeskWindow};

fn model<T: Clone + 'static>(v: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(v))
}

/// Each kiosk's visitors per day next to intakes opened (`opened`: the last 30 days and
/// tomorrow, oldest first), and the routes shown first: from what the kiosks published to
/// the team's database, or from this PC's own kiosk.sqlite for a one-PC centre.
fn load_shared(w: &DeskWindow, ctrl: &DeskController, now: i64, opened: &[u32]) {
    let a = w.global::<DeskAdapter>();
    let tz = ctrl.timezone();
    let today = local_day(now, tz);
    let from = today - Duration::days(29);
    let mut source = "チーム共有のデータベース";
    let mut buckets = ctrl
        .store()
        .kiosk_buckets(None, from, today)
        .unwrap_or_default();
    if buckets.is_empty()
        && let Some(db) = ctrl.kiosk_db.as_deref()
        && let Ok(k) = crate::store::kiosk::KioskStore::open_existing(db, tz)
        && let Ok(own) = k.buckets(from, today)
    {
        source = "このPCのキオスクの記録";
        buckets = own.into_iter().map(|b| (ctrl.kiosk_id, b)).collect();
    }
    if buckets.is_empty() {
        a.set_day_rows(model(Vec::new()));
        return;
    }
    let mut kiosks: Vec<u16> = buckets.iter().map(|(k, _)| *k).collect();
    kiosks.sort_unstable();
    kiosks.dedup();
    let mut columns: Vec<SharedString> = kiosks
        .iter()
        .map(|k| format!("キオスク{k} 来所").into())
        .collect();
    columns.push("インテーク".into());
    let rows: Vec<DeskDayRow> = (0..14)
        .map(|back| {
            let day = today - Duration::days(back);
            let mut cells: Vec<SharedString> = kiosks
                .iter()
                .map(|k| {
                    let n: u64 = buckets
                        .iter()
                        .filter(|(kk, b)| kk == k && b.date == day)
                        .map(|(_, b)| b.figures.started)
                        .sum();
                    n.to_string().into()
                })
                .collect();
            // opened[29] is today.
            let intakes = usize::try_from(29 - back)
                .ok()
                .and_then(|i| opened.get(i))
                .map_or_else(|| "—".to_string(), |n| n.to_string());
            cells.push(intakes.into());
            DeskDayRow {
                label: day_label(day).into(),
                cells: model(cells),
            }
        })
        .collect();
    a.set_shared_caption(format!("キオスクの来所とインテーク（過去14日・{source}）").into());
    a.set_day_columns(model(columns));
    a.set_day_rows(model(rows));
    let all: Vec<_> = buckets.into_iter().map(|(_, b)| b).collect();
    let report = crate::stats::StatsReport::new(from, today, &all, ctrl.content());
    let bars: Vec<Bar> = report
        .routes
        .iter()
        .map(|r| Bar {
            label: r.name.clone().into(),
            value: i32::try_from(report.total.routes_first.get(&r.id).copied().unwrap_or(0))
                .unwrap_or(i32::MAX),
        })
        .collect();
    a.set_route_max(bars.iter().map(|b| b.value).max().unwrap_or(0).max(1));
    a.set_route_bars(model(bars));
}

/// Everything the tab shows, as of `now`.
pub fn load(w: &DeskWindow, ctrl: &DeskController, now: i64) {
    let a = w.global::<DeskAdapter>();
    let tz = ctrl.timezone();
    let starts: Vec<i64> = (-29..=1).map(|d| local_midnight(now, d, tz)).collect();
    let mut opened = Vec::new();
    match ctrl.store().opened_per_day(&starts) {
        Ok(counts) => {
            opened.clone_from(&counts);
            let bars: Vec<Bar> = starts
                .iter()
                .zip(&counts)
                .map(|(&t, &n)| Bar {
                    // The day of the month: 31 bars fit at 1366 px; the caption gives the months.
                    label: chrono::DateTime::from_timestamp(t, 0)
                        .map_or_else(String::new, |d| {
                            d.with_timezone(&tz).format("%-d").to_string()
                        })
                        .into(),
                    value: i32::try_from(n).unwrap_or(i32::MAX),
                })
                .collect();
            a.set_intakes_max(bars.iter().map(|b| b.value).max().unwrap_or(0).max(1));
            let day = |t: i64| {
                chrono::DateTime::from_timestamp(t, 0).map_or_else(String::new, |d| {
                    d.with_timezone(&tz).format("%-m/%-d").to_string()
                })
            };
            if let (Some(&first), Some(&last)) =
                (starts.first(), starts.get(starts.len().saturating_sub(2)))
            {
                a.set_intakes_caption(
                    format!(
                        "インテーク記録を開いた数（過去30日: {} – {}）",
                        day(first),
                        day(last)
                    )
                    .into(),
                );
            }
            a.set_intakes_per_day(model(bars));
        }
        Err(e) => a.set_stats_note(e.to_string().into()),
    }
    load_shared(w, ctrl, now, &opened);
    // Kiosk figures and slips that reached this desk: only where this PC has the kiosk's DB.
    let Some(db) = ctrl.kiosk_db.as_deref() else {
        a.set_stats_note("このPCにはキオスクの記録（kiosk.sqlite）がありません。来所数・印刷数はキオスクのスタッフ画面か `hatarakitai stats` で見られます。データフォルダに kiosk.sqlite のコピーを置くと、受付票がデスクに届いた割合もここに出ます。".into());
        a.set_kiosk_rows(model(Vec::new()));
        return;
    };
    let today = local_day(now, tz);
    match super::arrivals::arrivals(
        ctrl.store(),
        db,
        ctrl.content(),
        tz,
        today - Duration::days(13),
        today,
    ) {
        Ok(days) => {
            a.set_stats_note("キオスクの記録（過去14日）: 印刷した受付票のうち、このデスクで記録を開いたもの。保存期間を過ぎた日は、来所ごとの記録が集計にまとめられているため「不明」です。".into());
            a.set_kiosk_rows(model(
                days.iter()
                    .rev()
                    .map(|d| DeskBar {
                        label: d.day.format("%-m/%-d").to_string().into(),
                        value: i32::try_from(d.printed).unwrap_or(i32::MAX),
                        detail: match d.arrived {
                            Some(n) if d.printed > 0 => format!(
                                "来所 {} ・ 完了 {} ・ 印刷 {} ・ デスク到着 {} （{}%）",
                                d.started,
                                d.completed,
                                d.printed,
                                n,
                                n * 100 / d.printed
                            ),
                            Some(_) => {
                                format!("来所 {} ・ 完了 {} ・ 印刷 0", d.started, d.completed)
                            }
                            None => format!(
                                "来所 {} ・ 完了 {} ・ 印刷 {} ・ デスク到着 不明",
                                d.started, d.completed, d.printed
                            ),
                        }
                        .into(),
                    })
                    .collect(),
            ));
        }
        Err(e) => a.set_stats_note(format!("キオスクの記録を読めません: {e}").into()),
    }
}
