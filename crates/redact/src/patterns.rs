//! The detector table: one regular expression per detector, compiled
//! together into a single multi-pattern automaton.
//!
//! Rules every pattern follows, so that a scan stays linear in the input:
//!
//! * Patterns are ASCII-only (Unicode classes are off), except that name
//!   words also take accented Latin letters, spelled out as whole UTF-8
//!   byte sequences; a match therefore starts and ends on UTF-8 character
//!   boundaries.
//! * Any repetition that must be *followed* by something else to match is
//!   bounded (`{1,63}` rather than `+`), so a failing attempt looks ahead a
//!   bounded distance. Unbounded repetition appears only at the end of a
//!   pattern, where a longer run can only extend an existing match.
//! * Most patterns start at a word boundary, so a long run of word
//!   characters offers one candidate start, not one per byte.
//!
//! The order of [`DETECTORS`] is the priority order: when two patterns can
//! match at the same leftmost position, the earlier one wins.

use crate::kind::Kind;

/// Identifies a detector; the index into [`DETECTORS`] is the pattern id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Det {
    PemKey,
    UrlCredentials,
    Jwt,
    AwsKeyId,
    GithubToken,
    GitlabToken,
    SlackToken,
    StripeKey,
    GoogleApiKey,
    Assignment,
    UrlQuery,
    Email,
    Iban,
    Mac,
    Ipv6,
    Ipv4,
    Address,
    Number,
    AwsSecret,
    NameTitle,
    NameLabel,
    NameGreeting,
    NamePair,
}

impl Det {
    /// The detector name reported in [`crate::Span::detector`].
    pub fn name(self) -> &'static str {
        match self {
            Det::PemKey => "pem_private_key",
            Det::UrlCredentials => "url_credentials",
            Det::Jwt => "jwt",
            Det::AwsKeyId => "aws_access_key_id",
            Det::GithubToken => "github_token",
            Det::GitlabToken => "gitlab_token",
            Det::SlackToken => "slack_token",
            Det::StripeKey => "stripe_key",
            Det::GoogleApiKey => "google_api_key",
            Det::Assignment => "secret_assignment",
            Det::UrlQuery => "url_query_secret",
            Det::Email => "email",
            Det::Iban => "iban",
            Det::Mac => "mac",
            Det::Ipv6 => "ipv6",
            Det::Ipv4 => "ipv4",
            Det::Address => "street_address",
            Det::Number => "number",
            Det::AwsSecret => "aws_secret_key",
            Det::NameTitle => "name_title",
            Det::NameLabel => "name_label",
            Det::NameGreeting => "name_greeting",
            Det::NamePair => "name_pair",
        }
    }

    /// The kinds this detector can report (used to skip disabled ones).
    pub fn kinds(self) -> &'static [Kind] {
        match self {
            Det::PemKey => &[Kind::PrivateKey],
            Det::UrlCredentials | Det::UrlQuery | Det::Assignment => &[
                Kind::UrlSecret,
                Kind::Secret,
                Kind::AwsKeyId,
                Kind::AwsSecret,
                Kind::GithubToken,
                Kind::GitlabToken,
                Kind::SlackToken,
                Kind::StripeKey,
                Kind::GoogleApiKey,
                Kind::Jwt,
            ],
            Det::Jwt => &[Kind::Jwt],
            Det::AwsKeyId => &[Kind::AwsKeyId],
            Det::GithubToken => &[Kind::GithubToken],
            Det::GitlabToken => &[Kind::GitlabToken],
            Det::SlackToken => &[Kind::SlackToken],
            Det::StripeKey => &[Kind::StripeKey],
            Det::GoogleApiKey => &[Kind::GoogleApiKey],
            Det::Email => &[Kind::Email],
            Det::Iban => &[Kind::Iban],
            Det::Mac => &[Kind::Mac],
            Det::Ipv6 | Det::Ipv4 => &[Kind::Ip],
            Det::Address => &[Kind::Address],
            Det::Number => &[Kind::Card, Kind::Ssn, Kind::Phone],
            Det::AwsSecret => &[Kind::AwsSecret],
            Det::NameTitle | Det::NameLabel | Det::NameGreeting | Det::NamePair => &[Kind::Person],
        }
    }
}

/// All detectors in priority order.
pub const DETECTORS: [Det; 23] = [
    Det::PemKey,
    Det::UrlCredentials,
    Det::Jwt,
    Det::AwsKeyId,
    Det::GithubToken,
    Det::GitlabToken,
    Det::SlackToken,
    Det::StripeKey,
    Det::GoogleApiKey,
    Det::Assignment,
    Det::UrlQuery,
    Det::Email,
    Det::Iban,
    Det::Mac,
    Det::Ipv6,
    Det::Ipv4,
    Det::Address,
    Det::Number,
    Det::AwsSecret,
    Det::NameTitle,
    Det::NameLabel,
    Det::NameGreeting,
    Det::NamePair,
];

/// The detectors compiled into the combined automaton, in priority order:
/// all but [`Det::UrlCredentials`], [`Det::Assignment`], [`Det::Email`]
/// and [`Det::AwsSecret`], which are found from anchors
/// ([`crate::anchors`]), [`Det::Number`], whose runs are found by
/// [`crate::numbers::RunFinder`], and [`Det::NamePair`], whose candidates
/// are found by [`crate::pairs::PairFinder`], each with the same results
/// as its pattern here. (URL credentials alone made up two thirds of the
/// automaton's lazily built states; number runs were 70% of its matches,
/// name pairs then half of the rest.)
pub const AUTOMATON: [Det; 17] = [
    Det::PemKey,
    Det::Jwt,
    Det::AwsKeyId,
    Det::GithubToken,
    Det::GitlabToken,
    Det::SlackToken,
    Det::StripeKey,
    Det::GoogleApiKey,
    Det::UrlQuery,
    Det::Iban,
    Det::Mac,
    Det::Ipv6,
    Det::Ipv4,
    Det::Address,
    Det::NameTitle,
    Det::NameLabel,
    Det::NameGreeting,
];

/// Most digit groups one number candidate holds. Longer runs are split
/// into overlapping chunks by the number classifier, which keeps every
/// match (and so every search) bounded.
pub const MAX_GROUPS: usize = 48;

/// A capital letter outside ASCII, as UTF-8 bytes: Latin-1 capitals
/// (`À`–`Þ`), and any letter of Latin Extended-A/B and Latin Extended
/// Additional (`Ł`, `Š`, `Ș`, `Ễ` …, whose cases interleave; a lower-case
/// one at the start of a word is rare enough). Names are matched on NFC
/// text, in which accented letters are these single code points.
const UPPER_NON_ASCII: &str = r"(?:\xC3[\x80-\x96\x98-\x9E]|[\xC4-\xC8][\x80-\xBF]|\xC9[\x80-\x8F]|\xE1[\xB8-\xBB][\x80-\xBF])";
/// A lower-case letter, ASCII or as UTF-8 bytes (Latin-1 `ß`–`ÿ`, and the
/// Latin Extended blocks as above).
const LOWER: &str = r"(?:[a-z]|\xC3[\x9F-\xB6\xB8-\xBF]|[\xC4-\xC8][\x80-\xBF]|\xC9[\x80-\x8F]|\xE1[\xB8-\xBB][\x80-\xBF])";

/// A capitalised name word: `John`, `O'Brien`, `McDonald`, `Smith-Jones`,
/// `Élodie`, `Łukasz`, `Nguyễn`. With `boundary`, an ASCII capital must
/// start a word (`\b`; a non-ASCII capital is checked by the validator,
/// as `\b` only knows ASCII).
fn word(boundary: bool) -> String {
    let up = format!("(?:[A-Z]|{UPPER_NON_ASCII})");
    let first = if boundary {
        format!(r"(?:\b[A-Z]|{UPPER_NON_ASCII})")
    } else {
        up.clone()
    };
    format!("{first}(?:{LOWER}+|'{up}{LOWER}+)(?:-?{up}{LOWER}+)?")
}

const STREET_SUFFIX: &str = "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|\
Place|Pl|Way|Terrace|Parkway|Pkwy|Highway|Hwy|Square|Sq|Circle|Cir|Close|Crescent|Row|Trail";

/// The regular expression of one detector. `ocr` widens digit classes of
/// the number detector to the letters OCR confuses with digits.
pub fn pattern(det: Det, ocr: bool) -> String {
    let digit = if ocr { "[0-9OolI]" } else { "[0-9]" };
    match det {
        Det::PemKey => r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----".to_string(),
        Det::UrlCredentials => {
            r#"\b[A-Za-z][A-Za-z0-9+.\-]{1,20}://[^\s/?#@:"'<>]{1,128}:[^\s/?#@"'<>]{1,256}@"#
                .to_string()
        }
        Det::Jwt => r"\beyJ[A-Za-z0-9_\-]{6,}\.[A-Za-z0-9_\-]{2,}\.[A-Za-z0-9_\-]*".to_string(),
        Det::AwsKeyId => r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b".to_string(),
        Det::GithubToken => {
            r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})".to_string()
        }
        Det::GitlabToken => r"\bglpat-[A-Za-z0-9_\-]{20,}".to_string(),
        Det::SlackToken => r"\bxox[abposre]-[A-Za-z0-9\-]{10,}".to_string(),
        Det::StripeKey => r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}".to_string(),
        Det::GoogleApiKey => r"\bAIza[A-Za-z0-9_\-]{35}".to_string(),
        Det::Assignment => concat!(
            r"\b(?i:[a-z0-9_.\-]{0,40}",
            r"(?:password|passwd|passphrase|pwd|secret|token|api[_.\-]?key|access[_.\-]?key",
            r"|private[_.\-]?key|auth|credentials?|session[_.\-]?id|cookie)",
            r"[a-z0-9_.\-]{0,30})",
            r#"["']?[ \t]{0,4}(?::=|=>|[:=])[ \t]{0,4}(?:(?i:bearer|basic|token)[ ]{1,4})?"#,
            r#"(?:"[^"\r\n]{1,256}"|'[^'\r\n]{1,256}'|[^\s"'<>,;]+)"#
        )
        .to_string(),
        Det::UrlQuery => concat!(
            r"[?&;](?i:access_token|refresh_token|id_token|auth_token|token|api_key|apikey|key",
            r"|sig|signature|secret|client_secret|password|passwd|pwd|code|session|sessionid",
            r"|session_id|x-amz-signature|x-amz-credential|x-amz-security-token",
            r#"|x-goog-signature|auth)=[^\s&#"'<>]+"#
        )
        .to_string(),
        Det::Email => {
            r"\b[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@(?:[A-Za-z0-9\-]{1,63}\.){1,8}[A-Za-z]{2,24}\b"
                .to_string()
        }
        Det::Iban => r"\b[A-Z]{2}[0-9]{2}(?:[ ]?[A-Z0-9]){11,30}\b".to_string(),
        Det::Mac => concat!(
            r"\b[0-9A-Fa-f]{2}(?:[:\-][0-9A-Fa-f]{2}){5}\b",
            r"|\b[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\b"
        )
        .to_string(),
        Det::Ipv6 => {
            // Eight groups, or a `::` with at least one group beside it;
            // plain `12:30:45` times never reach the validator.
            let h = "[0-9A-Fa-f]{1,4}";
            format!(
                concat!(
                    r"(?:\b{h}(?::{h}){{7}}|\b{h}(?::{h}){{0,6}}::(?:{h}(?::{h}){{0,6}})?|::{h}(?::{h}){{0,6}})",
                    r"(?:\.[0-9]{{1,3}}\.[0-9]{{1,3}}\.[0-9]{{1,3}})?"
                ),
                h = h
            )
        }
        Det::Ipv4 => r"\b[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\b".to_string(),
        Det::Address => format!(
            concat!(
                r"\b[0-9]{{1,5}}[A-Za-z]?(?:[ ][0-9A-Z][A-Za-z0-9'\-]{{1,20}}){{1,4}}[ ](?:{suffix})\b\.?",
                r"(?:[ ](?:NW|NE|SW|SE|N|S|E|W)\b)?",
                r"(?:,?[ ](?:Apt|Apartment|Suite|Ste|Unit|Flat)\.?[ ]?#?[0-9A-Za-z]{{1,5}})?",
                r"(?:,[ ][A-Z][a-z]{{1,20}}(?:[ ][A-Z][a-z]{{1,20}}){{0,2}})?",
                r"(?:,?[ ][A-Z]{{2}}\b)?(?:[ ][0-9]{{5}}(?:-[0-9]{{4}})?\b)?"
            ),
            suffix = STREET_SUFFIX
        ),
        Det::Number => format!(
            concat!(
                r"(?:\+[ ]?\(?|\(|\b)(?:[0-9]{d}{{6,40}}(?:[ .\-/()]{{1,3}}{d}{{1,40}}){{0,{g}}}",
                r"|[0-9]{d}{{0,40}}(?:[ .\-/()]{{1,3}}{d}{{1,40}}){{1,{g}}})"
            ),
            d = digit,
            g = MAX_GROUPS - 1
        ),
        Det::AwsSecret => {
            r"(?:^|[^A-Za-z0-9/+=_\-])[A-Za-z0-9/+]{40}(?:$|[^A-Za-z0-9/+=_\-])".to_string()
        }
        Det::NameTitle => format!(
            r"\b(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sir|Dame|Miss|Mme|Mlle|Herr|Frau)\.?[ ]{{1,2}}{w}(?:[ ](?:[A-Z]\.[ ])?{w}){{0,2}}",
            w = word(false)
        ),
        Det::NameLabel => format!(
            concat!(
                r"\b(?i:name|full[ _\-]?name|first[ _\-]?name|last[ _\-]?name|given[ _\-]?name",
                r"|family[ _\-]?name|surname|customer|client|patient|employee|contact|author",
                r"|assignee|reporter|owner|recipient|sender|signed[ ]by|attn|from|to|cc)",
                r#"["']?[ ]?[:=][ ]?["']?{w}(?:[ ](?:[A-Z]\.[ ])?{w}){{0,2}}"#
            ),
            w = word(false)
        ),
        Det::NameGreeting => format!(
            concat!(
                r"\b(?:Dear|Hi|Hello|Hey|Thanks|Thank[ ]you|Cheers|(?i:regards|sincerely)|Best|Yours)",
                r"[ ,!]{{0,2}}(?:\r?\n)?[ ]?(?:(?:Mr|Mrs|Ms|Mx|Dr|Prof)\.?[ ])?{w}(?:[ ]{w})?"
            ),
            w = word(false)
        ),
        Det::NamePair => format!(
            r"{w0}(?:[ ](?:[A-Z]\.[ ])?{w}){{1,8}}",
            w0 = word(true),
            w = word(false)
        ),
    }
}
