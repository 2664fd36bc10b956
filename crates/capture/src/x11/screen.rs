//! Whole-screen grabs and the tile comparison that finds what changed.

use tracewell_model::{Fingerprint, Monitor, Rect};
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

/// Fingerprints of every [`TILE`]-sized tile of a frame: what the
/// recorder keeps of the previous frame instead of its pixels.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TileMap {
    width: u32,
    height: u32,
    tiles: Vec<u128>,
}

impl TileMap {
    /// Fingerprints the tiles of a BGRX image.
    pub fn new(bgrx: &[u8], width: u32, height: u32) -> TileMap {
        let stride = width as usize * 4;
        let columns = width.div_ceil(TILE) as usize;
        let mut tiles = Vec::with_capacity(columns * height.div_ceil(TILE) as usize);
        let mut prints = vec![Fingerprint::default(); columns];
        for tile_y in (0..height).step_by(TILE as usize) {
            prints.iter_mut().for_each(|p| *p = Fingerprint::default());
            for y in tile_y..(tile_y + TILE).min(height) {
                let row = &bgrx[y as usize * stride..(y as usize + 1) * stride];
                for (print, piece) in prints.iter_mut().zip(row.chunks(TILE as usize * 4)) {
                    print.update(piece);
                }
            }
            tiles.extend(prints.iter().map(Fingerprint::finish));
        }
        TileMap { width, height, tiles }
    }

    /// The regions that differ from `previous`, as runs of changed tiles
    /// merged along each tile row; the whole image when the sizes differ.
    /// Empty when nothing changed.
    pub fn changed_since(&self, previous: &TileMap) -> Vec<Rect> {
        if (self.width, self.height) != (previous.width, previous.height) {
            return vec![Rect::new(0, 0, self.width, self.height)];
        }
        let columns = self.width.div_ceil(TILE) as usize;
        let mut rects = Vec::new();
        for (row, (now, before)) in self.tiles.chunks(columns).zip(previous.tiles.chunks(columns)).enumerate() {
            let tile_y = row as u32 * TILE;
            let rows = TILE.min(self.height - tile_y);
            let mut column = 0;
            while column < columns {
                if now[column] == before[column] {
                    column += 1;
                    continue;
                }
                let start = column;
                while column < columns && now[column] != before[column] {
                    column += 1;
                }
                let x = start as u32 * TILE;
                let right = (column as u32 * TILE).min(self.width);
                rects.push(Rect::new(x as i32, tile_y as i32, right - x, rows));
            }
        }
        rects
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_changed_tiles_and_nothing_else() {
        let (w, h) = (100u32, 70u32);
        let a = vec![0u8; (w * h * 4) as usize];
        let map_a = TileMap::new(&a, w, h);
        assert!(TileMap::new(&a, w, h).changed_since(&map_a).is_empty());
        let mut b = a.clone();
        // One pixel at (40, 5) and one at (99, 69).
        b[((5 * w + 40) * 4) as usize] = 1;
        b[((69 * w + 99) * 4 + 2) as usize] = 1;
        assert_eq!(
            TileMap::new(&b, w, h).changed_since(&map_a),
            vec![Rect::new(32, 0, 32, 32), Rect::new(96, 64, 4, 6)]
        );
        assert_eq!(TileMap::default().changed_since(&map_a), vec![Rect::new(0, 0, 0, 0)]);
        assert_eq!(map_a.changed_since(&TileMap::default()), vec![Rect::new(0, 0, w, h)]);
    }
}
