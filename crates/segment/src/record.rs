//! What a segment holds: [`Record`]s, one per MCAP message.

use serde::{Deserialize, Serialize};
use tracewell_model::{
    ButtonEvent, FrameReason, KeyEvent, Monitor, MonoNs, MotionEvent, Rect, ScrollEvent,
    WindowEvent,
};

use crate::format::Topic;

/// A screen frame after encoding: the [`tracewell_model::Frame`]'s metadata
/// plus its pixels as a PNG file (8-bit RGB).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedFrame {
    pub t_ns: MonoNs,
    pub width: u32,
    pub height: u32,
    pub reason: FrameReason,
    pub monitors: Vec<Monitor>,
    pub changed: Vec<Rect>,
    /// A complete PNG file.
    pub png: Vec<u8>,
}

impl EncodedFrame {
    /// Pairs a frame's metadata with its encoded pixels.
    pub fn new(frame: &tracewell_model::Frame, png: Vec<u8>) -> EncodedFrame {
        EncodedFrame {
            t_ns: frame.t_ns,
            width: frame.width,
            height: frame.height,
            reason: frame.reason,
            monitors: frame.monitors.clone(),
            changed: frame.changed.clone(),
            png,
        }
    }
}

/// A recorder lifecycle state, as written on `/recorder/status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecorderState {
    /// Capture started (first segment of a recording).
    Started,
    /// The person (or the program-wide switch) paused capture.
    Paused,
    /// Capture resumed after a pause.
    Resumed,
    /// Capture stopped; the recording ends here.
    Stopped,
    /// Events were lost (for example a full queue); `detail` says how many
    /// (`"3 frames not taken: frame redaction fell behind"`).
    Dropped,
}

/// A recorder lifecycle message on `/recorder/status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub t_ns: MonoNs,
    pub state: RecorderState,
    /// A short, content-free explanation ("user", "policy", "3 events").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What a privacy record is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrivacySubject {
    /// A run of typed text (its key events were replaced by placeholders).
    TypedText,
    /// A window title.
    Title,
    /// The pixels of one frame (OCR boxes filled).
    Frame,
    /// Events the guard withheld since the previous record (counts by
    /// kind: `keys`, `secure_keys`, `buttons`, `frames`, …).
    Withheld,
    /// The instruction of a task marker (values in it were replaced).
    TaskInstruction,
}

/// A record on `/privacy/redactions`: what was redacted or withheld, as
/// kinds and counts. Never a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivacyRecord {
    pub t_ns: MonoNs,
    pub subject: PrivacySubject,
    /// Kind → count, such as `{"card": 1, "email": 2}`.
    pub counts: std::collections::BTreeMap<String, u32>,
}

/// Which end of a task a [`TaskMarker`] marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskEvent {
    Start,
    End,
}

/// How the person said a task went, at its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskOutcome {
    Success,
    Failure,
}

impl TaskOutcome {
    pub fn name(self) -> &'static str {
        match self {
            TaskOutcome::Success => "success",
            TaskOutcome::Failure => "failure",
        }
    }
}

/// A record on `/task`: the person marked the start of a task (with its
/// instruction, already redacted) or its end (with an outcome, if given).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskMarker {
    pub t_ns: MonoNs,
    pub event: TaskEvent,
    /// What the person set out to do, in their words (start only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instruction: Option<String>,
    /// End only, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<TaskOutcome>,
}

/// One message of a segment.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Key(KeyEvent),
    Button(ButtonEvent),
    Scroll(ScrollEvent),
    Motion(MotionEvent),
    Window(WindowEvent),
    Frame(EncodedFrame),
    Status(Status),
    Privacy(PrivacyRecord),
    Task(TaskMarker),
}

impl Record {
    /// The record's monotonic timestamp (the MCAP publish time).
    pub fn t_ns(&self) -> MonoNs {
        match self {
            Record::Key(e) => e.t_ns,
            Record::Button(e) => e.t_ns,
            Record::Scroll(e) => e.t_ns,
            Record::Motion(e) => e.t_ns,
            Record::Window(e) => e.t_ns,
            Record::Frame(f) => f.t_ns,
            Record::Status(s) => s.t_ns,
            Record::Privacy(p) => p.t_ns,
            Record::Task(t) => t.t_ns,
        }
    }

    /// The channel the record is written on.
    pub fn topic(&self) -> Topic {
        match self {
            Record::Key(_) => Topic::Keyboard,
            Record::Button(_) => Topic::Mouse,
            Record::Scroll(_) => Topic::Scroll,
            Record::Motion(_) => Topic::Motion,
            Record::Window(_) => Topic::Window,
            Record::Frame(_) => Topic::Frame,
            Record::Status(_) => Topic::Status,
            Record::Privacy(_) => Topic::Privacy,
            Record::Task(_) => Topic::Task,
        }
    }
}

impl From<KeyEvent> for Record {
    fn from(e: KeyEvent) -> Record {
        Record::Key(e)
    }
}
impl From<ButtonEvent> for Record {
    fn from(e: ButtonEvent) -> Record {
        Record::Button(e)
    }
}
impl From<ScrollEvent> for Record {
    fn from(e: ScrollEvent) -> Record {
        Record::Scroll(e)
    }
}
impl From<MotionEvent> for Record {
    fn from(e: MotionEvent) -> Record {
        Record::Motion(e)
    }
}
impl From<WindowEvent> for Record {
    fn from(e: WindowEvent) -> Record {
        Record::Window(e)
    }
}
impl From<EncodedFrame> for Record {
    fn from(f: EncodedFrame) -> Record {
        Record::Frame(f)
    }
}
impl From<Status> for Record {
    fn from(s: Status) -> Record {
        Record::Status(s)
    }
}
