//! CPU cost of pixel redaction on rendered screens.
//!
//! `cargo bench -p tracewell-ocr --bench pixels` prints CPU-seconds (this
//! thread's, `CLOCK_THREAD_CPUTIME_ID`) per 1920×1080 frame read whole,
//! and per frame where one terminal line changed.
//! `… --bench pixels -- tune` compares engine settings on the same screen:
//! CPU time, exact-word recall and the share of PII ink left uncovered.
//! `… --bench pixels -- export DIR` renders several test screens and writes
//! them as PNG, redacted by us as PNG, and their ground truth as JSON (see
//! `export/mod.rs`); `bench-baseline/run.sh` scores them beside another
//! redactor.

#[path = "../tests/common/mod.rs"]
mod common;
mod export;

use tracewell_model::Rect;
use tracewell_ocr::{Ocr, OcrOptions, PageSegMode, PixelRedactor, Pixels, Thresholding};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "export") {
        let dir = args.get(i + 1).filter(|d| !d.starts_with("--")).expect("usage: -- export DIR");
        export::run(std::path::Path::new(dir));
        return;
    }
    let (screen, frame) = common::dense_screen();
    if args.iter().any(|a| a == "tune") {
        tune(&screen, &frame);
    } else {
        bench(&screen, &frame);
    }
}

fn tune(screen: &common::Screen, frame: &tracewell_model::Frame) {
    let truth = common::pii_ink_boxes(screen, frame);
    let tokens: Vec<&str> = screen.terms.iter().flat_map(|t| t.lines.iter()).flat_map(|l| l.split_whitespace()).collect();
    let base = OcrOptions::default();
    let variants: Vec<(&str, OcrOptions)> = vec![
        ("default", base),
        ("psm 11 sparse", OcrOptions { page_seg_mode: PageSegMode::SparseText, ..base }),
        ("psm 6 block", OcrOptions { page_seg_mode: PageSegMode::SingleBlock, ..base }),
        ("dictionaries on", OcrOptions { dictionaries: true, ..base }),
        ("invert off", OcrOptions { invert: false, ..base }),
        ("scale 2", OcrOptions { scale: 2, dpi: base.dpi * 2, ..base }),
        ("dpi 300", OcrOptions { dpi: 300, ..base }),
        ("dpi 70", OcrOptions { dpi: 70, ..base }),
        ("tiled otsu", OcrOptions { thresholding: Thresholding::TiledOtsu, ..base }),
        ("dpi 300 dict on", OcrOptions { dpi: 300, dictionaries: true, ..base }),
        ("sauvola", OcrOptions { thresholding: Thresholding::Sauvola, ..base }),
    ];
    println!("{:<22} {:>8} {:>8} {:>10} {:>8}", "settings", "cpu-s", "words", "recall", "pii-miss");
    for (name, options) in variants {
        let ocr = Ocr::with_options(options).expect("OCR");
        let whole = Rect::new(0, 0, frame.width, frame.height);
        let t0 = common::thread_cpu_seconds();
        let words = ocr.words(Pixels::Bgrx(&frame.bgrx), frame.width, frame.height, whole).expect("words");
        let cpu = common::thread_cpu_seconds() - t0;
        let read: std::collections::HashSet<&str> = words.iter().map(|w| w.text.as_str()).collect();
        let recall = tokens.iter().filter(|t| read.contains(*t)).count() as f64 / tokens.len() as f64;
        let mut redactor = PixelRedactor::new(ocr);
        let mut f = frame.clone();
        let report = redactor.redact(&mut f).expect("redact");
        let fills: Vec<Rect> = report.boxes.iter().map(|b| b.rect).collect();
        let (missed, total, _) = common::uncovered(&truth, &fills);
        println!(
            "{:<22} {:>8.3} {:>8} {:>9.1}% {:>7.2}%",
            name,
            cpu,
            words.len(),
            100.0 * recall,
            100.0 * missed as f64 / total as f64
        );
    }
}

fn bench(screen: &common::Screen, frame: &tracewell_model::Frame) {
    let mut redactor = PixelRedactor::new(Ocr::new().expect("OCR"));
    let area = frame.width as u64 * frame.height as u64;
    let mut full = Vec::new();
    for _ in 0..3 {
        redactor.reset();
        let mut f = frame.clone();
        let t0 = common::thread_cpu_seconds();
        let report = redactor.redact(&mut f).expect("redact");
        full.push(common::thread_cpu_seconds() - t0);
        assert!(report.full_ocr);
    }
    println!(
        "full frame {}x{}: {:.3} CPU-s per frame (min of 3; all {:.3?})",
        frame.width,
        frame.height,
        full.iter().cloned().fold(f64::MAX, f64::min),
        full
    );

    // A frame where nothing changed: no reading, only the scans of every
    // cached word (three readings of the screen's text).
    let mut still = frame.clone();
    still.changed.clear();
    let mut copies: Vec<_> = (0..20).map(|_| still.clone()).collect();
    let t0 = common::thread_cpu_seconds();
    for copy in &mut copies {
        redactor.redact(copy).expect("redact");
    }
    println!(
        "nothing changed ({} words cached): {:.2} ms per frame (mean of 20)",
        redactor.words().len(),
        (common::thread_cpu_seconds() - t0) * 1000.0 / 20.0
    );

    // Deciding whether a window holds small text, over the whole frame
    // (the most it is asked to measure).
    let whole = tracewell_model::Rect::new(0, 0, frame.width, frame.height);
    let t0 = common::thread_cpu_seconds();
    let mut pitch = None;
    for _ in 0..20 {
        pitch = tracewell_ocr::text_size::line_pitch(frame, whole, &[]);
    }
    println!("line pitch of the whole frame: {pitch:?} px, {:.2} ms (mean of 20)", (common::thread_cpu_seconds() - t0) * 1000.0 / 20.0);

    // One line changing: keys typed at a terminal's prompt.
    redactor.reset();
    redactor.redact(&mut frame.clone()).expect("redact");
    let term = &screen.terms[1];
    screen.driver.activate(term.window).expect("activate");
    let mut previous = screen.settled_frame();
    previous.changed = common::changed_tiles(frame, &previous, 32);
    redactor.redact(&mut previous.clone()).expect("redact");
    let mut small = Vec::new();
    let mut areas = Vec::new();
    for word in ["echo ", "card ", "4111 ", "1111 ", "1111 ", "1111 ", "ok "] {
        screen.driver.type_text(word).expect("type");
        let mut next = screen.settled_frame();
        next.changed = common::changed_tiles(&previous, &next, 32);
        let t0 = common::thread_cpu_seconds();
        let report = redactor.redact(&mut next.clone()).expect("redact");
        small.push(common::thread_cpu_seconds() - t0);
        areas.push(report.ocr_area as f64 / area as f64);
        if std::env::var_os("PIXELS_VERBOSE").is_some() {
            eprintln!("changed {:?} calls {} area {}", next.changed.len(), report.ocr_calls, report.ocr_area);
        }
        previous = next;
    }
    small.sort_by(f64::total_cmp);
    println!(
        "one line changed: {:.4} CPU-s per frame (median of {}; max {:.4}), OCR area {:.2}%..{:.2}% of the frame",
        small[small.len() / 2],
        small.len(),
        small[small.len() - 1],
        100.0 * areas.iter().cloned().fold(f64::MAX, f64::min),
        100.0 * areas.iter().cloned().fold(0.0, f64::max)
    );
}
