//! Lossless frame encoding: BGRX [`Frame`]s to 8-bit RGB PNG and back.
//!
//! [`FrameEncoder`] is what the recorder uses. Its default codec is the
//! band-cached encoder ([`crate::BandPngEncoder`], 16-row bands, DEFLATE
//! level 1), chosen by `cargo bench -p tracewell-segment --bench
//! frame_codec` on synthetic 1920x1080 desktops (release build, one thread,
//! on a shared 2-core machine; ms per frame, bytes of the PNG/WebP):
//!
//! | encoder | small change (200x30) | full change |
//! |---|---|---|
//! | band-cached PNG, 16 rows, level 1 (default) | 0.82 ms, 327 KB | 11.3 ms, 431 KB |
//! | band-cached PNG, 64 rows, level 1 | 0.92 ms, 322 KB | 10.1 ms, 426 KB |
//! | band-cached PNG, 16 rows, level 3 | 1.64 ms, 206 KB | 27 ms, 270 KB |
//! | png crate `Fast`, `Sub` filter | 5.1 ms, 982 KB | 5.6 ms, 1382 KB |
//! | png crate `Fastest`, `Adaptive` filter | 6.9 ms, 894 KB | 7.3 ms, 1267 KB |
//! | png crate `Balanced`, no filter | 55 ms, 174 KB | 68 ms, 229 KB |
//! | lossless WebP (image-webp) | 9.7 ms, 311 KB | 10.6 ms, 443 KB |
//!
//! Most frames a recorder takes differ from the previous one in a small
//! area (a click, a few typed characters), and there the band cache is
//! 6–12x cheaper than any stateless encoder while making a third of the
//! bytes of the png crate's fast modes (whose fixed Huffman codes suit
//! photos better than screens). A full change costs about twice the png
//! crate's `Fast` mode but is rare, and still yields a third of its bytes,
//! which also spares zstd and the upload. Lossless WebP is smaller only
//! than the fast PNG modes and costs 10x more per small change. The png
//! crate stays available as [`Codec::Png`].

use std::io::Cursor;

use tracewell_model::Frame;

use crate::band_png::{BandOptions, BandPngEncoder};
use crate::error::{Error, Result};
use crate::record::EncodedFrame;

/// zlib effort of the png crate's encoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PngLevel {
    Fastest,
    Fast,
    Balanced,
}

/// PNG row filter choice for the png crate's encoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PngFilter {
    None,
    Sub,
    Up,
    Paeth,
    Adaptive,
}

/// How a [`FrameEncoder`] makes PNGs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// The band-cached encoder: re-compresses only rows that changed.
    Band(BandOptions),
    /// The png crate, stateless.
    Png { level: PngLevel, filter: PngFilter },
}

impl Default for Codec {
    fn default() -> Self {
        Codec::Band(BandOptions::default())
    }
}

/// Encodes a stream of frames as PNGs (stateful: keep one per recording).
pub struct FrameEncoder {
    codec: Codec,
    band: BandPngEncoder,
    rgb: Vec<u8>,
}

impl Default for FrameEncoder {
    fn default() -> Self {
        FrameEncoder::new(Codec::default())
    }
}

impl FrameEncoder {
    pub fn new(codec: Codec) -> FrameEncoder {
        let band = match codec {
            Codec::Band(o) => BandPngEncoder::new(o),
            Codec::Png { .. } => BandPngEncoder::new(BandOptions::default()),
        };
        FrameEncoder {
            codec,
            band,
            rgb: Vec::new(),
        }
    }

    pub fn codec(&self) -> Codec {
        self.codec
    }

    /// The frame's pixels as a PNG file.
    pub fn encode_png(&mut self, frame: &Frame) -> Result<Vec<u8>> {
        match self.codec {
            Codec::Band(_) => self.band.encode(frame.width, frame.height, &frame.bgrx),
            Codec::Png { level, filter } => {
                check_frame(frame)?;
                bgrx_to_rgb(&frame.bgrx, &mut self.rgb);
                encode_rgb_png(frame.width, frame.height, &self.rgb, level, filter)
            }
        }
    }

    /// The frame's metadata with its pixels as a PNG file.
    pub fn encode(&mut self, frame: &Frame) -> Result<EncodedFrame> {
        let png = self.encode_png(frame)?;
        Ok(EncodedFrame::new(frame, png))
    }
}

fn check_frame(frame: &Frame) -> Result<()> {
    let expected = frame.width as usize * frame.height as usize * 4;
    if frame.bgrx.len() != expected || frame.width == 0 || frame.height == 0 {
        return Err(Error::BadFrame {
            width: frame.width,
            height: frame.height,
            len: frame.bgrx.len(),
            expected,
        });
    }
    Ok(())
}

/// Encodes 8-bit RGB pixels with the png crate.
pub fn encode_rgb_png(
    width: u32,
    height: u32,
    rgb: &[u8],
    level: PngLevel,
    filter: PngFilter,
) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(match level {
        PngLevel::Fastest => png::Compression::Fastest,
        PngLevel::Fast => png::Compression::Fast,
        PngLevel::Balanced => png::Compression::Balanced,
    });
    enc.set_filter(match filter {
        PngFilter::None => png::Filter::NoFilter,
        PngFilter::Sub => png::Filter::Sub,
        PngFilter::Up => png::Filter::Up,
        PngFilter::Paeth => png::Filter::Paeth,
        PngFilter::Adaptive => png::Filter::Adaptive,
    });
    let png_err = |e: png::EncodingError| Error::Png(e.to_string());
    let mut writer = enc.write_header().map_err(png_err)?;
    writer.write_image_data(rgb).map_err(png_err)?;
    writer.finish().map_err(png_err)?;
    Ok(out)
}

/// An image decoded to 8-bit RGB.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RgbImage {
    pub width: u32,
    pub height: u32,
    /// `width * height * 3` bytes, rows packed.
    pub rgb: Vec<u8>,
}

impl RgbImage {
    /// The pixels as BGRX (X = 0), the layout of [`Frame::bgrx`].
    pub fn to_bgrx(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.rgb.len() / 3 * 4);
        for px in self.rgb.chunks_exact(3) {
            out.extend_from_slice(&[px[2], px[1], px[0], 0]);
        }
        out
    }
}

/// Decodes a PNG (any bit depth or colour type) to 8-bit RGB.
pub fn decode_png(data: &[u8]) -> Result<RgbImage> {
    let png_err = |e: png::DecodingError| Error::Png(e.to_string());
    let mut decoder = png::Decoder::new(Cursor::new(data));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(png_err)?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| Error::Png("image too large".into()))?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(png_err)?;
    buf.truncate(info.buffer_size());
    let rgb = match info.color_type {
        png::ColorType::Rgb => buf,
        png::ColorType::Rgba => buf.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect(),
        png::ColorType::Grayscale => buf.iter().flat_map(|&v| [v, v, v]).collect(),
        png::ColorType::GrayscaleAlpha => buf.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0]]).collect(),
        png::ColorType::Indexed => return Err(Error::Png("unexpanded palette".into())),
    };
    Ok(RgbImage {
        width: info.width,
        height: info.height,
        rgb,
    })
}

/// BGRX to packed RGB (drops X).
pub fn bgrx_to_rgb(bgrx: &[u8], rgb: &mut Vec<u8>) {
    rgb.clear();
    rgb.reserve(bgrx.len() / 4 * 3);
    for px in bgrx.chunks_exact(4) {
        rgb.extend_from_slice(&[px[2], px[1], px[0]]);
    }
}
