//! More readings of the OCR text for the scanner: the breaks and
//! misreads Tesseract puts inside values, undone where the text itself
//! shows them.
//!
//! The scanner sees words joined line by line ([`lines::join`]). OCR
//! breaks values it cannot segment (`glpat-` `3RZJ…`, `t.anderson@example.`
//! `fr`, `xoxb-1163…` `-` `1222…`) and misreads characters inside them
//! (`IT6@` for the IBAN's `IT60`, `#44` for the phone's `+44`); the
//! scanner's patterns then fail. Word boxes cannot tell an inserted break
//! from a real space: Tesseract's boxes around such breaks leave gaps as
//! wide as a space. So [`variant`] gives a second text, scanned beside the
//! first, in which
//!
//! - words on one line tied by a joining character at the break (one ends
//!   with, or the next starts with, `.` `-` `_` `@` `+` `/` `=` `\`) are
//!   joined without a space, and
//! - `@` next to a digit reads `0`, `&` next to a digit `8` (`DE&9` for
//!   `DE89` in a small font), and `#` starting a number reads `+`
//!   (the same length, so every word keeps its place).
//!
//! A third text, [`fixed_first`], puts each word's misread characters
//! back before gluing, so a misread zero at a word's edge (`0@`) does not
//! tie it to its neighbour, and also reads `®` next to a digit as `0`.
//!
//! Detections in any of the texts fill their words. The variants can only
//! add fills: a real space they drop, or an `@` they turn into `0`, breaks
//! a value in a variant only, and the first text still finds it.
//!
//! [`lines::join`]: crate::lines::join

use crate::Word;
use crate::lines::{self, Joined};

/// The second reading of `joined`: tied words glued, misread characters
/// put back.
pub fn variant(joined: &Joined) -> Joined {
    let mut out = joined.glued();
    out.text = fix_characters(&out.text);
    out
}

/// A third reading, for misreads at a word's edge: each word's characters
/// put back first ([`fix_word`]), then tied words glued. In [`variant`] a
/// final group `00` read `0@` ties its word to the next (`0@by` — `@` is a
/// joiner), and a `®` for a `0` is not put back at all (it is not ASCII,
/// and [`fix_characters`] keeps every byte in its place).
pub fn fixed_first(words: &[Word]) -> Joined {
    let fixed: Vec<Word> = words.iter().map(|w| Word { text: fix_word(&w.text), ..w.clone() }).collect();
    lines::join(&fixed).glued()
}

/// [`fix_characters`] for one word, and `®` next to a digit as `0` (a
/// zero read with a mark inside; the length may change here). A word of
/// two or more characters that are all digits, `@` or `®` is a group of
/// digits: `@®` reads `00`.
pub fn fix_word(word: &str) -> String {
    let zero_like = |c: char| c == '@' || c == '®';
    if word.chars().count() >= 2 && word.chars().all(|c| c.is_ascii_digit() || zero_like(c)) {
        return word.chars().map(|c| if zero_like(c) { '0' } else { c }).collect();
    }
    let chars: Vec<char> = word.chars().collect();
    let digit = |i: Option<usize>| i.and_then(|i| chars.get(i)).is_some_and(char::is_ascii_digit);
    let text: String = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if c == '®' && (digit(i.checked_sub(1)) || digit(Some(i + 1))) { '0' } else { c })
        .collect();
    fix_characters(&text)
}

/// `@` next to a digit as `0`, `&` next to a digit as `8` (small fonts);
/// `#` before a digit, at the start of a word
/// (or after `(`, `[`, `|`), as `+`. Byte for byte the same length.
pub fn fix_characters(text: &str) -> String {
    let b = text.as_bytes();
    let digit = |i: Option<usize>| i.and_then(|i| b.get(i)).is_some_and(u8::is_ascii_digit);
    let mut out = Vec::with_capacity(b.len());
    for (i, &c) in b.iter().enumerate() {
        let before = i.checked_sub(1);
        let fixed = match c {
            b'@' if digit(before) || digit(Some(i + 1)) => b'0',
            b'&' if digit(before) || digit(Some(i + 1)) => b'8',
            b'#' if digit(Some(i + 1)) && before.is_none_or(|p| matches!(b[p], b' ' | b'\n' | b'(' | b'[' | b'|')) => b'+',
            c => c,
        };
        out.push(fixed);
    }
    // Only ASCII bytes were replaced by ASCII bytes.
    String::from_utf8(out).expect("ASCII replacements keep UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::join;
    use tracewell_model::Rect;
    use tracewell_redact::{Kind, Scanner};

    fn words(line: &str) -> Vec<Word> {
        let mut x = 0;
        line.split(' ')
            .map(|t| {
                let w = Word { text: t.into(), rect: Rect::new(x, 0, 10 * t.len() as u32, 16), confidence: 50.0 };
                x += 10 * t.len() as i32 + 15;
                w
            })
            .collect()
    }

    /// The kinds found in the variant of `line` read as words, and the
    /// indices of the words they cover.
    fn found(line: &str) -> Vec<(Kind, Vec<usize>)> {
        let joined = variant(&join(&words(line)));
        Scanner::builtin_ocr()
            .find(&joined.text)
            .iter()
            .map(|s| (s.kind, joined.words_of_span(s.start, s.end)))
            .collect()
    }

    #[test]
    fn characters_misread_inside_numbers_are_put_back() {
        assert_eq!(fix_characters("IT6@ X054 2811"), "IT60 X054 2811");
        assert_eq!(fix_characters("DE&9 3704 R&D"), "DE89 3704 R&D");
        assert_eq!(fix_characters("2026-03-@1 |#44 20 (#1 #a"), "2026-03-01 |+44 20 (+1 #a");
        assert_eq!(fix_characters("mail bob@example.com issue#4"), "mail bob@example.com issue#4");
    }

    #[test]
    fn values_broken_by_ocr_are_found_in_the_variant() {
        let iban = found("Marco Bianchi | IT6@ X054 2811 1010 0000 0123 456 | 980.50 EUR");
        assert!(iban.contains(&(Kind::Iban, vec![3, 4, 5, 6, 7, 8, 9])), "{iban:?}");
        let token = found("GITLAB_TOKEN=glpat- 3RZJzzzzgEOzdmenCkhv");
        assert!(token.iter().any(|(_, w)| w == &vec![0, 1]), "{token:?}");
        let mail = found("Email t.anderson@example. fr");
        assert!(mail.contains(&(Kind::Email, vec![1, 2])), "{mail:?}");
        let phone = found("1042 | James Whitfield | #44 20 7946 0958 | starter");
        assert!(phone.iter().any(|(k, w)| *k == Kind::Phone && w.len() == 4), "{phone:?}");
    }

    #[test]
    fn misread_zeros_at_a_words_edge_are_put_back_before_gluing() {
        for line in [
            "Pay to IBAN DE89 3704 0044 0532 0130 0@ by Friday",
            "Pay to IBAN DE89 3704 0044 0532 0130 0® by Friday",
            "Pay to IBAN DE89 3704 0044 0532 0130 @® by Friday",
        ] {
            // The glued variant alone misses it…
            assert!(!found(line).iter().any(|(k, _)| *k == Kind::Iban), "{line}");
            // …the words fixed first find it, on its six words only.
            let joined = fixed_first(&words(line));
            let spans = Scanner::builtin_ocr().find(&joined.text);
            let iban: Vec<Vec<usize>> = spans
                .iter()
                .filter(|s| s.kind == Kind::Iban)
                .map(|s| joined.words_of_span(s.start, s.end))
                .collect();
            assert_eq!(iban, vec![vec![3, 4, 5, 6, 7, 8]], "{line}: {}", joined.text);
        }
        assert_eq!(fix_word("0®"), "00");
        assert_eq!(fix_word("@®"), "00");
        assert_eq!(fix_word("@"), "@");
        assert_eq!(fix_word("Acme®"), "Acme®");
    }

    #[test]
    fn plain_text_gains_nothing() {
        assert_eq!(found("ticket 4822 closed: duplicate of 4815, customer informed by mail"), vec![]);
        assert_eq!(found("cargo build --release finished in 42 seconds"), vec![]);
        for line in ["ticket 4822 closed: duplicate of 4815", "Acme® 2000 series, mail bob99@ example.com"] {
            let joined = fixed_first(&words(line));
            assert!(Scanner::builtin_ocr().find(&joined.text).is_empty(), "{line}");
        }
    }
}
