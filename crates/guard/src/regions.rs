//! Rectangle arithmetic: the visible parts of windows in a stack, and
//! filling everything outside a set of rectangles.

use tracewell_model::{Rect, StackedWindow};

/// `rect` minus `hole`: up to four rectangles.
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

/// The visible parts (not covered by any window above, clipped to
/// `screen`) of the windows for which `keep` is true. `stack` is bottom
/// first.
pub fn visible_where(stack: &[StackedWindow], screen: Rect, keep: impl Fn(&StackedWindow) -> bool) -> Vec<Rect> {
    let mut above: Vec<Rect> = Vec::new();
    let mut kept = Vec::new();
    for window in stack.iter().rev() {
        if let Some(on_screen) = window.rect.intersect(&screen) {
            if keep(window) {
                let mut visible = vec![on_screen];
                for cover in &above {
                    visible = visible.iter().flat_map(|r| subtract(*r, cover)).collect();
                }
                kept.extend(visible);
            }
            above.push(on_screen);
        }
    }
    kept.sort_by_key(|r| (r.y, r.x));
    kept
}

/// Fills every pixel of a BGRX image outside `keep` with `bgr`. Returns
/// whether any pixel was filled.
pub fn fill_outside(bgrx: &mut [u8], width: u32, height: u32, keep: &[Rect], bgr: [u8; 3]) -> bool {
    let pixel = [bgr[0], bgr[1], bgr[2], 0];
    let stride = width as usize * 4;
    let mut filled = false;
    let mut spans: Vec<(u32, u32)> = Vec::new();
    for y in 0..height {
        spans.clear();
        for r in keep {
            if (y as i32) >= r.y && (y as i32) < r.y + r.height as i32 {
                let x0 = r.x.max(0) as u32;
                let x1 = ((r.x + r.width as i32).max(0) as u32).min(width);
                if x1 > x0 {
                    spans.push((x0, x1));
                }
            }
        }
        spans.sort_unstable();
        let row = &mut bgrx[y as usize * stride..(y as usize + 1) * stride];
        let mut x = 0u32;
        let fill = |from: u32, to: u32, row: &mut [u8]| {
            for px in row[from as usize * 4..to as usize * 4].chunks_exact_mut(4) {
                px.copy_from_slice(&pixel);
            }
        };
        for &(x0, x1) in &spans {
            if x0 > x {
                fill(x, x0, row);
                filled = true;
            }
            x = x.max(x1);
        }
        if x < width {
            fill(x, width, row);
            filled = true;
        }
    }
    filled
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracewell_model::WindowInfo;

    fn area(rects: &[Rect]) -> u64 {
        rects.iter().map(Rect::area).sum()
    }

    #[test]
    fn subtract_leaves_a_frame_around_a_hole() {
        let r = Rect::new(0, 0, 10, 10);
        let parts = subtract(r, &Rect::new(3, 3, 4, 4));
        assert_eq!(parts.len(), 4);
        assert_eq!(area(&parts), 100 - 16);
        assert_eq!(subtract(r, &Rect::new(20, 20, 5, 5)), vec![r]);
        assert!(subtract(r, &Rect::new(-5, -5, 30, 30)).is_empty());
    }

    fn window(app: &str, rect: Rect) -> StackedWindow {
        StackedWindow {
            rect,
            client: Some(WindowInfo { app: Some(app.into()), ..WindowInfo::default() }),
            override_redirect: false,
        }
    }

    #[test]
    fn visibility_follows_the_stacking_order() {
        let screen = Rect::new(0, 0, 100, 100);
        // Bottom: allowed A; above it: denied D covering A's right half.
        let stack = [window("A", Rect::new(0, 0, 60, 60)), window("D", Rect::new(30, 0, 60, 60))];
        let keep = visible_where(&stack, screen, |w| w.client.as_ref().unwrap().app.as_deref() == Some("A"));
        assert_eq!(keep, vec![Rect::new(0, 0, 30, 60)]);
        // Reversed order: A on top is wholly visible.
        let stack = [stack[1].clone(), stack[0].clone()];
        let keep = visible_where(&stack, screen, |w| w.client.as_ref().unwrap().app.as_deref() == Some("A"));
        assert_eq!(keep, vec![Rect::new(0, 0, 60, 60)]);
    }

    #[test]
    fn fills_exactly_the_outside() {
        let (w, h) = (8u32, 4u32);
        let mut img = vec![0xffu8; (w * h * 4) as usize];
        let keep = [Rect::new(2, 1, 3, 2)];
        assert!(fill_outside(&mut img, w, h, &keep, [1, 2, 3]));
        for y in 0..h {
            for x in 0..w {
                let i = ((y * w + x) * 4) as usize;
                let inside = keep[0].contains(x as i32, y as i32);
                assert_eq!(img[i] == 0xff, inside, "({x}, {y})");
            }
        }
        let mut full = vec![7u8; (w * h * 4) as usize];
        assert!(!fill_outside(&mut full, w, h, &[Rect::new(0, 0, w, h)], [0, 0, 0]));
    }
}
