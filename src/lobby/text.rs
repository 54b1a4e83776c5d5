//! The words the desks show of the lobby (banner, waiting list, kiosk states), built by pure
//! functions so they are tested without Slint. Lock-screen text is built from the call alone:
//! kiosk, time, language and aids — nothing of any record.

use chrono::TimeZone;

use super::{Arrival, Call, KioskHealth, Lobby, PrinterState, Warning};

/// Who answered is shown to the other desks this long.
pub const ANSWERED_SHOWN: i64 = 60;

/// A waiting-list row at a desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingRow {
    pub id: i64,
    pub line: String,
    /// 「対応中: 佐藤」 or "".
    pub handling: String,
    /// This desk's person is the one handling it.
    pub mine: bool,
}

/// Everything a desk shows of the lobby, as words (`desk::panes::lobby` copies them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    /// Open calls: id and line (the banner, 「行きます」 on each).
    pub calls: Vec<(i64, String)>,
    /// Calls answered within `ANSWERED_SHOWN`: 「佐藤さんが 1階ロビーへ 向かっています」.
    pub answered: Vec<String>,
    pub waiting: Vec<WaitingRow>,
    pub warnings: Vec<String>,
    pub kiosks: Vec<String>,
}

/// The desk's rows of `l`; `me` = the signed-in login (whose 対応中 rows are theirs).
pub fn rows(l: &Lobby, tz: chrono_tz::Tz, me: &str) -> Rows {
    let now = l.now;
    Rows {
        calls: l
            .open_calls()
            .map(|c| (c.id, call_line(c, now, tz)))
            .collect(),
        answered: l
            .calls
            .iter()
            .filter(|c| c.answered_at.is_some_and(|t| now - t < ANSWERED_SHOWN))
            .map(answered_line)
            .collect(),
        waiting: l
            .waiting()
            .map(|a| WaitingRow {
                id: a.id,
                line: waiting_line(a, now, tz),
                handling: handling_line(a),
                mine: a.handling_by.as_deref() == Some(me),
            })
            .collect(),
        warnings: l
            .warnings()
            .map(|(k, w)| warning_line(k, w, now, tz))
            .collect(),
        kiosks: l.kiosks.iter().map(|k| kiosk_line(k, now, tz)).collect(),
    }
}

/// `ja-easy` → やさしい日本語.
pub fn lang_name(id: &str) -> &str {
    match id {
        "ja" => "日本語",
        "ja-easy" => "やさしい日本語",
        "en" => "英語",
        other => other,
    }
}

/// `10:32` in the centre's time zone.
pub fn clock(unix: i64, tz: chrono_tz::Tz) -> String {
    tz.timestamp_opt(unix, 0)
        .single()
        .map(|t| t.format("%-H:%M").to_string())
        .unwrap_or_default()
}

/// `45秒` / `8分` / `1時間5分`.
pub fn duration(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s}秒"),
        60..3600 => format!("{}分", s / 60),
        _ => format!("{}時間{}分", s / 3600, s % 3600 / 60),
    }
}

fn aids(speech: bool, keys: bool, large: bool) -> String {
    let mut a = Vec::new();
    if speech {
        a.push("音声読み上げ");
    }
    if keys {
        a.push("キー操作");
    }
    if large {
        a.push("大きな文字");
    }
    a.join("・")
}

/// The banner's line for an open call.
pub fn call_line(c: &Call, now: i64, tz: chrono_tz::Tz) -> String {
    let mut s = format!(
        "{}で スタッフを 呼んでいます（{} · {}前）· {}",
        c.kiosk_name,
        clock(c.called_at, tz),
        duration(now - c.called_at),
        lang_name(&c.lang)
    );
    let a = aids(c.speech, c.keys, false);
    if !a.is_empty() {
        s.push_str(" · ");
        s.push_str(&a);
    }
    s
}

/// Who answered a call, for the other desks.
pub fn answered_line(c: &Call) -> String {
    let who = c
        .answered_name
        .as_deref()
        .or(c.answered_by.as_deref())
        .unwrap_or("");
    format!("{}さんが {}へ 向かっています", who, c.kiosk_name)
}

/// A waiting-list row.
pub fn waiting_line(a: &Arrival, now: i64, tz: chrono_tz::Tz) -> String {
    let mut s = format!(
        "受付番号 {} · {} · {}から {}待ち · {}",
        a.receipt_no,
        a.kiosk_name,
        clock(a.arrived_at, tz),
        duration(now - a.arrived_at),
        lang_name(&a.lang)
    );
    let x = aids(a.speech, a.keys, a.large_text);
    if !x.is_empty() {
        s.push_str(" · ");
        s.push_str(&x);
    }
    s
}

/// 「対応中: 佐藤」, or empty.
pub fn handling_line(a: &Arrival) -> String {
    match (&a.handling_name, &a.handling_by) {
        (Some(n), _) | (None, Some(n)) => format!("対応中: {n}"),
        _ => String::new(),
    }
}

pub fn printer_words(p: PrinterState) -> &'static str {
    match p {
        PrinterState::Ok => "プリンター 正常",
        PrinterState::PaperOut => "プリンターの 用紙が ありません",
        PrinterState::CoverOpen => "プリンターの カバーが 開いています",
        PrinterState::Offline => "プリンターが オフラインです",
        PrinterState::Error => "プリンターが 印刷できません（エラー・応答なし）",
        PrinterState::NotConfigured => "プリンターなし（受付票はフォルダーへ）",
        PrinterState::Unknown => "プリンター まだ印刷していません",
    }
}

/// A warning on every desk's home.
pub fn warning_line(k: &KioskHealth, w: Warning, now: i64, tz: chrono_tz::Tz) -> String {
    match w {
        Warning::Silent => format!(
            "{}から {} 連絡が ありません（最後: {}）。電源とネットワークを 確認してください",
            k.kiosk_name,
            duration(now - k.seen_at),
            clock(k.seen_at, tz)
        ),
        Warning::Printer(p) => format!("{}: {}", k.kiosk_name, printer_words(p)),
    }
}

/// A kiosk's state row.
pub fn kiosk_line(k: &KioskHealth, now: i64, tz: chrono_tz::Tz) -> String {
    format!(
        "{} · {} · {} · {}から動作中 · 最後の連絡 {}前 · 版 {}",
        k.kiosk_name,
        printer_words(k.printer),
        if k.speech {
            "音声あり"
        } else {
            "音声なし"
        },
        clock(k.running_since, tz),
        duration(now - k.seen_at),
        k.version
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::{arrival, call, kiosk};
    use super::*;

    const TZ: chrono_tz::Tz = chrono_tz::Asia::Tokyo;

    #[test]
    fn rows_read_naturally_and_carry_no_record_data() {
        // 2026-12-07 10:00:00 JST.
        let t = 1_796_605_200;
        let c = call(1, t);
        assert_eq!(
            call_line(&c, t + 12, TZ),
            "1階ロビーで スタッフを 呼んでいます（10:00 · 12秒前）· やさしい日本語 · 音声読み上げ"
        );
        let mut a = arrival(42, t - 8 * 60);
        assert_eq!(
            waiting_line(&a, t, TZ),
            "受付番号 1-0042 · 1階ロビー · 9:52から 8分待ち · 日本語 · キー操作・大きな文字"
        );
        assert_eq!(handling_line(&a), "");
        a.handling_name = Some("佐藤".into());
        assert_eq!(handling_line(&a), "対応中: 佐藤");
        let mut c2 = c.clone();
        c2.answered_by = Some("sato".into());
        c2.answered_name = Some("佐藤".into());
        assert_eq!(answered_line(&c2), "佐藤さんが 1階ロビーへ 向かっています");
        let k = kiosk(t - 300, PrinterState::Ok);
        assert_eq!(
            warning_line(&k, Warning::Silent, t, TZ),
            "1階ロビーから 5分 連絡が ありません（最後: 9:55）。電源とネットワークを 確認してください"
        );
        assert_eq!(duration(3900), "1時間5分");
    }

    #[test]
    fn a_desk_sees_open_calls_recent_answers_waiting_visitors_and_warnings() {
        let t = 1_796_605_200;
        let mut answered = call(2, t - 30);
        answered.answered_by = Some("sato".into());
        answered.answered_name = Some("佐藤".into());
        answered.answered_at = Some(t - 20);
        let mut old = call(3, t - 600);
        old.answered_by = Some("sato".into());
        old.answered_at = Some(t - 590);
        let mut mine = arrival(5, t - 60);
        mine.handling_by = Some("sato".into());
        mine.handling_name = Some("佐藤".into());
        let l = Lobby {
            now: t,
            calls: vec![call(1, t - 5), answered, old, call(4, t - 3600)],
            arrivals: vec![arrival(4, t - 120), mine],
            kiosks: vec![kiosk(t - 10, PrinterState::CoverOpen)],
        };
        let r = rows(&l, TZ, "sato");
        assert_eq!(r.calls.len(), 1, "the expired call is not offered");
        assert_eq!(r.calls[0].0, 1);
        assert_eq!(r.answered, ["佐藤さんが 1階ロビーへ 向かっています"]);
        assert_eq!(r.waiting.len(), 2);
        assert!(!r.waiting[0].mine && r.waiting[1].mine);
        assert_eq!(r.waiting[1].handling, "対応中: 佐藤");
        assert_eq!(
            r.warnings,
            ["1階ロビー: プリンターの カバーが 開いています"]
        );
        assert!(
            r.kiosks[0].starts_with("1階ロビー · プリンターの カバーが 開いています · 音声あり")
        );
    }
}
