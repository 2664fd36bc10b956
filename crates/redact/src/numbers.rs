//! Numbers: payment cards, US social security numbers and phone numbers.
//!
//! The automaton reports one *run*: digit groups separated by short runs of
//! ` .-/()`, optionally led by `+` or `(`. This module splits the run into
//! groups and looks, from each group on, for an SSN, then a card, then a
//! phone number. Trying every start group keeps numbers that are glued to
//! other numbers (`Ref 2024 4111 1111 1111 1111`) findable. The work per
//! start group is bounded (a card spans at most 19 groups, a phone at most
//! 6), so a run is classified in time linear in its length.

use crate::kind::Kind;
use crate::patterns::MAX_GROUPS;
use crate::validate;

/// One digit group of a run.
#[derive(Clone, Copy, Debug)]
struct Group {
    /// Byte range of the group in the haystack.
    start: usize,
    end: usize,
    /// Range of its normalised digits in the digit buffer.
    d0: usize,
    d1: usize,
}

impl Group {
    fn len(&self) -> usize {
        self.d1 - self.d0
    }
}

/// A parsed run.
struct Run<'h> {
    hay: &'h [u8],
    plus: bool,
    /// Byte offset where the run starts (at `+` or `(` if present).
    start: usize,
    groups: Vec<Group>,
    digits: Vec<u8>,
}

impl Run<'_> {
    /// Separator bytes between group `i - 1` and group `i` (for `i == 0`,
    /// whatever precedes the first group inside the run).
    fn sep_before(&self, i: usize) -> &[u8] {
        if i == 0 {
            &self.hay[self.start..self.groups[0].start]
        } else {
            &self.hay[self.groups[i - 1].end..self.groups[i].start]
        }
    }

    fn digits_of(&self, i: usize) -> &[u8] {
        let g = self.groups[i];
        &self.digits[g.d0..g.d1]
    }

    fn window_digits(&self, i: usize, j: usize) -> &[u8] {
        &self.digits[self.groups[i].d0..self.groups[j].d1]
    }

    /// Start byte of a window beginning at group `i`: includes a leading
    /// `+` or `(` of the run, or an opening parenthesis right before it.
    fn window_start(&self, i: usize) -> usize {
        if i == 0 {
            return self.start;
        }
        let g = self.groups[i];
        if g.start > 0 && self.hay[g.start - 1] == b'(' {
            g.start - 1
        } else {
            g.start
        }
    }

    /// True when the window ending at group `j` is not glued to letters or
    /// further digits-with-dots (`2.5`) after it.
    fn clean_end(&self, j: usize) -> bool {
        let end = self.groups[j].end;
        match self.hay.get(end) {
            None => true,
            Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => false,
            Some(b'.') | Some(b',') => {
                !matches!(self.hay.get(end + 1), Some(c) if c.is_ascii_digit())
            }
            Some(_) => true,
        }
    }
}

/// Result of classifying a run: what was found (absolute byte range and
/// kind), and where the scan should continue.
pub struct NumberVerdict {
    pub found: Option<(usize, usize, Kind)>,
    pub resume: usize,
}

/// Classifies the run at `hay[start..end]`.
pub fn classify(
    hay: &[u8],
    start: usize,
    end: usize,
    ocr: bool,
    phone_context: impl Fn(usize) -> bool,
) -> NumberVerdict {
    // Nothing this module accepts has fewer than seven digits.
    if hay[start..end]
        .iter()
        .filter(|b| b.is_ascii_digit())
        .count()
        < 7
    {
        return NumberVerdict {
            found: None,
            resume: end,
        };
    }
    let Some(run) = parse(hay, start, end, ocr) else {
        return NumberVerdict {
            found: None,
            resume: end,
        };
    };
    let n = run.groups.len();
    // A run cut short by the automaton's group bound continues in the next
    // candidate, which starts early enough to hold any card or phone
    // number that straddles the cut.
    let truncated = n >= MAX_GROUPS;
    let last_start = if truncated { n - OVERLAP } else { n };
    for i in 0..last_start {
        if let Some(j) = ssn_at(&run, i) {
            return found(&run, i, j, Kind::Ssn);
        }
        if let Some(j) = card_at(&run, i) {
            return found(&run, i, j, Kind::Card);
        }
        if let Some(j) = phone_at(&run, i, &phone_context) {
            return found(&run, i, j, Kind::Phone);
        }
    }
    let resume = if truncated {
        run.groups[last_start].start
    } else {
        end
    };
    NumberVerdict {
        found: None,
        resume,
    }
}

/// Groups a chunk shares with the next one: the most a card can span.
const OVERLAP: usize = 19;

fn found(run: &Run<'_>, i: usize, j: usize, kind: Kind) -> NumberVerdict {
    let end = run.groups[j].end;
    NumberVerdict {
        found: Some((run.window_start(i), end, kind)),
        resume: end,
    }
}

fn normalise(c: u8, ocr: bool) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c),
        b'O' | b'o' if ocr => Some(b'0'),
        b'l' | b'I' if ocr => Some(b'1'),
        _ => None,
    }
}

fn parse(hay: &[u8], start: usize, end: usize, ocr: bool) -> Option<Run<'_>> {
    let mut run = Run {
        hay,
        plus: hay[start] == b'+',
        start,
        groups: Vec::new(),
        digits: Vec::with_capacity(end - start),
    };
    let mut i = start;
    while i < end {
        let c = hay[i];
        if let Some(d) = normalise(c, ocr) {
            let g_start = i;
            let d0 = run.digits.len();
            let mut real = 0usize;
            while i < end {
                match normalise(hay[i], ocr) {
                    Some(d) => {
                        real += usize::from(hay[i].is_ascii_digit());
                        run.digits.push(d);
                        i += 1;
                    }
                    None => break,
                }
            }
            let _ = d;
            if real == 0 {
                // A group made only of look-alike letters ends the run.
                run.digits.truncate(d0);
                break;
            }
            run.groups.push(Group {
                start: g_start,
                end: i,
                d0,
                d1: run.digits.len(),
            });
        } else {
            i += 1;
        }
    }
    if run.groups.is_empty() {
        None
    } else {
        Some(run)
    }
}

fn num(d: &[u8]) -> u32 {
    d.iter().fold(0, |a, &c| a * 10 + u32::from(c - b'0'))
}

fn ssn_at(run: &Run<'_>, i: usize) -> Option<usize> {
    if i + 2 >= run.groups.len() || (i == 0 && run.plus) {
        return None;
    }
    let (a, b, c) = (run.digits_of(i), run.digits_of(i + 1), run.digits_of(i + 2));
    if a.len() != 3 || b.len() != 2 || c.len() != 4 {
        return None;
    }
    let (s1, s2) = (run.sep_before(i + 1), run.sep_before(i + 2));
    if s1.len() != 1 || s1 != s2 || !(s1 == b"-" || s1 == b" ") {
        return None;
    }
    if !run.clean_end(i + 2) || (i + 3 < run.groups.len() && run.sep_before(i + 3) == s1) {
        return None;
    }
    validate::ssn(num(a), num(b), num(c)).then_some(i + 2)
}

fn card_at(run: &Run<'_>, i: usize) -> Option<usize> {
    if i == 0 && (run.plus || run.start != run.groups[0].start) {
        return None;
    }
    if i > 0 && run.hay[run.groups[i].start - 1] == b'(' {
        return None;
    }
    let mut best = None;
    let mut total = 0;
    for j in i..run.groups.len() {
        if j > i {
            let sep = run.sep_before(j);
            if sep.len() != 1 || !(sep[0] == b' ' || sep[0] == b'-') {
                break;
            }
        }
        total += run.groups[j].len();
        if total > 19 {
            break;
        }
        if total >= 12 && run.clean_end(j) && validate::card(run.window_digits(i, j)) {
            best = Some(j);
        }
    }
    best
}

/// Two or three consecutive groups that read as a calendar date.
fn looks_like_date(run: &Run<'_>, i: usize, j: usize) -> bool {
    for k in i..=j.saturating_sub(2) {
        if k + 2 > j {
            break;
        }
        let lens = [
            run.groups[k].len(),
            run.groups[k + 1].len(),
            run.groups[k + 2].len(),
        ];
        let year = |g: usize| {
            let d = run.digits_of(g);
            d.len() == 4 && (d.starts_with(b"19") || d.starts_with(b"20"))
        };
        let small = |g: usize| run.groups[g].len() <= 2 && num(run.digits_of(g)) <= 31;
        if (lens[0] == 4 && year(k) && small(k + 1) && small(k + 2))
            || (lens[2] == 4 && year(k + 2) && small(k) && small(k + 1))
        {
            return true;
        }
    }
    false
}

fn phone_at(run: &Run<'_>, i: usize, context: &impl Fn(usize) -> bool) -> Option<usize> {
    let n = run.groups.len();
    let max_j = (i + 5).min(n - 1);
    // Separators inside a phone number are short.
    let mut last = i;
    while last < max_j {
        let sep = run.sep_before(last + 1);
        if sep.len() > 2 || sep.contains(&b'.') && sep.len() > 1 {
            break;
        }
        last += 1;
    }
    let mut lens_buf = [0usize; 6];
    for (k, g) in (i..=last).enumerate() {
        lens_buf[k] = run.groups[g].len();
    }
    let lens = &lens_buf[..=last - i];
    let first = run.digits_of(i);

    // International: +CC ...
    if i == 0 && run.plus {
        let mut best = None;
        let mut total = 0;
        for (k, len) in lens.iter().enumerate() {
            total += len;
            if total > 15 {
                break;
            }
            if total >= 8 && run.clean_end(i + k) {
                best = Some(i + k);
            }
        }
        if lens[0] > 3 && lens.len() > 1 {
            return None;
        }
        return best;
    }

    // North American: (415) 555-2671, 415-555-2671, 1 415 555 2671.
    let nanp = |a: usize| -> Option<usize> {
        if a + 2 > last {
            return None;
        }
        let (area, exch) = (run.digits_of(a), run.digits_of(a + 1));
        if run.groups[a].len() != 3 || run.groups[a + 1].len() != 3 || run.groups[a + 2].len() != 4
        {
            return None;
        }
        if area[0] < b'2' || exch[0] < b'2' || !run.clean_end(a + 2) {
            return None;
        }
        let s1 = run.sep_before(a + 1);
        let s2 = run.sep_before(a + 2);
        let paren = s1.first() == Some(&b')');
        let ok = if paren {
            s2.len() == 1 && (s2[0] == b'-' || s2[0] == b' ' || s2[0] == b'.')
        } else {
            s1.len() == 1 && s1 == s2 && matches!(s1[0], b'-' | b' ' | b'.')
        };
        ok.then_some(a + 2)
    };
    if first == b"1"
        && lens.len() >= 4
        && let Some(j) = nanp(i + 1)
    {
        return Some(j);
    }
    if let Some(j) = nanp(i) {
        return Some(j);
    }

    // National with trunk prefix 0 (UK, DE, FR, ...): 020 7946 0958,
    // 07700 900123, 030 12345678, 01 23 45 67 89.
    if first.len() >= 2 && first[0] == b'0' && first[1] != b'0' && first.len() <= 5 {
        let mut total = 0;
        let mut best = None;
        for (k, &len) in lens.iter().enumerate() {
            if !(2..=8).contains(&len) {
                break;
            }
            total += len;
            if total > 12 {
                break;
            }
            if k >= 1 && total >= 10 && run.clean_end(i + k) && !looks_like_date(run, i, i + k) {
                best = Some(i + k);
            }
        }
        if best.is_some() {
            return best;
        }
    }

    // Anything else needs a word like "phone" or "call" just before it.
    if context(run.window_start(i)) {
        let mut total = 0;
        let mut best = None;
        for (k, &len) in lens.iter().enumerate() {
            total += len;
            if total > 15 {
                break;
            }
            if total >= 7 && run.clean_end(i + k) && !looks_like_date(run, i, i + k) {
                best = Some(i + k);
            }
        }
        return best;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(s: &str) -> Option<(Kind, &str)> {
        let v = classify(s.as_bytes(), 0, s.len(), false, |_| false);
        v.found.map(|(a, b, k)| (k, &s[a..b]))
    }

    #[test]
    fn runs() {
        assert_eq!(
            kind_of("4111 1111 1111 1111"),
            Some((Kind::Card, "4111 1111 1111 1111"))
        );
        assert_eq!(
            kind_of("4111 111111111111"),
            Some((Kind::Card, "4111 111111111111"))
        );
        assert_eq!(
            kind_of("2024 4111-1111-1111-1111"),
            Some((Kind::Card, "4111-1111-1111-1111"))
        );
        assert_eq!(kind_of("4111 1111 1111 1112"), None);
        assert_eq!(kind_of("123-45-6789"), Some((Kind::Ssn, "123-45-6789")));
        assert_eq!(kind_of("666-45-6789"), None);
        assert_eq!(
            kind_of("(415) 555-2671"),
            Some((Kind::Phone, "(415) 555-2671"))
        );
        assert_eq!(kind_of("415-555-2671"), Some((Kind::Phone, "415-555-2671")));
        assert_eq!(
            kind_of("+44 20 7946 0958"),
            Some((Kind::Phone, "+44 20 7946 0958"))
        );
        assert_eq!(
            kind_of("020 7946 0958"),
            Some((Kind::Phone, "020 7946 0958"))
        );
        assert_eq!(
            kind_of("01 23 45 67 89"),
            Some((Kind::Phone, "01 23 45 67 89"))
        );
        assert_eq!(kind_of("2024-01-15"), None);
        assert_eq!(kind_of("1234567890"), None);
    }
}
