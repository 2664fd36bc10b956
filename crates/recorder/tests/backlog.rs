//! Frames while the session loop is busy: capture takes no more frames
//! while [`MAX_QUEUED_FRAMES`] wait, says how many it skipped, and takes
//! the screen again once the loop catches up. (Reading a whole frame with
//! OCR takes about a second; frames can come every half second.)
//!
//! The frame redactor here holds the loop until the test lets it go; it
//! stands in for OCR's slowness only.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tracewell_capture::{MAX_QUEUED_FRAMES, now_ns};
use tracewell_model::Frame;
use tracewell_ocr::KnownValues;
use tracewell_policy::Policy;
use tracewell_recorder::{FrameRedactor, SessionOptions, record};
use tracewell_segment::{Record, RecorderState, list_segments, read_segment};
use tracewell_testbed::{VirtualDisplay, WindowSpec};

static ENTERED: AtomicBool = AtomicBool::new(false);
static RELEASED: AtomicBool = AtomicBool::new(false);

struct Holding;

impl FrameRedactor for Holding {
    fn redact(&mut self, _: &mut Frame, _: &KnownValues) -> Result<BTreeMap<String, u32>, String> {
        ENTERED.store(true, Ordering::SeqCst);
        while !RELEASED.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(BTreeMap::new())
    }
}

fn holding() -> Result<Box<dyn FrameRedactor>, String> {
    Ok(Box::new(Holding))
}

fn spec(title: &str, x: i16, y: i16, color: u32) -> WindowSpec {
    WindowSpec {
        title: title.into(),
        class: ("notes".into(), "Notes".into()),
        x,
        y,
        width: 200,
        height: 150,
        color,
    }
}

#[test]
fn a_busy_loop_holds_few_frames_and_skipped_ones_are_reported() {
    let display = VirtualDisplay::start(640, 480).unwrap();
    let driver = display.driver().unwrap();
    let window = driver.open_window(&spec("Notes", 20, 20, 0xeeeeee)).unwrap();
    driver.activate(window).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rec");
    let policy =
        Policy::from_toml("version = 1\n[scope]\nallow_apps = [\"Notes\"]\n[redaction]\npixels = \"required\"\n")
            .unwrap();
    let mut options = SessionOptions::new(&out, policy);
    options.display = Some(display.name().to_string());
    options.frame_redactor = Some(holding);
    let stop = Arc::new(AtomicBool::new(false));
    let session = {
        let (options, stop) = (options.clone(), stop.clone());
        std::thread::spawn(move || record(&options, &stop, |_| {}))
    };
    let start = Instant::now();
    while !ENTERED.load(Ordering::SeqCst) {
        assert!(start.elapsed() < Duration::from_secs(20), "no frame reached the redactor");
        std::thread::sleep(Duration::from_millis(20));
    }

    // The screen changes ten times a second for three seconds: at the
    // default cap of two frames a second, six or so frames are due.
    for i in 0..30i16 {
        driver.open_window(&spec("Notes", 40 + 12 * i, 60 + 8 * i, 0x204060 + 0x0a0a0a * i as u32)).unwrap();
        driver.sync().unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }
    let released_at = now_ns();
    RELEASED.store(true, Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(1500));
    stop.store(true, Ordering::SeqCst);
    let summary = session.join().unwrap().unwrap();
    assert!(summary.stats.frames_skipped >= 1, "{:?}", summary.stats);

    let mut records = Vec::new();
    for segment in list_segments(&out).unwrap() {
        records.extend(read_segment(segment).unwrap().messages.into_iter().map(|m| m.record));
    }
    let taken_while_held =
        records.iter().filter(|r| matches!(r, Record::Frame(f) if f.t_ns < released_at)).count();
    assert!(
        (1..=1 + MAX_QUEUED_FRAMES).contains(&taken_while_held),
        "{taken_while_held} frames were taken while the loop was held"
    );
    let reported: u64 = records
        .iter()
        .filter_map(|r| match r {
            Record::Status(s) if s.state == RecorderState::Dropped => s.detail.as_deref(),
            _ => None,
        })
        .map(|d| d.split(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(reported, summary.stats.frames_skipped);
    // Caught up: the screen as it is now was taken after the release.
    assert!(records.iter().any(|r| matches!(r, Record::Frame(f) if f.t_ns > released_at)));
}
