//! Rectangle arithmetic for choosing what to read again, and [`Area`]:
//! the part of a region that one window shows.
//!
//! # Reading window by window
//!
//! Tesseract's layout analysis over a whole screen sees one page: text
//! blocks of neighbouring windows with different themes (light terminals
//! below a dark one) get merged, cut up or dropped, while a crop of each
//! window alone reads every line. So a region to read is split along the
//! window stack the frame carries ([`Frame::stack`]): one [`Area`] per
//! window it meets (the bounding box of the window's visible part in the
//! region), and one for the rest (the desktop). The parts of an area that
//! other windows cover are painted over before reading ([`Area::hidden`]),
//! so every pixel is read once, in the area of the window that shows it.
//! An area grows (to finish a word cut at its edge) only inside its
//! window ([`Area::limit`]). Without a stack (a frame from a plain
//! screenshot) a region is one area, as before.
//!
//! [`Frame::stack`]: tracewell_model::Frame::stack

use tracewell_model::{Rect, StackedWindow};

/// A rectangle to read, the part of one window (or of the desktop) in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Area {
    /// What is handed to OCR.
    pub rect: Rect,
    /// On-screen rectangles of what covers this area's window (the windows
    /// above it that meet it, anywhere in it, since the area may grow; for
    /// the desktop, every window over the area): painted over before
    /// reading, and a word centred there is not this area's.
    pub above: Vec<Rect>,
    /// How far the area may grow: its window's on-screen rectangle (the
    /// frame for the desktop and without a stack).
    pub limit: Rect,
    /// Whether the area is part of one window (not the desktop, nor a
    /// frame without a stack).
    pub window: bool,
}

impl Area {
    /// An area of the whole of `rect`, nothing covered.
    pub fn plain(rect: Rect, limit: Rect) -> Area {
        Area { rect, above: Vec::new(), limit, window: false }
    }

    /// The parts of [`Area::rect`] covered by other windows.
    pub fn hidden(&self) -> Vec<Rect> {
        self.hidden_in(self.rect)
    }

    /// The parts of `r` covered by other windows.
    pub fn hidden_in(&self, r: Rect) -> Vec<Rect> {
        self.above.iter().filter_map(|a| a.intersect(&r)).collect()
    }

    /// Pixels of [`Area::rect`] no other window covers: what reading it
    /// reads.
    pub fn visible_area(&self) -> u64 {
        subtract_all(vec![self.rect], &self.above).iter().map(Rect::area).sum()
    }

    /// Whether the centre of `r` lies under a covering window: a word
    /// there belongs to another area.
    pub fn hides(&self, r: &Rect) -> bool {
        let (cx, cy) = (r.x + (r.width / 2) as i32, r.y + (r.height / 2) as i32);
        self.above.iter().any(|a| a.contains(cx, cy))
    }
}

/// Splits `region` along the windows of `stack` (bottom first): an
/// [`Area`] for each window whose visible part meets `region`, then one
/// for the part of `region` no window covers, if any. Areas are clipped
/// to `bounds`; with an empty stack, `region` is the one area.
pub fn by_window(region: Rect, stack: &[StackedWindow], bounds: Rect) -> Vec<Area> {
    let Some(region) = region.intersect(&bounds) else { return Vec::new() };
    let mut areas = Vec::new();
    let mut above: Vec<Rect> = Vec::new();
    for window in stack.iter().rev() {
        let Some(on_screen) = window.rect.intersect(&bounds) else { continue };
        if let Some(part) = region.intersect(&on_screen) {
            let visible = subtract_all(vec![part], &above);
            if let Some(rect) = bounding(&visible) {
                // Every window above, not only those over `rect`: the
                // area may grow inside its window to finish cut words.
                let covering = above.iter().copied().filter(|a| overlaps(a, &on_screen)).collect();
                areas.push(Area { rect, above: covering, limit: on_screen, window: true });
            }
        }
        above.push(on_screen);
    }
    let rest = subtract_all(vec![region], &above);
    if let Some(rect) = bounding(&rest) {
        let covering = above.iter().copied().filter(|a| overlaps(a, &rect)).collect();
        areas.push(Area { rect, above: covering, limit: bounds, window: false });
    }
    areas
}

/// `rect` minus `hole`: up to four rectangles (bands above and below the
/// hole, pieces left and right of it).
pub fn subtract(rect: Rect, hole: &Rect) -> Vec<Rect> {
    let Some(cut) = rect.intersect(hole) else { return vec![rect] };
    let mut out = Vec::with_capacity(4);
    let (rx1, ry1) = (rect.x + rect.width as i32, rect.y + rect.height as i32);
    let (cx1, cy1) = (cut.x + cut.width as i32, cut.y + cut.height as i32);
    if cut.y > rect.y {
        out.push(Rect::new(rect.x, rect.y, rect.width, (cut.y - rect.y) as u32));
    }
    if cy1 < ry1 {
        out.push(Rect::new(rect.x, cy1, rect.width, (ry1 - cy1) as u32));
    }
    if cut.x > rect.x {
        out.push(Rect::new(rect.x, cut.y, (cut.x - rect.x) as u32, cut.height));
    }
    if cx1 < rx1 {
        out.push(Rect::new(cx1, cut.y, (rx1 - cx1) as u32, cut.height));
    }
    out
}

/// `rects` minus every one of `holes`.
fn subtract_all(mut rects: Vec<Rect>, holes: &[Rect]) -> Vec<Rect> {
    for hole in holes {
        rects = rects.iter().flat_map(|r| subtract(*r, hole)).collect();
    }
    rects
}

/// The smallest rectangle holding all of `rects`, if any.
fn bounding(rects: &[Rect]) -> Option<Rect> {
    rects.iter().copied().reduce(union)
}

/// `r` grown by `dx` left and right and `dy` up and down, clipped to
/// `bounds`.
pub fn expand(r: Rect, dx: u32, dy: u32, bounds: Rect) -> Option<Rect> {
    let grown = Rect::new(
        r.x.saturating_sub(dx as i32),
        r.y.saturating_sub(dy as i32),
        r.width.saturating_add(2 * dx),
        r.height.saturating_add(2 * dy),
    );
    grown.intersect(&bounds)
}

/// The smallest rectangle holding both.
pub fn union(a: Rect, b: Rect) -> Rect {
    let x0 = a.x.min(b.x);
    let y0 = a.y.min(b.y);
    let x1 = (a.x as i64 + a.width as i64).max(b.x as i64 + b.width as i64);
    let y1 = (a.y as i64 + a.height as i64).max(b.y as i64 + b.height as i64);
    Rect::new(x0, y0, (x1 - x0 as i64) as u32, (y1 - y0 as i64) as u32)
}

/// Whether two rectangles overlap (sharing an edge is not enough).
pub fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.intersect(b).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(rect: Rect) -> StackedWindow {
        StackedWindow { rect, client: None, override_redirect: false }
    }

    #[test]
    fn a_region_splits_into_the_windows_it_meets_and_the_desktop() {
        let bounds = Rect::new(0, 0, 100, 100);
        // Bottom first: a wide window on top of the screen, a smaller one
        // over its lower right corner, and one off to the side.
        let stack = [window(Rect::new(0, 0, 100, 50)), window(Rect::new(60, 30, 40, 40)), window(Rect::new(0, 80, 30, 30))];
        let areas = by_window(bounds, &stack, bounds);
        assert_eq!(areas.len(), 4, "{areas:?}");
        // Topmost first: the off-side window, clipped to the screen.
        assert_eq!(areas[0], Area { rect: Rect::new(0, 80, 30, 20), above: vec![], limit: Rect::new(0, 80, 30, 20), window: true });
        assert_eq!(areas[1], Area { rect: Rect::new(60, 30, 40, 40), above: vec![], limit: Rect::new(60, 30, 40, 40), window: true });
        // The wide window is read whole, its covered corner painted over.
        assert_eq!(areas[2].rect, Rect::new(0, 0, 100, 50));
        assert_eq!(areas[2].hidden(), vec![Rect::new(60, 30, 40, 20)]);
        assert!(areas[2].hides(&Rect::new(70, 40, 10, 6)));
        assert!(!areas[2].hides(&Rect::new(40, 40, 10, 6)));
        // The desktop: what is left, every window over it painted over.
        assert_eq!(areas[3].rect, Rect::new(0, 50, 100, 50));
        assert_eq!(areas[3].limit, bounds);
        assert!(!areas[3].window);
        assert_eq!(areas[3].hidden().len(), 2);
        // Every pixel is read once.
        assert_eq!(areas.iter().map(Area::visible_area).sum::<u64>(), bounds.area());
    }

    #[test]
    fn a_small_region_meets_only_its_window_and_a_stack_less_frame_is_one_area() {
        let bounds = Rect::new(0, 0, 100, 100);
        let stack = [window(Rect::new(0, 0, 100, 50)), window(Rect::new(60, 30, 40, 40))];
        let areas = by_window(Rect::new(10, 10, 20, 10), &stack, bounds);
        // The window above is known to the area though it does not meet
        // the region: the area may grow to it.
        assert_eq!(
            areas,
            vec![Area { rect: Rect::new(10, 10, 20, 10), above: vec![Rect::new(60, 30, 40, 40)], limit: Rect::new(0, 0, 100, 50), window: true }]
        );
        assert!(areas[0].hidden().is_empty());
        let mut grown = areas[0].clone();
        grown.rect = Rect::new(10, 10, 90, 30);
        assert_eq!(grown.hidden(), vec![Rect::new(60, 30, 40, 10)]);
        // Wholly under the window above: only that window's area.
        let areas = by_window(Rect::new(70, 35, 10, 10), &stack, bounds);
        assert_eq!(areas.len(), 1);
        assert_eq!(areas[0].limit, Rect::new(60, 30, 40, 40));
        assert_eq!(by_window(Rect::new(10, 10, 20, 10), &[], bounds), vec![Area::plain(Rect::new(10, 10, 20, 10), bounds)]);
    }

    #[test]
    fn expand_clips_to_bounds() {
        let b = Rect::new(0, 0, 100, 50);
        assert_eq!(expand(Rect::new(5, 5, 10, 10), 8, 2, b), Some(Rect::new(0, 3, 23, 14)));
        assert_eq!(expand(Rect::new(95, 45, 5, 5), 8, 2, b), Some(Rect::new(87, 43, 13, 7)));
    }
}
