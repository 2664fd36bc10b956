//! The capture crate's one error type.

/// Why capture could not start or had to stop.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No display was named and `$DISPLAY` is unset.
    #[error("no display: $DISPLAY is not set (start an X server, or run under Xvfb)")]
    NoDisplay,
    /// The X server could not be reached.
    #[error("cannot connect to X display {display:?}: {reason}")]
    Connect { display: String, reason: String },
    /// The X server lacks an extension the recorder needs.
    #[error("the X server does not support the {0} extension, which capture needs")]
    MissingExtension(&'static str),
    /// The screen uses a pixel format the recorder cannot read.
    #[error("unsupported screen format: {0}")]
    UnsupportedScreen(String),
    /// The connection to the X server failed while capturing.
    #[error("X connection lost: {0}")]
    Connection(String),
    /// An X request the recorder depends on failed.
    #[error("X request failed: {0}")]
    Request(String),
}

impl From<x11rb::errors::ConnectionError> for Error {
    fn from(e: x11rb::errors::ConnectionError) -> Error {
        Error::Connection(e.to_string())
    }
}

impl From<x11rb::errors::ReplyError> for Error {
    fn from(e: x11rb::errors::ReplyError) -> Error {
        Error::Request(e.to_string())
    }
}

impl From<x11rb::errors::ReplyOrIdError> for Error {
    fn from(e: x11rb::errors::ReplyOrIdError) -> Error {
        Error::Request(e.to_string())
    }
}
