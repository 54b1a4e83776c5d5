//! A 1-bit image: what a thermal printer prints, what the kiosk previews, what the PNG holds.
//! Rows are packed MSB-first (leftmost dot in the top bit), 1 = black — the ESC/POS raster
//! layout, so the printer encoder copies rows as they are.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Bitmap {
    pub width: u32,
    pub height: u32,
    /// `height` rows of `stride()` bytes each.
    pub bits: Vec<u8>,
}

impl fmt::Debug for Bitmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bitmap {}×{}", self.width, self.height)
    }
}

/// A PNG could not be written or read as a slip image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PngError(pub String);

impl fmt::Display for PngError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PNG: {}", self.0)
    }
}

impl std::error::Error for PngError {}

impl Bitmap {
    /// All white.
    pub fn new(width: u32, height: u32) -> Bitmap {
        let stride = width.div_ceil(8) as usize;
        Bitmap {
            width,
            height,
            bits: vec![0; stride * height as usize],
        }
    }

    /// Bytes per row.
    pub fn stride(&self) -> usize {
        self.width.div_ceil(8) as usize
    }

    pub fn row(&self, y: u32) -> &[u8] {
        let s = self.stride();
        &self.bits[y as usize * s..(y as usize + 1) * s]
    }

    /// True = black. Outside the image is white.
    pub fn get(&self, x: u32, y: u32) -> bool {
        if x >= self.width || y >= self.height {
            return false;
        }
        self.bits[y as usize * self.stride() + (x / 8) as usize] & (0x80 >> (x % 8)) != 0
    }

    /// Paints one dot black; outside the image is ignored.
    pub fn set(&mut self, x: i32, y: i32) {
        if x < 0 || y < 0 || x as u32 >= self.width || y as u32 >= self.height {
            return;
        }
        let i = y as usize * self.stride() + (x / 8) as usize;
        self.bits[i] |= 0x80 >> (x % 8);
    }

    /// Paints a rectangle black (clipped).
    pub fn fill_rect(&mut self, x: i32, y: i32, w: i32, h: i32) {
        let x0 = x.max(0);
        let y0 = y.max(0);
        let x1 = (x + w).min(self.width as i32);
        let y1 = (y + h).min(self.height as i32);
        for yy in y0..y1 {
            for xx in x0..x1 {
                self.set(xx, yy);
            }
        }
    }

    /// Turns black dots white and white dots black in a rectangle (clipped): white text on
    /// black for the take-home sheet's marked places.
    pub fn invert_rect(&mut self, x: i32, y: i32, w: i32, h: i32) {
        let x0 = x.max(0);
        let y0 = y.max(0);
        let x1 = (x + w).min(self.width as i32);
        let y1 = (y + h).min(self.height as i32);
        let stride = self.stride();
        for yy in y0..y1 {
            for xx in x0..x1 {
                let i = yy as usize * stride + (xx / 8) as usize;
                self.bits[i] ^= 0x80 >> (xx % 8);
            }
        }
    }

    /// Adds white rows at the bottom.
    pub fn grow(&mut self, height: u32) {
        if height > self.height {
            self.height = height;
            self.bits.resize(self.stride() * height as usize, 0);
        }
    }

    /// Drops rows below `height`.
    pub fn truncate(&mut self, height: u32) {
        if height < self.height {
            self.height = height;
            self.bits.truncate(self.stride() * height as usize);
        }
    }

    /// 8-bit grey, 0 = black, 255 = white, `width` bytes per row (the kiosk's preview).
    pub fn to_luma8(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.width as usize * self.height as usize);
        for y in 0..self.height {
            let row = self.row(y);
            out.extend((0..self.width).map(|x| {
                if row[(x / 8) as usize] & (0x80 >> (x % 8)) != 0 {
                    0
                } else {
                    255
                }
            }));
        }
        out
    }

    /// From 8-bit grey: darker than `threshold` is black.
    pub fn from_luma8(width: u32, height: u32, luma: &[u8], threshold: u8) -> Option<Bitmap> {
        if luma.len() != width as usize * height as usize {
            return None;
        }
        let mut b = Bitmap::new(width, height);
        for (i, &v) in luma.iter().enumerate() {
            if v < threshold {
                b.set((i % width as usize) as i32, (i / width as usize) as i32);
            }
        }
        Some(b)
    }

    /// A 1-bit greyscale PNG (black = 0).
    pub fn to_png(&self) -> Result<Vec<u8>, PngError> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, self.width, self.height);
            enc.set_color(png::ColorType::Grayscale);
            enc.set_depth(png::BitDepth::One);
            let mut w = enc.write_header().map_err(|e| PngError(e.to_string()))?;
            // PNG grey: 1 = white; ours: 1 = black.
            let inverted: Vec<u8> = self.bits.iter().map(|b| !b).collect();
            w.write_image_data(&inverted)
                .map_err(|e| PngError(e.to_string()))?;
            w.finish().map_err(|e| PngError(e.to_string()))?;
        }
        Ok(out)
    }

    /// Reads any 8-bit-or-less grey/RGB(A) PNG; darker than mid-grey is black.
    pub fn from_png(data: &[u8]) -> Result<Bitmap, PngError> {
        let mut dec = png::Decoder::new(std::io::Cursor::new(data));
        dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = dec.read_info().map_err(|e| PngError(e.to_string()))?;
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| PngError("image too large".into()))?;
        let mut buf = vec![0; size];
        let info = reader
            .next_frame(&mut buf)
            .map_err(|e| PngError(e.to_string()))?;
        let channels = info.color_type.samples();
        let (w, h) = (info.width, info.height);
        let mut b = Bitmap::new(w, h);
        for y in 0..h as usize {
            let row = &buf[y * info.line_size..];
            for x in 0..w as usize {
                let px = &row[x * channels..x * channels + channels];
                let grey = match channels {
                    1 | 2 => u32::from(px[0]),
                    _ => (u32::from(px[0]) + u32::from(px[1]) + u32::from(px[2])) / 3,
                };
                let transparent = matches!(channels, 2 | 4) && px[channels - 1] < 128;
                if grey < 128 && !transparent {
                    b.set(x as i32, y as i32);
                }
            }
        }
        Ok(b)
    }

    /// Number of black dots (tests, sanity checks).
    pub fn count_black(&self) -> usize {
        self.bits.iter().map(|b| b.count_ones() as usize).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_round_trip() {
        let mut b = Bitmap::new(13, 5);
        b.set(0, 0);
        b.set(12, 4);
        b.fill_rect(3, 1, 4, 2);
        let back = Bitmap::from_png(&b.to_png().unwrap()).unwrap();
        assert_eq!(back, b);
        assert_eq!(b.count_black(), 10);
        let luma = b.to_luma8();
        assert_eq!(luma[0], 0);
        assert_eq!(luma[1], 255);
        assert_eq!(Bitmap::from_luma8(13, 5, &luma, 128).unwrap(), b);
    }
}
