//! The control socket while the session loop is busy: a `pause` must take
//! effect, and be answered, while the loop is still inside a frame's
//! redaction (reading a whole frame with OCR takes about a second).
//!
//! The frame redactor here holds the loop until the test lets it go; it
//! stands in for OCR's slowness only; what is tested is the pause path.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tracewell_model::Frame;
use tracewell_ocr::KnownValues;
use tracewell_policy::Policy;
use tracewell_recorder::{FrameRedactor, SessionOptions, control, record};
use tracewell_segment::{Record, RecorderState, list_segments, read_segment};
use tracewell_testbed::{VirtualDisplay, WindowSpec};

/// Set once a frame is being redacted.
static ENTERED: AtomicBool = AtomicBool::new(false);
/// Set by the test to let the redactor return.
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

fn wait_for(what: &str, limit: Duration, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn pause_takes_effect_while_the_loop_is_redacting_a_frame() {
    let display = VirtualDisplay::start(640, 480).unwrap();
    let driver = display.driver().unwrap();
    let window = driver
        .open_window(&WindowSpec {
            title: "Notes".into(),
            class: ("notes".into(), "Notes".into()),
            x: 50,
            y: 50,
            width: 400,
            height: 300,
            color: 0xeeeeee,
        })
        .unwrap();
    driver.activate(window).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rec");
    let socket = dir.path().join("control.sock");
    let policy =
        Policy::from_toml("version = 1\n[scope]\nallow_apps = [\"Notes\"]\n[redaction]\npixels = \"required\"\n")
            .unwrap();
    let mut options = SessionOptions::new(&out, policy);
    options.display = Some(display.name().to_string());
    options.control = Some(socket.clone());
    options.frame_redactor = Some(holding);
    let stop = Arc::new(AtomicBool::new(false));
    let session = {
        let (options, stop) = (options.clone(), stop.clone());
        std::thread::spawn(move || record(&options, &stop, |_| {}))
    };

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
    stop.store(true, Ordering::SeqCst);
    let summary = session.join().unwrap().unwrap();
    assert_eq!(summary.stats.key_presses, 0, "{:?}", summary.stats);

    let mut records = Vec::new();
    for segment in list_segments(&out).unwrap() {
        records.extend(read_segment(segment).unwrap().messages.into_iter().map(|m| m.record));
    }
    let paused = records
        .iter()
        .position(|r| matches!(r, Record::Status(s) if s.state == RecorderState::Paused))
        .expect("a pause record");
    assert!(records.iter().any(|r| matches!(r, Record::Frame(_))), "the held frame is written");
    assert!(!records[paused..].iter().any(|r| matches!(r, Record::Key(_) | Record::Button(_))));
}
