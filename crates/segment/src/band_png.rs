//! [`BandPngEncoder`]: a PNG encoder that re-compresses only what changed.
//!
//! The image is cut into bands of `band_rows` rows. Every row uses the PNG
//! `Sub` filter, which depends on nothing but the row itself, so each band's
//! filtered bytes depend only on that band's pixels. Each band is compressed
//! on its own as raw DEFLATE ending in a sync flush (an empty stored block,
//! which leaves the stream byte-aligned and not final), and the result is
//! cached together with a 128-bit fingerprint of the band's pixels
//! ([`tracewell_model::Fingerprint`]) and the Adler-32 of its filtered
//! bytes. A frame then costs fingerprinting every band, compression of the
//! bands whose fingerprint changed, and concatenation:
//!
//! ```text
//! zlib header 78 01 | band 0 … band n-1 (each ends 00 00 ff ff) | 03 00 (empty final block) | Adler-32
//! ```
//!
//! The zlib Adler-32 of the whole filtered image is combined from the
//! per-band checksums (`adler32_combine`), and the stream is wrapped in
//! `IHDR`/`IDAT`/`IEND` chunks with their CRCs. The output is an ordinary
//! 8-bit RGB PNG.

use miniz_oxide::deflate::core::{CompressorOxide, TDEFLFlush, TDEFLStatus, compress};
use miniz_oxide::DataFormat;
use tracewell_model::Fingerprint;

use crate::error::{Error, Result};

/// Tuning of a [`BandPngEncoder`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BandOptions {
    /// Rows per band.
    pub band_rows: u32,
    /// DEFLATE level (1 = fastest … 9).
    pub level: u8,
}

impl Default for BandOptions {
    fn default() -> Self {
        BandOptions {
            band_rows: 16,
            level: 1,
        }
    }
}

struct Band {
    /// Fingerprint of the band's BGRX pixels when it was last compressed
    /// (the pixels themselves are not kept: a frame's worth of memory).
    print: u128,
    /// Raw DEFLATE of its filtered rows, ending in a sync flush.
    deflated: Vec<u8>,
    /// Adler-32 of its filtered rows, and their length.
    adler: u32,
    filtered_len: u64,
}

/// A PNG encoder for a stream of same-sized BGRX frames that caches the
/// compressed form of each band of rows and re-compresses only bands whose
/// pixels changed. See the module docs for the construction.
pub struct BandPngEncoder {
    options: BandOptions,
    width: u32,
    height: u32,
    bands: Vec<Band>,
    compressor: Box<CompressorOxide>,
    filtered: Vec<u8>,
    out_buf: Vec<u8>,
    /// Bands compressed by the last `encode` call.
    last_recompressed: usize,
}

impl Default for BandPngEncoder {
    fn default() -> Self {
        BandPngEncoder::new(BandOptions::default())
    }
}

impl BandPngEncoder {
    pub fn new(options: BandOptions) -> BandPngEncoder {
        let options = BandOptions {
            band_rows: options.band_rows.max(1),
            level: options.level.clamp(1, 9),
        };
        let mut compressor = Box::new(CompressorOxide::new(0));
        compressor.set_format_and_level(DataFormat::Raw, options.level);
        BandPngEncoder {
            options,
            width: 0,
            height: 0,
            bands: Vec::new(),
            compressor,
            filtered: Vec::new(),
            out_buf: vec![0; 64 * 1024],
            last_recompressed: 0,
        }
    }

    /// How many bands the last [`encode`](Self::encode) had to compress.
    pub fn last_recompressed(&self) -> usize {
        self.last_recompressed
    }

    /// Encodes BGRX pixels (`width * height * 4` bytes) as an RGB PNG.
    pub fn encode(&mut self, width: u32, height: u32, bgrx: &[u8]) -> Result<Vec<u8>> {
        let expected = width as usize * height as usize * 4;
        if bgrx.len() != expected || width == 0 || height == 0 {
            return Err(Error::BadFrame {
                width,
                height,
                len: bgrx.len(),
                expected,
            });
        }
        if (width, height) != (self.width, self.height) {
            self.width = width;
            self.height = height;
            self.bands.clear();
        }
        let stride = width as usize * 4;
        let band_bytes = self.options.band_rows as usize * stride;
        self.last_recompressed = 0;
        for (i, pixels) in bgrx.chunks(band_bytes).enumerate() {
            let print = Fingerprint::of(pixels);
            if self.bands.get(i).is_some_and(|b| b.print == print) {
                continue;
            }
            let band = self.compress_band(pixels, print, stride)?;
            if i < self.bands.len() {
                self.bands[i] = band;
            } else {
                self.bands.push(band);
            }
            self.last_recompressed += 1;
        }

        let deflated: usize = self.bands.iter().map(|b| b.deflated.len()).sum();
        let mut png = Vec::with_capacity(deflated + 128);
        png.extend_from_slice(b"\x89PNG\r\n\x1a\n");
        let mut ihdr = [0u8; 13];
        ihdr[0..4].copy_from_slice(&width.to_be_bytes());
        ihdr[4..8].copy_from_slice(&height.to_be_bytes());
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type: RGB
        // compression 0, filter method 0, no interlace
        write_chunk(&mut png, b"IHDR", &ihdr);

        let idat_start = png.len();
        png.extend_from_slice(&[0, 0, 0, 0]);
        png.extend_from_slice(b"IDAT");
        png.extend_from_slice(&[0x78, 0x01]);
        let mut adler = 1u32;
        for band in &self.bands {
            png.extend_from_slice(&band.deflated);
            adler = adler32_combine(adler, band.adler, band.filtered_len);
        }
        png.extend_from_slice(&[0x03, 0x00]);
        png.extend_from_slice(&adler.to_be_bytes());
        let idat_len = (png.len() - idat_start - 8) as u32;
        png[idat_start..idat_start + 4].copy_from_slice(&idat_len.to_be_bytes());
        let crc = crc32fast::hash(&png[idat_start + 4..]);
        png.extend_from_slice(&crc.to_be_bytes());

        write_chunk(&mut png, b"IEND", &[]);
        Ok(png)
    }

    fn compress_band(&mut self, pixels: &[u8], print: u128, stride: usize) -> Result<Band> {
        self.filtered.clear();
        for row in pixels.chunks_exact(stride) {
            sub_filter_row(row, &mut self.filtered);
        }
        let mut adler = adler2::Adler32::new();
        adler.write_slice(&self.filtered);

        self.compressor.reset();
        let mut deflated = Vec::with_capacity(self.filtered.len() / 8 + 64);
        let mut input = &self.filtered[..];
        loop {
            let (status, used_in, used_out) =
                compress(&mut self.compressor, input, &mut self.out_buf, TDEFLFlush::Sync);
            deflated.extend_from_slice(&self.out_buf[..used_out]);
            input = &input[used_in..];
            match status {
                TDEFLStatus::Okay if input.is_empty() && used_out < self.out_buf.len() => break,
                TDEFLStatus::Okay => {}
                other => return Err(Error::Png(format!("deflate failed: {other:?}"))),
            }
        }
        Ok(Band {
            print,
            deflated,
            adler: adler.checksum(),
            filtered_len: self.filtered.len() as u64,
        })
    }
}

/// Appends one PNG row: filter type 1 (`Sub`) and the RGB bytes, each minus
/// the same channel of the pixel to its left.
fn sub_filter_row(bgrx: &[u8], out: &mut Vec<u8>) {
    out.push(1);
    let (mut pr, mut pg, mut pb) = (0u8, 0u8, 0u8);
    for px in bgrx.chunks_exact(4) {
        let (b, g, r) = (px[0], px[1], px[2]);
        out.extend_from_slice(&[r.wrapping_sub(pr), g.wrapping_sub(pg), b.wrapping_sub(pb)]);
        (pr, pg, pb) = (r, g, b);
    }
}

fn write_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32fast::hash(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

const ADLER_MOD: u64 = 65521;

/// The Adler-32 of `A ++ B` from `adler32(A)`, `adler32(B)` and `len(B)`.
///
/// With `a = 1 + Σ bytes` and `b = Σ a` over the prefixes: appending `B`
/// adds `a_B - 1` to `a`, and to `b` adds `b_B` plus `len(B) · (a_A - 1)`.
pub fn adler32_combine(adler_a: u32, adler_b: u32, len_b: u64) -> u32 {
    let (a1, b1) = ((adler_a & 0xffff) as u64, (adler_a >> 16) as u64);
    let (a2, b2) = ((adler_b & 0xffff) as u64, (adler_b >> 16) as u64);
    let n = len_b % ADLER_MOD;
    let a = (a1 + a2 + ADLER_MOD - 1) % ADLER_MOD;
    let b = (b1 + b2 + n * ((a1 + ADLER_MOD - 1) % ADLER_MOD)) % ADLER_MOD;
    ((b as u32) << 16) | a as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adler(data: &[u8]) -> u32 {
        let mut a = adler2::Adler32::new();
        a.write_slice(data);
        a.checksum()
    }

    #[test]
    fn adler_combine_matches_the_checksum_of_the_concatenation() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        for cut in [0, 1, 2, 5551, 5552, 65_521, 100_000, 199_999, 200_000] {
            let (x, y) = data.split_at(cut);
            assert_eq!(adler32_combine(adler(x), adler(y), y.len() as u64), adler(&data), "cut {cut}");
        }
        let ff = vec![0xffu8; 70_000];
        assert_eq!(adler32_combine(adler(&ff), adler(&ff), ff.len() as u64), adler(&[ff.clone(), ff].concat()));
    }

    #[test]
    fn sub_filter_uses_only_the_row() {
        let mut out = Vec::new();
        sub_filter_row(&[10, 20, 30, 0, 11, 22, 33, 0, 0, 0, 0, 0], &mut out);
        assert_eq!(out, vec![1, 30, 20, 10, 3, 2, 1, 223, 234, 245]);
    }
}

#[cfg(test)]
mod stream_tests {
    use super::*;

    /// The IDAT payload of a PNG with one IDAT chunk.
    fn idat(png: &[u8]) -> &[u8] {
        let mut pos = 8;
        loop {
            let len = u32::from_be_bytes(png[pos..pos + 4].try_into().unwrap()) as usize;
            if &png[pos + 4..pos + 8] == b"IDAT" {
                return &png[pos + 8..pos + 8 + len];
            }
            pos += 12 + len;
        }
    }

    #[test]
    fn zlib_stream_and_its_adler32_are_valid() {
        let (w, h) = (37u32, 50u32);
        let mut px: Vec<u8> = (0..w * h * 4).map(|i| (i * 31 / 7) as u8).collect();
        let mut enc = BandPngEncoder::new(BandOptions { band_rows: 8, level: 1 });
        for round in 0..3 {
            let png = enc.encode(w, h, &px).unwrap();
            // miniz's zlib inflate checks the Adler-32 trailer.
            let raw = miniz_oxide::inflate::decompress_to_vec_zlib(idat(&png)).expect("valid zlib stream");
            let mut want = Vec::new();
            for row in px.chunks_exact(w as usize * 4) {
                sub_filter_row(row, &mut want);
            }
            assert_eq!(raw, want, "round {round}");
            // Change one band for the next round.
            px[(w * 4 * 20) as usize + round] ^= 0xff;
        }
    }
}
