//! Per-detector true positives and tricky false positives, with exact
//! spans and kinds.

use tracewell_redact::{Config, Kind, Scanner};

/// What `scanner` finds in `text`: kinds and the text they cover.
fn found<'t>(scanner: &Scanner, text: &'t str) -> Vec<(Kind, &'t str)> {
    scanner
        .find(text)
        .iter()
        .map(|s| (s.kind, &text[s.start..s.end]))
        .collect()
}

fn hits(text: &str) -> Vec<(Kind, &str)> {
    found(Scanner::builtin(), text)
}

fn ocr_hits(text: &str) -> Vec<(Kind, &str)> {
    found(Scanner::builtin_ocr(), text)
}

fn screen_hits(text: &str) -> Vec<(Kind, &str)> {
    found(Scanner::builtin_screen(), text)
}

#[test]
fn emails() {
    assert_eq!(
        hits("mail jane.doe+x@mail.example.co.uk now"),
        vec![(Kind::Email, "jane.doe+x@mail.example.co.uk")]
    );
    assert_eq!(
        hits("<a href=\"mailto:bob@example.org\">"),
        vec![(Kind::Email, "bob@example.org")]
    );
    assert!(hits("logo@2x.png and a@b and x@localhost").is_empty());
}

#[test]
fn cards_any_grouping() {
    for text in [
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111 111111111111",
        "41 11 1111 11111 111",
        "5555 5555 5555 4444",
        "3782 822463 10005",
        "6011 1111 1111 1117",
        "3530 1113 3330 0000",
        "3056 930902 5904",
    ] {
        assert_eq!(
            hits(&format!("pay {text}.")),
            vec![(Kind::Card, text)],
            "{text}"
        );
    }
}

#[test]
fn cards_rejected() {
    // Fails Luhn.
    assert!(hits("pay 4111 1111 1111 1112 now").is_empty());
    // Luhn-valid but no issuer has this prefix.
    assert!(hits("id 1234 5678 9012 3452").is_empty());
    // Separated by two spaces or by dots: not a card grouping.
    assert!(
        hits("4111  1111  1111  1111")
            .iter()
            .all(|(k, _)| *k != Kind::Card)
    );
    assert!(
        hits("4111.1111.1111.1111")
            .iter()
            .all(|(k, _)| *k != Kind::Card)
    );
    // Glued to letters.
    assert!(hits("x4111111111111111 4111111111111111abc").is_empty());
}

#[test]
fn card_glued_to_other_numbers() {
    assert_eq!(
        hits("Ref 2024 4111 1111 1111 1111"),
        vec![(Kind::Card, "4111 1111 1111 1111")]
    );
}

#[test]
fn card_ocr_misreads() {
    let text = "card 4lll 1111 1111 111l exp";
    assert_eq!(ocr_hits(text), vec![(Kind::Card, "4lll 1111 1111 111l")]);
    assert!(hits(text).is_empty());
    assert_eq!(ocr_hits("4111 1111 1111 1O11"), vec![]);
    assert_eq!(
        ocr_hits("5555 5555 5555 4444 Ohio"),
        vec![(Kind::Card, "5555 5555 5555 4444")]
    );
    assert_eq!(
        ocr_hits("4000 0000 0000 0OO2"),
        vec![(Kind::Card, "4000 0000 0000 0OO2")]
    );
}

#[test]
fn on_screen_check_digits_are_not_required() {
    // Small print read with zeros as eights: no longer Luhn- or
    // mod-97-valid, still a card and an IBAN on screen.
    let card = "Backup card 5580-8800-8800-8804 on file";
    assert!(ocr_hits(card).is_empty());
    assert_eq!(screen_hits(card), vec![(Kind::Card, "5580-8800-8800-8804")]);
    let iban = "Pay to IBAN DE89 3784 8844 6532 8138 88 by Friday";
    assert!(ocr_hits(iban).is_empty());
    assert_eq!(screen_hits(iban), vec![(Kind::Iban, "DE89 3784 8844 6532 8138 88")]);
    // A character dropped (`044` for `0044`): one short of the country's
    // length is still an IBAN on screen, not in typed text.
    let short = "Pay to IBAN DE89 3704 044 0532 0130 00 by Friday";
    assert!(ocr_hits(short).iter().all(|(k, _)| *k != Kind::Iban));
    assert_eq!(screen_hits(short), vec![(Kind::Iban, "DE89 3704 044 0532 0130 00")]);
    // The shape is still required: no issuer, wrong length, unknown
    // country, not a card grouping.
    for text in [
        "id 1234 5678 9012 3456",
        "4111 1111 1111 11",
        "ZZ89 3704 0044 0532 0130 00",
        "DE89 3704 0044 0532 0130",
        "4111.1111.1111.1112",
        "order 2024 1105 0042 9913 shipped",
        "401 402 403 404 405 406 407 408",
        "41 42 43 44 45 46 47 48 49 50",
    ] {
        assert!(
            screen_hits(text).iter().all(|(k, _)| !matches!(k, Kind::Card | Kind::Iban)),
            "{text}: {:?}",
            screen_hits(text)
        );
    }
}

#[test]
fn reconstructed_typed_card() {
    // A card typed key by key, with backspaces applied before scanning.
    let keys = "4111 1112\u{8}1 1111 1111";
    let mut typed = String::new();
    for c in keys.chars() {
        if c == '\u{8}' {
            typed.pop();
        } else {
            typed.push(c);
        }
    }
    assert_eq!(hits(&typed), vec![(Kind::Card, "4111 1111 1111 1111")]);
    let r = Scanner::builtin().redact(&typed);
    assert_eq!(r.as_str(), "<CARD>");
}

#[test]
fn ibans() {
    assert_eq!(
        hits("IBAN: DE89 3704 0044 0532 0130 00 EUR"),
        vec![(Kind::Iban, "DE89 3704 0044 0532 0130 00")]
    );
    assert_eq!(
        hits("GB82WEST12345698765432."),
        vec![(Kind::Iban, "GB82WEST12345698765432")]
    );
    assert_eq!(
        hits("FR14 2004 1010 0505 0001 3M02 606"),
        vec![(Kind::Iban, "FR14 2004 1010 0505 0001 3M02 606")]
    );
    // Bad checksum, wrong length, unknown country.
    assert!(hits("DE89 3704 0044 0532 0130 01").is_empty());
    assert!(
        hits("DE89 3704 0044 0532 0130 0")
            .iter()
            .all(|(k, _)| *k != Kind::Iban)
    );
    assert!(
        hits("ZZ89 3704 0044 0532 0130 00")
            .iter()
            .all(|(k, _)| *k != Kind::Iban)
    );
}

#[test]
fn ssns() {
    assert_eq!(hits("SSN 123-45-6789."), vec![(Kind::Ssn, "123-45-6789")]);
    assert_eq!(hits("ssn: 078 05 1120"), vec![(Kind::Ssn, "078 05 1120")]);
    for bad in [
        "000-12-3456",
        "666-12-3456",
        "900-12-3456",
        "999-12-3456",
        "123-00-4567",
        "123-45-0000",
    ] {
        assert!(hits(&format!("SSN {bad}")).is_empty(), "{bad}");
    }
    // Mixed separators, bare nine digits.
    assert!(hits("123-45 6789 and 123456789").is_empty());
}

#[test]
fn phones() {
    for p in [
        "(415) 555-2671",
        "415-555-2671",
        "415.555.2671",
        "1-415-555-2671",
        "+1 415 555 2671",
        "+44 20 7946 0958",
        "+44 (0)20 7946 0958",
        "+49 30 12345678",
        "+33 1 23 45 67 89",
        "020 7946 0958",
        "07700 900123",
        "030 12345678",
        "01 23 45 67 89",
        "+14155552671",
    ] {
        assert_eq!(
            hits(&format!("ring {p} today")),
            vec![(Kind::Phone, p)],
            "{p}"
        );
    }
    assert_eq!(hits("Phone: 4155552671"), vec![(Kind::Phone, "4155552671")]);
}

#[test]
fn not_phones() {
    for t in [
        "at 2024-01-15 10:30:45.123",
        "order #12345678 shipped",
        "ts=1700000000123",
        "invoice 2024-000123",
        "on 01/02/2024 12:30",
        "total 1,299.99 USD",
        "version 10.15.7",
        "call 911",
        "between 1990 and 2024",
        "id 4155552671",
    ] {
        assert!(hits(t).is_empty(), "{t}: {:?}", hits(t));
    }
}

#[test]
fn ip_addresses() {
    assert_eq!(
        hits("from 192.168.1.10:8080"),
        vec![(Kind::Ip, "192.168.1.10")]
    );
    assert_eq!(
        hits("host 2001:db8::8a2e:370:7334 up"),
        vec![(Kind::Ip, "2001:db8::8a2e:370:7334")]
    );
    assert_eq!(
        hits("2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
        vec![(Kind::Ip, "2001:0db8:85a3:0000:0000:8a2e:0370:7334")]
    );
    assert_eq!(
        hits("mapped ::ffff:192.0.2.128"),
        vec![(Kind::Ip, "::ffff:192.0.2.128")]
    );
    assert!(hits("999.1.1.1 and 256.0.0.1").is_empty());
    // Version strings: see the crate docs for the rule.
    assert!(hits("version 1.2.3.4, v1.2.3.4, 1.2.3.4.5").is_empty());
    assert_eq!(hits("ping 1.2.3.4"), vec![(Kind::Ip, "1.2.3.4")]);
    // The unspecified address and versions handed to a `…Version(…)`.
    assert!(hits("0.0.0.0:8080->80/tcp, listen 0.0.0.0").is_empty());
    assert!(hits("[assembly: AssemblyVersion(\"3.0.0.0\")]").is_empty());
    assert!(
        hits("[assembly: AssemblyFileVersion(\"1.2.0.0\")] FileVersion = \"4.1.0.0\"").is_empty()
    );
    assert_eq!(hits("peer(\"10.0.0.1\")"), vec![(Kind::Ip, "10.0.0.1")]);
    assert!(hits("std::vector a::b 12:30:45").is_empty());
}

#[test]
fn values_right_after_other_numbers_are_found() {
    // A count or a flag's argument before a value makes one run
    // of digit groups with it; that the run is no card or phone must not
    // hide the value in it.
    assert_eq!(hits("ping -c 3 8.8.4.4"), vec![(Kind::Ip, "8.8.4.4")]);
    assert_eq!(hits("host 3 10.0.0.1 up"), vec![(Kind::Ip, "10.0.0.1")]);
    assert_eq!(
        hits("seats 2 4 00:1a:2b:3c:4d:5e"),
        vec![(Kind::Mac, "00:1a:2b:3c:4d:5e")]
    );
    // The run itself is still no number.
    assert!(hits("ping -c 3 4 5").is_empty());
}

#[test]
fn macs() {
    assert_eq!(
        hits("hw 00:1A:2B:3C:4D:5E up"),
        vec![(Kind::Mac, "00:1A:2B:3C:4D:5E")]
    );
    assert_eq!(
        hits("hw 00-1a-2b-3c-4d-5e"),
        vec![(Kind::Mac, "00-1a-2b-3c-4d-5e")]
    );
    assert_eq!(
        hits("hw 001a.2b3c.4d5e"),
        vec![(Kind::Mac, "001a.2b3c.4d5e")]
    );
}

#[test]
fn url_secrets() {
    assert_eq!(
        hits("db https://admin:s3cr3t@db.example.com:5432/x"),
        vec![(Kind::UrlSecret, "admin:s3cr3t")]
    );
    assert_eq!(
        hits("GET /cb?code=Zx81kLmn0pQ2r&state=1&access_token=abc123def456"),
        vec![
            (Kind::UrlSecret, "Zx81kLmn0pQ2r"),
            (Kind::UrlSecret, "abc123def456")
        ]
    );
    assert_eq!(
        hits("https://s3.amazonaws.com/b/o?X-Amz-Signature=0a1b2c3d4e5f&X-Amz-Expires=300"),
        vec![(Kind::UrlSecret, "0a1b2c3d4e5f")]
    );
    // A vendor token in a query string keeps its vendor kind.
    assert_eq!(
        hits("https://x.io/?api_key=AIzaSyA1234567890abcdefghijklmnopqrstuv"),
        vec![(
            Kind::GoogleApiKey,
            "AIzaSyA1234567890abcdefghijklmnopqrstuv"
        )]
    );
    assert!(hits("https://example.com/search?q=rust&page=2&key=id").is_empty());
}

#[test]
fn vendor_tokens() {
    let cases = [
        ("AKIAIOSFODNN7EXAMPLE", Kind::AwsKeyId),
        ("ASIAY34FZKBOKMUTVV7A", Kind::AwsKeyId),
        (
            "ghp_0123456789abcdefghijABCDEFGHIJ012345",
            Kind::GithubToken,
        ),
        (
            "gho_0123456789abcdefghijABCDEFGHIJ012345",
            Kind::GithubToken,
        ),
        (
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN",
            Kind::GithubToken,
        ),
        ("glpat-xXxXxXxXxXxXxXxXxXxX", Kind::GitlabToken),
        (
            "xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx",
            Kind::SlackToken,
        ),
        ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", Kind::StripeKey),
        ("rk_live_4eC39HqLyjWDarjtT1zdp7dc", Kind::StripeKey),
        ("pk_live_4eC39HqLyjWDarjtT1zdp7dc", Kind::StripeKey),
        ("sk_test_4eC39HqLyjWDarjtT1zdp7dc", Kind::StripeKey),
        (
            "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
            Kind::GoogleApiKey,
        ),
    ];
    for (tok, kind) in cases {
        assert_eq!(
            hits(&format!("using {tok} here")),
            vec![(kind, tok)],
            "{tok}"
        );
    }
    assert!(hits("AKIA1234 ghp_short sk_live_x").is_empty());
}

const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

#[test]
fn jwts() {
    assert_eq!(hits(&format!("token {JWT} end")), vec![(Kind::Jwt, JWT)]);
    let curl = format!("curl -H \"Authorization: Bearer {JWT}\" https://api.example.com/v1/me");
    assert_eq!(hits(&curl), vec![(Kind::Jwt, JWT)]);
    // Three dotted segments whose header is not JSON.
    assert!(hits("eyJub3Rqc29uIGF0IGFsbA.eyJhIjoxfQ.c2ln").is_empty());
}

#[test]
fn private_keys() {
    let text = "key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\nafter";
    let block = &text[5..text.len() - 6];
    assert_eq!(hits(text), vec![(Kind::PrivateKey, block)]);
    // Unterminated: everything after the header is treated as key material.
    let cut = "x -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg";
    assert_eq!(hits(cut), vec![(Kind::PrivateKey, &cut[2..])]);
    // A public key is not a secret.
    assert!(hits("-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----").is_empty());
}

#[test]
fn secrets_in_json_and_shell() {
    assert_eq!(
        hits(r#"{"password":"hunter22","user":"bob"}"#),
        vec![(Kind::Secret, "hunter22")]
    );
    assert_eq!(
        hits(r#"{"api_key": "Zq8vN3xR7tL2pK9w"}"#),
        vec![(Kind::Secret, "Zq8vN3xR7tL2pK9w")]
    );
    assert_eq!(
        hits("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        vec![(Kind::AwsSecret, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")]
    );
    assert_eq!(
        hits("DB_PASSWORD='c0rrect horse'"),
        vec![(Kind::Secret, "c0rrect horse")]
    );
    assert_eq!(
        hits("secret: 8f1Kq0ZpW3xY7bN2"),
        vec![(Kind::Secret, "8f1Kq0ZpW3xY7bN2")]
    );
    assert_eq!(
        hits("mysql --password=Pa55w0rd! -u root"),
        vec![(Kind::Secret, "Pa55w0rd!")]
    );
    // Not secrets: code, placeholders, low entropy, counters.
    for t in [
        "password = getpass()",
        "token: string",
        "\"token_count\": 1234",
        "secret: true",
        "api_key = os.environ",
        "password: ${DB_PASSWORD}",
        "token=aaaaaaaaaaaa",
    ] {
        assert!(hits(t).is_empty(), "{t}: {:?}", hits(t));
    }
}

#[test]
fn assignment_keywords_end_a_word() {
    assert!(
        hits(r#"{"author": "Orla Novak", "tokenizer": "bpe-32k-v2"}"#)
            .iter()
            .all(|(k, _)| *k == Kind::Person)
    );
    assert!(hits("secretary=Quartermaster9").is_empty());
    assert_eq!(
        hits("passwords=Pa55w0rd!"),
        vec![(Kind::Secret, "Pa55w0rd!")]
    );
    assert_eq!(
        hits("Authorization: Basic dXNlcjpQYTU1dzByZCE="),
        vec![(Kind::Secret, "dXNlcjpQYTU1dzByZCE=")]
    );
}

#[test]
fn bare_aws_secret() {
    assert_eq!(
        hits("aws secret is wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ok"),
        vec![(Kind::AwsSecret, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")]
    );
    // A git commit id (40 hex) is not a secret key.
    assert!(hits("commit 3f786850e387550fdab836ed7e6dc881de23001b").is_empty());
}

#[test]
fn names() {
    assert_eq!(hits("Dear Mr. Smith,"), vec![(Kind::Person, "Smith")]);
    assert_eq!(
        hits("Name: Xochitl Quispe"),
        vec![(Kind::Person, "Xochitl Quispe")]
    );
    assert_eq!(
        hits("{\"full_name\": \"Ada Lovelace\"}"),
        vec![(Kind::Person, "Ada Lovelace")]
    );
    assert_eq!(
        hits("I met Maria Garcia today"),
        vec![(Kind::Person, "Maria Garcia")]
    );
    assert_eq!(hits("Hi Priya, see you"), vec![(Kind::Person, "Priya")]);
    assert_eq!(
        hits("Best regards,\nTom Baker"),
        vec![(Kind::Person, "Tom Baker")]
    );
    assert_eq!(
        hits("with John F. Kennedy"),
        vec![(Kind::Person, "John F. Kennedy")]
    );
    // Capitalised phrases that are not people.
    for t in [
        "Open the Quarterly Report in Google Chrome",
        "Dear Team, the Pull Request is merged",
        "George Washington University",
        "Name: Quarterly",
    ] {
        assert!(hits(t).is_empty(), "{t}: {:?}", hits(t));
    }
}

#[test]
fn names_with_accents() {
    assert_eq!(
        hits("Name: Élodie Müller"),
        vec![(Kind::Person, "Élodie Müller")]
    );
    assert_eq!(
        hits("I met José García today"),
        vec![(Kind::Person, "José García")]
    );
    assert_eq!(hits("Dear Łukasz,"), vec![(Kind::Person, "Łukasz")]);
    assert_eq!(
        hits("thanks to Søren Kierkegård"),
        vec![(Kind::Person, "Søren Kierkegård")]
    );
    // An accented capital inside a word does not start a name.
    assert!(hits("the caféÉlan Brasserie").is_empty());
}

#[test]
fn names_from_context_and_layout() {
    // Unknown names, told apart by the words or the layout around them.
    assert_eq!(
        hits("the fix was reviewed by Quillon Vasteroy yesterday"),
        vec![(Kind::Person, "Quillon Vasteroy")]
    );
    assert_eq!(
        hits("Quillon Vasteroy merged the branch"),
        vec![(Kind::Person, "Quillon Vasteroy")]
    );
    assert_eq!(
        hits("Author: x\nQuillon Vasteroy: sounds good"),
        vec![(Kind::Person, "Quillon Vasteroy")]
    );
    assert_eq!(
        hits("Signed-off: Quillon Vasteroy <qv@example.org>"),
        vec![
            (Kind::Person, "Quillon Vasteroy"),
            (Kind::Email, "qv@example.org")
        ]
    );
    assert_eq!(
        hits("| 42 | Quillon Vasteroy | open |"),
        vec![(Kind::Person, "Quillon Vasteroy")]
    );
    // "is" is a cue, "issue" is not.
    assert!(hits("Quarterly Planning issue tracker").is_empty());
}

#[test]
fn addresses() {
    assert_eq!(
        hits("Ship to 221B Baker Street, London."),
        vec![(Kind::Address, "221B Baker Street, London")]
    );
    assert_eq!(
        hits("at 42 Main St today"),
        vec![(Kind::Address, "42 Main St")]
    );
    assert_eq!(
        hits("1600 Pennsylvania Avenue NW, Washington, DC 20500"),
        vec![(
            Kind::Address,
            "1600 Pennsylvania Avenue NW, Washington, DC 20500"
        )]
    );
    assert!(hits("we shipped 42 Boxes today").is_empty());
}

#[test]
fn redaction_output_and_summary() {
    let text = "mail a.b@example.com, card 4111 1111 1111 1111, mail c@example.org";
    let (r, spans) = Scanner::builtin().redact_with_spans(text);
    assert_eq!(r.as_str(), "mail <EMAIL>, card <CARD>, mail <EMAIL>");
    assert_eq!(r.counts().get(&Kind::Email), Some(&2));
    assert_eq!(r.counts().get(&Kind::Card), Some(&1));
    assert_eq!(r.total(), 3);
    assert_eq!(tracewell_redact::summary(&spans), r.counts().clone());
    // The record serialises kinds and counts only.
    let json = serde_json::to_string(r.counts()).unwrap();
    assert_eq!(json, r#"{"email":2,"card":1}"#);
    assert!(!json.contains("example"));
}

#[test]
fn spans_sorted_non_overlapping_on_char_boundaries() {
    let text = "Zoë → jane@exämple.com é4111 1111 1111 1111é ☃ 192.168.0.1☃ wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYé";
    let spans = Scanner::builtin().find(text);
    assert!(!spans.is_empty());
    for w in spans.windows(2) {
        assert!(w[0].end <= w[1].start);
    }
    for s in &spans {
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
    }
    let _ = Scanner::builtin().redact(text);
}

#[test]
fn disabled_kinds_are_not_reported() {
    let mut config = Config::default();
    config.kinds.remove(&Kind::Person);
    let scanner = Scanner::new(config).unwrap();
    assert!(scanner.find("I met Maria Garcia").is_empty());
    assert_eq!(scanner.find("a@example.com").len(), 1);
}

#[test]
fn bad_config_is_an_error() {
    let config = Config {
        secret_min_entropy: 9.0,
        ..Config::default()
    };
    assert!(matches!(
        Scanner::new(config),
        Err(tracewell_redact::Error::Config(_))
    ));
}

#[test]
fn kinds_serialise_snake_case() {
    assert_eq!(
        serde_json::to_string(&Kind::AwsKeyId).unwrap(),
        "\"aws_key_id\""
    );
    assert_eq!(
        serde_json::to_string(&Kind::UrlSecret).unwrap(),
        "\"url_secret\""
    );
    for k in Kind::ALL {
        assert_eq!(
            serde_json::to_string(&k).unwrap(),
            format!("\"{}\"", k.name())
        );
        assert!(k.placeholder().starts_with('<') && k.placeholder().ends_with('>'));
    }
    assert_eq!(Kind::GoogleApiKey.placeholder(), "<GOOGLE_API_KEY>");
}
