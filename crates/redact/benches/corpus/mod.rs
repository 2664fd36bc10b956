//! The seeded synthetic labelled corpus shared by the quality bench and the
//! corpus export.
//!
//! Documents come in six categories: prose, code, log, terminal and form
//! documents carry 3–6 labelled sensitive values each, embedded in filler
//! lines of their own style; `pii_free` documents hold filler lines only
//! (each of one style) and measure false detections.
//!
//! Every sensitive value is generated valid (Luhn cards, mod-97 IBANs, SSNs
//! in range, …); the generator records where it put each value, as byte
//! offsets and as character offsets.
//!
//! Person names come in three groups: names the built-in gazetteer knows,
//! "held-out" names chosen separately from it, and names with diacritics.
//! They are put in two sets of contexts: the "tuned" set the name rules
//! were developed against, and a "held-out" set written afterwards without
//! reference to the rules.
//!
//! Filler is generated from word lists and formats (sentences, headings,
//! code, log lines with hex ids, UUIDs, versions, timestamps, paths,
//! prices, dates, shell sessions, form fields), so that PII-free text is
//! not a handful of lines repeated.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::Path;

use tracewell_redact::{Kind, Span};

/// splitmix64: small, seeded, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next() % u64::from(hi - lo + 1)) as u32
    }
    fn pick<'a, T: ?Sized>(&mut self, xs: &[&'a T]) -> &'a T {
        xs[self.below(xs.len())]
    }
    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[self.below(alphabet.len())] as char)
            .collect()
    }
    fn digits(&mut self, n: usize) -> String {
        self.chars(b"0123456789", n)
    }
}

const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Held-out names, chosen independently of data/*.txt.
const HELD_FIRST: &[&str] = &[
    "Aarav",
    "Beatriz",
    "Chidi",
    "Dagny",
    "Emeka",
    "Farah",
    "Goran",
    "Hanne",
    "Ines",
    "Jovan",
    "Kalani",
    "Leilani",
    "Mateus",
    "Nkechi",
    "Orla",
    "Pilar",
    "Quentin",
    "Rasmus",
    "Saoirse",
    "Tariq",
    "Ulla",
    "Valentina",
    "Wojciech",
    "Ximena",
    "Yara",
    "Zeynep",
    "Bjorn",
    "Chiara",
    "Dario",
    "Eamon",
    "Fiona",
    "Gustavo",
    "Hamid",
    "Ilse",
    "Joaquin",
    "Keanu",
    "Lorenzo",
    "Maeve",
    "Niamh",
    "Oskar",
    "Paloma",
    "Rafael",
    "Soren",
    "Thiago",
    "Vera",
    "Yusra",
    "Zoltan",
    "Amara",
    "Bram",
    "Cosima",
];
const HELD_LAST: &[&str] = &[
    "Okafor",
    "Lindqvist",
    "Castellanos",
    "Nakashima",
    "Abernathy",
    "Villanueva",
    "Haugland",
    "Papadopoulos",
    "Oyelaran",
    "Kowalczyk",
    "Fairweather",
    "Delacroix",
    "Mbeki",
    "Quispe",
    "Achterberg",
    "Bianchetti",
    "Ferreira",
    "Halvorsen",
    "Iwasaki",
    "Jankowski",
    "Kariuki",
    "Lombardi",
    "Moreira",
    "Novak",
    "Ostrowski",
    "Pellegrini",
    "Rautio",
    "Szabo",
    "Takeda",
    "Umarov",
    "Varga",
    "Whitfield",
    "Yilmaz",
    "Zielinski",
    "Adeyemi",
    "Brennan",
    "Carvalho",
    "Dimitrov",
    "Eriksen",
    "Fonseca",
];
// Names the gazetteer knows (a sample, for the second figure).
const KNOWN_FIRST: &[&str] = &[
    "James", "Maria", "Priya", "Wei", "Olga", "Lukas", "Emma", "Ahmed", "Sofia", "Daniel",
];
const KNOWN_LAST: &[&str] = &[
    "Garcia", "Nguyen", "Schmidt", "Patel", "Kowalski", "Rossi", "Johnson", "Tanaka", "Jensen",
    "Hughes",
];

const STREETS: &[&str] = &[
    "Oak",
    "Maple",
    "Cedar",
    "Elm",
    "Willow",
    "Highland",
    "Lakeview",
    "Sunset",
    "Pine Ridge",
    "Harbor",
    "Mill Creek",
    "Chestnut",
];
const SUFFIXES: &[&str] = &[
    "Street",
    "St",
    "Avenue",
    "Ave",
    "Road",
    "Rd",
    "Boulevard",
    "Blvd",
    "Lane",
    "Drive",
    "Court",
    "Way",
];
const CITIES: &[&str] = &["Springfield", "Riverton", "Lakewood", "Fairview", "Milton"];
const DOMAINS: &[&str] = &[
    "example.com",
    "mail.example.org",
    "corp.example.net",
    "example.co.uk",
];

// Names with diacritics, chosen separately from data/*.txt.
const ACCENTED_FIRST: &[&str] = &[
    "José",
    "Zoë",
    "Søren",
    "Inés",
    "Łukasz",
    "Çağla",
    "Renée",
    "Björn",
    "Jürgen",
    "Anaïs",
    "Dóra",
    "Željko",
    "François",
    "Mónica",
    "Håkon",
    "Ángel",
    "Noémie",
    "Jiří",
];
const ACCENTED_LAST: &[&str] = &[
    "Müller",
    "Álvarez",
    "Gonçalves",
    "Øvergaard",
    "Núñez",
    "Dvořák",
    "Kovačić",
    "Sørensen",
    "Jiménez",
    "Hernández",
    "Böhm",
    "Lefèvre",
    "Štěpánek",
    "Öztürk",
    "Günther",
    "Ruiz-Peña",
];

/// A value to embed. `names` says which name list a person came from.
struct Value {
    kind: Kind,
    names: Option<&'static str>,
    text: String,
}

fn luhn_complete(prefix: &str, len: usize, rng: &mut Rng) -> String {
    let mut s = prefix.to_string();
    s.push_str(&rng.digits(len - 1 - prefix.len()));
    let sum: u32 = s
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    s.push(char::from(b'0' + ((10 - sum % 10) % 10) as u8));
    s
}

fn card(rng: &mut Rng) -> String {
    let (prefix, len): (&str, usize) = *rng.pick(&[
        &("4", 16),
        &("4", 16),
        &("51", 16),
        &("55", 16),
        &("2221", 16),
        &("34", 15),
        &("37", 15),
        &("6011", 16),
        &("65", 16),
        &("3530", 16),
        &("36", 14),
        &("62", 16),
        &("4", 13),
    ]);
    let d = luhn_complete(prefix, len, rng);
    match rng.below(5) {
        0 => d,
        1 => d
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" "),
        2 => d
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("-"),
        // OCR-style: the first group split off, the rest glued.
        3 => format!("{} {}", &d[..4], &d[4..]),
        _ => {
            // Arbitrary single-space grouping.
            let mut out = String::new();
            for (i, c) in d.chars().enumerate() {
                if i > 0 && rng.below(4) == 0 {
                    out.push(' ');
                }
                out.push(c);
            }
            out
        }
    }
}

fn iban(rng: &mut Rng) -> String {
    let (cc, bban) = match rng.below(6) {
        0 => ("DE", rng.digits(18)),
        1 => (
            "GB",
            format!(
                "{}{}",
                rng.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4),
                rng.digits(14)
            ),
        ),
        2 => ("FR", rng.digits(23)),
        3 => (
            "NL",
            format!(
                "{}{}",
                rng.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4),
                rng.digits(10)
            ),
        ),
        4 => ("ES", rng.digits(20)),
        _ => ("BE", rng.digits(12)),
    };
    let rearranged = format!("{bban}{cc}00");
    let mut rem = 0u32;
    for c in rearranged.bytes() {
        rem = if c.is_ascii_digit() {
            (rem * 10 + u32::from(c - b'0')) % 97
        } else {
            (rem * 100 + u32::from(c - b'A' + 10)) % 97
        };
    }
    let compact = format!("{cc}{:02}{bban}", 98 - rem);
    if rng.below(2) == 0 {
        compact
    } else {
        compact
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn phone(rng: &mut Rng) -> String {
    let a = rng.range(201, 989);
    let e = rng.range(200, 999);
    let n = rng.digits(4);
    match rng.below(10) {
        0 => format!("({a}) {e}-{n}"),
        1 => format!("{a}-{e}-{n}"),
        2 => format!("+1 {a} {e} {n}"),
        3 => format!("{a}.{e}.{n}"),
        4 => format!("+44 20 {} {}", rng.digits(4), rng.digits(4)),
        5 => format!("020 {} {}", rng.digits(4), rng.digits(4)),
        6 => format!("07{} {}", rng.digits(3), rng.digits(6)),
        7 => format!("+49 30 {}", rng.digits(8)),
        8 => format!(
            "+33 {} {} {} {} {}",
            rng.range(1, 9),
            rng.digits(2),
            rng.digits(2),
            rng.digits(2),
            rng.digits(2)
        ),
        _ => format!(
            "0{} {} {} {} {}",
            rng.range(1, 9),
            rng.digits(2),
            rng.digits(2),
            rng.digits(2),
            rng.digits(2)
        ),
    }
}

fn b64url(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn value(kind: Kind, rng: &mut Rng) -> Value {
    let mut names = None;
    let text = match kind {
        Kind::Email => format!(
            "{}.{}{}@{}",
            rng.pick(HELD_FIRST).to_lowercase(),
            rng.pick(HELD_LAST).to_lowercase(),
            rng.below(100),
            rng.pick(DOMAINS)
        ),
        Kind::Phone => phone(rng),
        Kind::Card => card(rng),
        Kind::Iban => iban(rng),
        Kind::Ssn => {
            let mut area = rng.range(1, 899);
            if area == 666 {
                area = 667;
            }
            let sep = if rng.below(4) == 0 { " " } else { "-" };
            format!(
                "{area:03}{sep}{:02}{sep}{:04}",
                rng.range(1, 99),
                rng.range(1, 9999)
            )
        }
        Kind::Ip => {
            if rng.below(3) == 0 {
                let g: Vec<String> = (0..8)
                    .map(|_| format!("{:x}", rng.range(1, 0xffff)))
                    .collect();
                if rng.below(2) == 0 {
                    g.join(":")
                } else {
                    format!("{}:{}::{}:{}", g[0], g[1], g[6], g[7])
                }
            } else {
                format!(
                    "{}.{}.{}.{}",
                    rng.range(1, 223),
                    rng.range(0, 255),
                    rng.range(0, 255),
                    rng.range(1, 254)
                )
            }
        }
        Kind::Mac => {
            let sep = if rng.below(2) == 0 { ":" } else { "-" };
            (0..6)
                .map(|_| format!("{:02x}", rng.range(0, 255)))
                .collect::<Vec<_>>()
                .join(sep)
        }
        Kind::UrlSecret => rng.chars(ALNUM, 24),
        Kind::AwsKeyId => format!("AKIA{}", rng.chars(UPPER_DIGITS, 16)),
        Kind::AwsSecret => loop {
            let s = rng.chars(B64, 40);
            let b = s.as_bytes();
            if b.iter().any(u8::is_ascii_uppercase)
                && b.iter().any(u8::is_ascii_lowercase)
                && b.iter().any(u8::is_ascii_digit)
            {
                break s;
            }
        },
        Kind::GithubToken => format!("ghp_{}", rng.chars(ALNUM, 36)),
        Kind::GitlabToken => format!("glpat-{}", rng.chars(ALNUM, 20)),
        Kind::SlackToken => format!(
            "xoxb-{}-{}-{}",
            rng.digits(12),
            rng.digits(13),
            rng.chars(ALNUM, 24)
        ),
        Kind::StripeKey => format!(
            "{}{}",
            rng.pick(&["sk_live_", "rk_live_", "pk_live_", "sk_test_"]),
            rng.chars(ALNUM, 24)
        ),
        Kind::GoogleApiKey => format!(
            "AIza{}",
            rng.chars(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                35
            )
        ),
        Kind::Jwt => {
            let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
            let payload = b64url(
                format!(r#"{{"sub":"{}","iat":{}}}"#, rng.digits(8), rng.digits(10)).as_bytes(),
            );
            format!(
                "{header}.{payload}.{}",
                rng.chars(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                    43
                )
            )
        }
        Kind::PrivateKey => {
            let body: Vec<String> = (0..6).map(|_| rng.chars(B64, 64)).collect();
            format!(
                "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
                body.join("\n")
            )
        }
        Kind::Secret => {
            let n = 8 + rng.below(16);
            rng.chars(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%^*",
                n,
            )
        }
        Kind::Person => {
            let r = rng.below(10);
            if r < 4 {
                names = Some("held-out");
                format!("{} {}", rng.pick(HELD_FIRST), rng.pick(HELD_LAST))
            } else if r < 8 {
                names = Some("gazetteer");
                format!("{} {}", rng.pick(KNOWN_FIRST), rng.pick(KNOWN_LAST))
            } else {
                names = Some("accented");
                format!("{} {}", rng.pick(ACCENTED_FIRST), rng.pick(ACCENTED_LAST))
            }
        }
        Kind::Address => {
            let mut s = format!(
                "{} {} {}",
                rng.range(1, 9999),
                rng.pick(STREETS),
                rng.pick(SUFFIXES)
            );
            if rng.below(2) == 0 {
                let _ = write!(s, ", {}", rng.pick(CITIES));
            }
            s
        }
    };
    Value { kind, names, text }
}

/// The style of a document or of a template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cat {
    Prose,
    Code,
    Log,
    Terminal,
    Form,
}

impl Cat {
    pub const ALL: [Cat; 5] = [Cat::Prose, Cat::Code, Cat::Log, Cat::Terminal, Cat::Form];

    pub fn name(self) -> &'static str {
        match self {
            Cat::Prose => "prose",
            Cat::Code => "code",
            Cat::Log => "log",
            Cat::Terminal => "terminal",
            Cat::Form => "form",
        }
    }
}

use Cat::{Code, Form, Log, Prose, Terminal};

/// Templates: `{}` is where the value goes. Several contexts per kind, each
/// tagged with the style it belongs to. For persons these are the contexts
/// the name rules were developed against.
fn templates(kind: Kind) -> &'static [(Cat, &'static str)] {
    match kind {
        Kind::Email => &[
            (Prose, "Please reach me at {} before Friday."),
            (Form, "From: {}\nSubject: invoice"),
            (Code, "{\"email\": \"{}\", \"active\": true}"),
            (Log, "2024-03-02T10:11:12Z INFO login ok user={} ip=-"),
            (Terminal, "$ git config --global user.email \"{}\""),
            (Form, "Email address: {}"),
            (Log, "[mailer] queued message to={} id=3f2a9c"),
        ],
        Kind::Phone => &[
            (Prose, "Call me on {} after lunch."),
            (Form, "Phone: {}"),
            (Code, "{\"phone\": \"{}\"}"),
            (Form, "Mobile {} / office closed"),
            (Prose, "You can reach the desk at {}."),
            (Log, "sms.send ok to={} segments=1"),
            (Terminal, "$ ./notify --phone '{}' --dry-run"),
        ],
        Kind::Card => &[
            (Form, "Card number: {} exp 09/27"),
            (Code, "{\"pan\": \"{}\", \"cvv\": \"***\"}"),
            (Prose, "paid with {} yesterday"),
            (Form, "OCR: VISA {} VALID THRU 12/26"),
            (
                Log,
                "WARN payment declined card={} reason=insufficient_funds",
            ),
            (Terminal, "$ ./charge.sh --card \"{}\" --amount 10"),
        ],
        Kind::Iban => &[
            (Prose, "Please wire to IBAN {} by Monday."),
            (Code, "iban={}"),
            (Form, "Account: {} (BIC DEUTDEFF)"),
            (Log, "transfer created beneficiary_iban={} amount=120.00"),
            (Terminal, "$ iban-check {}\nvalid"),
        ],
        Kind::Ssn => &[
            (Form, "SSN: {}"),
            (Prose, "Social security number {} on file."),
            (Code, "{\"ssn\": \"{}\"}"),
            (Log, "validate ssn={} result=ok"),
            (Terminal, "$ grep -rn '{}' exports/"),
        ],
        Kind::Ip => &[
            (Log, "Connection from {} refused"),
            (Terminal, "ssh admin@{} -p 22"),
            (Log, "client_ip={} status=200"),
            (Form, "Server address: {}"),
            (Prose, "The office router answers on {} now."),
            (Code, "const HOST = \"{}\";"),
        ],
        Kind::Mac => &[
            (Log, "Device MAC {} joined"),
            (Code, "hwaddr={}"),
            (Terminal, "ether {} txqueuelen 1000"),
            (Form, "MAC address: {}"),
            (Prose, "My laptop shows {} as its Wi-Fi address."),
        ],
        Kind::UrlSecret => &[
            (
                Log,
                "GET https://api.example.com/v1/items?access_token={}&page=2",
            ),
            (Prose, "open https://example.com/reset?token={}"),
            (Code, "https://deploy:{}@git.example.com/repo.git"),
            (Terminal, "curl 'https://x.example.io/data?api_key={}'"),
        ],
        Kind::AwsKeyId => &[
            (Terminal, "export AWS_ACCESS_KEY_ID={}"),
            (Code, "aws_access_key_id = {}"),
            (Code, "{\"AccessKeyId\": \"{}\"}"),
            (Log, "key {} leaked in log"),
        ],
        Kind::AwsSecret => &[
            (Terminal, "export AWS_SECRET_ACCESS_KEY={}"),
            (Code, "aws_secret_access_key = {}"),
            (Code, "{\"SecretAccessKey\": \"{}\"}"),
            (Prose, "the aws secret is {} ok"),
            (Form, "creds: {}"),
        ],
        Kind::GithubToken => &[
            (Terminal, "git clone https://{}@github.com/o/r.git"),
            (Code, "GITHUB_TOKEN={}"),
            (Prose, "token {} expires soon"),
            (Log, "Authorization: token {}"),
        ],
        Kind::GitlabToken => &[
            (Terminal, "export GITLAB_TOKEN={}"),
            (Log, "private-token: {}"),
            (Prose, "use {} for CI"),
        ],
        Kind::SlackToken => &[
            (Code, "SLACK_BOT_TOKEN={}"),
            (Prose, "slack token {} rotated"),
            (Code, "{\"token\": \"{}\"}"),
        ],
        Kind::StripeKey => &[
            (Code, "STRIPE_KEY={}"),
            (Code, "stripe.api_key = '{}'"),
            (Prose, "charge with {} now"),
        ],
        Kind::GoogleApiKey => &[
            (Log, "https://maps.googleapis.com/maps/api/js?key={}"),
            (Code, "GOOGLE_API_KEY={}"),
            (Code, "apiKey: \"{}\","),
        ],
        Kind::Jwt => &[
            (
                Terminal,
                "curl -H \"Authorization: Bearer {}\" https://api.example.com",
            ),
            (Log, "Cookie: session={}"),
            (Code, "jwt={}"),
            (Code, "{\"id_token\": \"{}\"}"),
        ],
        Kind::PrivateKey => &[
            (Terminal, "cat id_rsa\n{}\n$ "),
            (Code, "key: |\n{}\n"),
            (Code, "\"{}\""),
        ],
        Kind::Secret => &[
            (Code, "{\"password\":\"{}\",\"user\":\"admin\"}"),
            (Code, "DB_PASSWORD={}"),
            (Form, "secret: {}"),
            (Code, "api_token = \"{}\""),
            (Terminal, "mysql -u root --password={} db"),
        ],
        Kind::Person => &[
            (Prose, "Dear {},\nthank you for your order."),
            (Form, "Name: {}"),
            (Code, "{\"full_name\": \"{}\"}"),
            (Form, "From: {} <noreply@example.com>"),
            (Prose, "Meeting with {} moved to 3pm."),
            (Prose, "Best regards,\n{}"),
            (Log, "Assigned to {} yesterday."),
            (Prose, "{} approved the request."),
        ],
        Kind::Address => &[
            (Prose, "Ship to {} by Tuesday."),
            (Form, "Address: {}"),
            (Prose, "We moved to {} last year."),
            (Code, "{\"street\": \"{}\"}"),
        ],
    }
}

/// Person contexts written after the name rules, without reference to them:
/// recall here is an estimate for names in text the rules have not seen.
const PERSON_HELD_OUT: &[(Cat, &str)] = &[
    (Prose, "{} said the build is green again."),
    (Prose, "I spoke to {} about the budget this morning."),
    (Prose, "According to {}, the migration finished overnight."),
    (Prose, "{} and I will present the roadmap on Friday."),
    (Prose, "Happy birthday, {}! 🎉"),
    (Prose, "Congratulations to {} on the promotion."),
    (Prose, "Your driver {} is arriving in a white Toyota."),
    (
        Prose,
        "We are sad to say goodbye to {}, who retires this month.",
    ),
    (Prose, "Hola {}, ¿qué tal el viaje?"),
    (Prose, "Can {} take the on-call shift this weekend?"),
    (Code, "Reviewed-by: {}"),
    (Code, "# Copyright 2024 {}"),
    (Code, "authors = [\"{}\"]"),
    (Code, "  \"author\": \"{}\","),
    (Log, "2024-06-03 09:14:02 INFO session started for {}"),
    (Log, "audit: {} changed role to admin"),
    (Log, "[chat] {} joined the channel"),
    (Terminal, "$ git log -1 --format='%an'\n{}"),
    (Terminal, "{} is typing…"),
    (Terminal, "Last login by {} on ttys003"),
    (Form, "Passenger: {}"),
    (Form, "Emergency contact — {}"),
    (Form, "| {} | Engineering | Berlin |"),
    (Form, "Interviewer {}, slot 14:00–14:30"),
    (Form, "Ordered by {} on 12 March"),
];

/// One of `ts` whose style is `cat`, or any of them if none is.
fn pick_template(rng: &mut Rng, ts: &'static [(Cat, &'static str)], cat: Cat) -> &'static str {
    let n = ts.iter().filter(|t| t.0 == cat).count();
    if n == 0 {
        return ts[rng.below(ts.len())].1;
    }
    let k = rng.below(n);
    ts.iter().filter(|t| t.0 == cat).nth(k).unwrap().1
}

// ---------------------------------------------------------------------------
// PII-free filler.

const WORDS: &str = "the of and to in is that for it as with was on be at by this had not are \
but from or have an they which one you were all we when your can said there use each she how \
their if will up other about out many then them these so some her would make like into time has \
look two more write go see number way could people than first water been call who oil its now \
find long down day did get come made may part over new sound take only little work know place \
year live back give most very after thing our just name good sentence man think say great where \
help through much before line right too mean old any same tell boy follow came want show also \
around form three small set put end does another well large must big even such because turn here \
why ask went men read need land different home move try kind hand picture again change off play \
spell air away animal house point page letter mother answer found study still learn should world \
high every near add food between own below country plant last school father keep tree never start \
city earth eye light thought head under story saw left few while along might close something seem \
next hard open example begin life always those both paper together got group often run important \
until children side feet car mile night walk white sea began grow took river four carry state once \
book hear stop without second later miss idea enough eat face watch far really almost let above \
girl sometimes mountain cut young talk soon list song being leave family budget release review \
server client request response cache queue worker deploy build test branch merge commit feature \
issue ticket sprint backlog roadmap meeting agenda notes draft report invoice order payment refund \
shipping delivery account settings profile password reset option window panel button menu screen \
file folder upload download export import backup restore update install version config network \
storage memory disk latency timeout retry error warning debug trace metric dashboard alert incident \
customer support team project milestone deadline estimate quarter revenue cost margin forecast \
contract policy privacy security access permission role admin user guest session device laptop \
phone printer monitor keyboard mouse battery charger cable adapter coffee lunch weather travel \
flight hotel train ticket museum garden kitchen recipe chapter lesson course exam grade teacher";

/// Capitalised names of things, places and events that are not persons; a
/// few are also given names (Austin, Charlotte, Victoria, Jordan), as in
/// real text.
const PROPER: &[&str] = &[
    "Visual Studio Code",
    "Google Drive",
    "Microsoft Teams",
    "New York",
    "San Francisco",
    "Los Angeles",
    "Austin",
    "Charlotte",
    "Florence",
    "Victoria",
    "Jordan",
    "Georgia",
    "Berlin",
    "Tokyo",
    "Amazon Web Services",
    "Pull Request",
    "Release Notes",
    "Customer Success",
    "Product Review",
    "Black Friday",
    "Final Cut Pro",
    "Apple Music",
    "Windows Update",
    "Task Manager",
    "Control Panel",
    "Activity Monitor",
    "Jira",
    "Confluence",
    "GitHub Actions",
    "Docker Desktop",
    "Home Assistant",
    "Quarterly Business Review",
    "Data Science",
    "Machine Learning",
    "Stack Overflow",
    "Hacker News",
    "Firefox",
    "Safari",
    "Chrome",
    "Great Britain",
    "Grand Central",
    "Mount Rainier",
    "Lake Tahoe",
    "Golden Gate",
    "Monday",
    "Thursday",
    "January",
    "March",
    "Easter Monday",
    "Christmas Eve",
    "Linux",
    "Kubernetes",
    "PostgreSQL",
    "Python",
    "Rust",
    "European Union",
    "United Nations",
    "Premier League",
    "World Cup",
    "Silicon Valley",
];

const EXTS: &[&str] = &[
    "rs", "py", "ts", "json", "yaml", "toml", "md", "txt", "log", "csv", "pdf", "docx", "png",
];
const LEVELS: &[&str] = &["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"];
const METHODS: &[&str] = &["GET", "GET", "POST", "PUT", "DELETE", "PATCH"];
const MONTHS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const CRATES: &[&str] = &[
    "serde", "tokio", "regex", "clap", "anyhow", "rand", "hyper", "libc", "syn", "quote",
];
const PY_PKGS: &[&str] = &[
    "numpy", "pandas", "requests", "flask", "pytest", "django", "scipy", "pillow",
];
const UNITS: &[&str] = &[
    "systemd-resolved",
    "nginx",
    "docker",
    "cron",
    "sshd",
    "cups",
];
const COUNTRIES: &[&str] = &[
    "Germany", "France", "Canada", "Japan", "Brazil", "Kenya", "Spain", "India",
];

/// Legacy filler lines from the first version of the bench, kept as a
/// small share of the filler.
const LEGACY: &[&str] = &[
    "The quarterly report is attached; please review the numbers before the meeting.",
    "Open the Settings panel, choose Privacy, and turn on the new option.",
    "We shipped version 2.14.3 on 2024-05-01 after 3 release candidates.",
    "Total: 1,299.99 USD (tax 8.25%), order #48213377, tracking 1Z999AA10123456784.",
    "Build 20240501.3 passed 1342 tests in 12m 31s on runner ubuntu-22.04.",
    "fn main() { let x: Vec<u32> = (0..10).map(|i| i * 2).collect(); println!(\"{:?}\", x); }",
    "2024-05-01T12:30:45.123Z INFO request_id=8f14e45fceea167a5a36dedd4bea2543 latency_ms=42 status=200",
    "commit 3f786850e387550fdab836ed7e6dc881de23001b Merge pull request #1024 from feature/login",
    "Click File > Save As, then type the document name and press Enter.",
    "The Grand Canyon is 446 km long and up to 29 km wide; visitors arrive from May to October.",
    "SELECT id, created_at FROM orders WHERE total > 100 AND status = 'paid' LIMIT 50;",
    "docker run -p 8080:80 -v /srv/data:/data nginx:1.25.3 --name web",
    "Temperature 21.5 C, humidity 40%, wind 12 km/h from the North East.",
    "Meeting notes: Project Apollo timeline moved; Design Review on Thursday at 10:30.",
    "pip install numpy==1.26.4 pandas==2.2.1 && python -m pytest -q tests/",
    "Invoice 2024-000317 due 30 days net; reference PO 77120-4 and SKU AB-1200-XL.",
    "The New York Times and the Washington Post reported on Google Chrome updates.",
    "uuid 550e8400-e29b-41d4-a716-446655440000 created at 1714566645 epoch seconds",
    "Chapter 3: In which the Old Mill Road bridge is rebuilt after the 1998 flood.",
    "token_count: 4096, max_tokens = 512, temperature = 0.7, top_p: 0.95",
    "git log --oneline | head -n 20; cargo build --release; ls -la ~/projects",
    "Call stack: at Object.<anonymous> (/app/index.js:12:5) at Module._compile (node:internal:1105:14)",
    "Sunday, 14 July 2024, 09:00-17:00, Room 4.12, Building C, Level 3.",
    "sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
];

struct Filler {
    words: Vec<&'static str>,
}

fn cap(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl Filler {
    fn new() -> Filler {
        Filler {
            words: WORDS.split_whitespace().collect(),
        }
    }

    fn word(&self, rng: &mut Rng) -> &'static str {
        self.words[rng.below(self.words.len())]
    }

    fn ident(&self, rng: &mut Rng) -> String {
        let n = 1 + rng.below(3);
        let parts: Vec<&str> = (0..n).map(|_| self.word(rng)).collect();
        if rng.below(2) == 0 {
            parts.join("_")
        } else {
            let mut s = parts[0].to_string();
            for p in &parts[1..] {
                s.push_str(&cap(p));
            }
            s
        }
    }

    fn path(&self, rng: &mut Rng) -> String {
        let ext = EXTS[rng.below(EXTS.len())];
        match rng.below(5) {
            0 => format!(
                "/home/dev/projects/{}/src/{}.{ext}",
                self.word(rng),
                self.ident(rng)
            ),
            1 => format!(
                "C:\\Users\\Public\\Documents\\{}\\{}.{ext}",
                cap(self.word(rng)),
                self.word(rng)
            ),
            2 => format!("~/Downloads/{}-{}.{ext}", self.word(rng), rng.range(1, 999)),
            3 => format!("./target/release/{}", self.ident(rng)),
            _ => format!("/var/lib/{}/{}.{ext}", self.word(rng), hex(rng, 8)),
        }
    }

    /// Dates, times, prices, versions, counts, sizes, ids.
    fn numberish(&self, rng: &mut Rng) -> String {
        match rng.below(16) {
            0 => date(rng),
            1 => format!(
                "{} {}, {}",
                cap(MONTHS[rng.below(12)]),
                rng.range(1, 28),
                rng.range(2019, 2026)
            ),
            2 => format!("{:02}:{:02}", rng.range(0, 23), rng.range(0, 59)),
            3 => price(rng),
            4 => format!("{}.{}%", rng.range(0, 99), rng.range(0, 99)),
            5 => semver(rng),
            6 => format!("{} items", rng.range(2, 5000)),
            7 => format!("{:.1} GB", f64::from(rng.range(1, 9999)) / 10.0),
            8 => format!("#{}", rng.range(100, 99_999)),
            9 => format!("{} ms", rng.range(1, 2000)),
            10 => format!("{}-{}", self.word(rng).to_uppercase(), rng.range(10, 9999)),
            11 => format!("{} km", rng.range(1, 900)),
            12 => format!("{}×{}", rng.range(320, 3840), rng.range(240, 2160)),
            13 => format!("{}/{}", rng.range(1, 40), rng.range(40, 100)),
            14 => format!("{}", rng.range(1990, 2030)),
            _ => format!("{},{:03}", rng.range(1, 999), rng.range(0, 999)),
        }
    }

    fn sentence(&self, rng: &mut Rng) -> String {
        let n = 6 + rng.below(13);
        let mut ws: Vec<String> = (0..n).map(|_| self.word(rng).to_string()).collect();
        if rng.below(3) == 0 {
            let at = rng.below(n);
            ws[at] = PROPER[rng.below(PROPER.len())].to_string();
        }
        if rng.below(3) == 0 {
            let at = rng.below(n);
            ws[at] = self.numberish(rng);
        }
        if rng.below(12) == 0 {
            let at = rng.below(n);
            ws[at] = [
                "café",
                "naïve",
                "résumé",
                "déjà vu",
                "€12.50",
                "—",
                "…",
                "✓",
                "→",
                "21 °C",
            ][rng.below(10)]
            .to_string();
        }
        let mut s = cap(&ws.join(" "));
        s.push(['.', '.', '.', '?', '!', ':'][rng.below(6)]);
        s
    }

    fn heading(&self, rng: &mut Rng) -> String {
        let n = 2 + rng.below(4);
        let ws: Vec<String> = (0..n).map(|_| cap(self.word(rng))).collect();
        ws.join(" ")
    }

    fn prose(&self, rng: &mut Rng) -> String {
        match rng.below(10) {
            0 => self.heading(rng),
            1 => format!("• {}", self.sentence(rng)),
            _ => {
                let n = 1 + rng.below(3);
                let ss: Vec<String> = (0..n).map(|_| self.sentence(rng)).collect();
                ss.join(" ")
            }
        }
    }

    fn code(&self, rng: &mut Rng) -> String {
        let a = self.ident(rng);
        let b = self.ident(rng);
        let n = rng.range(0, 4096);
        match rng.below(22) {
            0 => format!("let {a} = {b}.{}({n});", self.word(rng)),
            1 => format!("fn {a}(&self, {b}: u32) -> Result<(), Error> {{"),
            2 => format!(
                "    if {a} > {n} {{ return Err(Error::{}); }}",
                cap(self.word(rng))
            ),
            3 => format!("import {{ {a} }} from './{}';", self.word(rng)),
            4 => format!("const {} = 0x{};", a.to_uppercase(), hex(rng, 8)),
            5 => format!("# TODO: {}", self.sentence(rng)),
            6 => format!("assert_eq!({a}.len(), {n});"),
            7 => format!("    \"{a}\": {n},"),
            8 => format!(
                "SELECT {a}, {b} FROM {} WHERE id = {n} ORDER BY created_at DESC;",
                self.word(rng)
            ),
            9 => format!(
                "for i in range({n}):\n    {a}.append(i * {})",
                rng.range(2, 9)
            ),
            10 => format!("checksum = \"{}\"", hex(rng, 64)),
            11 => format!("version = \"{}\"", semver(rng)),
            12 => format!("id: \"{}\"", uuid(rng)),
            13 => format!(
                "{} = {{ version = \"{}\" }}",
                CRATES[rng.below(10)],
                semver(rng)
            ),
            14 => format!("  {a}: {}", ["true", "false", "null", "[]"][rng.below(4)]),
            15 => format!("// {}", self.sentence(rng)),
            16 => format!(
                "    {a}.{b} = {b} * {}.{}",
                rng.range(0, 9),
                rng.range(0, 99)
            ),
            17 => format!(
                "{}_timeout_ms = {}",
                ["auth", "token", "session", "request"][rng.below(4)],
                rng.range(100, 60_000)
            ),
            18 => format!("[assembly: AssemblyVersion(\"{}.0.0.0\")]", rng.range(1, 9)),
            19 => format!(
                "    let {a} = &{b}[{}..{}];",
                rng.range(0, 9),
                rng.range(10, 99)
            ),
            20 => format!("open(\"{}\", \"rb\")", self.path(rng)),
            _ => format!("}} else {{ {a}({b}, {n}) }}"),
        }
    }

    fn log(&self, rng: &mut Rng) -> String {
        let lvl = LEVELS[rng.below(LEVELS.len())];
        match rng.below(10) {
            0 | 1 => format!(
                "{} {lvl} [worker-{}] request_id={} method={} path=/api/v1/{}/{} status={} latency_ms={} bytes={}",
                iso(rng),
                rng.range(0, 15),
                hex(rng, 32),
                METHODS[rng.below(METHODS.len())],
                self.word(rng),
                rng.range(1, 99_999),
                [200, 200, 201, 204, 304, 404, 500][rng.below(7)],
                rng.range(1, 3000),
                rng.range(0, 1 << 20)
            ),
            2 => format!(
                "E{:02}{:02} {:02}:{:02}:{:02}.{:06} {:>6} {}.go:{}] failed to sync {}: context deadline exceeded",
                rng.range(1, 12),
                rng.range(1, 28),
                rng.range(0, 23),
                rng.range(0, 59),
                rng.range(0, 59),
                rng.range(0, 999_999),
                rng.range(1, 99_999),
                self.word(rng),
                rng.range(10, 999),
                self.ident(rng)
            ),
            3 => format!(
                "[{} {:02}:{:02}:{:02},{:03}] WARNING {}: retrying in {}s (attempt {}/5)",
                date(rng),
                rng.range(0, 23),
                rng.range(0, 59),
                rng.range(0, 59),
                rng.range(0, 999),
                self.ident(rng),
                rng.range(1, 60),
                rng.range(1, 5)
            ),
            4 => format!(
                "trace_id={} span_id={} parent={} duration={}µs",
                hex(rng, 32),
                hex(rng, 16),
                hex(rng, 16),
                rng.range(1, 99_999)
            ),
            5 => format!(
                "pod/{}-{}-{} created (image {}:{})",
                self.word(rng),
                hex(rng, 10),
                rng.chars(b"abcdefghijklmnopqrstuvwxyz0123456789", 5),
                self.word(rng),
                semver(rng)
            ),
            6 => format!(
                "{} {:>2} {:02}:{:02}:{:02} build-{} {}[{}]: Started {}.",
                MONTHS[rng.below(12)],
                rng.range(1, 28),
                rng.range(0, 23),
                rng.range(0, 59),
                rng.range(0, 59),
                rng.range(1, 40),
                UNITS[rng.below(UNITS.len())],
                rng.range(1, 65_000),
                self.heading(rng)
            ),
            7 => format!(
                "{} {lvl} job {} finished in {}.{:03}s, {} rows, checkpoint {}",
                iso(rng),
                uuid(rng),
                rng.range(0, 600),
                rng.range(0, 999),
                rng.range(0, 1_000_000),
                self.path(rng)
            ),
            8 => format!(
                "{lvl}: {} ({}:{}:{})",
                self.sentence(rng),
                self.path(rng),
                rng.range(1, 2000),
                rng.range(1, 120)
            ),
            _ => format!(
                "{} {lvl} cache hit ratio {}.{}% evictions={} size={}MiB version={}",
                iso(rng),
                rng.range(0, 99),
                rng.range(0, 9),
                rng.range(0, 99_999),
                rng.range(1, 4096),
                semver(rng)
            ),
        }
    }

    fn terminal(&self, rng: &mut Rng) -> String {
        match rng.below(14) {
            0 => format!(
                "dev@workstation:~/{}$ cargo build --release",
                self.word(rng)
            ),
            1 => format!(
                "   Compiling {} v{}",
                CRATES[rng.below(CRATES.len())],
                semver(rng)
            ),
            2 => format!(
                "    Finished `release` profile [optimized] target(s) in {}.{:02}s",
                rng.range(0, 300),
                rng.range(0, 99)
            ),
            3 => format!(
                "-rw-r--r--  1 dev  staff  {:>7} {} {:>2} {:02}:{:02} {}.{}",
                rng.range(0, 9_999_999),
                MONTHS[rng.below(12)],
                rng.range(1, 28),
                rng.range(0, 23),
                rng.range(0, 59),
                self.ident(rng),
                EXTS[rng.below(EXTS.len())]
            ),
            4 => format!("{} {}", hex(rng, 7), self.sentence(rng).to_lowercase()),
            5 => format!(
                "{:>7} pts/{}    {:02}:{:02}:{:02} {}",
                rng.range(1, 99_999),
                rng.range(0, 9),
                rng.range(0, 9),
                rng.range(0, 59),
                rng.range(0, 59),
                ["python3", "node", "bash", "vim", "cargo", "postgres"][rng.below(6)]
            ),
            6 => format!(
                "/dev/nvme0n1p{}  {}G  {}G  {}G  {}% /{}",
                rng.range(1, 4),
                rng.range(100, 999),
                rng.range(10, 99),
                rng.range(10, 99),
                rng.range(1, 99),
                self.word(rng)
            ),
            7 => format!(
                "{}   {}:{}   \"/docker-entrypoint…\"   {} hours ago   Up {} hours   0.0.0.0:{}->{}/tcp",
                hex(rng, 12),
                self.word(rng),
                semver(rng),
                rng.range(1, 48),
                rng.range(1, 48),
                rng.range(1024, 65_535),
                rng.range(80, 9000)
            ),
            8 => format!(
                "Successfully installed {}-{} {}-{}",
                PY_PKGS[rng.below(PY_PKGS.len())],
                semver(rng),
                PY_PKGS[rng.below(PY_PKGS.len())],
                semver(rng)
            ),
            9 => {
                let done = rng.range(1, 999);
                let bar = rng.below(10);
                format!(
                    "{}%|{}{}| {done}/1000 [00:{:02}<00:{:02}, {}.{}it/s]",
                    done / 10,
                    "█".repeat(bar),
                    " ".repeat(10 - bar),
                    rng.range(0, 59),
                    rng.range(0, 59),
                    rng.range(1, 99),
                    rng.range(0, 9)
                )
            }
            10 => format!("{}  {}", hex(rng, 64), self.path(rng)),
            11 => format!(
                "{}-{}-{}   {}/1   Running   {}   {}d",
                self.word(rng),
                hex(rng, 10),
                rng.chars(b"abcdefghijklmnopqrstuvwxyz0123456789", 5),
                rng.range(0, 1),
                rng.range(0, 5),
                rng.range(1, 90)
            ),
            12 => format!(
                "$ git checkout -b feature/{}-{} && git push -u origin HEAD",
                self.word(rng),
                self.word(rng)
            ),
            _ => format!(
                "warning: unused variable: `{}` --> src/{}.rs:{}:{}",
                self.ident(rng),
                self.word(rng),
                rng.range(1, 999),
                rng.range(1, 80)
            ),
        }
    }

    fn form(&self, rng: &mut Rng) -> String {
        match rng.below(16) {
            0 => format!("Order number: {}", rng.range(10_000_000, 99_999_999)),
            1 => format!("Quantity: {}", rng.range(1, 20)),
            2 => format!("Unit price: {}", price(rng)),
            3 => format!("Delivery date: {}", date(rng)),
            4 => format!("Country: {}", COUNTRIES[rng.below(COUNTRIES.len())]),
            5 => format!("Department: {}", self.heading(rng)),
            6 => format!(
                "Ticket #{} — Status: {} — Priority: {}",
                rng.range(1000, 99_999),
                ["Open", "Closed", "Pending"][rng.below(3)],
                ["Low", "High", "Normal"][rng.below(3)]
            ),
            7 => format!("Subtotal {} ({} items)", price(rng), rng.range(1, 12)),
            8 => format!(
                "Reference: INV-{}-{:06}",
                rng.range(2019, 2026),
                rng.range(1, 999_999)
            ),
            9 => format!(
                "Product code: {}-{}-XL",
                rng.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 2),
                rng.range(100, 9999)
            ),
            10 => format!("Comments: {}", self.sentence(rng)),
            11 => format!("[x] {}", self.sentence(rng)),
            12 => format!(
                "Size: {}   Colour: {}",
                ["S", "M", "L", "XL"][rng.below(4)],
                self.word(rng)
            ),
            13 => format!(
                "Appointment: {} at {:02}:{:02}",
                date(rng),
                rng.range(8, 18),
                [0, 15, 30, 45][rng.below(4)]
            ),
            14 => format!(
                "ISBN: 978-{}-{}-{}-{}",
                rng.range(0, 1),
                rng.range(10, 99),
                rng.range(100_000, 999_999),
                rng.range(0, 9)
            ),
            _ => format!("{}: {}", self.heading(rng), self.numberish(rng)),
        }
    }

    /// One filler line in the given style (occasionally a legacy line).
    fn line(&self, rng: &mut Rng, cat: Cat) -> String {
        if rng.below(20) == 0 {
            return LEGACY[rng.below(LEGACY.len())].to_string();
        }
        match cat {
            Prose => self.prose(rng),
            Code => self.code(rng),
            Log => self.log(rng),
            Terminal => self.terminal(rng),
            Form => self.form(rng),
        }
    }
}

fn hex(rng: &mut Rng, n: usize) -> String {
    rng.chars(b"0123456789abcdef", n)
}

fn uuid(rng: &mut Rng) -> String {
    format!(
        "{}-{}-4{}-{}{}-{}",
        hex(rng, 8),
        hex(rng, 4),
        hex(rng, 3),
        ["8", "9", "a", "b"][rng.below(4)],
        hex(rng, 3),
        hex(rng, 12)
    )
}

fn semver(rng: &mut Rng) -> String {
    let mut s = format!(
        "{}.{}.{}",
        rng.range(0, 12),
        rng.range(0, 40),
        rng.range(0, 30)
    );
    if rng.below(6) == 0 {
        let _ = write!(s, "-rc.{}", rng.range(1, 5));
    }
    s
}

fn date(rng: &mut Rng) -> String {
    let (y, m, d) = (rng.range(2019, 2026), rng.range(1, 12), rng.range(1, 28));
    match rng.below(4) {
        0 | 1 => format!("{y}-{m:02}-{d:02}"),
        2 => format!("{m:02}/{d:02}/{y}"),
        _ => format!("{d:02}.{m:02}.{y}"),
    }
}

fn iso(rng: &mut Rng) -> String {
    format!(
        "{}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        rng.range(2019, 2026),
        rng.range(1, 12),
        rng.range(1, 28),
        rng.range(0, 23),
        rng.range(0, 59),
        rng.range(0, 59),
        rng.range(0, 999)
    )
}

fn price(rng: &mut Rng) -> String {
    let (u, c) = (rng.range(1, 4999), rng.range(0, 99));
    match rng.below(5) {
        0 => format!("${u}.{c:02}"),
        1 => format!("€{u},{c:02}"),
        2 => format!("£{u}"),
        3 => format!("USD {u}.{c:02}"),
        _ => format!("{},{:03}.{c:02} EUR", rng.range(1, 99), rng.range(0, 999)),
    }
}

// ---------------------------------------------------------------------------
// Documents.

/// Where a value was put: byte range, and which name list and context set a
/// person came from.
#[derive(Clone, Debug)]
pub struct Label {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub names: Option<&'static str>,
    pub context: Option<&'static str>,
}

impl Label {
    /// The rows this label counts in: its kind, and for persons also its
    /// name list and its context set.
    pub fn groups(&self) -> Vec<String> {
        let mut g = vec![self.kind.name().to_string()];
        if let Some(n) = self.names {
            g.push(format!("person: {n} names"));
        }
        if let Some(c) = self.context {
            g.push(format!("person: {c} contexts"));
        }
        g
    }
}

pub struct Doc {
    /// `prose`, `code`, `log`, `terminal`, `form` or `pii_free`.
    pub category: &'static str,
    /// The filler style (equal to `category` except for `pii_free`).
    pub style: Cat,
    pub text: String,
    pub labels: Vec<Label>,
}

/// Kinds drawn for labelled values; persons three times as often, as they
/// are split into name lists and context sets.
fn draw_kind(rng: &mut Rng) -> Kind {
    let n = Kind::ALL.len();
    let i = rng.below(n + 2);
    if i >= n { Kind::Person } else { Kind::ALL[i] }
}

fn pii_doc(rng: &mut Rng, filler: &Filler, cat: Cat) -> Doc {
    let mut text = String::new();
    let mut labels = Vec::new();
    let n_values = 3 + rng.below(4);
    for _ in 0..n_values {
        for _ in 0..1 + rng.below(2) {
            text.push_str(&filler.line(rng, cat));
            text.push('\n');
        }
        let kind = draw_kind(rng);
        let v = value(kind, rng);
        let (t, context) = if kind == Kind::Person && rng.below(2) == 0 {
            (pick_template(rng, PERSON_HELD_OUT, cat), Some("held-out"))
        } else {
            (
                pick_template(rng, templates(kind), cat),
                (kind == Kind::Person).then_some("tuned"),
            )
        };
        let (before, after) = t.split_once("{}").unwrap();
        text.push_str(before);
        labels.push(Label {
            kind: v.kind,
            start: text.len(),
            end: text.len() + v.text.len(),
            names: v.names,
            context,
        });
        text.push_str(&v.text);
        text.push_str(after);
        text.push('\n');
    }
    Doc {
        category: cat.name(),
        style: cat,
        text,
        labels,
    }
}

fn clean_doc(rng: &mut Rng, filler: &Filler, cat: Cat) -> Doc {
    let target = 400 + rng.below(1600);
    let mut text = String::new();
    while text.len() < target {
        text.push_str(&filler.line(rng, cat));
        text.push('\n');
    }
    Doc {
        category: "pii_free",
        style: cat,
        text,
        labels: Vec::new(),
    }
}

/// Sizes of the corpus.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    pub pii_docs: usize,
    pub clean_docs: usize,
}

pub const DEFAULT_SIZES: Sizes = Sizes {
    pii_docs: 6000,
    clean_docs: 2500,
};

pub const SEED: u64 = 0x7261_6365_7765_6c6c;

/// The labelled corpus: PII documents (styles in turn), then PII-free ones.
pub fn generate(seed: u64, sizes: Sizes) -> Vec<Doc> {
    let mut rng = Rng(seed);
    let filler = Filler::new();
    let mut docs = Vec::with_capacity(sizes.pii_docs + sizes.clean_docs);
    for i in 0..sizes.pii_docs {
        docs.push(pii_doc(&mut rng, &filler, Cat::ALL[i % Cat::ALL.len()]));
    }
    for i in 0..sizes.clean_docs {
        docs.push(clean_doc(&mut rng, &filler, Cat::ALL[i % Cat::ALL.len()]));
    }
    docs
}

/// Whether the spans of `kind` cover at least 90% of `s..e` (byte offsets).
/// The matching rule of both the Rust figures and the side-by-side script.
pub fn covered(spans: &[Span], kind: Kind, s: usize, e: usize) -> bool {
    let overlap: usize = spans
        .iter()
        .filter(|sp| sp.kind == kind && sp.start < e && sp.end > s)
        .map(|sp| sp.end.min(e) - sp.start.max(s))
        .sum();
    overlap * 10 >= (e - s) * 9
}

/// Character (code point) offset of byte offset `b` in `text`.
pub fn char_offset(text: &str, b: usize) -> usize {
    text[..b].chars().count()
}

/// Writes `corpus.jsonl` (one document a line, labels with byte and
/// character offsets) into `dir`, and, if given, `tracewell_spans.jsonl`
/// with the scanner's spans for each document in the same order.
pub fn write(dir: &Path, docs: &[Doc], spans: Option<&[Vec<Span>]>) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut out = io::BufWriter::new(std::fs::File::create(dir.join("corpus.jsonl"))?);
    for (id, d) in docs.iter().enumerate() {
        let labels: Vec<serde_json::Value> = d
            .labels
            .iter()
            .map(|l| {
                let mut v = serde_json::json!({
                    "start": l.start,
                    "end": l.end,
                    "cstart": char_offset(&d.text, l.start),
                    "cend": char_offset(&d.text, l.end),
                    "kind": l.kind.name(),
                });
                if let Some(n) = l.names {
                    v["names"] = n.into();
                }
                if let Some(c) = l.context {
                    v["context"] = c.into();
                }
                v
            })
            .collect();
        let doc = serde_json::json!({
            "id": id,
            "category": d.category,
            "style": d.style.name(),
            "text": d.text,
            "labels": labels,
        });
        serde_json::to_writer(&mut out, &doc)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    if let Some(all) = spans {
        let mut out = io::BufWriter::new(std::fs::File::create(dir.join("tracewell_spans.jsonl"))?);
        for (id, (d, spans)) in docs.iter().zip(all).enumerate() {
            let spans: Vec<serde_json::Value> = spans
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "start": s.start,
                        "end": s.end,
                        "cstart": char_offset(&d.text, s.start),
                        "cend": char_offset(&d.text, s.end),
                        "kind": s.kind.name(),
                        "detector": s.detector,
                    })
                })
                .collect();
            serde_json::to_writer(&mut out, &serde_json::json!({"id": id, "spans": spans}))?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
    }
    Ok(())
}
