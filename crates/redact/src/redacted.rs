//! [`Redacted<T>`]: the type-level proof that a value went through the
//! scanner.
//!
//! Its fields are private and its only constructor is crate-private, so a
//! `Redacted<T>` can only be obtained from [`crate::Scanner`]. Downstream
//! stages (sealing in particular) accept `Redacted<T>` and nothing else. It
//! carries the kinds and counts of what was removed, never the values.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::kind::Kind;

/// A value whose sensitive parts were replaced by placeholders, together
/// with the kinds and counts of what was replaced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Redacted<T> {
    value: T,
    counts: BTreeMap<Kind, u32>,
}

impl<T> Redacted<T> {
    pub(crate) fn new(value: T, counts: BTreeMap<Kind, u32>) -> Self {
        Redacted { value, counts }
    }

    /// The redacted value.
    pub fn get(&self) -> &T {
        &self.value
    }

    /// Kinds and counts of the replaced values.
    pub fn counts(&self) -> &BTreeMap<Kind, u32> {
        &self.counts
    }

    /// Total number of replaced values.
    pub fn total(&self) -> u32 {
        self.counts.values().sum()
    }

    /// Gives up the proof and returns the plain value.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// Splits into the value and the counts (the proof is given up).
    pub fn into_parts(self) -> (T, BTreeMap<Kind, u32>) {
        (self.value, self.counts)
    }
}

impl Redacted<String> {
    /// The redacted text.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl<T> AsRef<T> for Redacted<T> {
    fn as_ref(&self) -> &T {
        &self.value
    }
}

impl std::fmt::Display for Redacted<String> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.value)
    }
}
