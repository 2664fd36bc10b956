//! Privacy end to end on a real X server: a card number, an e-mail address
//! and an AWS key pair typed into an allowed terminal (and so shown on
//! screen), a password typed into a denied window titled like a password
//! manager that stays open beside it. The recording must hold none of
//! these values in any form — raw file bytes, decoded key events, window
//! titles, or the text OCR reads back from every frame — and the denied
//! window's area must be blank in every frame.
//!
//! `TRACEWELL_TEST_DUMP=DIR` (with `--nocapture`) prints the key, window,
//! button, status and privacy records and writes every frame to DIR.

mod common;

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use tracewell_model::{Frame, FrameReason, KeyEvent, Rect, typed_text};
use tracewell_segment::{Record, decode_png, list_segments, read_segment};
use tracewell_testbed::{VirtualDisplay, WindowSpec, script};

const CARD: &str = "4111 1111 1111 1111";
const EMAIL: &str = "alice.johnson@example.com";
const KEY_ID: &str = "AKIA2E0A8F3B244C9986";
const SECRET: &str = "kH3v9Qz+Lr7Wb2Ty5Nc8Xe1Fg4Jd6Ms0Pa3Ru9Vq";
const PASSWORD: &str = "hunter2-master-pass";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Forms of the secret values that must not appear anywhere: each value,
/// its digits run together, and distinctive pieces.
fn needles() -> Vec<String> {
    vec![
        CARD.into(),
        CARD.replace(' ', ""),
        "1111 1111".into(),
        EMAIL.into(),
        "johnson@".into(),
        KEY_ID.into(),
        "2E0A8F3B".into(),
        SECRET.into(),
        "Lr7Wb2Ty".into(),
        PASSWORD.into(),
        "hunter2".into(),
        "KeePassXC".into(),
        "Passwords.kdbx".into(),
    ]
}

#[test]
fn nothing_secret_survives_in_any_form() {
    let display = VirtualDisplay::start(1280, 720).unwrap();
    let driver = display.driver().unwrap();
    // The denied window: right half, never covered.
    let denied_rect = Rect::new(915, 80, 345, 320);
    let denied = driver
        .open_window(&WindowSpec {
            title: "Passwords.kdbx - KeePassXC".into(),
            class: ("keepassxc".into(), "KeePassXC".into()),
            x: denied_rect.x as i16,
            y: denied_rect.y as i16,
            width: denied_rect.width as u16,
            height: denied_rect.height as u16,
            color: 0x00ff00,
        })
        .unwrap();
    let (_xterm, terminal) = script::spawn_xterm(&driver, display.name(), "work", "80x20+10+10").unwrap();
    driver.activate(terminal).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    // Pixel redaction required (the default).
    std::fs::write(&policy, "version = 1\n[scope]\nallow_apps = [\"XTerm\"]\n").unwrap();
    let out = dir.path().join("rec");
    let control = dir.path().join("c.sock");
    let child = common::start_record(display.name(), &out, &policy, &[OsStr::new("--control"), control.as_os_str()], &[]);
    std::thread::sleep(Duration::from_millis(800));
    driver.type_text(&format!("echo card {CARD} mail {EMAIL} key {KEY_ID} secret {SECRET}\n")).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    // Into the password manager: withheld whole.
    driver.activate(denied).unwrap();
    driver.move_pointer(1000, 200).unwrap();
    driver.click(1).unwrap();
    driver.type_text(PASSWORD).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    driver.activate(terminal).unwrap();
    driver.type_text("echo done\n").unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    let output = common::stop_record(child);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("no frames"), "OCR must be available here: {stderr}");

    // 1. Raw bytes of every segment file.
    let segments = list_segments(&out).unwrap();
    for path in &segments {
        let bytes = std::fs::read(path).unwrap();
        for needle in needles() {
            assert!(!contains(&bytes, needle.as_bytes()), "{} holds {needle:?}", path.display());
        }
    }

    // 2. Decoded key events, titles and privacy records.
    let dump = std::env::var_os("TRACEWELL_TEST_DUMP").is_some();
    let mut keys: Vec<KeyEvent> = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    let mut redacted_kinds = std::collections::BTreeSet::new();
    let mut withheld_keys = 0;
    for path in &segments {
        let contents = read_segment(path).unwrap();
        assert!(!contents.truncated);
        for message in contents.messages.iter().filter(|m| !m.carried) {
            match &message.record {
                Record::Key(k) => keys.push(k.clone()),
                Record::Window(w) => {
                    let text = format!("{w:?}");
                    for needle in needles() {
                        assert!(!text.contains(&needle), "window event holds {needle:?}: {text}");
                    }
                }
                Record::Frame(f) => {
                    let rgb = decode_png(&f.png).unwrap();
                    frames.push(Frame {
                        t_ns: f.t_ns,
                        width: rgb.width,
                        height: rgb.height,
                        reason: FrameReason::ScreenChange,
                        monitors: vec![],
                        changed: vec![Rect::new(0, 0, rgb.width, rgb.height)],
                        stack: Default::default(),
                        bgrx: rgb.to_bgrx(),
                    });
                }
                Record::Privacy(p) => {
                    if dump {
                        eprintln!("privacy record: {:?} {:?}", p.subject, p.counts);
                    }
                    redacted_kinds.extend(p.counts.keys().cloned());
                    withheld_keys += p.counts.get("keys").copied().unwrap_or(0);
                }
                _ => {}
            }
        }
    }
    let typed = typed_text(&keys);
    if dump {
        for k in &keys {
            eprintln!("key {} {:?} {:?} {:?} {}", k.t_ns, k.state, k.key, k.modifiers, k.keycode);
        }
        for path in &segments {
            for m in read_segment(path).unwrap().messages {
                if matches!(m.record, Record::Status(_) | Record::Window(_) | Record::Button(_)) {
                    eprintln!("{:?}", m.record);
                }
            }
        }
    }
    for needle in needles() {
        assert!(!typed.contains(&needle), "typed text holds {needle:?}: {typed:?}");
        assert!(!format!("{keys:?}").contains(&needle), "key events hold {needle:?}");
    }
    assert!(typed.contains("echo card <CARD> mail <EMAIL> key <AWS_KEY_ID> secret <AWS_SECRET>"), "{typed:?}");
    assert!(typed.contains("echo done"), "{typed:?}");
    for kind in ["card", "email", "aws_key_id", "aws_secret", "keys"] {
        assert!(redacted_kinds.contains(kind), "no privacy record for {kind}: {redacted_kinds:?}");
    }
    assert!(withheld_keys as usize >= PASSWORD.len(), "the password's keys were withheld: {withheld_keys}");

    // 3. What OCR reads back from every frame, and 4. the denied area.
    assert!(frames.len() >= 2, "frames were recorded: {}", frames.len());
    let ocr = tracewell_ocr::Ocr::new().expect("OCR for the check");
    let inner = Rect::new(denied_rect.x + 4, denied_rect.y + 4, denied_rect.width - 8, denied_rect.height - 8);
    for (i, frame) in frames.iter().enumerate() {
        if let Some(dir) = std::env::var_os("TRACEWELL_TEST_DUMP") {
            let mut rgb = Vec::new();
            tracewell_segment::frame_codec::bgrx_to_rgb(&frame.bgrx, &mut rgb);
            let png = tracewell_segment::frame_codec::encode_rgb_png(frame.width, frame.height, &rgb, tracewell_segment::PngLevel::Fast, tracewell_segment::PngFilter::Sub).unwrap();
            std::fs::write(Path::new(&dir).join(format!("frame-{i}.png")), png).unwrap();
        }
        let words = ocr
            .words(tracewell_ocr::Pixels::Bgrx(&frame.bgrx), frame.width, frame.height, Rect::new(0, 0, frame.width, frame.height))
            .unwrap();
        let text: String = words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
        let squashed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for needle in needles() {
            let n: String = needle.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(!squashed.contains(&n), "frame {i}: OCR reads {needle:?} in {text:?}");
        }
        for y in (inner.y..inner.y + inner.height as i32).step_by(7) {
            for x in (inner.x..inner.x + inner.width as i32).step_by(7) {
                let (r, g, b) = frame.rgb_at(x as u32, y as u32);
                assert_eq!(
                    [b, g, r],
                    tracewell_guard::BLANK_BGR,
                    "frame {i}: the denied window shows at ({x}, {y})"
                );
            }
        }
    }
    // The terminal's own words are still there to train on.
    let last = frames.last().unwrap();
    let words = ocr.words(tracewell_ocr::Pixels::Bgrx(&last.bgrx), last.width, last.height, Rect::new(0, 0, last.width, last.height)).unwrap();
    assert!(words.iter().any(|w| w.text.contains("echo")), "{:?}", words.iter().map(|w| &w.text).collect::<Vec<_>>());
}
