//! [`Spool`]: open (lock and recover), commit, list, acknowledge, fail,
//! quarantine. The protocol each operation follows on disk is described in
//! [`layout`](crate::layout).

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::check::{self, CheckError, Verified};
use crate::entry::{ContentHash, Entry, SpoolState, Usage};
use crate::error::{Error, Result};
use crate::layout::{self, Dirs, LOCK, MARKER, Sidecar, io_err, sync_dir};
use crate::recover::{self, RecoveryReport};
use crate::writer::SpoolWriter;

/// Default quota: 2 GiB.
pub const DEFAULT_QUOTA_BYTES: u64 = 2 << 30;

/// The longest failure reason kept in a sidecar, in bytes.
const MAX_REASON_LEN: usize = 1024;

/// How a spool is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpoolOptions {
    /// The most bytes of committed sealed files the spool holds. A segment
    /// that would go over it is refused ([`Error::QuotaExceeded`]); nothing
    /// un-acknowledged is ever evicted to make room.
    pub quota_bytes: u64,
    /// Hash and inspect every entry in full when opening, instead of only
    /// checking sizes and headers (orphans are always checked in full).
    pub full_verify_on_open: bool,
}

impl Default for SpoolOptions {
    fn default() -> Self {
        SpoolOptions {
            quota_bytes: DEFAULT_QUOTA_BYTES,
            full_verify_on_open: false,
        }
    }
}

/// A durable, bounded queue of sealed segments in one folder, held
/// exclusively by this value until it is dropped.
///
/// All methods take `&self`; share a spool between the sealing and the
/// uploading thread with an `Arc`. Writers from [`Spool::begin`] are
/// independent values; once the spool is dropped, their `commit` fails with
/// [`Error::Closed`].
///
/// There is no eviction: when the quota is reached, new segments are refused
/// and the spool reports [`SpoolState::Full`], so the agent pauses capture
/// and tells the person. Dropping recorded data silently would make the
/// recording incomplete without anyone knowing; a paused, visible recorder
/// does not.
#[derive(Debug)]
pub struct Spool {
    shared: Arc<Shared>,
    report: RecoveryReport,
    /// Holds the advisory lock; closing it releases the lock.
    _lock: File,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub dirs: Dirs,
    pub quota: u64,
    state: Mutex<State>,
}

#[derive(Debug)]
pub(crate) struct State {
    entries: HashMap<ContentHash, Entry>,
    bytes: u64,
    next_seq: u64,
    /// A segment was refused for lack of room and nothing was freed since.
    full: bool,
    closed: bool,
}

impl Spool {
    /// Opens the spool in `dir`, creating it if needed: takes the lock
    /// ([`Error::Locked`] if another spool holds it), then recovers from any
    /// crash (see [`layout`](crate::layout)); what recovery did is in
    /// [`Spool::recovery_report`].
    pub fn open(dir: impl AsRef<Path>, options: SpoolOptions) -> Result<Spool> {
        let root = dir.as_ref();
        fs::create_dir_all(root).map_err(io_err("create directory", root))?;
        let lock_path = root.join(LOCK);
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(io_err("open", &lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(Error::Locked {
                    path: root.to_path_buf(),
                });
            }
            Err(fs::TryLockError::Error(e)) => return Err(io_err("lock", &lock_path)(e)),
        }

        let dirs = Dirs::new(root);
        for d in [&dirs.incoming, &dirs.ready, &dirs.corrupt] {
            fs::create_dir_all(d).map_err(io_err("create directory", d))?;
        }
        check_marker(&dirs)?;
        sync_dir(root)?;

        let recovered = recover::recover(&dirs, &options)?;
        let bytes = recovered.entries.values().map(|e| e.len).sum();
        let state = State {
            entries: recovered.entries,
            bytes,
            next_seq: recovered.next_seq,
            full: false,
            closed: false,
        };
        Ok(Spool {
            shared: Arc::new(Shared {
                dirs,
                quota: options.quota_bytes,
                state: Mutex::new(state),
            }),
            report: recovered.report,
            _lock: lock,
        })
    }

    /// The spool folder.
    pub fn path(&self) -> &Path {
        &self.shared.dirs.root
    }

    /// What recovery found and did when this spool was opened.
    pub fn recovery_report(&self) -> &RecoveryReport {
        &self.report
    }

    /// Starts a new segment: an [`io::Write`](std::io::Write) for the sealer
    /// to stream into. Commit it with [`SpoolWriter::commit`]; dropping it
    /// aborts and removes what was written.
    pub fn begin(&self) -> Result<SpoolWriter> {
        SpoolWriter::create(self.shared.clone())
    }

    /// All committed entries, oldest first.
    pub fn pending(&self) -> Vec<Entry> {
        let state = self.shared.lock();
        let mut all: Vec<Entry> = state.entries.values().cloned().collect();
        all.sort_by_key(|e| (e.seq, e.hash));
        all
    }

    /// The entry with this hash, if it is in the spool.
    pub fn get(&self, hash: &ContentHash) -> Option<Entry> {
        self.shared.lock().entries.get(hash).cloned()
    }

    /// Opens an entry's sealed file for reading (the uploader may seek to
    /// resume at an offset).
    pub fn open_entry(&self, entry: &Entry) -> Result<File> {
        let path = {
            let state = self.shared.lock();
            let e = state
                .entries
                .get(&entry.hash)
                .ok_or(Error::NotFound(entry.hash))?;
            e.path.clone()
        };
        File::open(&path).map_err(io_err("open", &path))
    }

    /// Reads an entry in full and checks its hash, size, segment id and the
    /// sealed-format checks. A damaged entry is moved to `corrupt/` (never
    /// deleted), leaves the spool and is reported as [`Error::Corrupt`]. The
    /// uploader calls this before sending; see [`layout`](crate::layout) for
    /// why it is not done for every entry on open.
    pub fn verify_entry(&self, entry: &Entry) -> Result<()> {
        let current = self.get(&entry.hash).ok_or(Error::NotFound(entry.hash))?;
        let reason = match check::verify_file(&current.path) {
            Ok(v) => match mismatch(&current, &v) {
                None => return Ok(()),
                Some(reason) => reason,
            },
            Err(CheckError::Content(e)) => format!("sealed-format check failed: {e}"),
            Err(CheckError::Io(e)) if e.kind() == io::ErrorKind::NotFound => {
                // Acknowledged meanwhile, or removed from outside.
                if self.get(&entry.hash).is_none() {
                    return Err(Error::NotFound(entry.hash));
                }
                "sealed file is missing".to_string()
            }
            Err(CheckError::Io(e)) => return Err(io_err("read", &current.path)(e)),
        };
        let mut state = self.shared.lock();
        if let Some(e) = state.entries.remove(&entry.hash) {
            state.bytes -= e.len;
            state.full = false;
            recover::quarantine(&self.shared.dirs, &entry.hash, &reason)?;
        }
        Err(Error::Corrupt {
            hash: entry.hash,
            reason,
        })
    }

    /// The collector has durably stored this entry: deletes it from the
    /// spool (data file, then sidecar, then fsync of the folder).
    pub fn ack(&self, entry: &Entry) -> Result<()> {
        let mut state = self.shared.lock();
        let e = state
            .entries
            .get(&entry.hash)
            .ok_or(Error::NotFound(entry.hash))?
            .clone();
        let dirs = &self.shared.dirs;
        layout::remove_if_present(&e.path)?;
        // From here on the entry is gone, whatever happens to the sidecar
        // (recovery deletes a dangling one).
        state.entries.remove(&e.hash);
        state.bytes -= e.len;
        state.full = false;
        layout::remove_if_present(&dirs.sidecar_path(&e.hash))?;
        sync_dir(&dirs.ready)
    }

    /// An upload of this entry failed: counts the attempt and keeps the
    /// reason (at most 1 KiB of it), durably. Returns the updated entry.
    pub fn record_failure(&self, entry: &Entry, reason: &str) -> Result<Entry> {
        let mut state = self.shared.lock();
        let mut e = state
            .entries
            .get(&entry.hash)
            .ok_or(Error::NotFound(entry.hash))?
            .clone();
        e.attempts = e.attempts.saturating_add(1);
        e.last_error = Some(truncate(reason, MAX_REASON_LEN).to_string());
        self.shared.write_sidecar(&e)?;
        sync_dir(&self.shared.dirs.ready)?;
        state.entries.insert(e.hash, e.clone());
        Ok(e)
    }

    /// Bytes and entries in use, and the quota.
    pub fn usage(&self) -> Usage {
        let state = self.shared.lock();
        Usage {
            bytes: state.bytes,
            entries: state.entries.len(),
            quota_bytes: self.shared.quota,
        }
    }

    /// Whether committing `extra` more bytes would exceed the quota.
    pub fn would_exceed(&self, extra: u64) -> bool {
        let state = self.shared.lock();
        state.bytes.saturating_add(extra) > self.shared.quota
    }

    /// [`SpoolState::Full`] when the quota is reached, or when a segment was
    /// refused for lack of room and no entry has left the spool since.
    pub fn state(&self) -> SpoolState {
        let state = self.shared.lock();
        if state.full || state.bytes >= self.shared.quota {
            SpoolState::Full
        } else {
            SpoolState::Accepting
        }
    }

    /// `self.state() == SpoolState::Full`.
    pub fn is_full(&self) -> bool {
        self.state() == SpoolState::Full
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        // Writers still alive must not commit into a folder whose lock is
        // about to be released.
        if let Ok(mut state) = self.shared.state.lock() {
            state.closed = true;
        }
    }
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves the in-memory state as
        // consistent as the disk: every change is applied after its disk
        // step succeeded. So a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the owning [`Spool`] has been dropped.
    pub(crate) fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Refuses a write that would make one segment of `total` bytes larger
    /// than the whole quota (it could never be committed), marking the
    /// spool full. The exact check against the space left is made at
    /// commit, where a duplicate of a spooled segment is still accepted.
    pub(crate) fn check_room(&self, total: u64) -> Result<()> {
        if total > self.quota {
            let mut state = self.lock();
            state.full = true;
            return Err(Error::QuotaExceeded {
                needed: total,
                used: state.bytes,
                quota: self.quota,
            });
        }
        Ok(())
    }

    /// Step 3 and 4 of the commit protocol for a partial that has been
    /// fsynced and verified.
    pub(crate) fn commit(&self, partial: &Path, v: Verified) -> Result<Entry> {
        let mut state = self.lock();
        if state.closed {
            return Err(Error::Closed);
        }
        if let Some(existing) = state.entries.get(&v.hash) {
            let existing = existing.clone();
            drop(state);
            layout::remove_if_present(partial)?;
            return Ok(existing);
        }
        if state.bytes.saturating_add(v.len) > self.quota {
            state.full = true;
            return Err(Error::QuotaExceeded {
                needed: v.len,
                used: state.bytes,
                quota: self.quota,
            });
        }
        let created_ms = layout::unix_ms(SystemTime::now());
        let entry = Entry {
            hash: v.hash,
            segment_id: v.segment_id,
            len: v.len,
            path: self.dirs.seal_path(&v.hash),
            created: UNIX_EPOCH + Duration::from_millis(created_ms),
            attempts: 0,
            last_error: None,
            seq: state.next_seq,
        };
        let sidecar = self.dirs.sidecar_path(&v.hash);
        let result = (|| {
            self.write_sidecar(&entry)?;
            sync_dir(&self.dirs.ready)?;
            fs::rename(partial, &entry.path).map_err(io_err("rename", partial))?;
            sync_dir(&self.dirs.ready)?;
            sync_dir(&self.dirs.incoming)
        })();
        if let Err(e) = result {
            if !entry.path.exists() {
                let _ = fs::remove_file(&sidecar);
            }
            return Err(e);
        }
        state.next_seq += 1;
        state.bytes += entry.len;
        state.entries.insert(entry.hash, entry.clone());
        Ok(entry)
    }

    /// Writes `ready/<hash>.json` for `entry` atomically (not yet fsyncing
    /// the folder).
    pub(crate) fn write_sidecar(&self, entry: &Entry) -> Result<()> {
        write_sidecar(&self.dirs, entry)
    }
}

/// Writes `ready/<hash>.json` for `entry` atomically; the caller fsyncs
/// `ready/`.
pub(crate) fn write_sidecar(dirs: &Dirs, entry: &Entry) -> Result<()> {
    let sidecar = Sidecar {
        v: layout::LAYOUT_VERSION,
        hash: entry.hash.to_string(),
        segment_id: entry.segment_id.to_string(),
        len: entry.len,
        seq: entry.seq,
        created_unix_ms: layout::unix_ms(entry.created),
        attempts: entry.attempts,
        last_error: entry.last_error.clone(),
    };
    let mut text = serde_json::to_vec(&sidecar).expect("a sidecar always serialises");
    text.push(b'\n');
    layout::write_durably(dirs, &dirs.sidecar_path(&entry.hash), &text)
}

/// Creates the `SPOOL` marker or checks its version.
fn check_marker(dirs: &Dirs) -> Result<()> {
    let path = dirs.root.join(MARKER);
    match fs::read_to_string(&path) {
        Ok(text) if text == layout::marker_text() => Ok(()),
        Ok(text) => Err(Error::UnsupportedLayout {
            path: dirs.root.clone(),
            found: text,
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            layout::write_durably(dirs, &path, layout::marker_text().as_bytes())
        }
        Err(e) => Err(io_err("read", &path)(e)),
    }
}

/// How a fully verified file differs from its entry, if it does.
pub(crate) fn mismatch(e: &Entry, v: &Verified) -> Option<String> {
    if v.hash != e.hash {
        Some(format!("content hash is {}", v.hash))
    } else if v.len != e.len {
        Some(format!("size is {} bytes, {} expected", v.len, e.len))
    } else if v.segment_id != e.segment_id {
        Some(format!(
            "segment id is {}, {} expected",
            v.segment_id, e.segment_id
        ))
    } else {
        None
    }
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
