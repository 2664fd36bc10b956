//! Inputs built to make a scanner slow. Each must complete, and the
//! scanner's deterministic work counters must grow in proportion to the
//! input (no wall-clock assertions here; timings live in
//! `benches/linear.rs`).

use tracewell_redact::{ScanStats, Scanner};

const MB: usize = 1 << 20;

/// Repeats `unit` up to `len` bytes.
fn repeat(unit: &str, len: usize) -> String {
    unit.repeat(len / unit.len() + 1)[..len - len % unit.len()].to_string()
}

pub fn adversarial_units() -> Vec<&'static str> {
    vec![
        "a@a@",
        "a@a.",
        "1",
        "1 ",
        "1-",
        "4111 ",
        "-----BEGIN",
        "-----BEGIN PRIVATE KEY-----",
        "eyJhbGciOiJIUzI1NiJ9.",
        "password=",
        "password=\"",
        "?token=",
        "Aa",
        "John ",
        "Dear ",
        "1 Main ",
        "a:",
        "::a",
        "1.",
        "DE89 ",
        "A",
        "+",
        "(1",
        "x/",
        // Anchored finders: keys, operators, `@`s and 40-byte runs.
        "a@a.a.",
        "a.b@",
        "password=password=",
        "my_secret_token:",
        "Dr. Password=",
        "token = \"",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE",
        "12:30:",
        // URL credentials and number runs, found without the automaton.
        "a://a:a@",
        "https://",
        "x://u:",
        "+ (1 ",
        "(1) 2.",
        "1.1.1.1 ",
    ]
}

fn stats(text: &str) -> ScanStats {
    Scanner::builtin().find_with_stats(text).1
}

#[test]
fn one_megabyte_adversarial_inputs_complete() {
    for unit in adversarial_units() {
        let text = repeat(unit, MB);
        let (spans, st) = Scanner::builtin().find_with_stats(&text);
        // Work is bounded by a small multiple of the input (a name
        // candidate holds up to nine words and may advance by two).
        assert!(
            st.candidate_bytes <= 6 * text.len() as u64,
            "{unit:?}: {st:?}"
        );
        assert!(st.searches <= text.len() as u64 + 1, "{unit:?}: {st:?}");
        assert!(st.anchor_bytes <= 8 * text.len() as u64, "{unit:?}: {st:?}");
        for w in spans.windows(2) {
            assert!(w[0].end <= w[1].start);
        }
    }
}

#[test]
fn doubling_input_roughly_doubles_work() {
    for unit in adversarial_units() {
        let small = stats(&repeat(unit, 256 * 1024));
        let large = stats(&repeat(unit, 512 * 1024));
        for (a, b) in [
            (small.searches, large.searches),
            (small.candidates, large.candidates),
            (small.candidate_bytes, large.candidate_bytes),
            (small.anchor_bytes, large.anchor_bytes),
        ] {
            // Either constant (a single candidate) or about twice.
            assert!(b <= 2 * a + a / 50 + 64, "{unit:?}: {small:?} -> {large:?}");
        }
    }
}

#[test]
fn unterminated_private_key_swallows_the_rest() {
    let text = repeat("-----BEGIN PRIVATE KEY-----", MB);
    let spans = Scanner::builtin().find(&text);
    assert_eq!(spans.len(), 1);
    assert_eq!((spans[0].start, spans[0].end), (0, text.len()));
}

#[test]
fn a_megabyte_of_digits_is_not_a_card() {
    let text = repeat("1234567890", MB);
    assert!(Scanner::builtin().find(&text).is_empty());
}
