//! Rectangle arithmetic for choosing what to read again.

use tracewell_model::Rect;

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

/// Replaces overlapping rectangles by their bounding boxes until none
/// overlap. Quadratic, for the few dozen regions a frame has.
pub fn merge(mut rects: Vec<Rect>) -> Vec<Rect> {
    loop {
        let mut merged = false;
        'outer: for i in 0..rects.len() {
            for j in i + 1..rects.len() {
                if overlaps(&rects[i], &rects[j]) {
                    let u = union(rects[i], rects[j]);
                    rects.swap_remove(j);
                    rects[i] = u;
                    merged = true;
                    break 'outer;
                }
            }
        }
        if !merged {
            return rects;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_clips_to_bounds() {
        let b = Rect::new(0, 0, 100, 50);
        assert_eq!(expand(Rect::new(5, 5, 10, 10), 8, 2, b), Some(Rect::new(0, 3, 23, 14)));
        assert_eq!(expand(Rect::new(95, 45, 5, 5), 8, 2, b), Some(Rect::new(87, 43, 13, 7)));
    }

    #[test]
    fn merge_chains_overlaps() {
        let rects = vec![Rect::new(0, 0, 10, 10), Rect::new(50, 50, 5, 5), Rect::new(8, 8, 10, 10), Rect::new(17, 0, 5, 9)];
        let mut m = merge(rects);
        m.sort_by_key(|r| r.x);
        assert_eq!(m, vec![Rect::new(0, 0, 22, 18), Rect::new(50, 50, 5, 5)]);
    }
}
