//! Finds personal data and secrets in text and replaces them with typed
//! placeholders.
//!
//! A [`Scanner`] is built once from a [`Config`] and then scans any number
//! of texts: [`Scanner::find`] returns [`Span`]s (byte ranges with a
//! [`Kind`] and the detector's name), [`Scanner::redact`] returns a
//! [`Redacted<String>`] in which every span is replaced by its kind's
//! placeholder (`<EMAIL>`, `<CARD>`, `<AWS_SECRET>` …). `Redacted<T>` can
//! only be made by this crate: holding one proves the value went through
//! the scanner. Redaction records carry kinds and counts ([`summary`]),
//! never values.
//!
//! # How it works
//!
//! Most detectors are regular expressions compiled into one multi-pattern
//! automaton ([`patterns`]); e-mail addresses, `key = value` assignments,
//! bare AWS secret keys and credentials in URLs, whose patterns would
//! multiply the automaton's states, are found from anchors (`@`, the
//! `:`/`=` operator, runs of 40 key bytes, `://`) by linear-time code with
//! the same results ([`anchors`]), and so are number runs (digits after a
//! non-word byte, eight bytes at a time; [`numbers`]), which would
//! otherwise stop the automaton at every number, and runs of capitalised
//! words for the name-pair rule (from a capital after a space, by a
//! hand-written matcher; [`pairs`]). All of them run in a
//! single left-to-right pass whose cost is linear in the input. Each candidate is then checked by a validator
//! ([`validate`]: Luhn and card prefixes, IBAN mod-97, SSN ranges, IP octet
//! ranges, JWT header decoding, Shannon entropy …), by number grouping
//! rules ([`numbers`]), by secret rules ([`secrets`]) or by the name lists
//! and context rules ([`gazetteer`], [`people`]).
//!
//! | kind | detector |
//! |---|---|
//! | email | local@domain.tld, not `icon@2x.png` |
//! | phone | `+CC …` (8–15 digits); US `(415) 555-2671`, `415-555-2671`; national numbers with a trunk `0` (UK, DE, FR …); any 7–15 digit number right after "phone", "tel", "call" … |
//! | card | Luhn + issuer prefix/length (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay), any grouping by single spaces or dashes |
//! | iban | country length table + mod-97, spaced or compact |
//! | ssn | `AAA-GG-SSSS` or with spaces, valid ranges only |
//! | ip | IPv4 (octets ≤ 255), IPv6 (incl. `::`, and a dotted-quad tail) |
//! | mac | `00:1a:…`, `00-1A-…`, `001a.2b3c.4d5e` |
//! | url_secret | `scheme://user:pass@`, and `?token=`, `access_token=`, `api_key=`, `sig=` … values |
//! | aws_key_id, github_token, gitlab_token, slack_token, stripe_key, google_api_key | vendor prefixes |
//! | aws_secret | 40 base64 characters with mixed case and digits, high entropy or AWS context |
//! | jwt | three base64url segments, header decodes to `{"…` |
//! | private_key | PEM `-----BEGIN … PRIVATE KEY-----` to the matching END (to the end of the text if none: fail closed) |
//! | secret | `password=`, `secret:`, `token:`, `api_key=`, `Authorization: Bearer …` values that pass entropy and length rules |
//! | person | titles, labels, greetings, given+family name pairs from built-in lists (accented spellings too), and unknown pairs with a cue: a role noun or verb beside them, `<mail>`/`(…)` after them, a line-start speaker, a table cell |
//! | address | house number + capitalised words + street suffix |
//!
//! # Decisions worth knowing
//!
//! * A bare dotted quad such as `1.2.3.4` is reported as an IP address: a
//!   redacted version string costs little, a leaked address costs more. It
//!   is *not* reported when it is part of a longer dotted number
//!   (`1.2.3.4.5`), or follows "version", "ver", "build", "release",
//!   "firmware" or a `v`, or is the argument of a `…Version(…)` call or
//!   attribute (`AssemblyVersion("3.0.0.0")`). `0.0.0.0` (any address) is
//!   never reported.
//! * Compressed IPv6 addresses must show three groups (`2001:db8::1` yes,
//!   `fe80::1` and `::1` no), to keep `a::b` paths in code out.
//! * Bare 9-digit numbers are not taken for SSNs, and bare 10-digit numbers
//!   are not taken for phone numbers unless a phone word precedes them.
//! * A password assignment is redacted whatever its entropy (length ≥ 6);
//!   other `secret`/`token`/`key` assignments need length ≥
//!   [`Config::secret_min_len`] and entropy ≥ [`Config::secret_min_entropy`].
//! * An assignment keyword must end a word of the key (a separator, digit,
//!   camel-case capital or the key's end follows, after an optional plural
//!   `s`): `author`, `tokenizer` and `secretary` are not keys.
//! * With [`Config::ocr_tolerant`], `O`/`o` read as `0` and `l`/`I` as `1`
//!   inside numbers, so `4111 1111 1111 111l` is still a card.
//! * Without [`Config::check_digits`] ([`Config::screen`], for the text of
//!   frames), cards and IBANs are taken by shape: issuer prefix, length
//!   and a card's printed grouping (unbroken, fours, 4-6-5, 4-6-4);
//!   country and length (or one character fewer: OCR drops characters).
//!   One misread digit no longer leaves a value on screen; a row of small
//!   numbers is still no card.
//!
//! # Measured quality
//!
//! `cargo bench -p tracewell-redact --bench quality` generates a seeded
//! synthetic corpus (8,500 documents, 8.12 MB: valid Luhn cards, mod-97
//! IBANs, in-range SSNs, vendor tokens, JWTs, PEM blocks, phones in
//! US/UK/DE/FR formats, names …, embedded in prose, code, log, terminal and
//! form documents with generated filler, and PII-free documents of the same
//! styles) and reports, on one core (figures of 2026-11-29, medians of
//! three runs on a shared 2-core machine; see `bench-baseline/RESULTS.md`):
//!
//! * recall 1.000 for every kind except `secret` (0.998: values whose
//!   entropy falls just under the threshold), over ~1,200 values per kind;
//! * person names 0.908 (3,534 names): 1.000 for names from the gazetteer,
//!   0.824 for held-out names, 0.887 for names with diacritics; 1.000 in the
//!   contexts the rules were developed against, 0.814 in a held-out set of
//!   contexts. Expect less on real text, where a pair of unknown names
//!   without any cue is missed;
//! * 0.157 false detections per kB of PII-free text (person 417 in 3,015
//!   kB, mostly place and product names such as "Grand Canyon" next to a
//!   cue word; phone 37, secret 17), and 0.117 unlabelled spans per kB in
//!   the PII documents;
//! * throughput about 100 MB per CPU-second over the whole corpus (PII-free
//!   documents about 114). About a third of the time is the combined
//!   automaton (forward and reverse lazy-DFA searches), the rest the
//!   validators, the name and keyword lists, the anchored finders and the
//!   number-run finder.

pub mod anchors;
pub mod error;
pub mod gazetteer;
pub mod kind;
pub mod numbers;
pub mod pairs;
pub mod patterns;
pub mod people;
pub mod redacted;
pub mod scanner;
pub mod secrets;
mod swar;
pub mod validate;

pub use error::Error;
pub use kind::{Kind, Span, summary};
pub use redacted::Redacted;
pub use scanner::{Config, ScanStats, Scanner};
