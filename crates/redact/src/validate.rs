//! Validators: the checks a candidate must pass after the automaton found
//! its shape. All are linear in the candidate's length and allocation-free
//! unless noted.

/// Luhn (mod 10) checksum over ASCII digits.
pub fn luhn(digits: &[u8]) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d.wrapping_sub(b'0'));
        if v > 9 {
            return false;
        }
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

fn prefix_num(digits: &[u8], n: usize) -> u32 {
    digits
        .iter()
        .take(n)
        .fold(0, |acc, &d| acc * 10 + u32::from(d - b'0'))
}

/// Whether `digits` has the issuer prefix and length of a payment card
/// network: Visa, Mastercard, American Express, Discover, JCB, Diners Club
/// or UnionPay.
pub fn card_network(digits: &[u8]) -> Option<&'static str> {
    let len = digits.len();
    if !(12..=19).contains(&len) {
        return None;
    }
    let p1 = prefix_num(digits, 1);
    let p2 = prefix_num(digits, 2);
    let p3 = prefix_num(digits, 3);
    let p4 = prefix_num(digits, 4);
    let p6 = prefix_num(digits, 6);
    if p1 == 4 && matches!(len, 13 | 16 | 19) {
        return Some("visa");
    }
    if ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && len == 16 {
        return Some("mastercard");
    }
    if (p2 == 34 || p2 == 37) && len == 15 {
        return Some("amex");
    }
    if (p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 || (622126..=622925).contains(&p6))
        && (16..=19).contains(&len)
    {
        return Some("discover");
    }
    if (3528..=3589).contains(&p4) && (16..=19).contains(&len) {
        return Some("jcb");
    }
    if ((300..=305).contains(&p3) || p4 == 3095 || p2 == 36 || p2 == 38 || p2 == 39)
        && (14..=19).contains(&len)
    {
        return Some("diners");
    }
    if p2 == 62 && (16..=19).contains(&len) {
        return Some("unionpay");
    }
    None
}

/// A payment card number: network prefix and length, and the Luhn check.
pub fn card(digits: &[u8]) -> bool {
    card_network(digits).is_some() && luhn(digits)
}

/// IBAN length per country (ISO 13616 registry).
pub fn iban_length(country: &[u8]) -> Option<usize> {
    let len = match country {
        b"AD" => 24,
        b"AE" => 23,
        b"AL" => 28,
        b"AT" => 20,
        b"AZ" => 28,
        b"BA" => 20,
        b"BE" => 16,
        b"BG" => 22,
        b"BH" => 22,
        b"BI" => 27,
        b"BR" => 29,
        b"BY" => 28,
        b"CH" => 21,
        b"CR" => 22,
        b"CY" => 28,
        b"CZ" => 24,
        b"DE" => 22,
        b"DJ" => 27,
        b"DK" => 18,
        b"DO" => 28,
        b"EE" => 20,
        b"EG" => 29,
        b"ES" => 24,
        b"FI" => 18,
        b"FK" => 18,
        b"FO" => 18,
        b"FR" => 27,
        b"GB" => 22,
        b"GE" => 22,
        b"GI" => 23,
        b"GL" => 18,
        b"GR" => 27,
        b"GT" => 28,
        b"HR" => 21,
        b"HU" => 28,
        b"IE" => 22,
        b"IL" => 23,
        b"IQ" => 23,
        b"IS" => 26,
        b"IT" => 27,
        b"JO" => 30,
        b"KW" => 30,
        b"KZ" => 20,
        b"LB" => 28,
        b"LC" => 32,
        b"LI" => 21,
        b"LT" => 20,
        b"LU" => 20,
        b"LV" => 21,
        b"LY" => 25,
        b"MC" => 27,
        b"MD" => 24,
        b"ME" => 22,
        b"MK" => 19,
        b"MN" => 20,
        b"MR" => 27,
        b"MT" => 31,
        b"MU" => 30,
        b"NI" => 28,
        b"NL" => 18,
        b"NO" => 15,
        b"OM" => 23,
        b"PK" => 24,
        b"PL" => 28,
        b"PS" => 29,
        b"PT" => 25,
        b"QA" => 29,
        b"RO" => 24,
        b"RS" => 22,
        b"RU" => 33,
        b"SA" => 24,
        b"SC" => 31,
        b"SD" => 18,
        b"SE" => 24,
        b"SI" => 19,
        b"SK" => 24,
        b"SM" => 27,
        b"SO" => 23,
        b"ST" => 25,
        b"SV" => 28,
        b"TL" => 23,
        b"TN" => 24,
        b"TR" => 26,
        b"UA" => 29,
        b"VA" => 22,
        b"VG" => 24,
        b"XK" => 20,
        b"YE" => 30,
        _ => return None,
    };
    Some(len)
}

/// ISO 7064 mod-97-10 over a compact IBAN (no spaces, upper case): the
/// first four characters are moved to the end, letters become 10..35, and
/// the number must leave remainder 1.
pub fn iban_checksum(compact: &[u8]) -> bool {
    if compact.len() < 5 {
        return false;
    }
    let (head, tail) = compact.split_at(4);
    let mut rem: u32 = 0;
    for &c in tail.iter().chain(head) {
        match c {
            b'0'..=b'9' => rem = (rem * 10 + u32::from(c - b'0')) % 97,
            b'A'..=b'Z' => rem = (rem * 100 + u32::from(c - b'A' + 10)) % 97,
            _ => return false,
        }
    }
    rem == 1
}

/// A compact IBAN: known country, its exact length, digits in the check
/// positions, and mod-97.
pub fn iban(compact: &[u8]) -> bool {
    compact.len() >= 5
        && iban_length(&compact[..2]) == Some(compact.len())
        && compact[2].is_ascii_digit()
        && compact[3].is_ascii_digit()
        && iban_checksum(compact)
}

/// US Social Security number ranges: area not 000, 666 or 900-999, group
/// not 00, serial not 0000.
pub fn ssn(area: u32, group: u32, serial: u32) -> bool {
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// Shannon entropy in bits per byte.
pub fn shannon_entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Character classes present: (upper, lower, digit, other).
pub fn char_classes(s: &[u8]) -> (bool, bool, bool, bool) {
    let mut cls = (false, false, false, false);
    for &b in s {
        match b {
            b'A'..=b'Z' => cls.0 = true,
            b'a'..=b'z' => cls.1 = true,
            b'0'..=b'9' => cls.2 = true,
            _ => cls.3 = true,
        }
    }
    cls
}

/// A dotted-quad IPv4 address with every octet in 0..=255 and no leading
/// zeros beyond a single `0`.
pub fn ipv4(s: &[u8]) -> bool {
    let mut parts = 0;
    for part in s.split(|&b| b == b'.') {
        parts += 1;
        if part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
            return false;
        }
        if part.len() > 1 && part[0] == b'0' {
            return false;
        }
        if prefix_num(part, 3) > 255 {
            return false;
        }
    }
    parts == 4
}

fn hex_groups(side: &[u8]) -> Option<usize> {
    if side.is_empty() {
        return Some(0);
    }
    let mut n = 0;
    for g in side.split(|&b| b == b':') {
        if g.is_empty() || g.len() > 4 || !g.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        n += 1;
    }
    Some(n)
}

/// An IPv6 address in RFC 4291 text form: eight groups, or fewer with one
/// `::`, optionally ending in a dotted quad. To keep `a::b`-style code out,
/// a compressed address must show at least three groups.
pub fn ipv6(s: &[u8]) -> bool {
    let (mut head, v4) = match s.iter().rposition(|&b| b == b':') {
        Some(i) if s[i + 1..].contains(&b'.') => {
            if !ipv4(&s[i + 1..]) {
                return false;
            }
            (&s[..=i], true)
        }
        _ => (s, false),
    };
    if v4 && !head.ends_with(b"::") {
        head = &head[..head.len() - 1];
    }
    let extra = if v4 { 2 } else { 0 };
    match head.windows(2).position(|w| w == b"::") {
        Some(i) => {
            let (left, right) = (&head[..i], &head[i + 2..]);
            if right.starts_with(b":") {
                return false;
            }
            match (hex_groups(left), hex_groups(right)) {
                (Some(a), Some(b)) => a + b + extra <= 7 && a + b + extra >= 3,
                _ => false,
            }
        }
        None => hex_groups(head) == Some(8 - extra),
    }
}

/// A MAC address: six hex pairs with one consistent separator (`:` or
/// `-`), or Cisco's three dotted hex quads.
pub fn mac(s: &[u8]) -> bool {
    if s.len() == 17 {
        let sep = s[2];
        if sep != b':' && sep != b'-' {
            return false;
        }
        return s.chunks(3).all(|c| {
            c[0].is_ascii_hexdigit() && c[1].is_ascii_hexdigit() && (c.len() == 2 || c[2] == sep)
        });
    }
    if s.len() == 14 {
        return s
            .chunks(5)
            .all(|c| c[..4].iter().all(u8::is_ascii_hexdigit) && (c.len() == 4 || c[4] == b'.'));
    }
    false
}

fn b64url_value(c: u8) -> Option<u32> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' | b'+' => 62,
        b'_' | b'/' => 63,
        _ => return None,
    } as u32)
}

/// Decodes unpadded base64url (also accepting the standard alphabet).
pub fn base64url_decode(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for &c in s {
        if c == b'=' {
            break;
        }
        acc = (acc << 6) | b64url_value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A JSON Web Token: three base64url segments separated by dots, whose
/// first segment decodes to a JSON object starting with `{"`.
pub fn jwt(s: &[u8]) -> bool {
    let mut parts = s.split(|&b| b == b'.');
    let (Some(header), Some(payload), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if header.len() < 10 || payload.len() < 4 {
        return false;
    }
    let b64 = |p: &[u8]| {
        p.iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    };
    if !b64(header) || !b64(payload) || !b64(sig) {
        return false;
    }
    match base64url_decode(header) {
        Some(json) => {
            let json = json.trim_ascii_start();
            json.starts_with(b"{\"") && json.contains(&b':')
        }
        None => false,
    }
}

/// File extensions that follow `@2x`-style asset names and must not be
/// taken for an email's top-level domain.
const FILE_TLDS: &[&[u8]] = &[
    b"png", b"jpg", b"jpeg", b"gif", b"svg", b"webp", b"css", b"js", b"ts", b"json", b"ico",
    b"bmp", b"tif", b"tiff", b"pdf", b"txt", b"lock", b"rs", b"py", b"md",
];

/// An email address: sane local part (no leading/trailing/double dots),
/// domain labels without leading/trailing hyphens, an alphabetic TLD that is
/// not a file extension.
pub fn email(s: &[u8]) -> bool {
    let Some(at) = s.iter().position(|&b| b == b'@') else {
        return false;
    };
    let (local, domain) = (&s[..at], &s[at + 1..]);
    if local.is_empty()
        || local.len() > 64
        || local.starts_with(b".")
        || local.ends_with(b".")
        || local.windows(2).any(|w| w == b"..")
    {
        return false;
    }
    let mut labels = 0;
    let mut last: &[u8] = b"";
    for label in domain.split(|&b| b == b'.') {
        if label.is_empty()
            || label.len() > 63
            || label[0] == b'-'
            || label[label.len() - 1] == b'-'
        {
            return false;
        }
        labels += 1;
        last = label;
    }
    if labels < 2 || !last.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let lower = last.to_ascii_lowercase();
    !FILE_TLDS.contains(&lower.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_known_values() {
        assert!(luhn(b"4111111111111111"));
        assert!(luhn(b"79927398713"));
        assert!(!luhn(b"4111111111111112"));
        assert!(!luhn(b""));
    }

    #[test]
    fn card_networks() {
        assert_eq!(card_network(b"4111111111111111"), Some("visa"));
        assert_eq!(card_network(b"5555555555554444"), Some("mastercard"));
        assert_eq!(card_network(b"2223003122003222"), Some("mastercard"));
        assert_eq!(card_network(b"378282246310005"), Some("amex"));
        assert_eq!(card_network(b"6011111111111117"), Some("discover"));
        assert_eq!(card_network(b"3530111333300000"), Some("jcb"));
        assert_eq!(card_network(b"30569309025904"), Some("diners"));
        assert_eq!(card_network(b"6200000000000005"), Some("unionpay"));
        assert_eq!(card_network(b"1234567812345670"), None);
        assert!(card(b"378282246310005"));
        assert!(!card(b"378282246310006"));
    }

    #[test]
    fn iban_checks() {
        assert!(iban(b"DE89370400440532013000"));
        assert!(iban(b"GB82WEST12345698765432"));
        assert!(iban(b"FR1420041010050500013M02606"));
        assert!(!iban(b"DE89370400440532013001"));
        assert!(!iban(b"DE8937040044053201300"));
        assert!(!iban(b"ZZ89370400440532013000"));
    }

    #[test]
    fn ssn_ranges() {
        assert!(ssn(123, 45, 6789));
        assert!(!ssn(0, 45, 6789));
        assert!(!ssn(666, 45, 6789));
        assert!(!ssn(900, 45, 6789));
        assert!(!ssn(123, 0, 6789));
        assert!(!ssn(123, 45, 0));
    }

    #[test]
    fn entropy_values() {
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
    }

    #[test]
    fn ip_checks() {
        assert!(ipv4(b"192.168.1.1"));
        assert!(ipv4(b"0.0.0.0"));
        assert!(!ipv4(b"999.1.1.1"));
        assert!(!ipv4(b"1.2.3"));
        assert!(!ipv4(b"01.2.3.4"));
        assert!(ipv6(b"2001:0db8:85a3:0000:0000:8a2e:0370:7334"));
        assert!(ipv6(b"2001:db8::8a2e:370:7334"));
        assert!(ipv6(b"::ffff:192.0.2.128"));
        assert!(ipv6(b"fe80::1ff:fe23:4567:890a"));
        assert!(!ipv6(b"12:30:45"));
        assert!(!ipv6(b"a::b"));
        assert!(!ipv6(b"1::2::3:4"));
        assert!(!ipv6(b"1:2:3:4:5:6:7"));
    }

    #[test]
    fn mac_checks() {
        assert!(mac(b"00:1A:2b:3C:4D:5E"));
        assert!(mac(b"00-1A-2B-3C-4D-5E"));
        assert!(mac(b"001a.2b3c.4d5e"));
        assert!(!mac(b"00:1A-2B:3C:4D:5E"));
    }

    #[test]
    fn jwt_checks() {
        // {"alg":"HS256","typ":"JWT"} . {"sub":"1"} . sig
        assert!(jwt(
            b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
        ));
        assert!(!jwt(
            b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0"
        ));
        assert!(!jwt(b"aGVsbG8gd29ybGQgaGVsbG8.eyJzdWIiOiIxIn0.c2ln"));
    }

    #[test]
    fn email_checks() {
        assert!(email(b"jane.doe+tag@mail.example.co.uk"));
        assert!(!email(b"icon@2x.png"));
        assert!(!email(b"a..b@example.com"));
        assert!(!email(b"a@-example.com"));
        assert!(!email(b"a@example"));
    }
}
