//! Credentials: vendor tokens with fixed prefixes, JWTs, PEM private keys,
//! secrets in URLs, `key = value` assignments and bare AWS secret keys.

use crate::kind::Kind;
use crate::validate;

/// Bytes that continue a token (used to extend a prefix match to the end
/// of the token, so no tail of a secret is left behind).
pub fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// End of the token run starting at or before `from`.
pub fn token_end(hay: &[u8], from: usize) -> usize {
    let mut e = from;
    while e < hay.len() && is_token_byte(hay[e]) {
        e += 1;
    }
    e
}

/// Recognises a value by a vendor prefix or shape; `None` if it has none.
pub fn classify_token(v: &[u8]) -> Option<Kind> {
    let all = |s: &[u8], f: fn(u8) -> bool| s.iter().all(|&b| f(b));
    if v.len() == 20
        && (v.starts_with(b"AKIA")
            || v.starts_with(b"ASIA")
            || v.starts_with(b"ABIA")
            || v.starts_with(b"ACCA"))
        && all(&v[4..], |b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Some(Kind::AwsKeyId);
    }
    if (v.len() >= 34
        && v.len() > 4
        && matches!(&v[..4], b"ghp_" | b"gho_" | b"ghu_" | b"ghs_" | b"ghr_"))
        || (v.starts_with(b"github_pat_") && v.len() >= 40)
    {
        return Some(Kind::GithubToken);
    }
    if v.starts_with(b"glpat-") && v.len() >= 26 {
        return Some(Kind::GitlabToken);
    }
    if v.len() >= 15 && v.starts_with(b"xox") && b"abposre".contains(&v[3]) && v[4] == b'-' {
        return Some(Kind::SlackToken);
    }
    for p in [
        &b"sk_live_"[..],
        b"rk_live_",
        b"pk_live_",
        b"sk_test_",
        b"rk_test_",
        b"pk_test_",
    ] {
        if v.starts_with(p) && v.len() >= p.len() + 16 {
            return Some(Kind::StripeKey);
        }
    }
    if v.len() == 39 && v.starts_with(b"AIza") {
        return Some(Kind::GoogleApiKey);
    }
    if v.starts_with(b"eyJ") && validate::jwt(v) {
        return Some(Kind::Jwt);
    }
    if v.starts_with(b"-----BEGIN") {
        return Some(Kind::PrivateKey);
    }
    None
}

/// 40 characters of the AWS secret key alphabet with upper, lower and
/// digits present.
pub fn aws_secret_shape(v: &[u8]) -> bool {
    if v.len() != 40
        || !v
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
    {
        return false;
    }
    let (u, l, d, _) = validate::char_classes(v);
    u && l && d
}

/// Values that are clearly not secrets: placeholders, variable
/// references, code, booleans.
fn placeholder_or_code(v: &[u8]) -> bool {
    if v.is_empty() {
        return true;
    }
    // Variable references, templates, tags.
    let wrapped = |open: u8, close: u8| v[0] == open && v.len() > 1 && v[v.len() - 1] == close;
    let env_ref = v[0] == b'$'
        && (v.get(1) == Some(&b'{')
            || v.get(1) == Some(&b'(')
            || v[1..]
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'_'));
    if env_ref
        || wrapped(b'{', b'}')
        || wrapped(b'%', b'%')
        || wrapped(b'<', b'>')
        || v.iter()
            .all(|&b| b == b'*' || b == b'x' || b == b'X' || b == b'.' || b == b'-' || b == b'#')
    {
        return true;
    }
    // A call such as `getpass()` or `os.getenv("X")`.
    if let Some(p) = v.iter().position(|&b| b == b'(')
        && p > 0
        && v.ends_with(b")")
        && v[..p]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
    {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    const WORDS: &[&[u8]] = &[
        b"null",
        b"none",
        b"nil",
        b"true",
        b"false",
        b"undefined",
        b"string",
        b"required",
        b"optional",
        b"redacted",
        b"hidden",
        b"password",
        b"secret",
        b"token",
        b"empty",
        b"your_password",
        b"your_token",
        b"your_api_key",
        b"example",
        b"placeholder",
    ];
    if WORDS.contains(&lower.as_slice()) {
        return true;
    }
    // A dotted identifier path such as `config.password` or `os.environ`.
    v.contains(&b'.')
        && v.iter()
            .all(|&b| b.is_ascii_alphabetic() || b == b'_' || b == b'.')
        && !v.starts_with(b".")
}

/// Thresholds for generic secrets.
#[derive(Clone, Copy, Debug)]
pub struct SecretRules {
    pub min_len: usize,
    pub min_entropy: f64,
}

/// Judges the value of a `key = value` assignment. `key` is the key as
/// written (any case); the result is the kind to report, if any.
pub fn judge_assignment(key: &[u8], value: &[u8], rules: SecretRules) -> Option<Kind> {
    if let Some(kind) = classify_token(value) {
        return Some(kind);
    }
    if placeholder_or_code(value) {
        return None;
    }
    let key = key.to_ascii_lowercase();
    let has = |w: &[u8]| key.windows(w.len()).any(|x| x == w);
    let entropy = validate::shannon_entropy(value);
    if (has(b"aws") || has(b"secret_access") || has(b"secretaccess")) && aws_secret_shape(value) {
        return Some(Kind::AwsSecret);
    }
    let password = has(b"pass") || has(b"pwd");
    if password {
        // Any real password is a secret, however guessable: only length and
        // a minimum of variety are asked for.
        return (value.len() >= 6 && entropy >= 2.0).then_some(Kind::Secret);
    }
    let (u, l, d, o) = validate::char_classes(value);
    let classes = usize::from(u) + usize::from(l) + usize::from(d) + usize::from(o);
    // Short values cannot reach a high entropy: ask for 80 % of the most a
    // value of that length can have.
    let needed = rules.min_entropy.min(0.8 * (value.len() as f64).log2());
    (value.len() >= rules.min_len && entropy >= needed && classes >= 2).then_some(Kind::Secret)
}

/// Splits an assignment match into key and value byte ranges (relative to
/// the match), stripping quotes and an `Authorization` scheme word.
pub fn split_assignment(m: &[u8]) -> Option<((usize, usize), (usize, usize))> {
    // The key is the leading run of key characters.
    let key_end = m
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-'))?;
    let mut i = key_end;
    while i < m.len() && matches!(m[i], b'"' | b'\'' | b' ' | b'\t') {
        i += 1;
    }
    // Operator.
    while i < m.len() && matches!(m[i], b':' | b'=' | b'>') {
        i += 1;
    }
    while i < m.len() && matches!(m[i], b' ' | b'\t') {
        i += 1;
    }
    let mut v_start = i;
    let mut v_end = m.len();
    // Scheme word (Bearer / Basic / Token) followed by spaces.
    for scheme in [&b"bearer"[..], b"basic", b"token"] {
        let rest = &m[v_start..];
        if rest.len() > scheme.len()
            && rest[..scheme.len()].eq_ignore_ascii_case(scheme)
            && rest[scheme.len()] == b' '
        {
            v_start += scheme.len();
            while v_start < m.len() && m[v_start] == b' ' {
                v_start += 1;
            }
            break;
        }
    }
    // A cookie-style `name=value` value: the secret is the part after '='.
    if let Some(eq) = m[v_start..v_end].iter().position(|&b| b == b'=') {
        let name = &m[v_start..v_start + eq];
        if !name.is_empty()
            && name
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
            && v_start + eq + 1 < v_end
        {
            v_start += eq + 1;
        }
    }
    if v_start < v_end && matches!(m[v_start], b'"' | b'\'') {
        let q = m[v_start];
        v_start += 1;
        if v_end > v_start && m[v_end - 1] == q {
            v_end -= 1;
        }
    }
    (v_start < v_end).then_some(((0, key_end), (v_start, v_end)))
}

/// Query parameters whose name alone says the value is a secret; the
/// others (`key`, `code`, `session`, `auth`) need a token-like value.
fn strong_query_name(name: &[u8]) -> bool {
    let n = name.to_ascii_lowercase();
    !matches!(n.as_slice(), b"key" | b"code" | b"session" | b"auth")
}

/// Judges a `?name=value` match; returns the value range (relative to
/// the match) and the kind.
pub fn judge_query(m: &[u8], rules: SecretRules) -> Option<((usize, usize), Kind)> {
    let eq = m.iter().position(|&b| b == b'=')?;
    let name = &m[1..eq];
    let (vs, ve) = (eq + 1, m.len());
    let v = &m[vs..ve];
    if let Some(kind) = classify_token(v) {
        return Some(((vs, ve), kind));
    }
    if placeholder_or_code(v) {
        return None;
    }
    let ok = if strong_query_name(name) {
        v.len() >= 6
    } else {
        let (u, l, d, _) = validate::char_classes(v);
        v.len() >= rules.min_len.max(10)
            && validate::shannon_entropy(v) >= rules.min_entropy
            && usize::from(u) + usize::from(l) + usize::from(d) >= 2
    };
    ok.then_some(((vs, ve), Kind::UrlSecret))
}

/// Judges a bare 40-character token (delimiters included in `m`). Returns
/// the token range relative to `m`.
pub fn judge_aws_secret(m: &[u8], has_context: bool) -> Option<(usize, usize)> {
    let s = usize::from(
        !matches!(m.first(), Some(b) if b.is_ascii_alphanumeric() || *b == b'/' || *b == b'+'),
    );
    let e = s + 40;
    let v = m.get(s..e)?;
    if !aws_secret_shape(v) {
        return None;
    }
    let h = validate::shannon_entropy(v);
    (h >= 4.2 || (has_context && h >= 3.5)).then_some((s, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: SecretRules = SecretRules {
        min_len: 8,
        min_entropy: 3.0,
    };

    #[test]
    fn assignments() {
        let m = br#""password":"hunter22""#;
        let (_k, (vs, ve)) = split_assignment(&m[1..]).unwrap();
        assert_eq!(&m[1..][vs..ve], b"hunter22");
        assert_eq!(
            judge_assignment(b"password", b"hunter22", RULES),
            Some(Kind::Secret)
        );
        assert_eq!(judge_assignment(b"password", b"getpass()", RULES), None);
        assert_eq!(judge_assignment(b"token", b"string", RULES), None);
        assert_eq!(judge_assignment(b"token_count", b"1234", RULES), None);
        assert_eq!(
            judge_assignment(
                b"AWS_SECRET_ACCESS_KEY",
                b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                RULES
            ),
            Some(Kind::AwsSecret)
        );
        let m = b"Authorization: Bearer abc.def";
        let (_k, (vs, ve)) = split_assignment(m).unwrap();
        assert_eq!(&m[vs..ve], b"abc.def");
    }

    #[test]
    fn prefixes() {
        assert_eq!(
            classify_token(b"AKIAIOSFODNN7EXAMPLE"),
            Some(Kind::AwsKeyId)
        );
        assert_eq!(
            classify_token(b"ghp_0123456789abcdefghijABCDEFGHIJ012345"),
            Some(Kind::GithubToken)
        );
        assert_eq!(classify_token(b"plainvalue"), None);
    }
}
