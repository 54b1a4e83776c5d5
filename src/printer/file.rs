//! `kind = "file"`: each slip becomes a PNG in a folder — the embedded default, for demos,
//! CI and centres that print another way. File names carry the time and the 受付番号 only.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{PrintError, Printer, PrinterStatus};
use crate::slip::Bitmap;

pub struct FilePrinter {
    dir: PathBuf,
}

impl FilePrinter {
    pub fn new(dir: PathBuf) -> FilePrinter {
        FilePrinter { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn folder_err(&self, e: impl ToString) -> PrintError {
        PrintError::Folder {
            path: self.dir.clone(),
            detail: e.to_string(),
        }
    }

    fn ensure_dir(&self) -> Result<(), PrintError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| self.folder_err(e))?;
        let meta = std::fs::metadata(&self.dir).map_err(|e| self.folder_err(e))?;
        if meta.permissions().readonly() {
            return Err(self.folder_err("read-only"));
        }
        Ok(())
    }

    /// Writes the slip and returns its path: `slip-YYYYMMDD-HHMMSS-<receipt>.png`, written to
    /// a temporary name first so a half-written file never appears under the final name.
    pub fn write(&self, bitmap: &Bitmap, receipt_no: &str) -> Result<PathBuf, PrintError> {
        self.ensure_dir()?;
        let png = bitmap.to_png().map_err(|e| PrintError::Internal {
            detail: e.to_string(),
        })?;
        let label: String = receipt_no
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(24)
            .collect();
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        let stem = if label.is_empty() {
            format!("slip-{stamp}")
        } else {
            format!("slip-{stamp}-{label}")
        };
        let tmp = self.dir.join(format!(".{stem}.png.tmp"));
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&png)?;
            f.sync_all()
        };
        if let Err(e) = write() {
            let _ = std::fs::remove_file(&tmp);
            return Err(self.folder_err(e));
        }
        for n in 1..1000 {
            let name = if n == 1 {
                format!("{stem}.png")
            } else {
                format!("{stem}-{n}.png")
            };
            let path = self.dir.join(name);
            if path.exists() {
                continue;
            }
            return match std::fs::rename(&tmp, &path) {
                Ok(()) => Ok(path),
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    Err(self.folder_err(e))
                }
            };
        }
        let _ = std::fs::remove_file(&tmp);
        Err(self.folder_err("too many slips with the same name"))
    }
}

impl Printer for FilePrinter {
    fn status(&mut self) -> Result<PrinterStatus, PrintError> {
        self.ensure_dir()?;
        Ok(PrinterStatus::ready())
    }

    fn print(&mut self, bitmap: &Bitmap) -> Result<(), PrintError> {
        self.write(bitmap, "").map(|_| ())
    }

    fn print_slip(&mut self, bitmap: &Bitmap, receipt_no: &str) -> Result<(), PrintError> {
        self.write(bitmap, receipt_no).map(|_| ())
    }

    fn describe(&self) -> String {
        format!("PNG → {}", self.dir.display())
    }
}
