//! No core dumps of a recording process.
//!
//! While it records, the process holds raw frames, key events not yet
//! redacted and, for ten minutes, the values typed-text redaction
//! replaced (so that their fragments on screen are filled). A crash that
//! dumped core (a Tesseract abort, a fault in a C library, SIGQUIT) would
//! write all of that to disk, where systemd-coredump or apport keep it.
//! So a session first marks the process not dumpable (which also keeps
//! other processes of the same user from attaching a debugger) and sets
//! its core file limit to zero, both for good.

/// Forbids core dumps for the rest of the process's life.
pub fn forbid() -> std::io::Result<()> {
    use rustix::process::{DumpableBehavior, Resource, Rlimit, set_dumpable_behavior, setrlimit};
    set_dumpable_behavior(DumpableBehavior::NotDumpable)?;
    setrlimit(Resource::Core, Rlimit { current: Some(0), maximum: Some(0) })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use rustix::process::{DumpableBehavior, Resource, dumpable_behavior, getrlimit};

    #[test]
    fn the_process_is_left_without_core_dumps() {
        super::forbid().unwrap();
        assert_eq!(dumpable_behavior().unwrap(), DumpableBehavior::NotDumpable);
        let limit = getrlimit(Resource::Core);
        assert_eq!((limit.current, limit.maximum), (Some(0), Some(0)));
    }
}
