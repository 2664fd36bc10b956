//! Detectors found from fixed anchors instead of by the combined automaton.
//!
//! Three detectors can start at almost any word boundary and carry long
//! counted repetitions: e-mail addresses, `key = value` secret assignments
//! and bare 40-character AWS secret keys. Inside the combined automaton
//! they multiply its states; found here, each costs a fast scan for a rare
//! anchor and a bounded look-around:
//!
//! * e-mail: every `@` (`memchr`), a look-back of at most 64 bytes for the
//!   local part and a forward parse of at most 8 labels and a TLD;
//! * assignment: every keyword occurrence (`password`, `secret`, `token`,
//!   `api_key` … one Aho-Corasick search), a look-back of at most 81 bytes
//!   for the rest of the key and a forward parse of operator and value;
//! * AWS secret: one byte-class pass reporting runs of exactly 40
//!   `[A-Za-z0-9/+]` bytes between delimiters.
//!
//! Each finder reports, for a scan position `pos`, exactly the leftmost
//! match at or after `pos` that its regular expression in
//! [`crate::patterns::pattern`] would report (same start, same end; the
//! tests compare both on random text), so the scanner's results do not
//! depend on where a detector runs. A finder keeps its last answer and its
//! scan cursor: asked again with a larger `pos`, it continues rather than
//! starting over, so a whole scan stays linear. The bytes each finder
//! examines are added to a work counter ([`crate::ScanStats::anchor_bytes`]).

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// ASCII word byte, as `\b` sees it.
#[inline]
fn word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `\b` at `i` (ASCII).
#[inline]
fn boundary(hay: &[u8], i: usize) -> bool {
    let before = i > 0 && word(hay[i - 1]);
    let after = i < hay.len() && word(hay[i]);
    before != after
}

/// A 256-entry byte-class table from a `const` predicate on `b`.
macro_rules! table {
    (|$b:ident| $test:expr) => {{
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            let $b = i as u8;
            t[i] = $test;
            i += 1;
        }
        t
    }};
}

/// Bytes of an e-mail local part: `[A-Za-z0-9._%+\-]`.
static LOCAL: [bool; 256] =
    table!(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-'));
/// Bytes of a domain label: `[A-Za-z0-9\-]`.
static LABEL: [bool; 256] = table!(|b| b.is_ascii_alphanumeric() || b == b'-');
/// Bytes of an assignment key: `[A-Za-z0-9_.\-]`.
static KEY: [bool; 256] = table!(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
/// Bytes of an AWS secret key: `[A-Za-z0-9/+]`.
static AWS: [bool; 256] = table!(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+');
/// Bytes that may not touch an AWS secret key: `[A-Za-z0-9/+=_\-]`.
static AWS_NEAR: [bool; 256] =
    table!(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+' | b'=' | b'_' | b'-'));
/// Bytes that end an unquoted assignment value: `[\s"'<>,;]`.
static VALUE_STOP: [bool; 256] = table!(|b| matches!(
    b,
    b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | b'"' | b'\'' | b'<' | b'>' | b',' | b';'
));

// ---------------------------------------------------------------------------
// E-mail

/// Finds e-mail candidates:
/// `\b[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@(?:[A-Za-z0-9\-]{1,63}\.){1,8}[A-Za-z]{2,24}\b`.
#[derive(Debug, Default)]
pub struct EmailFinder {
    /// Last answer: start, end, position of its `@`.
    cand: Option<(usize, usize, usize)>,
    /// Every `@` before this has been looked at.
    from: usize,
    done: bool,
}

impl EmailFinder {
    /// The leftmost candidate starting at or after `pos`.
    pub fn next(&mut self, hay: &[u8], pos: usize, work: &mut u64) -> Option<(usize, usize)> {
        if let Some((s, e, at)) = self.cand {
            if s >= pos {
                return Some((s, e));
            }
            self.cand = None;
            // The same `@` may still have a later start at or after `pos`;
            // its domain (and so the end) does not depend on the start.
            if let Some(s) = email_start(hay, at, pos, work) {
                self.cand = Some((s, e, at));
                return Some((s, e));
            }
        }
        if self.done {
            return None;
        }
        let mut from = self.from.max(pos + 1);
        while from < hay.len() {
            let Some(off) = memchr::memchr(b'@', &hay[from..]) else {
                break;
            };
            let at = from + off;
            from = at + 1;
            self.from = from;
            *work += 1;
            let Some(s) = email_start(hay, at, pos, work) else {
                continue;
            };
            if let Some(e) = email_domain_end(hay, at, work) {
                self.cand = Some((s, e, at));
                return Some((s, e));
            }
        }
        self.from = hay.len();
        self.done = true;
        None
    }
}

/// Leftmost start at or after `pos` of a local part ending at the `@` at
/// `at`: an alphanumeric byte at a word boundary followed by local-part
/// bytes, at most 64 bytes in all.
fn email_start(hay: &[u8], at: usize, pos: usize, work: &mut u64) -> Option<usize> {
    let lo = pos.max(at.saturating_sub(64));
    let mut i = at;
    while i > lo && LOCAL[hay[i - 1] as usize] {
        i -= 1;
    }
    *work += (at - i) as u64;
    (i..at).find(|&s| hay[s].is_ascii_alphanumeric() && (s == 0 || !word(hay[s - 1])))
}

/// End of the domain after the `@` at `at`: as many labels as possible
/// (one to eight, each 1–63 bytes and a dot), then a 2–24 letter TLD at a
/// word boundary.
fn email_domain_end(hay: &[u8], at: usize, work: &mut u64) -> Option<usize> {
    let n = hay.len();
    let mut p = at + 1;
    let mut best = None;
    for _ in 0..8 {
        let mut q = p;
        while q < n && q - p < 64 && LABEL[hay[q] as usize] {
            q += 1;
        }
        *work += (q - p + 1) as u64;
        if q == p || q - p > 63 || q >= n || hay[q] != b'.' {
            break;
        }
        p = q + 1;
        let mut t = p;
        while t < n && t - p < 25 && hay[t].is_ascii_alphabetic() {
            t += 1;
        }
        if (2..=24).contains(&(t - p)) && (t == n || !word(hay[t])) {
            best = Some(t);
        }
    }
    best
}

// ---------------------------------------------------------------------------
// Assignments

/// The assignment keywords with every spelling of their optional separator.
const KEYWORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "secretkey",
    "token",
    "apikey",
    "api_key",
    "api.key",
    "api-key",
    "accesskey",
    "access_key",
    "access.key",
    "access-key",
    "privatekey",
    "private_key",
    "private.key",
    "private-key",
    "auth",
    "authorization",
    "credential",
    "credentials",
    "sessionid",
    "session_id",
    "session.id",
    "session-id",
    "cookie",
];

/// Letter pairs of which every keyword holds at least one (case-insensitive;
/// checked by a test): a key with none of them holds no keyword, which
/// most keys (`level`, `time`, `user_id`) show before the keyword automaton
/// is run.
const KEYWORD_PAIRS: &[&[u8; 2]] = &[
    b"sw", b"ph", b"pw", b"cr", b"ok", b"pi", b"cc", b"iv", b"au", b"ss",
];

/// For each lower-case first letter, the second letters of
/// [`KEYWORD_PAIRS`] as a bit mask (bit `c - b'a'`).
static PAIR_MASKS: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < KEYWORD_PAIRS.len() {
        let [a, b] = *KEYWORD_PAIRS[i];
        t[a as usize] |= 1 << (b - b'a');
        i += 1;
    }
    t
};

/// Whether `key` may hold a keyword: one of [`KEYWORD_PAIRS`] occurs in it.
fn may_hold_keyword(key: &[u8]) -> bool {
    key.windows(2).any(|w| {
        let b = w[1].to_ascii_lowercase();
        b.is_ascii_lowercase()
            && PAIR_MASKS[w[0].to_ascii_lowercase() as usize] & (1 << (b - b'a')) != 0
    })
}

/// Most key bytes before the keyword, and after it.
const KEY_BEFORE: usize = 40;
const KEY_AFTER: usize = 30;
/// Longest keyword.
const KEYWORD_MAX: usize = 13;

/// The keyword automaton, built once per scanner.
#[derive(Clone, Debug)]
pub struct AssignmentKeywords {
    /// Every occurrence (overlapping), inside one key.
    all: AhoCorasick,
    /// Ask that a keyword ends a word of the key (see [`keyword_ends_word`]).
    /// Off only to compare with the plain regular expression in tests.
    pub whole_word: bool,
}

/// Whether a keyword occurrence ending at `b` ends a word of the key
/// ending at `r`: the key ends there, or a separator, a digit or (after a
/// lower-case letter) a camel-case capital follows; a plural `s` may come
/// first. So `author`, `tokenizer` and `secretary` are no keys, while
/// `api_key_2`, `accessTokenValue` and `passwords` are.
pub fn keyword_ends_word(hay: &[u8], b: usize, r: usize) -> bool {
    let ends = |b: usize| {
        b >= r
            || !hay[b].is_ascii_alphabetic()
            || (hay[b].is_ascii_uppercase() && hay[b - 1].is_ascii_lowercase())
    };
    ends(b) || (matches!(hay[b], b's' | b'S') && ends(b + 1))
}

impl AssignmentKeywords {
    pub fn new() -> Result<AssignmentKeywords, aho_corasick::BuildError> {
        let all = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(KEYWORDS)?;
        Ok(AssignmentKeywords {
            all,
            whole_word: true,
        })
    }
}

/// Finds assignment candidates: `\b(?i:[a-z0-9_.\-]{0,40}KEYWORD[a-z0-9_.\-]{0,30})`
/// followed by an operator and a value (see [`assignment_tail`]).
///
/// The anchor is the operator (`:` or `=`, found with `memchr2`): the key
/// ends before it, after at most four blanks and a quote, and must hold a
/// keyword. Every operator byte is looked at once; keys and values are
/// bounded or, for unquoted values, remembered (a value's end is where its
/// byte class ends, whatever byte of it the parse starts from).
#[derive(Debug)]
pub struct AssignmentFinder {
    /// Last answer: start, end, end of its key.
    cand: Option<(usize, usize, usize)>,
    /// Every operator before this has been looked at.
    from: usize,
    done: bool,
    /// `hay[stop.0..stop.1]` holds no byte that ends an unquoted value.
    stop: (usize, usize),
}

impl Default for AssignmentFinder {
    fn default() -> AssignmentFinder {
        AssignmentFinder {
            cand: None,
            from: 0,
            done: false,
            stop: (usize::MAX, 0),
        }
    }
}

impl AssignmentFinder {
    /// The leftmost candidate starting at or after `pos`.
    pub fn next(
        &mut self,
        kw: &AssignmentKeywords,
        hay: &[u8],
        pos: usize,
        work: &mut u64,
    ) -> Option<(usize, usize)> {
        if let Some((s, e, r)) = self.cand {
            if s >= pos {
                return Some((s, e));
            }
            self.cand = None;
            // A later start in the same key, with the same value.
            if pos < r
                && let Some(s) = key_start(kw, hay, pos, r, work)
            {
                self.cand = Some((s, e, r));
                return Some((s, e));
            }
        }
        if self.done {
            return None;
        }
        let mut from = self.from.max(pos);
        while from < hay.len() {
            let Some(off) = memchr::memchr2(b':', b'=', &hay[from..]) else {
                break;
            };
            let o = from + off;
            from = o + 1;
            self.from = from;
            // Back over up to four blanks and an optional quote.
            let mut r = o;
            while o - r < 4 && r > 0 && matches!(hay[r - 1], b' ' | b'\t') {
                r -= 1;
            }
            if r > 0 && matches!(hay[r - 1], b'"' | b'\'') {
                r -= 1;
            }
            *work += (o - r + 1) as u64;
            if r <= pos || !KEY[hay[r - 1] as usize] {
                continue;
            }
            let Some(s) = key_start(kw, hay, pos, r, work) else {
                continue;
            };
            if let Some(e) = assignment_tail(hay, r, &mut self.stop, work) {
                self.cand = Some((s, e, r));
                return Some((s, e));
            }
        }
        self.from = hay.len();
        self.done = true;
        None
    }
}

/// Leftmost start at or after `pos` of a key ending at `r`: at a word
/// boundary, inside the run of key bytes, with a keyword at most 40 bytes
/// after the start that ends at most 30 bytes before `r`.
fn key_start(
    kw: &AssignmentKeywords,
    hay: &[u8],
    pos: usize,
    r: usize,
    work: &mut u64,
) -> Option<usize> {
    let lo = pos.max(r.saturating_sub(KEY_BEFORE + KEYWORD_MAX + KEY_AFTER));
    let mut i = r;
    while i > lo && KEY[hay[i - 1] as usize] {
        i -= 1;
    }
    *work += 2 * (r - i) as u64;
    if r - i < 3 || !may_hold_keyword(&hay[i..r]) {
        return None; // shorter than any keyword, or none in it
    }
    // For each keyword that ends close enough to `r`, the leftmost
    // boundary at most 40 bytes before it; the smallest of those wins.
    let mut best: Option<usize> = None;
    for m in kw.all.find_overlapping_iter(&hay[i..r]) {
        let a = i + m.start();
        if i + m.end() + KEY_AFTER < r || (kw.whole_word && !keyword_ends_word(hay, i + m.end(), r))
        {
            continue;
        }
        let lo = a.saturating_sub(KEY_BEFORE).max(i);
        if best.is_some_and(|b| b <= lo) {
            continue;
        }
        if let Some(s) = (lo..=a).find(|&s| boundary(hay, s))
            && best.is_none_or(|b| s < b)
        {
            best = Some(s);
        }
    }
    best
}

/// End of the operator and value after a key ending at `r`, following
/// `["']?[ \t]{0,4}(?::=|=>|[:=])[ \t]{0,4}(?:(?i:bearer|basic|token)[ ]{1,4})?`
/// then `"…"` or `'…'` (1–256 bytes, one line) or a run of bytes other than
/// whitespace, quotes, `<>,;`; the first alternative that leads to a value
/// wins, as in the regular expression.
pub fn assignment_tail(
    hay: &[u8],
    r: usize,
    stop: &mut (usize, usize),
    work: &mut u64,
) -> Option<usize> {
    let n = hay.len();
    let mut p = r;
    if p < n && matches!(hay[p], b'"' | b'\'') {
        p += 1;
    }
    let mut k = 0;
    while k < 4 && p < n && matches!(hay[p], b' ' | b'\t') {
        p += 1;
        k += 1;
    }
    *work += (p - r + 1) as u64;
    let rest = &hay[p.min(n)..];
    if rest.starts_with(b":=") || rest.starts_with(b"=>") {
        if let Some(e) = after_operator(hay, p + 2, stop, work) {
            return Some(e);
        }
        return after_operator(hay, p + 1, stop, work);
    }
    match rest.first() {
        Some(b':' | b'=') => after_operator(hay, p + 1, stop, work),
        _ => None,
    }
}

fn after_operator(
    hay: &[u8],
    mut p: usize,
    stop: &mut (usize, usize),
    work: &mut u64,
) -> Option<usize> {
    let n = hay.len();
    let mut k = 0;
    while k < 4 && p < n && matches!(hay[p], b' ' | b'\t') {
        p += 1;
        k += 1;
    }
    for scheme in [&b"bearer"[..], b"basic", b"token"] {
        let end = p + scheme.len();
        if end < n && hay[p..end].eq_ignore_ascii_case(scheme) && hay[end] == b' ' {
            let mut q = end;
            while q < n && q - end < 4 && hay[q] == b' ' {
                q += 1;
            }
            *work += (q - p) as u64;
            if let Some(e) = value_end(hay, q, stop, work) {
                return Some(e);
            }
            break;
        }
    }
    value_end(hay, p, stop, work)
}

fn value_end(hay: &[u8], p: usize, stop: &mut (usize, usize), work: &mut u64) -> Option<usize> {
    let n = hay.len();
    let first = *hay.get(p)?;
    if first == b'"' || first == b'\'' {
        let limit = n.min(p + 1 + 257);
        let close = hay[p + 1..limit]
            .iter()
            .position(|&b| b == first || b == b'\r' || b == b'\n');
        *work += close.map_or(limit - p, |c| c + 2) as u64;
        let c = close?;
        return (hay[p + 1 + c] == first && (1..=256).contains(&c)).then_some(p + c + 2);
    }
    let q = if stop.0 <= p && p <= stop.1 {
        stop.1
    } else {
        let mut q = p;
        while q < n && !VALUE_STOP[hay[q] as usize] {
            q += 1;
        }
        *work += (q - p) as u64;
        *stop = (p, q);
        q
    };
    *work += 1;
    (q > p).then_some(q)
}

// ---------------------------------------------------------------------------
// AWS secret keys

/// Finds bare AWS secret key candidates:
/// `(?:^|[^A-Za-z0-9/+=_\-])[A-Za-z0-9/+]{40}(?:$|[^A-Za-z0-9/+=_\-])`,
/// delimiters included.
#[derive(Debug, Default)]
pub struct AwsSecretFinder {
    /// Last answer: start, end, end of its 40-byte run.
    cand: Option<(usize, usize, usize)>,
    /// Every run starting before this has been looked at.
    from: usize,
}

impl AwsSecretFinder {
    /// The leftmost candidate starting at or after `pos`.
    pub fn next(&mut self, hay: &[u8], pos: usize, work: &mut u64) -> Option<(usize, usize)> {
        if let Some((s, e, j)) = self.cand {
            if s >= pos {
                return Some((s, e));
            }
            self.cand = None;
            self.from = self.from.max(j);
        }
        let n = hay.len();
        let mut p = self.from.max(pos);
        // Keep `p == 0 || hay[p - 1]` outside the key alphabet, so that a
        // key byte at `p` starts a run.
        if p > 0 && p < n && AWS[hay[p - 1] as usize] {
            while p < n && AWS[hay[p] as usize] {
                p += 1;
            }
            *work += 1;
            p += 1;
        }
        let found = loop {
            // A run of 40 or more starting in `p..p + 40` covers `p + 39`:
            // one probe rules out 40 starts.
            let probe = p + 39;
            if probe >= n {
                p = n;
                break None;
            }
            *work += 1;
            if !AWS[hay[probe] as usize] {
                p = probe + 1;
                continue;
            }
            let mut run = probe;
            while run > p && AWS[hay[run - 1] as usize] {
                run -= 1;
            }
            let mut j = probe + 1;
            while j < n && AWS[hay[j] as usize] {
                j += 1;
            }
            *work += (j - run) as u64;
            p = j + 1;
            if j - run != 40 || (j < n && AWS_NEAR[hay[j] as usize]) {
                continue;
            }
            if run == 0 {
                if pos == 0 {
                    break Some((0, (j + 1).min(n), j));
                }
            } else if run > pos && !AWS_NEAR[hay[run - 1] as usize] {
                break Some((run - 1, (j + 1).min(n), j));
            }
        };
        self.from = p.min(n);
        self.cand = found;
        found.map(|(s, e, _)| (s, e))
    }
}

// ---------------------------------------------------------------------------
// Credentials in URLs

/// Bytes of a URL scheme after its first letter: `[A-Za-z0-9+.\-]`.
static SCHEME: [bool; 256] =
    table!(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'));
/// Bytes of a URL password: `[^\s/?#@"'<>]`.
static PASS: [bool; 256] = table!(|b| !matches!(
    b,
    b'\t'
        | b'\n'
        | 0x0b
        | 0x0c
        | b'\r'
        | b' '
        | b'/'
        | b'?'
        | b'#'
        | b'@'
        | b'"'
        | b'\''
        | b'<'
        | b'>'
));
/// Bytes of a URL user name: the password's bytes except `:`.
static USER: [bool; 256] = table!(|b| b != b':'
    && !matches!(
        b,
        b'\t'
            | b'\n'
            | 0x0b
            | 0x0c
            | b'\r'
            | b' '
            | b'/'
            | b'?'
            | b'#'
            | b'@'
            | b'"'
            | b'\''
            | b'<'
            | b'>'
    ));

/// Finds URLs with credentials:
/// `\b[A-Za-z][A-Za-z0-9+.\-]{1,20}://[^\s/?#@:"'<>]{1,128}:[^\s/?#@"'<>]{1,256}@`.
///
/// The anchor is `://` (`memmem`). The scheme is the run of scheme bytes
/// before it (at most 21 bytes, so the look-back is bounded); user name
/// and password are single byte-class runs that must end at `:` and `@`.
/// Neither run can cross the `/` of a later `://`, so the bytes looked at
/// for all anchors together stay within a small multiple of the text.
#[derive(Debug, Default)]
pub struct UrlCredentialsFinder {
    /// Last answer: start, end, position of its `://`.
    cand: Option<(usize, usize, usize)>,
    /// Every `://` before this has been looked at.
    from: usize,
    done: bool,
}

impl UrlCredentialsFinder {
    /// The leftmost candidate starting at or after `pos`.
    pub fn next(&mut self, hay: &[u8], pos: usize, work: &mut u64) -> Option<(usize, usize)> {
        if let Some((s, e, c)) = self.cand {
            if s >= pos {
                return Some((s, e));
            }
            self.cand = None;
            // The same `://` may still have a later start at or after `pos`;
            // the end does not depend on the start.
            if let Some(s) = scheme_start(hay, c, pos, work) {
                self.cand = Some((s, e, c));
                return Some((s, e));
            }
        }
        if self.done {
            return None;
        }
        // A scheme is at least two bytes: the anchor is at `pos + 2` or later.
        let mut from = self.from.max(pos + 2);
        while from < hay.len() {
            let Some(off) = memchr::memmem::find(&hay[from..], b"://") else {
                break;
            };
            let c = from + off;
            from = c + 1;
            self.from = from;
            *work += 1;
            let Some(s) = scheme_start(hay, c, pos, work) else {
                continue;
            };
            if let Some(e) = credentials_end(hay, c + 3, work) {
                self.cand = Some((s, e, c));
                return Some((s, e));
            }
        }
        self.from = hay.len();
        self.done = true;
        None
    }
}

/// Leftmost start at or after `pos` of a scheme ending at the `://` at
/// `c`: a letter at a word boundary followed by 1–20 scheme bytes.
fn scheme_start(hay: &[u8], c: usize, pos: usize, work: &mut u64) -> Option<usize> {
    let lo = pos.max(c.saturating_sub(21));
    let mut i = c;
    while i > lo && SCHEME[hay[i - 1] as usize] {
        i -= 1;
    }
    *work += (c - i) as u64;
    (i..c.saturating_sub(1))
        .find(|&s| hay[s].is_ascii_alphabetic() && (s == 0 || !word(hay[s - 1])))
}

/// End (after the `@`) of `user:password@` starting at `p`.
fn credentials_end(hay: &[u8], p: usize, work: &mut u64) -> Option<usize> {
    let n = hay.len();
    let mut u = p;
    while u < n && u - p <= 128 && USER[hay[u] as usize] {
        u += 1;
    }
    *work += (u - p + 1) as u64;
    if u == p || u - p > 128 || hay.get(u) != Some(&b':') {
        return None;
    }
    let p = u + 1;
    let mut a = p;
    while a < n && a - p <= 256 && PASS[hay[a] as usize] {
        a += 1;
    }
    *work += (a - p + 1) as u64;
    (a > p && a - p <= 256 && hay.get(a) == Some(&b'@')).then_some(a + 1)
}

/// Checks that a finder reports what its detector's regular expression
/// would (shared with the number run finder's tests).
#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::patterns::{Det, pattern};
    use regex_automata::Input;
    use regex_automata::meta::{self, Regex};
    use regex_automata::util::syntax;

    fn regex(det: Det, ocr: bool) -> Regex {
        Regex::builder()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .configure(meta::Config::new().utf8_empty(false))
            .build(&pattern(det, ocr))
            .unwrap()
    }

    /// A small deterministic generator.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Random text from pieces that make the finders' edge cases likely.
    fn text(rng: &mut Rng, pieces: &[&str], len: usize) -> String {
        let mut s = String::new();
        while s.len() < len {
            s.push_str(pieces[rng.below(pieces.len())]);
        }
        s
    }

    /// Walks random texts made of `pieces` like the scanner (leftmost
    /// match from `pos`, then a random step ahead) and compares the finder
    /// with the detector's regex (`pattern(det, ocr)`).
    pub(crate) fn compare(
        det: Det,
        ocr: bool,
        pieces: &[&str],
        mut next: impl FnMut(&[u8], usize, &mut u64) -> Option<(usize, usize)>,
        reset: &mut dyn FnMut(),
    ) {
        let re = regex(det, ocr);
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut found = 0;
        for round in 0..3000 {
            let t = text(&mut rng, pieces, 8 + round % 200);
            let hay = t.as_bytes();
            reset();
            let mut pos = 0;
            let mut work = 0;
            while pos <= hay.len() {
                let want = re
                    .search(&Input::new(hay).range(pos..))
                    .map(|m| (m.start(), m.end()));
                let got = next(hay, pos, &mut work);
                assert_eq!(got, want, "{det:?} in {t:?} from {pos}");
                found += usize::from(got.is_some());
                pos = match got {
                    Some((s, e)) if rng.below(2) == 0 => s + 1 + rng.below(e - s),
                    _ => pos + 1 + rng.below(6),
                };
            }
        }
        eprintln!("{det:?}: {found} matches compared");
        assert!(found > 1000, "{det:?}: only {found} matches compared");
    }

    #[test]
    fn priority_order_is_declaration_order() {
        use crate::patterns::{AUTOMATON, DETECTORS};
        assert!(DETECTORS.windows(2).all(|w| w[0] < w[1]));
        let rest: Vec<Det> = DETECTORS
            .into_iter()
            .filter(|d| {
                !matches!(
                    d,
                    Det::Email
                        | Det::Assignment
                        | Det::AwsSecret
                        | Det::UrlCredentials
                        | Det::Number
                        | Det::NamePair
                )
            })
            .collect();
        assert_eq!(rest, AUTOMATON);
    }

    #[test]
    fn email_finder_matches_its_regex() {
        let pieces = [
            "a",
            "B",
            "9",
            "_",
            ".",
            "-",
            "+",
            "%",
            "@",
            "@",
            "x.y",
            "co",
            "com",
            " ",
            "\n",
            "é",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "abcdefghijklmnopqrstuvwxyz",
            ".c",
            "jo.doe@mail.example.org",
            "@ex.co",
            ".uk",
            "a-b",
            "1.",
            "@a.",
            "b.c.d.e.f.g.h.i.j",
        ];
        let f = std::cell::RefCell::new(EmailFinder::default());
        compare(
            Det::Email,
            false,
            &pieces,
            |h, p, w| f.borrow_mut().next(h, p, w),
            &mut || *f.borrow_mut() = EmailFinder::default(),
        );
    }

    #[test]
    fn assignment_finder_matches_its_regex() {
        let mut kw = AssignmentKeywords::new().unwrap();
        kw.whole_word = false;
        let pieces = [
            "password",
            "PassWord",
            "token",
            "api-key",
            "api_key",
            "auth",
            "author",
            "my_",
            "x",
            "9",
            ".",
            "-",
            "_",
            "=",
            ":",
            ":=",
            "=>",
            "\"",
            "'",
            " ",
            "  ",
            "\t",
            "\n",
            "Bearer ",
            "basic  ",
            "token ",
            "<",
            ",",
            ";",
            "abc",
            "é",
            "aaaaaaaaaaaaaaaaaaaaaaaaa",
            "credentials",
        ];
        let f = std::cell::RefCell::new(AssignmentFinder::default());
        compare(
            Det::Assignment,
            false,
            &pieces,
            |h, p, w| f.borrow_mut().next(&kw, h, p, w),
            &mut || *f.borrow_mut() = AssignmentFinder::default(),
        );
    }

    #[test]
    fn every_keyword_holds_a_filter_pair() {
        for k in KEYWORDS {
            assert!(may_hold_keyword(k.as_bytes()), "{k}");
            assert!(may_hold_keyword(k.to_ascii_uppercase().as_bytes()), "{k}");
        }
        assert!(!may_hold_keyword(b"user_id"));
        assert!(!may_hold_keyword(b"LEVEL"));
    }

    #[test]
    fn keywords_end_words() {
        let kw = AssignmentKeywords::new().unwrap();
        let find = |t: &'static str| -> Option<&'static str> {
            AssignmentFinder::default()
                .next(&kw, t.as_bytes(), 0, &mut 0)
                .map(|(s, e)| &t[s..e])
        };
        assert_eq!(find(r#""author": "Orla Novak""#), None);
        assert_eq!(find("tokenizer: bert"), None);
        assert_eq!(find("secretary=Ann"), None);
        assert_eq!(find("authority: x"), None);
        assert_eq!(find(r#""auth": "x9""#), Some(r#"auth": "x9""#));
        assert_eq!(find("passwords=a1b2"), Some("passwords=a1b2"));
        assert_eq!(find("accessTokenValue: abc"), Some("accessTokenValue: abc"));
        assert_eq!(find("api_key_2=abc"), Some("api_key_2=abc"));
        assert_eq!(
            find("Authorization: Basic xyz"),
            Some("Authorization: Basic xyz")
        );
        assert_eq!(find("mypassword=abc"), Some("mypassword=abc"));
        assert_eq!(find("SECRETKEY=abc"), Some("SECRETKEY=abc"));
        assert_eq!(find("secretKey: abc"), Some("secretKey: abc"));
    }

    #[test]
    fn aws_finder_matches_its_regex() {
        let pieces = [
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE",
            "wJalrXUtnFEMI",
            "a",
            "/",
            "+",
            " ",
            " ",
            "=",
            "-",
            "_",
            ".",
            "\n",
            "é",
        ];
        let f = std::cell::RefCell::new(AwsSecretFinder::default());
        compare(
            Det::AwsSecret,
            false,
            &pieces,
            |h, p, w| f.borrow_mut().next(h, p, w),
            &mut || *f.borrow_mut() = AwsSecretFinder::default(),
        );
    }

    #[test]
    fn url_credentials_finder_matches_its_regex() {
        let pieces = [
            "https://",
            "s3+ssh://",
            "a://",
            "://",
            ":",
            ":",
            "@",
            "user",
            "p@ss",
            "x",
            "9",
            ".",
            "-",
            "+",
            "/",
            " ",
            "\n",
            "\"",
            "é",
            "aaaaaaaaaaaaaaaaaaaaaaaa",
            "admin:s3cr3t@db.example.com",
        ];
        let f = std::cell::RefCell::new(UrlCredentialsFinder::default());
        compare(
            Det::UrlCredentials,
            false,
            &pieces,
            |h, p, w| f.borrow_mut().next(h, p, w),
            &mut || *f.borrow_mut() = UrlCredentialsFinder::default(),
        );
    }

    #[test]
    fn url_credentials_true_and_false() {
        let find = |t: &'static str| -> Option<&'static str> {
            UrlCredentialsFinder::default()
                .next(t.as_bytes(), 0, &mut 0)
                .map(|(s, e)| &t[s..e])
        };
        assert_eq!(
            find("db https://admin:s3cr3t@db.example.com:5432/x"),
            Some("https://admin:s3cr3t@")
        );
        assert_eq!(find("redis+tls://u:p:w@h"), Some("redis+tls://u:p:w@"));
        assert_eq!(find("https://example.com/a@b"), None);
        assert_eq!(find("https://user@example.com"), None);
        assert_eq!(find("x_https://u:p@h"), None);
        assert_eq!(find("https://u:p w@h"), None);
        assert_eq!(find("averyveryverylongschemename://u:p@h"), None);
    }
}
