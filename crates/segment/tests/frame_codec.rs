//! Lossless frame codecs: every encoder decodes back to the exact pixels.

mod common;

use common::desktop::{self, Canvas};
use tracewell_model::{Frame, FrameReason};
use tracewell_segment::frame_codec::{bgrx_to_rgb, encode_rgb_png};
use tracewell_segment::*;

fn frame_of(c: &Canvas) -> Frame {
    Frame {
        t_ns: 1,
        width: c.width,
        height: c.height,
        reason: FrameReason::ScreenChange,
        monitors: vec![],
        changed: vec![],
        stack: Default::default(),
        bgrx: c.bgrx.clone(),
    }
}

fn rgb_of(c: &Canvas) -> Vec<u8> {
    let mut rgb = Vec::new();
    bgrx_to_rgb(&c.bgrx, &mut rgb);
    rgb
}

fn assert_decodes_to(png: &[u8], c: &Canvas) {
    let img = decode_png(png).unwrap();
    assert_eq!((img.width, img.height), (c.width, c.height));
    assert!(img.rgb == rgb_of(c), "pixels differ");
    // X is not kept; compare B, G, R.
    let back = img.to_bgrx();
    assert!(back.chunks(4).zip(c.bgrx.chunks(4)).all(|(a, b)| a[..3] == b[..3]));
}

#[test]
fn png_crate_codecs_are_lossless() {
    let c = desktop::desktop(320, 200, 1);
    for level in [PngLevel::Fastest, PngLevel::Fast, PngLevel::Balanced] {
        for filter in [PngFilter::None, PngFilter::Sub, PngFilter::Up, PngFilter::Paeth, PngFilter::Adaptive] {
            let mut enc = FrameEncoder::new(Codec::Png { level, filter });
            assert_decodes_to(&enc.encode_png(&frame_of(&c)).unwrap(), &c);
        }
    }
}

#[test]
fn band_encoder_is_lossless_and_incremental() {
    // 403 rows: the last 16-row band is partial.
    let mut c = desktop::desktop(640, 403, 2);
    let mut enc = BandPngEncoder::new(BandOptions { band_rows: 16, level: 1 });
    let bands = 403usize.div_ceil(16);
    let png = enc.encode(c.width, c.height, &c.bgrx).unwrap();
    assert_eq!(enc.last_recompressed(), bands);
    assert_decodes_to(&png, &c);
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");

    // Same pixels again: nothing recompressed, identical bytes.
    assert_eq!(enc.encode(c.width, c.height, &c.bgrx).unwrap(), png);
    assert_eq!(enc.last_recompressed(), 0);

    // A 200x30 change at rows 201..231 touches bands 12..=14.
    desktop::small_change(&mut c, 5);
    let png2 = enc.encode(c.width, c.height, &c.bgrx).unwrap();
    assert_eq!(enc.last_recompressed(), 3);
    assert_decodes_to(&png2, &c);
    // And the incremental result equals a fresh encode of the same pixels.
    let fresh = BandPngEncoder::new(BandOptions { band_rows: 16, level: 1 }).encode(c.width, c.height, &c.bgrx).unwrap();
    assert_eq!(png2, fresh);

    // A change in the last, partial band.
    c.fill(0, 400, 5, 3, (1, 2, 3));
    let png3 = enc.encode(c.width, c.height, &c.bgrx).unwrap();
    assert_eq!(enc.last_recompressed(), 1);
    assert_decodes_to(&png3, &c);

    // A new size starts over.
    let small = desktop::desktop(100, 37, 3);
    let png4 = enc.encode(small.width, small.height, &small.bgrx).unwrap();
    assert_eq!(enc.last_recompressed(), 3);
    assert_decodes_to(&png4, &small);
}

#[test]
fn band_encoder_handles_other_band_heights_and_levels() {
    let c = desktop::desktop(257, 129, 4);
    for band_rows in [1, 7, 64, 1000] {
        for level in [1, 6] {
            let mut enc = BandPngEncoder::new(BandOptions { band_rows, level });
            assert_decodes_to(&enc.encode(c.width, c.height, &c.bgrx).unwrap(), &c);
        }
    }
}

#[test]
fn default_frame_encoder_keeps_metadata() {
    let c = desktop::desktop(64, 40, 5);
    let mut f = frame_of(&c);
    f.changed = vec![tracewell_model::Rect::new(1, 2, 3, 4)];
    let ef = FrameEncoder::default().encode(&f).unwrap();
    assert_eq!((ef.t_ns, ef.width, ef.height, ef.reason), (1, 64, 40, FrameReason::ScreenChange));
    assert_eq!(ef.changed, f.changed);
    assert_decodes_to(&ef.png, &c);
}

#[test]
fn wrong_sized_buffers_are_refused() {
    let mut f = frame_of(&desktop::desktop(16, 16, 1));
    f.bgrx.pop();
    assert!(matches!(FrameEncoder::default().encode(&f), Err(Error::BadFrame { expected: 1024, len: 1023, .. })));
    assert!(matches!(
        FrameEncoder::new(Codec::Png { level: PngLevel::Fast, filter: PngFilter::Sub }).encode(&f),
        Err(Error::BadFrame { .. })
    ));
    assert!(matches!(decode_png(b"not a png"), Err(Error::Png(_))));
    let _ = encode_rgb_png; // also public for callers that already hold RGB
}
