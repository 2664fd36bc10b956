//! The on-disk layout of a spool, version 1.
//!
//! A spool is one folder on the device's local disk:
//!
//! ```text
//! <spool>/
//!   SPOOL                      layout marker, the text "tracewell-spool layout 1\n"
//!   lock                       empty; held with an exclusive advisory lock while open
//!   incoming/<stamp>.partial   a segment (or a sidecar update) being written
//!   ready/<hash>.seal          a committed sealed segment, named by its content hash
//!   ready/<hash>.json          its sidecar: segment id, size, order, time, attempts
//!   corrupt/<hash>.<ms>.seal   a quarantined sealed file,
//!   corrupt/<hash>.<ms>.json   its sidecar, if it had one,
//!   corrupt/<hash>.<ms>.reason and why it was quarantined (one line of text)
//! ```
//!
//! `<hash>` is the BLAKE3 hash of the *whole* sealed file, 64 lowercase hex
//! digits. It is the segment's identity in the spool and, since uploads are
//! content-addressed, on the collector too. `<stamp>` is unique within the
//! process holding the lock (nanosecond time and a counter). `<ms>` is the
//! Unix time in milliseconds when the file was quarantined.
//!
//! ## Sidecar (`ready/<hash>.json`)
//!
//! One JSON object:
//!
//! ```json
//! {"v":1,"hash":"…64 hex…","segment_id":"…32 hex…","len":123456,
//!  "seq":17,"created_unix_ms":1767225600000,"attempts":2,"last_error":"timeout"}
//! ```
//!
//! `seq` orders entries oldest first; it only grows while a spool is open and
//! restarts above the largest seq found when it is reopened. `attempts` and
//! `last_error` record failed uploads. Unknown fields are ignored, so later
//! versions may add fields without changing `v`.
//!
//! ## The lock
//!
//! [`Spool::open`](crate::Spool::open) takes an exclusive, non-blocking
//! advisory lock (`flock`) on `lock` and holds it until the spool is dropped.
//! A second open, in this or another process, fails with
//! [`Error::Locked`]. The kernel releases the lock when
//! the holder dies, however it dies, so a crash never leaves a stale lock.
//!
//! ## Write protocol and what a crash at each point leaves
//!
//! Every rename below stays within one file system, so it is atomic; every
//! "fsync dir" makes the preceding renames and unlinks durable.
//!
//! **Commit** (`SpoolWriter::commit`):
//!
//! 1. The segment is streamed into `incoming/<stamp>.partial`, hashed as it
//!    is written, then the file is fsynced.
//!    *Crash*: a `.partial` remains. Recovery deletes it: nothing was
//!    committed, and the caller never got an entry.
//! 2. The file is read back once: its hash must match and it must pass
//!    `tracewell_seal::inspect` (complete, intact, signed). A failure deletes
//!    the partial and returns an error. The quota is checked here.
//!    *Crash*: as in 1.
//! 3. The sidecar is written to `incoming/<stamp>.partial`, fsynced, renamed
//!    to `ready/<hash>.json`; fsync `ready/`.
//!    *Crash*: a sidecar may exist without its data file. Recovery deletes
//!    such a dangling sidecar (and the data `.partial`).
//! 4. **Commit point**: the data file is renamed to `ready/<hash>.seal`;
//!    fsync `ready/` and `incoming/`. Only now does `commit` return.
//!    *Crash before the fsync*: either the rename is durable (the entry is
//!    there, complete, with its sidecar) or it is not (as in 3). A file in
//!    `ready/*.seal` is always complete, because its bytes were fsynced
//!    before the rename.
//!
//! **Sidecar update** (`record_failure`): the new sidecar is written to
//! `incoming/<stamp>.partial`, fsynced, renamed over `ready/<hash>.json`;
//! fsync `ready/`. *Crash*: the old or the new sidecar, never a mix; a
//! leftover `.partial` is deleted by recovery.
//!
//! **Ack** (`ack`): unlink `ready/<hash>.seal`, then unlink
//! `ready/<hash>.json`, then fsync `ready/`. *Crash between the unlinks*: a
//! dangling sidecar, deleted by recovery. The data goes first so that a crash
//! never leaves an acknowledged segment that recovery would adopt and upload
//! again.
//!
//! **Quarantine**: rename `ready/<hash>.seal` (and its sidecar, if any) into
//! `corrupt/`; fsync `corrupt/` and `ready/`. *Crash*: the file is in one
//! folder or the other; if it is still in `ready/`, the next recovery finds
//! it bad again and quarantines it again.
//!
//! ## Recovery on open
//!
//! With the lock held, before anything else:
//!
//! * every file in `incoming/` ending in `.partial` is deleted (uncommitted);
//! * a sidecar whose `.seal` is missing is deleted (dangling); one that does
//!   not parse, or disagrees with its file name, is deleted and its data
//!   file adopted as an orphan;
//! * a `.seal` with a sidecar is checked cheaply: its size must equal the
//!   sidecar's `len` and its header must parse with the sidecar's segment id
//!   (with [`SpoolOptions::full_verify_on_open`](crate::SpoolOptions), it is
//!   also hashed and inspected in full);
//! * a `.seal` without a sidecar (an orphan) is always verified in full: its
//!   BLAKE3 hash must equal its name and it must pass `inspect`; then a new
//!   sidecar is written (created time from the file's mtime, no attempts),
//!   ordered after the known entries;
//! * a `.seal` failing any check is quarantined into `corrupt/`, never
//!   deleted; files whose names the layout does not know are left alone.
//!
//! Full verification of entries that passed the cheap check is lazy: the
//! uploader calls [`Spool::verify_entry`](crate::Spool::verify_entry) before
//! sending, which quarantines on failure. Committed files were fsynced before
//! they became visible, so only disk faults or outside interference can
//! damage them, and hashing every spooled gigabyte on each start would delay
//! capture for no gain in the normal case.
//!
//! ## Versioning
//!
//! `SPOOL` names the layout version. A spool with another version is refused
//! with [`Error::UnsupportedLayout`]. A
//! change to any name, folder, rule or required sidecar field above needs a
//! new version.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::entry::ContentHash;
use crate::error::{Error, Result};

/// The layout version this crate reads and writes.
pub const LAYOUT_VERSION: u32 = 1;

/// Contents of the `SPOOL` marker file.
pub(crate) fn marker_text() -> String {
    format!("tracewell-spool layout {LAYOUT_VERSION}\n")
}

pub(crate) const MARKER: &str = "SPOOL";
pub(crate) const LOCK: &str = "lock";
pub(crate) const INCOMING: &str = "incoming";
pub(crate) const READY: &str = "ready";
pub(crate) const CORRUPT: &str = "corrupt";
pub(crate) const PARTIAL_EXT: &str = "partial";
pub(crate) const SEAL_EXT: &str = "seal";
pub(crate) const SIDECAR_EXT: &str = "json";

/// Paths of one spool's folders.
#[derive(Debug, Clone)]
pub(crate) struct Dirs {
    pub root: PathBuf,
    pub incoming: PathBuf,
    pub ready: PathBuf,
    pub corrupt: PathBuf,
}

impl Dirs {
    pub fn new(root: &Path) -> Self {
        Dirs {
            root: root.to_path_buf(),
            incoming: root.join(INCOMING),
            ready: root.join(READY),
            corrupt: root.join(CORRUPT),
        }
    }

    pub fn seal_path(&self, hash: &ContentHash) -> PathBuf {
        self.ready.join(format!("{hash}.{SEAL_EXT}"))
    }

    pub fn sidecar_path(&self, hash: &ContentHash) -> PathBuf {
        self.ready.join(format!("{hash}.{SIDECAR_EXT}"))
    }

    /// A fresh, process-unique `incoming/<stamp>.partial` path.
    pub fn new_partial(&self) -> PathBuf {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        self.incoming.join(format!(
            "{nanos:x}-{}-{n}.{PARTIAL_EXT}",
            std::process::id()
        ))
    }
}

/// The sidecar of one ready entry, as stored in `ready/<hash>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Sidecar {
    pub v: u32,
    pub hash: String,
    pub segment_id: String,
    pub len: u64,
    pub seq: u64,
    pub created_unix_ms: u64,
    pub attempts: u32,
    #[serde(default)]
    pub last_error: Option<String>,
}

/// Attaches the operation and path to an I/O error.
pub(crate) fn io_err(op: &'static str, path: &Path) -> impl FnOnce(io::Error) -> Error + use<> {
    let path = path.to_path_buf();
    move |source| Error::Io { op, path, source }
}

/// Makes the entries of `dir` (creations, renames, unlinks) durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err("fsync directory", dir))
}

/// Writes `bytes` to a fresh partial, fsyncs it and renames it to `dest`.
/// The caller fsyncs `dest`'s folder.
pub(crate) fn write_durably(dirs: &Dirs, dest: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let tmp = dirs.new_partial();
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(io_err("create", &tmp))?;
        f.write_all(bytes).map_err(io_err("write", &tmp))?;
        f.sync_all().map_err(io_err("fsync", &tmp))?;
        fs::rename(&tmp, dest).map_err(io_err("rename", &tmp))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Removes a file; a file that is already gone is not an error.
pub(crate) fn remove_if_present(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_err("remove", path)(e)),
        _ => Ok(()),
    }
}

/// Splits a `ready/` file name into its hash and extension, if it is one the
/// layout knows.
pub(crate) fn parse_ready_name(name: &str) -> Option<(ContentHash, &str)> {
    let (stem, ext) = name.split_once('.')?;
    if ext != SEAL_EXT && ext != SIDECAR_EXT {
        return None;
    }
    Some((stem.parse().ok()?, ext))
}

/// Milliseconds since the Unix epoch.
pub(crate) fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_names() {
        let h = ContentHash::of(b"x");
        assert_eq!(parse_ready_name(&format!("{h}.seal")), Some((h, "seal")));
        assert_eq!(parse_ready_name(&format!("{h}.json")), Some((h, "json")));
        assert_eq!(parse_ready_name(&format!("{h}.json.tmp")), None);
        assert_eq!(parse_ready_name("abc.seal"), None);
        assert_eq!(parse_ready_name("README"), None);
    }

    #[test]
    fn sidecar_text_is_stable() {
        let s = Sidecar {
            v: 1,
            hash: "ab".repeat(32),
            segment_id: "cd".repeat(16),
            len: 5,
            seq: 2,
            created_unix_ms: 3,
            attempts: 1,
            last_error: Some("timeout".into()),
        };
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(
            text,
            format!(
                r#"{{"v":1,"hash":"{}","segment_id":"{}","len":5,"seq":2,"created_unix_ms":3,"attempts":1,"last_error":"timeout"}}"#,
                "ab".repeat(32),
                "cd".repeat(16)
            )
        );
        // Unknown fields are ignored; last_error may be absent.
        let later: Sidecar = serde_json::from_str(&format!(
            r#"{{"v":1,"hash":"{}","segment_id":"{}","len":5,"seq":2,"created_unix_ms":3,"attempts":0,"extra":true}}"#,
            "ab".repeat(32),
            "cd".repeat(16)
        ))
        .unwrap();
        assert_eq!(later.last_error, None);
    }
}
