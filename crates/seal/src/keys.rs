//! Key types: recipients (X25519, for HPKE key wrapping) and devices
//! (Ed25519, for signatures).
//!
//! | type | what | text prefix |
//! |---|---|---|
//! | [`RecipientPublicKey`] | X25519 public key a segment's data key is wrapped to | `tracewell-recipient-1:` |
//! | [`RecipientIdentity`] | the matching X25519 private key (secret) | `tracewell-identity-1:` |
//! | [`DeviceVerifyingKey`] | Ed25519 public key of a recording device | `tracewell-device-1:` |
//! | [`DeviceSigningKey`] | the matching Ed25519 private key (secret) | `tracewell-device-secret-1:` |
//!
//! Each text form is the prefix followed by 64 lowercase hex digits of the raw
//! 32-byte key as RFC 7748 (X25519) or RFC 8032 (Ed25519) defines it.
//! Secret keys are zeroized on drop and their `Debug` output shows only the
//! public half.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use hpke::{Deserializable, Kem as _, Serializable};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::text;

/// The HPKE KEM used for key wrapping: DHKEM(X25519, HKDF-SHA256).
pub(crate) type Kem = hpke::kem::X25519HkdfSha256;
type KemPrivateKey = <Kem as hpke::Kem>::PrivateKey;
type KemPublicKey = <Kem as hpke::Kem>::PublicKey;

const RECIPIENT_PREFIX: &str = "tracewell-recipient-1:";
const IDENTITY_PREFIX: &str = "tracewell-identity-1:";
const DEVICE_PREFIX: &str = "tracewell-device-1:";
const DEVICE_SECRET_PREFIX: &str = "tracewell-device-secret-1:";

/// BLAKE3 key-derivation context for recipient key ids.
const KEY_ID_CONTEXT: &str = "tracewell-seal 2026 recipient key id v1";

fn random_32() -> Result<Zeroizing<[u8; 32]>> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut()).map_err(|_| Error::Random)?;
    Ok(bytes)
}

// ---------------------------------------------------------------------------
// Recipients

/// Short public identifier of a recipient key: the first 16 bytes of
/// BLAKE3 in key-derivation mode over the 32-byte X25519 public key.
///
/// Stored next to each wrapped data key so an opener finds its entry without
/// trial decryption. It identifies a key, it does not authenticate anything.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecipientKeyId(pub(crate) [u8; 16]);

impl RecipientKeyId {
    /// The id's bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    fn of(public: &[u8; 32]) -> Self {
        let full = blake3::derive_key(KEY_ID_CONTEXT, public);
        let mut id = [0u8; 16];
        id.copy_from_slice(&full[..16]);
        RecipientKeyId(id)
    }
}

impl fmt::Display for RecipientKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&text::hex(&self.0))
    }
}

impl fmt::Debug for RecipientKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecipientKeyId({self})")
    }
}

/// An X25519 public key that segment data keys can be wrapped to.
///
/// Text form: `tracewell-recipient-1:` + 64 hex digits.
#[derive(Clone)]
pub struct RecipientPublicKey {
    bytes: [u8; 32],
    key: KemPublicKey,
}

impl RecipientPublicKey {
    /// Wraps raw X25519 public key bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        let key = KemPublicKey::from_bytes(&bytes).expect("32 bytes is the X25519 key length");
        RecipientPublicKey { bytes, key }
    }

    /// The raw 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.bytes
    }

    /// The id under which a sealed header lists this recipient.
    pub fn key_id(&self) -> RecipientKeyId {
        RecipientKeyId::of(&self.bytes)
    }

    pub(crate) fn kem_key(&self) -> &KemPublicKey {
        &self.key
    }
}

impl PartialEq for RecipientPublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}
impl Eq for RecipientPublicKey {}

impl std::hash::Hash for RecipientPublicKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.bytes.hash(state);
    }
}

impl fmt::Display for RecipientPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&text::encode(RECIPIENT_PREFIX, &self.bytes))
    }
}

impl fmt::Debug for RecipientPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecipientPublicKey({self})")
    }
}

impl FromStr for RecipientPublicKey {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let bytes = text::decode(RECIPIENT_PREFIX, s)?;
        Ok(RecipientPublicKey::from_bytes(*bytes))
    }
}

/// An X25519 private key that can unwrap data keys sealed to its
/// [`RecipientPublicKey`]. Zeroized on drop; `Debug` shows the public key only.
///
/// Text form (secret): `tracewell-identity-1:` + 64 hex digits of the clamped
/// private scalar.
#[derive(Clone)]
pub struct RecipientIdentity {
    secret: KemPrivateKey,
    public: RecipientPublicKey,
}

impl RecipientIdentity {
    /// A new identity from the operating system's random number generator.
    pub fn generate() -> Result<Self> {
        Ok(Self::from_bytes(&*random_32()?))
    }

    /// An identity from raw private key bytes (clamped as RFC 7748 requires).
    pub fn from_bytes(secret: &[u8; 32]) -> Self {
        let secret = KemPrivateKey::from_bytes(secret).expect("32 bytes is the X25519 key length");
        let public = Kem::sk_to_pk(&secret);
        let mut bytes = [0u8; 32];
        public.write_exact(&mut bytes);
        RecipientIdentity {
            secret,
            public: RecipientPublicKey { bytes, key: public },
        }
    }

    /// The public key to seal to.
    pub fn public_key(&self) -> &RecipientPublicKey {
        &self.public
    }

    /// Shorthand for `self.public_key().key_id()`.
    pub fn key_id(&self) -> RecipientKeyId {
        self.public.key_id()
    }

    pub(crate) fn kem_secret(&self) -> &KemPrivateKey {
        &self.secret
    }

    /// The secret text form. Handle with care.
    pub fn to_secret_text(&self) -> Zeroizing<String> {
        let mut raw = Zeroizing::new([0u8; 32]);
        self.secret.write_exact(raw.as_mut());
        Zeroizing::new(text::encode(IDENTITY_PREFIX, &raw))
    }

    /// Parses the secret text form.
    pub fn from_secret_text(s: &str) -> Result<Self> {
        let raw = text::decode(IDENTITY_PREFIX, s)?;
        Ok(Self::from_bytes(&raw))
    }

    /// Writes an identity file: a comment naming the public key, then the
    /// secret line. The file is created with mode 0600 and must not exist.
    pub fn write_file(&self, path: &Path) -> Result<()> {
        let secret = self.to_secret_text();
        let body = Zeroizing::new(format!(
            "# Tracewell recipient identity. Keep this file secret.\n# public key: {}\n{}\n",
            self.public,
            secret.as_str()
        ));
        text::write_secret_file(path, &body)
    }

    /// Reads an identity file written by [`RecipientIdentity::write_file`].
    /// Refuses files that group or others can access.
    pub fn read_file(path: &Path) -> Result<Self> {
        let body = text::read_secret_file(path)?;
        Self::from_secret_text(text::key_line(&body)?)
    }
}

impl fmt::Debug for RecipientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecipientIdentity")
            .field("public", &format_args!("{}", self.public))
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------
// Devices

/// A device's Ed25519 public key, used to verify sealed segments.
///
/// Text form: `tracewell-device-1:` + 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeviceVerifyingKey(pub(crate) VerifyingKey);

impl DeviceVerifyingKey {
    /// Parses raw Ed25519 public key bytes; fails if they are not a valid
    /// curve point.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self> {
        VerifyingKey::from_bytes(bytes)
            .map(DeviceVerifyingKey)
            .map_err(|_| Error::KeyEncoding("not a valid Ed25519 public key"))
    }

    /// The raw 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Strict Ed25519 verification (RFC 8032, rejecting small-order keys and
    /// non-canonical signatures).
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8; 64]) -> Result<()> {
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        self.0
            .verify_strict(message, &signature)
            .map_err(|_| Error::BadSignature)
    }
}

impl fmt::Display for DeviceVerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&text::encode(DEVICE_PREFIX, self.0.as_bytes()))
    }
}

impl fmt::Debug for DeviceVerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceVerifyingKey({self})")
    }
}

impl FromStr for DeviceVerifyingKey {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let bytes = text::decode(DEVICE_PREFIX, s)?;
        Self::from_bytes(&bytes)
    }
}

/// A device's Ed25519 private key, used to sign sealed segments. Zeroized on
/// drop; `Debug` shows the public key only.
///
/// Text form (secret): `tracewell-device-secret-1:` + 64 hex digits of the
/// RFC 8032 32-byte secret key.
#[derive(Clone)]
pub struct DeviceSigningKey(SigningKey);

impl DeviceSigningKey {
    /// A new key from the operating system's random number generator.
    pub fn generate() -> Result<Self> {
        Ok(Self::from_bytes(&*random_32()?))
    }

    /// A key from its raw 32-byte RFC 8032 secret.
    pub fn from_bytes(secret: &[u8; 32]) -> Self {
        DeviceSigningKey(SigningKey::from_bytes(secret))
    }

    /// The public half.
    pub fn verifying_key(&self) -> DeviceVerifyingKey {
        DeviceVerifyingKey(self.0.verifying_key())
    }

    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }

    /// The secret text form. Handle with care.
    pub fn to_secret_text(&self) -> Zeroizing<String> {
        Zeroizing::new(text::encode(DEVICE_SECRET_PREFIX, self.0.as_bytes()))
    }

    /// Parses the secret text form.
    pub fn from_secret_text(s: &str) -> Result<Self> {
        let raw = text::decode(DEVICE_SECRET_PREFIX, s)?;
        Ok(Self::from_bytes(&raw))
    }

    /// Writes a key file: a comment naming the public key, then the secret
    /// line. The file is created with mode 0600 and must not exist.
    pub fn write_file(&self, path: &Path) -> Result<()> {
        let secret = self.to_secret_text();
        let body = Zeroizing::new(format!(
            "# Tracewell device signing key. Keep this file secret.\n# public key: {}\n{}\n",
            self.verifying_key(),
            secret.as_str()
        ));
        text::write_secret_file(path, &body)
    }

    /// Reads a key file written by [`DeviceSigningKey::write_file`].
    /// Refuses files that group or others can access.
    pub fn read_file(path: &Path) -> Result<Self> {
        let body = text::read_secret_file(path)?;
        Self::from_secret_text(text::key_line(&body)?)
    }
}

impl fmt::Debug for DeviceSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceSigningKey")
            .field("public", &format_args!("{}", self.verifying_key()))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipient_text_round_trip() {
        let id = RecipientIdentity::generate().unwrap();
        let public: RecipientPublicKey = id.public_key().to_string().parse().unwrap();
        assert_eq!(&public, id.public_key());
        assert!(
            id.public_key()
                .to_string()
                .starts_with("tracewell-recipient-1:")
        );
        let again = RecipientIdentity::from_secret_text(&id.to_secret_text()).unwrap();
        assert_eq!(again.public_key(), id.public_key());
        // The public text does not parse as an identity and vice versa.
        assert!(RecipientIdentity::from_secret_text(&public.to_string()).is_err());
        assert!(id.to_secret_text().parse::<RecipientPublicKey>().is_err());
    }

    #[test]
    fn device_text_round_trip() {
        let key = DeviceSigningKey::generate().unwrap();
        let vk: DeviceVerifyingKey = key.verifying_key().to_string().parse().unwrap();
        assert_eq!(vk, key.verifying_key());
        let again = DeviceSigningKey::from_secret_text(&key.to_secret_text()).unwrap();
        assert_eq!(again.verifying_key(), vk);
        assert!(DeviceSigningKey::from_secret_text(&vk.to_string()).is_err());
    }

    #[test]
    fn debug_never_shows_secrets() {
        let id = RecipientIdentity::generate().unwrap();
        let secret_hex = id.to_secret_text()["tracewell-identity-1:".len()..].to_string();
        let dbg = format!("{id:?}");
        assert!(!dbg.contains(&secret_hex), "{dbg}");
        assert!(dbg.contains(&id.public_key().to_string()));

        let key = DeviceSigningKey::generate().unwrap();
        let secret_hex = key.to_secret_text()["tracewell-device-secret-1:".len()..].to_string();
        let dbg = format!("{key:?}");
        assert!(!dbg.contains(&secret_hex), "{dbg}");
    }

    #[test]
    fn key_ids_differ_per_key() {
        let a = RecipientIdentity::generate().unwrap();
        let b = RecipientIdentity::generate().unwrap();
        assert_ne!(a.key_id(), b.key_id());
        assert_eq!(a.key_id(), a.public_key().key_id());
    }

    #[cfg(unix)]
    #[test]
    fn key_files_are_private_and_never_overwritten() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();

        let path = dir.path().join("identity");
        let id = RecipientIdentity::generate().unwrap();
        id.write_file(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let back = RecipientIdentity::read_file(&path).unwrap();
        assert_eq!(back.public_key(), id.public_key());
        assert!(id.write_file(&path).is_err(), "must not overwrite");

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            RecipientIdentity::read_file(&path),
            Err(Error::InsecureKeyFile { .. })
        ));

        let path = dir.path().join("device");
        let key = DeviceSigningKey::generate().unwrap();
        key.write_file(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let back = DeviceSigningKey::read_file(&path).unwrap();
        assert_eq!(back.verifying_key(), key.verifying_key());
    }
}
