//! A second reading of the OCR text for the scanner: the breaks and
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
//! Detections in either text fill their words. The variant can only add
//! fills: a real space it drops, or an `@` it turns into `0`, breaks a
//! value in the variant only, and the first text still finds it.
//!
//! [`lines::join`]: crate::lines::join

use crate::lines::Joined;

/// The second reading of `joined`: tied words glued, misread characters
/// put back.
pub fn variant(joined: &Joined) -> Joined {
    let mut out = joined.glued();
    out.text = fix_characters(&out.text);
    out
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
    use crate::Word;
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
    fn plain_text_gains_nothing() {
        assert_eq!(found("ticket 4822 closed: duplicate of 4815, customer informed by mail"), vec![]);
        assert_eq!(found("cargo build --release finished in 42 seconds"), vec![]);
    }
}
