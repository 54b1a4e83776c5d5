//! The slip bitmap (PRODUCT.md §5): for both paper widths and all three languages the QR on
//! the bitmap reads back as the payload, is at least 30 mm wide, and no text runs off the
//! paper. `cargo test --test slip -- --ignored` writes sample PNGs to /tmp/slips.

mod common;

use hatarakitai::content::Content;
use hatarakitai::lang::Lang;
use hatarakitai::slip::{self, Bitmap, SlipData, SlipFonts};

fn fonts() -> SlipFonts {
    SlipFonts::bundled().unwrap()
}

/// No dot in the outer `n` columns: nothing was clipped at the paper's edge.
fn edges_are_white(b: &Bitmap, n: u32) -> bool {
    (0..b.height).all(|y| (0..n).all(|x| !b.get(x, y) && !b.get(b.width - 1 - x, y)))
}

#[test]
fn qr_reads_back_on_both_widths_in_every_language() {
    let content = Content::embedded().unwrap();
    let fonts = fonts();
    for lang in Lang::ALL {
        let (_, payload, data) = common::visit(&content, common::FULL, lang, 23);
        assert!(!data.routes.is_empty());
        for dots in [576, 384] {
            let b = slip::render(&data, &fonts, dots);
            assert_eq!(b.width, dots);
            assert!(
                b.height > 600 && b.height < 3000,
                "{lang} {dots}: height {}",
                b.height
            );
            let found = common::read_qr(&b);
            assert_eq!(found.len(), 1, "{lang} {dots}");
            let (text, width, _) = &found[0];
            assert_eq!(text, &payload, "{lang} {dots}");
            // ≥ 30 mm at 8 dots/mm (the finder-pattern bounds span the whole symbol).
            assert!(*width >= 240, "{lang} {dots}: QR {width} dots wide");
            assert!(
                edges_are_white(&b, 4),
                "{lang} {dots}: ink at the paper edge"
            );
        }
    }
}

#[test]
fn rendering_is_a_pure_function() {
    let content = Content::embedded().unwrap();
    let fonts = fonts();
    let (_, _, data) = common::visit(&content, common::FULL, Lang::JaEasy, 5);
    let a = slip::render(&data, &fonts, 576);
    let b = slip::render(&data, &fonts, 576);
    assert_eq!(a, b);
    // The kiosk preview is the very same bitmap.
    let t = slip::ticket(&a, &data.payload, &data.receipt_no);
    assert_eq!((t.width, t.height), (a.width, a.height));
    assert_eq!(
        Bitmap::from_luma8(t.width, t.height, &t.luma, 128).unwrap(),
        a
    );
}

#[test]
fn long_texts_wrap_inside_the_paper() {
    let content = Content::embedded().unwrap();
    let fonts = fonts();
    let (_, payload, mut data) = common::visit(&content, common::FULL, Lang::En, 9);
    data.centre_name =
        "Supercalifragilisticexpialidocious-Employment-and-Life-Support-Centre-of-Takatsuki".into();
    data.routes.push((
        "ハローワーク（障がい者枠）".repeat(4),
        "障がいを伝えて働く（オープン就労）。".repeat(6),
    ));
    data.hours = "平日 9:00〜17:30（土日祝・年末年始は休み。第3水曜日は午後のみ）".into();
    for dots in [576, 384] {
        let b = slip::render(&data, &fonts, dots);
        assert!(edges_are_white(&b, 4), "{dots}");
        assert_eq!(common::read_qr(&b)[0].0, payload);
    }
}

#[test]
fn empty_optional_parts_are_left_out() {
    let fonts = fonts();
    let data = SlipData {
        lang: Lang::Ja,
        centre_name: "センター".into(),
        title: slip::title(Lang::Ja).into(),
        issued: common::issued_local(),
        receipt_no: "1125-001".into(),
        routes: vec![],
        handoff_line: String::new(),
        instruction: slip::instruction(Lang::Ja).into(),
        payload: hatarakitai::payload::test_payload(),
        phone: String::new(),
        hours: String::new(),
    };
    let b = slip::render(&data, &fonts, 576);
    assert_eq!(common::read_qr(&b)[0].0, data.payload);
}

#[test]
fn dates_in_each_language() {
    let t = common::issued_local();
    assert_eq!(slip::format_issued(Lang::Ja, t), "2026年11月25日(水) 14:05");
    assert_eq!(slip::format_issued(Lang::En, t), "Wed 25 Nov 2026, 14:05");
    let easy = slip::format_issued(Lang::JaEasy, t);
    assert_eq!(
        hatarakitai::content::text::plain(&easy),
        "2026年11月25日(水) 14:05"
    );
    assert!(easy.contains("{水|すい}"));
    let first = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    assert!(slip::format_issued(Lang::JaEasy, first).contains("{1日|ついたち}"));
}

#[test]
fn bitmap_png_round_trip_reads_back() {
    let content = Content::embedded().unwrap();
    let (_, payload, data) = common::visit(&content, common::FULL, Lang::Ja, 1);
    let b = slip::render(&data, &fonts(), 384);
    let png = b.to_png().unwrap();
    let back = Bitmap::from_png(&png).unwrap();
    assert_eq!(back, b);
    assert_eq!(common::read_qr(&back)[0].0, payload);
}

/// Sample slips for looking at (ja, ja-easy, en on 80 mm and 58 mm paper), written to
/// $SLIP_SAMPLES or a temporary folder; each must read back as a PNG with its QR.
#[test]
fn write_samples() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("SLIP_SAMPLES")
        .map_or_else(|| tmp.path().to_path_buf(), std::path::PathBuf::from);
    std::fs::create_dir_all(&dir).unwrap();
    let content = Content::embedded().unwrap();
    let fonts = fonts();
    for lang in Lang::ALL {
        let (_, _, data) = common::visit(&content, common::FULL, lang, 23);
        for dots in [576, 384] {
            let b = slip::render(&data, &fonts, dots);
            let path = dir.join(format!("slip-{lang}-{dots}.png"));
            std::fs::write(&path, b.to_png().unwrap()).unwrap();
            let back = slip::Bitmap::from_png(&std::fs::read(&path).unwrap()).unwrap();
            assert_eq!(common::read_qr(&back)[0].0, data.payload);
        }
    }
}
