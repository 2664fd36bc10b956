//! Numbers: payment cards, US social security numbers and phone numbers.
//!
//! A [`RunFinder`] finds one *run* at a time: digit groups separated by
//! short runs of ` .-/()`, optionally led by `+` or `(` (the `number`
//! pattern in [`crate::patterns::pattern`]; the finder reports exactly its
//! matches, without the combined automaton, which would otherwise stop at
//! every number in a text). [`classify`] then splits the run into
//! groups and looks, from each group on, for an SSN, then a card, then a
//! phone number. Trying every start group keeps numbers that are glued to
//! other numbers (`Ref 2024 4111 1111 1111 1111`) findable. The work per
//! start group is bounded (a card spans at most 19 groups, a phone at most
//! 6), so a run is classified in time linear in its length.

use crate::kind::Kind;
use crate::patterns::MAX_GROUPS;
use crate::swar::{LO, between, equal};
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
    check_digits: bool,
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
        if let Some(j) = card_at(&run, i, check_digits) {
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

/// The last group of the longest card starting at group `i`; with
/// `check_digits` (see [`crate::Config::check_digits`]) it must pass
/// Luhn, else be grouped as cards are printed.
fn card_at(run: &Run<'_>, i: usize, check_digits: bool) -> Option<usize> {
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
        let digits = run.window_digits(i, j);
        let card = if check_digits {
            validate::card(digits)
        } else {
            validate::card_network(digits).is_some() && printed_like_a_card(run, i, j)
        };
        if total >= 12 && run.clean_end(j) && card {
            best = Some(j);
        }
    }
    best
}

/// Whether groups `i..=j` are grouped the way cards are printed: one
/// unbroken number, fours (the last group may be shorter: 13 and 19
/// digits), or 4-6-5 / 4-6-4 (Amex, Diners). Without check digits this
/// is what keeps a row of numbers (`401 402 403 404 405`) from being a
/// card.
fn printed_like_a_card(run: &Run<'_>, i: usize, j: usize) -> bool {
    let lens: Vec<usize> = run.groups[i..=j].iter().map(Group::len).collect();
    let fours = lens[..lens.len() - 1].iter().all(|&l| l == 4) && lens[lens.len() - 1] <= 4;
    lens.len() == 1 || fours || lens == [4, 6, 5] || lens == [4, 6, 4]
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

// ---------------------------------------------------------------------------
// Finding runs

/// Separator bytes inside a run: `[ .\-/()]`.
fn sep(b: u8) -> bool {
    matches!(b, b' ' | b'.' | b'-' | b'/' | b'(' | b')')
}

/// A digit after the first one of a run (`[0-9]`, or `[0-9OolI]` for OCR
/// text).
fn digit(b: u8, ocr: bool) -> bool {
    b.is_ascii_digit() || (ocr && matches!(b, b'O' | b'o' | b'l' | b'I'))
}

/// ASCII word byte, as `\b` sees it.
fn word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Longest run of `digit` bytes at `p`, at most `max`.
fn digits_at(hay: &[u8], p: usize, max: usize, ocr: bool) -> usize {
    let end = hay.len().min(p + max);
    hay[p..end].iter().take_while(|&&b| digit(b, ocr)).count()
}

/// Finds number runs, the leftmost-first matches of
///
/// ```text
/// (?:\+[ ]?\(?|\(|\b)(?:[0-9]D{6,40}(?:S{1,3}D{1,40}){0,47}|[0-9]D{0,40}(?:S{1,3}D{1,40}){1,47})
/// ```
///
/// with `S = [ .\-/()]` and `D` the digits. Every repetition is greedy and
/// the byte classes are disjoint, so the match is found without
/// backtracking: the body starts at a digit after a non-word byte, takes
/// as many digits as it may and then as many groups as follow; the start
/// is the leftmost of the `+`, `+ `, `+(`, `+ (` or `(` before the body
/// that lies at or after the scan position. Like the anchored finders in
/// [`crate::anchors`], it keeps its last answer, so asking again from a
/// position before that answer costs nothing.
#[derive(Debug, Default)]
pub struct RunFinder {
    /// Last answer: start, start of its body, end of the body's first
    /// digits, and the end once asked for ([`RunFinder::end`]).
    cand: Option<(usize, usize, usize, Option<usize>)>,
    done: bool,
}

impl RunFinder {
    /// Start of the leftmost run starting at or after `pos`. Its end costs
    /// up to the run's length and is only worked out when the run is the
    /// scanner's next candidate ([`RunFinder::end`]); another detector
    /// often wins at the same start (`1.2.3.4` is an address).
    pub fn next(&mut self, hay: &[u8], pos: usize, ocr: bool, work: &mut u64) -> Option<usize> {
        if let Some((s, q, e1, end)) = self.cand {
            if s >= pos {
                return Some(s);
            }
            self.cand = None;
            if q >= pos {
                let s = run_start(hay, q, pos);
                self.cand = Some((s, q, e1, end));
                return Some(s);
            }
        }
        if self.done {
            return None;
        }
        let mut q = pos;
        while let Some(d) = next_body_start(hay, q) {
            *work += (d - q + 1) as u64;
            q = d;
            if let Some(e1) = body_opens(hay, q, ocr, work) {
                let s = run_start(hay, q, pos);
                self.cand = Some((s, q, e1, None));
                return Some(s);
            }
            q += 1;
        }
        *work += (hay.len() - q) as u64;
        self.done = true;
        None
    }

    /// End of the run last returned by [`RunFinder::next`].
    pub fn end(&mut self, hay: &[u8], ocr: bool, work: &mut u64) -> Option<usize> {
        let (s, _, e1, end) = self.cand.as_mut()?;
        let e = *end.get_or_insert_with(|| body_end(hay, *e1, ocr));
        *work += (e - *s) as u64;
        Some(e)
    }
}

/// Per byte of `x`, the high bit set where the byte is a word byte
/// (`[A-Za-z0-9_]`).
#[inline]
fn word_bytes(x: u64) -> u64 {
    between(x, b'0', b'9') | between(x | (LO * 0x20), b'a', b'z') | equal(x, b'_')
}

/// Position of the first digit at or after `from` that follows a non-word
/// byte (or starts the text): where a run body can start. Eight bytes at
/// a time.
fn next_body_start(hay: &[u8], from: usize) -> Option<usize> {
    let n = hay.len();
    let mut i = from;
    // Whether the byte before `i` is a word byte, as the high bit of the
    // lowest byte.
    let mut carry = if i > 0 && word(hay[i - 1]) { 0x80 } else { 0 };
    while i + 8 <= n {
        let x = u64::from_le_bytes(hay[i..i + 8].try_into().expect("eight bytes"));
        let w = word_bytes(x);
        let starts = between(x, b'0', b'9') & !((w << 8) | carry);
        if starts != 0 {
            return Some(i + (starts.trailing_zeros() / 8) as usize);
        }
        carry = w >> 56;
        i += 8;
    }
    (i..n).find(|&j| hay[j].is_ascii_digit() && (j == 0 || !word(hay[j - 1])))
}

/// Leftmost start at or after `pos` of a run whose body starts at `q`.
fn run_start(hay: &[u8], q: usize, pos: usize) -> usize {
    let before = |k: usize, what: &[u8]| q >= k && q - k >= pos && &hay[q - k..q] == what;
    if before(3, b"+ (") {
        q - 3
    } else if before(2, b"+ ") || before(2, b"+(") {
        q - 2
    } else if before(1, b"+") || before(1, b"(") {
        q - 1
    } else {
        q
    }
}

/// If a run body starts with the digit at `q`: the end of its first
/// digits. A body has at least seven digits there, or a group after them.
fn body_opens(hay: &[u8], q: usize, ocr: bool, work: &mut u64) -> Option<usize> {
    let first = digits_at(hay, q + 1, 40, ocr);
    let e1 = q + 1 + first;
    *work += first as u64 + 1;
    (first >= 6 || group_at(hay, e1, ocr, work).is_some()).then_some(e1)
}

/// End of a run body whose first digits end at `e1`: as many groups as
/// follow, at most `MAX_GROUPS - 1`.
fn body_end(hay: &[u8], e1: usize, ocr: bool) -> usize {
    let mut e = e1;
    for _ in 0..MAX_GROUPS - 1 {
        match group_at(hay, e, ocr, &mut 0) {
            Some(next) => e = next,
            None => break,
        }
    }
    e
}

/// End of the group (`S{1,3}D{1,40}`) at `e`, if one follows.
fn group_at(hay: &[u8], e: usize, ocr: bool, work: &mut u64) -> Option<usize> {
    let s = hay[e..hay.len().min(e + 4)]
        .iter()
        .take_while(|&&b| sep(b))
        .count();
    *work += 1;
    if s == 0 || s > 3 {
        return None;
    }
    let d = digits_at(hay, e + s, 40, ocr);
    *work += d as u64;
    (d > 0).then_some(e + s + d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(s: &str) -> Option<(Kind, &str)> {
        let v = classify(s.as_bytes(), 0, s.len(), false, true, |_| false);
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

    fn run(t: &str, ocr: bool) -> Option<&str> {
        let mut f = RunFinder::default();
        let s = f.next(t.as_bytes(), 0, ocr, &mut 0)?;
        let e = f.end(t.as_bytes(), ocr, &mut 0)?;
        Some(&t[s..e])
    }

    #[test]
    fn run_finder_true_and_false() {
        assert_eq!(
            run("call +1 (415) 555-2671 now", false),
            Some("+1 (415) 555-2671")
        );
        assert_eq!(
            run("pay 4111 1111 1111 1111.", false),
            Some("4111 1111 1111 1111")
        );
        assert_eq!(run("id (1234567)", false), Some("(1234567"));
        assert_eq!(run("+ (12) 3", false), Some("+ (12) 3"));
        assert_eq!(run("v1.2 at 1.2", false), Some("1.2"));
        // Short numbers without a group, numbers inside words, groups
        // after more than three separators.
        assert_eq!(run("12345 x", false), None);
        assert_eq!(run("abc1234567 x_123 4", false), None);
        assert_eq!(run("12 -- 34", false), None);
        // OCR look-alikes continue a run but never start one.
        assert_eq!(
            run("4111 1111 1111 111l", true),
            Some("4111 1111 1111 111l")
        );
        assert_eq!(
            run("4111 1111 1111 111l", false),
            Some("4111 1111 1111 111")
        );
        assert_eq!(run("lO 12", true), None);
    }

    #[test]
    fn body_starts_match_a_plain_loop() {
        let text = "a1 _2 (3 x+4 é5 9z 10-11 \u{7f}6 Z7 z8 `9 [0 {1 /2 :3 @4 05";
        let hay = text.as_bytes();
        for from in 0..=hay.len() {
            let want = (from..hay.len())
                .find(|&j| hay[j].is_ascii_digit() && (j == 0 || !word(hay[j - 1])));
            assert_eq!(next_body_start(hay, from), want, "from {from}");
        }
        let all: Vec<u8> = (0..=255u8).flat_map(|b| [b, b'1']).collect();
        for from in 0..all.len() {
            let want = (from..all.len())
                .find(|&j| all[j].is_ascii_digit() && (j == 0 || !word(all[j - 1])));
            assert_eq!(next_body_start(&all, from), want, "from {from}");
        }
    }

    #[test]
    fn run_finder_matches_its_regex() {
        use crate::anchors::tests::compare;
        use crate::patterns::Det;
        let pieces = [
            "1",
            "12",
            "123",
            "1234",
            "12345678",
            "0",
            " ",
            " ",
            "  ",
            "   ",
            ".",
            "-",
            "/",
            "(",
            ")",
            "+",
            "+ ",
            "+(",
            "a",
            "_",
            "O",
            "o",
            "l",
            "I",
            "x1",
            "\n",
            "é",
            "1111111111111111111111111111111111111111111",
        ];
        for ocr in [false, true] {
            let f = std::cell::RefCell::new(RunFinder::default());
            compare(
                Det::Number,
                ocr,
                &pieces,
                |h, p, w| {
                    let mut f = f.borrow_mut();
                    let s = f.next(h, p, ocr, w)?;
                    Some((s, f.end(h, ocr, w)?))
                },
                &mut || *f.borrow_mut() = RunFinder::default(),
            );
        }
    }
}
