//! Runs of capitalised words (the `name_pair` detector), found outside the
//! combined automaton.
//!
//! The `name_pair` pattern ([`crate::patterns::pattern`]) can start at
//! every capitalised word, so inside the combined automaton it stopped the
//! search at every pair of capitalised words in a text (half of the
//! automaton's matches), each stop costing a reverse search for the
//! match's start. Here it is matched by hand-written code that follows
//! the pattern's leftmost-first semantics, from an anchor:
//!
//! * A match starts at an ASCII capital at a word boundary or at a
//!   non-ASCII capital (an accented Latin letter, at any position).
//! * Its first word must be followed by a space and a second word, so, as
//!   name words hold only name bytes (`[A-Za-z'\-]` and bytes of
//!   multi-byte characters), it covers the whole run of name bytes from
//!   its start to that space. The anchor is therefore a capital after a
//!   space after a name byte (found eight bytes at a time); the run before
//!   the space is looked back over once, and the tail after it (up to
//!   eight more words, each after a space and an optional initial `F. `)
//!   is worked out once, for all starts inside the run.
//! * A word is a capital, then lower-case letters (or `'`, a capital and
//!   lower-case letters: `O'Brien`), then optionally `-` and another
//!   capitalised part (`Smith-Jones`, `McDonald`). Repetitions are greedy
//!   and nothing after a later word is required, so a later word ends
//!   where its greedy parse ends (`McDonaldXy` gives `McDonald`); a
//!   first word covers its run exactly when its greedy parse does (the
//!   letters that are both capitals and lower-case in the pattern, in
//!   Latin Extended, cannot make another parse reach further).
//! * The end of the lower-case run last measured is remembered, so that
//!   starts inside one long run of accented letters do not measure it
//!   again: each byte is looked at a bounded number of times (once by the
//!   scan, once by its run, and by the tails of the at most nine runs it
//!   can be a word of).
//!
//! Like the anchored finders ([`crate::anchors`]), [`PairFinder`] reports
//! for a scan position `pos` exactly the leftmost match at or after `pos`
//! that the pattern would report (same start, same end; the tests compare
//! both on random text).

use crate::swar::{HI, between, equal};

/// ASCII word byte, as `\b` sees it.
#[inline]
fn word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A byte that may be part of a name word: `[A-Za-z'\-]` or any byte of a
/// multi-byte character.
#[inline]
fn name_byte(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'\'' || b == b'-' || b >= 0x80
}

/// First byte of a capital outside ASCII (see `UPPER_NON_ASCII` in
/// [`crate::patterns`]; [`upper`] checks the rest).
#[inline]
fn upper_lead(b: u8) -> bool {
    matches!(b, 0xC3..=0xC9 | 0xE1)
}

/// Whether a name word may start at `i`: an ASCII capital at a word
/// boundary, or the first byte of a non-ASCII capital.
#[inline]
fn may_start(hay: &[u8], i: usize) -> bool {
    let b = hay[i];
    if b.is_ascii_uppercase() {
        i == 0 || !word(hay[i - 1])
    } else {
        upper_lead(b)
    }
}

/// Whether `j` is where a second name word may start: a capital after a
/// space after a name byte.
#[inline]
fn anchor_at(hay: &[u8], j: usize) -> bool {
    j >= 2
        && (hay[j].is_ascii_uppercase() || upper_lead(hay[j]))
        && hay[j - 1] == b' '
        && name_byte(hay[j - 2])
}

/// The first [`anchor_at`] position at or after `from`, eight bytes at a
/// time: capitals and bytes of multi-byte characters after a space, then
/// the rest of the test on the few bytes found.
fn next_anchor(hay: &[u8], from: usize) -> Option<usize> {
    let n = hay.len();
    let load = |i: usize| u64::from_le_bytes(hay[i..i + 8].try_into().expect("eight bytes"));
    let mut j = from.max(2);
    while j + 8 <= n {
        let x = load(j);
        let mut m = (between(x, b'A', b'Z') | (x & HI)) & equal(load(j - 1), b' ');
        while m != 0 {
            let k = j + (m.trailing_zeros() / 8) as usize;
            if anchor_at(hay, k) {
                return Some(k);
            }
            m &= m - 1;
        }
        j += 8;
    }
    (j..n).find(|&j| anchor_at(hay, j))
}

/// End of the capital (`[A-Z]` or `UPPER_NON_ASCII` of
/// [`crate::patterns`]) at `p`, if one is there.
#[inline]
fn upper(hay: &[u8], p: usize) -> Option<usize> {
    let b = *hay.get(p)?;
    let c1 = hay.get(p + 1).copied().unwrap_or(0);
    match b {
        b'A'..=b'Z' => Some(p + 1),
        0xC3 if matches!(c1, 0x80..=0x96 | 0x98..=0x9E) => Some(p + 2),
        0xC4..=0xC8 if matches!(c1, 0x80..=0xBF) => Some(p + 2),
        0xC9 if matches!(c1, 0x80..=0x8F) => Some(p + 2),
        0xE1 if matches!(c1, 0xB8..=0xBB)
            && hay.get(p + 2).is_some_and(|c| matches!(c, 0x80..=0xBF)) =>
        {
            Some(p + 3)
        }
        _ => None,
    }
}

/// End of the lower-case letter (`LOWER` of [`crate::patterns`]) at `p`,
/// if one is there.
#[inline]
fn lower(hay: &[u8], p: usize) -> Option<usize> {
    let b = *hay.get(p)?;
    let c1 = hay.get(p + 1).copied().unwrap_or(0);
    match b {
        b'a'..=b'z' => Some(p + 1),
        0xC3 if matches!(c1, 0x9F..=0xB6 | 0xB8..=0xBF) => Some(p + 2),
        0xC4..=0xC8 if matches!(c1, 0x80..=0xBF) => Some(p + 2),
        0xC9 if matches!(c1, 0x80..=0x8F) => Some(p + 2),
        0xE1 if matches!(c1, 0xB8..=0xBB)
            && hay.get(p + 2).is_some_and(|c| matches!(c, 0x80..=0xBF)) =>
        {
            Some(p + 3)
        }
        _ => None,
    }
}

/// Finds `name_pair` candidates (see the module documentation).
#[derive(Debug, Default)]
pub struct PairFinder {
    /// Last answer.
    cand: Option<(usize, usize)>,
    /// Every anchor before this has been looked at.
    from: usize,
    /// The run of name bytes being tried, `.0..(.1)`, the end `.2` of the
    /// match of any start whose first word covers it, and `.3`: every
    /// start before it has been tried.
    run: Option<(usize, usize, usize, usize)>,
    /// `hay[.0...1]` is all lower-case letters, and none follows.
    lowers: (usize, usize),
    /// The last tail worked out.
    chain: Chain,
    done: bool,
}

/// Word ends of the tail after a run ending at `start`: `ends[..len]`;
/// `open` while an iteration after the last may still match (the chain
/// stopped at the bound of eight, not at a failed iteration).
#[derive(Debug, Default)]
struct Chain {
    start: usize,
    ends: [usize; 8],
    len: usize,
    open: bool,
}

impl PairFinder {
    /// The leftmost candidate starting at or after `pos`.
    pub fn next(&mut self, hay: &[u8], pos: usize, work: &mut u64) -> Option<(usize, usize)> {
        if let Some((s, e)) = self.cand {
            if s >= pos {
                return Some((s, e));
            }
            self.cand = None;
        }
        loop {
            if let Some((a, k, e, tried)) = self.run {
                let mut i = tried.max(pos).max(a);
                while i < k {
                    let s = i;
                    i += 1;
                    *work += 1;
                    if may_start(hay, s) && self.word_end(hay, s, work) == Some(k) {
                        self.run = Some((a, k, e, i));
                        self.cand = Some((s, e));
                        return Some((s, e));
                    }
                }
                self.run = None;
            }
            if self.done {
                return None;
            }
            // The first word's run ends at `k`, before the second word at
            // `j`; a start at or after `pos` needs `j >= pos + 2`.
            let Some(j) = next_anchor(hay, self.from.max(pos + 2)) else {
                *work += (hay.len() - self.from.max(pos)) as u64;
                self.done = true;
                return None;
            };
            *work += (j - self.from.max(pos)) as u64;
            self.from = j + 1;
            let k = j - 1;
            let mut a = k;
            while a > 0 && name_byte(hay[a - 1]) {
                a -= 1;
            }
            *work += (k - a) as u64;
            if let Some(e) = self.tail(hay, k, work) {
                self.run = Some((a, k, e, a));
            }
        }
    }

    /// End of `(?:[ ](?:[A-Z]\.[ ])?WORD){1,8}` at `r`, greedy.
    ///
    /// The iterations only depend on where they start, so the chain of
    /// word ends is kept: when the next run is the first word of the last
    /// chain, its tail is that chain less its first word, and at most one
    /// word is parsed anew.
    fn tail(&mut self, hay: &[u8], r: usize, work: &mut u64) -> Option<usize> {
        let c = &mut self.chain;
        if c.len > 0 && c.ends[0] == r {
            c.ends.copy_within(1..c.len, 0);
            c.len -= 1;
            c.start = r;
        } else {
            *c = Chain {
                start: r,
                open: true,
                ..Chain::default()
            };
        }
        while self.chain.open && self.chain.len < 8 {
            let e = match self.chain.len {
                0 => self.chain.start,
                n => self.chain.ends[n - 1],
            };
            let next = self.iteration(hay, e, work);
            let c = &mut self.chain;
            match next {
                Some(w) => {
                    c.ends[c.len] = w;
                    c.len += 1;
                }
                None => c.open = false,
            }
        }
        let c = &self.chain;
        (c.len > 0).then(|| c.ends[c.len - 1])
    }

    /// End of one `[ ](?:[A-Z]\.[ ])?WORD` at `e`.
    fn iteration(&mut self, hay: &[u8], e: usize, work: &mut u64) -> Option<usize> {
        if hay.get(e) != Some(&b' ') {
            return None;
        }
        let mut p = e + 1;
        // An initial, if there is one, must be followed by a word.
        if hay.get(p).is_some_and(u8::is_ascii_uppercase)
            && hay.get(p + 1) == Some(&b'.')
            && hay.get(p + 2) == Some(&b' ')
        {
            p += 3;
        }
        *work += (p - e) as u64;
        self.word_end(hay, p, work)
    }

    /// End of the greedy parse of a name word (`word` of
    /// [`crate::patterns`], without its `\b`) at `p`:
    /// `UP(?:LOWER+|'UP LOWER+)(?:-?UP LOWER+)?`.
    fn word_end(&mut self, hay: &[u8], p: usize, work: &mut u64) -> Option<usize> {
        let mut q = upper(hay, p)?;
        if hay.get(q) == Some(&b'\'') {
            q = upper(hay, q + 1)?;
        }
        let q = self.lowers_end(hay, q, work)?;
        let t = if hay.get(q) == Some(&b'-') { q + 1 } else { q };
        Some(
            upper(hay, t)
                .and_then(|t| self.lowers_end(hay, t, work))
                .unwrap_or(q),
        )
    }

    /// End of `LOWER+` at `p` (greedy), if at least one letter is there.
    fn lowers_end(&mut self, hay: &[u8], p: usize, work: &mut u64) -> Option<usize> {
        let (a, b) = self.lowers;
        if a <= p && p < b {
            return Some(b);
        }
        let mut q = lower(hay, p)?;
        while let Some(next) = lower(hay, q) {
            q = next;
        }
        *work += (q - p) as u64;
        self.lowers = (p, q);
        Some(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anchors::tests::compare;
    use crate::patterns::Det;

    #[test]
    fn anchor_scan_matches_bytewise_check() {
        let text =
            "x Ab cD _E 9F éG ÀH ĀI ɏJ ḀK Ÿ ×L ÞM aB-Cd O'Brien ABC.Def\tGh I- Jk' Lm\u{e1} No é Á";
        let hay = text.as_bytes();
        for from in 0..hay.len() {
            let want = (from.max(2)..hay.len()).find(|&j| anchor_at(hay, j));
            assert_eq!(next_anchor(hay, from), want, "from {from}");
        }
    }

    #[test]
    fn pair_finder_matches_its_regex() {
        let pieces = [
            "John",
            "Smith",
            "Ann",
            "Lee",
            "O'Brien",
            "McDonald",
            "Smith-Jones",
            "Jean-Luc",
            "Élodie",
            "Łukasz",
            "Nguyễn",
            "ß",
            "ğa",
            "É",
            "A.",
            "F. ",
            "A",
            "a",
            "x",
            "the",
            " ",
            " ",
            " ",
            "  ",
            "\n",
            "-",
            "'",
            ".",
            "9",
            "_",
            "ABC",
            "Xy",
            "é",
            "\u{1e00}",
            "\u{24f}",
        ];
        let f = std::cell::RefCell::new(PairFinder::default());
        compare(
            Det::NamePair,
            false,
            &pieces,
            |h, p, w| f.borrow_mut().next(h, p, w),
            &mut || *f.borrow_mut() = PairFinder::default(),
        );
    }

    #[test]
    fn pair_finder_matches_its_regex_on_accents_and_joins() {
        // Letters that are both capitals and lower-case in the pattern
        // (Latin Extended), Latin-1 capitals and non-letters, joins.
        let pieces = [
            "Ā", "ā", "Ḁ", "ḁ", "ɏ", "Ɏ", "À", "Ø", "×", "÷", "ß", "é", "A", "B", "a", "b", "-",
            "'", " ", " ", " ", "C. ", "Ab", "Cd", "x", ".", "\n",
        ];
        let f = std::cell::RefCell::new(PairFinder::default());
        compare(
            Det::NamePair,
            false,
            &pieces,
            |h, p, w| f.borrow_mut().next(h, p, w),
            &mut || *f.borrow_mut() = PairFinder::default(),
        );
    }

    #[test]
    fn one_long_run_of_starts_is_measured_once() {
        // Every accented capital may start a match; each must not measure
        // the run again.
        let text = format!("{} Bob", "Ā".repeat(50_000));
        let hay = text.as_bytes();
        let mut f = PairFinder::default();
        let (mut pos, mut found, mut work) = (0, 0, 0);
        while let Some((s, e)) = f.next(hay, pos, &mut work) {
            assert_eq!(e, hay.len());
            found += 1;
            pos = s + 1;
        }
        // The last `Ā` has no lower-case letter after it.
        assert_eq!(found, 49_999);
        assert!(work < 8 * hay.len() as u64, "{work}");
    }
}
