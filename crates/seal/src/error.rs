//! The one error type of this crate.

use std::io;

/// Everything that can go wrong while sealing, opening, inspecting or
/// handling keys.
///
/// The variants that matter to a reader of sealed data are deliberately
/// coarse: an attacker learns nothing useful from *which* check failed, but an
/// operator can still tell a wrong key ([`Error::NotARecipient`],
/// [`Error::WrongDevice`]) from damaged data ([`Error::Tampered`],
/// [`Error::Truncated`], [`Error::BadSignature`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing the underlying stream or key file failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),

    /// The input does not start with the sealed-segment magic bytes.
    #[error("not a sealed segment (bad magic)")]
    NotSealed,

    /// The input is a sealed segment of a format version this build cannot read.
    #[error("unsupported sealed format version {0}")]
    UnsupportedVersion(u16),

    /// A structural rule of the format is broken (a length out of range, a
    /// reserved field not zero, bytes after the end, ...).
    #[error("malformed sealed segment: {0}")]
    Malformed(&'static str),

    /// The input ends before the sealed segment does.
    #[error("sealed segment is truncated")]
    Truncated,

    /// Authentication failed: a chunk tag, the ciphertext hash or a recorded
    /// size does not match. The data was modified, reordered or corrupted.
    #[error("sealed segment failed authentication: {0}")]
    Tampered(&'static str),

    /// The device signature over the header and trailer is not valid.
    #[error("device signature is not valid")]
    BadSignature,

    /// The segment was signed by a different device key than the expected one.
    #[error("segment was signed by a different device key")]
    WrongDevice,

    /// The given identity is not among the segment's recipients (or its
    /// wrapped key does not open with it).
    #[error("this identity is not a recipient of the sealed segment")]
    NotARecipient,

    /// A key's text encoding or a key file could not be parsed.
    #[error("invalid key encoding: {0}")]
    KeyEncoding(&'static str),

    /// A secret key file is readable by users other than its owner.
    #[error(
        "secret key file {path} is accessible by group or others (mode {mode:o}); it must be 0600"
    )]
    InsecureKeyFile {
        /// The offending file.
        path: std::path::PathBuf,
        /// Its permission bits.
        mode: u32,
    },

    /// The caller passed something the format cannot carry (no recipients,
    /// an empty or overlong id, an end time before the start, ...).
    #[error("invalid input: {0}")]
    InvalidInput(&'static str),

    /// The operating system's random number generator failed.
    #[error("random number generator failed")]
    Random,

    /// A cryptographic operation failed unexpectedly while sealing
    /// (for example an HPKE encapsulation to an invalid public key).
    #[error("cryptographic operation failed: {0}")]
    Crypto(&'static str),

    /// The sealer was used after an earlier error; its output is unusable.
    #[error("sealer is unusable after an earlier error")]
    Poisoned,
}

impl Error {
    /// Maps an I/O error from a reader: an unexpected end of file means the
    /// sealed data is truncated, anything else is passed through.
    pub(crate) fn from_read(e: io::Error) -> Error {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            Error::Truncated
        } else {
            Error::Io(e)
        }
    }
}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
