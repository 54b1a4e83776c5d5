//! The QR payload contract (PRODUCT.md §5): round trips, every kind of bad scan rejected with
//! the right reason and never a panic, the size limit, key files and the CLI around them.

mod common;

use data_encoding::BASE32_NOPAD;
use hatarakitai::content::Content;
use hatarakitai::lang::Lang;
use hatarakitai::payload::{
    self, CentreKey, DecodeError, MAX_TEXT_LEN, TEXT_LEN, VisitRecord, decode, encode,
};
use hatarakitai::store::key_file::KeyFile;
use qrcode::{EcLevel, QrCode, Version};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn nonce(&mut self) -> [u8; 24] {
        let mut n = [0u8; 24];
        n.iter_mut().for_each(|b| *b = self.next() as u8);
        n
    }
}

fn random_record(r: &mut Rng) -> VisitRecord {
    VisitRecord {
        kiosk_id: r.next() as u16,
        serial: r.next() as u32,
        issued_at: r.next() as i64,
        lang: Lang::ALL[r.below(3) as usize],
        questionnaire_version: r.next() as u8,
        answers: (0..r.below(17))
            .map(|_| {
                if r.below(4) == 0 {
                    None
                } else {
                    Some(r.below(7) as u8)
                }
            })
            .collect(),
        routes: (0..r.below(4)).map(|_| r.next() as u8).collect(),
        catalogue_tag: r.next() as u16,
    }
}

fn max_record() -> VisitRecord {
    VisitRecord {
        kiosk_id: u16::MAX,
        serial: u32::MAX,
        issued_at: i64::MAX,
        lang: Lang::En,
        questionnaire_version: u8::MAX,
        answers: vec![Some(6); 16],
        routes: vec![255; 3],
        catalogue_tag: u16::MAX,
    }
}

fn sample() -> (VisitRecord, String) {
    let rec = max_record();
    let text = encode(&rec, &common::key(), [9; 24]).unwrap();
    (rec, text)
}

fn binary(text: &str) -> Vec<u8> {
    BASE32_NOPAD.decode(&text.as_bytes()[3..]).unwrap()
}

fn text_of(bin: &[u8]) -> String {
    format!("HT1{}", BASE32_NOPAD.encode(bin))
}

#[test]
fn random_records_round_trip() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let keys = [
        CentreKey {
            id: 1,
            key: [1; 32],
        },
        common::key(),
        CentreKey {
            id: 200,
            key: [3; 32],
        },
    ];
    for _ in 0..3000 {
        let rec = random_record(&mut r);
        let key = &keys[r.below(3) as usize];
        let text = encode(&rec, key, r.nonce()).unwrap();
        assert_eq!(text.len(), TEXT_LEN);
        assert!(text.len() <= MAX_TEXT_LEN);
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()),
            "{text}"
        );
        assert!(text.starts_with("HT1"));
        assert_eq!(decode(&text, &keys).unwrap(), rec);
    }
}

#[test]
fn same_record_different_nonce_different_text() {
    let rec = max_record();
    let a = encode(&rec, &common::key(), [1; 24]).unwrap();
    let b = encode(&rec, &common::key(), [2; 24]).unwrap();
    assert_ne!(a, b);
    assert_eq!(
        decode(&a, &[common::key()]).unwrap(),
        decode(&b, &[common::key()]).unwrap()
    );
}

#[test]
fn every_byte_change_of_the_binary_is_rejected() {
    let (_, text) = sample();
    let bin = binary(&text);
    let keys = [common::key()];
    for i in 0..bin.len() {
        for v in 0..=255u8 {
            if v == bin[i] {
                continue;
            }
            let mut m = bin.clone();
            m[i] = v;
            let r = decode(&text_of(&m), &keys);
            assert!(r.is_err(), "byte {i} = {v:#x} was accepted");
        }
    }
}

#[test]
fn every_character_change_of_the_text_is_rejected() {
    let (_, text) = sample();
    let keys = [common::key()];
    let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for i in 0..text.len() {
        for &c in alphabet {
            if c == text.as_bytes()[i] {
                continue;
            }
            let mut m = text.clone().into_bytes();
            m[i] = c;
            let m = String::from_utf8(m).unwrap();
            assert!(
                decode(&m, &keys).is_err(),
                "position {i} = {} was accepted",
                c as char
            );
        }
    }
}

#[test]
fn each_change_gets_its_reason() {
    let (_, text) = sample();
    let keys = [common::key()];
    let bin = binary(&text);
    let with = |i: usize, v: u8| {
        let mut m = bin.clone();
        m[i] = v;
        decode(&text_of(&m), &keys)
    };
    assert_eq!(with(0, 2), Err(DecodeError::NewerFormat { version: 2 }));
    assert_eq!(with(0, 0), Err(DecodeError::Damaged));
    assert_eq!(with(1, 8), Err(DecodeError::UnknownKey { key_id: 8 }));
    assert_eq!(
        with(2, bin[2] ^ 1),
        Err(DecodeError::WrongKey { key_id: 7 })
    );
    // Nonce, ciphertext and tag are all covered by the AEAD.
    for i in [4, 27, 28, 40, 55, 56, 71] {
        assert_eq!(
            with(i, bin[i] ^ 0x10),
            Err(DecodeError::Tampered),
            "byte {i}"
        );
    }
    assert_eq!(
        decode(&format!("HT2{}", &text[3..]), &keys),
        Err(DecodeError::NewerFormat { version: 2 })
    );
}

#[test]
fn wrong_and_unknown_keys() {
    let (rec, text) = sample();
    let other_centre = CentreKey {
        id: 7,
        key: [0x43; 32],
    };
    assert_eq!(
        decode(&text, std::slice::from_ref(&other_centre)),
        Err(DecodeError::WrongKey { key_id: 7 })
    );
    assert_eq!(
        decode(
            &text,
            &[CentreKey {
                id: 8,
                ..common::key()
            }]
        ),
        Err(DecodeError::UnknownKey { key_id: 7 })
    );
    assert_eq!(
        decode(&text, &[]),
        Err(DecodeError::UnknownKey { key_id: 7 })
    );
    // Rotation: the desk holds old and new keys, even two with the same id.
    assert_eq!(
        decode(
            &text,
            &[
                CentreKey {
                    id: 1,
                    key: [5; 32]
                },
                other_centre,
                common::key()
            ]
        ),
        Ok(rec)
    );
}

#[test]
fn truncated_is_damaged_and_never_panics() {
    let (_, text) = sample();
    let keys = [common::key()];
    for n in 0..text.len() {
        let r = decode(&text[..n], &keys);
        assert!(r.is_err(), "{n}");
        if n > 3 {
            assert_eq!(r, Err(DecodeError::Damaged), "{n}");
        }
    }
    assert_eq!(
        decode(&format!("{text}A"), &keys),
        Err(DecodeError::Damaged)
    );
    assert_eq!(
        decode(&format!("{text}AAAAAAAA"), &keys),
        Err(DecodeError::Damaged)
    );
}

#[test]
fn lower_case_and_scanner_whitespace_are_accepted() {
    let (rec, text) = sample();
    let keys = [common::key()];
    assert_eq!(decode(&text.to_lowercase(), &keys).as_ref(), Ok(&rec));
    let spaced: String = text
        .chars()
        .enumerate()
        .flat_map(|(i, c)| {
            [c].into_iter()
                .chain(["\t", " ", "\r\n", "\n", "\r"][i % 5].chars())
        })
        .collect();
    assert_eq!(
        decode(&format!("  \r\n\t{spaced}\r\n"), &keys).as_ref(),
        Ok(&rec)
    );
    let mixed: String = text
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c.to_ascii_lowercase()
            } else {
                c
            }
        })
        .collect();
    assert_eq!(decode(&mixed, &keys), Ok(rec));
}

#[test]
fn foreign_empty_and_garbage() {
    let keys = [common::key()];
    for s in [
        "https://example.com/",
        "HTTP://EXAMPLE.COM",
        "4901234567894",
        "hello",
        "H",
        "HT",
        "ＨＴ１ＡＢＣ",
        "受付票",
    ] {
        assert_eq!(decode(s, &keys), Err(DecodeError::NotOurs), "{s}");
    }
    for s in ["", " ", "\r\n", "\t \n"] {
        assert_eq!(decode(s, &keys), Err(DecodeError::Empty), "{s:?}");
    }
    assert_eq!(decode("HT1", &keys), Err(DecodeError::Damaged));
    assert_eq!(decode("HT1!!!!", &keys), Err(DecodeError::Damaged));
    assert_eq!(decode("HT1あいう", &keys), Err(DecodeError::Damaged));
    assert_eq!(
        decode(&payload::test_payload(), &keys),
        Err(DecodeError::TestSlip)
    );
    // 10 kB of garbage, several kinds.
    let mut r = Rng(42);
    let bytes: Vec<u8> = (0..10_240).map(|_| r.next() as u8).collect();
    let garbage = [
        String::from_utf8_lossy(&bytes).into_owned(),
        (0..10_240)
            .map(|_| (b'0' + r.below(75) as u8) as char)
            .collect(),
        format!("HT1{}", "A".repeat(10_240)),
        format!("HT1{}", "7".repeat(10_237)),
        "\u{0}".repeat(10_240),
    ];
    for g in &garbage {
        assert!(decode(g, &keys).is_err());
    }
}

#[test]
fn messages_say_what_to_do_and_never_echo_the_scan() {
    let (_, text) = sample();
    let errors = [
        DecodeError::Empty,
        DecodeError::NotOurs,
        DecodeError::Damaged,
        DecodeError::UnknownKey { key_id: 7 },
        DecodeError::WrongKey { key_id: 7 },
        DecodeError::NewerFormat { version: 2 },
        DecodeError::Tampered,
        DecodeError::TestSlip,
    ];
    for e in errors {
        let m = e.to_string();
        assert!(m.contains(" / "), "Japanese and English: {m}");
        assert!(!m.contains(&text[3..13]), "{m}");
        assert!(
            m.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
            "{m}"
        );
    }
}

#[test]
fn largest_record_fits_qr_version_8_level_q() {
    let (_, text) = sample();
    assert!(text.len() <= MAX_TEXT_LEN);
    let code = QrCode::with_version(text.as_bytes(), Version::Normal(8), EcLevel::Q).unwrap();
    assert_eq!(code.version(), Version::Normal(8));
    // The contract's ceiling itself fits: 157 alphanumeric characters.
    let ceiling = "HT1".to_string() + &"A".repeat(MAX_TEXT_LEN - 3);
    assert!(QrCode::with_version(ceiling.as_bytes(), Version::Normal(8), EcLevel::Q).is_ok());
    let over = "HT1".to_string() + &"A".repeat(MAX_TEXT_LEN + 20);
    assert!(QrCode::with_version(over.as_bytes(), Version::Normal(8), EcLevel::Q).is_err());
}

#[test]
fn a_real_visit_round_trips_with_ids() {
    let content = Content::embedded().unwrap();
    let (rec, text, _) = common::visit(&content, common::FULL, Lang::JaEasy, 23);
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::Q).unwrap();
    eprintln!(
        "full visit: {} characters, QR {:?} at level Q",
        text.len(),
        code.version()
    );
    assert!(matches!(code.version(), Version::Normal(v) if v <= 8));
    let back = decode(&text, &[common::key()]).unwrap();
    assert_eq!(back, rec);
    assert_eq!(back.receipt_no(chrono_tz::Asia::Tokyo), "1125-023");
    let ids = back.answer_ids(&content.questionnaire).unwrap();
    assert_eq!(ids.len(), 8);
    assert_eq!(ids[0], ("goal", "train_first"));
    assert!(!back.route_ids(&content.catalogue).unwrap().is_empty());
    // Another questionnaire version or catalogue is reported, not silently misread.
    let mut other = back.clone();
    other.questionnaire_version += 1;
    assert!(other.answer_ids(&content.questionnaire).is_err());
    other.catalogue_tag ^= 1;
    assert!(other.route_ids(&content.catalogue).is_err());
}

#[test]
fn keygen_and_decode_commands() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_hatarakitai");
    let key_path = dir.path().join("centre.key");
    let out = std::process::Command::new(bin)
        .args(["keygen", "--out"])
        .arg(&key_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = CentreKey::load(&key_path).unwrap();
    assert_eq!(json["key_id"], u64::from(key.id));
    let hex: String = key.key.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&hex[..16]));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // Never overwritten: exit 2, the key unchanged.
    let again = std::process::Command::new(bin)
        .args(["keygen", "--out"])
        .arg(&key_path)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(CentreKey::load(&key_path).unwrap(), key);

    let content = Content::embedded().unwrap();
    let a = hatarakitai::answers::Answers::parse_kv(&content.questionnaire, common::FULL).unwrap();
    let outcome = hatarakitai::matcher::match_answers(&content, &a);
    let rec = VisitRecord::from_visit(&content, &a, &outcome, Lang::Ja, 3, 1024, common::ISSUED_AT)
        .unwrap();
    let text = encode(&rec, &key, [7; 24]).unwrap();
    let out = std::process::Command::new(bin)
        .arg("decode")
        .arg(text.to_lowercase())
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["kiosk_id"], 3);
    assert_eq!(json["receipt_no"], "1125-024");
    assert_eq!(json["issued_local"], "2026-11-25T14:05:00");
    assert_eq!(json["answers"]["goal"], "train_first");
    assert_eq!(json["answers"]["commute"], "near");
    assert_eq!(json["warnings"], serde_json::json!([]));
    // A bad scan is bad input: exit 2 with the staff message, and no payload echoed.
    let out = std::process::Command::new(bin)
        .arg("decode")
        .arg(&text[..100])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("最後まで読み取れません"), "{err}");
    assert!(!err.contains(&text[10..30]));
}
