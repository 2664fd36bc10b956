//! The screens of the export: terminals whose printed lines mark each PII
//! value as `«kind:value»`. The markers are not printed; they give the
//! ground truth. Lines may hold terminal escape sequences (colours, reverse
//! video), which take no cells.

use crate::common;

/// One terminal: title, size in cells, position, marked-up lines.
pub struct TermSpec {
    pub title: &'static str,
    pub cols: u32,
    pub rows: u32,
    pub x: i32,
    pub y: i32,
    pub lines: Vec<String>,
}

/// One 1920×1080 screen.
pub struct ScreenSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub terms: Vec<TermSpec>,
}

/// A PII value on a printed line: its kind and its columns.
#[derive(Clone, Debug)]
pub struct Span {
    pub kind: String,
    pub start: usize,
    pub end: usize,
}

/// A marked-up line split into what is printed (escapes kept), what
/// occupies the cells (escapes dropped) and the PII spans, in columns of
/// the latter.
pub struct Parsed {
    pub printed: String,
    pub cells: String,
    pub spans: Vec<Span>,
}

pub fn parse(line: &str) -> Parsed {
    let mut printed = String::new();
    let mut cells = String::new();
    let mut spans = Vec::new();
    let mut open: Option<(String, usize)> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '«' => {
                let mut kind = String::new();
                for k in chars.by_ref() {
                    if k == ':' {
                        break;
                    }
                    kind.push(k);
                }
                assert!(open.is_none(), "nested marker in {line:?}");
                open = Some((kind, cells.len()));
            }
            '»' => {
                let (kind, start) = open.take().unwrap_or_else(|| panic!("unbalanced marker in {line:?}"));
                spans.push(Span { kind, start, end: cells.len() });
            }
            '\x1b' => {
                // CSI: ESC [ parameters… final byte in @..~.
                printed.push(c);
                let bracket = chars.next().expect("escape sequence");
                printed.push(bracket);
                for p in chars.by_ref() {
                    printed.push(p);
                    if ('@'..='~').contains(&p) {
                        break;
                    }
                }
            }
            _ => {
                assert!(c.is_ascii() && !c.is_ascii_control(), "{c:?} in {line:?}: cells are counted as bytes");
                printed.push(c);
                cells.push(c);
            }
        }
    }
    assert!(open.is_none(), "unclosed marker in {line:?}");
    Parsed { printed, cells, spans }
}

/// Pads the cells of a table so its columns line up (markers excluded from
/// the widths), joined by " | ".
fn table(rows: &[&[&str]]) -> Vec<String> {
    let n = rows[0].len();
    let width = |s: &str| parse(s).cells.len();
    let widths: Vec<usize> = (0..n).map(|i| rows.iter().map(|r| width(r[i])).max().unwrap()).collect();
    rows.iter()
        .map(|r| {
            let cells: Vec<String> =
                r.iter().zip(&widths).map(|(c, w)| format!("{c}{}", " ".repeat(w - width(c)))).collect();
            format!(" {}", cells.join(" | ").trim_end())
        })
        .collect()
}

fn lines(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A wide terminal on top and two side by side below, as on the bench's
/// dense screen.
fn three(top: Vec<String>, left: Vec<String>, right: Vec<String>) -> Vec<TermSpec> {
    vec![
        TermSpec { title: "top", cols: 170, rows: 23, x: 10, y: 10, lines: top },
        TermSpec { title: "left", cols: 84, rows: 22, x: 10, y: 560, lines: left },
        TermSpec { title: "right", cols: 84, rows: 22, x: 965, y: 560, lines: right },
    ]
}

/// The bench's dense screen (`common::dense_screen`), marked up.
fn dense() -> Vec<TermSpec> {
    let mark = |line: &str| -> String {
        let mut out = line.to_string();
        for (kind, value, l) in common::PII {
            if *l == line {
                out = out.replacen(value, &format!("«{kind}:{value}»"), 1);
            }
        }
        out
    };
    let mut wide = Vec::new();
    for (i, (_, _, line)) in common::PII.iter().enumerate() {
        wide.push(common::PLAIN[i % common::PLAIN.len()].to_string());
        wide.push(mark(line));
    }
    let short: Vec<&str> = common::PII.iter().map(|p| p.2).filter(|l| l.len() <= 80).collect();
    let side = |n: usize| {
        let mut out = Vec::new();
        for (i, line) in short.iter().enumerate() {
            out.push(common::PLAIN[(i + 3 * n + 1) % common::PLAIN.len()].to_string());
            out.push(mark(line));
        }
        out.truncate(21);
        out
    };
    three(wide, side(0), side(1))
}

fn crm() -> Vec<TermSpec> {
    let mut top = lines(&[
        "$ psql -h «ip:10.12.0.5» crm -c \"select id, name, email, phone, plan from customers where flagged\"",
    ]);
    top.extend(table(&[
        &["id  ", "name", "email", "phone", "plan"],
        &["----", "------------------", "--------------------------------", "------------------", "--------"],
        &[
            "1041",
            "«person:Maria Gonzalez»",
            "«email:maria.gonzalez@example.com»",
            "«phone:(212) 555-0187»",
            "business",
        ],
        &[
            "1042",
            "«person:James Whitfield»",
            "«email:j.whitfield@example.co.uk»",
            "«phone:+44 20 7946 0958»",
            "starter",
        ],
        &["1043", "«person:Priya Natarajan»", "«email:priya.n@example.in»", "«phone:+91 98765 43210»", "business"],
        &["1044", "«person:Lukas Becker»", "«email:lukas.becker@example.de»", "«phone:030 12345678»", "team"],
        &["1045", "«person:Aiko Tanaka»", "«email:aiko.tanaka@example.jp»", "«phone:+81 3-1234-5678»", "starter"],
        &["1046", "«person:Olivia Brown»", "«email:olivia.brown@example.com»", "«phone:415-555-0199»", "team"],
        &["1047", "«person:Mohammed Haddad»", "«email:m.haddad@example.ae»", "«phone:+971 4 123 4567»", "business"],
    ]));
    top.extend(lines(&[
        "(7 rows)",
        "",
        "$ tail -n 4 escalations.log",
        "ticket 4821 escalated to tier 2; refund approved for order A-77120 by the duty manager",
        "ticket 4822 closed: duplicate of 4815, customer informed by mail",
        "ticket 4823 waiting for the warehouse to confirm the return of 2 parcels",
        "ticket 4824 opened by «person:Sarah Mitchell» about a missing invoice, priority normal",
        "$ git status --short",
        " M src/billing/refunds.rs",
        "?? notes/escalations-march.md",
    ]));
    let left = lines(&[
        "From: «person:Emily Clarke» <«email:emily.clarke@example.org»>",
        "To: «email:support@example.com»",
        "Subject: Wrong charge on my card",
        "",
        "Hello,",
        "",
        "I was charged twice for the same order on card «card:4000-0566-5566-5556».",
        "Please refund the second payment to my account «iban:GB82 WEST 1234 5698 7654 32».",
        "",
        "You can reach me on «phone:+44 7700 900123» during the day, or write",
        "to «address:42 Wallaby Way» if the letter needs a signature.",
        "",
        "Thanks,",
        "«person:Emily Clarke»",
        "",
        "-- ",
        "Sent from a phone, please excuse typos",
    ]);
    let right = lines(&[
        "Notes for the call with «person:Daniel Novak» (account 88213)",
        "",
        "- identity checked against SSN «ssn:432-71-9054»",
        "- new mobile number «phone:+420 601 123 456»",
        "- card on file «card:5555 5555 5555 4444», keep for renewals",
        "- moved to «address:1600 Amphitheatre Parkway» last month",
        "- asked for a copy of the contract and the price list",
        "- follow up with «person:Sofia Rossi» from billing on Monday",
        "",
        "Open items",
        "  [ ] send the signed contract as PDF",
        "  [ ] check why the second reminder went out",
        "  [x] update the delivery address in the shop",
    ]);
    three(top, left, right)
}

fn ops_dark() -> Vec<TermSpec> {
    let top = lines(&[
        // Reverse video for the whole terminal: light text on black.
        "\x1b[?5h$ journalctl -u shop-api --since -10min -o short-iso",
        "2026-03-14T09:12:44Z INFO  auth  login ok user=«email:j.smith@example.net» from «ip:203.0.113.42»",
        "2026-03-14T09:12:45Z INFO  http  GET /api/v1/orders?page=2 200 12ms client=«ip:198.51.100.7»",
        "2026-03-14T09:12:47Z WARN  auth  5 failed logins for «email:root.admin@example.com» from «ip:192.0.2.66»",
        "2026-03-14T09:12:51Z DEBUG sts   assumed role deploy with access key «aws_key_id:AKIADGAJGXBENYJQWX6H»",
        "2026-03-14T09:12:52Z INFO  http  upstream «ip:2001:db8:85a3::8a2e:370:7334» healthy after 3 checks",
        "2026-03-14T09:13:02Z ERROR pay   card «card:3782 822463 10005» declined for customer «person:Robert Miller»",
        "2026-03-14T09:13:05Z DEBUG http  request headers follow",
        "    Authorization: Bearer «jwt:eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQ0NzEiLCJleHAiOjE3NjcyMjU2MDB9.PtYgjmUhBel31iEl2hpChYgCfrL1spNxnyVmihA_2O7»",
        "2026-03-14T09:13:09Z INFO  dhcp  lease «ip:10.20.30.40» given to «mac:52:54:00:12:34:56» for 3600 s",
        "2026-03-14T09:13:10Z INFO  jobs  nightly export finished: 48211 rows in 3.2 s",
        "2026-03-14T09:13:12Z INFO  cache hit ratio 0.93 over the last 5 minutes",
        "2026-03-14T09:13:15Z WARN  pay   webhook retry 2 of 5 for event evt_1042",
        "2026-03-14T09:13:18Z INFO  mail  receipt sent to «email:olivia.brown@example.com» for order A-77131",
        "2026-03-14T09:13:21Z ERROR sms   delivery failed to «phone:+1 415-555-2671»: carrier timeout",
        "2026-03-14T09:13:25Z INFO  http  POST /api/v1/checkout 201 88ms client=«ip:198.51.100.23»",
        "2026-03-14T09:13:30Z INFO  auth  token refreshed for service account billing-worker",
        "2026-03-14T09:13:31Z DEBUG db    pool size 20, busy 3, waiting 0",
    ]);
    let left = lines(&[
        "$ ssh -p 2222 deploy@«ip:172.16.4.21»",
        "Last login: Fri Mar 13 18:02:11 2026 from «ip:10.8.0.14»",
        "deploy@web-3:~$ ip -brief addr",
        "lo        UNKNOWN  127.0.0.1/8 ::1/128",
        "eth0      UP       «ip:172.16.4.21»/24",
        "wg0       UNKNOWN  «ip:10.8.0.1»/24",
        "deploy@web-3:~$ ip link show eth0",
        "2: eth0: <BROADCAST,MULTICAST,UP> mtu 1500 state UP",
        "    link/ether «mac:00:1a:2b:3c:4d:5e» brd ff:ff:ff:ff:ff:ff",
        "deploy@web-3:~$ uptime",
        " 09:14:02 up 41 days,  3:12,  1 user,  load average: 0.21, 0.30, 0.27",
        "deploy@web-3:~$ df -h /var",
        "Filesystem      Size  Used Avail Use% Mounted on",
        "/dev/vda2        80G   51G   26G  67% /var",
    ]);
    let right = lines(&[
        "$ cat ~/.aws/credentials",
        "[default]",
        "aws_access_key_id = «aws_key_id:AKIAH7566TFJGVQ6KBNX»",
        "aws_secret_access_key = «aws_secret:sdMlHUvTCQCyEZDz/TddJ8HyS5SUkCnD8zRA9a9S»",
        "region = eu-central-1",
        "",
        "[staging]",
        "aws_access_key_id = «aws_key_id:AKIAJ7Q3M5XK2P4WZ6RB»",
        "aws_secret_access_key = «aws_secret:Zq8vT3mK9pLx2Rb7Wc4Nf6Hd1Gs5Yj7Ue8Ia3VvT»",
        "region = us-east-2",
        "$ aws sts get-caller-identity --query Arn --output text",
        "arn:aws:iam::123456789012:role/deploy",
    ]);
    three(top, left, right)
}

fn env_file() -> Vec<TermSpec> {
    let top = lines(&[
        "$ cat -n .env.production",
        "     1  # production settings: never commit this file",
        "     2  APP_ENV=production",
        "     3  APP_URL=https://shop.example.com",
        "     4  DATABASE_URL=postgres://shop:«url_secret:Xk9vQ2mLp7Rt4Wz»@db.internal:5432/shop",
        "     5  REDIS_PASSWORD=«secret:r3d1s-S3cure-2026»",
        "     6  AWS_ACCESS_KEY_ID=«aws_key_id:AKIAH7566TFJGVQ6KBNX»",
        "     7  AWS_SECRET_ACCESS_KEY=«aws_secret:sdMlHUvTCQCyEZDz/TddJ8HyS5SUkCnD8zRA9a9S»",
        "     8  GITHUB_TOKEN=«github_token:ghp_FdnXsiVpzz63FfkCzJr4i0B3JrTAwR4y9ojf»",
        "     9  GITLAB_TOKEN=«gitlab_token:glpat-3RZJzzzzgEOzdmenCkhv»",
        "    10  SLACK_BOT_TOKEN=«slack_token:xoxb-116372651676-1222029729975-jJJibaZUPgHV7iB3m03nbqns»",
        "    11  STRIPE_SECRET_KEY=«stripe_key:sk_test_GpWLuqIA1id6Vw5DQL05HA06»",
        "    12  GOOGLE_MAPS_KEY=«google_api_key:AIzaqtc4xatws8phP9nhFyJfm5di4PzJ59FHz5r»",
        "    13  SESSION_SECRET=«secret:9f8e7d6c5b4a39281706f5e4d3c2b1a0»",
        "    14  ADMIN_EMAIL=«email:ops-admin@example.com»",
        "    15  SUPPORT_PHONE=«phone:+1 646-555-0143»",
        "    16  LOG_LEVEL=info",
        "    17  WORKERS=8",
        "    18  FEATURE_FLAGS=new-checkout,fast-search",
        "$ wc -l .env.production",
        "18 .env.production",
    ]);
    let left = lines(&[
        "$ git log -1 --format=fuller",
        "commit 3f4a9c1d2e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49",
        "Author:     «person:Hannah Schmidt» <«email:hannah.schmidt@example.de»>",
        "AuthorDate: Fri Mar 13 17:42:10 2026 +0100",
        "Commit:     «person:Carlos Mendoza» <«email:carlos.mendoza@example.mx»>",
        "CommitDate: Fri Mar 13 18:05:37 2026 +0100",
        "",
        "    Fix rounding of VAT in invoice totals",
        "",
        "    Totals were rounded per line instead of per invoice, which left",
        "    some invoices one cent off.",
        "",
        "    Signed-off-by: «person:Hannah Schmidt» <«email:hannah.schmidt@example.de»>",
        "    Reviewed-by: «person:Carlos Mendoza» <«email:carlos.mendoza@example.mx»>",
    ]);
    let right = lines(&[
        "$ history | tail -n 8",
        "  501  export GITHUB_TOKEN=«github_token:ghp_ljoQoaF1LlqsajAIxNKu8iS2G8NPRVdD53X8»",
        "  502  mysql --user=admin --password=«secret:Tr0ub4dor-3x»",
        "  503  curl \"https://api.example.com/me?api_key=«url_secret:4f9c2b7e1d8a6053c2e1f9a7b4d6e8c0»\"",
        "  504  ping -c 3 «ip:8.8.4.4»",
        "  505  git clone https://github.com/example/shop.git",
        "  506  cd shop && make test",
        "  507  vim .env.production",
        "  508  history | tail -n 8",
    ]);
    three(top, left, right)
}

fn payments() -> Vec<TermSpec> {
    let mut top = lines(&[
        "=== Payment details (draft) =====================================",
        "Cardholder:       «person:Thomas Anderson»",
        "Card number:      «card:4242-4242-4242-4242»",
        "Billing address:  «address:221 Baker Street»",
        "IBAN:             «iban:FR14 2004 1010 0505 0001 3M02 606»",
        "BIC:              BNPAFRPPXXX",
        "Tax ID (SSN):     «ssn:601-48-2276»",
        "Phone:            «phone:+33 1 42 68 53 00»",
        "Email:            «email:t.anderson@example.fr»",
        "",
        "=== Payouts this week ============================================",
    ]);
    top.extend(table(&[
        &["payee", "account", "amount", "status"],
        &["«person:Anna Kowalska»", "«iban:ES91 2100 0418 4502 0005 1332»", "1,250.00 EUR", "sent"],
        &["«person:Marco Bianchi»", "«iban:IT60 X054 2811 1010 0000 0123 456»", "980.50 EUR", "sent"],
        &["«person:Sophie Dubois»", "«iban:BE68 5390 0754 7034»", "2,310.75 EUR", "pending"],
        &["«person:Jan Jansen»", "«iban:NL91ABNA0417164300»", "415.00 EUR", "pending"],
        &["«person:Noah Weber»", "«iban:CH93 0076 2011 6238 5295 7»", "3,020.10 CHF", "held for review"],
    ]));
    top.extend(lines(&["", "Total pending: 2,725.75 EUR in 2 transfers, next batch at 16:00"]));
    let left = lines(&[
        "[09:14] agent: could you confirm the card you paid with?",
        "[09:14] «person:Grace Lee»: sure, it is «card:6011 0009 9013 9424»",
        "[09:15] agent: thanks, and for the tax form I need your SSN",
        "[09:15] «person:Grace Lee»: «ssn:287-65-4302»",
        "[09:16] agent: got it, and a number to call you back?",
        "[09:16] «person:Grace Lee»: «phone:(646) 555-0123» or mail «email:grace.lee@example.com»",
        "[09:17] agent: perfect, the refund goes out today",
        "[09:17] agent: anything else I can help with?",
        "[09:18] «person:Grace Lee»: no, that was all, have a nice day",
    ]);
    let right = lines(&[
        "$ column -s, -t refunds.csv | head -n 7",
        "date        customer                  card                  amount",
        "2026-03-01  «person:Kevin Walsh»               «card:5105105105105100»      49.90",
        "2026-03-02  «person:Laura Fischer»             «card:3530 1113 3330 0000»   120.00",
        "2026-03-04  «person:Ahmed Khan»                «card:4111-1111-1111-1111»   15.25",
        "2026-03-05  «person:Julia Novak»               «card:3714 496353 98431»     310.40",
        "2026-03-07  «person:Peter Johansson»           «card:4012 8888 8888 1881»   72.00",
        "$ wc -l refunds.csv",
        "6 refunds.csv",
    ]);
    three(top, left, right)
}

pub fn all() -> Vec<ScreenSpec> {
    vec![
        ScreenSpec {
            name: "dense",
            description: "the bench's dense screen: every kind between plain lines, three xterms",
            terms: dense(),
        },
        ScreenSpec {
            name: "crm",
            description: "customer table from psql, a customer's e-mail, call notes",
            terms: crm(),
        },
        ScreenSpec {
            name: "ops_dark",
            description: "service logs light on dark (reverse video), an ssh session, AWS credentials",
            terms: ops_dark(),
        },
        ScreenSpec {
            name: "env",
            description: "a .env file of secrets, git log with names, shell history",
            terms: env_file(),
        },
        ScreenSpec {
            name: "payments",
            description: "payment form and payout table with IBANs, a support chat, a refunds CSV",
            terms: payments(),
        },
    ]
}
