//! Printing the slip (PRODUCT.md §5): the backends behind `[printer] kind`, each with its own
//! timeouts, and a helper that runs a job on its own thread with an overall deadline so the
//! kiosk's UI never waits on a printer.
//!
//! - `file` — one PNG per slip in a folder (the default; also the CI/demo printer).
//! - `escpos-tcp` — raw ESC/POS over TCP (port 9100), status asked first.
//! - `escpos-device` — ESC/POS written to a device file (/dev/usb/lp0), status if it answers.
//! - `cups` — the PNG handed to `lp -d QUEUE`.
//!
//! Errors tell staff what to do ("用紙がありません — ロール紙を入れてください"); they never
//! contain slip content.

pub mod cups;
pub mod escpos;
pub mod file;
pub mod stream;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use cups::CupsPrinter;
pub use escpos::PrinterStatus;
pub use file::FilePrinter;
pub use stream::{DevicePrinter, TcpPrinter};

use crate::config::{PrinterConfig, PrinterKind, in_data_dir};
use crate::slip::Bitmap;
use crate::visit::{PrintJob, PrintResult};

/// A slip printer. Every call finishes within the backend's timeout (except a device file
/// that blocks in the kernel: run jobs through [`print_with_timeout`]).
pub trait Printer {
    /// Asks the printer how it is (paper, cover, online). One-way links answer `unknown()`.
    fn status(&mut self) -> Result<PrinterStatus, PrintError>;
    /// Prints one slip, refusing up front when the printer says it cannot.
    fn print(&mut self, bitmap: &Bitmap) -> Result<(), PrintError>;
    /// Prints one slip, with its 受付番号 where the backend can use it (file names).
    fn print_slip(&mut self, bitmap: &Bitmap, receipt_no: &str) -> Result<(), PrintError> {
        let _ = receipt_no;
        self.print(bitmap)
    }
    /// What and where, for the staff screen (e.g. "ESC/POS TCP 192.168.10.50:9100").
    fn describe(&self) -> String;
}

/// Why a slip was not printed: what happened and what to do, in Japanese and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintError {
    PaperEnd,
    CoverOpen,
    Offline,
    /// Cutter jam, overheating or another error that stops the printer.
    PrinterError,
    /// No answer within the configured time.
    Timeout {
        ms: u64,
    },
    /// Could not connect: refused, no route, unknown host.
    Unreachable {
        address: String,
        detail: String,
    },
    /// The device file cannot be opened or written.
    Device {
        path: PathBuf,
        detail: String,
    },
    /// The slip folder cannot be written.
    Folder {
        path: PathBuf,
        detail: String,
    },
    /// `lp` is not installed.
    LpMissing,
    Cups {
        detail: String,
    },
    /// The printer answered something that is not ESC/POS status.
    Protocol {
        detail: String,
    },
    /// The printer settings cannot work.
    Config {
        detail: String,
    },
    /// Something inside this program (e.g. no thread could be started).
    Internal {
        detail: String,
    },
}

impl PrintError {
    /// What the lobby's heartbeat says of the printer after this error (LOBBY.md §3).
    pub fn printer_state(&self) -> crate::lobby::PrinterState {
        use crate::lobby::PrinterState as S;
        match self {
            PrintError::PaperEnd => S::PaperOut,
            PrintError::CoverOpen => S::CoverOpen,
            PrintError::Offline | PrintError::Unreachable { .. } => S::Offline,
            _ => S::Error,
        }
    }
}

/// The printer's state after a print or test that worked: a folder is no printer.
pub fn printed_state(cfg: &PrinterConfig) -> crate::lobby::PrinterState {
    if cfg.kind == crate::config::PrinterKind::File {
        crate::lobby::PrinterState::NotConfigured
    } else {
        crate::lobby::PrinterState::Ok
    }
}

impl fmt::Display for PrintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrintError::PaperEnd => f.write_str("用紙がありません — ロール紙を入れてください / Paper end: load a new roll"),
            PrintError::CoverOpen => f.write_str("プリンターのカバーが開いています — カバーを閉めてください / Printer cover open: close the cover"),
            PrintError::Offline => {
                f.write_str("プリンターがオフラインです — 電源とランプを確認してください / Printer offline: check its power and status light")
            }
            PrintError::PrinterError => f.write_str(
                "プリンターがエラーで止まっています（カッターの紙づまり等）— 紙づまりを直して電源を入れ直してください / Printer error (e.g. cutter jam): clear it and switch the printer off and on",
            ),
            PrintError::Timeout { ms } => {
                let s = ms.div_ceil(1000);
                write!(f, "プリンターが{s}秒以内に応答しません — 電源・ケーブル・ネットワークを確認してください / The printer did not answer within {s} s: check its power, cable and network")
            }
            PrintError::Unreachable { address, detail } => write!(
                f,
                "プリンター {address} に接続できません（{detail}）— プリンターの電源・LANケーブル・設定の [printer] address を確認してください / Cannot connect to the printer at {address} ({detail}): check its power, network cable and [printer] address"
            ),
            PrintError::Device { path, detail } => write!(
                f,
                "プリンター {p} に書き込めません（{detail}）— USBケーブル・電源・権限（lp グループ）を確認してください / Cannot write to the printer {p} ({detail}): check the USB cable, power and permissions (lp group)",
                p = path.display()
            ),
            PrintError::Folder { path, detail } => write!(
                f,
                "受付票の保存先 {p} に書き込めません（{detail}）— 設定の [printer] dir と権限を確認してください / Cannot save slips in {p} ({detail}): check [printer] dir and its permissions",
                p = path.display()
            ),
            PrintError::LpMissing => f.write_str(
                "lp コマンドがありません — CUPS（cups-client）を入れるか、[printer] kind を変えてください / The `lp` command is missing: install CUPS (cups-client) or choose another [printer] kind",
            ),
            PrintError::Cups { detail } => {
                write!(f, "CUPS で印刷できません（{detail}）— `lpstat -p` でキューを確認してください / CUPS could not print ({detail}): check the queue with `lpstat -p`")
            }
            PrintError::Protocol { detail } => write!(
                f,
                "プリンターの応答が想定外です（{detail}）— ESC/POS 対応のプリンターか確認してください / Unexpected answer from the printer ({detail}): check that it speaks ESC/POS"
            ),
            PrintError::Config { detail } => write!(f, "プリンターの設定が正しくありません: {detail} / The printer settings are wrong: {detail}"),
            PrintError::Internal { detail } => write!(f, "印刷の準備に失敗しました（{detail}）/ Printing could not start ({detail})"),
        }
    }
}

impl std::error::Error for PrintError {}

/// The printer the config names. Nothing is opened until the first call.
pub fn from_config(cfg: &PrinterConfig, data_dir: &Path) -> Box<dyn Printer + Send> {
    let timeout = Duration::from_millis(cfg.timeout_ms);
    match cfg.kind {
        PrinterKind::File => Box::new(FilePrinter::new(in_data_dir(data_dir, &cfg.dir))),
        PrinterKind::EscposTcp => Box::new(TcpPrinter::new(cfg.address.clone(), timeout)),
        PrinterKind::EscposDevice => Box::new(DevicePrinter::new(cfg.device.clone(), timeout)),
        PrinterKind::Cups => Box::new(CupsPrinter::new(cfg.queue.clone(), timeout)),
    }
}

/// Runs `printer.print_slip` on its own thread and gives up after `timeout` (plus a short
/// grace for the backend's own timeout to fire first). A job that outlives it is left to
/// finish or fail on its own; its result is dropped.
pub fn print_with_timeout(
    mut printer: Box<dyn Printer + Send>,
    bitmap: Bitmap,
    receipt_no: String,
    timeout: Duration,
) -> Result<(), PrintError> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("slip-print".into())
        .spawn(move || {
            let _ = tx.send(printer.print_slip(&bitmap, &receipt_no));
        })
        .map_err(|e| PrintError::Internal {
            detail: e.to_string(),
        })?;
    match rx.recv_timeout(timeout + Duration::from_millis(500)) {
        Ok(result) => result,
        Err(_) => Err(PrintError::Timeout {
            ms: timeout.as_millis() as u64,
        }),
    }
}

/// The kiosk's print job for a slip: the configured printer, the configured timeout.
pub fn print_job(
    cfg: &PrinterConfig,
    data_dir: &Path,
    bitmap: Bitmap,
    receipt_no: String,
    report: Box<dyn FnOnce(crate::lobby::PrinterState) + Send>,
) -> PrintJob {
    let printer = from_config(cfg, data_dir);
    let timeout = Duration::from_millis(cfg.timeout_ms);
    let ok = printed_state(cfg);
    Box::new(
        move || match print_with_timeout(printer, bitmap, receipt_no, timeout) {
            Ok(()) => {
                report(ok);
                PrintResult::Printed
            }
            Err(e) => {
                report(e.printer_state());
                PrintResult::Failed(e.to_string())
            }
        },
    )
}
