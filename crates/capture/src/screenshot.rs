//! One-off whole-screen grabs, outside a recording (benchmarks, tools).

use tracewell_model::{Frame, FrameReason, Rect};
use x11rb::connection::Connection;
use x11rb::rust_connection::RustConnection;

use crate::{Error, clock, x11};

/// A connection that grabs the whole screen on demand.
pub struct Screenshotter {
    conn: RustConnection,
    root: u32,
}

impl Screenshotter {
    /// Connects to `display` (or `$DISPLAY`).
    pub fn connect(display: Option<&str>) -> Result<Screenshotter, Error> {
        let name = match display {
            Some(d) => d.to_string(),
            None => std::env::var("DISPLAY").map_err(|_| Error::NoDisplay)?,
        };
        let (conn, screen) = x11rb::connect(Some(&name))
            .map_err(|e| Error::Connect { display: name.clone(), reason: e.to_string() })?;
        let root = conn.setup().roots[screen].root;
        Ok(Screenshotter { conn, root })
    }

    /// Grabs the root window as a frame (no monitors, whole screen changed).
    pub fn grab(&self) -> Result<Frame, Error> {
        let t_ns = clock::now_ns();
        let mut bgrx = Vec::new();
        let (width, height) = x11::grab(&self.conn, self.root, &mut bgrx)?;
        Ok(Frame {
            t_ns,
            width,
            height,
            reason: FrameReason::ScreenChange,
            monitors: Vec::new(),
            changed: vec![Rect::new(0, 0, width, height)],
            stack: Default::default(),
            bgrx,
        })
    }
}
