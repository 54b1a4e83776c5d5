//! PRODUCT.md §11: answers → match → payload → QR → raster → ESC/POS bytes ≤ 20 ms (release).
//! Content and fonts are loaded once, as the kiosk does at start.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hatarakitai::answers::Answers;
use hatarakitai::config::CentreConfig;
use hatarakitai::content::Content;
use hatarakitai::lang::Lang;
use hatarakitai::matcher;
use hatarakitai::payload::{self, CentreKey, VisitRecord};
use hatarakitai::printer::escpos;
use hatarakitai::slip::{self, SlipData, SlipFonts};

const FULL: &str = "goal=train_first,days=d3_4,health=sometimes,rhythm=mostly,income=some,disclose=open,techo=applying,commute=near";

fn bench(c: &mut Criterion) {
    let content = Content::embedded().expect("bundled content");
    let fonts = SlipFonts::bundled().expect("bundled fonts");
    let key = CentreKey {
        id: 1,
        key: [7; 32],
    };
    let centre = CentreConfig {
        phone: "072-000-0000".into(),
        hours: "平日 9:00〜17:30".into(),
        ..CentreConfig::default()
    };
    let issued = chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
        .and_then(|d| d.and_hms_opt(14, 5, 0))
        .expect("date");
    let mut serial = 0u32;
    for (lang, dots) in [
        (Lang::Ja, 576),
        (Lang::JaEasy, 576),
        (Lang::En, 576),
        (Lang::JaEasy, 384),
    ] {
        c.bench_function(
            &format!("slip {lang} {dots}: answers to ESC/POS bytes"),
            |b| {
                b.iter(|| {
                    serial = serial.wrapping_add(1);
                    let answers = Answers::parse_kv(&content.questionnaire, black_box(FULL))
                        .expect("answers");
                    let outcome = matcher::match_answers(&content, &answers);
                    let record = VisitRecord::from_visit(
                        &content,
                        &answers,
                        &outcome,
                        lang,
                        1,
                        serial,
                        1_795_583_100,
                    )
                    .expect("record");
                    let text = payload::encode(&record, &key, [serial as u8; 24]).expect("payload");
                    let receipt = record.receipt_no(chrono_tz::Asia::Tokyo);
                    let data = SlipData::for_visit(
                        &content, &outcome, lang, &centre, issued, receipt, text,
                    );
                    let bitmap = slip::render(&data, &fonts, dots);
                    black_box(escpos::encode(&bitmap))
                })
            },
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
