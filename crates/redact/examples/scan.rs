//! Reads text on standard input and prints the redacted text and the spans.
use std::io::Read;

fn main() {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .expect("read stdin");
    let ocr = std::env::args().any(|a| a == "--ocr");
    let scanner = if ocr {
        tracewell_redact::Scanner::builtin_ocr()
    } else {
        tracewell_redact::Scanner::builtin()
    };
    let (redacted, spans) = scanner.redact_with_spans(&text);
    for s in &spans {
        eprintln!(
            "{:>6}..{:<6} {:<14} {:<18} {:?}",
            s.start,
            s.end,
            s.kind.name(),
            s.detector,
            &text[s.start..s.end]
        );
    }
    print!("{}", redacted.as_str());
}
