//! Timing of adversarial inputs at two sizes: doubling the input should
//! roughly double the time. Run: `cargo bench -p tracewell-redact --bench linear`.

use std::time::Instant;

use tracewell_redact::Scanner;

fn repeat(unit: &str, len: usize) -> String {
    unit.repeat(len / unit.len() + 1)[..len - len % unit.len()].to_string()
}

const UNITS: &[&str] = &[
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
];

fn main() {
    let scanner = Scanner::builtin();
    let filter: Option<String> = std::env::args().nth(1).filter(|a| !a.starts_with('-'));
    println!(
        "{:<32} {:>10} {:>10} {:>7}",
        "unit", "1 MiB ms", "2 MiB ms", "ratio"
    );
    for unit in UNITS {
        if let Some(f) = &filter
            && !unit.contains(f.as_str())
        {
            continue;
        }
        let mut t = [0f64; 2];
        for (i, size) in [1usize << 20, 2 << 20].into_iter().enumerate() {
            let text = repeat(unit, size);
            let start = Instant::now();
            let spans = scanner.find(&text);
            t[i] = start.elapsed().as_secs_f64() * 1e3;
            std::hint::black_box(spans);
        }
        println!(
            "{:<32} {:>10.1} {:>10.1} {:>7.2}",
            format!("{unit:?}"),
            t[0],
            t[1],
            t[1] / t[0]
        );
    }
}
