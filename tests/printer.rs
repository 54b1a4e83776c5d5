//! Printing (PRODUCT.md §5): a fake ESC/POS printer on an ephemeral local port records what
//! it gets and answers `DLE EOT` like a real one. The raster it receives must decode to the
//! slip's QR; paper end, cover open, a refused connection and a printer that never answers
//! must each give their own error, in time.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hatarakitai::config::{PrinterConfig, PrinterKind};
use hatarakitai::content::Content;
use hatarakitai::lang::Lang;
use hatarakitai::printer::{
    self, CupsPrinter, DevicePrinter, PrintError, Printer, TcpPrinter, escpos,
};
use hatarakitai::slip::{self, Bitmap, SlipFonts};

/// Answers to DLE EOT 1..4 (index n-1). All 0x12 = ready.
type Status = [u8; 4];
const READY: Status = [0x12; 4];
const PAPER_END: Status = [0x1a, 0x32, 0x12, 0x72];
const COVER_OPEN: Status = [0x1a, 0x16, 0x12, 0x12];

struct FakePrinter {
    addr: String,
    /// Bytes received, one entry per connection.
    received: Arc<Mutex<Vec<Vec<u8>>>>,
}

/// Serves connections until the test ends: answers status requests outside raster data.
/// `answer = false`: accepts and reads but never says anything.
fn fake_printer(status: Status, answer: bool) -> FakePrinter {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let received = Arc::new(Mutex::new(Vec::new()));
    let rec = received.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { break };
            let rec = rec.clone();
            std::thread::spawn(move || serve(conn, status, answer, rec));
        }
    });
    FakePrinter { addr, received }
}

fn serve(mut s: TcpStream, status: Status, answer: bool, rec: Arc<Mutex<Vec<Vec<u8>>>>) {
    let idx = {
        let mut r = rec.lock().unwrap();
        r.push(Vec::new());
        r.len() - 1
    };
    let mut buf = Vec::new();
    let mut pos = 0;
    let mut chunk = [0u8; 4096];
    loop {
        let n = match s.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        rec.lock().unwrap()[idx].extend_from_slice(&chunk[..n]);
        // Walk the stream like a printer: skip raster payloads, answer status requests.
        while pos < buf.len() {
            let rest = &buf[pos..];
            match rest[0] {
                0x10 if rest.len() < 3 => break,
                0x10 if rest[1] == 0x04 => {
                    if answer {
                        let n = rest[2].clamp(1, 4) as usize;
                        let _ = s.write_all(&[status[n - 1]]);
                    }
                    pos += 3;
                }
                0x1d if rest.len() < 8 => break,
                0x1d if rest[1..3] == [b'v', b'0'] => {
                    let len = 8
                        + (rest[4] as usize | (rest[5] as usize) << 8)
                            * (rest[6] as usize | (rest[7] as usize) << 8);
                    if rest.len() < len {
                        break;
                    }
                    pos += len;
                }
                _ => pos += 1,
            }
        }
    }
}

/// An independent reader of the job: `ESC @`, `GS v 0` bands, `GS V` cut → the image.
fn parse_job(bytes: &[u8]) -> Bitmap {
    let start = bytes
        .windows(2)
        .position(|w| w == [0x1b, b'@'])
        .expect("ESC @");
    let mut i = start + 2;
    let mut width = 0;
    let mut rows: Vec<Vec<u8>> = Vec::new();
    while i < bytes.len() {
        match &bytes[i..] {
            [0x1d, b'v', b'0', 0, xl, xh, yl, yh, ..] => {
                let x = *xl as usize | (*xh as usize) << 8;
                let y = *yl as usize | (*yh as usize) << 8;
                assert!(y <= 255, "band of {y} rows");
                width = x;
                let data = &bytes[i + 8..i + 8 + x * y];
                rows.extend(data.chunks(x).map(<[u8]>::to_vec));
                i += 8 + x * y;
            }
            [0x1d, b'V', 66, 0] => {
                i += 4;
                break;
            }
            _ => panic!("unexpected byte {:#x} at {i}", bytes[i]),
        }
    }
    assert_eq!(i, bytes.len(), "nothing after the cut");
    Bitmap {
        width: width as u32 * 8,
        height: rows.len() as u32,
        bits: rows.concat(),
    }
}

fn sample() -> (Bitmap, String) {
    let content = Content::embedded().unwrap();
    let (_, payload, data) = common::visit(&content, common::FULL, Lang::Ja, 77);
    (
        slip::render(&data, &SlipFonts::bundled().unwrap(), 576),
        payload,
    )
}

#[test]
fn tcp_print_sends_a_raster_whose_qr_is_the_payload() {
    let fake = fake_printer(READY, true);
    let (bitmap, payload) = sample();
    let mut p = TcpPrinter::new(fake.addr.clone(), Duration::from_secs(3));
    assert_eq!(p.status().unwrap(), escpos::PrinterStatus::ready());
    p.print(&bitmap).unwrap();
    let got = fake.received.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "one connection for status, one for the job");
    // The job asks the status first, then prints.
    assert!(got[1].starts_with(&[0x10, 0x04, 1]));
    let image = parse_job(&got[1]);
    assert_eq!(image, bitmap);
    assert_eq!(common::read_qr(&image)[0].0, payload);
}

#[test]
fn paper_end_and_cover_open_refuse_with_the_reason() {
    let (bitmap, _) = sample();
    use hatarakitai::lobby::PrinterState;
    for (status, want, lobby) in [
        (PAPER_END, PrintError::PaperEnd, PrinterState::PaperOut),
        (COVER_OPEN, PrintError::CoverOpen, PrinterState::CoverOpen),
    ] {
        let fake = fake_printer(status, true);
        let mut p = TcpPrinter::new(fake.addr.clone(), Duration::from_secs(3));
        let st = p.status().unwrap();
        assert_eq!(st.refusal(), Some(want.clone()));
        assert_eq!(p.print(&bitmap), Err(want.clone()));
        // What the kiosk's heartbeat then tells the desks (LOBBY.md §3).
        assert_eq!(want.printer_state(), lobby);
        // Nothing was printed: no ESC @ reached the printer.
        for conn in fake.received.lock().unwrap().iter() {
            assert!(!conn.windows(2).any(|w| w == [0x1b, b'@']));
        }
    }
    assert!(
        PrintError::PaperEnd
            .to_string()
            .contains("ロール紙を入れてください")
    );
    assert!(PrintError::PaperEnd.to_string().contains("Paper end"));
}

#[test]
fn refused_connection_is_unreachable() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (bitmap, _) = sample();
    let mut p = TcpPrinter::new(format!("127.0.0.1:{port}"), Duration::from_secs(2));
    let t = Instant::now();
    let e = p.print(&bitmap).unwrap_err();
    assert!(matches!(e, PrintError::Unreachable { .. }), "{e:?}");
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(e.to_string().contains(&format!("127.0.0.1:{port}")));
    let bad = TcpPrinter::new("no port here".into(), Duration::from_secs(1))
        .print(&bitmap)
        .unwrap_err();
    assert!(matches!(bad, PrintError::Config { .. }), "{bad:?}");
}

#[test]
fn silent_printer_times_out_in_time() {
    let fake = fake_printer(READY, false);
    let (bitmap, _) = sample();
    let timeout = Duration::from_millis(800);
    let t = Instant::now();
    let e = TcpPrinter::new(fake.addr.clone(), timeout)
        .print(&bitmap)
        .unwrap_err();
    let took = t.elapsed();
    assert_eq!(e, PrintError::Timeout { ms: 800 });
    assert!(
        took >= timeout && took < timeout + Duration::from_millis(400),
        "{took:?}"
    );
    // The same through the kiosk's helper on its own thread.
    let t = Instant::now();
    let p: Box<dyn Printer + Send> = Box::new(TcpPrinter::new(fake.addr.clone(), timeout));
    let e = printer::print_with_timeout(p, bitmap, "1125-001".into(), timeout).unwrap_err();
    assert!(matches!(e, PrintError::Timeout { .. }), "{e:?}");
    assert!(t.elapsed() < Duration::from_millis(1500));
}

#[test]
fn file_printer_writes_a_png_the_desk_can_scan() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = PrinterConfig {
        kind: PrinterKind::File,
        dir: "slips".into(),
        ..PrinterConfig::default()
    };
    let (bitmap, payload) = sample();
    let (tx, rx) = std::sync::mpsc::channel();
    let job = printer::print_job(
        &cfg,
        dir.path(),
        bitmap.clone(),
        "1125-077".into(),
        Box::new(move |s| tx.send(s).unwrap()),
    );
    assert_eq!(job(), hatarakitai::kiosk::backend::PrintResult::Printed);
    // A folder is no printer: the heartbeat says so rather than 「正常」.
    assert_eq!(
        rx.recv().unwrap(),
        hatarakitai::lobby::PrinterState::NotConfigured
    );
    let files: Vec<_> = std::fs::read_dir(dir.path().join("slips"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = &files[0];
    assert!(
        name.starts_with("slip-") && name.ends_with("-1125-077.png"),
        "{name}"
    );
    assert!(!name.contains(&payload[3..10]));
    let png = std::fs::read(dir.path().join("slips").join(name)).unwrap();
    let back = Bitmap::from_png(&png).unwrap();
    assert_eq!(back, bitmap);
    assert_eq!(common::read_qr(&back)[0].0, payload);
    // A second slip in the same second gets its own file.
    let mut p = printer::from_config(&cfg, dir.path());
    p.print_slip(&bitmap, "1125-077").unwrap();
    assert_eq!(
        std::fs::read_dir(dir.path().join("slips")).unwrap().count(),
        2
    );
}

#[test]
fn device_printer_writes_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let dev = dir.path().join("lp0");
    std::fs::write(&dev, b"").unwrap();
    let (bitmap, payload) = sample();
    let mut p = DevicePrinter::new(dev.clone(), Duration::from_secs(2));
    assert!(!p.status().unwrap().known, "a plain file cannot answer");
    p.print(&bitmap).unwrap();
    let bytes = std::fs::read(&dev).unwrap();
    assert_eq!(bytes, escpos::encode(&bitmap));
    assert_eq!(common::read_qr(&parse_job(&bytes))[0].0, payload);
    // A character device that never answers status (like a one-way USB link) still prints.
    #[cfg(unix)]
    {
        let mut null = DevicePrinter::new("/dev/null".into(), Duration::from_secs(2));
        let t = Instant::now();
        assert!(!null.status().unwrap().known);
        null.print(&bitmap).unwrap();
        assert!(t.elapsed() < Duration::from_secs(2));
    }
    let missing = DevicePrinter::new(dir.path().join("nope"), Duration::from_secs(1))
        .print(&bitmap)
        .unwrap_err();
    assert!(matches!(missing, PrintError::Device { .. }), "{missing:?}");
}

#[test]
fn cups_without_lp_says_so() {
    let (bitmap, _) = sample();
    let mut p = CupsPrinter::with_commands(
        "TM-T20".into(),
        Duration::from_secs(2),
        "/nonexistent/lp".into(),
        "/nonexistent/lpstat".into(),
    );
    assert!(!p.status().unwrap().known);
    assert_eq!(p.print(&bitmap), Err(PrintError::LpMissing));
    assert!(PrintError::LpMissing.to_string().contains("cups"));
}
