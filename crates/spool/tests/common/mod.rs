//! Shared helpers for the integration tests: real sealed segments, and a
//! view of the spool folder's files.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::Path;

use tracewell_seal::*;
use tracewell_spool::{ContentHash, Entry, Result, Spool};

pub const START: u64 = 1_767_225_600_000_000_000;

/// Keys for sealing test segments.
pub struct Fixture {
    pub recipient: RecipientIdentity,
    pub device: DeviceSigningKey,
}

impl Fixture {
    pub fn new() -> Self {
        Fixture {
            recipient: RecipientIdentity::generate().unwrap(),
            device: DeviceSigningKey::generate().unwrap(),
        }
    }

    pub fn fields(&self, id: u64) -> HeaderFields {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&id.to_be_bytes());
        bytes[8..].copy_from_slice(b"spooltst");
        HeaderFields {
            segment_id: SegmentId::from_bytes(bytes),
            device_id: "device-test".into(),
            subject_id: "subject-test".into(),
            start_ns: START,
        }
    }

    /// A complete sealed segment with segment id `id` and `len` bytes of
    /// plaintext, in 4 KiB chunks.
    pub fn sealed(&self, id: u64, len: usize) -> Vec<u8> {
        let mut sealer = Sealer::with_chunk_size(
            Vec::new(),
            &[self.recipient.public_key().clone()],
            self.fields(id),
            &self.device,
            4096,
        )
        .unwrap();
        sealer.write_all(&plaintext(id, len)).unwrap();
        sealer.finish(START + 1).unwrap().writer
    }

    /// Seals straight into a spool writer, as the agent does, and commits.
    pub fn seal_into(&self, spool: &Spool, id: u64, len: usize) -> Result<Entry> {
        let mut sealer = Sealer::with_chunk_size(
            spool.begin()?,
            &[self.recipient.public_key().clone()],
            self.fields(id),
            &self.device,
            16 * 1024,
        )
        .unwrap();
        sealer.write_all(&plaintext(id, len)).unwrap();
        sealer.finish(START + 1).unwrap().writer.commit()
    }
}

/// Deterministic test plaintext.
pub fn plaintext(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = Rng::new(seed ^ 0x5eed);
    (0..len).map(|_| rng.next() as u8).collect()
}

/// Writes `bytes` through a spool writer in uneven pieces and commits.
pub fn commit_bytes(spool: &Spool, bytes: &[u8]) -> Result<Entry> {
    let mut w = spool.begin()?;
    let mut rest = bytes;
    let mut piece = 1;
    while !rest.is_empty() {
        let n = piece.min(rest.len());
        w.write_all(&rest[..n]).unwrap();
        rest = &rest[n..];
        piece = piece * 3 + 7;
    }
    w.commit()
}

/// Every file under the spool folder, as `folder/name`, without the `lock`
/// and `SPOOL` files.
pub fn files(root: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for dir in ["incoming", "ready", "corrupt"] {
        let Ok(items) = fs::read_dir(root.join(dir)) else {
            continue;
        };
        for item in items {
            let item = item.unwrap();
            out.insert(format!("{dir}/{}", item.file_name().to_string_lossy()));
        }
    }
    out
}

/// The files a clean spool holding exactly `hashes` has.
pub fn ready_files<'a>(hashes: impl IntoIterator<Item = &'a ContentHash>) -> BTreeSet<String> {
    hashes
        .into_iter()
        .flat_map(|h| [format!("ready/{h}.seal"), format!("ready/{h}.json")])
        .collect()
}

/// Files in one folder of the spool.
pub fn count_in(root: &Path, dir: &str) -> usize {
    fs::read_dir(root.join(dir)).map(|d| d.count()).unwrap_or(0)
}

/// A small seeded generator (xorshift64*), so failures can be replayed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}
