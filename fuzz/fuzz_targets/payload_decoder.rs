//! The slip decoder and the desk's scan cleaner must turn any input into a record or a clear
//! error, never panic. Three shapes of input: raw bytes as text; bytes as edits applied to a
//! valid payload (so the fuzzer reaches the cipher and record checks, not only Base32); and
//! the desk path (`desk::scan::clean` → `payload::decode`).
#![no_main]

use hatarakitai::desk::scan::{self, ScanInput};
use hatarakitai::lang::Lang;
use hatarakitai::payload::{self, CentreKey, VisitRecord};
use libfuzzer_sys::fuzz_target;

const KEY: CentreKey = CentreKey { id: 7, key: [0x42; 32] };
const OTHER: CentreKey = CentreKey { id: 7, key: [0x24; 32] };

fn valid() -> String {
    let rec = VisitRecord {
        kiosk_id: 3,
        serial: 12345,
        issued_at: 1_760_000_000,
        lang: Lang::Ja,
        questionnaire_version: 1,
        answers: vec![Some(0), Some(1), None, Some(2), Some(0), Some(3), None, Some(1)],
        routes: vec![0, 2, 4],
        catalogue_tag: 0xBEEF,
    };
    payload::encode(&rec, &KEY, [9; 24]).expect("fixed record encodes")
}

fn check(text: &str) {
    let keys = [OTHER, KEY];
    if let Ok(rec) = payload::decode(text, &keys) {
        // Whatever decodes must re-encode (a decoded record is a valid record).
        assert!(payload::encode(&rec, &KEY, [1; 24]).is_ok());
        let _ = rec.receipt_no(chrono_tz::Asia::Tokyo);
    } else if let Err(e) = payload::decode(text, &keys) {
        let _ = e.to_string();
    }
    match scan::clean(text) {
        ScanInput::Text(t) => {
            let _ = payload::decode(&t, &keys);
        }
        other => assert!(other.problem().is_some()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    if mode % 2 == 0 {
        check(&String::from_utf8_lossy(rest));
        return;
    }
    // Mutate a valid payload: pairs of (position, byte) overwrite characters.
    let mut bytes = valid().into_bytes();
    for pair in rest.chunks(2) {
        let pos = usize::from(pair[0]) % (bytes.len() + 1);
        let b = pair.get(1).copied().unwrap_or(b'A');
        if pos == bytes.len() {
            bytes.push(b);
        } else if b == 0 {
            bytes.remove(pos);
        } else {
            bytes[pos] = b;
        }
        if bytes.is_empty() {
            break;
        }
    }
    check(&String::from_utf8_lossy(&bytes));
});
