//! Quality and speed on a seeded synthetic labelled corpus.
//!
//! Every sensitive value is generated valid (Luhn cards, mod-97 IBANs, SSNs
//! in range, …) and embedded in prose, code, log and form templates; the
//! generator records where it put each value. Names come from lists made
//! separately from the built-in gazetteer ("held-out"), and, as a second
//! figure, from names the gazetteer knows. PII-free documents (prose, code,
//! logs with timestamps, versions, order numbers, hashes, prices) measure
//! false detections.
//!
//! Run: `cargo bench -p tracewell-redact --bench quality`

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

use tracewell_redact::{Kind, Scanner, Span};

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

/// A value to embed, with its label. `Kind::Person` values carry a flag
/// for held-out vs known names in `label`.
struct Value {
    kind: Kind,
    label: &'static str,
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
    let mut label = kind.name();
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
            if rng.below(2) == 0 {
                label = "person (held-out names)";
                format!("{} {}", rng.pick(HELD_FIRST), rng.pick(HELD_LAST))
            } else {
                label = "person (gazetteer names)";
                format!("{} {}", rng.pick(KNOWN_FIRST), rng.pick(KNOWN_LAST))
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
    Value { kind, label, text }
}

/// Templates: `{}` is where the value goes. Several contexts per kind.
fn templates(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Email => &[
            "Please reach me at {} before Friday.",
            "From: {}\nSubject: invoice",
            "{\"email\": \"{}\", \"active\": true}",
            "2024-03-02T10:11:12Z INFO login ok user={} ip=-",
        ],
        Kind::Phone => &[
            "Call me on {} after lunch.",
            "Phone: {}",
            "{\"phone\": \"{}\"}",
            "Mobile {} / office closed",
            "You can reach the desk at {}.",
        ],
        Kind::Card => &[
            "Card number: {} exp 09/27",
            "{\"pan\": \"{}\", \"cvv\": \"***\"}",
            "paid with {} yesterday",
            "OCR: VISA {} VALID THRU 12/26",
        ],
        Kind::Iban => &[
            "Please wire to IBAN {} by Monday.",
            "iban={}",
            "Account: {} (BIC DEUTDEFF)",
        ],
        Kind::Ssn => &[
            "SSN: {}",
            "Social security number {} on file.",
            "{\"ssn\": \"{}\"}",
        ],
        Kind::Ip => &[
            "Connection from {} refused",
            "ssh admin@{} -p 22",
            "client_ip={} status=200",
            "Server address: {}",
        ],
        Kind::Mac => &[
            "Device MAC {} joined",
            "hwaddr={}",
            "ether {} txqueuelen 1000",
        ],
        Kind::UrlSecret => &[
            "GET https://api.example.com/v1/items?access_token={}&page=2",
            "open https://example.com/reset?token={}",
            "https://deploy:{}@git.example.com/repo.git",
            "curl 'https://x.example.io/data?api_key={}'",
        ],
        Kind::AwsKeyId => &[
            "export AWS_ACCESS_KEY_ID={}",
            "aws_access_key_id = {}",
            "{\"AccessKeyId\": \"{}\"}",
            "key {} leaked in log",
        ],
        Kind::AwsSecret => &[
            "export AWS_SECRET_ACCESS_KEY={}",
            "aws_secret_access_key = {}",
            "{\"SecretAccessKey\": \"{}\"}",
            "the aws secret is {} ok",
            "creds: {}",
        ],
        Kind::GithubToken => &[
            "git clone https://{}@github.com/o/r.git",
            "GITHUB_TOKEN={}",
            "token {} expires soon",
            "Authorization: token {}",
        ],
        Kind::GitlabToken => &[
            "export GITLAB_TOKEN={}",
            "private-token: {}",
            "use {} for CI",
        ],
        Kind::SlackToken => &[
            "SLACK_BOT_TOKEN={}",
            "slack token {} rotated",
            "{\"token\": \"{}\"}",
        ],
        Kind::StripeKey => &[
            "STRIPE_KEY={}",
            "stripe.api_key = '{}'",
            "charge with {} now",
        ],
        Kind::GoogleApiKey => &[
            "https://maps.googleapis.com/maps/api/js?key={}",
            "GOOGLE_API_KEY={}",
            "apiKey: \"{}\",",
        ],
        Kind::Jwt => &[
            "curl -H \"Authorization: Bearer {}\" https://api.example.com",
            "Cookie: session={}",
            "jwt={}",
            "{\"id_token\": \"{}\"}",
        ],
        Kind::PrivateKey => &["cat id_rsa\n{}\n$ ", "key: |\n{}\n", "\"{}\""],
        Kind::Secret => &[
            "{\"password\":\"{}\",\"user\":\"admin\"}",
            "DB_PASSWORD={}",
            "secret: {}",
            "api_token = \"{}\"",
            "mysql -u root --password={} db",
        ],
        Kind::Person => &[
            "Dear {},\nthank you for your order.",
            "Name: {}",
            "{\"full_name\": \"{}\"}",
            "From: {} <noreply@example.com>",
            "Meeting with {} moved to 3pm.",
            "Best regards,\n{}",
            "Assigned to {} yesterday.",
            "{} approved the request.",
        ],
        Kind::Address => &[
            "Ship to {} by Tuesday.",
            "Address: {}",
            "We moved to {} last year.",
            "{\"street\": \"{}\"}",
        ],
    }
}

const PROSE: &[&str] = &[
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

struct Doc {
    text: String,
    labels: Vec<(Kind, &'static str, usize, usize)>,
}

fn pii_doc(rng: &mut Rng, n_values: usize) -> Doc {
    let mut text = String::new();
    let mut labels = Vec::new();
    for _ in 0..n_values {
        text.push_str(rng.pick(PROSE));
        text.push('\n');
        let kind = Kind::ALL[rng.below(Kind::ALL.len())];
        let v = value(kind, rng);
        let t = rng.pick(templates(kind));
        let (before, after) = t.split_once("{}").unwrap();
        text.push_str(before);
        labels.push((v.kind, v.label, text.len(), text.len() + v.text.len()));
        text.push_str(&v.text);
        text.push_str(after);
        text.push('\n');
    }
    Doc { text, labels }
}

fn clean_doc(rng: &mut Rng, lines: usize) -> String {
    let mut text = String::new();
    for _ in 0..lines {
        text.push_str(rng.pick(PROSE));
        text.push('\n');
    }
    text
}

fn covered(spans: &[Span], kind: Kind, s: usize, e: usize) -> bool {
    let overlap: usize = spans
        .iter()
        .filter(|sp| sp.kind == kind && sp.start < e && sp.end > s)
        .map(|sp| sp.end.min(e) - sp.start.max(s))
        .sum();
    overlap * 10 >= (e - s) * 9
}

fn main() {
    let scanner = Scanner::builtin();
    let mut rng = Rng(0x7261_6365_7765_6c6c);

    // Recall over labelled values.
    let mut tally: BTreeMap<&'static str, (u32, u32)> = BTreeMap::new();
    let mut wrong_kind: BTreeMap<String, u32> = BTreeMap::new();
    let mut extra_spans = 0u32;
    let mut pii_bytes = 0usize;
    let mut misses: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for _ in 0..4000 {
        let doc = pii_doc(&mut rng, 5);
        pii_bytes += doc.text.len();
        let spans = scanner.find(&doc.text);
        for &(kind, label, s, e) in &doc.labels {
            let t = tally.entry(label).or_default();
            t.1 += 1;
            if covered(&spans, kind, s, e) {
                t.0 += 1;
            } else {
                if let Some(sp) = spans.iter().find(|sp| sp.start < e && sp.end > s) {
                    *wrong_kind
                        .entry(format!("{} as {}", kind.name(), sp.kind.name()))
                        .or_default() += 1;
                }
                let m = misses.entry(label).or_default();
                if m.len() < 3 {
                    let line_start = doc.text[..s].rfind('\n').map_or(0, |i| i + 1);
                    let line_end = doc.text[e..].find('\n').map_or(doc.text.len(), |i| e + i);
                    m.push(doc.text[line_start..line_end].to_string());
                }
            }
        }
        extra_spans += spans
            .iter()
            .filter(|sp| {
                !doc.labels
                    .iter()
                    .any(|&(_, _, s, e)| sp.start < e && sp.end > s)
            })
            .count() as u32;
    }

    println!(
        "recall per kind (seeded synthetic corpus, {:.1} MB of labelled text)",
        pii_bytes as f64 / 1e6
    );
    for (label, (hit, total)) in &tally {
        println!(
            "  {label:<26} {:>6.3}  ({hit}/{total})",
            f64::from(*hit) / f64::from(*total)
        );
    }
    println!(
        "  spans in PII documents that match no label: {extra_spans} ({:.3} per kB)",
        f64::from(extra_spans) / (pii_bytes as f64 / 1024.0)
    );
    if !wrong_kind.is_empty() {
        println!("  found with another kind: {wrong_kind:?}");
    }
    if std::env::args().any(|a| a == "--misses") {
        for (label, ex) in &misses {
            for e in ex {
                println!("  MISS {label}: {e:?}");
            }
        }
    }

    // False detections on PII-free text.
    let clean = clean_doc(&mut rng, 40_000);
    let spans = scanner.find(&clean);
    let mut by_kind: BTreeMap<Kind, u32> = BTreeMap::new();
    for s in &spans {
        *by_kind.entry(s.kind).or_default() += 1;
    }
    println!(
        "false detections in PII-free text: {} in {:.1} kB = {:.3} per kB  {:?}",
        spans.len(),
        clean.len() as f64 / 1024.0,
        spans.len() as f64 / (clean.len() as f64 / 1024.0),
        by_kind
    );
    if std::env::args().any(|a| a == "--misses") {
        let mut seen = std::collections::BTreeSet::new();
        for s in &spans {
            if seen.insert(&clean[s.start..s.end]) && seen.len() <= 20 {
                println!("  FALSE {}: {:?}", s.kind.name(), &clean[s.start..s.end]);
            }
        }
    }

    // Throughput on one core over a mixed corpus (PII documents + clean).
    let mut mixed = String::new();
    while mixed.len() < 32 << 20 {
        mixed.push_str(&pii_doc(&mut rng, 3).text);
        mixed.push_str(&clean_doc(&mut rng, 12));
    }
    let clean_big = clean_doc(&mut rng, 200_000);
    for (name, text) in [("mixed", &mixed), ("PII-free", &clean_big)] {
        let _ = scanner.find(&text[..1 << 20]); // warm the automaton's cache
        let start = Instant::now();
        let n = scanner.find(text).len();
        let secs = start.elapsed().as_secs_f64();
        println!(
            "throughput {name}: {:.1} MB in {:.3} s = {:.0} MB/s (one core, {n} spans)",
            text.len() as f64 / 1e6,
            secs,
            text.len() as f64 / 1e6 / secs
        );
    }
}
