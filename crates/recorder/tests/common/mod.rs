//! What the session tests share: a frame redactor that holds the session
//! loop, a window to record, a session run on a thread, and reading back
//! what it wrote.
#![allow(dead_code)] // each test binary uses its own part

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tracewell_model::Frame;
use tracewell_ocr::KnownValues;
use tracewell_policy::Policy;
use tracewell_recorder::{FrameRedactor, SessionOptions, Summary, record};
use tracewell_segment::{Record, list_segments, read_segment};
use tracewell_testbed::{Driver, VirtualDisplay, WindowSpec};

/// Set once a frame is being redacted by [`holding`].
pub static ENTERED: AtomicBool = AtomicBool::new(false);
/// Set by a test to let [`holding`]'s redactor return.
pub static RELEASED: AtomicBool = AtomicBool::new(false);

/// A frame redactor that holds the session loop until [`RELEASED`]; it
/// stands in for OCR's slowness (about a second a dense frame), nothing
/// else.
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

pub fn holding() -> Result<Box<dyn FrameRedactor>, String> {
    Ok(Box::new(Holding))
}

pub fn wait_for(what: &str, limit: Duration, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A plain window of application `class`.
pub fn window(driver: &Driver, title: &str, class: &str, (x, y): (i16, i16), (width, height): (u16, u16), color: u32) -> u32 {
    driver
        .open_window(&WindowSpec { title: title.into(), class: (class.to_lowercase(), class.into()), x, y, width, height, color })
        .unwrap()
}

/// Session options recording `display` into `out`, allowing only `app`,
/// with pixel redaction `pixels` (`required` or `off`).
pub fn options(display: &VirtualDisplay, out: &Path, app: &str, pixels: &str) -> SessionOptions {
    let policy =
        Policy::from_toml(&format!("version = 1\n[scope]\nallow_apps = [{app:?}]\n[redaction]\npixels = {pixels:?}\n")).unwrap();
    let mut options = SessionOptions::new(out, policy);
    options.display = Some(display.name().to_string());
    options
}

/// A session running on its own thread until the flag is set.
pub struct Running {
    pub stop: Arc<AtomicBool>,
    thread: JoinHandle<Result<Summary, tracewell_recorder::Error>>,
}

impl Running {
    pub fn start(options: &SessionOptions) -> Running {
        let stop = Arc::new(AtomicBool::new(false));
        let (options, flag) = (options.clone(), stop.clone());
        let thread = std::thread::spawn(move || record(&options, &flag, |_| {}));
        Running { stop, thread }
    }

    pub fn finish(self) -> Summary {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap().unwrap()
    }
}

/// Every record of every segment in `out`, in order, and each segment's
/// host name.
pub fn records(out: &Path) -> (Vec<Record>, Vec<String>) {
    let mut records = Vec::new();
    let mut hosts = Vec::new();
    for segment in list_segments(out).unwrap() {
        let contents = read_segment(segment).unwrap();
        hosts.push(contents.meta.hostname);
        records.extend(contents.messages.into_iter().map(|m| m.record));
    }
    (records, hosts)
}
