//! One forward pass over a sealed segment, shared by [`inspect`], [`verify`]
//! and [`open`](crate::open): frame rules, sizes, the ciphertext hash and the
//! device signature are checked here; decryption is left to the caller.

use std::io::{self, Read};

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::format::{
    self, FLAG_FINAL, FLAG_MORE, FRAME_LEN, SealedHeader, SealedInfo, TAG_LEN, TRAILER_FIELDS_LEN,
    TRAILER_LEN, TrailerFields,
};
use crate::keys::DeviceVerifyingKey;

pub(crate) struct Scanner<R> {
    reader: R,
    pub header: SealedHeader,
    header_raw: Vec<u8>,
    /// Associated data of every chunk.
    pub aad: [u8; format::HEADER_AAD_LEN],
    hasher: blake3::Hasher,
    /// The current chunk's ciphertext (and, after decryption, plaintext).
    pub chunk: Zeroizing<Vec<u8>>,
    chunk_count: u64,
    ciphertext_len: u64,
    plaintext_len: u64,
    seen_final: bool,
}

impl<R: Read> Scanner<R> {
    /// Reads the prelude and header A.
    pub fn start(mut reader: R) -> Result<Self> {
        let (header, header_raw) = format::read_header_raw(&mut reader)?;
        Ok(Scanner {
            reader,
            aad: format::header_aad(&header_raw),
            header,
            header_raw,
            hasher: blake3::Hasher::new(),
            chunk: Zeroizing::new(Vec::new()),
            chunk_count: 0,
            ciphertext_len: 0,
            plaintext_len: 0,
            seen_final: false,
        })
    }

    /// Reads the next frame into `self.chunk`. Returns `Some(is_final)`, or
    /// `None` once the final chunk has been read.
    pub fn next_chunk(&mut self) -> Result<Option<bool>> {
        if self.seen_final {
            return Ok(None);
        }
        let mut frame = [0u8; FRAME_LEN];
        self.reader
            .read_exact(&mut frame)
            .map_err(Error::from_read)?;
        let last = match frame[0] {
            FLAG_MORE => false,
            FLAG_FINAL => true,
            _ => return Err(Error::Malformed("unknown chunk flag")),
        };
        let ct_len = u32::from_be_bytes([frame[1], frame[2], frame[3], frame[4]]) as usize;
        let full = self.header.chunk_size as usize + TAG_LEN;
        let ok = if last {
            (TAG_LEN..=full).contains(&ct_len) && (ct_len > TAG_LEN || self.chunk_count == 0)
        } else {
            ct_len == full
        };
        if !ok {
            return Err(Error::Malformed("chunk length breaks the frame rules"));
        }
        if self.chunk_count >= u64::from(u32::MAX) {
            return Err(Error::Malformed("too many chunks"));
        }
        self.chunk.resize(ct_len, 0);
        self.reader
            .read_exact(&mut self.chunk)
            .map_err(Error::from_read)?;
        self.hasher.update(&frame);
        self.hasher.update(&self.chunk);
        self.chunk_count += 1;
        self.ciphertext_len += (FRAME_LEN + ct_len) as u64;
        self.plaintext_len += (ct_len - TAG_LEN) as u64;
        self.seen_final = last;
        Ok(Some(last))
    }

    /// Skips to the end of the chunk stream, reads the trailer, and checks
    /// sizes, hash, signature (against the key in the header) and that
    /// nothing follows.
    pub fn finish(mut self) -> Result<SealedInfo> {
        while self.next_chunk()?.is_some() {}
        let mut trailer = [0u8; TRAILER_LEN];
        self.reader
            .read_exact(&mut trailer)
            .map_err(Error::from_read)?;
        let encoded: &[u8; TRAILER_FIELDS_LEN] = trailer[..TRAILER_FIELDS_LEN]
            .try_into()
            .expect("trailer fields length");
        let signature: &[u8; 64] = trailer[TRAILER_FIELDS_LEN..].try_into().expect("64 bytes");
        let fields = TrailerFields::decode(encoded);

        let hash = *self.hasher.finalize().as_bytes();
        if fields.ciphertext_len != self.ciphertext_len {
            return Err(Error::Tampered(
                "ciphertext length differs from the trailer",
            ));
        }
        if fields.ciphertext_hash != hash {
            return Err(Error::Tampered("ciphertext hash differs from the trailer"));
        }
        if fields.plaintext_len != self.plaintext_len {
            return Err(Error::Tampered("plaintext length differs from the trailer"));
        }
        if fields.end_ns < self.header.start_ns {
            return Err(Error::Tampered("time range ends before it starts"));
        }
        self.header.device_key.verify(
            &format::signed_message(&self.header_raw, encoded),
            signature,
        )?;
        expect_eof(&mut self.reader)?;

        Ok(SealedInfo {
            sealed_len: self.header_raw.len() as u64 + self.ciphertext_len + TRAILER_LEN as u64,
            header: self.header,
            end_ns: fields.end_ns,
            plaintext_len: fields.plaintext_len,
            ciphertext_len: fields.ciphertext_len,
            ciphertext_hash: fields.ciphertext_hash,
            chunk_count: self.chunk_count,
        })
    }
}

fn expect_eof<R: Read>(reader: &mut R) -> Result<()> {
    let mut byte = [0u8; 1];
    loop {
        match reader.read(&mut byte) {
            Ok(0) => return Ok(()),
            Ok(_) => return Err(Error::Malformed("data after the trailer")),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Io(e)),
        }
    }
}

/// Reads a whole sealed segment without any key and checks its structure,
/// sizes, ciphertext hash and the signature by the device key it names.
///
/// This proves the segment is intact and was signed by
/// `info.header.device_key`; it does not prove which device that is. Compare
/// the key with the enrolled one, or use [`verify`].
pub fn inspect<R: Read>(reader: R) -> Result<SealedInfo> {
    Scanner::start(reader)?.finish()
}

/// Like [`inspect`], and also requires the segment to be signed by `device`
/// ([`Error::WrongDevice`] otherwise, reported before reading the body).
/// One streaming pass; no private key needed.
pub fn verify<R: Read>(reader: R, device: &DeviceVerifyingKey) -> Result<SealedInfo> {
    let scanner = Scanner::start(reader)?;
    if scanner.header.device_key != *device {
        return Err(Error::WrongDevice);
    }
    scanner.finish()
}
