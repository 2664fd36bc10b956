//! Body encryption: XChaCha20-Poly1305 in the STREAM construction
//! (`aead_stream::StreamBE32`: 19-byte nonce prefix, 32-bit big-endian chunk
//! counter, 1-byte last-chunk flag), and an in-place buffer view for it.

use aead_stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::aead::{self, Buffer};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};

use crate::format::NONCE_PREFIX_LEN;

pub(crate) type Encryptor = EncryptorBE32<XChaCha20Poly1305>;
pub(crate) type Decryptor = DecryptorBE32<XChaCha20Poly1305>;

fn cipher(key: &[u8; 32]) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new_from_slice(key).expect("32-byte key")
}

pub(crate) fn encryptor(key: &[u8; 32], prefix: &[u8; NONCE_PREFIX_LEN]) -> Encryptor {
    Encryptor::from_aead(cipher(key), prefix.into())
}

pub(crate) fn decryptor(key: &[u8; 32], prefix: &[u8; NONCE_PREFIX_LEN]) -> Decryptor {
    Decryptor::from_aead(cipher(key), prefix.into())
}

/// The tail of a `Vec` from `start` on, as an AEAD in-place buffer: lets a
/// chunk be encrypted right behind its frame header, so each frame goes out
/// in one write.
pub(crate) struct Tail<'a> {
    pub vec: &'a mut Vec<u8>,
    pub start: usize,
}

impl AsRef<[u8]> for Tail<'_> {
    fn as_ref(&self) -> &[u8] {
        &self.vec[self.start..]
    }
}

impl AsMut<[u8]> for Tail<'_> {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.vec[self.start..]
    }
}

impl Buffer for Tail<'_> {
    fn extend_from_slice(&mut self, other: &[u8]) -> aead::Result<()> {
        self.vec.extend_from_slice(other);
        Ok(())
    }

    fn truncate(&mut self, len: usize) {
        self.vec.truncate(self.start + len);
    }
}
