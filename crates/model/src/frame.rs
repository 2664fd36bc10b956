//! Whole-screen frames as captured, before encoding.

use serde::{Deserialize, Serialize};

use crate::{MonoNs, Rect, WindowStack};

/// One monitor of the screen (RandR), in root coordinates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Monitor {
    pub name: String,
    pub primary: bool,
    pub rect: Rect,
}

/// Why a frame was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameReason {
    /// The first frame of a recording.
    Start,
    /// Just before a mouse button press was delivered to the application.
    Click,
    /// At the start of a run of key presses.
    Typing,
    /// The active window changed.
    WindowChange,
    /// The screen changed (damage) and the rate cap allowed a frame.
    ScreenChange,
    /// Capture resumed after a pause.
    Resume,
}

/// A whole-screen image: every monitor, in one root-window-sized buffer.
///
/// Pixels are 4 bytes each in B, G, R, X order (the little-endian 24-bit
/// depth layout X servers use), rows packed without padding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub t_ns: MonoNs,
    pub width: u32,
    pub height: u32,
    pub reason: FrameReason,
    pub monitors: Vec<Monitor>,
    /// Regions that differ from the previous frame of the recording; the
    /// whole screen for the first frame.
    pub changed: Vec<Rect>,
    /// The windows on screen when the frame was grabbed (the server was
    /// held still for both), bottom first. For the guard only; never
    /// written out.
    pub stack: WindowStack,
    pub bgrx: Vec<u8>,
}

impl Frame {
    /// The (r, g, b) value of one pixel.
    pub fn rgb_at(&self, x: u32, y: u32) -> (u8, u8, u8) {
        let i = ((y * self.width + x) * 4) as usize;
        (self.bgrx[i + 2], self.bgrx[i + 1], self.bgrx[i])
    }
}
