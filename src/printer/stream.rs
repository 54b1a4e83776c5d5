//! ESC/POS over a byte stream: TCP (`escpos-tcp`, two-way, status always asked) and a device
//! file (`escpos-device`, status asked when the device answers). Every read and write is
//! bounded by one deadline per call, taken from `[printer] timeout_ms`.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::escpos::{self, PrinterStatus};
use super::{PrintError, Printer};
use crate::slip::Bitmap;

/// A point in time every I/O step of one call must finish by.
#[derive(Clone, Copy)]
struct Deadline {
    end: Instant,
    total: Duration,
}

impl Deadline {
    fn after(total: Duration) -> Deadline {
        Deadline {
            end: Instant::now() + total,
            total,
        }
    }

    fn remaining(&self) -> Result<Duration, PrintError> {
        let left = self.end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(self.timeout())
        } else {
            Ok(left)
        }
    }

    fn timeout(&self) -> PrintError {
        PrintError::Timeout {
            ms: self.total.as_millis() as u64,
        }
    }
}

fn timed_out(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// Reads one byte before `until`, polling a non-blocking or timed stream. Ok(None) = no byte.
fn read_byte(
    s: &mut impl Read,
    until: Instant,
    on_err: &dyn Fn(std::io::Error) -> PrintError,
) -> Result<Option<u8>, PrintError> {
    let mut b = [0u8; 1];
    loop {
        match s.read(&mut b) {
            Ok(1) => return Ok(Some(b[0])),
            Ok(_) => {
                return Err(PrintError::Protocol {
                    detail: "the printer closed the connection".into(),
                });
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if timed_out(&e) => {
                if Instant::now() >= until {
                    return Ok(None);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(on_err(e)),
        }
    }
}

/// Writes everything before the deadline, polling a non-blocking or timed stream.
fn write_all(
    s: &mut impl Write,
    mut data: &[u8],
    dl: Deadline,
    on_err: &dyn Fn(std::io::Error) -> PrintError,
) -> Result<(), PrintError> {
    while !data.is_empty() {
        dl.remaining()?;
        match s.write(data) {
            Ok(0) => {
                return Err(on_err(std::io::Error::new(
                    ErrorKind::WriteZero,
                    "the printer accepts no more data",
                )));
            }
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if timed_out(&e) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(on_err(e)),
        }
    }
    loop {
        match s.flush() {
            Ok(()) => return Ok(()),
            Err(e) if timed_out(&e) || e.kind() == ErrorKind::Interrupted => {
                dl.remaining()?;
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(on_err(e)),
        }
    }
}

/// Asks `DLE EOT 1..4`. Ok(None) when the printer says nothing within `wait` (one-way link).
fn query_status<S: Read + Write>(
    s: &mut S,
    dl: Deadline,
    wait: Option<Duration>,
    on_err: &dyn Fn(std::io::Error) -> PrintError,
) -> Result<Option<PrinterStatus>, PrintError> {
    let mut answers = [0u8; 4];
    for (i, n) in escpos::STATUS_QUERIES.into_iter().enumerate() {
        write_all(s, &escpos::status_request(n), dl, on_err)?;
        let until = match wait {
            Some(w) => (Instant::now() + w).min(dl.end),
            None => dl.end,
        };
        match read_byte(s, until, on_err)? {
            Some(b) => answers[i] = b,
            None if wait.is_some() => return Ok(None),
            None => return Err(dl.timeout()),
        }
    }
    escpos::parse_status(answers[0], answers[1], answers[2], answers[3])
        .map(Some)
        .ok_or_else(|| PrintError::Protocol {
            detail: "the status answer is not ESC/POS".into(),
        })
}

/// Socket timeout of one read or write attempt; the call's deadline is checked between them.
const POLL: Duration = Duration::from_millis(50);

/// Raw ESC/POS to a network printer, usually port 9100.
pub struct TcpPrinter {
    address: String,
    timeout: Duration,
}

impl TcpPrinter {
    pub fn new(address: String, timeout: Duration) -> TcpPrinter {
        TcpPrinter { address, timeout }
    }

    fn connect(&self, dl: Deadline) -> Result<TcpStream, PrintError> {
        let addrs: Vec<SocketAddr> = self
            .address
            .to_socket_addrs()
            .map_err(|e| PrintError::Config { detail: format!("[printer] address = \"{}\" is not HOST:PORT ({e}); e.g. \"192.168.10.50:9100\"", self.address) })?
            .collect();
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, dl.remaining()?) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    return Ok(s);
                }
                Err(e) => last = Some(e),
            }
        }
        match last {
            Some(e) if timed_out(&e) => Err(dl.timeout()),
            Some(e) => Err(PrintError::Unreachable {
                address: self.address.clone(),
                detail: e.to_string(),
            }),
            None => Err(PrintError::Unreachable {
                address: self.address.clone(),
                detail: "the name has no address".into(),
            }),
        }
    }

    fn io_err(&self) -> impl Fn(std::io::Error) -> PrintError + '_ {
        move |e| PrintError::Unreachable {
            address: self.address.clone(),
            detail: e.to_string(),
        }
    }

    fn open_and_ask(&self, dl: Deadline) -> Result<(TcpStream, PrinterStatus), PrintError> {
        let mut s = self.connect(dl)?;
        let io = self.io_err();
        // Short socket timeouts: reads and writes poll, and the deadline decides.
        s.set_read_timeout(Some(POLL)).map_err(&io)?;
        s.set_write_timeout(Some(POLL)).map_err(&io)?;
        let status = query_status(&mut s, dl, None, &io)?.unwrap_or_else(PrinterStatus::unknown);
        Ok((s, status))
    }
}

impl Printer for TcpPrinter {
    fn status(&mut self) -> Result<PrinterStatus, PrintError> {
        let dl = Deadline::after(self.timeout);
        self.open_and_ask(dl).map(|(_, st)| st)
    }

    fn print(&mut self, bitmap: &Bitmap) -> Result<(), PrintError> {
        let dl = Deadline::after(self.timeout);
        let (mut s, status) = self.open_and_ask(dl)?;
        if let Some(refusal) = status.refusal() {
            return Err(refusal);
        }
        let io = self.io_err();
        write_all(&mut s, &escpos::encode(bitmap), dl, &io)?;
        // Close our side and let the printer close its side, so nothing it still has to read
        // is thrown away by a reset.
        let _ = s.shutdown(Shutdown::Write);
        let until =
            Instant::now() + Duration::from_millis(500).min(dl.remaining().unwrap_or_default());
        let mut sink = [0u8; 64];
        while Instant::now() < until {
            match s.read(&mut sink) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if timed_out(&e) || e.kind() == ErrorKind::Interrupted => {}
                // A reset means the printer dropped the connection with part of the job
                // unread (all of it may sit in our socket buffers): the slip is not printed.
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return Err(io(e)),
                Err(_) => break,
            }
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!("ESC/POS TCP {}", self.address)
    }
}

/// ESC/POS written to a device file such as /dev/usb/lp0.
pub struct DevicePrinter {
    path: PathBuf,
    timeout: Duration,
}

/// How long a device gets to answer a status request before it is taken as one-way.
const DEVICE_STATUS_WAIT: Duration = Duration::from_millis(400);

impl DevicePrinter {
    pub fn new(path: PathBuf, timeout: Duration) -> DevicePrinter {
        DevicePrinter { path, timeout }
    }

    fn io_err(&self) -> impl Fn(std::io::Error) -> PrintError + '_ {
        move |e| PrintError::Device {
            path: self.path.clone(),
            detail: e.to_string(),
        }
    }

    /// Opens the device without blocking; read-write when it is a character device that
    /// allows it (two-way), else write-only. A plain file (tests, spooling) is appended to.
    fn open(&self) -> Result<(std::fs::File, bool), PrintError> {
        let meta = std::fs::metadata(&self.path).map_err(self.io_err())?;
        let is_char_device = {
            #[cfg(unix)]
            {
                std::os::unix::fs::FileTypeExt::is_char_device(&meta.file_type())
            }
            #[cfg(not(unix))]
            {
                false
            }
        };
        if !is_char_device {
            let f = std::fs::OpenOptions::new()
                .append(true)
                .open(&self.path)
                .map_err(self.io_err())?;
            return Ok((f, false));
        }
        let mut rw = std::fs::OpenOptions::new();
        rw.read(true).write(true);
        nonblocking(&mut rw);
        if let Ok(f) = rw.open(&self.path) {
            return Ok((f, true));
        }
        let mut wo = std::fs::OpenOptions::new();
        wo.write(true);
        nonblocking(&mut wo);
        Ok((wo.open(&self.path).map_err(self.io_err())?, false))
    }

    fn ask(
        &self,
        f: &mut std::fs::File,
        two_way: bool,
        dl: Deadline,
    ) -> Result<PrinterStatus, PrintError> {
        if !two_way {
            return Ok(PrinterStatus::unknown());
        }
        // A device that does not answer, or answers nonsense, is treated as one-way.
        match query_status(f, dl, Some(DEVICE_STATUS_WAIT), &self.io_err()) {
            Ok(Some(st)) => Ok(st),
            Ok(None) | Err(PrintError::Protocol { .. }) => Ok(PrinterStatus::unknown()),
            Err(e) => Err(e),
        }
    }
}

/// O_NONBLOCK, so a printer that is off cannot hang a read or write forever. The value is
/// 0o4000 on the Linux architectures a kiosk runs on (x86, ARM, RISC-V).
fn nonblocking(o: &mut std::fs::OpenOptions) {
    #[cfg(all(
        target_os = "linux",
        any(
            target_arch = "x86_64",
            target_arch = "x86",
            target_arch = "aarch64",
            target_arch = "arm",
            target_arch = "riscv64"
        )
    ))]
    std::os::unix::fs::OpenOptionsExt::custom_flags(o, 0o4000);
    let _ = o;
}

impl Printer for DevicePrinter {
    fn status(&mut self) -> Result<PrinterStatus, PrintError> {
        let dl = Deadline::after(self.timeout);
        let (mut f, two_way) = self.open()?;
        self.ask(&mut f, two_way, dl)
    }

    fn print(&mut self, bitmap: &Bitmap) -> Result<(), PrintError> {
        let dl = Deadline::after(self.timeout);
        let (mut f, two_way) = self.open()?;
        if let Some(refusal) = self.ask(&mut f, two_way, dl)?.refusal() {
            return Err(refusal);
        }
        write_all(&mut f, &escpos::encode(bitmap), dl, &self.io_err())
    }

    fn describe(&self) -> String {
        format!("ESC/POS device {}", self.path.display())
    }
}
