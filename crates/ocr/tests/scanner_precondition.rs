//! The test screens' values are what the scanner finds in clean text: a
//! miss in the pixel tests is then OCR's, not the scanner's.
mod common;

use tracewell_redact::Scanner;

#[test]
fn every_test_value_is_found_in_its_clean_line_and_plain_lines_are_clean() {
    for (kind, value, line) in common::PII {
        let spans = Scanner::builtin_ocr().find(line);
        let hit = spans.iter().any(|s| s.kind.name() == *kind && line[s.start..s.end].contains(value));
        assert!(hit, "{kind} not found whole in its line: {:?}", spans);
    }
    for line in common::PLAIN {
        assert!(Scanner::builtin_ocr().find(line).is_empty(), "false detection in {line:?}");
    }
}
