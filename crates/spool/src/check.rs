//! Full verification of a sealed file: its BLAKE3 content hash and the
//! sealed-format checks of `tracewell_seal::inspect`, in one read.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use tracewell_seal::SegmentId;

use crate::entry::ContentHash;

/// What a successful full check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Verified {
    pub hash: ContentHash,
    pub len: u64,
    pub segment_id: SegmentId,
}

/// Why a full check failed.
#[derive(Debug)]
pub(crate) enum CheckError {
    /// The file could not be read: a problem of the disk or the caller, not
    /// proof that the content is bad.
    Io(io::Error),
    /// The content is not an intact sealed segment.
    Content(tracewell_seal::Error),
}

/// Reads `path` once, hashing every byte and running `inspect` over it.
pub(crate) fn verify_file(path: &Path) -> Result<Verified, CheckError> {
    let file = File::open(path).map_err(CheckError::Io)?;
    let mut reader = Hashing {
        inner: BufReader::with_capacity(256 * 1024, file),
        hasher: blake3::Hasher::new(),
        len: 0,
    };
    let info = match tracewell_seal::inspect(&mut reader) {
        Ok(info) => info,
        Err(tracewell_seal::Error::Io(e)) => return Err(CheckError::Io(e)),
        Err(e) => return Err(CheckError::Content(e)),
    };
    // `inspect` reads up to the end to reject trailing bytes, so the hash
    // covers the whole file.
    Ok(Verified {
        hash: ContentHash(*reader.hasher.finalize().as_bytes()),
        len: reader.len,
        segment_id: info.segment_id(),
    })
}

/// Reads only the sealed header (a few hundred bytes) and returns its
/// segment id: the cheap check recovery runs on every entry.
pub(crate) fn header_segment_id(path: &Path) -> Result<SegmentId, CheckError> {
    let file = File::open(path).map_err(CheckError::Io)?;
    match tracewell_seal::read_header(BufReader::with_capacity(4096, file)) {
        Ok(h) => Ok(h.segment_id),
        Err(tracewell_seal::Error::Io(e)) => Err(CheckError::Io(e)),
        Err(e) => Err(CheckError::Content(e)),
    }
}

struct Hashing<R> {
    inner: R,
    hasher: blake3::Hasher,
    len: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
}
