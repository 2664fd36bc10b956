//! Capture: the first stage of the pipeline, from the operating system to
//! ordered [`tracewell_model::Event`]s.
//!
//! - [`X11Capture`]: Linux X11 through the X protocol directly (x11rb):
//!   RECORD for keys, buttons, wheel and motion; EWMH properties for the
//!   active window, its title, application and PID; DAMAGE and `GetImage`
//!   for whole-screen frames taken at action boundaries and on change.
//! - [`Keymap`]: keycode + modifier state → keysym and inserted text, under
//!   the keyboard mapping in force (it follows mapping changes).
//! - [`CaptureOptions`]: motion rate, frame rate cap, typing-run gap.
//! - [`PasswordFieldSignal`]: how another observer (the accessibility bus)
//!   reports focus on password fields, which makes input secure.
//! - [`PauseSwitch`]: pauses and resumes capture from any thread (the
//!   recorder's control socket).
//!
//! Other operating systems will sit behind the same shape: `start`, a
//! stream read with `recv_timeout`, and `stop` returning what is left.
//! Capture records everything it sees; what may be kept is decided by the
//! stages after it.

mod clock;
mod error;
mod keymap;
pub mod keysym;
mod options;
mod screenshot;
mod x11;

pub use clock::now_ns;
pub use error::Error;
pub use keymap::{KeyMeaning, Keymap};
pub use options::{CaptureOptions, HotkeySpec};
pub use screenshot::Screenshotter;
pub use x11::{MAX_QUEUED_FRAMES, PasswordFieldSignal, PauseSwitch, TileMap, X11Capture};
