//! Tracewell's shared vocabulary: what the recorder captures, as plain data.
//!
//! Every stage of the pipeline (`capture → guard → redact → segment → …`)
//! speaks in these types, and none of them does I/O:
//!
//! - [`Event`]: one raw observation with a monotonic timestamp — a
//!   [`KeyEvent`], [`ButtonEvent`], [`ScrollEvent`], [`MotionEvent`],
//!   [`WindowEvent`] or a screen [`Frame`].
//! - [`WindowInfo`] and [`Rect`]: which window was active and where.
//! - [`Frame`]: a whole-screen image in memory (BGRX, as X servers hand it
//!   out), with the monitors it spans and the regions that changed since the
//!   previous frame.
//!
//! The serialised form of these types (serde, `snake_case`) is what the
//! segment writer stores as JSON messages, so a change here is a change of
//! the segment format: see the `tracewell-segment` crate for its version.

mod event;
mod fingerprint;
mod frame;
mod typed;
mod window;

pub use event::{
    ButtonEvent, Event, KeyEvent, Modifiers, MotionEvent, MouseButton, PauseSource, PressState,
    ScrollEvent, ScrollSource,
};
pub use fingerprint::Fingerprint;
pub use frame::{Frame, FrameReason, Monitor};
pub use typed::{EditTrace, Inserted, typed_text};
pub use window::{Rect, StackedWindow, WindowChange, WindowEvent, WindowInfo, WindowStack, window_at};

/// Nanoseconds on the monotonic clock (`CLOCK_MONOTONIC`).
///
/// Monotonic time orders events within a recording; each segment carries a
/// wall-clock anchor that maps it to real time.
pub type MonoNs = u64;
