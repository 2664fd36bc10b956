//! Frames while the session loop is busy: capture takes no more frames
//! while [`MAX_QUEUED_FRAMES`] wait, says how many it skipped, and takes
//! the screen again once the loop catches up. (Reading a whole frame with
//! OCR takes about a second; frames can come every half second.)

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::{ENTERED, RELEASED, Running, holding, options, records, wait_for, window};
use tracewell_capture::{MAX_QUEUED_FRAMES, now_ns};
use tracewell_segment::{Record, RecorderState};
use tracewell_testbed::VirtualDisplay;

#[test]
fn a_busy_loop_holds_few_frames_and_skipped_ones_are_reported() {
    let display = VirtualDisplay::start(640, 480).unwrap();
    let driver = display.driver().unwrap();
    let notes = window(&driver, "Notes", "Notes", (20, 20), (200, 150), 0xeeeeee);
    driver.activate(notes).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rec");
    let mut options = options(&display, &out, "Notes", "required");
    options.frame_redactor = Some(holding);
    let session = Running::start(&options);
    wait_for("a frame to redact", Duration::from_secs(20), || ENTERED.load(Ordering::SeqCst));

    // The screen changes ten times a second for three seconds: at the
    // default cap of two frames a second, six or so frames are due.
    for i in 0..30i16 {
        window(&driver, "Notes", "Notes", (40 + 12 * i, 60 + 8 * i), (200, 150), 0x204060 + 0x0a0a0a * i as u32);
        driver.sync().unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }
    let released_at = now_ns();
    RELEASED.store(true, Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(1500));
    let summary = session.finish();
    assert!(summary.stats.frames_skipped >= 1, "{:?}", summary.stats);

    let (records, _) = records(&out);
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
