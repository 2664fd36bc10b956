//! Bars of another shade inside a region: highlighted lines, selected
//! rows, reverse video, a dark pane in a light window.
//!
//! Tesseract's layout analysis takes a solid bar for a picture or a rule
//! and skips the text on it: a card number on a selected row of a light
//! terminal was not read at all. So each region is searched for bars
//! first, and each bar is read again on its own (where its own shade is
//! the background, so light text on a dark bar is inverted like a dark
//! window).
//!
//! A bar is a run of at least [`MIN_BAND_ROWS`] rows that each hold a
//! horizontal run of at least [`MIN_RUN`] pixels, mostly contrasting with
//! the region's background (across the gaps its text leaves; a table rule
//! is only a row or two high), whose most common shade is itself such a
//! contrasting shade (text, photos and large headings are not flat).

/// Shortest horizontal run of contrasting pixels that counts.
pub const MIN_RUN: usize = 32;
/// Fewest rows a bar has (about one line of small text).
pub const MIN_BAND_ROWS: usize = 10;
/// Widest gap of other pixels a run bridges.
const MAX_GAP: usize = 8;
/// Share of a run's pixels that must contrast.
const DENSE: f64 = 0.6;
/// How far a shade must be from the background to contrast with it.
const CONTRAST: i32 = 96;
/// Share of a bar's pixels its most common shade must cover.
const FLAT: f64 = 0.4;

/// A bar found in a crop: left, top, width, height, in the crop's pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Band {
    pub x: usize,
    pub y: usize,
    pub width: usize,
    pub height: usize,
}

/// The bars of `gray` (`w` × `h`, one byte a pixel) whose `background` is
/// the given shade, top to bottom.
pub fn find(gray: &[u8], w: usize, h: usize, background: u8) -> Vec<Band> {
    let contrasts = |g: u8| (i32::from(g) - i32::from(background)).abs() > CONTRAST;
    // Per row: the extent of its bar-like runs, if any. A run goes on
    // through gaps of at most `MAX_GAP` pixels (the light strokes of text
    // on a dark bar) and counts when it is long and dense (text on a light
    // background is long with bridged gaps too, but its strokes cover far
    // less of it).
    let extent = |y: usize| -> Option<(usize, usize)> {
        let row = &gray[y * w..(y + 1) * w];
        let (mut lo, mut hi) = (usize::MAX, 0);
        // Current run: start, end of its last contrasting pixel, count.
        let mut run: Option<(usize, usize, usize)> = None;
        let mut close = |run: (usize, usize, usize)| {
            let (s, e, n) = run;
            if e - s >= MIN_RUN && n as f64 >= DENSE * (e - s) as f64 {
                lo = lo.min(s);
                hi = hi.max(e);
            }
        };
        for (x, &g) in row.iter().enumerate() {
            if !contrasts(g) {
                continue;
            }
            run = Some(match run {
                Some((s, e, n)) if x - e <= MAX_GAP => (s, x + 1, n + 1),
                Some(done) => {
                    close(done);
                    (x, x + 1, 1)
                }
                None => (x, x + 1, 1),
            });
        }
        if let Some(done) = run {
            close(done);
        }
        (lo < hi).then_some((lo, hi))
    };
    let mut bands = Vec::new();
    let mut y = 0;
    while y < h {
        let Some(first) = extent(y) else {
            y += 1;
            continue;
        };
        let (y0, (mut lo, mut hi)) = (y, first);
        y += 1;
        while y < h {
            let Some((l, r)) = extent(y) else { break };
            lo = lo.min(l);
            hi = hi.max(r);
            y += 1;
        }
        if y - y0 >= MIN_BAND_ROWS {
            let band = Band { x: lo, y: y0, width: hi - lo, height: y - y0 };
            if flat_and_contrasting(gray, w, band, &contrasts) {
                bands.push(band);
            }
        }
    }
    bands
}

/// Whether the most common shade of `band` covers [`FLAT`] of it and
/// contrasts with the background.
fn flat_and_contrasting(gray: &[u8], w: usize, band: Band, contrasts: &impl Fn(u8) -> bool) -> bool {
    let mut histogram = [0u32; 256];
    for y in band.y..band.y + band.height {
        for &g in &gray[y * w + band.x..y * w + band.x + band.width] {
            histogram[g as usize] += 1;
        }
    }
    let (shade, count) = histogram.iter().enumerate().max_by_key(|(_, c)| **c).expect("256 shades");
    contrasts(shade as u8) && f64::from(*count) >= FLAT * (band.width * band.height) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A light crop with `rects` painted in `shade`.
    fn crop(w: usize, h: usize, rects: &[(usize, usize, usize, usize, u8)]) -> Vec<u8> {
        let mut g = vec![235u8; w * h];
        for &(x, y, rw, rh, shade) in rects {
            for row in y..y + rh {
                g[row * w + x..row * w + x + rw].fill(shade);
            }
        }
        g
    }

    #[test]
    fn a_dark_bar_is_found_and_rules_strokes_and_text_are_not() {
        let (w, h) = (400, 200);
        let mut g = crop(
            w,
            h,
            &[
                (20, 40, 300, 18, 30),  // a highlighted line
                (0, 100, 400, 2, 30),   // a table rule: too thin
                (10, 130, 20, 30, 30),  // a glyph-like block: too narrow
            ],
        );
        // Light "text" on the bar, as a highlighted line has.
        for x in (30..300).step_by(9) {
            g[48 * w + x] = 240;
            g[49 * w + x] = 240;
        }
        assert_eq!(find(&g, w, h, 235), vec![Band { x: 20, y: 40, width: 300, height: 18 }]);
    }

    #[test]
    fn noisy_blocks_are_not_bars_and_light_bars_in_dark_crops_are() {
        let (w, h) = (200, 60);
        // A "photo": alternating shades, all contrasting, none dominant.
        let mut g = vec![235u8; w * h];
        for y in 10..40 {
            for x in 10..150 {
                g[y * w + x] = 20 + ((x * 7 + y * 13) % 100) as u8;
            }
        }
        assert!(find(&g, w, h, 235).is_empty());
        // A light selection bar in a dark pane.
        let g = {
            let mut g = vec![20u8; w * h];
            for y in 20..34 {
                g[y * w + 5..y * w + 180].fill(200);
            }
            g
        };
        assert_eq!(find(&g, w, h, 20), vec![Band { x: 5, y: 20, width: 175, height: 14 }]);
    }
}
