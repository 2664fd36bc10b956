//! [`SpoolWriter`]: one segment on its way into the spool.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use crate::check::{self, CheckError};
use crate::entry::{ContentHash, Entry};
use crate::error::{Error, Result};
use crate::layout::io_err;
use crate::spool::Shared;

/// Receives one sealed segment as it is produced, in
/// `incoming/<stamp>.partial`, hashing it as it goes.
///
/// [`commit`](SpoolWriter::commit) makes it a durable spool entry; dropping
/// the writer (or [`abort`](SpoolWriter::abort)) deletes the partial file.
///
/// The quota is checked exactly at commit. While writing, only a segment
/// that grows larger than the whole quota is refused early (with an
/// [`io::ErrorKind::StorageFull`] error, marking the spool full), so an
/// uncommitted segment never takes more than the quota on disk. Check
/// [`Spool::is_full`](crate::Spool::is_full) or
/// [`Spool::would_exceed`](crate::Spool::would_exceed) before starting one.
/// After any failed write the writer is unusable and `commit` returns the
/// reason.
#[derive(Debug)]
pub struct SpoolWriter {
    shared: Arc<Shared>,
    file: Option<BufWriter<File>>,
    path: PathBuf,
    hasher: blake3::Hasher,
    len: u64,
    failure: Option<Error>,
}

impl SpoolWriter {
    pub(crate) fn create(shared: Arc<Shared>) -> Result<Self> {
        let path = shared.dirs.new_partial();
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(io_err("create", &path))?;
        Ok(SpoolWriter {
            shared,
            file: Some(BufWriter::with_capacity(64 * 1024, file)),
            path,
            hasher: blake3::Hasher::new(),
            len: 0,
            failure: None,
        })
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when nothing has been written yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Makes the segment a durable entry of the spool and returns it.
    ///
    /// Flushes and fsyncs the data, reads it back once to check its hash and
    /// that it is a complete, signed sealed segment
    /// ([`Error::NotSealed`] otherwise), checks the quota
    /// ([`Error::QuotaExceeded`]), writes the sidecar and renames the file
    /// into `ready/` (see [`layout`](crate::layout) for every step). If a
    /// segment with the same content is already spooled, nothing changes
    /// and the existing entry is returned. On any error the partial file is
    /// removed.
    pub fn commit(mut self) -> Result<Entry> {
        if let Some(failure) = self.failure.take() {
            return Err(match failure {
                e @ Error::QuotaExceeded { .. } => e,
                e => Error::WriterFailed(e.to_string()),
            });
        }
        if self.shared.is_closed() {
            return Err(Error::Closed);
        }
        let file = self.file.take().expect("file is present until commit");
        let file = file
            .into_inner()
            .map_err(|e| io_err("write", &self.path)(e.into_error()))?;
        file.sync_all().map_err(io_err("fsync", &self.path))?;
        drop(file);

        let written = ContentHash(*self.hasher.finalize().as_bytes());
        let verified = match check::verify_file(&self.path) {
            Ok(v) => v,
            Err(CheckError::Content(e)) => return Err(Error::NotSealed(e)),
            Err(CheckError::Io(e)) => return Err(io_err("read back", &self.path)(e)),
        };
        if verified.hash != written || verified.len != self.len {
            return Err(io_err("read back", &self.path)(io::Error::other(
                "the file on disk differs from the bytes written",
            )));
        }
        let entry = self.shared.commit(&self.path, verified)?;
        // The partial is now ready/<hash>.seal (or was removed as a duplicate).
        self.path = PathBuf::new();
        Ok(entry)
    }

    /// Discards the segment, removing its partial file.
    pub fn abort(mut self) -> Result<()> {
        self.file = None;
        let path = std::mem::take(&mut self.path);
        crate::layout::remove_if_present(&path)
    }

    fn fail(&mut self, e: Error) -> io::Error {
        let out = match &e {
            Error::QuotaExceeded { .. } => {
                io::Error::new(io::ErrorKind::StorageFull, e.to_string())
            }
            Error::Io { source, .. } => io::Error::new(source.kind(), e.to_string()),
            _ => io::Error::other(e.to_string()),
        };
        self.failure = Some(e);
        out
    }
}

impl Write for SpoolWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(e) = &self.failure {
            return Err(io::Error::other(format!(
                "spool writer failed earlier: {e}"
            )));
        }
        if buf.is_empty() {
            return Ok(0);
        }
        if let Err(e) = self.shared.check_room(self.len + buf.len() as u64) {
            return Err(self.fail(e));
        }
        let file = self.file.as_mut().expect("file is present until commit");
        match file.write(buf) {
            Ok(n) => {
                self.hasher.update(&buf[..n]);
                self.len += n as u64;
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                let err = io_err("write", &self.path)(e);
                Err(self.fail(err))
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.failure.is_some() {
            return Err(io::Error::other("spool writer failed earlier"));
        }
        match self.file.as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for SpoolWriter {
    fn drop(&mut self) {
        self.file = None;
        if !self.path.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.path);
        }
    }
}
