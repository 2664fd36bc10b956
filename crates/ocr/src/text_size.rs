//! How far apart a window's lines of text are, to tell small text, which
//! is read enlarged.
//!
//! Tesseract binarises an image before it finds lines and scales each
//! line to its network's height. At 96 dpi a monospace font at 8 pt
//! (8×16 px cells) loses strokes in the binarisation and digits come
//! back wrong (`5500` as `$500`): on a screen of two terminals showing
//! the test values, 15% of the values' ink stayed uncovered at 8 pt and
//! 49% at 7 pt. Read enlarged twice (bilinear), none did (at 6 and 7 pt
//! only together with the screen scanner, which takes cards and IBANs by
//! shape: zeros still come back as eights, or go missing). At 9 pt and
//! above plain reading fills every
//! value too, and enlarging costs 40–65% more CPU (layout analysis on
//! four times the pixels). So a window is read enlarged when its text is
//! small.
//!
//! "Small" is decided by the line pitch, the distance between the tops of
//! consecutive lines of ink, not by the height of the ink: a line of
//! lowercase letters without ascenders is as low as x-height whatever the
//! font size, so ink height took 11 pt terminals for small text, while the
//! pitch of most lines is the font's line height. The pitch is the median
//! over the window, so a few lines that start low, or two lines whose ink
//! touches, do not move it. It is measured over the whole window (not the
//! piece being read again), so one typed line is read as its window's
//! text is.

use tracewell_model::{Frame, Rect};

/// Lines at most this far apart (pixels, top to top) are small text.
/// Measured on xterm with DejaVu Sans Mono at 96 dpi: 8 pt makes 16 px
/// lines (needs enlarging), 9 pt 18 px (read well as it is).
pub const SMALL_PITCH: u32 = 16;

/// A pixel whose luma differs by more than this from the background's
/// is ink.
const INK_CONTRAST: u8 = 48;
/// Columns sampled: every `STEP`th. A line of text has ink in many
/// columns, so sampling some still finds every line.
const STEP: usize = 2;
/// A run of ink rows taller than this is no line of text (a picture, a
/// block of colour).
const MAX_LINE: usize = 48;
/// Fewer pitches than this say nothing.
const MIN_PITCHES: usize = 3;

/// The median line pitch of the text in `rect` of `frame`, the parts
/// `hidden` (other windows over it) left out; `None` when fewer than
/// four lines are found.
pub fn line_pitch(frame: &Frame, rect: Rect, hidden: &[Rect]) -> Option<u32> {
    let r = rect.intersect(&Rect::new(0, 0, frame.width, frame.height))?;
    let (x0, y0, w, h) = (r.x as usize, r.y as usize, r.width as usize, r.height as usize);
    let stride = frame.width as usize * 4;
    // BT.601 luma in fixed point, B, G, R order (as the engine's crop).
    let luma = |x: usize, y: usize| {
        let p = &frame.bgrx[y * stride + x * 4..y * stride + x * 4 + 3];
        ((29 * p[0] as u32 + 150 * p[1] as u32 + 77 * p[2] as u32) >> 8) as u8
    };
    // The visible columns of each row, as ranges: other windows cut them.
    let visible = |y: usize| -> Vec<(usize, usize)> {
        let mut spans = vec![(x0, x0 + w)];
        for c in hidden.iter().filter(|c| c.y <= y as i32 && (y as i32) < c.y + c.height as i32) {
            let (cx0, cx1) = (c.x.max(0) as usize, (c.x + c.width as i32).max(0) as usize);
            spans = spans
                .into_iter()
                .flat_map(|(a, b)| [(a, b.min(cx0)), (a.max(cx1), b)])
                .filter(|(a, b)| a < b)
                .collect();
        }
        spans
    };
    let mut histogram = [0u32; 256];
    for y in (y0..y0 + h).step_by(4) {
        for (a, b) in visible(y) {
            (a..b).step_by(4).for_each(|x| histogram[luma(x, y) as usize] += 1);
        }
    }
    let background = (0..256).max_by_key(|&v| histogram[v]).filter(|&v| histogram[v] > 0)? as u8;
    let mut starts = Vec::new();
    let mut run: Option<usize> = None;
    for y in y0..=y0 + h {
        let inked = y < y0 + h
            && visible(y)
                .into_iter()
                .flat_map(|(a, b)| (a..b).step_by(STEP))
                .filter(|&x| luma(x, y).abs_diff(background) > INK_CONTRAST)
                .nth(1)
                .is_some();
        match (inked, run) {
            (true, None) => run = Some(y),
            (false, Some(top)) => {
                if y - top <= MAX_LINE {
                    starts.push(top);
                }
                run = None;
            }
            _ => {}
        }
    }
    let mut pitches: Vec<u32> =
        starts.windows(2).map(|p| (p[1] - p[0]) as u32).filter(|&d| d as usize <= 2 * MAX_LINE).collect();
    if pitches.len() < MIN_PITCHES {
        return None;
    }
    pitches.sort_unstable();
    Some(pitches[pitches.len() / 2])
}

/// Whether the text in `rect` of `frame` is small enough to read
/// enlarged (see the module documentation).
pub fn is_small(frame: &Frame, rect: Rect, hidden: &[Rect]) -> bool {
    line_pitch(frame, rect, hidden).is_some_and(|p| p <= SMALL_PITCH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracewell_model::FrameReason;

    /// A white frame with black bars: `lines` of ink `height` px high,
    /// `pitch` px apart from y = 10.
    fn frame(lines: usize, height: usize, pitch: usize) -> Frame {
        let (w, h) = (200u32, 400u32);
        let mut bgrx = vec![255u8; (w * h * 4) as usize];
        for l in 0..lines {
            for y in 10 + l * pitch..10 + l * pitch + height {
                for x in (20..180).filter(|x| x % 5 != 0) {
                    let at = (y * w as usize + x) * 4;
                    bgrx[at..at + 3].fill(0);
                }
            }
        }
        Frame {
            t_ns: 0,
            width: w,
            height: h,
            reason: FrameReason::Start,
            monitors: Vec::new(),
            changed: Vec::new(),
            stack: Default::default(),
            bgrx,
        }
    }

    #[test]
    fn the_pitch_is_the_distance_between_line_tops() {
        let whole = Rect::new(0, 0, 200, 400);
        assert_eq!(line_pitch(&frame(12, 9, 16), whole, &[]), Some(16));
        assert_eq!(line_pitch(&frame(12, 9, 22), whole, &[]), Some(22));
        assert!(is_small(&frame(12, 9, 16), whole, &[]));
        assert!(!is_small(&frame(12, 9, 18), whole, &[]));
        // Too few lines say nothing: not small.
        assert_eq!(line_pitch(&frame(3, 9, 16), whole, &[]), None);
        assert!(!is_small(&frame(3, 9, 16), whole, &[]));
        // A covered part is left out: lines under it are not counted.
        assert_eq!(line_pitch(&frame(12, 9, 16), whole, &[Rect::new(0, 0, 200, 170)]), None);
    }
}
