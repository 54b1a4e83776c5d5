//! Property tests for the slip payload (proptest, a dev-dependency: example tests cover the
//! cases we thought of; these cover every field's whole range with shrinking to a minimal
//! counterexample). Any valid record survives encode → decode unchanged, under any key and
//! nonce, also in lower case with scanner whitespace; one changed character never yields a
//! record.

use hatarakitai::lang::Lang;
use hatarakitai::payload::{self, CentreKey, MAX_ANSWERS, MAX_OPTIONS, MAX_ROUTES, VisitRecord};
use proptest::prelude::*;

fn record() -> impl Strategy<Value = VisitRecord> {
    (
        any::<u16>(),
        any::<u32>(),
        any::<i64>(),
        0..Lang::ALL.len(),
        any::<u8>(),
        prop::collection::vec(prop::option::of(0..MAX_OPTIONS as u8), 0..=MAX_ANSWERS),
        prop::collection::vec(any::<u8>(), 0..=MAX_ROUTES),
        any::<u16>(),
    )
        .prop_map(
            |(kiosk_id, serial, issued_at, lang, questionnaire_version, answers, routes, tag)| {
                VisitRecord {
                    kiosk_id,
                    serial,
                    issued_at,
                    lang: Lang::ALL[lang],
                    questionnaire_version,
                    answers,
                    routes,
                    catalogue_tag: tag,
                }
            },
        )
}

fn key() -> impl Strategy<Value = CentreKey> {
    (any::<u8>(), any::<[u8; 32]>()).prop_map(|(id, key)| CentreKey { id, key })
}

const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_valid_record_round_trips(rec in record(), k in key(), nonce in any::<[u8; 24]>()) {
        let text = payload::encode(&rec, &k, nonce).unwrap();
        prop_assert_eq!(text.len(), payload::TEXT_LEN);
        prop_assert!(text.starts_with(payload::PREFIX));
        prop_assert!(text.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
        prop_assert_eq!(payload::decode(&text, std::slice::from_ref(&k)).unwrap(), rec.clone());
        // As a scanner in Caps-Lock state with a trailing CR/LF delivers it.
        let sloppy = format!(" {}\r\n", text.to_ascii_lowercase());
        prop_assert_eq!(payload::decode(&sloppy, &[k]).unwrap(), rec);
    }

    #[test]
    fn one_changed_character_never_decodes(
        rec in record(),
        k in key(),
        nonce in any::<[u8; 24]>(),
        pos in any::<prop::sample::Index>(),
        sub in any::<prop::sample::Index>(),
    ) {
        let text = payload::encode(&rec, &k, nonce).unwrap();
        let mut bytes = text.into_bytes();
        let at = pos.index(bytes.len());
        let old = bytes[at];
        let mut new = BASE32[sub.index(BASE32.len())];
        if new == old {
            new = if old == b'A' { b'B' } else { b'A' };
        }
        bytes[at] = new;
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert!(payload::decode(&changed, &[k]).is_err(), "changed at {}: decoded", at);
    }

    #[test]
    fn a_different_key_never_opens_it(rec in record(), k in key(), other in any::<[u8; 32]>()) {
        prop_assume!(other != k.key);
        let text = payload::encode(&rec, &k, [7; 24]).unwrap();
        let wrong = CentreKey { id: k.id, key: other };
        prop_assert!(payload::decode(&text, &[wrong]).is_err());
    }
}
