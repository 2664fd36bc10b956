//! Wrapping a segment's data key to recipients with HPKE (RFC 9180).
//!
//! Base mode, single-shot, DHKEM(X25519, HKDF-SHA256) + HKDF-SHA256 +
//! ChaCha20-Poly1305; `info` and `aad` as documented in [`crate::format`].

use hpke::rand_core::CryptoRng;
use hpke::{Deserializable, OpModeR, OpModeS, Serializable};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::format::{HPKE_INFO, WrappedKey};
use crate::keys::{Kem, RecipientIdentity, RecipientPublicKey};

type Aead = hpke::aead::ChaCha20Poly1305;
type Kdf = hpke::kdf::HkdfSha256;
type EncappedKey = <Kem as hpke::Kem>::EncappedKey;

/// Wraps `data_key` to `recipient`.
pub(crate) fn wrap<R: CryptoRng>(
    recipient: &RecipientPublicKey,
    data_key: &[u8; 32],
    aad: &[u8],
    rng: &mut R,
) -> Result<WrappedKey> {
    let (encapped, ciphertext) = hpke::single_shot_seal_with_rng::<Aead, Kdf, Kem>(
        &OpModeS::Base,
        recipient.kem_key(),
        HPKE_INFO,
        data_key,
        aad,
        rng,
    )
    .map_err(|_| Error::Crypto("HPKE key wrap failed (invalid recipient public key?)"))?;
    let mut enc = [0u8; 32];
    encapped.write_exact(&mut enc);
    let ciphertext: [u8; 48] = ciphertext
        .as_slice()
        .try_into()
        .map_err(|_| Error::Crypto("unexpected HPKE ciphertext length"))?;
    Ok(WrappedKey {
        key_id: recipient.key_id(),
        encapped: enc,
        ciphertext,
    })
}

/// Finds `identity`'s entry among `entries` and unwraps the data key.
pub(crate) fn unwrap(
    entries: &[WrappedKey],
    identity: &RecipientIdentity,
    aad: &[u8],
) -> Result<Zeroizing<[u8; 32]>> {
    let id = identity.key_id();
    let entry = entries
        .iter()
        .find(|e| e.key_id == id)
        .ok_or(Error::NotARecipient)?;
    let encapped = EncappedKey::from_bytes(&entry.encapped)
        .map_err(|_| Error::Tampered("wrapped data key"))?;
    let plain = Zeroizing::new(
        hpke::single_shot_open::<Aead, Kdf, Kem>(
            &OpModeR::Base,
            identity.kem_secret(),
            &encapped,
            HPKE_INFO,
            &entry.ciphertext,
            aad,
        )
        .map_err(|_| Error::Tampered("wrapped data key"))?,
    );
    let mut key = Zeroizing::new([0u8; 32]);
    if plain.len() != 32 {
        return Err(Error::Tampered("wrapped data key"));
    }
    key.copy_from_slice(&plain);
    Ok(key)
}
