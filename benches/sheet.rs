//! SHEET.md §3: answers → match → take-home sheet raster (80 mm) ≤ 50 ms (release), and the
//! ESC/POS bytes; the A4 PDF for comparison. Content, map and fonts are loaded once, as the
//! kiosk does at start. Three matched routes (the sheet's longest case: it may be laid out
//! more than once to stay within 25 cm).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hatarakitai::answers::Answers;
use hatarakitai::config::{CentreConfig, default_procedures};
use hatarakitai::content::{Content, SheetTree};
use hatarakitai::lang::Lang;
use hatarakitai::matcher;
use hatarakitai::printer::escpos;
use hatarakitai::sheet::{SheetData, pdf, raster};
use hatarakitai::slip::SlipFonts;

const FULL: &str = "goal=work_now,days=d5,health=stable,income=salary,disclose=open,techo=yes";

fn bench(c: &mut Criterion) {
    let content = Content::embedded().expect("bundled content");
    let tree = SheetTree::embedded(&content.catalogue).expect("bundled map");
    let fonts = SlipFonts::bundled().expect("bundled fonts");
    let centre = CentreConfig {
        phone: "072-000-0000".into(),
        hours: "平日 9:00〜17:30".into(),
        ..CentreConfig::default()
    };
    let procedures = default_procedures();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
    for lang in Lang::ALL {
        c.bench_function(
            &format!("sheet {lang} 576: answers to raster and ESC/POS"),
            |b| {
                b.iter(|| {
                    let answers = Answers::parse_kv(&content.questionnaire, black_box(FULL))
                        .expect("answers");
                    let outcome = matcher::match_answers(&content, &answers);
                    let data = SheetData::build(
                        &content,
                        &tree,
                        &outcome,
                        lang,
                        &centre,
                        &procedures,
                        &[],
                        date,
                        true,
                    );
                    let r = raster::render(&data, &fonts, 576);
                    black_box(escpos::encode(&r.bitmap))
                })
            },
        );
    }
    c.bench_function("sheet ja A4 PDF", |b| {
        b.iter(|| {
            let answers = Answers::parse_kv(&content.questionnaire, FULL).expect("answers");
            let outcome = matcher::match_answers(&content, &answers);
            let data = SheetData::build(
                &content,
                &tree,
                &outcome,
                Lang::Ja,
                &centre,
                &procedures,
                &[],
                date,
                true,
            );
            black_box(pdf::render(&data).expect("pdf"))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
