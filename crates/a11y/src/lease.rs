//! [`Lease`]: a note, in the user's runtime folder, that a watcher turned
//! the session's accessibility flag on and owes turning it off again.
//!
//! A watcher that stops cleanly restores the flag itself. One that is
//! killed cannot, and the flag would stay on for the rest of the session
//! (toolkits then keep publishing their widgets, at some CPU cost). So
//! before turning the flag on, a watcher writes its process id to
//! `$XDG_RUNTIME_DIR/tracewell-a11y-<hash of the session bus address>`,
//! and removes the file after turning the flag off. The next watcher on
//! the same session finds the file: if the process named there is gone,
//! it takes the lease over (and with it the duty to turn the flag off when
//! it stops); if it still runs, the flag is that watcher's to restore and
//! this one leaves it alone.
//!
//! A process id taken over by an unrelated process after a crash keeps
//! the note alive until that process ends; the flag then stays on that
//! long, as it did for every crash before these notes.
//!
//! File format: the owner's process id in decimal ASCII, nothing else;
//! written to a temporary name and renamed into place. The runtime folder
//! is the user's own and is emptied at logout, as the session bus ends.

use std::path::{Path, PathBuf};

/// Who restores the accessibility flag.
#[derive(Debug)]
pub(crate) enum Lease {
    /// This process turned it on (or took over from a watcher that died)
    /// and must turn it off when it stops.
    Owned(Option<PathBuf>),
    /// The flag was on already, set by someone else or by a live watcher.
    NotOurs,
}

impl Lease {
    /// Decides, before anything is changed, who will restore the flag
    /// that is now `enabled`, for the session bus at `address`; with a
    /// `dir`, records an owned lease there (before the caller turns the
    /// flag on).
    pub(crate) fn take(dir: Option<&Path>, address: &str, enabled: bool) -> Lease {
        let Some(dir) = dir else {
            return if enabled { Lease::NotOurs } else { Lease::Owned(None) };
        };
        let path = dir.join(format!("tracewell-a11y-{:016x}", fnv1a(address.as_bytes())));
        let owner = std::fs::read_to_string(&path).ok().and_then(|s| s.trim().parse::<u32>().ok());
        let me = std::process::id();
        let take_over = match owner {
            // A lease left by a watcher that is gone: the flag is on only
            // because of it.
            Some(pid) if pid != me => !alive(pid),
            Some(_) => true,
            None => !enabled,
        };
        if !take_over {
            return Lease::NotOurs;
        }
        let tmp = path.with_extension(format!("{me}.tmp"));
        let written = std::fs::write(&tmp, me.to_string()).and_then(|()| std::fs::rename(&tmp, &path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
            // Without the note the flag can still be restored on a clean
            // stop, as before.
            return Lease::Owned(None);
        }
        Lease::Owned(Some(path))
    }

    /// Whether this process must turn the flag off when it stops.
    pub(crate) fn owned(&self) -> bool {
        matches!(self, Lease::Owned(_))
    }

    /// After the flag was turned off: removes the note, if it is still
    /// this process's.
    pub(crate) fn release(&self) {
        if let Lease::Owned(Some(path)) = self {
            let mine = std::fs::read_to_string(path).ok().and_then(|s| s.trim().parse::<u32>().ok()) == Some(std::process::id());
            if mine {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// The user's runtime folder (`$XDG_RUNTIME_DIR`), if set and present.
pub(crate) fn runtime_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("XDG_RUNTIME_DIR")?);
    dir.is_dir().then_some(dir)
}

/// Whether process `pid` exists (Linux: `/proc/<pid>`).
fn alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

/// 64-bit FNV-1a: a stable file name for a bus address (not a secret).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("tw-lease-{}-{:?}", std::process::id(), std::thread::current().id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_flag_turned_on_by_us_is_ours_to_restore_and_one_found_on_is_not() {
        let d = dir();
        let lease = Lease::take(Some(&d), "unix:path=/a", false);
        assert!(lease.owned());
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
        lease.release();
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0);
        assert!(!Lease::take(Some(&d), "unix:path=/a", true).owned());
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0, "nothing noted for a flag that is not ours");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_lease_of_a_dead_owner_is_taken_over_and_one_of_a_live_owner_is_not() {
        let d = dir();
        let path = d.join(format!("tracewell-a11y-{:016x}", fnv1a(b"unix:path=/b")));
        // A process id no process has (above the kernel's maximum).
        std::fs::write(&path, "4194305").unwrap();
        let lease = Lease::take(Some(&d), "unix:path=/b", true);
        assert!(lease.owned(), "the flag is on only because of a watcher that died");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), std::process::id().to_string());
        lease.release();
        assert!(!path.exists());
        // A live owner (process 1 always runs): the flag is its to restore.
        std::fs::write(&path, "1").unwrap();
        let lease = Lease::take(Some(&d), "unix:path=/b", true);
        assert!(!lease.owned());
        lease.release();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "1", "another owner's lease is left alone");
        // Another bus is another lease.
        assert!(Lease::take(Some(&d), "unix:path=/c", false).owned());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
