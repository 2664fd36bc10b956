//! Built-in word lists (given names, family names, capitalised common
//! words) and context keywords.
//!
//! A word list is a hash table keyed by the ASCII-lower-cased word: a name
//! candidate is looked up whole, so hashing a handful of bytes beats
//! walking an automaton. Context keywords, which are
//! searched for anywhere in a window of text, are Aho-Corasick automata.
//!
//! The lists are small on purpose (a few hundred entries each) and live in
//! `data/*.txt`, one entry per line, `#` for comments. An entry ending in
//! `*` is *ambiguous*: it is also an ordinary English word ("Mark",
//! "Brown"), so the name rules ask for stronger evidence before using it.

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

/// An exact-word dictionary (ASCII case-insensitive): an open-addressing
/// hash table of the lower-cased entries, probed with a hash of the word
/// lower-cased on the fly, so a lookup neither copies nor allocates.
#[derive(Clone, Debug)]
pub struct WordList {
    /// Power-of-two sized; `None` is an empty slot. Entry: lower-cased
    /// word, ambiguous.
    slots: Vec<Option<(Box<[u8]>, bool)>>,
    /// Longest entry, in bytes: longer words are not looked up.
    longest: usize,
}

/// Hash of `word` with ASCII letters lower-cased (FxHash-style: a rotate,
/// xor and multiply per byte). Word lists are built-in or configured, not
/// attacker-chosen, and a collision only lengthens one probe sequence.
fn word_hash(word: &[u8]) -> u64 {
    word.iter().fold(word.len() as u64, |h, &b| {
        (h.rotate_left(5) ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x517c_c1b7_2722_0a95)
    })
}

impl WordList {
    fn parse(text: &str, extra: &[String]) -> WordList {
        let mut entries: Vec<(Box<[u8]>, bool)> = Vec::new();
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
            if !word.is_empty() {
                entries.push((
                    word.as_bytes().to_ascii_lowercase().into_boxed_slice(),
                    ambiguous,
                ));
            }
        }
        // At most half full, so probe sequences stay short.
        let size = (2 * entries.len()).next_power_of_two().max(16);
        let mut list = WordList {
            slots: vec![None; size],
            longest: entries.iter().map(|e| e.0.len()).max().unwrap_or(0),
        };
        for (word, ambiguous) in entries {
            let mut i = list.home(&word);
            loop {
                match &list.slots[i] {
                    // A word listed twice keeps its first entry.
                    Some((w, _)) if *w == word => break,
                    Some(_) => i = (i + 1) & (size - 1),
                    None => {
                        list.slots[i] = Some((word, ambiguous));
                        break;
                    }
                }
            }
        }
        list
    }

    fn home(&self, word: &[u8]) -> usize {
        (word_hash(word) >> 32) as usize & (self.slots.len() - 1)
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
        if word.len() > self.longest || word.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(word);
        loop {
            let (w, ambiguous) = self.slots[i].as_ref()?;
            if w.eq_ignore_ascii_case(word) {
                return Some(if *ambiguous {
                    Hit::Ambiguous
                } else {
                    Hit::Strong
                });
            }
            i = (i + 1) & mask;
        }
    }

    /// True if the word is present (either strength).
    pub fn contains(&self, word: &[u8]) -> bool {
        self.get(word).is_some()
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

    #[test]
    fn extra_names_and_duplicates() {
        let g =
            Gazetteer::new(&["Zephyrine".into(), "Quill*".into()], &["Xylander".into()]).unwrap();
        assert_eq!(g.first_names.get(b"zephyrine"), Some(Hit::Strong));
        assert_eq!(g.first_names.get(b"QUILL"), Some(Hit::Ambiguous));
        assert_eq!(g.surnames.get(b"Xylander"), Some(Hit::Strong));
        assert_eq!(g.surnames.get(b"Xylanders"), None);
        assert_eq!(g.first_names.get(b""), None);
        // Listed twice: still found, once.
        assert_eq!(g.first_names.get(b"Austin"), Some(Hit::Strong));
        let list = WordList::parse("Ann\nann*\n# comment\n\n*\n", &[]);
        assert_eq!(list.get(b"ANN"), Some(Hit::Strong));
        assert_eq!(list.slots.iter().flatten().count(), 1);
    }
}
