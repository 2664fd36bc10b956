//! Capture settings and their defaults.

use std::time::Duration;

/// How often and when the recorder samples what it cannot record in full.
#[derive(Clone, Debug)]
pub struct CaptureOptions {
    /// Pointer motion is coalesced to at most this many samples a second.
    pub motion_hz: f64,
    /// Frames taken because the screen changed are capped at this rate.
    pub max_fps: f64,
    /// A key press after this much keyboard silence starts a typing run,
    /// which takes a frame.
    pub typing_gap: Duration,
    /// Frames at action boundaries (click, typing, window change) are taken
    /// at most this often.
    pub min_action_frame_interval: Duration,
    /// Whether to take screen frames at all.
    pub frames: bool,
}

impl Default for CaptureOptions {
    fn default() -> CaptureOptions {
        CaptureOptions {
            motion_hz: 30.0,
            max_fps: 2.0,
            typing_gap: Duration::from_millis(1000),
            min_action_frame_interval: Duration::from_millis(100),
            frames: true,
        }
    }
}
