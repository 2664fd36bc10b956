//! Whole-screen grabs and the tile comparison that finds what changed.

use tracewell_model::{Monitor, Rect};
use x11rb::connection::Connection;
use x11rb::protocol::randr::ConnectionExt as _;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat, Window};

use crate::Error;

/// Side of the square tiles compared between frames.
pub const TILE: u32 = 32;

/// Grabs the root window as BGRX pixels into `out` (resized as needed) and
/// returns its size.
pub fn grab(conn: &impl Connection, root: Window, out: &mut Vec<u8>) -> Result<(u32, u32), Error> {
    let geometry = conn.get_geometry(root)?.reply()?;
    let (width, height) = (geometry.width as u32, geometry.height as u32);
    let image = conn
        .get_image(ImageFormat::Z_PIXMAP, root, 0, 0, geometry.width, geometry.height, !0)?
        .reply()?;
    let expected = (width * height * 4) as usize;
    if image.data.len() != expected {
        return Err(Error::UnsupportedScreen(format!(
            "depth {} image of {} bytes for {width}x{height}; only 24/32-bit depth with 4 bytes a pixel is supported",
            image.depth,
            image.data.len()
        )));
    }
    *out = image.data;
    Ok((width, height))
}

/// The monitors RandR reports; one monitor covering the screen when RandR
/// has none to report.
pub fn monitors(conn: &impl Connection, root: Window, width: u32, height: u32) -> Vec<Monitor> {
    let listed = conn
        .randr_get_monitors(root, true)
        .ok()
        .and_then(|c| c.reply().ok())
        .map(|r| r.monitors)
        .unwrap_or_default();
    let mut monitors: Vec<Monitor> = listed
        .iter()
        .map(|m| Monitor {
            name: conn
                .get_atom_name(m.name)
                .ok()
                .and_then(|c| c.reply().ok())
                .map(|r| String::from_utf8_lossy(&r.name).into_owned())
                .unwrap_or_default(),
            primary: m.primary,
            rect: Rect::new(m.x as i32, m.y as i32, m.width as u32, m.height as u32),
        })
        .collect();
    if monitors.is_empty() {
        monitors.push(Monitor { name: "screen".into(), primary: true, rect: Rect::new(0, 0, width, height) });
    }
    monitors
}

/// The regions where two same-sized BGRX images differ, as runs of changed
/// [`TILE`]-sized tiles merged along each tile row. Empty when the images
/// are identical.
pub fn changed_tiles(previous: &[u8], current: &[u8], width: u32, height: u32) -> Vec<Rect> {
    let stride = width as usize * 4;
    let mut rects: Vec<Rect> = Vec::new();
    let columns = width.div_ceil(TILE);
    let mut changed = vec![false; columns as usize];
    for tile_y in (0..height).step_by(TILE as usize) {
        let rows = TILE.min(height - tile_y);
        changed.iter_mut().for_each(|c| *c = false);
        for y in tile_y..tile_y + rows {
            let row = y as usize * stride;
            for (column, flag) in changed.iter_mut().enumerate() {
                if *flag {
                    continue;
                }
                let x0 = column * TILE as usize * 4;
                let x1 = (x0 + TILE as usize * 4).min(stride);
                *flag = previous[row + x0..row + x1] != current[row + x0..row + x1];
            }
        }
        let mut column = 0;
        while column < columns as usize {
            if !changed[column] {
                column += 1;
                continue;
            }
            let start = column;
            while column < columns as usize && changed[column] {
                column += 1;
            }
            let x = start as u32 * TILE;
            let right = (column as u32 * TILE).min(width);
            rects.push(Rect::new(x as i32, tile_y as i32, right - x, rows));
        }
    }
    rects
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_changed_tiles_and_nothing_else() {
        let (w, h) = (100u32, 70u32);
        let a = vec![0u8; (w * h * 4) as usize];
        assert!(changed_tiles(&a, &a, w, h).is_empty());
        let mut b = a.clone();
        // One pixel at (40, 5) and one at (99, 69).
        b[((5 * w + 40) * 4) as usize] = 1;
        b[((69 * w + 99) * 4 + 2) as usize] = 1;
        assert_eq!(
            changed_tiles(&a, &b, w, h),
            vec![Rect::new(32, 0, 32, 32), Rect::new(96, 64, 4, 6)]
        );
    }
}
