//! Shared by the slip, payload and printer tests: a real visit (content → matcher → payload)
//! and a QR reader for bitmaps.
#![allow(dead_code)]

use hatarakitai::answers::Answers;
use hatarakitai::config::CentreConfig;
use hatarakitai::content::Content;
use hatarakitai::lang::Lang;
use hatarakitai::matcher;
use hatarakitai::payload::{self, CentreKey, VisitRecord};
use hatarakitai::slip::{Bitmap, SlipData};

/// Every question answered.
pub const FULL: &str = "goal=train_first,days=d3_4,health=sometimes,rhythm=mostly,income=some,disclose=open,techo=applying,commute=near";

pub fn key() -> CentreKey {
    CentreKey {
        id: 7,
        key: [0x42; 32],
    }
}

/// 2026-11-25 14:05 JST.
pub const ISSUED_AT: i64 = 1_795_583_100;

pub fn issued_local() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
        .unwrap()
        .and_hms_opt(14, 5, 0)
        .unwrap()
}

pub fn centre() -> CentreConfig {
    CentreConfig {
        name: "高槻市障がい者就業・生活支援センター".into(),
        phone: "072-000-0000".into(),
        hours: "平日 9:00〜17:30".into(),
        timezone: "Asia/Tokyo".into(),
    }
}

/// A visit as the kiosk makes it: its record, QR text and slip.
pub fn visit(
    content: &Content,
    answers: &str,
    lang: Lang,
    serial: u32,
) -> (VisitRecord, String, SlipData) {
    let a = Answers::parse_kv(&content.questionnaire, answers).unwrap();
    let outcome = matcher::match_answers(content, &a);
    let rec = VisitRecord::from_visit(content, &a, &outcome, lang, 1, serial, ISSUED_AT).unwrap();
    let text = payload::encode(&rec, &key(), [serial as u8; 24]).unwrap();
    let receipt = rec.receipt_no(chrono_tz::Asia::Tokyo);
    let data = SlipData::for_visit(
        content,
        &outcome,
        lang,
        &centre(),
        issued_local(),
        receipt,
        text.clone(),
    );
    (rec, text, data)
}

/// Every QR code rqrr finds in the bitmap: (text, width in dots, version).
pub fn read_qr(b: &Bitmap) -> Vec<(String, u32, usize)> {
    let luma = b.to_luma8();
    let w = b.width as usize;
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(w, b.height as usize, |x, y| luma[y * w + x]);
    img.detect_grids()
        .into_iter()
        .filter_map(|g| {
            let (meta, text) = g.decode().ok()?;
            let xs = g.bounds.iter().map(|p| p.x);
            let width = (xs.clone().max()? - xs.min()?) as u32;
            Some((text, width, meta.version.0))
        })
        .collect()
}
