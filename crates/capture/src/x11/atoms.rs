//! Atoms the recorder asks the server about.

x11rb::atom_manager! {
    /// Interned atoms, fetched once per connection.
    pub Atoms: AtomsCookie {
        _NET_ACTIVE_WINDOW,
        _NET_WM_NAME,
        _NET_WM_PID,
        UTF8_STRING,
        WM_STATE,
        TRACEWELL_WAKE,
    }
}
