//! The sealed segment format, version 1.
//!
//! A sealed segment is one recording segment encrypted on the device under a
//! fresh random data key, with that data key wrapped to one or more recipient
//! public keys, and the whole signed by the device. It is written in a single
//! forward pass and read (opened, inspected or verified) in a single forward
//! pass; neither side needs to seek.
//!
//! # Primitives
//!
//! | purpose | primitive |
//! |---|---|
//! | data key wrapping | HPKE (RFC 9180), base mode, single-shot: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305 |
//! | body encryption | XChaCha20-Poly1305 in the STREAM construction with a 32-bit big-endian counter and a last-chunk flag (Hoang, Reyhanitabar, Rogaway, Vizár: "Online Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance", CRYPTO 2015), via `aead_stream::StreamBE32` |
//! | hashes | BLAKE3 (32-byte output) |
//! | device signature | Ed25519 (RFC 8032), verified strictly |
//!
//! # Layout
//!
//! All integers are unsigned and big-endian. Sizes are in bytes.
//!
//! ```text
//! sealed segment = prelude || header A || chunk stream || trailer
//! ```
//!
//! ## Prelude (16 bytes)
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `"TWSEAL\r\n"` (54 57 53 45 41 4C 0D 0A) |
//! | 8 | 2 | format version, `1` |
//! | 10 | 2 | reserved, must be `0` |
//! | 12 | 4 | `header_a_len`: length of header A |
//!
//! ## Header A (`header_a_len` bytes; everything known when sealing starts)
//!
//! | size | field |
//! |---|---|
//! | 16 | segment id (caller-chosen, e.g. UUID bytes) |
//! | 8 | `start_ns`: start of the recorded time range, Unix nanoseconds |
//! | 4 | `chunk_size`: plaintext bytes per chunk, 1 ..= 16 MiB (default 64 KiB) |
//! | 19 | STREAM nonce prefix (random) |
//! | 32 | device Ed25519 public key (the key that signs this segment) |
//! | 1 | `n`: device id length, 1 ..= 255 |
//! | n | device id, UTF-8 |
//! | 1 | `m`: pseudonymous subject id length, 1 ..= 255 |
//! | m | subject id, UTF-8 |
//! | 2 | `k`: number of recipients, 1 ..= 1024 |
//! | 96·k | `k` recipient entries |
//!
//! The bytes from the segment id up to and including the subject id are
//! called the *core*.
//!
//! Each recipient entry (96 bytes):
//!
//! | size | field |
//! |---|---|
//! | 16 | recipient key id: first 16 bytes of BLAKE3 `derive_key("tracewell-seal 2026 recipient key id v1", X25519 public key)` |
//! | 32 | HPKE encapsulated key (`enc`) |
//! | 48 | HPKE ciphertext of the 32-byte data key (32 + 16-byte tag) |
//!
//! The wrapping uses HPKE `info = "tracewell-seal v1 data key"` and
//! `aad = magic || version || core`, so a wrapped key only opens in the
//! context of the segment it was made for. Key ids are unique within a header.
//!
//! ## Chunk stream
//!
//! A sequence of one or more frames. Frame `i` (counting from 0):
//!
//! | size | field |
//! |---|---|
//! | 1 | flag: `0x00` = more chunks follow, `0x01` = final chunk |
//! | 4 | `ct_len`: length of the ciphertext that follows, tag included |
//! | `ct_len` | XChaCha20-Poly1305 ciphertext and 16-byte tag of plaintext chunk `i` |
//!
//! Chunk `i` is encrypted under the data key with nonce
//! `nonce prefix (19) || i as u32 (4) || flag (1)` (STREAM, as above) and
//! associated data `header_aad` = the first 64 bytes of the BLAKE3 extended
//! output over `prelude || header A`. (64 rather than 32 bytes: Poly1305
//! implementations that hash four blocks at a time stay on their fast path
//! only when the associated data is a whole number of 64-byte groups.)
//!
//! Rules: every non-final frame has `ct_len = chunk_size + 16`; the final frame
//! has `16 <= ct_len <= chunk_size + 16`, and `ct_len = 16` (an empty chunk)
//! only when it is frame 0, i.e. the whole plaintext is empty. So the chunking
//! of a given plaintext is unique. At most 2³² − 1 frames.
//!
//! ## Trailer (120 bytes; known only when sealing ends)
//!
//! | size | field |
//! |---|---|
//! | 8 | `end_ns`: end of the recorded time range, Unix nanoseconds, `>= start_ns` |
//! | 8 | `plaintext_len`: total plaintext bytes |
//! | 8 | `ciphertext_len`: total bytes of the chunk stream (frame headers included) |
//! | 32 | `ciphertext_hash`: BLAKE3 of the chunk stream bytes |
//! | 64 | Ed25519 signature by the device key in header A |
//!
//! The signed message is the ASCII string
//! `"tracewell-seal v1 device signature\n"` followed by the 32 bytes of
//! `BLAKE3(prelude || header A || first 56 trailer bytes)`.
//!
//! Nothing follows the trailer; trailing bytes make the segment malformed.
//!
//! # What authenticates what
//!
//! * Every chunk's tag authenticates the chunk, its position and whether it
//!   is final (through the nonce), and the whole prelude and header A (through
//!   the associated data `header_aad`). Reordered, duplicated, dropped or spliced chunks,
//!   a missing final chunk, or any change to the header fail a tag check
//!   for anyone holding the data key.
//! * The device signature authenticates prelude, header A and the trailer
//!   fields; the trailer's `ciphertext_hash` and `ciphertext_len` extend this to
//!   every byte of the chunk stream. So a holder of only the device's public key
//!   (the server) can check every byte of the segment without decrypting it.
//! * HPKE base mode does not authenticate the sender: anyone with a recipient's
//!   public key can produce a segment that opens. Provenance comes only from
//!   the device signature, checked against the device key the reader expects
//!   (the embedded key alone proves integrity, not origin).
//!
//! # Invariants a reader enforces
//!
//! magic and version known; reserved field zero; `header_a_len` equals the
//! parsed header exactly; lengths and counts in range; ids valid UTF-8;
//! recipient key ids unique; device key a valid Ed25519 point; frame rules
//! above; `ciphertext_len`, `ciphertext_hash` and `plaintext_len` equal what
//! was read; `end_ns >= start_ns`; signature valid; no bytes after the trailer.
//!
//! A version 1 reader rejects any other version. A change to any field,
//! size or rule above requires a new version number.

use std::io::Read;

use crate::error::{Error, Result};
use crate::ids::SegmentId;
use crate::keys::{DeviceVerifyingKey, RecipientKeyId};

/// Format magic.
pub const MAGIC: [u8; 8] = *b"TWSEAL\r\n";
/// The format version this crate writes and reads.
pub const FORMAT_VERSION: u16 = 1;
/// Default plaintext bytes per chunk.
pub const DEFAULT_CHUNK_SIZE: u32 = 64 * 1024;
/// Largest allowed plaintext chunk size (bounds reader memory).
pub const MAX_CHUNK_SIZE: u32 = 16 * 1024 * 1024;
/// Largest number of recipients in one header.
pub const MAX_RECIPIENTS: usize = 1024;
/// Largest device or subject id, in bytes.
pub const MAX_ID_LEN: usize = 255;

pub(crate) const PRELUDE_LEN: usize = 16;
pub(crate) const NONCE_PREFIX_LEN: usize = 19;
pub(crate) const TAG_LEN: usize = 16;
pub(crate) const FRAME_LEN: usize = 5;
pub(crate) const ENTRY_LEN: usize = 16 + 32 + 48;
pub(crate) const TRAILER_FIELDS_LEN: usize = 8 + 8 + 8 + 32;
pub(crate) const TRAILER_LEN: usize = TRAILER_FIELDS_LEN + 64;
/// Fixed part of the core: segment id, start, chunk size, nonce prefix, device key.
const CORE_FIXED_LEN: usize = 16 + 8 + 4 + NONCE_PREFIX_LEN + 32;
const MAX_HEADER_A_LEN: usize =
    CORE_FIXED_LEN + 2 * (1 + MAX_ID_LEN) + 2 + MAX_RECIPIENTS * ENTRY_LEN;

pub(crate) const FLAG_MORE: u8 = 0x00;
pub(crate) const FLAG_FINAL: u8 = 0x01;

pub(crate) const HPKE_INFO: &[u8] = b"tracewell-seal v1 data key";
const SIGNATURE_CONTEXT: &[u8] = b"tracewell-seal v1 device signature\n";

/// One recipient's wrapped copy of the data key.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// Which recipient key this entry is for.
    pub key_id: RecipientKeyId,
    pub(crate) encapped: [u8; 32],
    pub(crate) ciphertext: [u8; 48],
}

impl std::fmt::Debug for WrappedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WrappedKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// Header A: everything fixed when sealing starts. Reading it alone (see
/// [`read_header`]) does **not** authenticate it; use
/// [`verify`](crate::verify) or [`open`](crate::open) for that.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedHeader {
    /// Format version (always [`FORMAT_VERSION`] for now).
    pub version: u16,
    /// Caller-chosen segment id.
    pub segment_id: SegmentId,
    /// Start of the recorded time range, Unix nanoseconds.
    pub start_ns: u64,
    /// Plaintext bytes per chunk.
    pub chunk_size: u32,
    /// The Ed25519 key that signed the segment.
    pub device_key: DeviceVerifyingKey,
    /// Device id.
    pub device_id: String,
    /// Pseudonymous subject id.
    pub subject_id: String,
    /// One entry per recipient.
    pub recipients: Vec<WrappedKey>,
    pub(crate) nonce_prefix: [u8; NONCE_PREFIX_LEN],
}

impl SealedHeader {
    /// The recipient key ids, in header order.
    pub fn recipient_ids(&self) -> impl Iterator<Item = RecipientKeyId> + '_ {
        self.recipients.iter().map(|r| r.key_id)
    }

    /// The core bytes (segment id through subject id).
    pub(crate) fn core_bytes(&self) -> Vec<u8> {
        let mut v =
            Vec::with_capacity(CORE_FIXED_LEN + 2 + self.device_id.len() + self.subject_id.len());
        v.extend_from_slice(self.segment_id.as_bytes());
        v.extend_from_slice(&self.start_ns.to_be_bytes());
        v.extend_from_slice(&self.chunk_size.to_be_bytes());
        v.extend_from_slice(&self.nonce_prefix);
        v.extend_from_slice(&self.device_key.to_bytes());
        push_id(&mut v, &self.device_id);
        push_id(&mut v, &self.subject_id);
        v
    }

    /// Prelude followed by header A, exactly as written.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let core = self.core_bytes();
        let header_a_len = core.len() + 2 + self.recipients.len() * ENTRY_LEN;
        let mut v = Vec::with_capacity(PRELUDE_LEN + header_a_len);
        v.extend_from_slice(&MAGIC);
        v.extend_from_slice(&self.version.to_be_bytes());
        v.extend_from_slice(&0u16.to_be_bytes());
        v.extend_from_slice(&(header_a_len as u32).to_be_bytes());
        v.extend_from_slice(&core);
        v.extend_from_slice(&(self.recipients.len() as u16).to_be_bytes());
        for r in &self.recipients {
            v.extend_from_slice(r.key_id.as_bytes());
            v.extend_from_slice(&r.encapped);
            v.extend_from_slice(&r.ciphertext);
        }
        v
    }
}

fn push_id(v: &mut Vec<u8>, id: &str) {
    v.push(id.len() as u8);
    v.extend_from_slice(id.as_bytes());
}

/// Checks a device or subject id for the format's limits.
pub(crate) fn check_id(id: &str) -> Result<()> {
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Err(Error::InvalidInput(
            "device and subject ids must be 1 to 255 bytes",
        ));
    }
    Ok(())
}

/// HPKE associated data for wrapping the data key: magic || version || core.
pub(crate) fn wrap_aad(version: u16, core: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(10 + core.len());
    v.extend_from_slice(&MAGIC);
    v.extend_from_slice(&version.to_be_bytes());
    v.extend_from_slice(core);
    v
}

/// Length of the chunks' associated data.
pub(crate) const HEADER_AAD_LEN: usize = 64;

/// Associated data of every chunk: the first 64 bytes of BLAKE3's extended
/// output over prelude || header A.
pub(crate) fn header_aad(prelude_and_header: &[u8]) -> [u8; HEADER_AAD_LEN] {
    let mut aad = [0u8; HEADER_AAD_LEN];
    blake3::Hasher::new()
        .update(prelude_and_header)
        .finalize_xof()
        .fill(&mut aad);
    aad
}

/// The message the device signs.
pub(crate) fn signed_message(prelude_and_header: &[u8], trailer_fields: &[u8]) -> Vec<u8> {
    let mut h = blake3::Hasher::new();
    h.update(prelude_and_header);
    h.update(trailer_fields);
    let mut m = Vec::with_capacity(SIGNATURE_CONTEXT.len() + 32);
    m.extend_from_slice(SIGNATURE_CONTEXT);
    m.extend_from_slice(h.finalize().as_bytes());
    m
}

/// A cursor over an in-memory header A that reports malformation.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(Error::Malformed("header A is shorter than its fields"));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        Ok(self.take(N)?.try_into().expect("take returned N bytes"))
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_be_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    fn id(&mut self) -> Result<String> {
        let n = self.u8()? as usize;
        if n == 0 {
            return Err(Error::Malformed("empty device or subject id"));
        }
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| Error::Malformed("id is not UTF-8"))
    }
}

/// Reads the prelude and header A from `reader`, returning the parsed header
/// and the raw bytes (prelude || header A).
///
/// Nothing is authenticated here; callers must go on to check chunk tags or
/// the device signature before trusting any field.
pub(crate) fn read_header_raw<R: Read>(reader: &mut R) -> Result<(SealedHeader, Vec<u8>)> {
    let mut prelude = [0u8; PRELUDE_LEN];
    reader.read_exact(&mut prelude).map_err(Error::from_read)?;
    if prelude[..8] != MAGIC {
        return Err(Error::NotSealed);
    }
    let version = u16::from_be_bytes([prelude[8], prelude[9]]);
    if version != FORMAT_VERSION {
        return Err(Error::UnsupportedVersion(version));
    }
    if prelude[10..12] != [0, 0] {
        return Err(Error::Malformed("reserved prelude field is not zero"));
    }
    let header_a_len = u32::from_be_bytes(prelude[12..16].try_into().expect("4 bytes")) as usize;
    if header_a_len > MAX_HEADER_A_LEN {
        return Err(Error::Malformed(
            "header A is longer than the format allows",
        ));
    }
    let mut raw = Vec::with_capacity(PRELUDE_LEN + header_a_len);
    raw.extend_from_slice(&prelude);
    raw.resize(PRELUDE_LEN + header_a_len, 0);
    reader
        .read_exact(&mut raw[PRELUDE_LEN..])
        .map_err(Error::from_read)?;

    let mut c = Cursor(&raw[PRELUDE_LEN..]);
    let segment_id = SegmentId(c.array()?);
    let start_ns = c.u64()?;
    let chunk_size = c.u32()?;
    if chunk_size == 0 || chunk_size > MAX_CHUNK_SIZE {
        return Err(Error::Malformed("chunk size out of range"));
    }
    let nonce_prefix = c.array()?;
    let device_key = DeviceVerifyingKey::from_bytes(&c.array()?)
        .map_err(|_| Error::Malformed("device key is not a valid Ed25519 point"))?;
    let device_id = c.id()?;
    let subject_id = c.id()?;
    let count = c.u16()? as usize;
    if count == 0 || count > MAX_RECIPIENTS {
        return Err(Error::Malformed("recipient count out of range"));
    }
    let mut recipients: Vec<WrappedKey> = Vec::with_capacity(count);
    for _ in 0..count {
        let entry = WrappedKey {
            key_id: RecipientKeyId(c.array()?),
            encapped: c.array()?,
            ciphertext: c.array()?,
        };
        if recipients.iter().any(|r| r.key_id == entry.key_id) {
            return Err(Error::Malformed("duplicate recipient key id"));
        }
        recipients.push(entry);
    }
    if !c.0.is_empty() {
        return Err(Error::Malformed("header A is longer than its fields"));
    }
    let header = SealedHeader {
        version,
        segment_id,
        start_ns,
        chunk_size,
        device_key,
        device_id,
        subject_id,
        recipients,
        nonce_prefix,
    };
    Ok((header, raw))
}

/// Reads only the prelude and header A: ids, device key, recipients and
/// chunk size, without reading the rest and **without authenticating
/// anything**. Useful for routing; use [`verify`](crate::verify) before
/// trusting the result.
pub fn read_header<R: Read>(mut reader: R) -> Result<SealedHeader> {
    read_header_raw(&mut reader).map(|(h, _)| h)
}

/// Frame header bytes.
pub(crate) fn frame(last: bool, ct_len: u32) -> [u8; FRAME_LEN] {
    let l = ct_len.to_be_bytes();
    [
        if last { FLAG_FINAL } else { FLAG_MORE },
        l[0],
        l[1],
        l[2],
        l[3],
    ]
}

/// The trailer's signed fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TrailerFields {
    pub end_ns: u64,
    pub plaintext_len: u64,
    pub ciphertext_len: u64,
    pub ciphertext_hash: [u8; 32],
}

impl TrailerFields {
    pub(crate) fn encode(&self) -> [u8; TRAILER_FIELDS_LEN] {
        let mut t = [0u8; TRAILER_FIELDS_LEN];
        t[0..8].copy_from_slice(&self.end_ns.to_be_bytes());
        t[8..16].copy_from_slice(&self.plaintext_len.to_be_bytes());
        t[16..24].copy_from_slice(&self.ciphertext_len.to_be_bytes());
        t[24..56].copy_from_slice(&self.ciphertext_hash);
        t
    }

    pub(crate) fn decode(t: &[u8; TRAILER_FIELDS_LEN]) -> Self {
        let u = |r: std::ops::Range<usize>| u64::from_be_bytes(t[r].try_into().expect("8 bytes"));
        TrailerFields {
            end_ns: u(0..8),
            plaintext_len: u(8..16),
            ciphertext_len: u(16..24),
            ciphertext_hash: t[24..56].try_into().expect("32 bytes"),
        }
    }
}

/// Everything known about a sealed segment after a full, successful pass:
/// the header plus the trailer's sizes, hash and time range end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedInfo {
    /// Header A.
    pub header: SealedHeader,
    /// End of the recorded time range, Unix nanoseconds.
    pub end_ns: u64,
    /// Total plaintext bytes.
    pub plaintext_len: u64,
    /// Bytes of the chunk stream (frame headers and tags included).
    pub ciphertext_len: u64,
    /// BLAKE3 of the chunk stream.
    pub ciphertext_hash: [u8; 32],
    /// Number of chunks.
    pub chunk_count: u64,
    /// Total bytes of the sealed segment, prelude to signature.
    pub sealed_len: u64,
}

impl SealedInfo {
    /// Segment id (shorthand).
    pub fn segment_id(&self) -> SegmentId {
        self.header.segment_id
    }

    /// The device key that signed the segment (shorthand). Compare it with the
    /// key enrolled for `header.device_id` before trusting the segment's origin.
    pub fn device_key(&self) -> &DeviceVerifyingKey {
        &self.header.device_key
    }
}
