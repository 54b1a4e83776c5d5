//! The subcommands around slips: `keygen`, `decode` and `print-test` (PRODUCT.md §10). JSON
//! on stdout; `Failure` carries the exit code (2 = the input is wrong, 1 = something failed).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use crate::cli::Failure;
use crate::config::{Loaded, PrinterConfig, data_dir, in_data_dir};
use crate::content::Content;
use crate::lang::Lang;
use crate::payload::{self, CentreKey, KeyError};
use crate::printer;
use crate::slip::{self, SlipData, SlipFonts};

/// `hatarakitai keygen --out FILE`: a new centre key (mode 0600, never overwriting). Prints
/// the key id, never the key.
pub fn keygen(out: &Path) -> Result<(), Failure> {
    let key = CentreKey::generate().map_err(|e| Failure::other(e.to_string()))?;
    key.write_new(out).map_err(|e| match e {
        KeyError::Exists { .. } => Failure::input(e.to_string()),
        e => Failure::other(e.to_string()),
    })?;
    println!(
        "{}",
        json!({ "key_id": key.id, "file": out.display().to_string() })
    );
    Ok(())
}

/// What the desk reads from a scan, as JSON: answers and routes as ids of `content`. When the
/// desk's questionnaire or catalogue differs from the kiosk's, raw indices and a warning.
pub fn decode(
    text: &str,
    keys: &[CentreKey],
    content: &Content,
    tz: chrono_tz::Tz,
) -> Result<Value, Failure> {
    let rec = payload::decode(text, keys).map_err(|e| Failure::input(e.to_string()))?;
    let mut warnings = Vec::new();
    let answers = match rec.answer_ids(&content.questionnaire) {
        Ok(pairs) => Value::Object(
            pairs
                .into_iter()
                .map(|(q, o)| (q.to_string(), Value::from(o)))
                .collect(),
        ),
        Err(w) => {
            warnings.push(w);
            Value::Object(
                rec.answers
                    .iter()
                    .enumerate()
                    .filter_map(|(qi, a)| {
                        a.map(|o| (format!("#{}", qi + 1), Value::from(format!("#{}", o + 1))))
                    })
                    .collect(),
            )
        }
    };
    let routes = match rec.route_ids(&content.catalogue) {
        Ok(ids) => json!(ids),
        Err(w) => {
            warnings.push(w);
            json!(
                rec.routes
                    .iter()
                    .map(|r| format!("#{}", r + 1))
                    .collect::<Vec<_>>()
            )
        }
    };
    let issued = rec
        .issued_local(tz)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string());
    Ok(json!({
        "kiosk_id": rec.kiosk_id,
        "serial": rec.serial,
        "receipt_no": rec.receipt_no(tz),
        "issued_at": rec.issued_at,
        "issued_local": issued,
        "lang": rec.lang.id(),
        "questionnaire_version": rec.questionnaire_version,
        "answers": answers,
        "routes": routes,
        "warnings": warnings,
    }))
}

/// The key files of the config, resolved against the data dir.
pub fn key_paths(loaded: &Loaded, data_dir: &Path) -> Vec<PathBuf> {
    loaded
        .config
        .keys
        .files
        .iter()
        .map(|p| in_data_dir(data_dir, p))
        .collect()
}

fn load_setup(
    config: Option<&Path>,
    data_dir_arg: Option<&Path>,
) -> Result<(Loaded, PathBuf), Failure> {
    let loaded = Loaded::load(config).map_err(|e| Failure::input(e.to_string()))?;
    let dir = data_dir(data_dir_arg).map_err(Failure::input)?;
    Ok((loaded, dir))
}

/// `hatarakitai decode PAYLOAD` (`-` reads standard input).
pub fn decode_command(
    text: &str,
    config: Option<&Path>,
    data_dir_arg: Option<&Path>,
) -> Result<(), Failure> {
    let (loaded, dir) = load_setup(config, data_dir_arg)?;
    let keys = payload::key::load_all(&key_paths(&loaded, &dir))
        .map_err(|e| Failure::other(e.to_string()))?;
    let content = loaded
        .content()
        .map_err(|e| Failure::input(e.to_string()))?;
    let text = if text == "-" {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| Failure::other(format!("reading standard input: {e}")))?
    } else {
        text.to_string()
    };
    let out = decode(&text, &keys, &content, loaded.config.timezone())?;
    println!("{out}");
    Ok(())
}

/// A test slip: a real-size QR that the desk recognises as a test.
pub fn test_slip(now: chrono::NaiveDateTime) -> SlipData {
    SlipData {
        lang: Lang::Ja,
        centre_name: "hatarakitai".into(),
        title: "テスト印刷".into(),
        issued: now,
        receipt_no: "0000-000".into(),
        routes: Vec::new(),
        handoff_line:
            "この紙が読めれば、プリンターは正常です。\nIf you can read this, the printer works."
                .into(),
        instruction: "QRコードをデスクで読み取って確認してください".into(),
        payload: payload::test_payload(),
        phone: String::new(),
        hours: String::new(),
    }
}

/// Asks the configured printer for its status and prints a test slip. JSON: printer, status,
/// printed (and the error when it was not).
pub fn print_test(cfg: &PrinterConfig, data_dir: &Path) -> Result<Value, Failure> {
    let mut p = printer::from_config(cfg, data_dir);
    let describe = p.describe();
    let status = p
        .status()
        .map_err(|e| Failure::other(format!("{describe}: {e}")))?;
    let fonts = SlipFonts::bundled().map_err(|e| Failure::other(e.to_string()))?;
    let bitmap = slip::render(
        &test_slip(chrono::Local::now().naive_local()),
        &fonts,
        cfg.dots,
    );
    printer::print_with_timeout(
        p,
        bitmap,
        "test".into(),
        Duration::from_millis(cfg.timeout_ms),
    )
    .map_err(|e| Failure::other(format!("{describe}: {e}")))?;
    Ok(json!({ "printer": describe, "status": status.summary(), "printed": true }))
}

/// `hatarakitai print-test`.
pub fn print_test_command(
    config: Option<&Path>,
    data_dir_arg: Option<&Path>,
) -> Result<(), Failure> {
    let (loaded, dir) = load_setup(config, data_dir_arg)?;
    let out = print_test(&loaded.config.printer, &dir)?;
    println!("{out}");
    Ok(())
}
