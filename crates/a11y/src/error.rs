//! The crate's one error type.

/// Why the accessibility bus cannot be watched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No session bus to find the accessibility bus through.
    #[error("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset)")]
    NoSessionBus,
    /// A D-Bus call or connection failed.
    #[error("accessibility bus: {0}")]
    Bus(#[from] zbus::Error),
    /// The watcher thread could not be started.
    #[error("cannot start the accessibility watcher: {0}")]
    Thread(std::io::Error),
}
