//! Scroll detection: when a window's content moved up or down since the
//! previous frame — a terminal printed a line, a page was scrolled — the
//! words read before moved with it, and the redactor can move its cached
//! words instead of reading the whole window again.
//!
//! For one window, every pixel row over the window's width is hashed in
//! both frames. Rows whose hash occurs at most `MAX_REPEATS` (4) times in the
//! previous frame (blank rows do not) vote for a shift `dy`: the row now at
//! `y` was at `y + dy`. The winning shift is then checked row by row, byte
//! for byte — hashes only propose — and the longest run of rows that match
//! exactly is the moved block ([`Shift::rows`]). Only a block of at least
//! `MIN_BLOCK_FRACTION` (0.3) of the window's height counts.

use std::collections::HashMap;

use tracewell_model::{Fingerprint, Rect};

/// A hash seen more often than this in the previous frame (blank or
/// repeated rows) does not vote.
const MAX_REPEATS: usize = 4;
/// The moved block must span at least this share of the window's rows.
const MIN_BLOCK_FRACTION: f64 = 0.3;
/// … and at least this many rows.
const MIN_BLOCK_ROWS: i32 = 24;

/// How a window's content moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shift {
    /// Rows `y` in `rows.0..rows.1` (frame coordinates) show what the
    /// previous frame showed at `y + dy`, byte for byte over the window's
    /// width.
    pub dy: i32,
    pub rows: (i32, i32),
}

/// The shift of `window`'s content between `previous` and `current`
/// (BGRX frames `width` pixels wide, same size), if a block of it moved
/// vertically. `window` must lie inside the frame.
pub fn detect(previous: &[u8], current: &[u8], width: u32, window: Rect) -> Option<Shift> {
    if previous.len() != current.len() || window.width == 0 || window.height == 0 {
        return None;
    }
    let stride = width as usize * 4;
    let (x0, x1) = (window.x as usize * 4, (window.x as usize + window.width as usize) * 4);
    let (top, height) = (window.y, window.height as i32);
    fn slice(frame: &[u8], start: usize, x0: usize, x1: usize) -> &[u8] {
        &frame[start + x0..start + x1]
    }
    let row = |frame: &[u8], y: i32| Fingerprint::of(slice(frame, y as usize * stride, x0, x1));
    let same = |y_now: i32, y_before: i32| {
        slice(current, y_now as usize * stride, x0, x1) == slice(previous, y_before as usize * stride, x0, x1)
    };
    let before: Vec<u128> = (top..top + height).map(|y| row(previous, y)).collect();
    let mut places: HashMap<u128, Vec<i32>> = HashMap::with_capacity(before.len());
    for (i, hash) in before.iter().enumerate() {
        places.entry(*hash).or_default().push(i as i32);
    }
    let mut votes: HashMap<i32, u32> = HashMap::new();
    for y in 0..height {
        let hash = row(current, top + y);
        let Some(was) = places.get(&hash) else { continue };
        if was.len() > MAX_REPEATS {
            continue;
        }
        for &y_before in was {
            if y_before != y {
                *votes.entry(y_before - y).or_default() += 1;
            }
        }
    }
    let (dy, _) = votes.into_iter().max_by_key(|&(dy, n)| (n, -dy.abs()))?;
    // The longest run of rows that match exactly under this shift.
    let mut best = (0, 0);
    let mut run_start = None;
    for y in 0..=height {
        let matches = y < height
            && (0..height).contains(&(y + dy))
            && same(top + y, top + y + dy);
        match (matches, run_start) {
            (true, None) => run_start = Some(y),
            (false, Some(start)) => {
                if y - start > best.1 - best.0 {
                    best = (start, y);
                }
                run_start = None;
            }
            _ => {}
        }
    }
    let rows = best.1 - best.0;
    if rows < MIN_BLOCK_ROWS || (rows as f64) < MIN_BLOCK_FRACTION * height as f64 {
        return None;
    }
    Some(Shift { dy, rows: (top + best.0, top + best.1) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame `w`×`h` whose row `y` (inside the window columns) carries
    /// the pattern `content(y)`.
    fn frame(w: u32, h: u32, content: impl Fn(u32) -> u8) -> Vec<u8> {
        let mut out = vec![0u8; (w * h * 4) as usize];
        for y in 0..h {
            for x in 10..w - 10 {
                let i = ((y * w + x) * 4) as usize;
                out[i] = content(y);
                out[i + 1] = (x % 7) as u8 ^ content(y);
            }
        }
        out
    }

    #[test]
    fn content_moved_up_by_three_lines_is_found() {
        let (w, h) = (120, 200);
        // Distinct rows, then the same rows 33 px further up; the last 33
        // rows are new.
        let before = frame(w, h, |y| (y * 7 % 251) as u8);
        let after = frame(w, h, |y| if y + 33 < h { ((y + 33) * 7 % 251) as u8 } else { 250 - (y % 5) as u8 });
        let shift = detect(&before, &after, w, Rect::new(0, 0, w, h)).expect("a shift");
        assert_eq!(shift.dy, 33);
        assert_eq!(shift.rows.0, 0);
        assert!(shift.rows.1 >= (h - 33) as i32 - 1 && shift.rows.1 <= (h - 33) as i32, "{shift:?}");
    }

    #[test]
    fn unrelated_content_and_blank_windows_are_not_a_shift() {
        let (w, h) = (120, 200);
        let before = frame(w, h, |y| (y * 7 % 251) as u8);
        let other = frame(w, h, |y| (y * 13 % 241) as u8 ^ 0x5a);
        assert_eq!(detect(&before, &other, w, Rect::new(0, 0, w, h)), None);
        let blank = frame(w, h, |_| 9);
        assert_eq!(detect(&blank, &blank, w, Rect::new(0, 0, w, h)), None, "blank rows do not vote");
        assert_eq!(detect(&before, &before, w, Rect::new(0, 0, w, h)), None, "nothing moved");
    }
}
