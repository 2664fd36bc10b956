//! Words back into text: lines by vertical overlap, words by x, and the
//! byte range each word occupies in the joined text.

use crate::Word;

/// The text of a set of words, with each word's place in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Joined {
    /// Lines separated by `'\n'`, words within a line by `' '`.
    pub text: String,
    /// `(start, end, index)`: word `index` of the input occupies
    /// `text[start..end]`. Sorted by `start`.
    pub ranges: Vec<(usize, usize, usize)>,
}

impl Joined {
    /// Indices of the words whose text overlaps `start..end`.
    pub fn words_in(&self, start: usize, end: usize) -> impl Iterator<Item = usize> + '_ {
        // Ranges are sorted and disjoint: skip those ending before `start`.
        let first = self.ranges.partition_point(|&(_, e, _)| e <= start);
        self.ranges[first..].iter().take_while(move |&&(s, _, _)| s < end).map(|&(_, _, i)| i)
    }
}

/// Characters that tie a word to its neighbour: OCR often breaks a word
/// after them where the screen shows none (`alice.` `johnson@example.com`).
const JOINERS: &[char] = &['.', '-', '_', '@', '+', '/', '=', '\\'];
/// Joiners that tie a word to the one before it when they start it. Not
/// `-` and `+`, which more often start a flag or a phone number.
const LEADING_JOINERS: &[char] = &['.', '_', '@', '/', '=', '\\'];

impl Joined {
    /// Indices of the words a detection at `start..end` covers, widened
    /// over neighbours on the same line tied to them by a joining
    /// character at the break (`.`, `-`, `_`, `@`, `+`, `/`, `=`, `\\` ending
    /// the left word, or any of them but `-` and `+` starting the right
    /// one): what OCR split there may be one value on screen.
    pub fn words_of_span(&self, start: usize, end: usize) -> Vec<usize> {
        let first = self.ranges.partition_point(|&(_, e, _)| e <= start);
        let mut last = first;
        while last < self.ranges.len() && self.ranges[last].0 < end {
            last += 1;
        }
        if first == last {
            return Vec::new();
        }
        let (mut lo, mut hi) = (first, last - 1);
        while lo > 0 && self.tied(lo - 1) {
            lo -= 1;
        }
        while hi + 1 < self.ranges.len() && self.tied(hi) {
            hi += 1;
        }
        self.ranges[lo..=hi].iter().map(|&(_, _, i)| i).collect()
    }

    /// Whether word positions `p` and `p + 1` (in `ranges`) are on one line
    /// (a space between them, or nothing in a [`Joined::glued`] text).
    pub fn same_line(&self, p: usize) -> bool {
        matches!(&self.text[self.ranges[p].1..self.ranges[p + 1].0], " " | "")
    }

    /// Whether word positions `p` and `p + 1` are on one line with a
    /// joining character at the break between them.
    fn tied(&self, p: usize) -> bool {
        let (start, end, _) = self.ranges[p];
        let (next, next_end, _) = self.ranges[p + 1];
        // `key = value`: an `=` standing alone separates.
        let lone_equals = |w: &str| w.bytes().all(|b| b == b'=');
        self.same_line(p)
            && !lone_equals(&self.text[start..end])
            && !lone_equals(&self.text[next..next_end])
            && (self.text[..end].ends_with(JOINERS) || self.text[next..].starts_with(LEADING_JOINERS))
    }

    /// The same words with the space dropped wherever a joining character
    /// (any of them, `-` and `+` too) ends the word before or starts the
    /// word after: what OCR split at such a character is often one word
    /// on screen (`glpat-` `3RZJ…`).
    pub fn glued(&self) -> Joined {
        let mut out = Joined { text: String::with_capacity(self.text.len()), ranges: Vec::with_capacity(self.ranges.len()) };
        let mut from = 0;
        for (p, &(start, end, index)) in self.ranges.iter().enumerate() {
            let between = &self.text[from..start];
            let glue = p > 0
                && between == " "
                && (self.text[..from].ends_with(JOINERS) || self.text[start..].starts_with(JOINERS));
            if !glue {
                out.text.push_str(between);
            }
            let at = out.text.len();
            out.text.push_str(&self.text[start..end]);
            out.ranges.push((at, out.text.len(), index));
            from = end;
        }
        out.text.push_str(&self.text[from..]);
        out
    }
}

/// Groups words into lines and joins them.
///
/// A word belongs to a line when their vertical extents overlap by at
/// least half the smaller height; lines are ordered by their top edge,
/// words within a line by their left edge.
pub fn join(words: &[Word]) -> Joined {
    let mut order: Vec<usize> = (0..words.len()).collect();
    order.sort_by_key(|&i| (2 * words[i].rect.y + words[i].rect.height as i32, words[i].rect.x));
    // Each line: (top, bottom, members).
    let mut lines: Vec<(i32, i32, Vec<usize>)> = Vec::new();
    for i in order {
        let r = words[i].rect;
        let (top, bottom) = (r.y, r.y + r.height as i32);
        // Only recent lines can overlap: words come in order of their centre.
        let found = lines.iter_mut().rev().take(8).find(|(lt, lb, _)| {
            let overlap = bottom.min(*lb) - top.max(*lt);
            overlap * 2 >= (bottom - top).min(lb - lt)
        });
        match found {
            Some((lt, lb, members)) => {
                *lt = (*lt).min(top);
                *lb = (*lb).max(bottom);
                members.push(i);
            }
            None => lines.push((top, bottom, vec![i])),
        }
    }
    lines.sort_by_key(|(top, _, _)| *top);
    let mut joined = Joined::default();
    for (n, (_, _, mut members)) in lines.into_iter().enumerate() {
        if n > 0 {
            joined.text.push('\n');
        }
        members.sort_by_key(|&i| (words[i].rect.x, words[i].rect.y));
        for (k, i) in members.into_iter().enumerate() {
            if k > 0 {
                joined.text.push(' ');
            }
            let start = joined.text.len();
            joined.text.push_str(&words[i].text);
            joined.ranges.push((start, joined.text.len(), i));
        }
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracewell_model::Rect;

    fn w(text: &str, x: i32, y: i32, width: u32, height: u32) -> Word {
        Word { text: text.into(), rect: Rect::new(x, y, width, height), confidence: 90.0 }
    }

    #[test]
    fn lines_by_overlap_words_by_x() {
        let words = vec![
            w("1111", 200, 12, 40, 14),
            w("card", 10, 10, 40, 16),
            w("next", 10, 40, 40, 16),
            w("4111", 100, 11, 40, 15),
        ];
        let j = join(&words);
        assert_eq!(j.text, "card 4111 1111\nnext");
        let hit: Vec<usize> = j.words_in(5, 14).collect();
        assert_eq!(hit, vec![3, 0]);
        assert_eq!(j.words_in(0, 1).collect::<Vec<_>>(), vec![1]);
        assert_eq!(j.words_in(15, 19).collect::<Vec<_>>(), vec![2]);
        // A range over only the separator touches nothing.
        assert_eq!(j.words_in(4, 5).count(), 0);
    }

    #[test]
    fn spans_widen_over_words_tied_by_joining_characters() {
        let words = vec![
            w("mail", 0, 0, 40, 16),
            w("alice.", 50, 0, 50, 16),
            w("johnson@example.com", 110, 0, 200, 16),
            w("ok", 320, 0, 20, 16),
            w("-x", 0, 30, 20, 16),
        ];
        let j = join(&words);
        assert_eq!(j.text, "mail alice. johnson@example.com ok\n-x");
        let start = j.text.find("johnson").unwrap();
        assert_eq!(j.words_of_span(start, start + 19), vec![1, 2]);
        // An `=` standing alone separates a key from its value.
        let j = join(&[w("key", 0, 0, 30, 16), w("=", 40, 0, 10, 16), w("v@x.io", 60, 0, 60, 16)]);
        assert_eq!(j.words_of_span(6, 12), vec![2]);
        let j = join(&words);
        // A tie does not cross lines.
        let ok = j.text.find("ok").unwrap();
        assert_eq!(j.words_of_span(ok, ok + 2), vec![3]);
    }

    #[test]
    fn glued_text_drops_the_spaces_at_joining_characters_only() {
        let words = vec![
            w("key=glpat-", 0, 0, 100, 16),
            w("3RZJ", 110, 0, 40, 16),
            w("ok", 160, 0, 20, 16),
            w("-", 190, 0, 10, 16),
            w("x", 0, 30, 10, 16),
        ];
        let g = join(&words).glued();
        assert_eq!(g.text, "key=glpat-3RZJ ok-\nx");
        assert_eq!(g.ranges, vec![(0, 10, 0), (10, 14, 1), (15, 17, 2), (17, 18, 3), (19, 20, 4)]);
        assert_eq!(g.words_of_span(2, 12), vec![0, 1]);
        assert!(g.same_line(0) && g.same_line(1) && !g.same_line(3));
    }

    #[test]
    fn barely_touching_words_stay_on_separate_lines() {
        let words = vec![w("upper", 0, 0, 50, 16), w("lower", 0, 14, 50, 16)];
        assert_eq!(join(&words).text, "upper\nlower");
    }
}
