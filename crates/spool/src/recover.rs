//! Recovery on open, and quarantine. The rules are listed in
//! [`layout`](crate::layout#recovery-on-open).

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tracewell_seal::SegmentId;

use crate::check::{self, CheckError};
use crate::entry::{ContentHash, Entry};
use crate::error::Result;
use crate::layout::{
    self, Dirs, LAYOUT_VERSION, PARTIAL_EXT, SEAL_EXT, SIDECAR_EXT, Sidecar, io_err, sync_dir,
};
use crate::spool::{SpoolOptions, mismatch, write_sidecar};

/// What recovery found and did when a spool was opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// `incoming/*.partial` files deleted (never committed).
    pub removed_partials: usize,
    /// Sidecars deleted because their data file was gone (a crash during a
    /// commit or an ack), or because they could not be read (their data file
    /// is then adopted).
    pub dropped_sidecars: usize,
    /// Sealed files without a usable sidecar that verified in full and were
    /// given a new one.
    pub adopted: Vec<ContentHash>,
    /// Sealed files moved to `corrupt/`, by the hash in their name, with
    /// the reason.
    pub quarantined: Vec<(ContentHash, String)>,
    /// Files the layout does not know, left alone.
    pub unknown_files: Vec<PathBuf>,
}

impl RecoveryReport {
    /// True when the spool was found exactly as a clean shutdown leaves it.
    pub fn is_clean(&self) -> bool {
        self.removed_partials == 0
            && self.dropped_sidecars == 0
            && self.adopted.is_empty()
            && self.quarantined.is_empty()
    }
}

pub(crate) struct Recovered {
    pub entries: HashMap<ContentHash, Entry>,
    pub next_seq: u64,
    pub report: RecoveryReport,
}

#[derive(Default)]
struct Found {
    seal: bool,
    sidecar: bool,
}

/// Brings the folders of a freshly locked spool into a consistent state and
/// returns its entries.
pub(crate) fn recover(dirs: &Dirs, options: &SpoolOptions) -> Result<Recovered> {
    let mut report = RecoveryReport::default();

    // Uncommitted partials (segments and sidecar updates).
    for (path, name) in list(&dirs.incoming)? {
        if path.is_file() && name.ends_with(&format!(".{PARTIAL_EXT}")) {
            layout::remove_if_present(&path)?;
            report.removed_partials += 1;
        } else {
            report.unknown_files.push(path);
        }
    }

    let mut found: BTreeMap<ContentHash, Found> = BTreeMap::new();
    for (path, name) in list(&dirs.ready)? {
        match layout::parse_ready_name(&name) {
            Some((hash, ext)) if path.is_file() => {
                let f = found.entry(hash).or_default();
                if ext == SEAL_EXT {
                    f.seal = true;
                } else {
                    f.sidecar = true;
                }
            }
            _ => report.unknown_files.push(path),
        }
    }

    let mut entries = HashMap::new();
    let mut orphans = Vec::new();
    for (hash, f) in &found {
        let sidecar_path = dirs.sidecar_path(hash);
        if !f.seal {
            layout::remove_if_present(&sidecar_path)?;
            report.dropped_sidecars += 1;
            continue;
        }
        let known = if f.sidecar {
            match read_sidecar(&sidecar_path, hash) {
                Some(e) => Some(e),
                None => {
                    layout::remove_if_present(&sidecar_path)?;
                    report.dropped_sidecars += 1;
                    None
                }
            }
        } else {
            None
        };
        let seal_path = dirs.seal_path(hash);
        match known {
            Some(mut entry) => {
                entry.path = seal_path;
                match check_known(&entry, options.full_verify_on_open)? {
                    None => {
                        entries.insert(*hash, entry);
                    }
                    Some(reason) => {
                        quarantine(dirs, hash, &reason)?;
                        report.quarantined.push((*hash, reason));
                    }
                }
            }
            None => match check::verify_file(&seal_path) {
                Ok(v) if v.hash == *hash => {
                    let mtime = fs::metadata(&seal_path)
                        .and_then(|m| m.modified())
                        .map_err(io_err("stat", &seal_path))?;
                    orphans.push((layout::unix_ms(mtime), v));
                }
                Ok(v) => {
                    let reason = format!("content hash is {}", v.hash);
                    quarantine(dirs, hash, &reason)?;
                    report.quarantined.push((*hash, reason));
                }
                Err(CheckError::Content(e)) => {
                    let reason = format!("sealed-format check failed: {e}");
                    quarantine(dirs, hash, &reason)?;
                    report.quarantined.push((*hash, reason));
                }
                Err(CheckError::Io(e)) => return Err(io_err("read", &seal_path)(e)),
            },
        }
    }

    // Orphans go after every known entry, oldest file first.
    let mut next_seq = entries.values().map(|e| e.seq + 1).max().unwrap_or(0);
    orphans.sort_by_key(|(ms, v)| (*ms, v.hash));
    for (ms, v) in orphans {
        let entry = Entry {
            hash: v.hash,
            segment_id: v.segment_id,
            len: v.len,
            path: dirs.seal_path(&v.hash),
            created: UNIX_EPOCH + Duration::from_millis(ms),
            attempts: 0,
            last_error: None,
            seq: next_seq,
        };
        next_seq += 1;
        write_sidecar(dirs, &entry)?;
        report.adopted.push(entry.hash);
        entries.insert(entry.hash, entry);
    }

    if !report.is_clean() {
        sync_dir(&dirs.incoming)?;
        sync_dir(&dirs.ready)?;
        sync_dir(&dirs.corrupt)?;
    }
    Ok(Recovered {
        entries,
        next_seq,
        report,
    })
}

/// Parses a sidecar; `None` when it is unreadable or disagrees with its name.
fn read_sidecar(path: &Path, hash: &ContentHash) -> Option<Entry> {
    let text = fs::read(path).ok()?;
    let s: Sidecar = serde_json::from_slice(&text).ok()?;
    if s.v != LAYOUT_VERSION || s.hash != hash.to_string() {
        return None;
    }
    let segment_id = SegmentId(crate::entry::unhex::<16>(&s.segment_id)?);
    Some(Entry {
        hash: *hash,
        segment_id,
        len: s.len,
        path: PathBuf::new(),
        created: UNIX_EPOCH + Duration::from_millis(s.created_unix_ms),
        attempts: s.attempts,
        last_error: s.last_error,
        seq: s.seq,
    })
}

/// Checks a file that has a sidecar; `Some(reason)` when it is damaged.
fn check_known(entry: &Entry, full: bool) -> Result<Option<String>> {
    let path = &entry.path;
    if full {
        return match check::verify_file(path) {
            Ok(v) => Ok(mismatch(entry, &v)),
            Err(CheckError::Content(e)) => Ok(Some(format!("sealed-format check failed: {e}"))),
            Err(CheckError::Io(e)) => Err(io_err("read", path)(e)),
        };
    }
    let len = fs::metadata(path).map_err(io_err("stat", path))?.len();
    if len != entry.len {
        return Ok(Some(format!("size is {len} bytes, {} expected", entry.len)));
    }
    match check::header_segment_id(path) {
        Ok(id) if id == entry.segment_id => Ok(None),
        Ok(id) => Ok(Some(format!(
            "segment id is {id}, {} expected",
            entry.segment_id
        ))),
        Err(CheckError::Content(e)) => Ok(Some(format!("sealed header check failed: {e}"))),
        Err(CheckError::Io(e)) => Err(io_err("read", path)(e)),
    }
}

/// Moves `ready/<hash>.seal` and its sidecar (if any) into `corrupt/` under a
/// fresh name, with a `.reason` text file beside them. Never deletes.
pub(crate) fn quarantine(dirs: &Dirs, hash: &ContentHash, reason: &str) -> Result<()> {
    let mut ms = layout::unix_ms(SystemTime::now());
    let named = |ms: u64, ext: &str| dirs.corrupt.join(format!("{hash}.{ms}.{ext}"));
    while named(ms, SEAL_EXT).exists() || named(ms, "reason").exists() {
        ms += 1;
    }
    let seal = dirs.seal_path(hash);
    if seal.exists() {
        fs::rename(&seal, named(ms, SEAL_EXT)).map_err(io_err("rename", &seal))?;
    }
    let sidecar = dirs.sidecar_path(hash);
    if sidecar.exists() {
        fs::rename(&sidecar, named(ms, SIDECAR_EXT)).map_err(io_err("rename", &sidecar))?;
    }
    layout::write_durably(dirs, &named(ms, "reason"), format!("{reason}\n").as_bytes())?;
    sync_dir(&dirs.corrupt)?;
    sync_dir(&dirs.ready)
}

/// The entries of a folder with their names (non-UTF-8 names as lossy text).
fn list(dir: &Path) -> Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    for item in fs::read_dir(dir).map_err(io_err("read directory", dir))? {
        let item = item.map_err(io_err("read directory", dir))?;
        let name = item.file_name().to_string_lossy().into_owned();
        out.push((item.path(), name));
    }
    out.sort();
    Ok(out)
}
