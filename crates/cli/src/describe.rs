//! Short human descriptions of sizes and records.

use tracewell_model::{PressState, WindowChange};
use tracewell_segment::Record;

/// `1.2 MB`, `340 kB`, `12 B`.
pub fn bytes(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 => format!("{:.2} GB", n as f64 / 1e9),
        n if n >= 1_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.0} kB", n as f64 / 1e3),
        n => format!("{n} B"),
    }
}

/// A one-line description of a record, without its pixels.
pub fn record(record: &Record) -> String {
    let press = |s: PressState| if s == PressState::Press { "press" } else { "release" };
    match record {
        Record::Key(k) => format!("key {} {:?}", press(k.state), k.key),
        Record::Button(b) => format!("button {} {:?} at ({}, {})", press(b.state), b.button, b.x, b.y),
        Record::Scroll(s) => format!("scroll dx {} dy {} at ({}, {})", s.dx, s.dy, s.x, s.y),
        Record::Motion(m) => format!("motion to ({}, {})", m.x, m.y),
        Record::Window(w) => {
            let what = if w.change == WindowChange::Activated { "activated" } else { "title changed" };
            match &w.window {
                Some(info) => format!(
                    "window {what}: {:?} ({})",
                    info.title.as_deref().unwrap_or(""),
                    info.app.as_deref().unwrap_or("unknown app")
                ),
                None => "no active window".into(),
            }
        }
        Record::Frame(f) => format!("frame {}x{} ({:?}, {})", f.width, f.height, f.reason, bytes(f.png.len() as u64)),
        Record::Status(s) => format!("recorder {:?}", s.state),
        Record::Privacy(p) => format!("privacy {:?}: {:?}", p.subject, p.counts),
        Record::Task(t) => match (&t.instruction, t.outcome) {
            (Some(instruction), _) => format!("task {:?}: {instruction:?}", t.event),
            (None, Some(outcome)) => format!("task {:?} ({})", t.event, outcome.name()),
            (None, None) => format!("task {:?}", t.event),
        },
    }
}
