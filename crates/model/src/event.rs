//! Input events: keys, buttons, scrolling and pointer motion.

use serde::{Deserialize, Serialize};

use crate::{Frame, MonoNs, WindowEvent, WindowStack};

/// Press or release.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PressState {
    Press,
    Release,
}

/// Modifier state at the time of an event, as the X server reports it
/// (the state *before* the event itself takes effect).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Modifiers {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shift: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub caps_lock: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ctrl: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub alt: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub num_lock: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub super_: bool,
    /// AltGr / ISO_Level3_Shift.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub level3: bool,
    /// The XKB group (layout index), 0 for the first layout.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub group: u8,
}

fn is_zero(v: &u8) -> bool {
    *v == 0
}

/// A key press or release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyEvent {
    pub t_ns: MonoNs,
    pub state: PressState,
    /// The hardware keycode (8–255).
    pub keycode: u8,
    /// The keysym the key produces under the keyboard mapping in force.
    pub keysym: u32,
    /// The keysym's name (`a`, `A`, `Return`, `Shift_L`, `€` …).
    pub key: String,
    pub modifiers: Modifiers,
    /// The text a press inserts (`"a"`, `"€"`, `"\n"`); `None` for keys that
    /// insert nothing (modifiers, arrows, Escape …), for releases, and for
    /// presses while Ctrl, Alt or Super is held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Mouse buttons (scroll "buttons" 4–7 become [`ScrollEvent`]s instead).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MouseButton {
    Left,
    Middle,
    Right,
    Back,
    Forward,
    Other(u8),
}

impl MouseButton {
    /// The button for an X button number that is not a scroll button.
    pub fn from_x11(detail: u8) -> MouseButton {
        match detail {
            1 => MouseButton::Left,
            2 => MouseButton::Middle,
            3 => MouseButton::Right,
            8 => MouseButton::Back,
            9 => MouseButton::Forward,
            n => MouseButton::Other(n),
        }
    }
}

/// A mouse button press or release at a root-window position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ButtonEvent {
    pub t_ns: MonoNs,
    pub state: PressState,
    pub button: MouseButton,
    pub x: i32,
    pub y: i32,
    pub modifiers: Modifiers,
}

/// Where a scroll came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScrollSource {
    /// A wheel click (X buttons 4–7).
    Wheel,
    /// A smooth-scrolling device (touchpad), in wheel-click units.
    Smooth,
}

/// One scroll step. Positive `dy` scrolls down (content moves up), positive
/// `dx` scrolls right, in units of one wheel click.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScrollEvent {
    pub t_ns: MonoNs,
    pub x: i32,
    pub y: i32,
    pub dx: f64,
    pub dy: f64,
    pub source: ScrollSource,
}

/// A sampled pointer position (motion is coalesced to a capped rate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MotionEvent {
    pub t_ns: MonoNs,
    pub x: i32,
    pub y: i32,
}

/// Who paused or resumed capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseSource {
    /// The person pressed the pause hotkey.
    Hotkey,
    /// A command (`tracewell pause`, or the program-wide switch).
    Command,
    /// The recorder itself (a full spool, a missing redaction stage).
    Recorder,
}

/// Everything a capture backend reports, in the order it happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Key(KeyEvent),
    Button(ButtonEvent),
    Scroll(ScrollEvent),
    Motion(MotionEvent),
    Window(WindowEvent),
    Frame(Frame),
    /// The windows on screen changed or were re-read (before pointer
    /// events, so the guard knows which window they land in). Never
    /// written out.
    Stack { t_ns: MonoNs, stack: WindowStack },
    /// Another client holds an active keyboard grab (a passphrase prompt,
    /// a screen locker): key events are not for the active window.
    SecureInput { t_ns: MonoNs, active: bool },
    /// Capture paused (nothing is observed until resumed) or resumed.
    Paused { t_ns: MonoNs, paused: bool, source: PauseSource },
}

impl Event {
    /// The event's monotonic timestamp.
    pub fn t_ns(&self) -> MonoNs {
        match self {
            Event::Key(e) => e.t_ns,
            Event::Button(e) => e.t_ns,
            Event::Scroll(e) => e.t_ns,
            Event::Motion(e) => e.t_ns,
            Event::Window(e) => e.t_ns,
            Event::Frame(f) => f.t_ns,
            Event::Stack { t_ns, .. } | Event::SecureInput { t_ns, .. } | Event::Paused { t_ns, .. } => *t_ns,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_event_json_is_compact_and_round_trips() {
        let e = KeyEvent {
            t_ns: 5,
            state: PressState::Press,
            keycode: 38,
            keysym: 0x41,
            key: "A".into(),
            modifiers: Modifiers { shift: true, ..Modifiers::default() },
            text: Some("A".into()),
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"t_ns":5,"state":"press","keycode":38,"keysym":65,"key":"A","modifiers":{"shift":true},"text":"A"}"#
        );
        assert_eq!(serde_json::from_str::<KeyEvent>(&json).unwrap(), e);
    }

    #[test]
    fn buttons_map_from_x11_numbers() {
        assert_eq!(MouseButton::from_x11(1), MouseButton::Left);
        assert_eq!(MouseButton::from_x11(3), MouseButton::Right);
        assert_eq!(MouseButton::from_x11(12), MouseButton::Other(12));
    }
}
