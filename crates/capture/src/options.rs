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
    /// The chord that pauses and resumes capture (grabbed from every
    /// other application while capture runs). `None`: no hotkey.
    pub pause_hotkey: Option<HotkeySpec>,
}

/// A key chord: a keysym and the modifiers held with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HotkeySpec {
    pub keysym: u32,
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
    pub super_: bool,
}

impl HotkeySpec {
    /// Ctrl+Alt+Shift+P.
    pub fn default_pause() -> HotkeySpec {
        HotkeySpec { keysym: 'p' as u32, ctrl: true, alt: true, shift: true, super_: false }
    }
}

impl Default for CaptureOptions {
    fn default() -> CaptureOptions {
        CaptureOptions {
            motion_hz: 30.0,
            max_fps: 2.0,
            typing_gap: Duration::from_millis(1000),
            min_action_frame_interval: Duration::from_millis(100),
            frames: true,
            pause_hotkey: Some(HotkeySpec::default_pause()),
        }
    }
}
