//! Built-in word lists (given names, family names, capitalised common
//! words) and context keywords.
//!
//! A word list is a hash table keyed by the ASCII-lower-cased word: a name
//! candidate is looked up whole, so hashing a handful of bytes (lower-cased
//! on the stack) beats walking an automaton. Context keywords, which are
//! searched for anywhere in a window of text, are Aho-Corasick automata.
//!
//! The lists are small on purpose (a few hundred entries each) and live in
//! `data/*.txt`, one entry per line, `#` for comments. An entry ending in
//! `*` is *ambiguous*: it is also an ordinary English word ("Mark",
//! "Brown"), so the name rules ask for stronger evidence before using it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use aho_corasick::{AhoCorasick, MatchKind};

use crate::error::Error;

const FIRST_NAMES: &str = include_str!("../data/first_names.txt");
const SURNAMES: &str = include_str!("../data/surnames.txt");
const STOPWORDS: &str = include_str!("../data/stopwords.txt");

/// Words that, shortly before a bare number, say it is a phone number.
const PHONE_CONTEXT: &[&str] = &[
    "phone",
    "tel",
    "tel.",
    "mobile",
    "cell",
    "call",
    "fax",
    "sms",
    "whatsapp",
    "contact",
    "ph:",
    "mob",
    "telefon",
    "téléphone",
];

/// Words that, shortly before a 40-character token, say it is an AWS
/// secret access key.
const AWS_CONTEXT: &[&str] = &["aws", "secret", "amazon", "s3", "iam", "access key"];

/// How strong a dictionary hit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hit {
    /// Found, and not an ordinary English word.
    Strong,
    /// Found, but also an ordinary English word.
    Ambiguous,
}

/// An exact-word dictionary (ASCII case-insensitive).
#[derive(Clone, Debug)]
pub struct WordList {
    /// Lower-cased word → ambiguous.
    words: HashMap<Box<[u8]>, bool, BuildHasherDefault<WordHasher>>,
    /// Longest entry, in bytes: longer words are not looked up.
    longest: usize,
}

/// Longest word lower-cased on the stack; longer ones are never in a list
/// (the built-in entries are far shorter) or take a heap buffer.
const STACK_WORD: usize = 32;

impl WordList {
    fn parse(text: &str, extra: &[String]) -> WordList {
        let mut words = HashMap::default();
        let mut longest = 0;
        let lines = text.lines().chain(extra.iter().map(String::as_str));
        for line in lines {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (word, ambiguous) = match line.strip_suffix('*') {
                Some(word) => (word, true),
                None => (line, false),
            };
            if word.is_empty() {
                continue; // a lone `*`: no word
            }
            longest = longest.max(word.len());
            // A word listed twice keeps its first entry.
            words
                .entry(word.as_bytes().to_ascii_lowercase().into_boxed_slice())
                .or_insert(ambiguous);
        }
        WordList { words, longest }
    }

    /// Looks up a whole word; accented Latin letters also match their
    /// base letter (`José` finds `Jose`, `Müller` finds `Muller`).
    pub fn get(&self, word: &[u8]) -> Option<Hit> {
        match self.get_exact(word) {
            None if !word.is_ascii() => self.get_exact(&fold_accents(word)?),
            hit => hit,
        }
    }

    fn get_exact(&self, word: &[u8]) -> Option<Hit> {
        if word.len() > self.longest {
            return None;
        }
        let mut buf = [0u8; STACK_WORD];
        let heap;
        let lower: &[u8] = if word.len() <= STACK_WORD {
            let b = &mut buf[..word.len()];
            b.copy_from_slice(word);
            b.make_ascii_lowercase();
            b
        } else {
            heap = word.to_ascii_lowercase();
            &heap
        };
        self.words.get(lower).map(|&ambiguous| {
            if ambiguous {
                Hit::Ambiguous
            } else {
                Hit::Strong
            }
        })
    }

    /// True if the word is present (either strength).
    pub fn contains(&self, word: &[u8]) -> bool {
        self.get(word).is_some()
    }
}

/// FxHash-style hasher for short byte strings: a multiply and a rotate per
/// eight bytes. Word lists are built-in or configured, not attacker-chosen
/// keys, and a colliding lookup only costs time proportional to the
/// colliding entries.
#[derive(Default)]
pub struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let v = u64::from_le_bytes(c.try_into().expect("eight bytes"));
            self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(K);
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        let v = u64::from_le_bytes(tail) ^ ((rest.len() as u64) << 59);
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(K);
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0.rotate_left(5) ^ n as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Base letters of U+00C0..=U+017F (Latin-1 Supplement letters and Latin
/// Extended-A); `*` marks the two non-letters.
const BASE_LETTERS: &[u8; 192] = b"AAAAAAACEEEEIIIIDNOOOOO*OUUUUYTsaaaaaaaceeeeiiiidnooooo*ouuuuytyAaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

/// `word` with accented Latin letters replaced by their base letter;
/// `None` if it holds another non-ASCII character.
fn fold_accents(word: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(word).ok()?;
    let mut out = Vec::with_capacity(word.len());
    for c in text.chars() {
        let cp = c as usize;
        if c.is_ascii() {
            out.push(c as u8);
        } else if (0xC0..0x180).contains(&cp) && BASE_LETTERS[cp - 0xC0] != b'*' {
            out.push(BASE_LETTERS[cp - 0xC0]);
        } else {
            return None;
        }
    }
    Some(out)
}

/// A set of context keywords searched for in a short window of text.
#[derive(Clone, Debug)]
pub struct Keywords {
    automaton: AhoCorasick,
}

impl Keywords {
    fn new(words: &[&str]) -> Result<Keywords, Error> {
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(words)?;
        Ok(Keywords { automaton })
    }

    /// Whether any keyword occurs in `window`.
    pub fn any_in(&self, window: &[u8]) -> bool {
        self.automaton.is_match(window)
    }
}

/// All dictionaries the scanner uses.
#[derive(Clone, Debug)]
pub struct Gazetteer {
    pub first_names: WordList,
    pub surnames: WordList,
    pub stopwords: WordList,
    pub phone_context: Keywords,
    pub aws_context: Keywords,
}

impl Gazetteer {
    /// Builds the built-in lists, plus caller-supplied extra names.
    pub fn new(extra_first: &[String], extra_surnames: &[String]) -> Result<Gazetteer, Error> {
        Ok(Gazetteer {
            first_names: WordList::parse(FIRST_NAMES, extra_first),
            surnames: WordList::parse(SURNAMES, extra_surnames),
            stopwords: WordList::parse(STOPWORDS, &[]),
            phone_context: Keywords::new(PHONE_CONTEXT)?,
            aws_context: Keywords::new(AWS_CONTEXT)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_whole_word() {
        let g = Gazetteer::new(&[], &[]).unwrap();
        assert_eq!(g.first_names.get(b"John"), Some(Hit::Strong));
        assert_eq!(g.first_names.get(b"JOHN"), Some(Hit::Strong));
        assert_eq!(g.first_names.get(b"Johnson"), None);
        assert_eq!(g.first_names.get(b"Jo"), None);
        assert_eq!(g.first_names.get(b"Mark"), Some(Hit::Ambiguous));
        assert_eq!(g.surnames.get(b"Garcia"), Some(Hit::Strong));
        assert_eq!(g.surnames.get("García".as_bytes()), Some(Hit::Strong));
        assert_eq!(g.first_names.get("Jóhn".as_bytes()), Some(Hit::Strong));
        assert!(g.stopwords.contains(b"Report"));
        assert!(g.phone_context.any_in(b"Call me at "));
        assert!(!g.phone_context.any_in(b"Order id "));
    }
}
