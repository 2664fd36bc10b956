//! The test bed: real X servers for capture tests and benchmarks.
//!
//! - [`VirtualDisplay`]: a private Xvfb on a free display number (the
//!   server picks it with `-displayfd`, so parallel tests never collide),
//!   optionally with the openbox window manager, stopped on drop.
//! - [`Driver`]: a client of that display that opens plain coloured
//!   windows with a title and `WM_CLASS`, activates them, changes their
//!   titles and the keyboard mapping, and injects keys, clicks, scrolls and
//!   pointer motion through XTEST — the same path as real input.
//! - [`SessionBus`]: a private D-Bus session bus, so accessibility (AT-SPI)
//!   tests have their own accessibility bus.
//! - [`script`]: programs to drive — xterms, a GTK login form — and a
//!   scripted person.

mod display;
mod driver;
pub mod script;
mod session_bus;

pub use display::VirtualDisplay;
pub use session_bus::SessionBus;
pub use driver::{Driver, WindowSpec};

/// Why the test bed could not do what a test asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot start {program}: {reason} (is it installed? `.ci/run` installs it)")]
    Spawn { program: &'static str, reason: String },
    #[error("{0}")]
    Timeout(String),
    #[error("X: {0}")]
    X(String),
    #[error("no key produces {0:?} under the current keyboard mapping")]
    NoKey(char),
}

macro_rules! x_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Error {
                Error::X(e.to_string())
            }
        }
    )*};
}
x_error_from!(
    x11rb::errors::ConnectError,
    x11rb::errors::ConnectionError,
    x11rb::errors::ReplyError,
    x11rb::errors::ReplyOrIdError
);
