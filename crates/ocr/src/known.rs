//! [`KnownValues`]: values already known to be secret — what typed-text
//! redaction replaced — so that their fragments on screen are filled too.
//!
//! The scanner needs a whole value to recognise it. A frame taken while a
//! card number is being typed shows `4111 1111 11`, which is no card yet;
//! OCR may read the finished number as `4111 1111 1111 11ff`, which fails
//! the Luhn check. Both are fragments of a value the recorder saw typed,
//! and a word matching such a fragment is filled whatever the scanner made
//! of it.
//!
//! Matching folds case and the characters OCR confuses (`O`/`0`, `l`/`I`/
//! `1`, `S`/`5`, `B`/`8`, `Z`/`2`) and ignores everything that is not a
//! letter or a digit, on both sides. A word matches a value when
//! - it has 4 or 5 such characters and they occur in the value, or
//! - it shares a run of at least 6 of them with the value (a fragment glued
//!   to other text, or misread at one end).
//!
//! Values live in memory only, for as long as the caller keeps them.

use tracewell_redact::Kind;

/// Shortest word matched against values.
const MIN_WORD: usize = 4;
/// Shortest shared run that makes a longer word match.
const MIN_SHARED: usize = 6;

/// A set of known secret values, folded for matching.
#[derive(Clone, Debug, Default)]
pub struct KnownValues {
    values: Vec<(Kind, Vec<char>)>,
}

impl KnownValues {
    pub fn new() -> KnownValues {
        KnownValues::default()
    }

    /// Adds a value; values shorter than 4 letters and digits are ignored
    /// (their fragments would match everything).
    pub fn add(&mut self, kind: Kind, value: &str) {
        let folded = fold(value);
        if folded.len() >= MIN_WORD && !self.values.iter().any(|(_, v)| *v == folded) {
            self.values.push((kind, folded));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// The kind of the first value `word` is a fragment of.
    pub fn matches(&self, word: &str) -> Option<Kind> {
        let w = fold(word);
        if w.len() < MIN_WORD {
            return None;
        }
        self.values.iter().find(|(_, v)| {
            if w.len() < MIN_SHARED {
                v.windows(w.len()).any(|s| s == w.as_slice())
            } else {
                longest_shared_run(&w, v) >= MIN_SHARED
            }
        }).map(|(kind, _)| *kind)
    }
}

/// Letters and digits of `s`, lower-cased, with OCR's usual confusions
/// folded to one character.
fn fold(s: &str) -> Vec<char> {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'o' => '0',
            'i' | 'l' => '1',
            's' => '5',
            'b' => '8',
            'z' => '2',
            c => c,
        })
        .collect()
}

/// Length of the longest run of characters `a` and `b` share.
fn longest_shared_run(a: &[char], b: &[char]) -> usize {
    let mut best = 0;
    let mut row = vec![0usize; b.len() + 1];
    for &ca in a {
        let mut diagonal = 0;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == cb { diagonal + 1 } else { 0 };
            best = best.max(row[j + 1]);
            diagonal = above;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> KnownValues {
        let mut k = KnownValues::new();
        k.add(Kind::Card, "4111 1111 1111 1111");
        k.add(Kind::Email, "alice.johnson@example.com");
        k.add(Kind::Phone, "123");
        k
    }

    #[test]
    fn fragments_of_a_partly_typed_or_misread_value_match() {
        let k = known();
        for (word, kind) in [
            ("4111", Kind::Card),
            ("1111", Kind::Card),
            ("4111-1111-11", Kind::Card),
            ("card4111111", Kind::Card),
            ("alice.johnson@exa", Kind::Email),
            ("ALICEJ0HNS", Kind::Email),
            ("johnson@", Kind::Email),
            // Over-filling is the safe side: the value's domain goes too.
            ("example.com", Kind::Email),
        ] {
            assert_eq!(k.matches(word), Some(kind), "{word}");
        }
    }

    #[test]
    fn other_words_and_short_pieces_do_not() {
        let k = known();
        for word in ["411", "11ff", "echo", "card", "alice.smith@other.org", "123", "4112"] {
            assert_eq!(k.matches(word), None, "{word}");
        }
        assert_eq!(k.len(), 2, "the three-digit value is too short to keep");
    }

    #[test]
    fn shared_runs() {
        let a: Vec<char> = "xxabcdefyy".chars().collect();
        let b: Vec<char> = "zabcdefz".chars().collect();
        assert_eq!(longest_shared_run(&a, &b), 6);
        assert_eq!(longest_shared_run(&a, &[]), 0);
    }
}
