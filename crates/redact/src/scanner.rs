//! The [`Scanner`]: one pass of a multi-pattern automaton over the text,
//! each candidate checked by its validator, results turned into spans or
//! into redacted text.
//!
//! # The scan loop
//!
//! The automaton, the anchored finders ([`crate::anchors`]), the number
//! run finder ([`crate::numbers::RunFinder`]) and the name-pair finder
//! ([`crate::pairs::PairFinder`]) each keep their leftmost
//! candidate at or after the current position; the leftmost of those is
//! validated (ties broken by detector priority, see [`crate::patterns`]),
//! exactly as if all patterns were one automaton.
//! Its validator either accepts a range inside or around the candidate, or
//! rejects it. The scan then continues after the accepted range, or, for a
//! rejected candidate, after the candidate (name candidates continue at the
//! next word instead, so a failed "Dear Team" does not hide "Team Lead Ann
//! Lee"; a rejected number run continues at the first other detector's
//! candidate inside it, so `ping -c 3 8.8.4.4` does not hide the address).
//! Spans therefore come out sorted and never overlap.
//!
//! Every validator works in time proportional to its candidate, and every
//! automaton search either consumes the text it scanned or ends the loop,
//! except for a bounded look-ahead (see [`crate::patterns`]); the whole scan
//! is linear in the input's length.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use regex_automata::Input;
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;

use crate::anchors::{
    AssignmentFinder, AssignmentKeywords, AwsSecretFinder, EmailFinder, UrlCredentialsFinder,
};
use crate::error::Error;
use crate::gazetteer::Gazetteer;
use crate::kind::{Kind, Span, summary};
use crate::numbers;
use crate::pairs::PairFinder;
use crate::patterns::{AUTOMATON, Det, pattern};
use crate::people;
use crate::redacted::Redacted;
use crate::secrets::{self, SecretRules};
use crate::validate;

/// How a [`Scanner`] is built.
#[derive(Clone, Debug)]
pub struct Config {
    /// Treat `O`/`o` as `0` and `l`/`I` as `1` inside numbers, for text that
    /// comes from OCR. Off for typed text.
    pub ocr_tolerant: bool,
    /// Require valid check digits: Luhn for cards, mod 97 for IBANs. Off
    /// for text read from screens ([`Config::screen`]), where one misread
    /// digit would leave a value on show: a number shaped like a card
    /// (issuer prefix, length, printed grouping) or an IBAN (country and
    /// length, or one character fewer) is then reported whatever its
    /// check digits.
    pub check_digits: bool,
    /// The kinds to report; others are scanned but not reported.
    pub kinds: BTreeSet<Kind>,
    /// Minimum length of a generic secret value (`token: …`).
    pub secret_min_len: usize,
    /// Minimum Shannon entropy, in bits per character, of a generic secret.
    pub secret_min_entropy: f64,
    /// Extra given names to recognise.
    pub extra_first_names: Vec<String>,
    /// Extra family names to recognise.
    pub extra_surnames: Vec<String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            ocr_tolerant: false,
            check_digits: true,
            kinds: Kind::ALL.into_iter().collect(),
            secret_min_len: 8,
            secret_min_entropy: 3.0,
            extra_first_names: Vec::new(),
            extra_surnames: Vec::new(),
        }
    }
}

impl Config {
    /// The default configuration with OCR tolerance on.
    pub fn ocr() -> Config {
        Config {
            ocr_tolerant: true,
            ..Config::default()
        }
    }

    /// [`Config::ocr`] without check digits, for the text of frames that
    /// are filled where a value shows: a card read `5580-8800-8800-8804`
    /// from small print fails Luhn but is still a card on screen.
    pub fn screen() -> Config {
        Config {
            check_digits: false,
            ..Config::ocr()
        }
    }
}

/// Deterministic work counters of one scan, for tests and benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScanStats {
    /// Automaton searches started.
    pub searches: u64,
    /// Candidates handed to validators.
    pub candidates: u64,
    /// Total bytes of those candidates.
    pub candidate_bytes: u64,
    /// Bytes examined by the detectors found from anchors (e-mail,
    /// assignments, AWS secret keys; see [`crate::anchors`]).
    pub anchor_bytes: u64,
}

/// Finds PII and secrets in text. Build once, share freely (`Sync`).
#[derive(Clone, Debug)]
pub struct Scanner {
    regex: Regex,
    keywords: AssignmentKeywords,
    gazetteer: Gazetteer,
    enabled: [bool; Kind::ALL.len()],
    ocr: bool,
    check_digits: bool,
    rules: SecretRules,
}

/// Outcome of validating one candidate.
struct Verdict {
    found: Option<(usize, usize, Kind)>,
    resume: usize,
}

impl Verdict {
    fn reject(resume: usize) -> Verdict {
        Verdict {
            found: None,
            resume,
        }
    }
    fn accept(start: usize, end: usize, kind: Kind) -> Verdict {
        Verdict {
            found: Some((start, end, kind)),
            resume: end,
        }
    }
}

impl Scanner {
    /// Compiles the detectors for `config`.
    pub fn new(config: Config) -> Result<Scanner, Error> {
        if !(0.0..=8.0).contains(&config.secret_min_entropy) {
            return Err(Error::Config(format!(
                "secret_min_entropy must be within 0..=8 bits, got {}",
                config.secret_min_entropy
            )));
        }
        if config.secret_min_len == 0 {
            return Err(Error::Config("secret_min_len must be at least 1".into()));
        }
        let patterns: Vec<String> = AUTOMATON
            .iter()
            .map(|&d| pattern(d, config.ocr_tolerant))
            .collect();
        let regex = Regex::builder()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .configure(
                meta::Config::new()
                    .utf8_empty(false)
                    .hybrid_cache_capacity(32 << 20)
                    .nfa_size_limit(Some(64 << 20)),
            )
            .build_many(&patterns)
            .map_err(Box::new)?;
        let gazetteer = Gazetteer::new(&config.extra_first_names, &config.extra_surnames)?;
        let mut enabled = [false; Kind::ALL.len()];
        for k in &config.kinds {
            enabled[*k as usize] = true;
        }
        Ok(Scanner {
            regex,
            keywords: AssignmentKeywords::new()?,
            gazetteer,
            enabled,
            ocr: config.ocr_tolerant,
            check_digits: config.check_digits,
            rules: SecretRules {
                min_len: config.secret_min_len,
                min_entropy: config.secret_min_entropy,
            },
        })
    }

    /// A shared scanner with the default configuration, built on first use.
    pub fn builtin() -> &'static Scanner {
        static SCANNER: OnceLock<Scanner> = OnceLock::new();
        SCANNER.get_or_init(|| Scanner::new(Config::default()).expect("built-in detectors compile"))
    }

    /// A shared scanner for OCR text ([`Config::ocr`]), built on first use.
    pub fn builtin_ocr() -> &'static Scanner {
        static SCANNER: OnceLock<Scanner> = OnceLock::new();
        SCANNER.get_or_init(|| Scanner::new(Config::ocr()).expect("built-in detectors compile"))
    }

    /// A shared scanner for the text of frames ([`Config::screen`]),
    /// built on first use.
    pub fn builtin_screen() -> &'static Scanner {
        static SCANNER: OnceLock<Scanner> = OnceLock::new();
        SCANNER.get_or_init(|| Scanner::new(Config::screen()).expect("built-in detectors compile"))
    }

    /// All detections in `text`, sorted and non-overlapping.
    pub fn find(&self, text: &str) -> Vec<Span> {
        self.find_with_stats(text).0
    }

    /// Like [`Scanner::find`], also returning deterministic work counters.
    pub fn find_with_stats(&self, text: &str) -> (Vec<Span>, ScanStats) {
        let hay = text.as_bytes();
        let mut spans = Vec::new();
        let mut stats = ScanStats::default();
        let mut pos = 0;
        // The next candidate of the automaton and of each anchored finder,
        // kept while it still starts at or after `pos`: asked again, each
        // answers from where it stopped (see `crate::anchors`).
        let mut auto: Option<(usize, usize, Det)> = None;
        let mut auto_done = false;
        let mut email = EmailFinder::default();
        let mut assign = AssignmentFinder::default();
        let mut aws = AwsSecretFinder::default();
        let mut url = UrlCredentialsFinder::default();
        let mut runs = numbers::RunFinder::default();
        let mut pairs = PairFinder::default();
        let mut work = 0u64;
        while pos < hay.len() {
            if !auto_done && auto.is_none_or(|(s, _, _)| s < pos) {
                stats.searches += 1;
                let input = Input::new(hay).range(pos..);
                // `search` borrows a cache from the regex's pool, so the
                // lazily built automaton states survive from one call to the
                // next.
                auto = self
                    .regex
                    .search(&input)
                    .map(|m| (m.start(), m.end(), AUTOMATON[m.pattern().as_usize()]));
                auto_done = auto.is_none();
            }
            // Leftmost candidate; at the same start, the detector listed
            // first in `DETECTORS` wins, as inside the automaton.
            let mut best = auto;
            let mut offer = |c: Option<(usize, usize)>, det: Det| {
                if let Some((s, e)) = c
                    && best.is_none_or(|(bs, _, bd)| s < bs || (s == bs && det < bd))
                {
                    best = Some((s, e, det));
                }
            };
            offer(url.next(hay, pos, &mut work), Det::UrlCredentials);
            offer(
                assign.next(&self.keywords, hay, pos, &mut work),
                Det::Assignment,
            );
            offer(email.next(hay, pos, &mut work), Det::Email);
            offer(aws.next(hay, pos, &mut work), Det::AwsSecret);
            offer(pairs.next(hay, pos, &mut work), Det::NamePair);
            // A number run is offered by its start; its end is worked out
            // only if it wins.
            let run = runs.next(hay, pos, self.ocr, &mut work);
            offer(run.map(|s| (s, s)), Det::Number);
            let Some((ms, mut me, det)) = best else {
                break;
            };
            if det == Det::Number {
                me = runs
                    .end(hay, self.ocr, &mut work)
                    .expect("a run was offered");
            }
            stats.candidates += 1;
            stats.candidate_bytes += (me - ms) as u64;
            let verdict = self.validate(det, hay, ms, me);
            if let Some((mut start, mut end, kind)) = verdict.found {
                while !text.is_char_boundary(start) {
                    start -= 1;
                }
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                let start = start.max(spans.last().map_or(0, |s: &Span| s.end));
                if end > start && self.enabled[kind as usize] {
                    spans.push(Span {
                        start,
                        end,
                        kind,
                        detector: det.name(),
                    });
                }
            }
            let mut resume = verdict.resume.max(ms + 1);
            if det == Det::Number && verdict.found.is_none() {
                // A run of digit groups that is no number may hold what
                // another detector matches further in (`3 10.0.0.1`, an
                // address after a count): the scan goes on at the first
                // such candidate instead of after the run. The run's own
                // parts need no second look: every window of it was tried.
                let mut next = |c: Option<(usize, usize)>| {
                    if let Some((s, _)) = c
                        && s > ms
                        && s < resume
                    {
                        resume = s;
                    }
                };
                // The automaton's candidate is its leftmost match from
                // before the run, so none of its matches starts earlier.
                next(auto.map(|(s, e, _)| (s, e)));
                let after = ms + 1;
                next(url.next(hay, after, &mut work));
                next(assign.next(&self.keywords, hay, after, &mut work));
                next(email.next(hay, after, &mut work));
                next(aws.next(hay, after, &mut work));
                next(pairs.next(hay, after, &mut work));
            }
            pos = resume;
        }
        stats.anchor_bytes = work;
        (spans, stats)
    }

    /// Replaces every detection with its kind's placeholder.
    pub fn redact(&self, text: &str) -> Redacted<String> {
        self.redact_with_spans(text).0
    }

    /// Like [`Scanner::redact`], also returning the spans (in `text`'s
    /// coordinates) that were replaced.
    pub fn redact_with_spans(&self, text: &str) -> (Redacted<String>, Vec<Span>) {
        let spans = self.find(text);
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for s in &spans {
            out.push_str(&text[last..s.start]);
            out.push_str(s.kind.placeholder());
            last = s.end;
        }
        out.push_str(&text[last..]);
        let counts = summary(&spans);
        (Redacted::new(out, counts), spans)
    }

    fn validate(&self, det: Det, hay: &[u8], s: usize, e: usize) -> Verdict {
        let m = &hay[s..e];
        let g = &self.gazetteer;
        match det {
            Det::PemKey => {
                let end = match memchr::memmem::find(&hay[e..], b"-----END") {
                    Some(p) => {
                        let after = e + p + 8;
                        match memchr::memmem::find(&hay[after..], b"-----") {
                            Some(q) => after + q + 5,
                            None => hay.len(),
                        }
                    }
                    // An unterminated key block: fail closed.
                    None => hay.len(),
                };
                Verdict::accept(s, end, Kind::PrivateKey)
            }
            Det::UrlCredentials => {
                let Some(p) = memchr::memmem::find(m, b"://") else {
                    return Verdict::reject(e);
                };
                Verdict::accept(s + p + 3, e - 1, Kind::UrlSecret)
            }
            Det::Jwt => {
                if validate::jwt(m) {
                    Verdict::accept(s, e, Kind::Jwt)
                } else {
                    Verdict::reject(e)
                }
            }
            Det::AwsKeyId => Verdict::accept(s, e, Kind::AwsKeyId),
            Det::GithubToken => Verdict::accept(s, secrets::token_end(hay, e), Kind::GithubToken),
            Det::GitlabToken => Verdict::accept(s, secrets::token_end(hay, e), Kind::GitlabToken),
            Det::SlackToken => Verdict::accept(s, secrets::token_end(hay, e), Kind::SlackToken),
            Det::StripeKey => Verdict::accept(s, secrets::token_end(hay, e), Kind::StripeKey),
            Det::GoogleApiKey => Verdict::accept(s, secrets::token_end(hay, e), Kind::GoogleApiKey),
            Det::Assignment => {
                let Some(((ks, ke), (vs, ve))) = secrets::split_assignment(m) else {
                    return Verdict::reject(e);
                };
                match secrets::judge_assignment(&m[ks..ke], &m[vs..ve], self.rules) {
                    Some(kind) => {
                        let end = if kind == Kind::PrivateKey {
                            self.pem_end(hay, s + ve)
                        } else {
                            s + ve
                        };
                        Verdict {
                            found: Some((s + vs, end, kind)),
                            resume: end.max(e),
                        }
                    }
                    None => Verdict::reject(e),
                }
            }
            Det::UrlQuery => match secrets::judge_query(m, self.rules) {
                Some(((vs, ve), kind)) => Verdict::accept(s + vs, s + ve, kind),
                None => Verdict::reject(e),
            },
            Det::Email => {
                if validate::email(m) {
                    Verdict::accept(s, e, Kind::Email)
                } else {
                    Verdict::reject(e)
                }
            }
            Det::Iban => match iban_end(m, self.check_digits) {
                Some(len) => Verdict::accept(s, s + len, Kind::Iban),
                None => Verdict::reject(e),
            },
            Det::Mac => {
                if validate::mac(m) {
                    Verdict::accept(s, e, Kind::Mac)
                } else {
                    Verdict::reject(e)
                }
            }
            Det::Ipv6 => {
                if validate::ipv6(m) && hay.get(e) != Some(&b':') {
                    Verdict::accept(s, e, Kind::Ip)
                } else {
                    Verdict::reject(e)
                }
            }
            Det::Ipv4 => {
                // `0.0.0.0` ("any address") says nothing about anyone.
                if validate::ipv4(m) && m != b"0.0.0.0" && !version_like(hay, s, e) {
                    Verdict::accept(s, e, Kind::Ip)
                } else {
                    Verdict::reject(e)
                }
            }
            Det::Address => Verdict::accept(s, e, Kind::Address),
            Det::Number => {
                let v = numbers::classify(hay, s, e, self.ocr, self.check_digits, |at| {
                    g.phone_context.any_in(&hay[at.saturating_sub(32)..at])
                });
                Verdict {
                    found: v.found,
                    resume: v.resume,
                }
            }
            Det::AwsSecret => {
                let ctx_start = s.saturating_sub(80);
                match secrets::judge_aws_secret(m, g.aws_context.any_in(&hay[ctx_start..s + 1])) {
                    Some((ts, te)) => Verdict::accept(s + ts, s + te, Kind::AwsSecret),
                    None => {
                        // Continue at the end of the token, so that a
                        // delimiter shared with the next token is rescanned.
                        let lead = usize::from(
                            !secrets::is_token_byte(m[0]) && m[0] != b'/' && m[0] != b'+',
                        );
                        Verdict::reject(s + lead + 40)
                    }
                }
            }
            Det::NameTitle => name(people::name_title(g, hay, s, e), s),
            Det::NameLabel => name(people::name_label(g, hay, s, e), s),
            Det::NameGreeting => name(people::name_greeting(g, hay, s, e), s),
            Det::NamePair => name(people::name_pair(g, hay, s, e), s),
        }
    }

    fn pem_end(&self, hay: &[u8], from: usize) -> usize {
        match memchr::memmem::find(&hay[from..], b"-----END") {
            Some(p) => {
                let after = from + p + 8;
                memchr::memmem::find(&hay[after..], b"-----").map_or(hay.len(), |q| after + q + 5)
            }
            None => hay.len(),
        }
    }
}

fn name(found: Option<(usize, usize)>, s: usize) -> Verdict {
    match found {
        Some((a, b)) => Verdict::accept(a, b, Kind::Person),
        // Try again from the next word: a failed context must not hide a
        // name that starts inside it.
        None => Verdict::reject(s + 1),
    }
}

/// Length of the IBAN at the start of `m` (which may run on into more
/// capitalised text), if it has its country's length and (when `check`)
/// a valid checksum. Without `check` (text read from a screen) one
/// character fewer is accepted too: OCR drops characters as well as
/// misreading them (`3704 044 0532` for `3704 0044 0532` in small print).
fn iban_end(m: &[u8], check: bool) -> Option<usize> {
    let want = validate::iban_length(&m[..2])?;
    let mut compact = Vec::with_capacity(want);
    let mut end = 0;
    for (i, &c) in m.iter().enumerate() {
        if c == b' ' {
            continue;
        }
        compact.push(c);
        end = i + 1;
        if compact.len() == want {
            break;
        }
    }
    let long_enough = compact.len() == want || (!check && compact.len() + 1 == want);
    if !long_enough || m.get(end).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    (!check || validate::iban(&compact)).then_some(end)
}

/// A dotted quad that is part of a longer dotted number (`1.2.3.4.5`) or
/// follows a word like "version" is taken for a version, not an address;
/// so is one given directly to a `…Version(…)` call or attribute
/// (`AssemblyVersion("3.0.0.0")`, `FileVersion = "1.2.0.0"`).
fn version_like(hay: &[u8], s: usize, e: usize) -> bool {
    let digit_after_dot =
        |i: usize| hay.get(i) == Some(&b'.') && hay.get(i + 1).is_some_and(u8::is_ascii_digit);
    if digit_after_dot(e) || (s >= 2 && hay[s - 1] == b'.' && hay[s - 2].is_ascii_digit()) {
        return true;
    }
    // The word just before, skipping spaces, punctuation and an opening
    // parenthesis or quote ("version:", `Version("`).
    let mut i = s;
    while i > 0
        && s - i < 4
        && matches!(hay[i - 1], b' ' | b':' | b'=' | b'\t' | b'(' | b'"' | b'\'')
    {
        i -= 1;
    }
    let mut j = i;
    while j > 0 && i - j < 24 && hay[j - 1].is_ascii_alphabetic() {
        j -= 1;
    }
    let word = hay[j..i].to_ascii_lowercase();
    word.ends_with(b"version")
        || matches!(
            word.as_slice(),
            b"ver" | b"v" | b"build" | b"release" | b"firmware"
        )
}
