//! What a detection is: the [`Kind`] of sensitive value, and the [`Span`]
//! where it sits in the scanned text.

use std::collections::BTreeMap;

use serde::Serialize;

/// The type of a detected value. Each kind has a fixed placeholder that
/// replaces the value in redacted text, and serialises as `snake_case`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Email,
    Phone,
    Card,
    Iban,
    Ssn,
    Ip,
    Mac,
    UrlSecret,
    AwsKeyId,
    AwsSecret,
    GithubToken,
    GitlabToken,
    SlackToken,
    StripeKey,
    GoogleApiKey,
    Jwt,
    PrivateKey,
    Secret,
    Person,
    Address,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Kind; 20] = [
        Kind::Email,
        Kind::Phone,
        Kind::Card,
        Kind::Iban,
        Kind::Ssn,
        Kind::Ip,
        Kind::Mac,
        Kind::UrlSecret,
        Kind::AwsKeyId,
        Kind::AwsSecret,
        Kind::GithubToken,
        Kind::GitlabToken,
        Kind::SlackToken,
        Kind::StripeKey,
        Kind::GoogleApiKey,
        Kind::Jwt,
        Kind::PrivateKey,
        Kind::Secret,
        Kind::Person,
        Kind::Address,
    ];

    /// The text that replaces a value of this kind, e.g. `<EMAIL>`.
    pub fn placeholder(self) -> &'static str {
        match self {
            Kind::Email => "<EMAIL>",
            Kind::Phone => "<PHONE>",
            Kind::Card => "<CARD>",
            Kind::Iban => "<IBAN>",
            Kind::Ssn => "<SSN>",
            Kind::Ip => "<IP>",
            Kind::Mac => "<MAC>",
            Kind::UrlSecret => "<URL_SECRET>",
            Kind::AwsKeyId => "<AWS_KEY_ID>",
            Kind::AwsSecret => "<AWS_SECRET>",
            Kind::GithubToken => "<GITHUB_TOKEN>",
            Kind::GitlabToken => "<GITLAB_TOKEN>",
            Kind::SlackToken => "<SLACK_TOKEN>",
            Kind::StripeKey => "<STRIPE_KEY>",
            Kind::GoogleApiKey => "<GOOGLE_API_KEY>",
            Kind::Jwt => "<JWT>",
            Kind::PrivateKey => "<PRIVATE_KEY>",
            Kind::Secret => "<SECRET>",
            Kind::Person => "<PERSON>",
            Kind::Address => "<ADDRESS>",
        }
    }

    /// The `snake_case` name, as serialised.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Card => "card",
            Kind::Iban => "iban",
            Kind::Ssn => "ssn",
            Kind::Ip => "ip",
            Kind::Mac => "mac",
            Kind::UrlSecret => "url_secret",
            Kind::AwsKeyId => "aws_key_id",
            Kind::AwsSecret => "aws_secret",
            Kind::GithubToken => "github_token",
            Kind::GitlabToken => "gitlab_token",
            Kind::SlackToken => "slack_token",
            Kind::StripeKey => "stripe_key",
            Kind::GoogleApiKey => "google_api_key",
            Kind::Jwt => "jwt",
            Kind::PrivateKey => "private_key",
            Kind::Secret => "secret",
            Kind::Person => "person",
            Kind::Address => "address",
        }
    }

    /// Whether this kind is a credential (as opposed to personal data).
    pub fn is_secret(self) -> bool {
        matches!(
            self,
            Kind::UrlSecret
                | Kind::AwsKeyId
                | Kind::AwsSecret
                | Kind::GithubToken
                | Kind::GitlabToken
                | Kind::SlackToken
                | Kind::StripeKey
                | Kind::GoogleApiKey
                | Kind::Jwt
                | Kind::PrivateKey
                | Kind::Secret
        )
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One detection: a byte range `start..end` of the scanned text (always on
/// UTF-8 character boundaries), its kind, and the detector that found it.
///
/// A span locates a value; it never contains it. Spans returned by one scan
/// are sorted by `start` and never overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    pub detector: &'static str,
}

impl Span {
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True for an empty span (never produced by the scanner).
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// Kinds and counts of a set of detections: what a redaction record may
/// carry (never the values).
pub fn summary(spans: &[Span]) -> BTreeMap<Kind, u32> {
    let mut counts = BTreeMap::new();
    for span in spans {
        *counts.entry(span.kind).or_insert(0) += 1;
    }
    counts
}
