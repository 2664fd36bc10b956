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
    // Every pixel is read once, window by window.
    assert_eq!(report.ocr_area, whole.area());
    assert!(report.ocr_calls >= 3, "{} calls for three terminals", report.ocr_calls);
    for kind in ["card", "email", "iban", "phone", "ssn", "github_token", "ip"] {
        assert!(report.counts.contains_key(kind), "no {kind} found: {:?}", report.counts);
    }
    // A misread AWS key still counts as a secret assignment, a misread JWT
    // as a secret-shaped word.
    assert!(report.counts.contains_key("aws_secret") || report.counts.contains_key("secret"), "{:?}", report.counts);
    assert!(report.counts.contains_key("jwt") || report.counts.contains_key("secret"), "{:?}", report.counts);

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

    let (share, partial, values) = common::ink_left(&screen, &frame, &report.boxes);
    eprintln!(
        "dense screen: {} PII word boxes, {:.2}% of their ink uncovered, {} not wholly covered, {} boxes filled",
        values,
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
    assert!(after.contains("Customer"), "plain words lost");

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
    // The typed plain word before the values is untouched, pixel for
    // pixel (reading it back is not reliable next to a large fill: the
    // read-back engine loses its first letter to the fill's blob).
    let echo = term.cells(row, prompt_cols, 4);
    for y in echo.y..echo.y + echo.height as i32 {
        for x in echo.x..echo.x + echo.width as i32 {
            assert_eq!(next.rgb_at(x as u32, y as u32), original.rgb_at(x as u32, y as u32), "`echo` was filled at {x},{y}");
        }
    }
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

/// Light terminals below a dark one (reverse video): read as one page,
/// layout analysis cuts the light terminals' lines up and their values go
/// unfilled; read window by window (`Frame::stack`), every value is found.
/// `WHOLE_PAGE=1` reads the frame without its stack, as before.
#[test]
fn values_in_light_terminals_below_a_dark_one_are_all_filled() {
    let mut screen = common::Screen::start(1920, 1080);
    let dark: Vec<String> = (0..18)
        .map(|i| {
            let head = if i == 0 { "\x1b[?5h" } else { "" };
            format!("{head}2026-03-14T09:12:{:02}Z INFO  http  GET /api/v1/orders?page={i} 200 12ms worker=shop-api-{i}", 10 + i)
        })
        .collect();
    let dark: Vec<&str> = dark.iter().map(String::as_str).collect();
    screen.xterm("dark", 170, 23, 10, 10, &dark);
    let left = [
        "$ ssh -p 2222 deploy@172.16.4.21",
        "Last login: Fri Mar 13 18:02:11 2026 from 10.8.0.14",
        "deploy@web-3:~$ ip -brief addr",
        "lo        UNKNOWN  127.0.0.1/8 ::1/128",
        "eth0      UP       172.16.4.21/24",
        "wg0       UNKNOWN  10.8.0.1/24",
        "deploy@web-3:~$ ip link show eth0",
        "2: eth0: <BROADCAST,MULTICAST,UP> mtu 1500 state UP",
        "    link/ether 00:1a:2b:3c:4d:5e brd ff:ff:ff:ff:ff:ff",
    ];
    screen.xterm("left", 84, 22, 10, 560, &left);
    let right = [
        "$ cat ~/.aws/credentials",
        "[default]",
        "aws_access_key_id = AKIAH7566TFJGVQ6KBNX",
        "aws_secret_access_key = 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",
        "region = eu-central-1",
        "",
        "[staging]",
        "aws_access_key_id = AKIAJ7Q3M5XK2P4WZ6RB",
        "aws_secret_access_key = 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",
    ];
    screen.xterm("right", 84, 22, 965, 560, &right);
    let mut frame = screen.settled_frame();
    assert_eq!(frame.stack.len(), 4, "three terminals and the window manager's own window");
    if std::env::var_os("WHOLE_PAGE").is_some() {
        frame.stack = Default::default();
    }
    let values: [(usize, &str); 8] = [
        (1, "172.16.4.21"),
        (1, "10.8.0.14"),
        (1, "10.8.0.1"),
        (1, "00:1a:2b:3c:4d:5e"),
        (2, "AKIAH7566TFJGVQ6KBNX"),
        (2, "sdMlHUvTCQCyEZDz/TddJ8HyS5SUkCnD8zRA9a9S"),
        (2, "AKIAJ7Q3M5XK2P4WZ6RB"),
        (2, "Zq8vT3mK9pLx2Rb7Wc4Nf6Hd1Gs5Yj7Ue8Ia3VvT"),
    ];
    let mut truth = Vec::new();
    for (term, value) in values {
        for cells in screen.terms[term].boxes_of(value) {
            truth.push((value, common::ink_box(&frame, cells).expect("a value's cells hold ink")));
        }
    }
    let mut redactor = PixelRedactor::new(Ocr::new().expect("OCR"));
    let report = redactor.redact(&mut frame).expect("redact");
    let fills: Vec<Rect> = report.boxes.iter().map(|b| b.rect).collect();
    let unfilled: Vec<&str> = truth
        .iter()
        .filter(|(_, t)| common::uncovered(&[("v", *t)], &fills).0 * 50 > t.area())
        .map(|(v, _)| *v)
        .collect();
    assert!(unfilled.is_empty(), "values left unfilled: {unfilled:?} ({:?})", report.counts);
}

#[test]
fn a_scrolled_terminal_keeps_its_words_and_reads_only_what_scrolled_in() {
    let mut screen = common::Screen::start(1280, 720);
    // 19 lines and the prompt fill the 20 rows: the next lines scroll.
    let mut lines: Vec<String> = (0..19).map(|i| format!("step {i:02} of the nightly build finished without warnings")).collect();
    lines[4] = "Customer card 4111 1111 1111 1111 expires 09/27".into();
    lines[12] = "Contact alice.johnson@example.com about the invoice".into();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    screen.xterm("term", 100, 20, 20, 20, &refs);
    let window = screen.terms[0].window;
    screen.driver.activate(window).expect("activate");
    let first = screen.settled_frame();
    let mut redactor = PixelRedactor::new(Ocr::new().expect("OCR"));
    let report = redactor.redact(&mut first.clone()).expect("redact");
    assert_eq!((report.counts.get("card"), report.counts.get("email")), (Some(&1), Some(&1)), "{:?}", report.counts);

    // A command and its output: the terminal scrolls by two lines.
    screen.driver.type_text("echo SSN 536-22-8721 on file\n").expect("type");
    let mut next = screen.settled_frame();
    next.changed = common::changed_tiles(&first, &next, 32);
    let report = redactor.redact(&mut next).expect("redact");
    let term = &screen.terms[0];
    let window_area = (term.cell.0 * 100 * term.cell.1 * 20) as u64;
    eprintln!(
        "scrolled: {} window(s), {} words moved, OCR area {} px ({:.0}% of the terminal) in {} call(s)",
        report.scrolls,
        report.words_moved,
        report.ocr_area,
        100.0 * report.ocr_area as f64 / window_area as f64,
        report.ocr_calls
    );
    assert_eq!(report.scrolls, 1, "the scroll is found");
    assert!(report.words_moved >= 100, "the words that moved are kept: {}", report.words_moved);
    assert!(report.ocr_area * 2 < window_area, "read {} px of a {} px terminal", report.ocr_area, window_area);
    // What moved is still filled where it is now, and what scrolled in is filled too.
    for kind in ["card", "email", "ssn"] {
        assert!(report.counts.get(kind).is_some_and(|&n| n >= 1), "no {kind}: {:?}", report.counts);
    }
    let after = read_back(&next, Rect::new(0, 0, next.width, next.height));
    for value in ["4111 1111 1111 1111", "alice.johnson@example.com", "536-22-8721"] {
        for part in parts(value) {
            assert!(!after.contains(part.as_str()), "part of {value:?} is still readable");
        }
    }
    assert!(after.contains("nightly"), "plain words lost");
}

/// A wide terminal ("back", a card number on line 15 near its right
/// edge) and a narrower one ("front", lines from `front_line`) over a
/// strip at its right edge that hides the card.
fn overlapping_terminals(front_line: impl Fn(usize) -> String) -> common::Screen {
    let mut screen = common::Screen::start(1280, 720);
    let back: Vec<String> = (0..20)
        .map(|i| match i {
            15 => format!("{:<78}4111 1111 1111 1111", "line 15 of the nightly build: customer card on file since March"),
            _ => format!("line {i:02} of the nightly build finished without any warnings, next run at dawn, all quiet here"),
        })
        .collect();
    let back: Vec<&str> = back.iter().map(String::as_str).collect();
    let term = screen.xterm("back", 100, 21, 10, 10, &back);
    let card_x = term.origin.0 + 78 * term.cell.0 as i32;
    let front: Vec<String> = (0..18).map(front_line).collect();
    let front: Vec<&str> = front.iter().map(String::as_str).collect();
    screen.xterm("front", 60, 20, card_x - 8, 150, &front);
    screen
}

#[test]
fn a_window_switch_reads_what_it_uncovered_not_the_whole_screen() {
    // A wide terminal behind, a narrower one over a strip at its right
    // edge; the card number in the wide one lies under the other at first.
    // A switch then changes two title bars far apart and a tall narrow
    // strip between them.
    let screen = overlapping_terminals(|i| format!("front {i:02} deploy finished, queue drained, nothing left"));
    let (back_window, front_window) = (screen.terms[0].window, screen.terms[1].window);
    screen.driver.activate(front_window).expect("activate");
    let first = screen.settled_frame();
    let mut redactor = PixelRedactor::new(Ocr::new().expect("OCR"));
    let report = redactor.redact(&mut first.clone()).expect("redact");
    assert!(report.full_ocr);
    assert_eq!(report.counts.get("card"), None, "the card is hidden under the front terminal: {:?}", report.counts);

    // The wide terminal comes to the top: the overlap, and both title bars,
    // change.
    screen.driver.activate(back_window).expect("activate");
    let mut next = screen.settled_frame();
    next.changed = common::changed_tiles(&first, &next, 32);
    let changed: u64 = next.changed.iter().map(Rect::area).sum();
    let mut incremental = next.clone();
    let report = redactor.redact(&mut incremental).expect("redact");
    let area = next.width as u64 * next.height as u64;
    eprintln!(
        "switch: {} px changed, {} px read ({:.0}% of the screen) in {} call(s)",
        changed,
        report.ocr_area,
        100.0 * report.ocr_area as f64 / area as f64,
        report.ocr_calls
    );
    assert!(!report.full_ocr);
    // What changed, its margins and the words it cuts, not the box
    // around them: growing regions as rectangles read 1.7 times what
    // changed here (and most of the screen on the recorder bench).
    assert!(2 * report.ocr_area < 3 * changed, "read {} px for {} px changed", report.ocr_area, changed);
    assert_eq!(report.counts.get("card"), Some(&1), "{:?}", report.counts);
    let after = read_back(&incremental, Rect::new(0, 0, next.width, next.height));
    for part in parts("4111 1111 1111 1111") {
        assert!(!after.contains(part.as_str()), "part of the card is still readable");
    }
    // The words known after the switch are those a whole read finds.
    let mut whole = PixelRedactor::new(Ocr::new().expect("OCR"));
    whole.redact(&mut next.clone()).expect("redact");
    let kept = whole
        .words()
        .iter()
        .filter(|w| redactor.words().iter().any(|v| v.text == w.text && tracewell_ocr::regions::overlaps(&v.rect, &w.rect)))
        .count();
    let stale = redactor
        .words()
        .iter()
        .filter(|v| !whole.words().iter().any(|w| tracewell_ocr::regions::overlaps(&v.rect, &w.rect)))
        .count();
    eprintln!("{} of {} words as a whole read finds them; {} words where it finds none", kept, whole.words().len(), stale);
    assert!(kept * 100 >= whole.words().len() * 95, "{kept} of {}", whole.words().len());
    assert!(stale * 100 <= redactor.words().len() * 2, "{stale} stale words");
}

#[test]
fn values_on_highlighted_lines_of_a_light_terminal_are_filled() {
    // Selected or highlighted lines: light text on a dark bar inside a
    // window whose background is light (the window is not inverted as a
    // whole).
    let mut screen = common::Screen::start(1280, 720);
    let mut lines: Vec<String> = (0..14).map(|i| format!("line {i:02} of the nightly build finished without warnings")).collect();
    lines[4] = "\x1b[7mCustomer card 4111 1111 1111 1111 expires 09/27\x1b[0m".into();
    lines[9] = "\x1b[7mContact alice.johnson@example.com about the invoice\x1b[0m".into();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    screen.xterm("term", 90, 16, 20, 20, &refs);
    let frame = screen.settled_frame();
    let before = read_back(&frame, Rect::new(0, 0, frame.width, frame.height));
    assert!(before.contains("4111") && before.contains("johnson"), "the values are readable before");
    let mut redacted = frame.clone();
    let mut redactor = PixelRedactor::new(Ocr::new().expect("OCR"));
    let report = redactor.redact(&mut redacted).expect("redact");
    if std::env::var_os("READ_BACK_VERBOSE").is_some() {
        eprintln!("{:?}", redactor.words().iter().map(|w| (w.text.as_str(), w.rect.y)).collect::<Vec<_>>());
    }
    let after = read_back(&redacted, Rect::new(0, 0, frame.width, frame.height));
    for value in ["4111 1111 1111 1111", "alice.johnson@example.com"] {
        for part in parts(value) {
            assert!(!after.contains(part.as_str()), "part of {value:?} is still readable ({:?})", report.counts);
        }
    }
    assert!(after.contains("nightly"), "plain words lost");
}

/// Small print: terminals at 6 to 9 pt (12 to 18 px lines). At 6 to
/// 8 pt the windows are read enlarged ([`text_size`]) and the values
/// misread there (zeros as eights, a dropped zero) are filled all the
/// same (cards and IBANs by shape on screen); at 9 pt plain reading
/// does. Read back by
/// fresh engines as they are and enlarged, no part of a value remains.
///
/// [`text_size`]: tracewell_ocr::text_size
#[test]
fn pii_in_small_print_is_filled() {
    for points in [6u32, 7, 8, 9] {
        let (screen, frame) = common::small_text_screen(points);
        let whole = Rect::new(0, 0, frame.width, frame.height);
        let mut redactor = PixelRedactor::new(Ocr::new().expect("OCR"));
        let mut redacted = frame.clone();
        let t0 = common::thread_cpu_seconds();
        let report = redactor.redact(&mut redacted).expect("redact");
        let cpu = common::thread_cpu_seconds() - t0;
        assert_eq!(report.enlarged_reads > 0, points < 9, "{points} pt: {} enlarged reads", report.enlarged_reads);
        let (share, partial, values) = common::ink_left(&screen, &frame, &report.boxes);
        eprintln!(
            "{points} pt: {:.2}% of PII ink uncovered, {partial} of {values} boxes not wholly covered, {cpu:.2} CPU-s",
            100.0 * share
        );
        assert!(share <= MAX_MISSED, "{points} pt: {:.2}% of PII ink uncovered", 100.0 * share);
        let mut after = read_back(&redacted, whole);
        let enlarged = Ocr::with_options(OcrOptions { scale: 2, ..OcrOptions::default() }).expect("OCR");
        for w in enlarged.words(Pixels::Bgrx(&redacted.bgrx), redacted.width, redacted.height, whole).expect("words") {
            after.push_str(&w.text);
            after.push(' ');
        }
        for (kind, value, _) in common::PII {
            for part in parts(value) {
                assert!(!after.contains(part.as_str()), "{points} pt: part of a {kind} is still readable");
            }
        }
    }
}

#[test]
fn switching_back_and_forth_is_read_once_and_filled_the_same() {
    let screen = overlapping_terminals(|i| format!("front {i:02} mail bob.smith@example.org when the queue drains"));
    let windows = [screen.terms[0].window, screen.terms[1].window];
    let mut redactor = PixelRedactor::new(Ocr::new().expect("OCR"));
    let mut previous = screen.settled_frame();
    redactor.redact(&mut previous.clone()).expect("redact");
    // Back, front, back, front …: (recognitions, reads from the cache,
    // filled boxes, CPU-s).
    let mut switches = Vec::new();
    for n in 0..8 {
        screen.driver.activate(windows[n % 2]).expect("activate");
        let mut next = screen.settled_frame();
        next.changed = common::changed_tiles(&previous, &next, 32);
        let (runs, hits) = (redactor.ocr().recognitions(), redactor.ocr().cache_hits());
        let t0 = common::thread_cpu_seconds();
        let report = redactor.redact(&mut next.clone()).expect("redact");
        let cpu = common::thread_cpu_seconds() - t0;
        let mut boxes: Vec<Rect> = report.boxes.iter().map(|b| b.rect).collect();
        boxes.sort_by_key(|r| (r.y, r.x));
        let ocr = redactor.ocr();
        switches.push((ocr.recognitions() - runs, ocr.cache_hits() - hits, boxes, cpu));
        previous = next;
    }
    for (n, (runs, hits, boxes, cpu)) in switches.iter().enumerate() {
        eprintln!("switch {n}: {runs} recognitions, {hits} reads from the cache, {} boxes filled, {cpu:.3} CPU-s", boxes.len());
    }
    // The screen repeats itself every two switches: after a round or two,
    // most reads of a switch are ones made before (the rest are pieces cut
    // by words remembered from the frame before, which differ a little
    // from round to round), and the same boxes are filled.
    for n in [6, 7] {
        let (runs, hits, boxes, _) = &switches[n];
        assert!(*hits > 0 && *runs < switches[n % 2].0, "switch {n}: {runs} recognitions, {hits} from the cache");
        assert_eq!(boxes, &switches[n - 2].2, "switch {n} fills what switch {} filled", n - 2);
        assert!(!boxes.is_empty(), "the card and the e-mail addresses are filled");
    }
}
