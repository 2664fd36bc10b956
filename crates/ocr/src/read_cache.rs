//! [`ReadCache`]: the words of recent reads, by what was read.
//!
//! Tesseract's LSTM gives the same words for the same image: a read is a
//! function of the prepared image (the region's gray pixels with what is
//! hidden painted over), where the region lies, which pieces of it are
//! shown and hidden, and how it is read. The engine keeps the results of
//! its last [`CAPACITY`] reads under a BLAKE3 hash of all of that and
//! answers a repeated read from here. A window switched back to, unchanged
//! since it was last read whole, costs a hash (about 0.5 ms for a
//! 1920×1080 region) instead of a read (about a second when dense).
//!
//! BLAKE3 is a cryptographic hash: no screen content can be made to
//! collide with another, so a hit is the same image. The cache holds
//! recognised text in memory only, as the pixel redactor's own word list
//! does, and forgets the oldest read first.

use std::collections::{HashMap, VecDeque};

use tracewell_model::Rect;

use crate::engine::{ReadAs, Word};

/// Reads remembered.
pub const CAPACITY: usize = 64;

/// Identifies a read: the hash of its inputs.
pub type Key = [u8; 32];

/// The inputs of a read, hashed into its [`Key`].
pub struct ReadInputs<'a> {
    pub gray: &'a [u8],
    pub region: Rect,
    pub shown: &'a [Rect],
    pub hidden: &'a [Rect],
    pub how: ReadAs,
    pub bars: u32,
}

impl ReadInputs<'_> {
    pub fn key(&self) -> Key {
        let mut h = blake3::Hasher::new();
        let rect = |h: &mut blake3::Hasher, r: &Rect| {
            h.update(&r.x.to_le_bytes());
            h.update(&r.y.to_le_bytes());
            h.update(&r.width.to_le_bytes());
            h.update(&r.height.to_le_bytes());
        };
        rect(&mut h, &self.region);
        for list in [self.shown, self.hidden] {
            h.update(&(list.len() as u64).to_le_bytes());
            for r in list {
                rect(&mut h, r);
            }
        }
        let mode = self.how.mode.map_or(-1, |m| m as i32);
        h.update(&mode.to_le_bytes());
        h.update(&[u8::from(self.how.enlarged)]);
        h.update(&self.bars.to_le_bytes());
        h.update(&(self.gray.len() as u64).to_le_bytes());
        h.update(self.gray);
        *h.finalize().as_bytes()
    }
}

/// The words and read area of the last [`CAPACITY`] reads.
#[derive(Debug, Default)]
pub struct ReadCache {
    reads: HashMap<Key, (Vec<Word>, u64)>,
    order: VecDeque<Key>,
    hits: u64,
}

impl ReadCache {
    /// The words of an earlier read with this key.
    pub fn get(&mut self, key: &Key) -> Option<(Vec<Word>, u64)> {
        let found = self.reads.get(key).cloned();
        self.hits += u64::from(found.is_some());
        found
    }

    /// Remembers a read, forgetting the oldest beyond [`CAPACITY`].
    pub fn put(&mut self, key: Key, words: Vec<Word>, read: u64) {
        if self.reads.insert(key, (words, read)).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.reads.remove(&old);
            }
        }
    }

    /// Reads answered from the cache so far.
    pub fn hits(&self) -> u64 {
        self.hits
    }

    pub fn clear(&mut self) {
        self.reads.clear();
        self.order.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(gray: &[u8]) -> ReadInputs<'_> {
        ReadInputs { gray, region: Rect::new(0, 0, 4, 2), shown: &[], hidden: &[], how: ReadAs::default(), bars: 2 }
    }

    #[test]
    fn any_input_changes_the_key() {
        let gray = [1u8, 2, 3, 4, 5, 6, 7, 8];
        let base = inputs(&gray).key();
        assert_eq!(base, inputs(&gray).key());
        let mut other = gray;
        other[7] = 9;
        assert_ne!(base, inputs(&other).key(), "one pixel");
        let moved = ReadInputs { region: Rect::new(1, 0, 4, 2), ..inputs(&gray) };
        assert_ne!(base, moved.key(), "the region");
        let piece = [Rect::new(0, 0, 2, 2)];
        assert_ne!(base, ReadInputs { shown: &piece, ..inputs(&gray) }.key(), "shown");
        assert_ne!(base, ReadInputs { hidden: &piece, ..inputs(&gray) }.key(), "hidden");
        // The same rectangle shown or hidden is not the same read.
        assert_ne!(ReadInputs { shown: &piece, ..inputs(&gray) }.key(), ReadInputs { hidden: &piece, ..inputs(&gray) }.key());
        let enlarged = ReadInputs { how: ReadAs { enlarged: true, ..ReadAs::default() }, ..inputs(&gray) };
        assert_ne!(base, enlarged.key(), "enlarged");
        assert_ne!(base, ReadInputs { bars: 1, ..inputs(&gray) }.key(), "bar depth");
    }

    #[test]
    fn the_oldest_read_is_forgotten_first() {
        let mut cache = ReadCache::default();
        let word = |t: &str| Word { text: t.into(), rect: Rect::new(0, 0, 1, 1), confidence: 90.0 };
        for n in 0..=CAPACITY as u8 {
            cache.put([n; 32], vec![word(&n.to_string())], u64::from(n));
        }
        assert!(cache.get(&[0; 32]).is_none());
        assert_eq!(cache.get(&[1; 32]).unwrap().0[0].text, "1");
        assert_eq!(cache.get(&[CAPACITY as u8; 32]).unwrap().1, CAPACITY as u64);
        assert_eq!(cache.hits(), 2);
    }
}
