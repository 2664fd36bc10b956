//! The control socket while the session loop is busy: a `pause` must take
//! effect, and be answered, while the loop is still inside a frame's
//! redaction (reading a whole frame with OCR takes about a second).

mod common;

use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::Duration;

use common::{ENTERED, RELEASED, Running, holding, options, records, wait_for, window};
use tracewell_recorder::control;
use tracewell_segment::{Record, RecorderState};
use tracewell_testbed::VirtualDisplay;

#[test]
fn pause_takes_effect_while_the_loop_is_redacting_a_frame() {
    let display = VirtualDisplay::start(640, 480).unwrap();
    let driver = display.driver().unwrap();
    let notes = window(&driver, "Notes", "Notes", (50, 50), (400, 300), 0xeeeeee);
    driver.activate(notes).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rec");
    let socket = dir.path().join("control.sock");
    let mut options = options(&display, &out, "Notes", "required");
    options.control = Some(socket.clone());
    options.frame_redactor = Some(holding);
    let session = Running::start(&options);

    // Something to take a frame of; the loop then sits in the redactor.
    wait_for("the control socket", Duration::from_secs(20), || socket.exists());
    std::thread::sleep(Duration::from_millis(300));
    driver.move_pointer(200, 200).unwrap();
    driver.click(1).unwrap();
    wait_for("a frame to redact", Duration::from_secs(20), || ENTERED.load(Ordering::SeqCst));

    let (tx, rx) = mpsc::channel();
    let path = socket.clone();
    std::thread::spawn(move || {
        let _ = tx.send(control::send(&path, "pause"));
    });
    let answer = rx.recv_timeout(Duration::from_secs(15)).expect("an answer").expect("the socket answers");
    assert!(!RELEASED.load(Ordering::SeqCst));
    assert!(answer.contains("\"state\":\"paused\""), "answered while the loop was busy: {answer}");

    // Typed while paused (and while the loop is still busy): not captured.
    std::thread::sleep(Duration::from_millis(300));
    driver.type_text("hidden").unwrap();
    driver.sync().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    RELEASED.store(true, Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(500));
    let summary = session.finish();
    assert_eq!(summary.stats.key_presses, 0, "{:?}", summary.stats);

    let (records, _) = records(&out);
    let paused = records
        .iter()
        .position(|r| matches!(r, Record::Status(s) if s.state == RecorderState::Paused))
        .expect("a pause record");
    assert!(records.iter().any(|r| matches!(r, Record::Frame(_))), "the held frame is written");
    assert!(!records[paused..].iter().any(|r| matches!(r, Record::Key(_) | Record::Button(_))));
}
