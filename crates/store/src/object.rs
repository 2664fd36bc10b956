//! The object store trait and the collector's key layout.

use std::path::Path;

use async_trait::async_trait;
use bytes::Bytes;

use crate::error::{Error, Result};

/// Durable storage of immutable objects by key.
///
/// Keys are `/`-separated paths checked by [`validate_key`]. Writes are
/// all-or-nothing: a reader sees either no object or the whole object, and a
/// `put` that returned `Ok` survives a crash of the process or machine.
/// Objects are written once; a second `put` of the same key replaces the
/// object atomically (the collector only ever rewrites identical bytes).
#[async_trait]
pub trait ObjectStore: Send + Sync + 'static {
    /// Stores the local file `src` under `key` and consumes it (it is moved
    /// or deleted). Durable when this returns.
    async fn put_file(&self, key: &str, src: &Path) -> Result<()>;
    /// Stores `bytes` under `key`. Durable when this returns.
    async fn put(&self, key: &str, bytes: Bytes) -> Result<()>;
    /// The whole object, or `None`.
    async fn get(&self, key: &str) -> Result<Option<Bytes>>;
    /// The object's size, or `None` if there is no such object.
    async fn head(&self, key: &str) -> Result<Option<u64>>;
    /// Deletes an object; deleting a missing object is not an error.
    async fn delete(&self, key: &str) -> Result<()>;
    /// Every key under the folder `prefix` (whole path segments: `a/b`
    /// lists `a/b/c`, not `a/bc`); an empty prefix lists everything.
    /// Sorted.
    async fn list(&self, prefix: &str) -> Result<Vec<String>>;
    /// Whether `key` exists.
    async fn exists(&self, key: &str) -> Result<bool> {
        Ok(self.head(key).await?.is_some())
    }
    /// A one-line description for logs (never credentials).
    fn describe(&self) -> String;
}

/// Checks an object key: 1 to 512 bytes, `/`-separated segments of ASCII
/// letters, digits, `.`, `_` and `-`; no empty segment and no segment that
/// starts with `.` (so `.`/`..` and the local store's `.tmp` are never keys).
pub fn validate_key(key: &str) -> Result<()> {
    let bad = |reason| {
        Err(Error::InvalidKey {
            key: key.chars().take(600).collect(),
            reason,
        })
    };
    if key.is_empty() || key.len() > 512 {
        return bad("length must be 1 to 512 bytes");
    }
    for segment in key.split('/') {
        if segment.is_empty() {
            return bad("empty path segment");
        }
        if segment.starts_with('.') {
            return bad("a path segment starts with '.'");
        }
        if !segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return bad("only ASCII letters, digits, '.', '_', '-' and '/' are allowed");
        }
    }
    Ok(())
}

/// Checks a listing prefix: empty, or a valid key (a trailing `/` is allowed).
pub(crate) fn validate_prefix(prefix: &str) -> Result<&str> {
    let trimmed = prefix.strip_suffix('/').unwrap_or(prefix);
    if !trimmed.is_empty() {
        validate_key(trimmed)?;
    }
    Ok(trimmed)
}

/// Where the collector keeps a sealed segment: `segments/<aa>/<hash>.seal`,
/// `<aa>` being the first two hex digits of the segment's BLAKE3 hash, to
/// keep directories small.
pub fn segment_object_key(hash: &str) -> String {
    let fan = hash.get(..2).unwrap_or("00");
    format!("segments/{fan}/{hash}.seal")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_rules() {
        for good in ["a", "segments/ab/abc.seal", "x-y_z/1.2"] {
            validate_key(good).unwrap();
        }
        for bad in [
            "", "/a", "a/", "a//b", "../a", "a/../b", ".tmp/x", "a b", "a\\b", "ä",
        ] {
            assert!(validate_key(bad).is_err(), "{bad:?}");
        }
        assert!(validate_key(&"a".repeat(513)).is_err());
        assert_eq!(segment_object_key("abcdef"), "segments/ab/abcdef.seal");
    }
}
