//! [`Opener`]: decrypting a sealed segment for one of its recipients.

use std::io::{Read, Write};

use crate::error::{Error, Result};
use crate::format::{self, SealedInfo};
use crate::keys::{DeviceVerifyingKey, RecipientIdentity};
use crate::scan::Scanner;
use crate::stream::{self, Tail};
use crate::wrap;

/// Opens sealed segments with a recipient identity, optionally requiring a
/// particular signing device.
///
/// Opening is one streaming pass: each chunk is authenticated, then its
/// plaintext is written out, so memory stays bounded by one chunk. The trailer
/// and the signature are checked at the end. **If `open` returns an error,
/// whatever it wrote is not trustworthy and must be discarded** (write to a
/// temporary file and keep it only on success).
#[derive(Debug, Clone, Copy)]
pub struct Opener<'a> {
    identity: &'a RecipientIdentity,
    device: Option<&'a DeviceVerifyingKey>,
}

impl<'a> Opener<'a> {
    /// An opener for segments wrapped to `identity`.
    pub fn new(identity: &'a RecipientIdentity) -> Self {
        Opener {
            identity,
            device: None,
        }
    }

    /// Also require the segment to be signed by `device`; otherwise
    /// [`Error::WrongDevice`] before any plaintext is written.
    pub fn expect_device(mut self, device: &'a DeviceVerifyingKey) -> Self {
        self.device = Some(device);
        self
    }

    /// Decrypts the segment from `reader` into `out` and returns its info.
    ///
    /// Errors: [`Error::NotARecipient`] if the identity has no wrapped key in
    /// the header; [`Error::Tampered`] if a chunk, the header or the trailer
    /// fails authentication (including reordered or spliced chunks);
    /// [`Error::Truncated`] if the data ends early; [`Error::BadSignature`]
    /// if the device signature does not verify.
    pub fn open<R: Read, W: Write>(&self, reader: R, mut out: W) -> Result<SealedInfo> {
        let mut scanner = Scanner::start(reader)?;
        if let Some(device) = self.device
            && scanner.header.device_key != *device
        {
            return Err(Error::WrongDevice);
        }
        let aad = format::wrap_aad(scanner.header.version, &scanner.header.core_bytes());
        let data_key = wrap::unwrap(&scanner.header.recipients, self.identity, &aad)?;
        let mut decryptor = Some(stream::decryptor(&data_key, &scanner.header.nonce_prefix));
        drop(data_key);

        while let Some(last) = scanner.next_chunk()? {
            let aad = scanner.aad;
            let mut tail = Tail {
                vec: &mut scanner.chunk,
                start: 0,
            };
            let opened = if last {
                decryptor
                    .take()
                    .ok_or(Error::Malformed("chunk after the final chunk"))?
                    .decrypt_last_in_place(&aad, &mut tail)
            } else {
                decryptor
                    .as_mut()
                    .ok_or(Error::Malformed("chunk after the final chunk"))?
                    .decrypt_next_in_place(&aad, &mut tail)
            };
            opened.map_err(|_| Error::Tampered("chunk failed authentication"))?;
            out.write_all(&scanner.chunk)?;
        }
        let info = scanner.finish()?;
        out.flush()?;
        Ok(info)
    }
}

/// Shorthand for `Opener::new(identity).open(reader, out)`.
pub fn open<R: Read, W: Write>(
    reader: R,
    identity: &RecipientIdentity,
    out: W,
) -> Result<SealedInfo> {
    Opener::new(identity).open(reader, out)
}
