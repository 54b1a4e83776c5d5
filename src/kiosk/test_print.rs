//! The test slip (a real-size QR the desk recognises as a test) and the printer check behind
//! the staff screen's テスト印刷 and `hatarakitai print-test`.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::config::PrinterConfig;
use crate::lang::Lang;
use crate::payload;
use crate::printer;
use crate::slip::{self, SlipData, SlipFonts};

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
pub fn print_test(cfg: &PrinterConfig, data_dir: &Path) -> Result<Value, String> {
    print_test_state(cfg, data_dir).map_err(|(e, _)| e)
}

/// `print_test`, with the printer's state for the lobby's heartbeat when it failed.
pub fn print_test_state(
    cfg: &PrinterConfig,
    data_dir: &Path,
) -> Result<Value, (String, crate::lobby::PrinterState)> {
    use crate::lobby::PrinterState;
    let mut p = printer::from_config(cfg, data_dir);
    let describe = p.describe();
    let status = p
        .status()
        .map_err(|e| (format!("{describe}: {e}"), e.printer_state()))?;
    let fonts = SlipFonts::bundled().map_err(|e| (e.to_string(), PrinterState::Unknown))?;
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
    .map_err(|e| (format!("{describe}: {e}"), e.printer_state()))?;
    Ok(json!({ "printer": describe, "status": status.summary(), "printed": true }))
}
