//! Text encodings of raw key bytes and the key files that hold them.
//!
//! A key's text form is a fixed, versioned prefix followed by the lowercase
//! hexadecimal encoding of its raw 32 bytes, e.g.
//! `tracewell-recipient-1:3b6a…`. There is no extra structure, checksum or
//! wrapping: the prefix names what the bytes are, the bytes are the key as the
//! underlying primitive (X25519 or Ed25519) defines it.
//!
//! A key file holds exactly one such line, optionally surrounded by blank lines
//! and `#` comment lines. Secret key files are created with mode 0600 and
//! refused when group or others can access them.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::path::Path;

use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex encoding.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 0x0f) as usize] as char);
    }
    s
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decodes exactly `N` bytes of hex (either case).
pub(crate) fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.as_bytes();
    if s.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in s.chunks_exact(2).enumerate() {
        match (nibble(pair[0]), nibble(pair[1])) {
            (Some(hi), Some(lo)) => out[i] = (hi << 4) | lo,
            _ => {
                out.zeroize();
                return None;
            }
        }
    }
    Some(out)
}

/// `prefix` + hex of `bytes`.
pub(crate) fn encode(prefix: &str, bytes: &[u8; 32]) -> String {
    let mut s = String::with_capacity(prefix.len() + 64);
    s.push_str(prefix);
    s.push_str(&hex(bytes));
    s
}

/// Parses `prefix` + 64 hex digits. Surrounding whitespace is ignored.
pub(crate) fn decode(prefix: &str, text: &str) -> Result<Zeroizing<[u8; 32]>> {
    let body = text
        .trim()
        .strip_prefix(prefix)
        .ok_or(Error::KeyEncoding("wrong or missing key prefix"))?;
    unhex::<32>(body)
        .map(Zeroizing::new)
        .ok_or(Error::KeyEncoding(
            "expected 64 hex digits after the prefix",
        ))
}

/// Finds the single key line in a key file's text: blank lines and lines
/// starting with `#` are skipped; exactly one other line must remain.
pub(crate) fn key_line(text: &str) -> Result<&str> {
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let line = lines
        .next()
        .ok_or(Error::KeyEncoding("key file holds no key line"))?;
    if lines.next().is_some() {
        return Err(Error::KeyEncoding("key file holds more than one key line"));
    }
    Ok(line)
}

/// Creates `path` (which must not exist yet) with mode 0600 and writes `text`.
/// Never overwrites an existing file: losing a secret key by accident is
/// worse than an error.
pub(crate) fn write_secret_file(path: &Path, text: &str) -> Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

/// Reads a secret key file, refusing it when group or others have any access.
pub(crate) fn read_secret_file(path: &Path) -> Result<Zeroizing<String>> {
    let mut file = std::fs::File::open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata()?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(Error::InsecureKeyFile {
                path: path.to_path_buf(),
                mode,
            });
        }
    }
    let mut text = Zeroizing::new(String::new());
    file.read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let bytes: Vec<u8> = (0..=255u8).collect();
        let h = hex(&bytes[..32]);
        assert_eq!(h.len(), 64);
        assert_eq!(unhex::<32>(&h).unwrap().as_slice(), &bytes[..32]);
        assert_eq!(
            unhex::<32>(&h.to_uppercase()).unwrap().as_slice(),
            &bytes[..32]
        );
        assert!(unhex::<32>(&h[..62]).is_none());
        assert!(unhex::<2>("0g00").is_none());
    }

    #[test]
    fn key_line_rules() {
        assert_eq!(key_line("# c\n\n  abc \n# d\n").unwrap(), "abc");
        assert!(key_line("# only comments\n").is_err());
        assert!(key_line("a\nb\n").is_err());
    }
}
