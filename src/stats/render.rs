//! The three renderings of a `StatsReport`. Table and CSV share one grid of cells; the CSV
//! has every column (one per route, language and stopping point), the terminal table the core
//! figures with the rest summarised below it.

use serde_json::{Map, Value, json};

use super::figures::{At, Figures};
use super::{By, StatsReport};
use crate::lang::Lang;

/// (header, value) of the core figures, in the order staff read them.
fn core(f: &Figures) -> [(&'static str, u64); 7] {
    [
        ("開始", f.started),
        ("完了", f.completed),
        ("中断", f.abandoned),
        ("放置リセット", f.idle_resets),
        ("印刷", f.slips_printed),
        ("印刷失敗", f.print_failures),
        ("スタッフ呼出", f.staff_calls),
    ]
}

fn extra(f: &Figures) -> [(&'static str, u64); 2] {
    [
        ("終了記録なし", f.interrupted),
        ("大きい文字", f.large_text),
    ]
}

fn lang_label(id: &str) -> String {
    match id.parse::<Lang>() {
        Ok(Lang::Ja) => "日本語".into(),
        Ok(Lang::JaEasy) => "やさしいにほんご".into(),
        Ok(Lang::En) => "English".into(),
        Err(_) => id.to_string(),
    }
}

/// Language ids to show: the three languages, then any other code found.
fn lang_ids(r: &StatsReport) -> Vec<String> {
    let mut ids: Vec<String> = Lang::ALL.iter().map(|l| l.id().to_string()).collect();
    for k in r.total.languages.keys() {
        if !ids.contains(k) {
            ids.push(k.clone());
        }
    }
    ids
}

/// Stopping points: before the first question, then each question.
fn stops(r: &StatsReport) -> Vec<At> {
    std::iter::once(None)
        .chain((0..r.questions).filter_map(|q| u8::try_from(q).ok().map(Some)))
        .collect()
}

fn stop_label(at: At) -> String {
    match at {
        None => "質問前".into(),
        Some(q) => format!("問{}", u16::from(q) + 1),
    }
}

/// JSON key of a stopping point: `consent` or `q1`… (1-based, as on screen).
fn stop_key(at: At) -> String {
    match at {
        None => "consent".into(),
        Some(q) => format!("q{}", u16::from(q) + 1),
    }
}

struct Grid {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn row_label(r: &StatsReport, by: By) -> (&'static str, Vec<(String, &Figures)>) {
    match by {
        By::Hour => (
            "時刻",
            r.hours
                .iter()
                .enumerate()
                .map(|(h, f)| (format!("{h:02}:00"), f))
                .collect(),
        ),
        _ => (
            "日付",
            r.days
                .iter()
                .map(|(d, f)| (d.format("%Y-%m-%d").to_string(), f))
                .collect(),
        ),
    }
}

/// Every column (CSV), or only the core ones (terminal table).
fn grid(r: &StatsReport, by: By, full: bool) -> Grid {
    if by == By::Route {
        let mut rows: Vec<Vec<String>> = r
            .routes
            .iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    c.id.clone(),
                    get(&r.total.routes, &c.id).to_string(),
                    get(&r.total.routes_first, &c.id).to_string(),
                ]
            })
            .collect();
        rows.push(vec![
            "合計".into(),
            String::new(),
            r.total.routes.values().sum::<u64>().to_string(),
            r.total.routes_first.values().sum::<u64>().to_string(),
        ]);
        return Grid {
            header: ["ルート", "ID", "表示", "1位"].map(String::from).to_vec(),
            rows,
        };
    }
    let (label, lines) = row_label(r, by);
    let langs = lang_ids(r);
    let stops = stops(r);
    let mut header = vec![label.to_string()];
    header.extend(core(&r.total).iter().map(|(h, _)| h.to_string()));
    if full {
        header.extend(r.routes.iter().map(|c| c.name.clone()));
        header.extend(extra(&r.total).iter().map(|(h, _)| h.to_string()));
        header.extend(langs.iter().map(|l| lang_label(l)));
        header.extend(stops.iter().map(|s| format!("中断({})", stop_label(*s))));
        header.extend(
            stops
                .iter()
                .map(|s| format!("放置リセット({})", stop_label(*s))),
        );
    } else {
        header.push("大きい文字".into());
    }
    let cells = |f: &Figures| -> Vec<String> {
        let mut v: Vec<String> = core(f).iter().map(|(_, n)| n.to_string()).collect();
        if full {
            v.extend(r.routes.iter().map(|c| get(&f.routes, &c.id).to_string()));
            v.extend(extra(f).iter().map(|(_, n)| n.to_string()));
            v.extend(langs.iter().map(|l| get(&f.languages, l).to_string()));
            v.extend(stops.iter().map(|s| get(&f.abandoned_at, s).to_string()));
            v.extend(stops.iter().map(|s| get(&f.idle_at, s).to_string()));
        } else {
            v.push(f.large_text.to_string());
        }
        v
    };
    let mut rows: Vec<Vec<String>> = lines
        .into_iter()
        .map(|(l, f)| {
            let mut row = vec![l];
            row.extend(cells(f));
            row
        })
        .collect();
    let mut last = vec!["合計".to_string()];
    last.extend(cells(&r.total));
    rows.push(last);
    Grid { header, rows }
}

fn get<K: Ord + ?Sized, Q: std::borrow::Borrow<K> + Ord>(
    map: &std::collections::BTreeMap<Q, u64>,
    k: &K,
) -> u64 {
    map.get(k).copied().unwrap_or(0)
}

/// RFC 4180 CSV, UTF-8 with BOM, CRLF line ends: what Excel on a Japanese PC opens as UTF-8.
pub(super) fn csv(r: &StatsReport, by: By) -> String {
    let g = grid(r, by, true);
    let mut out = String::from("\u{FEFF}");
    for line in std::iter::once(&g.header).chain(g.rows.iter()) {
        let cells: Vec<String> = line.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Display width in a terminal: East Asian wide and full-width characters take two cells.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match u32::from(c) {
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

fn pad(s: &str, w: usize, right: bool) -> String {
    let fill = " ".repeat(w.saturating_sub(width(s)));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

fn aligned(g: &Grid, text_cols: usize) -> String {
    let n = g.header.len();
    let widths: Vec<usize> = (0..n)
        .map(|i| {
            std::iter::once(&g.header)
                .chain(g.rows.iter())
                .filter_map(|row| row.get(i))
                .map(|c| width(c))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in std::iter::once(&g.header).chain(g.rows.iter()) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| pad(c, *w, i >= text_cols))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// An aligned table for a terminal, with totals by language, stopping point and route below.
pub(super) fn table(r: &StatsReport, by: By) -> String {
    let title = format!(
        "{} 〜 {}\n",
        r.from.format("%Y-%m-%d"),
        r.to.format("%Y-%m-%d")
    );
    if by == By::Route {
        return title + &aligned(&grid(r, by, false), 2);
    }
    let mut out = title + &aligned(&grid(r, by, false), 1);
    let t = &r.total;
    let list = |items: Vec<(String, u64)>| -> String {
        let shown: Vec<String> = items
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(l, n)| format!("{l} {n}"))
            .collect();
        if shown.is_empty() {
            "なし".into()
        } else {
            shown.join(" / ")
        }
    };
    let langs = lang_ids(r)
        .iter()
        .map(|l| (lang_label(l), get(&t.languages, l)))
        .collect();
    out.push_str(&format!("\n言語: {}\n", list(langs)));
    let at = |m: &std::collections::BTreeMap<At, u64>| {
        list(
            stops(r)
                .iter()
                .map(|s| (stop_label(*s), get(m, s)))
                .collect(),
        )
    };
    out.push_str(&format!("中断した場所: {}\n", at(&t.abandoned_at)));
    out.push_str(&format!("放置リセットの場所: {}\n", at(&t.idle_at)));
    if t.interrupted > 0 {
        out.push_str(&format!("終了記録なし (電源断など): {}\n", t.interrupted));
    }
    out.push_str("\nルート (表示 / 1位):\n");
    let mut g = grid(r, By::Route, false);
    g.rows.pop();
    g.header = vec![String::new(); g.header.len()];
    let routes = aligned(&g, 2);
    for line in routes.lines().skip(1) {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn figures_json(r: &StatsReport, f: &Figures) -> Map<String, Value> {
    let mut m = Map::new();
    for (k, n) in [
        ("started", f.started),
        ("completed", f.completed),
        ("abandoned", f.abandoned),
        ("idle_resets", f.idle_resets),
        ("interrupted", f.interrupted),
        ("slips_printed", f.slips_printed),
        ("print_failures", f.print_failures),
        ("staff_calls", f.staff_calls),
        ("large_text", f.large_text),
    ] {
        m.insert(k.into(), n.into());
    }
    let at = |map: &std::collections::BTreeMap<At, u64>| -> Value {
        Value::Object(
            map.iter()
                .filter(|e| *e.1 > 0)
                .map(|(k, n)| (stop_key(*k), Value::from(*n)))
                .collect(),
        )
    };
    m.insert("abandoned_at".into(), at(&f.abandoned_at));
    m.insert("idle_at".into(), at(&f.idle_at));
    let per_route = |map: &std::collections::BTreeMap<String, u64>| -> Value {
        Value::Object(
            r.routes
                .iter()
                .map(|c| (c.id.clone(), Value::from(get(map, &c.id))))
                .collect(),
        )
    };
    m.insert("routes".into(), per_route(&f.routes));
    m.insert("routes_first".into(), per_route(&f.routes_first));
    m.insert(
        "languages".into(),
        Value::Object(
            lang_ids(r)
                .into_iter()
                .map(|l| {
                    let n = get(&f.languages, &l);
                    (l, Value::from(n))
                })
                .collect(),
        ),
    );
    m
}

pub(super) fn json(r: &StatsReport, by: By) -> Value {
    let mut top = Map::new();
    top.insert("from".into(), r.from.format("%Y-%m-%d").to_string().into());
    top.insert("to".into(), r.to.format("%Y-%m-%d").to_string().into());
    match by {
        By::Day => {
            let days: Vec<Value> = r
                .days
                .iter()
                .map(|(d, f)| {
                    let mut m = Map::new();
                    m.insert("date".into(), d.format("%Y-%m-%d").to_string().into());
                    m.extend(figures_json(r, f));
                    Value::Object(m)
                })
                .collect();
            top.insert("days".into(), days.into());
        }
        By::Hour => {
            let hours: Vec<Value> = r
                .hours
                .iter()
                .enumerate()
                .map(|(h, f)| {
                    let mut m = Map::new();
                    m.insert("hour".into(), h.into());
                    m.extend(figures_json(r, f));
                    Value::Object(m)
                })
                .collect();
            top.insert("hours".into(), hours.into());
        }
        By::Route => {
            let routes: Vec<Value> = r
                .routes
                .iter()
                .map(|c| {
                    json!({
                        "id": c.id,
                        "name": c.name,
                        "recommended": get(&r.total.routes, &c.id),
                        "first": get(&r.total.routes_first, &c.id),
                    })
                })
                .collect();
            top.insert("routes".into(), routes.into());
        }
    }
    top.insert("total".into(), Value::Object(figures_json(r, &r.total)));
    Value::Object(top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_take_two_cells() {
        assert_eq!(width("開始"), 4);
        assert_eq!(width("ab"), 2);
        assert_eq!(width("ハローワーク（一般枠）"), 22);
        assert_eq!(pad("完了", 6, true), "  完了");
    }

    #[test]
    fn csv_cells_are_quoted_when_needed() {
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("就労移行支援"), "就労移行支援");
    }
}
