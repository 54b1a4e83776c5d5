//! `kind = "cups"`: the slip's PNG piped to `lp -d QUEUE`, for printers that only have a CUPS
//! driver. CUPS knows no paper sensor, so status is only "queue enabled or not".

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{PrintError, Printer, PrinterStatus};
use crate::slip::{Bitmap, DOTS_PER_MM};

pub struct CupsPrinter {
    queue: String,
    timeout: Duration,
    lp: PathBuf,
    lpstat: PathBuf,
}

impl CupsPrinter {
    pub fn new(queue: String, timeout: Duration) -> CupsPrinter {
        CupsPrinter::with_commands(queue, timeout, "lp".into(), "lpstat".into())
    }

    /// With other `lp` / `lpstat` programs (tests, unusual installs).
    pub fn with_commands(
        queue: String,
        timeout: Duration,
        lp: PathBuf,
        lpstat: PathBuf,
    ) -> CupsPrinter {
        CupsPrinter {
            queue,
            timeout,
            lp,
            lpstat,
        }
    }

    /// An A4 PDF (the visitor's take-home sheet) to the queue, as `lp` takes any document.
    pub fn print_pdf(&mut self, pdf: &[u8]) -> Result<(), PrintError> {
        let mut cmd = Command::new(&self.lp);
        cmd.arg("-d")
            .arg(&self.queue)
            .arg("-t")
            .arg("hatarakitai")
            .arg("-o")
            .arg("media=A4");
        match self.run(&mut cmd, pdf)? {
            None => Err(PrintError::LpMissing),
            Some((true, _, _)) => Ok(()),
            Some((false, _, err)) => Err(PrintError::Cups {
                detail: if err.is_empty() {
                    "lp failed".into()
                } else {
                    err
                },
            }),
        }
    }

    /// Runs a command with `input` on stdin: Ok(Some((success, stdout, stderr))), or Ok(None)
    /// when the command is not installed.
    fn run(
        &self,
        cmd: &mut Command,
        input: &[u8],
    ) -> Result<Option<(bool, String, String)>, PrintError> {
        let deadline = Instant::now() + self.timeout;
        let mut child = match cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(PrintError::Cups {
                    detail: e.to_string(),
                });
            }
        };
        // The PNG may not fit the pipe buffer: write it on a thread, so an `lp` that stops
        // reading cannot hold us past the deadline.
        let writer = child.stdin.take().map(|mut stdin| {
            let data = input.to_vec();
            std::thread::spawn(move || {
                let _ = stdin.write_all(&data);
            })
        });
        let status = loop {
            match child.try_wait() {
                Ok(Some(st)) => break st,
                Ok(None) if Instant::now() >= deadline => {
                    kill(&mut child);
                    return Err(PrintError::Timeout {
                        ms: self.timeout.as_millis() as u64,
                    });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => {
                    kill(&mut child);
                    return Err(PrintError::Cups {
                        detail: e.to_string(),
                    });
                }
            }
        };
        if let Some(w) = writer {
            let _ = w.join();
        }
        let mut out = String::new();
        let mut err = String::new();
        if let Some(mut o) = child.stdout.take() {
            let _ = o.read_to_string(&mut out);
        }
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        Ok(Some((
            status.success(),
            out,
            err.trim().chars().take(200).collect(),
        )))
    }
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

impl Printer for CupsPrinter {
    fn status(&mut self) -> Result<PrinterStatus, PrintError> {
        let mut cmd = Command::new(&self.lpstat);
        cmd.arg("-p").arg(&self.queue);
        match self.run(&mut cmd, b"")? {
            // Without lpstat there is nothing to ask; printing will tell.
            None => Ok(PrinterStatus::unknown()),
            Some((false, _, err)) => Err(PrintError::Cups {
                detail: if err.is_empty() {
                    format!("queue {} not found", self.queue)
                } else {
                    err
                },
            }),
            Some((true, out, _)) if out.contains("disabled") => Ok(PrinterStatus {
                known: true,
                offline: true,
                ..PrinterStatus::default()
            }),
            Some(_) => Ok(PrinterStatus::unknown()),
        }
    }

    fn print(&mut self, bitmap: &Bitmap) -> Result<(), PrintError> {
        let png = bitmap.to_png().map_err(|e| PrintError::Internal {
            detail: e.to_string(),
        })?;
        let mut cmd = Command::new(&self.lp);
        // 203 dpi: one image pixel per printer dot.
        let ppi = (DOTS_PER_MM as f32 * 25.4).round() as u32;
        cmd.arg("-d")
            .arg(&self.queue)
            .arg("-t")
            .arg("hatarakitai")
            .arg("-o")
            .arg(format!("ppi={ppi}"));
        match self.run(&mut cmd, &png)? {
            None => Err(PrintError::LpMissing),
            Some((true, _, _)) => Ok(()),
            Some((false, _, err)) => Err(PrintError::Cups {
                detail: if err.is_empty() {
                    "lp failed".into()
                } else {
                    err
                },
            }),
        }
    }

    fn describe(&self) -> String {
        format!("CUPS {}", self.queue)
    }
}
