//! Pixel redaction on real screens: xterms on Xvfb showing known values,
//! redacted, then read again by a fresh engine.

mod common;

use tracewell_model::{Frame, Rect};
use tracewell_ocr::{Error, Ocr, OcrOptions, PageSegMode, PixelRedactor, Pixels};

/// Target share of PII ink left uncovered by fills.
const MAX_MISSED: f64 = 0.02;

/// Everything fresh engines read on `frame`, joined by spaces: with full
/// layout analysis, and again treating the region as one block of text
/// (layout analysis may take a line with a large fill in it for a
/// picture and skip it; the block reader reads every line).
fn read_back(frame: &Frame, region: Rect) -> String {
    let mut text = String::new();
    for mode in [PageSegMode::Auto, PageSegMode::SingleBlock] {
        let ocr = Ocr::with_options(OcrOptions { page_seg_mode: mode, ..OcrOptions::default() }).expect("OCR");
        let words = ocr.words(Pixels::Bgrx(&frame.bgrx), frame.width, frame.height, region).expect("words");
        for w in words {
            text.push_str(&w.text);
            text.push(' ');
        }
        text.push('\n');
    }
    if std::env::var_os("READ_BACK_VERBOSE").is_some() {
        eprintln!("{text}");
    }
    text
}

/// The parts of a value that must not be readable: runs of 4 or more
/// letters or digits.
fn parts(value: &str) -> Vec<String> {
    value.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| p.len() >= 4).map(str::to_string).collect()
}

/// Plain words on the lines that hold the values.
const NEIGHBOURS: &[&str] = &[
    "Customer", "expires", "Backup", "since", "March", "Contact", "invoice", "(billing)", "export", "Friday",
    "lunch", "form", "push", "done",
];

#[test]
fn pii_on_a_dense_screen_cannot_be_read_back_and_plain_words_can() {
    let (screen, frame) = common::dense_screen();
    let whole = Rect::new(0, 0, frame.width, frame.height);
    let before = read_back(&frame, whole);
    // The unredacted screen shows the values (else the test proves nothing).
    let unread: Vec<&str> = common::PII
        .iter()
        .filter(|(_, v, _)| !parts(v).iter().all(|p| before.contains(p.as_str())))
        .map(|(k, _, _)| *k)
        .collect();
    eprintln!("values not read exactly before redaction: {unread:?}");
    assert!(unread.len() <= 3, "only some values readable before redaction: {unread:?} not");

    let mut redactor = PixelRedactor::new(Ocr::new().expect("OCR"));
    let mut redacted = frame.clone();
    let report = redactor.redact(&mut redacted).expect("redact");
    assert!(report.full_ocr);
    assert_eq!(report.ocr_area, whole.area());
    for kind in ["card", "email", "iban", "phone", "ssn", "github_token", "jwt", "ip"] {
        assert!(report.counts.contains_key(kind), "no {kind} found: {:?}", report.counts);
    }
    // A misread AWS key still counts as a secret assignment.
    assert!(report.counts.contains_key("aws_secret") || report.counts.contains_key("secret"), "{:?}", report.counts);

    if let Some(path) = std::env::var_os("REDACTED_RAW") {
        std::fs::write(path, &redacted.bgrx).unwrap();
    }
    let after = read_back(&redacted, whole);
    for (kind, value, _) in common::PII {
        for part in parts(value) {
            assert!(!after.contains(part.as_str()), "part of a {kind} is still readable");
        }
    }
    // The plain words on the values' lines are untouched, pixel for pixel…
    for term in &screen.terms {
        for (_, value, line) in common::PII {
            let Some(row) = term.lines.iter().position(|l| l == line) else { continue };
            let at = line.find(value).unwrap();
            let mut col = 0;
            for token in line.split(' ') {
                let inside = col < at + value.len() && col + token.len() > at;
                if !inside && !token.is_empty() {
                    let cells = term.cells(row, col, token.len());
                    let same = (cells.y..cells.y + cells.height as i32).all(|y| {
                        (cells.x..cells.x + cells.width as i32)
                            .all(|x| frame.rgb_at(x as u32, y as u32) == redacted.rgb_at(x as u32, y as u32))
                    });
                    assert!(same, "plain word {token:?} next to a {} was painted over", value.len());
                }
                col += token.len() + 1;
            }
        }
    }
    // …and most still read back (OCR stumbles next to large fills).
    let kept: Vec<&&str> = NEIGHBOURS.iter().filter(|w| after.contains(**w)).collect();
    assert!(kept.len() * 10 >= NEIGHBOURS.len() * 7, "plain words lost: kept only {kept:?}");

    let truth = common::pii_ink_boxes(&screen, &frame);
    let fills: Vec<Rect> = report.boxes.iter().map(|b| b.rect).collect();
    let (missed, total, partial) = common::uncovered(&truth, &fills);
    let share = missed as f64 / total as f64;
    eprintln!(
        "dense screen: {} PII word boxes, {:.2}% of their ink uncovered, {} not wholly covered, {} boxes filled",
        truth.len(),
        100.0 * share,
        partial,
        report.boxes_filled
    );
    assert!(share <= MAX_MISSED, "{:.2}% of PII ink uncovered", 100.0 * share);
}

#[test]
fn a_changed_line_is_read_alone_and_its_pii_filled() {
    let mut screen = common::Screen::start(1280, 720);
    let lines = ["Customer card 4111 1111 1111 1111 expires 09/27", "The quick brown fox jumps over the lazy dog"];
    screen.xterm("term", 100, 20, 20, 20, &lines);
    let term_window = screen.terms[0].window;
    let first = screen.settled_frame();
    let mut redactor = PixelRedactor::new(Ocr::new().expect("OCR"));
    let report = redactor.redact(&mut first.clone()).expect("redact");
    assert!(report.full_ocr);
    assert_eq!(report.counts.get("card"), Some(&1));

    // Nothing changed: nothing is read, the same boxes are filled.
    let mut same = first.clone();
    same.changed = Vec::new();
    let again = redactor.redact(&mut same).expect("redact");
    assert_eq!((again.ocr_area, again.full_ocr), (0, false));
    assert_eq!(again.boxes, report.boxes);

    // Type at the prompt (row 2, after "$ ").
    screen.driver.activate(term_window).expect("activate");
    let typed = "echo alice.johnson@example.com 536-22-8721 ok";
    screen.driver.type_text(typed).expect("type");
    let mut next = screen.settled_frame();
    next.changed = common::changed_tiles(&first, &next, 32);
    assert!(!next.changed.is_empty());
    let original = next.clone();
    let report = redactor.redact(&mut next).expect("redact");
    let area = next.width as u64 * next.height as u64;
    eprintln!(
        "one line: OCR area {} px ({:.2}% of the frame) in {} call(s)",
        report.ocr_area,
        100.0 * report.ocr_area as f64 / area as f64,
        report.ocr_calls
    );
    assert!(!report.full_ocr);
    assert!(report.ocr_area * 10 < area, "read {} of {} px", report.ocr_area, area);
    assert_eq!(report.counts.get("email"), Some(&1), "{:?}", report.counts);
    assert_eq!(report.counts.get("ssn"), Some(&1), "{:?}", report.counts);
    // The card from the cache is still filled in this frame.
    assert_eq!(report.counts.get("card"), Some(&1), "{:?}", report.counts);

    if let Some(path) = std::env::var_os("REDACTED_RAW_LINE") {
        std::fs::write(path, &next.bgrx).unwrap();
    }
    let after = read_back(&next, Rect::new(0, 0, next.width, next.height));
    for value in ["alice.johnson@example.com", "536-22-8721", "4111 1111 1111 1111"] {
        for part in parts(value) {
            assert!(!after.contains(part.as_str()), "part of {value:?} is still readable");
        }
    }
    assert!(after.contains("echo") && after.contains("Customer"), "plain words lost");

    // Ground truth from the cell grid: the typed text starts at the first
    // column that changed on the prompt's row.
    let term = &screen.terms[0];
    let row = lines.len();
    let band = term.cells(row, 0, 100);
    let first_x = (band.x..band.x + band.width as i32)
        .find(|&x| (band.y..band.y + band.height as i32).any(|y| first.rgb_at(x as u32, y as u32) != original.rgb_at(x as u32, y as u32)))
        .expect("the prompt row changed");
    let prompt_cols = ((first_x - term.origin.0) as u32 / term.cell.0) as usize;
    let mut truth = Vec::new();
    for value in ["alice.johnson@example.com", "536-22-8721"] {
        let col = prompt_cols + typed.find(value).unwrap();
        let cells = term.cells(row, col, value.len());
        truth.push(("typed", common::ink_box(&original, cells).expect("typed text is on screen")));
    }
    let fills: Vec<Rect> = report.boxes.iter().map(|b| b.rect).collect();
    let (missed, total, _) = common::uncovered(&truth, &fills);
    assert!(missed as f64 <= MAX_MISSED * total as f64, "{missed} of {total} px of typed PII uncovered");
}

#[test]
fn a_frame_of_the_wrong_size_is_an_error_and_fills_nothing() {
    let mut redactor = PixelRedactor::new(Ocr::new().expect("OCR"));
    let mut frame = Frame {
        t_ns: 0,
        width: 100,
        height: 50,
        reason: tracewell_model::FrameReason::Start,
        monitors: Vec::new(),
        changed: vec![Rect::new(0, 0, 100, 50)],
        stack: Default::default(),
        bgrx: vec![255; 100 * 49 * 4],
    };
    let err = redactor.redact(&mut frame).unwrap_err();
    assert!(matches!(err, Error::Image(_)), "{err}");
    assert!(frame.bgrx.iter().all(|&b| b == 255));
}

#[test]
fn words_come_back_in_image_coordinates_from_a_region() {
    let mut screen = common::Screen::start(800, 300);
    screen.xterm("term", 60, 5, 100, 60, &["alpha bravo charlie delta"]);
    let frame = screen.settled_frame();
    let term = &screen.terms[0];
    let truth = common::ink_box(&frame, term.cells(0, 6, 5)).unwrap();
    let region = Rect::new(truth.x - 30, truth.y - 10, 200, 40);
    let ocr = Ocr::new().unwrap();
    let words = ocr.words(Pixels::Bgrx(&frame.bgrx), frame.width, frame.height, region).unwrap();
    let bravo = words.iter().find(|w| w.text == "bravo").expect("bravo read");
    // The box hugs the ink within a pixel or two.
    assert!((bravo.rect.x - truth.x).abs() <= 2 && (bravo.rect.y - truth.y).abs() <= 2, "{bravo:?} vs {truth:?}");
    assert!(bravo.confidence > 50.0);
    // Gray input gives the same words.
    let gray: Vec<u8> = frame.bgrx.chunks_exact(4).map(|p| p[1]).collect();
    let again = ocr.words(Pixels::Gray(&gray), frame.width, frame.height, region).unwrap();
    assert!(again.iter().any(|w| w.text == "bravo"));
    // A buffer of the wrong length is refused.
    assert!(matches!(ocr.words(Pixels::Gray(&gray[1..]), frame.width, frame.height, region), Err(Error::Image(_))));
}
