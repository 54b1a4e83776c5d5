//! The theme file keeps its promises: every text colour pair it lists is at least 7:1 (WCAG
//! AAA), body text ≥ 32 px and touch targets ≥ 96 px at 1080 px height.

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

#[test]
fn text_colour_pairs_are_at_least_7_to_1() {
    let src = theme();
    let colours: HashMap<String, String> = src
        .lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix("out property <color> ")?;
            let (name, rest) = l.split_once(':')?;
            let hex = rest.trim().trim_start_matches('#').trim_end_matches(';');
            Some((name.trim().to_string(), hex[..6].to_string()))
        })
        .collect();
    let pairs_line: String = src
        .lines()
        .skip_while(|l| !l.contains("// Colours. contrast:"))
        .take_while(|l| l.trim_start().starts_with("//"))
        .map(|l| {
            l.trim_start()
                .trim_start_matches("//")
                .replace("Colours. contrast:", "")
        })
        .collect::<Vec<_>>()
        .join(",");
    let pairs: Vec<(&str, &str)> = pairs_line
        .split(',')
        .filter_map(|p| p.trim().split_once(" on "))
        .collect();
    assert!(pairs.len() >= 10, "pairs listed in theme.slint: {pairs:?}");
    for (fg, bg) in pairs {
        let (f, b) = (colours.get(fg.trim()), colours.get(bg.trim()));
        let (Some(f), Some(b)) = (f, b) else {
            panic!("unknown colour in pair {fg} on {bg}")
        };
        let c = contrast(f, b);
        assert!(c >= 7.0, "{fg} on {bg}: {c:.2}:1 is below 7:1");
    }
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
