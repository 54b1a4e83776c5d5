//! The cached 50 000-record desk database shared by the desk benches (benches/desk.rs,
//! benches/serve.rs): made once by `DeskStore::open` (schema) and filled in one transaction
//! with the rows `DeskStore::open_or_create` writes, under `target/bench-data/`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono_tz::Asia::Tokyo;
use hatarakitai::answers::Answers;
use hatarakitai::content::Content;
use hatarakitai::desk::store::DeskStore;
use hatarakitai::lang::Lang;
use hatarakitai::payload::{self, CentreKey, VisitRecord};

pub const RECORDS: u32 = 50_000;
pub const KEY: CentreKey = CentreKey {
    id: 9,
    key: [0x5a; 32],
};
/// 2021-12-01 00:00 UTC; records spread over five years from here.
pub const FIRST: i64 = 1_638_316_800;

pub fn payload_for(content: &Content, serial: u32, issued_at: i64) -> String {
    let mut a = Answers::new(&content.questionnaire);
    for (qi, q) in content.questionnaire.questions.iter().enumerate() {
        a.set(qi, Some((serial as usize % q.options.len()) as u8));
    }
    let o = hatarakitai::matcher::match_answers(content, &a);
    let rec = VisitRecord::from_visit(content, &a, &o, Lang::Ja, 1, serial, issued_at).unwrap();
    payload::encode(&rec, &KEY, [serial as u8; 24]).unwrap()
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// The cached 50 000-record desk database, built on first use.
pub fn database(content: &Content) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let dir = target_dir().join("bench-data");
    let path = dir.join("desk-50k-v1.sqlite");
    if path.exists() {
        return Ok(path);
    }
    std::fs::create_dir_all(&dir)?;
    let building = dir.join("desk-50k-v1.building.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", building.display()));
    }
    let t0 = Instant::now();
    drop(DeskStore::open(&building)?);
    let decode = hatarakitai::desk::run::decoder(vec![KEY], content.clone(), Tokyo);
    let mut conn = rusqlite::Connection::open(&building)?;
    let tx = conn.transaction()?;
    {
        let mut intake = tx.prepare(
            "INSERT INTO intake (kiosk_id, serial, issued_at, lang, questionnaire_version, answers, routes, receipt_no, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        )?;
        let mut audit = tx.prepare(
            "INSERT INTO audit (intake_id, at, who, field, old, new) VALUES (?1, ?2, 'desk', 'created', '', 'scan')",
        )?;
        // A few distinct answer sets, decoded by the real decoder, reused across records.
        let shapes: Vec<_> = (0..16)
            .map(|s| decode(&payload_for(content, s, FIRST)))
            .collect::<Result<_, _>>()?;
        let span = 5 * 365 * 86_400 / i64::from(RECORDS);
        for serial in 1..=RECORDS {
            let v = &shapes[serial as usize % shapes.len()];
            let at = FIRST + i64::from(serial) * span;
            intake.execute(rusqlite::params![
                v.kiosk_id,
                serial,
                at,
                v.lang,
                v.questionnaire_version,
                serde_json::to_string(&v.answers)?,
                serde_json::to_string(&v.routes)?,
                format!("{}-{:03}", serial / 1000, serial % 1000),
                at + 600,
            ])?;
            audit.execute(rusqlite::params![tx.last_insert_rowid(), at + 600])?;
        }
    }
    tx.commit()?;
    drop(conn);
    std::fs::rename(&building, &path)?;
    eprintln!(
        "built {} ({RECORDS} records) in {:.1?}",
        path.display(),
        t0.elapsed()
    );
    Ok(path)
}
