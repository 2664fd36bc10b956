//! Secure input from the desktop's accessibility bus (AT-SPI 2): tells the
//! recorder when the focused object is a password field, so that what is
//! typed into it is never captured — in a browser's login form or a GTK
//! dialog, where no keyboard grab gives it away.
//!
//! [`watch`] starts one thread that
//! 1. connects to the session bus and turns the accessibility flag on
//!    (`org.a11y.Status.IsEnabled`: toolkits such as Chromium and GTK 4
//!    only publish their widgets when it is set; it is restored to its
//!    previous value when the watcher stops, and, if the watcher was
//!    killed, by the next watcher of the session when it stops: see
//!    [`lease`]),
//! 2. asks `org.a11y.Bus.GetAddress` for the accessibility bus and connects
//!    to it,
//! 3. registers for `object:state-changed:focused` with the AT-SPI
//!    registry and listens for the `StateChanged` signals,
//! 4. on each gain of focus asks the object's role
//!    (`org.a11y.atspi.Accessible.GetRole`) and reports whether it is a
//!    password field ([`ROLE_PASSWORD_TEXT`]) — an object whose role
//!    cannot be read counts as one (failing closed); when that object
//!    loses focus, or another one gains it, it reports the end.
//!
//! The callback gets `true` when a password field gains focus and `false`
//! when it loses it, only on changes.
//!
//! # Limits
//!
//! Signals arrive a few milliseconds after the toolkit moved the focus;
//! key events reach the recorder by another path, so keys typed within
//! that window of a focus change may still be judged by the focus before
//! it. People do not type that fast after clicking into a field; programs
//! that type for them (auto-type) usually do, after focusing the field
//! themselves. Applications that do not publish accessibility (many
//! terminal emulators, games, some Electron builds) are invisible here;
//! keyboard grabs (see `tracewell-capture`) remain the other signal.

mod error;
pub mod lease;
mod watcher;

pub use error::Error;
pub use watcher::{ROLE_PASSWORD_TEXT, Watcher, accessibility_flag, watch, watch_bus, watch_bus_in};
