//! [`Sealer`]: streaming encryption of one segment.

use std::io::{self, Write};

use getrandom::SysRng;
use hpke::rand_core::{CryptoRng, UnwrapErr};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::format::{
    self, DEFAULT_CHUNK_SIZE, FORMAT_VERSION, FRAME_LEN, MAX_CHUNK_SIZE, MAX_RECIPIENTS,
    NONCE_PREFIX_LEN, SealedHeader, SealedInfo, TAG_LEN, TrailerFields,
};
use crate::ids::SegmentId;
use crate::keys::{DeviceSigningKey, RecipientPublicKey};
use crate::stream::{self, Encryptor, Tail};
use crate::wrap;

/// The caller-supplied header fields of a segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderFields {
    /// Segment id (e.g. the bytes of a UUID).
    pub segment_id: SegmentId,
    /// Device id, 1 to 255 bytes of UTF-8.
    pub device_id: String,
    /// Pseudonymous subject id, 1 to 255 bytes of UTF-8.
    pub subject_id: String,
    /// Start of the recorded time range, Unix nanoseconds. The end is given
    /// to [`Sealer::finish`].
    pub start_ns: u64,
}

/// What [`Sealer::finish`] hands back: the sealed segment's info and the
/// underlying writer.
#[derive(Debug)]
pub struct SealedSummary<W> {
    /// Sizes, hash, ids: the same as [`verify`](crate::verify) would report.
    pub info: SealedInfo,
    /// The writer the segment was written to.
    pub writer: W,
}

/// Encrypts one segment as it is written, in the format of [`crate::format`].
///
/// Plaintext written through [`Write`] is buffered one chunk at a time
/// (64 KiB by default), so memory stays bounded whatever the segment size.
/// [`Sealer::finish`] writes the final chunk and the signed trailer; a
/// sealer dropped without `finish` leaves a segment that every reader
/// rejects as [`Error::Truncated`].
///
/// After any error the sealer is poisoned: further writes and `finish` fail.
pub struct Sealer<W: Write> {
    out: W,
    header: SealedHeader,
    header_raw: Vec<u8>,
    aad: [u8; format::HEADER_AAD_LEN],
    encryptor: Option<Encryptor>,
    /// `FRAME_LEN` bytes reserved for the frame header, then pending
    /// plaintext; sized to hold a full chunk plus its tag.
    buf: Zeroizing<Vec<u8>>,
    chunk_size: usize,
    signing_key: DeviceSigningKey,
    hasher: blake3::Hasher,
    plaintext_len: u64,
    ciphertext_len: u64,
    chunk_count: u64,
    poisoned: bool,
}

impl<W: Write> std::fmt::Debug for Sealer<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("segment_id", &self.header.segment_id)
            .field("plaintext_len", &self.plaintext_len)
            .field("poisoned", &self.poisoned)
            .finish_non_exhaustive()
    }
}

impl<W: Write> Sealer<W> {
    /// Starts a segment with the default chunk size: draws a fresh data key,
    /// wraps it to every recipient and writes the header to `out`.
    pub fn new(
        out: W,
        recipients: &[RecipientPublicKey],
        header: HeaderFields,
        signing_key: &DeviceSigningKey,
    ) -> Result<Self> {
        Self::with_chunk_size(out, recipients, header, signing_key, DEFAULT_CHUNK_SIZE)
    }

    /// Like [`Sealer::new`] with an explicit plaintext chunk size
    /// (1 ..= [`MAX_CHUNK_SIZE`] bytes).
    pub fn with_chunk_size(
        out: W,
        recipients: &[RecipientPublicKey],
        header: HeaderFields,
        signing_key: &DeviceSigningKey,
        chunk_size: u32,
    ) -> Result<Self> {
        // The OS generator is only ever fallible at early boot; probing it here
        // turns that case into an error instead of a panic further down.
        getrandom::fill(&mut [0u8; 1]).map_err(|_| Error::Random)?;
        Self::with_rng(
            out,
            recipients,
            header,
            signing_key,
            chunk_size,
            &mut UnwrapErr(SysRng),
        )
    }

    /// The constructor proper; `rng` supplies the data key, the nonce prefix and
    /// the HPKE ephemeral keys. Tests pass a seeded generator here.
    pub(crate) fn with_rng<R: CryptoRng>(
        mut out: W,
        recipients: &[RecipientPublicKey],
        fields: HeaderFields,
        signing_key: &DeviceSigningKey,
        chunk_size: u32,
        rng: &mut R,
    ) -> Result<Self> {
        if recipients.is_empty() || recipients.len() > MAX_RECIPIENTS {
            return Err(Error::InvalidInput("a segment needs 1 to 1024 recipients"));
        }
        for (i, r) in recipients.iter().enumerate() {
            if recipients[..i].iter().any(|o| o.key_id() == r.key_id()) {
                return Err(Error::InvalidInput("duplicate recipient"));
            }
        }
        if chunk_size == 0 || chunk_size > MAX_CHUNK_SIZE {
            return Err(Error::InvalidInput("chunk size must be 1 byte to 16 MiB"));
        }
        format::check_id(&fields.device_id)?;
        format::check_id(&fields.subject_id)?;

        let mut data_key = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(data_key.as_mut());
        let mut nonce_prefix = [0u8; NONCE_PREFIX_LEN];
        rng.fill_bytes(&mut nonce_prefix);

        let mut header = SealedHeader {
            version: FORMAT_VERSION,
            segment_id: fields.segment_id,
            start_ns: fields.start_ns,
            chunk_size,
            device_key: signing_key.verifying_key(),
            device_id: fields.device_id,
            subject_id: fields.subject_id,
            recipients: Vec::with_capacity(recipients.len()),
            nonce_prefix,
        };
        let wrap_aad = format::wrap_aad(FORMAT_VERSION, &header.core_bytes());
        for r in recipients {
            header
                .recipients
                .push(wrap::wrap(r, &data_key, &wrap_aad, rng)?);
        }
        let header_raw = header.encode();
        out.write_all(&header_raw)?;

        let chunk_size = chunk_size as usize;
        let mut buf = Zeroizing::new(Vec::with_capacity(FRAME_LEN + chunk_size + TAG_LEN));
        buf.resize(FRAME_LEN, 0);
        Ok(Sealer {
            out,
            aad: format::header_aad(&header_raw),
            header,
            header_raw,
            encryptor: Some(stream::encryptor(&data_key, &nonce_prefix)),
            buf,
            chunk_size,
            signing_key: signing_key.clone(),
            hasher: blake3::Hasher::new(),
            plaintext_len: 0,
            ciphertext_len: 0,
            chunk_count: 0,
            poisoned: false,
        })
    }

    /// The header as written.
    pub fn header(&self) -> &SealedHeader {
        &self.header
    }

    fn pending(&self) -> usize {
        self.buf.len() - FRAME_LEN
    }

    /// Encrypts the pending plaintext as the next chunk and writes its frame.
    fn emit_chunk(&mut self, last: bool) -> Result<()> {
        let plain = self.pending();
        let mut tail = Tail {
            vec: &mut self.buf,
            start: FRAME_LEN,
        };
        let sealed = if last {
            let enc = self.encryptor.take().ok_or(Error::Poisoned)?;
            enc.encrypt_last_in_place(&self.aad, &mut tail)
        } else {
            let enc = self.encryptor.as_mut().ok_or(Error::Poisoned)?;
            enc.encrypt_next_in_place(&self.aad, &mut tail)
        };
        sealed.map_err(|_| Error::InvalidInput("segment exceeds 2^32 - 1 chunks"))?;
        let ct_len = self.buf.len() - FRAME_LEN;
        debug_assert_eq!(ct_len, plain + TAG_LEN);
        self.buf[..FRAME_LEN].copy_from_slice(&format::frame(last, ct_len as u32));
        self.hasher.update(&self.buf);
        self.out.write_all(&self.buf)?;
        self.ciphertext_len += self.buf.len() as u64;
        self.plaintext_len += plain as u64;
        self.chunk_count += 1;
        self.buf.truncate(FRAME_LEN);
        Ok(())
    }

    fn write_inner(&mut self, mut data: &[u8]) -> Result<()> {
        while !data.is_empty() {
            // A full chunk is only emitted once more data arrives: the final
            // chunk must be known as final when it is encrypted.
            if self.pending() == self.chunk_size {
                self.emit_chunk(false)?;
            }
            let take = (self.chunk_size - self.pending()).min(data.len());
            self.buf.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
        Ok(())
    }

    /// Writes the final chunk and the signed trailer, flushes the writer and
    /// returns it with the segment's info. `end_ns` is the end of the recorded
    /// time range and must not be before `start_ns`.
    pub fn finish(mut self, end_ns: u64) -> Result<SealedSummary<W>> {
        if self.poisoned {
            return Err(Error::Poisoned);
        }
        if end_ns < self.header.start_ns {
            return Err(Error::InvalidInput("end time is before start time"));
        }
        self.emit_chunk(true)?;
        let fields = TrailerFields {
            end_ns,
            plaintext_len: self.plaintext_len,
            ciphertext_len: self.ciphertext_len,
            ciphertext_hash: *self.hasher.finalize().as_bytes(),
        };
        let encoded = fields.encode();
        let signature = self
            .signing_key
            .sign(&format::signed_message(&self.header_raw, &encoded));
        self.out.write_all(&encoded)?;
        self.out.write_all(&signature)?;
        self.out.flush()?;
        let sealed_len =
            self.header_raw.len() as u64 + self.ciphertext_len + format::TRAILER_LEN as u64;
        Ok(SealedSummary {
            info: SealedInfo {
                header: self.header,
                end_ns,
                plaintext_len: fields.plaintext_len,
                ciphertext_len: fields.ciphertext_len,
                ciphertext_hash: fields.ciphertext_hash,
                chunk_count: self.chunk_count,
                sealed_len,
            },
            writer: self.out,
        })
    }
}

impl<W: Write> Write for Sealer<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.poisoned {
            return Err(io::Error::other(Error::Poisoned));
        }
        match self.write_inner(data) {
            Ok(()) => Ok(data.len()),
            Err(e) => {
                self.poisoned = true;
                Err(match e {
                    Error::Io(e) => e,
                    other => io::Error::other(other),
                })
            }
        }
    }

    /// Flushes the underlying writer. Pending plaintext stays buffered: a
    /// chunk is only emitted when it is full or the segment finishes.
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
