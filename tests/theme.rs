//! The theme file keeps its promises: every text colour pair it lists is at least 7:1 (WCAG
//! AAA, the desk's pairs included), body text ≥ 32 px and
//! touch targets ≥ 96 px at 1080 px height; and it is the only file with colours and sizes.

use std::collections::HashMap;

fn theme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ui/theme.slint"))
        .unwrap_or_else(|e| panic!("ui/theme.slint: {e}"))
}

fn luminance(hex: &str) -> f64 {
    let v: Vec<f64> = (0..3)
        .map(|i| {
            u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16)
                .map(f64::from)
                .unwrap_or_else(|e| panic!("{hex}: {e}"))
                / 255.0
        })
        .map(|c| {
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        })
        .collect();
    0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn colours(src: &str) -> HashMap<String, String> {
    src.lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix("out property <color> ")?;
            let (name, rest) = l.split_once(':')?;
            let hex = rest.trim().trim_start_matches('#').trim_end_matches(';');
            Some((name.trim().to_string(), hex[..6].to_string()))
        })
        .collect()
}

/// The pairs written in the comment block that starts with `start` (after it on its line),
/// up to the next line that is not a comment.
fn pairs_after(src: &str, start: &str) -> Vec<(String, String)> {
    let mut lines = src.lines().skip_while(|l| !l.contains(start));
    let first = lines
        .next()
        .and_then(|l| l.split_once(start))
        .map_or("", |(_, rest)| rest);
    let rest = lines
        .take_while(|l| l.trim_start().starts_with("//"))
        .map(|l| l.trim_start().trim_start_matches("//"));
    std::iter::once(first)
        .chain(rest)
        .map(|l| l.replace("desk:", ""))
        .collect::<Vec<_>>()
        .join(",")
        .split(',')
        .filter_map(|p| p.trim().split_once(" on "))
        .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
        .collect()
}

fn pair_contrast(colours: &HashMap<String, String>, fg: &str, bg: &str) -> f64 {
    let (Some(f), Some(b)) = (colours.get(fg), colours.get(bg)) else {
        panic!("unknown colour in pair {fg} on {bg}")
    };
    contrast(f, b)
}

#[test]
fn text_colour_pairs_are_at_least_7_to_1() {
    let src = theme();
    let colours = colours(&src);
    let pairs = pairs_after(&src, "// Colours. contrast:");
    assert!(pairs.len() >= 30, "pairs listed in theme.slint: {pairs:?}");
    for p in [
        "fg-soft on stripe",
        "error-text on error",
        "fg on rating-2",
        // The map screen's marked and unmarked places (SHEET.md §3).
        "map-marked-text on map-marked",
        "map-place-text on map-place",
        "map-branch-text on map-branch",
    ] {
        let (a, b) = p.split_once(" on ").unwrap_or_default();
        assert!(
            pairs.iter().any(|(x, y)| x == a && y == b),
            "the pair {p} is listed"
        );
    }
    for (fg, bg) in &pairs {
        let c = pair_contrast(&colours, fg, bg);
        assert!(c >= 7.0, "{fg} on {bg}: {c:.2}:1 is below 7:1");
    }
}

/// Every colour and every length in px comes from ui/theme.slint: no other .slint file holds
/// a colour literal, nor a px length other than 0px, 1px and 2px (tolerances and a hidden
/// 1 px element in the kiosk; no visible size).
#[test]
fn no_colour_or_px_literal_outside_the_theme() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/ui");
    let mut files = Vec::new();
    for dir in [root.to_string(), format!("{root}/widgets")] {
        for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}")) {
            let p = e.map(|e| e.path()).unwrap_or_default();
            if p.extension().is_some_and(|x| x == "slint") && !p.ends_with("theme.slint") {
                files.push(p);
            }
        }
    }
    assert!(files.len() >= 30, "{files:?}");
    let mut found = Vec::new();
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap_or_default();
        for (n, line) in src.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            let b = code.as_bytes();
            for (i, _) in code.match_indices('#') {
                let hex = b[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_hexdigit())
                    .count();
                if matches!(hex, 3 | 4 | 6 | 8) {
                    found.push(format!("{}:{}: colour {}", f.display(), n + 1, &code[i..]));
                }
            }
            for (i, _) in code.match_indices("px") {
                let digits = b[..i]
                    .iter()
                    .rev()
                    .take_while(|c| c.is_ascii_digit() || **c == b'.')
                    .count();
                let before = b[..i - digits].last().copied().unwrap_or(b' ');
                if digits == 0 || before.is_ascii_alphanumeric() || before == b'-' || before == b'_'
                {
                    continue;
                }
                let value = &code[i - digits..i];
                if !["0", "1", "2"].contains(&value) {
                    found.push(format!("{}:{}: {value}px", f.display(), n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "literals outside ui/theme.slint:\n{}",
        found.join("\n")
    );
}

fn reference_px(src: &str, name: &str) -> f64 {
    let line = src
        .lines()
        .find(|l| l.contains(&format!("<length> {name}:")))
        .unwrap_or_else(|| panic!("no {name} in theme"));
    let expr = line.split(':').nth(1).unwrap_or_default();
    expr.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{name}: {expr}"))
}

#[test]
fn body_text_and_touch_targets_are_big_enough() {
    let src = theme();
    assert!(reference_px(&src, "body") >= 32.0);
    assert!(
        reference_px(&src, "small") >= 30.0,
        "small text is still near body size"
    );
    for t in ["touch", "bar-touch", "big-touch"] {
        assert!(reference_px(&src, t) >= 96.0, "{t}");
    }
    assert!(src.contains("large ? 1.4 : 1.0"), "おおきい is ×1.4");
}
