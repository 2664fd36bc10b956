//! `cargo bench -p tracewell-ocr --bench pixels -- export DIR`: renders the
//! test screens of [`screens`] (xterms on a private 1920×1080 Xvfb), and
//! writes for each
//!
//! - `DIR/screens/NAME.png`: the screen as grabbed;
//! - `DIR/tracewell/NAME.png`: the same frame after [`PixelRedactor`]
//!   read it whole (a fresh start, as for the first frame of a recording);
//!
//! and `DIR/truth.json`: per screen, the tight ink box of every word of
//! every PII value and of every other word (from the xterm cell grid), the
//! redactor's CPU-seconds (this thread's) and its filled boxes. One
//! untimed redaction of the first screen comes first (warm-up).
//!
//! The PNGs are 8-bit RGB, written uncompressed (stored deflate blocks):
//! the crate has no image dependency, and the files only feed the scorer.

pub mod screens;

use std::fmt::Write as _;
use std::path::Path;

use tracewell_model::{Frame, Rect};
use tracewell_ocr::{Ocr, PixelRedactor};

use crate::common;

/// One ground-truth word box.
struct WordBox {
    /// PII kind, or `None` for a plain word.
    kind: Option<String>,
    word: String,
    value: String,
    cells: Rect,
    ink: Rect,
}

pub fn run(dir: &Path) {
    std::fs::create_dir_all(dir.join("screens")).expect("create screens/");
    std::fs::create_dir_all(dir.join("tracewell")).expect("create tracewell/");
    let mut redactor = PixelRedactor::new(Ocr::new().expect("OCR"));
    let mut json = String::from("{\n  \"width\": 1920,\n  \"height\": 1080,\n  \"tracewell_fill\": [0, 0, 0],\n");
    json.push_str("  \"cpu\": \"CPU-seconds of the redacting thread (CLOCK_THREAD_CPUTIME_ID), one whole-frame redaction after reset\",\n");
    json.push_str("  \"screens\": [\n");
    let specs = screens::all();
    let mut total_cpu = 0.0;
    for (i, spec) in specs.iter().enumerate() {
        let (frame, words) = render(spec);
        let png = format!("screens/{}.png", spec.name);
        write_png(&dir.join(&png), &frame);

        if i == 0 {
            redactor.reset();
            redactor.redact(&mut frame.clone()).expect("warm-up redaction");
        }
        redactor.reset();
        let mut redacted = frame.clone();
        let t0 = common::thread_cpu_seconds();
        let report = redactor.redact(&mut redacted).expect("redact");
        let cpu = common::thread_cpu_seconds() - t0;
        assert!(report.full_ocr);
        total_cpu += cpu;
        let out = format!("tracewell/{}.png", spec.name);
        write_png(&dir.join(&out), &redacted);
        if std::env::var_os("EXPORT_WORDS").is_some() {
            // What OCR read, line by line, for looking into misses.
            let text = tracewell_ocr::lines::join(redactor.words()).text;
            let stack: Vec<String> = frame.stack.iter().map(|w| rect(w.rect)).collect();
            let text = format!("stack {}\n{text}", stack.join(" "));
            std::fs::write(dir.join(format!("tracewell/{}.txt", spec.name)), text).expect("write words");
            let tsv: String = redactor
                .words()
                .iter()
                .map(|w| format!("{}\t{}\t{}\t{}\t{:.0}\t{}\n", w.rect.x, w.rect.y, w.rect.width, w.rect.height, w.confidence, w.text))
                .collect();
            std::fs::write(dir.join(format!("tracewell/{}.tsv", spec.name)), tsv).expect("write words");
        }

        let pii = words.iter().filter(|w| w.kind.is_some()).count();
        println!(
            "export {:<10} {} PII word boxes, {} plain word boxes; tracewell {:.3} CPU-s, {} boxes filled, {} OCR calls, {} windows, {:?}",
            spec.name,
            pii,
            words.len() - pii,
            cpu,
            report.boxes_filled,
            report.ocr_calls,
            frame.stack.len(),
            report.counts
        );

        let _ = write!(
            json,
            "    {{\n      \"name\": {},\n      \"description\": {},\n      \"png\": {},\n      \"tracewell_png\": {},\n      \"tracewell_cpu_s\": {:.6},\n",
            q(spec.name),
            q(spec.description),
            q(&png),
            q(&out),
            cpu
        );
        let counts: Vec<String> = report.counts.iter().map(|(k, v)| format!("{}: {v}", q(k))).collect();
        let _ = writeln!(json, "      \"tracewell_counts\": {{{}}},", counts.join(", "));
        let boxes: Vec<String> = report
            .boxes
            .iter()
            .map(|b| format!("{{\"kind\": {}, \"box\": {}}}", q(b.kind.name()), rect(b.rect)))
            .collect();
        let _ = writeln!(json, "      \"tracewell_boxes\": [{}],", boxes.join(", "));
        for (key, want_pii) in [("pii", true), ("plain", false)] {
            let items: Vec<String> = words
                .iter()
                .filter(|w| w.kind.is_some() == want_pii)
                .map(|w| match &w.kind {
                    Some(kind) => format!(
                        "        {{\"kind\": {}, \"word\": {}, \"value\": {}, \"box\": {}, \"cells\": {}}}",
                        q(kind),
                        q(&w.word),
                        q(&w.value),
                        rect(w.ink),
                        rect(w.cells)
                    ),
                    None => format!(
                        "        {{\"word\": {}, \"box\": {}, \"cells\": {}}}",
                        q(&w.word),
                        rect(w.ink),
                        rect(w.cells)
                    ),
                })
                .collect();
            let end = if want_pii { "," } else { "" };
            let _ = writeln!(json, "      \"{key}\": [\n{}\n      ]{end}", items.join(",\n"));
        }
        json.push_str(if i + 1 == specs.len() { "    }\n" } else { "    },\n" });
    }
    json.push_str("  ]\n}\n");
    std::fs::write(dir.join("truth.json"), json).expect("write truth.json");
    println!(
        "export: {} screens to {}; tracewell {:.3} CPU-s per full frame (mean)",
        specs.len(),
        dir.display(),
        total_cpu / specs.len() as f64
    );
}

/// Renders one screen and returns a settled frame of it with the ground
/// truth: every word of every PII value, and every other word holding a
/// letter or digit.
fn render(spec: &screens::ScreenSpec) -> (Frame, Vec<WordBox>) {
    let mut screen = common::Screen::start(1920, 1080);
    let mut parsed = Vec::new();
    for t in &spec.terms {
        let lines: Vec<screens::Parsed> = t.lines.iter().map(|l| screens::parse(l)).collect();
        assert!(
            (lines.len() as u32) < t.rows,
            "{}/{}: {} lines do not fit {} rows",
            spec.name,
            t.title,
            lines.len(),
            t.rows
        );
        for l in &lines {
            assert!(
                l.cells.len() as u32 <= t.cols,
                "{}/{}: line wider than {} cells: {:?}",
                spec.name,
                t.title,
                t.cols,
                l.cells
            );
        }
        let printed: Vec<&str> = lines.iter().map(|l| l.printed.as_str()).collect();
        screen.xterm(t.title, t.cols, t.rows, t.x, t.y, &printed);
        parsed.push(lines);
    }
    let frame = screen.settled_frame();
    let mut words = Vec::new();
    for (term, lines) in screen.terms.iter().zip(&parsed) {
        for (row, line) in lines.iter().enumerate() {
            for span in &line.spans {
                let value = &line.cells[span.start..span.end];
                for (off, part) in tokens(value) {
                    let cells = term.cells(row, span.start + off, part.len());
                    let ink = common::ink_box(&frame, cells)
                        .unwrap_or_else(|| panic!("{}: no ink for {part:?} of a {}", spec.name, span.kind));
                    words.push(WordBox {
                        kind: Some(span.kind.clone()),
                        word: part.to_string(),
                        value: value.to_string(),
                        cells,
                        ink,
                    });
                }
            }
            for (col, token) in tokens(&line.cells) {
                let overlaps = line.spans.iter().any(|s| col < s.end && col + token.len() > s.start);
                if overlaps || !token.bytes().any(|b| b.is_ascii_alphanumeric()) {
                    continue;
                }
                let cells = term.cells(row, col, token.len());
                if let Some(ink) = common::ink_box(&frame, cells) {
                    words.push(WordBox { kind: None, word: token.to_string(), value: String::new(), cells, ink });
                }
            }
        }
    }
    (frame, words)
}

/// The space-separated words of `s` with their byte offsets.
fn tokens(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut at = 0;
    for part in s.split(' ') {
        if !part.is_empty() {
            out.push((at, part));
        }
        at += part.len() + 1;
    }
    out
}

fn rect(r: Rect) -> String {
    format!("[{}, {}, {}, {}]", r.x, r.y, r.width, r.height)
}

/// A JSON string literal.
fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes `frame` as an 8-bit RGB PNG with uncompressed deflate blocks.
fn write_png(path: &Path, frame: &Frame) {
    let (w, h) = (frame.width as usize, frame.height as usize);
    let mut raw = Vec::with_capacity(h * (1 + 3 * w));
    for y in 0..h {
        raw.push(0); // filter: none
        for px in frame.bgrx[y * w * 4..(y + 1) * w * 4].chunks_exact(4) {
            raw.extend_from_slice(&[px[2], px[1], px[0]]);
        }
    }
    let mut z = vec![0x78, 0x01];
    let mut blocks = raw.chunks(65_535).peekable();
    while let Some(block) = blocks.next() {
        z.push(blocks.peek().is_none() as u8);
        let len = block.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(block);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&(w as u32).to_be_bytes());
    ihdr.extend_from_slice(&(h as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit, RGB, deflate, no filter choice, no interlace
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    std::fs::write(path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (n, slot) in table.iter_mut().enumerate() {
        let mut c = n as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
        }
        *slot = c;
    }
    let mut crc = !0u32;
    for &b in data {
        crc = table[((crc ^ b as u32) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += x as u32;
            b += a;
        }
        a %= 65_521;
        b %= 65_521;
    }
    (b << 16) | a
}
