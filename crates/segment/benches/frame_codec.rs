//! Frame codec and segment compression benchmark.
//!
//! `cargo bench -p tracewell-segment --bench frame_codec`
//!
//! Synthetic 1920x1080 desktops (flat background, windows, text-like
//! glyphs): every encoder is timed on a first frame, on a "small change"
//! (a 200x30 area redrawn; the stateful encoders see it as a change against
//! the previous frame) and on a "full change" (a different desktop). Times
//! include the BGRX to RGB conversion a caller would need. Every encoder's
//! output is decoded once and compared with the source pixels.
//! A second table writes PNG frames into segments at several zstd levels.

#[path = "../tests/common/desktop.rs"]
#[allow(dead_code)]
mod desktop;

use std::hint::black_box;
use std::time::{Duration, Instant};

use tracewell_model::{Frame, FrameReason};
use tracewell_segment::frame_codec::{bgrx_to_rgb, encode_rgb_png};
use tracewell_segment::*;

const W: u32 = 1920;
const H: u32 = 1080;

trait Encoder {
    fn name(&self) -> String;
    fn encode(&mut self, bgrx: &[u8]) -> Vec<u8>;
    /// Decodes to RGB, to check losslessness.
    fn decode(&self, data: &[u8]) -> Vec<u8>;
    /// Forgets any state kept between frames.
    fn reset(&mut self) {}
}

struct PngCrate {
    level: PngLevel,
    filter: PngFilter,
    rgb: Vec<u8>,
}

impl Encoder for PngCrate {
    fn name(&self) -> String {
        format!("png {:?} / {:?}", self.level, self.filter)
    }
    fn encode(&mut self, bgrx: &[u8]) -> Vec<u8> {
        bgrx_to_rgb(bgrx, &mut self.rgb);
        encode_rgb_png(W, H, &self.rgb, self.level, self.filter).unwrap()
    }
    fn decode(&self, data: &[u8]) -> Vec<u8> {
        decode_png(data).unwrap().rgb
    }
}

struct Band {
    opts: BandOptions,
    enc: BandPngEncoder,
}

impl Encoder for Band {
    fn name(&self) -> String {
        format!("band-cached PNG, {} rows, level {}", self.opts.band_rows, self.opts.level)
    }
    fn encode(&mut self, bgrx: &[u8]) -> Vec<u8> {
        self.enc.encode(W, H, bgrx).unwrap()
    }
    fn reset(&mut self) {
        self.enc = BandPngEncoder::new(self.opts);
    }
    fn decode(&self, data: &[u8]) -> Vec<u8> {
        decode_png(data).unwrap().rgb
    }
}

struct WebP {
    rgb: Vec<u8>,
}

impl Encoder for WebP {
    fn name(&self) -> String {
        "webp lossless (image-webp)".into()
    }
    fn encode(&mut self, bgrx: &[u8]) -> Vec<u8> {
        bgrx_to_rgb(bgrx, &mut self.rgb);
        let mut out = Vec::new();
        image_webp::WebPEncoder::new(&mut out)
            .encode(&self.rgb, W, H, image_webp::ColorType::Rgb8)
            .unwrap();
        out
    }
    fn decode(&self, data: &[u8]) -> Vec<u8> {
        let mut d = image_webp::WebPDecoder::new(std::io::Cursor::new(data)).unwrap();
        assert!(!d.is_lossy(), "webp output is lossy");
        let mut buf = vec![0; d.output_buffer_size().unwrap()];
        d.read_image(&mut buf).unwrap();
        if d.has_alpha() {
            buf.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect()
        } else {
            buf
        }
    }
}

/// Runs `f` at least 3 times and for at least `budget`; mean ms and the last output size.
fn time(budget: Duration, max_iters: u32, mut f: impl FnMut(u32) -> usize) -> (f64, usize) {
    let start = Instant::now();
    let mut n = 0;
    let mut bytes = 0;
    while n < 3 || (start.elapsed() < budget && n < max_iters) {
        bytes = black_box(f(n));
        n += 1;
    }
    (start.elapsed().as_secs_f64() * 1000.0 / n as f64, bytes)
}

fn main() {
    let base = desktop::desktop(W, H, 1).bgrx;
    let mut small_canvas = desktop::desktop(W, H, 1);
    desktop::small_change(&mut small_canvas, 77);
    let small = small_canvas.bgrx;
    let full = desktop::desktop(W, H, 2).bgrx;
    let rgb = |bgrx: &[u8]| {
        let mut v = Vec::new();
        bgrx_to_rgb(bgrx, &mut v);
        v
    };
    let budget = Duration::from_millis(700);

    let mut encoders: Vec<Box<dyn Encoder>> = Vec::new();
    for level in [PngLevel::Fastest, PngLevel::Fast, PngLevel::Balanced] {
        for filter in [PngFilter::None, PngFilter::Sub, PngFilter::Up, PngFilter::Paeth, PngFilter::Adaptive] {
            encoders.push(Box::new(PngCrate { level, filter, rgb: Vec::new() }));
        }
    }
    encoders.push(Box::new(WebP { rgb: Vec::new() }));
    for (band_rows, level) in [(8, 1), (16, 1), (32, 1), (64, 1), (16, 3), (16, 6)] {
        let opts = BandOptions { band_rows, level };
        encoders.push(Box::new(Band { opts, enc: BandPngEncoder::new(opts) }));
    }

    println!("1920x1080 synthetic desktop, {} bytes BGRX; mean ms per frame (release, one thread)", base.len());
    println!();
    println!("| encoder | first frame ms | bytes | small change ms | bytes | full change ms | bytes |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for enc in encoders.iter_mut() {
        // Losslessness, on all three images, in sequence.
        for img in [&base, &small, &full] {
            let out = enc.encode(img);
            assert!(enc.decode(&out) == rgb(img), "{} is not lossless", enc.name());
        }
        let heavy = enc.name().contains("Balanced") || enc.name().contains("webp");
        let max = if heavy { 3 } else { 200 };
        // First frame: a fresh encoder state each time.
        let (first_ms, first_b) = time(budget, max, |_| {
            enc.reset();
            enc.encode(&base).len()
        });
        enc.encode(&base);
        let (small_ms, _) = time(budget, max, |i| enc.encode(if i % 2 == 0 { &small } else { &base }).len());
        enc.encode(&base);
        let small_b = enc.encode(&small).len();
        let (full_ms, _) = time(budget, max, |i| enc.encode(if i % 2 == 0 { &full } else { &base }).len());
        enc.encode(&base);
        let full_b = enc.encode(&full).len();
        println!(
            "| {} | {first_ms:.2} | {first_b} | {small_ms:.2} | {small_b} | {full_ms:.2} | {full_b} |",
            enc.name()
        );
    }

    println!();
    segment_compression();
}

/// Writes a realistic frame stream into segments at several zstd levels:
/// 40 frames, each a 200x30 change somewhere on the screen, and a whole new
/// desktop every 10th frame.
fn segment_compression() {
    let mut enc = FrameEncoder::default();
    let mut canvas = desktop::desktop(W, H, 100);
    let mut rng = desktop::Lcg::new(5);
    let mut encode_ms = 0.0;
    let frames: Vec<EncodedFrame> = (0..40u64)
        .map(|i| {
            if i % 10 == 9 {
                canvas = desktop::desktop(W, H, 100 + i);
            } else {
                let (x, y) = (rng.below(W - 200), rng.below(H - 30));
                desktop::small_change_at(&mut canvas, x, y, i);
            }
            let f = Frame {
                t_ns: 1_000_000_000 + i * 100_000_000,
                width: W,
                height: H,
                reason: FrameReason::ScreenChange,
                monitors: vec![],
                changed: vec![],
                stack: Default::default(),
                bgrx: canvas.bgrx.clone(),
            };
            let start = Instant::now();
            let e = enc.encode(&f).unwrap();
            encode_ms += start.elapsed().as_secs_f64() * 1000.0;
            e
        })
        .collect();
    let png_bytes: usize = frames.iter().map(|f| f.png.len()).sum();
    println!(
        "segment write: 40 frames (36 small changes, 4 full), default encoder {:.2} ms/frame, PNG total {png_bytes} bytes; 1 MiB chunks",
        encode_ms / frames.len() as f64
    );
    println!();
    println!("| zstd level | ms per frame message (JSON + base64 + zstd + write) | file bytes | file / PNG bytes |");
    println!("|---:|---:|---:|---:|");
    let dir = tempfile::tempdir().unwrap();
    for level in [1u32, 2, 3, 6] {
        let mut best = f64::MAX;
        let mut size = 0;
        for run in 0..3 {
            let path = dir.path().join(format!("l{level}-{run}.mcap"));
            let meta = SegmentMeta {
                format: FORMAT_VERSION.into(),
                recording_id: "bench".into(),
                segment_id: "bench-00000".into(),
                sequence: 0,
                wall_anchor_ns: 0,
                mono_anchor_ns: 0,
                recorder_version: "bench".into(),
                hostname: "bench".into(),
                screen: Some((W, H)),
            };
            let opts = WriterOptions { zstd_level: level, ..WriterOptions::default() };
            let start = Instant::now();
            let mut w = SegmentWriter::create_with_options(&path, meta, opts).unwrap();
            for f in &frames {
                w.write(&Record::Frame(f.clone())).unwrap();
            }
            let s = w.finish().unwrap();
            best = best.min(start.elapsed().as_secs_f64() * 1000.0 / frames.len() as f64);
            size = s.bytes;
        }
        println!("| {level} | {best:.2} | {size} | {:.3} |", size as f64 / png_bytes as f64);
    }
}
