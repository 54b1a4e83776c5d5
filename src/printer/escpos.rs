//! ESC/POS bytes: the slip as a raster image, and the real-time status the printer answers.
//! Pure: the backends do the I/O.
//!
//! Print job: `ESC @` (initialise), the image as `GS v 0` raster bands of at most
//! [`BAND_ROWS`] rows (printers have small receive buffers), then `GS V 66 0` (feed to the
//! cutter and cut, leaving a hinge where the printer can).
//!
//! Status: `DLE EOT n` is answered at once, even while a job is pending, with one byte whose
//! bits 1 and 4 are set and bits 0 and 7 clear: n = 1 printer (offline), 2 offline cause
//! (cover open, paper end, error), 3 error cause (cutter, unrecoverable), 4 roll paper sensor
//! (near end, end).

use crate::slip::Bitmap;

pub const ESC: u8 = 0x1b;
pub const GS: u8 = 0x1d;
pub const DLE: u8 = 0x10;
pub const EOT: u8 = 0x04;

/// Rows per `GS v 0` band.
pub const BAND_ROWS: u32 = 255;

/// The print job for one slip.
pub fn encode(bitmap: &Bitmap) -> Vec<u8> {
    let stride = bitmap.stride();
    let mut out =
        Vec::with_capacity(bitmap.bits.len() + 16 + 8 * (bitmap.height / BAND_ROWS + 1) as usize);
    out.extend_from_slice(&[ESC, b'@']);
    let mut y = 0;
    while y < bitmap.height {
        let rows = (bitmap.height - y).min(BAND_ROWS);
        out.extend_from_slice(&[
            GS,
            b'v',
            b'0',
            0,
            (stride & 0xff) as u8,
            (stride >> 8) as u8,
            (rows & 0xff) as u8,
            (rows >> 8) as u8,
        ]);
        let start = y as usize * stride;
        out.extend_from_slice(&bitmap.bits[start..start + rows as usize * stride]);
        y += rows;
    }
    // Feed to the cutter position, then partial cut.
    out.extend_from_slice(&[GS, b'V', 66, 0]);
    out
}

/// The real-time status request `DLE EOT n`.
pub fn status_request(n: u8) -> [u8; 3] {
    [DLE, EOT, n]
}

/// The status requests a two-way backend sends, in order; answer bytes go to [`parse_status`].
pub const STATUS_QUERIES: [u8; 4] = [1, 2, 3, 4];

/// What the printer said about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrinterStatus {
    /// False when the link is one-way and nothing could be asked (everything else false too).
    pub known: bool,
    pub offline: bool,
    pub cover_open: bool,
    pub paper_end: bool,
    pub paper_near_end: bool,
    /// Cutter jam, head overheated, or another error that stops printing.
    pub error: bool,
}

impl PrinterStatus {
    /// A printer that cannot be asked.
    pub fn unknown() -> PrinterStatus {
        PrinterStatus::default()
    }

    /// A printer that said all is well.
    pub fn ready() -> PrinterStatus {
        PrinterStatus {
            known: true,
            ..PrinterStatus::default()
        }
    }

    /// Why a slip cannot be printed now, if anything (paper near end still prints).
    pub fn refusal(&self) -> Option<super::PrintError> {
        use super::PrintError;
        if self.paper_end {
            Some(PrintError::PaperEnd)
        } else if self.cover_open {
            Some(PrintError::CoverOpen)
        } else if self.error {
            Some(PrintError::PrinterError)
        } else if self.offline {
            Some(PrintError::Offline)
        } else {
            None
        }
    }

    /// One line for the staff screen.
    pub fn summary(&self) -> String {
        match self.refusal() {
            Some(e) => e.to_string(),
            None if !self.known => "プリンターの状態は確認できません（一方向の接続） / Printer status unknown (one-way link)".into(),
            None if self.paper_near_end => "用紙が残りわずかです — 予備のロール紙を用意してください / Paper low: have a new roll ready".into(),
            None => "プリンター準備OK / Printer ready".into(),
        }
    }
}

/// Is `b` a well-formed real-time status byte?
pub fn is_status_byte(b: u8) -> bool {
    b & 0x93 == 0x12
}

/// Reads the answers to `DLE EOT 1, 2, 3, 4`. None if a byte is not a status byte.
pub fn parse_status(
    printer: u8,
    offline_cause: u8,
    error_cause: u8,
    paper: u8,
) -> Option<PrinterStatus> {
    if ![printer, offline_cause, error_cause, paper]
        .into_iter()
        .all(is_status_byte)
    {
        return None;
    }
    Some(PrinterStatus {
        known: true,
        offline: printer & 0x08 != 0,
        cover_open: offline_cause & 0x04 != 0,
        paper_end: offline_cause & 0x20 != 0 || paper & 0x60 != 0,
        paper_near_end: paper & 0x0c != 0,
        error: offline_cause & 0x40 != 0 || error_cause & 0x68 != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_and_framing() {
        let mut b = Bitmap::new(20, 600);
        b.set(0, 0);
        b.set(19, 599);
        let out = encode(&b);
        assert_eq!(&out[..2], &[ESC, b'@']);
        assert_eq!(&out[2..10], &[GS, b'v', b'0', 0, 3, 0, 255, 0]);
        assert_eq!(out[10], 0x80);
        assert_eq!(&out[out.len() - 4..], &[GS, b'V', 66, 0]);
        // 600 rows = 255 + 255 + 90.
        assert_eq!(out.len(), 2 + 3 * 8 + 600 * 3 + 4);
    }

    #[test]
    fn status_bits() {
        assert_eq!(
            parse_status(0x12, 0x12, 0x12, 0x12),
            Some(PrinterStatus::ready())
        );
        let s = parse_status(0x1a, 0x32, 0x12, 0x7e).unwrap();
        assert!(s.offline && s.paper_end && s.paper_near_end && !s.cover_open);
        assert_eq!(s.refusal(), Some(super::super::PrintError::PaperEnd));
        let s = parse_status(0x1a, 0x16, 0x12, 0x12).unwrap();
        assert_eq!(s.refusal(), Some(super::super::PrintError::CoverOpen));
        assert_eq!(parse_status(0x00, 0x12, 0x12, 0x12), None);
    }
}
