//! The visitor's take-home sheet (SHEET.md): the map with the visitor's routes, their details
//! and public contacts; within 25 cm on 80 mm paper; no QR; one A4 page read back by poppler.
//! The poppler (`pdftotext`, `pdfinfo`) and zbar (`zbarimg`) checks run when those tools are
//! installed (`apt-get install poppler-utils zbar-tools`) and say so in one line when not.

use std::path::Path;
use std::process::{Command, Output};

use hatarakitai::answers::Answers;
use hatarakitai::config::CentreConfig;
use hatarakitai::content::{Content, SheetTree};
use hatarakitai::lang::Lang;
use hatarakitai::matcher::{match_answers, space};
use hatarakitai::network::agency::PublicContact;
use hatarakitai::sheet::raster::{self, MAX_DOTS};
use hatarakitai::sheet::{SheetData, pdf};
use hatarakitai::slip::SlipFonts;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hatarakitai"))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn have(tool: &str) -> bool {
    let ok = Command::new(tool).arg("-v").output().is_ok();
    if !ok {
        eprintln!(
            "{tool} is not installed: this check is skipped (apt-get install poppler-utils zbar-tools)"
        );
    }
    ok
}

const AGENCIES: &str = r#"
[[agency]]
id = "hw-takatsuki"
name = "ハローワーク高槻"
kind = "ハローワーク"
routes = ["hellowork_open", "hellowork_closed"]
public = true
address = "高槻市城北町1-7-16"
phone = "072-675-0600"
hours = "平日 8:30〜17:15"

[[agency]]
id = "ikou-private"
name = "非公開の移行支援事業所"
kind = "就労移行支援"
routes = ["ikou", "kaihatsuko"]
phone = "072-999-9999"

[[agency]]
id = "kaihatsu"
name = "大阪障害者職業能力開発校"
kind = "能力開発校"
routes = ["kaihatsuko", "itaku_kunren"]
public = true
phone = "072-621-3500"
"#;

const CONFIG: &str = r#"
[centre]
name = "高槻市障がい者就業・生活支援センター"
phone = "072-000-1234"
hours = "平日 9:00〜17:30"

[content]
agencies = "agencies.toml"
"#;

fn setup(dir: &Path) -> std::path::PathBuf {
    std::fs::write(dir.join("agencies.toml"), AGENCIES).unwrap();
    let cfg = dir.join("kiosk.toml");
    std::fs::write(&cfg, CONFIG).unwrap();
    cfg
}

fn sheet(dir: &Path, cfg: &Path, answers: &str, lang: &str, out: &str, extra: &[&str]) -> Output {
    bin()
        .args([
            "--data-dir",
            dir.to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
        ])
        .args(["sheet", "--answers", answers, "--lang", lang, "--out"])
        .arg(dir.join(out))
        .args(extra)
        .output()
        .unwrap()
}

const HELLOWORK: &str = "goal=work_now,days=d5,health=stable,income=salary,disclose=open,techo=yes";
const TRAINING: &str = "goal=train_first,days=d5,commute=far_ok,health=stable";

#[test]
fn the_pdf_read_back_by_poppler_names_the_routes_and_phones_on_one_page() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = setup(dir.path());
    for (answers, lang, must) in [
        (
            HELLOWORK,
            "ja",
            vec![
                "ハローワーク（障がい者枠）",
                "072-675-0600",
                "ハローワーク高槻",
                "072-000-1234",
                "※手続きは障がい福祉課",
                "働くためには？",
                "求人雑誌",
            ],
        ),
        (
            TRAINING,
            "ja",
            vec!["障害者職業能力開発校", "072-621-3500", "072-000-1234"],
        ),
        (
            HELLOWORK,
            "en",
            vec!["Hello Work", "072-675-0600", "072-000-1234", "Ways to work"],
        ),
        (
            HELLOWORK,
            "ja-easy",
            vec!["072-675-0600", "072-000-1234", "ハローワーク"],
        ),
    ] {
        let o = sheet(dir.path(), &cfg, answers, lang, "s.pdf", &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["format"], "pdf");
        let pdf = std::fs::read(dir.path().join("s.pdf")).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        if !have("pdftotext") {
            return;
        }
        let t = Command::new("pdftotext")
            .arg(dir.path().join("s.pdf"))
            .arg("-")
            .output()
            .unwrap();
        assert!(t.status.success());
        let text = String::from_utf8_lossy(&t.stdout);
        for m in must {
            assert!(text.contains(m), "{lang} {answers}: `{m}` not in\n{text}");
        }
        // A directory entry that is not public is never printed.
        assert!(
            !text.contains("072-999-9999") && !text.contains("非公開"),
            "{text}"
        );
        let info = Command::new("pdfinfo")
            .arg(dir.path().join("s.pdf"))
            .output()
            .unwrap();
        let info = String::from_utf8_lossy(&info.stdout);
        assert!(
            info.lines()
                .any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")),
            "{info}"
        );
        assert!(
            info.contains("595.28 x 841.89") || info.contains("595 x 842"),
            "{info}"
        );
    }
}

#[test]
fn the_take_home_raster_has_no_code_and_the_staff_slip_still_has_its_qr() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = setup(dir.path());
    let o = sheet(dir.path(), &cfg, HELLOWORK, "ja-easy", "s.png", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["height"].as_u64().unwrap() <= u64::from(MAX_DOTS), "{v}");
    assert_eq!(v["width"], 576);
    let png = std::fs::read(dir.path().join("s.png")).unwrap();
    // 1-bit: no greys.
    let decoder = png::Decoder::new(std::io::Cursor::new(&png));
    let reader = decoder.read_info().unwrap();
    assert_eq!(reader.info().bit_depth, png::BitDepth::One);
    let slip = bin()
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
        ])
        .args(["slip", "--answers", HELLOWORK, "--out"])
        .arg(dir.path().join("slip.png"))
        .output()
        .unwrap();
    assert!(slip.status.success(), "{}", stderr(&slip));
    if !have("zbarimg") {
        return;
    }
    let z = Command::new("zbarimg")
        .arg("-q")
        .arg(dir.path().join("s.png"))
        .output()
        .unwrap();
    assert!(
        z.stdout.is_empty(),
        "a code on the take-home sheet: {}",
        String::from_utf8_lossy(&z.stdout)
    );
    assert_eq!(z.status.code(), Some(4), "zbarimg: no symbol found");
    let z = Command::new("zbarimg")
        .arg("-q")
        .arg(dir.path().join("slip.png"))
        .output()
        .unwrap();
    let found = String::from_utf8_lossy(&z.stdout);
    assert!(found.starts_with("QR-Code:HT1"), "{found}");
}

#[test]
fn an_unknown_extension_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = setup(dir.path());
    for out in ["s.jpg", "s"] {
        let o = sheet(dir.path(), &cfg, HELLOWORK, "ja", out, &[]);
        assert_eq!(o.status.code(), Some(2), "{out}");
        assert!(
            stderr(&o).contains(".png") && stderr(&o).contains(".pdf"),
            "{}",
            stderr(&o)
        );
        assert!(!dir.path().join(out).exists());
    }
    let o = sheet(dir.path(), &cfg, "goal=nope", "ja", "s.png", &[]);
    assert_eq!(o.status.code(), Some(2));
    let o = sheet(dir.path(), &cfg, HELLOWORK, "fr", "s.png", &[]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn unmarked_says_nothing_about_the_visitor() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = setup(dir.path());
    let o = sheet(
        dir.path(),
        &cfg,
        "goal=place_to_go,health=unstable,days=d1_2",
        "ja",
        "u.pdf",
        &["--unmarked"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["marked"], false);
    assert_eq!(v["routes"].as_array().unwrap().len(), 0);
    if have("pdftotext") {
        let t = Command::new("pdftotext")
            .arg(dir.path().join("u.pdf"))
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&t.stdout);
        assert!(
            !text.contains('①') && !text.contains("あなたに合いそう"),
            "{text}"
        );
        assert!(
            text.contains("デイケア") && text.contains("072-000-1234"),
            "{text}"
        );
    }
}

#[test]
fn check_config_refuses_a_map_without_a_route_and_a_public_entry_without_phone() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("kiosk.toml");
    let map = hatarakitai::content::sheet::EMBEDDED_SHEET.replacen("route = \"daycare\"\n", "", 1);
    std::fs::write(dir.path().join("sheet.toml"), map).unwrap();
    std::fs::write(&cfg, "[content]\nsheet = \"sheet.toml\"\n").unwrap();
    let o = bin()
        .args(["check-config", cfg.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("sheet.toml") && e.contains("field `branch`") && e.contains("route `daycare`"),
        "{e}"
    );
    let map = hatarakitai::content::sheet::EMBEDDED_SHEET.replacen(
        "route = \"ikou\"",
        "route = \"iko\"",
        1,
    );
    std::fs::write(dir.path().join("sheet.toml"), &map).unwrap();
    let o = bin()
        .args(["check-config", cfg.to_str().unwrap()])
        .output()
        .unwrap();
    let e = stderr(&o);
    let line = map[..map.find("route = \"iko\"").unwrap()].lines().count() + 1;
    assert!(
        e.contains(&format!(
            "sheet.toml:{line}: field `branch[3].place[1].route`: unknown route id `iko`"
        )),
        "{e}"
    );
    std::fs::write(
        dir.path().join("agencies.toml"),
        "[[agency]]\nid = \"x\"\nname = \"X\"\nkind = \"企業\"\nroutes = [\"ikou\"]\npublic = true\n",
    )
    .unwrap();
    std::fs::write(&cfg, "[content]\nagencies = \"agencies.toml\"\n").unwrap();
    let o = bin()
        .args(["check-config", cfg.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("agencies.toml:6: field `agency[1].phone`"),
        "{e}"
    );
    // The bundled files pass, and the report counts them.
    std::fs::write(&cfg, "").unwrap();
    let o = bin()
        .args(["check-config", cfg.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sheet_places"], 13);
}

fn contacts() -> Vec<PublicContact> {
    hatarakitai::network::agency::public_contacts(
        "agencies.toml",
        AGENCIES,
        &Content::embedded()
            .unwrap()
            .catalogue
            .routes
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>(),
    )
    .unwrap()
}

/// Over a sample of the whole answer space, in every language: ≤ 25 cm, every matched
/// route's name printed with its rank, details left out only with 「くわしくは スタッフに」.
#[test]
fn every_sheet_fits_25_cm_and_prints_what_it_should() {
    let c = Content::embedded().unwrap();
    let tree = SheetTree::embedded(&c.catalogue).unwrap();
    let fonts = SlipFonts::bundled().unwrap();
    let contacts = contacts();
    let centre = CentreConfig {
        phone: "072-000-1234".into(),
        hours: "平日 9:00〜17:30".into(),
        ..CentreConfig::default()
    };
    let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let procedures = hatarakitai::config::default_procedures();
    let mut tallest = (0, String::new());
    let mut dropped = 0;
    for (n, a) in space::iter(&c.questionnaire).enumerate() {
        if n % 2503 != 0 {
            continue;
        }
        let o = match_answers(&c, &a);
        for lang in Lang::ALL {
            let d = SheetData::build(
                &c,
                &tree,
                &o,
                lang,
                &centre,
                &procedures,
                &contacts,
                date,
                true,
            );
            let r = raster::render(&d, &fonts, 576);
            assert!(
                r.bitmap.height <= MAX_DOTS,
                "{lang}: {} dots",
                r.bitmap.height
            );
            if r.bitmap.height > tallest.0 {
                tallest = (
                    r.bitmap.height,
                    format!("{lang} {:?}", a.pairs(&c.questionnaire)),
                );
            }
            let all = r.lines.join("\n");
            for (i, h) in o.routes.iter().enumerate() {
                let name =
                    hatarakitai::content::text::plain(c.catalogue.routes[h.route].name.get(lang));
                let mark = ['①', '②', '③'][i];
                let squeeze = |s: &str| s.split_whitespace().collect::<String>();
                assert!(
                    squeeze(&all).contains(&squeeze(&format!("{mark} {name}"))),
                    "{lang}: {name}\n{all}"
                );
            }
            assert!(all.contains("072-000-1234"), "{all}");
            // The best route's details are always printed.
            if !o.routes.is_empty() {
                assert!(
                    r.dropped < o.routes.len(),
                    "{lang} {:?} {}: no details at all\n{all}",
                    a.pairs(&c.questionnaire),
                    r.bitmap.height
                );
            }
            if r.dropped > 0 {
                dropped += 1;
                assert!(
                    all.contains("くわしくは スタッフに") || all.contains("Ask the staff"),
                    "{all}"
                );
            }
        }
    }
    eprintln!(
        "tallest sheet: {} dots = {:.1} cm ({}); {dropped} sheets left a route's details out",
        tallest.0,
        tallest.0 as f32 / 80.0,
        tallest.1
    );
}

#[test]
fn the_a4_pdf_is_made_in_every_language_marked_or_not() {
    let c = Content::embedded().unwrap();
    let tree = SheetTree::embedded(&c.catalogue).unwrap();
    let a = Answers::parse_kv(&c.questionnaire, TRAINING).unwrap();
    let o = match_answers(&c, &a);
    for lang in Lang::ALL {
        for marked in [true, false] {
            let d = SheetData::build(
                &c,
                &tree,
                &o,
                lang,
                &CentreConfig::default(),
                &hatarakitai::config::default_procedures(),
                &contacts(),
                chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
                marked,
            );
            let bytes = pdf::render(&d).unwrap();
            assert!(bytes.starts_with(b"%PDF-"));
        }
    }
}
