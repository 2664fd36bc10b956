//! The session loop: capture → guard → redact → segment.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tracewell_capture::{CaptureOptions, HotkeySpec, X11Capture, now_ns};
use tracewell_guard::{Guard, Withheld};
use tracewell_model::{Event, Frame, MonoNs, PauseSource, PressState, WindowEvent};
use tracewell_policy::{PixelRedaction, Policy};
use tracewell_ocr::KnownValues;
use tracewell_redact::{Kind, Scanner};
use tracewell_segment::{
    Codec, EncodedFrame, FrameEncoder, PrivacyRecord, PrivacySubject, Record, RecorderState,
    RecordingMeta, SegmentSink, SinkOptions, Status, StreamOpener, TaskEvent, TaskMarker, TaskOutcome,
};

use crate::control::{ControlServer, Snapshot, Verb};
use crate::recording_id;
use crate::typing::{Item, Release, TypingRedactor};

/// How long a value redacted from typed text is remembered, so that the
/// pixel redactor fills its fragments on screen.
const KNOWN_VALUE_TTL_NS: u64 = 10 * 60 * 1_000_000_000;

/// Why a session could not start or ended early.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Capture(#[from] tracewell_capture::Error),
    #[error(transparent)]
    Segment(#[from] tracewell_segment::Error),
    /// The policy allows no application: nothing could be captured.
    #[error(
        "the capture policy allows no application, so nothing would be recorded: allow some with --allow-app CLASS or a policy file (scope.allow_apps)"
    )]
    NothingAllowed,
    #[error("control socket {path}: {source}")]
    Control { path: PathBuf, source: std::io::Error },
}

/// Redacts the pixels of a frame in place (OCR → scanner → filled boxes),
/// filling fragments of the `known` values too (what typed-text redaction
/// replaced lately), and returns the kinds and counts it found.
pub trait FrameRedactor {
    fn redact(&mut self, frame: &mut Frame, known: &KnownValues) -> Result<BTreeMap<String, u32>, String>;
}

/// Makes the frame redactor when a session starts; an error means OCR is
/// unavailable (and, if the policy requires pixel redaction, no frames
/// are taken).
pub type FrameRedactorFactory = fn() -> Result<Box<dyn FrameRedactor>, String>;

impl FrameRedactor for tracewell_ocr::PixelRedactor {
    fn redact(&mut self, frame: &mut Frame, known: &KnownValues) -> Result<BTreeMap<String, u32>, String> {
        match self.redact_with(frame, known) {
            Ok(report) => Ok(report.counts),
            Err(e) => {
                // The next frame must be read whole: this one was not.
                self.reset();
                Err(e.to_string())
            }
        }
    }
}

/// Pixel redaction with Tesseract (the default).
pub fn tesseract() -> Result<Box<dyn FrameRedactor>, String> {
    let ocr = tracewell_ocr::Ocr::new().map_err(|e| e.to_string())?;
    Ok(Box::new(tracewell_ocr::PixelRedactor::new(ocr)))
}

/// A segment stream opener shared with the session.
pub type SharedOpener = Arc<Mutex<StreamOpener>>;

/// A condition that holds capture paused while it returns a reason.
pub type Hold = Arc<dyn Fn() -> Option<String> + Send + Sync>;

/// What to record, where, and for how long.
#[derive(Clone)]
pub struct SessionOptions {
    /// The folder segments are written to (created if needed).
    pub out: PathBuf,
    /// The X display; `None` reads `$DISPLAY`.
    pub display: Option<String>,
    /// Stop after this long; `None` records until stopped.
    pub duration: Option<Duration>,
    pub policy: Policy,
    pub capture: CaptureOptions,
    pub sink: SinkOptions,
    pub codec: Codec,
    /// How pixel redaction is set up (default: [`tesseract`]); `None`: not
    /// available.
    pub frame_redactor: Option<FrameRedactorFactory>,
    /// The control socket (`tracewell pause`); `None` for no socket.
    pub control: Option<PathBuf>,
    /// When set, segments go into these streams (the agent's sealer)
    /// instead of files in `out`: plaintext never touches the disk.
    pub streams: Option<SharedOpener>,
    /// Asked about once a second: `Some(reason)` pauses capture until it
    /// answers `None` again (the agent's full spool).
    pub hold: Option<Hold>,
    /// How often the progress callback is called.
    pub progress_every: Duration,
}

impl SessionOptions {
    /// Defaults for everything but the output folder and the policy.
    pub fn new(out: impl Into<PathBuf>, policy: Policy) -> SessionOptions {
        SessionOptions {
            out: out.into(),
            display: None,
            duration: None,
            policy,
            capture: CaptureOptions::default(),
            sink: SinkOptions::default(),
            codec: Codec::default(),
            frame_redactor: Some(tesseract),
            control: None,
            streams: None,
            hold: None,
            progress_every: Duration::from_secs(5),
        }
    }
}

/// Running counts of a session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub elapsed: Duration,
    pub paused: bool,
    /// Every record written, frames included.
    pub events: u64,
    pub key_presses: u64,
    pub clicks: u64,
    pub scrolls: u64,
    pub window_changes: u64,
    pub frames: u64,
    /// PNG bytes of all frames.
    pub frame_bytes: u64,
    /// Bytes of segment files on disk so far.
    pub bytes: u64,
    /// Matches redacted (typed text, titles, pixels).
    pub redactions: u64,
    /// Frames capture did not take because frames it took earlier were
    /// still waiting (redaction fell behind); see
    /// [`tracewell_capture::MAX_QUEUED_FRAMES`].
    pub frames_skipped: u64,
    /// What the guard withheld.
    pub withheld: Withheld,
}

/// How a session ended.
#[derive(Clone, Debug)]
pub struct Summary {
    pub recording_id: String,
    pub stats: Stats,
    /// The segment files written, in order.
    pub segments: Vec<PathBuf>,
    /// Things the person should know (frames off, hotkey unavailable …).
    pub notices: Vec<String>,
}

/// What the session will and will not capture, said before it starts.
pub fn notices(options: &SessionOptions) -> Vec<String> {
    let mut notices = Vec::new();
    if options.policy.default_allows() {
        notices.push("the policy's scope default is \"allow\": every application not denied is captured".into());
    }
    if !options.policy.modalities.screen {
        notices.push("screen capture is off in the policy: no frames".into());
    } else if options.policy.redaction.pixels == PixelRedaction::Off {
        notices.push("pixel redaction is off in the policy: frames are blanked outside allowed windows but text on screen is not redacted".into());
    }
    notices
}

/// Records until `stop` is set or the duration passes, calling `progress`
/// every `progress_every`. Stops cleanly: the events capture still held
/// are written and the last segment is finished.
pub fn record(
    options: &SessionOptions,
    stop: &AtomicBool,
    mut progress: impl FnMut(&Stats),
) -> Result<Summary, Error> {
    let policy = &options.policy;
    if !policy.allows_anything() {
        return Err(Error::NothingAllowed);
    }
    let mut notices = Vec::new();
    if let Err(e) = crate::core_dumps::forbid() {
        notices.push(format!("core dumps could not be switched off ({e}): a crash could write what the recorder holds in memory to disk"));
    }
    let mut frame_redactor = None;
    let mut frames = options.capture.frames && policy.modalities.screen;
    if frames && policy.redaction.pixels == PixelRedaction::Required {
        match options.frame_redactor.map(|make| make()) {
            Some(Ok(redactor)) => frame_redactor = Some(redactor),
            Some(Err(why)) => {
                frames = false;
                notices.push(format!("no frames: the policy requires pixel redaction and OCR is unavailable ({why})"));
            }
            None => {
                frames = false;
                notices.push("no frames: the policy requires pixel redaction and this recorder has no OCR".into());
            }
        }
    }
    let hotkey = &policy.pause_hotkey;
    let capture_options = CaptureOptions {
        frames,
        pause_hotkey: Some(HotkeySpec {
            keysym: hotkey.keysym,
            ctrl: hotkey.ctrl,
            alt: hotkey.alt,
            shift: hotkey.shift,
            super_: hotkey.super_,
        }),
        ..options.capture.clone()
    };
    let snapshot = Arc::new(Snapshot::default());
    let (control, commands) = match &options.control {
        Some(path) => {
            let (server, rx) = ControlServer::bind(path, snapshot.clone())
                .map_err(|source| Error::Control { path: path.clone(), source })?;
            (Some(server), Some(rx))
        }
        None => (None, None),
    };
    let capture = X11Capture::start(options.display.as_deref(), capture_options)?;
    if let Some(control) = &control {
        control.attach(capture.pause_switch());
    }
    if !capture.hotkey_grabbed() {
        notices.push(format!("the pause hotkey {hotkey} is taken by another application; use `tracewell pause`"));
    }
    // Password fields the accessibility bus knows of make input secure,
    // like a keyboard grab does. Stopped (and the desktop's accessibility
    // flag restored) when the session ends.
    let signal = capture.password_field_signal();
    let accessibility = match tracewell_a11y::watch(move |focused| signal.set(focused)) {
        Ok(watcher) => Some(watcher),
        Err(why) => {
            notices.push(format!("password fields are recognised by keyboard grabs only: {why}"));
            None
        }
    };
    let recording = RecordingMeta {
        recording_id: recording_id(),
        recorder_version: env!("CARGO_PKG_VERSION").to_string(),
        // Left out: a host name is often its owner's name ("jdoe-laptop"),
        // and nothing downstream needs it (the agent's sealed header names
        // the enrolled device).
        hostname: String::new(),
        screen: Some(capture.screen_size()),
    };
    let recording_id = recording.recording_id.clone();
    let sink = match &options.streams {
        Some(opener) => {
            let opener = opener.clone();
            let open: StreamOpener = Box::new(move |meta| (opener.lock().expect("opener lock"))(meta));
            SegmentSink::streaming(open, options.sink.clone(), recording)?
        }
        None => SegmentSink::new(&options.out, options.sink.clone(), recording)?,
    };
    let mut pipeline = Pipeline {
        sink,
        guard: Guard::new(policy.clone()),
        typing: TypingRedactor::new(Scanner::builtin()),
        typed_values: VecDeque::new(),
        known: KnownValues::new(),
        task_open: false,
        frame_redactor,
        encoder: FrameEncoder::new(options.codec),
        stats: Stats::default(),
        reported_withheld: Withheld::default(),
        snapshot,
    };
    let started = Instant::now();
    pipeline.write(Record::Status(Status { t_ns: now_ns(), state: RecorderState::Started, detail: None }))?;
    let mut last_progress = Instant::now();
    let mut last_hold_check = Instant::now();
    let mut held = false;
    let mut failure = None;
    loop {
        if stop.load(Ordering::SeqCst) || options.duration.is_some_and(|d| started.elapsed() >= d) {
            break;
        }
        match capture.recv_timeout(Duration::from_millis(100)) {
            Ok(Some(event)) => pipeline.event(event)?,
            Ok(None) => {}
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
        let release = pipeline.typing.tick(now_ns());
        pipeline.release(release)?;
        pipeline.sink.flush_if_due()?;
        pipeline.update_snapshot();
        if let Some(commands) = &commands {
            while let Ok(command) = commands.try_recv() {
                // Pause and resume reach the loop only if they came before
                // the capture's pause switch was attached.
                let answer = match command.verb {
                    Verb::Pause => {
                        capture.set_paused(true);
                        Ok(true)
                    }
                    Verb::Resume => {
                        capture.set_paused(false);
                        Ok(false)
                    }
                    Verb::Status => Ok(pipeline.stats.paused),
                    Verb::TaskStart { instruction } => pipeline.task_start(&instruction).map(|()| pipeline.stats.paused),
                    Verb::TaskEnd { outcome } => pipeline.task_end(outcome).map(|()| pipeline.stats.paused),
                };
                let s = &pipeline.stats;
                let reply = match answer {
                    Ok(paused) => serde_json::json!({
                        "state": if paused { "paused" } else { "recording" },
                        "task": pipeline.task_open,
                        "events": s.events,
                        "frames": s.frames,
                        "bytes": pipeline.sink.bytes_written(),
                    }),
                    Err(TaskError(why)) => serde_json::json!({ "error": why }),
                };
                pipeline.update_snapshot();
                let _ = command.reply.send(reply.to_string());
            }
        }
        if let Some(hold) = &options.hold {
            if last_hold_check.elapsed() >= Duration::from_secs(1) {
                last_hold_check = Instant::now();
                match (hold(), held) {
                    (Some(reason), false) => {
                        held = true;
                        notices.push(format!("capture paused: {reason}"));
                        capture.set_paused_by(true, PauseSource::Recorder);
                    }
                    (None, true) => {
                        held = false;
                        capture.set_paused_by(false, PauseSource::Recorder);
                    }
                    _ => {}
                }
            }
        }
        if last_progress.elapsed() >= options.progress_every {
            last_progress = Instant::now();
            pipeline.report_withheld()?;
            pipeline.report_skipped(capture.frames_skipped())?;
            pipeline.stats.elapsed = started.elapsed();
            pipeline.stats.bytes = pipeline.sink.bytes_written();
            progress(&pipeline.stats);
        }
    }
    drop(control);
    drop(accessibility);
    let skipped = capture.frames_skipped();
    for event in capture.stop() {
        pipeline.event(event)?;
    }
    let release = pipeline.typing.close();
    pipeline.release(release)?;
    pipeline.report_withheld()?;
    pipeline.report_skipped(skipped)?;
    let detail = failure.as_ref().map(|e| e.to_string());
    pipeline.write(Record::Status(Status { t_ns: now_ns(), state: RecorderState::Stopped, detail }))?;
    let Pipeline { sink, mut stats, .. } = pipeline;
    let summaries = sink.close()?;
    stats.elapsed = started.elapsed();
    stats.bytes = summaries.iter().map(|s| s.bytes).sum();
    if let Some(e) = failure {
        return Err(e.into());
    }
    Ok(Summary { recording_id, stats, segments: summaries.into_iter().map(|s| s.path).collect(), notices })
}

/// Guard, redaction and encoding in front of the segment sink.
struct Pipeline {
    sink: SegmentSink,
    guard: Guard,
    typing: TypingRedactor,
    /// Values typed-text redaction replaced, with the time they were
    /// found, oldest first; in memory only.
    typed_values: VecDeque<(MonoNs, Kind, String)>,
    /// The same values, folded for the pixel redactor.
    known: KnownValues,
    /// Whether a task marked with `tracewell task start` is open.
    task_open: bool,
    frame_redactor: Option<Box<dyn FrameRedactor>>,
    encoder: FrameEncoder,
    stats: Stats,
    reported_withheld: Withheld,
    /// What the control socket answers with.
    snapshot: Arc<Snapshot>,
}

impl Pipeline {
    /// Brings the control socket's counts up to date.
    fn update_snapshot(&self) {
        let s = &self.snapshot;
        s.task.store(self.task_open, Ordering::SeqCst);
        s.events.store(self.stats.events, Ordering::Relaxed);
        s.frames.store(self.stats.frames, Ordering::Relaxed);
        s.bytes.store(self.sink.bytes_written(), Ordering::Relaxed);
    }

    fn event(&mut self, event: Event) -> Result<(), Error> {
        let Some(event) = self.guard.apply(event) else { return Ok(()) };
        let record = match event {
            Event::Key(k) => Record::Key(k),
            Event::Button(b) => Record::Button(b),
            Event::Scroll(s) => Record::Scroll(s),
            Event::Motion(m) => Record::Motion(m),
            Event::Window(w) => {
                let (w, counts) = redact_window(w);
                if let Some(counts) = counts {
                    self.stats.redactions += counts.values().map(|&n| u64::from(n)).sum::<u64>();
                    self.write(Record::Privacy(PrivacyRecord { t_ns: w.t_ns, subject: PrivacySubject::Title, counts }))?;
                }
                Record::Window(w)
            }
            Event::Paused { t_ns, paused, source } => {
                self.stats.paused = paused;
                self.snapshot.paused.store(paused, Ordering::SeqCst);
                let state = if paused { RecorderState::Paused } else { RecorderState::Resumed };
                let detail = match source {
                    PauseSource::Hotkey => "hotkey",
                    PauseSource::Command => "command",
                    PauseSource::Recorder => "recorder",
                };
                Record::Status(Status { t_ns, state, detail: Some(detail.into()) })
            }
            // With pixel redaction, a frame waits raw for the typing run
            // (see `typing`); without it there is nothing to fill, and the
            // frame waits encoded, like any record.
            Event::Frame(frame) if self.frame_redactor.is_some() => {
                let release = self.typing.push(Item::Frame(Box::new(frame)));
                return self.release(release);
            }
            Event::Frame(frame) => {
                let png = self.encoder.encode_png(&frame)?;
                Record::Frame(EncodedFrame::new(&frame, png))
            }
            Event::Stack { .. } | Event::SecureInput { .. } => return Ok(()),
        };
        let release = self.typing.push(Item::Record(record));
        self.release(release)
    }

    /// Writes what the typing redactor released, pixel-redacting and
    /// encoding its frames with the values it found in mind.
    fn release(&mut self, release: Release) -> Result<(), Error> {
        self.remember(release.values);
        for item in release.items {
            match item {
                Item::Record(record) => self.write(record)?,
                Item::Frame(frame) => self.frame(*frame)?,
            }
        }
        Ok(())
    }

    /// Keeps newly found typed values and forgets those older than
    /// [`KNOWN_VALUE_TTL_NS`].
    fn remember(&mut self, values: Vec<(Kind, String)>) {
        let now = now_ns();
        let before = self.typed_values.len();
        while self.typed_values.front().is_some_and(|(t, _, _)| now.saturating_sub(*t) > KNOWN_VALUE_TTL_NS) {
            self.typed_values.pop_front();
        }
        let expired = self.typed_values.len() != before;
        if expired {
            self.known = KnownValues::new();
            for (_, kind, value) in &self.typed_values {
                self.known.add(*kind, value);
            }
        }
        for (kind, value) in values {
            self.known.add(kind, &value);
            self.typed_values.push_back((now, kind, value));
        }
    }

    /// Pixel-redacts, encodes and writes a frame.
    fn frame(&mut self, mut frame: Frame) -> Result<(), Error> {
        if let Some(redactor) = &mut self.frame_redactor {
            match redactor.redact(&mut frame, &self.known) {
                Ok(counts) if !counts.is_empty() => {
                    self.stats.redactions += counts.values().map(|&n| u64::from(n)).sum::<u64>();
                    self.write(Record::Privacy(PrivacyRecord { t_ns: frame.t_ns, subject: PrivacySubject::Frame, counts }))?;
                }
                Ok(_) => {}
                // Fail closed: a frame that could not be redacted is not written.
                Err(_) => return Ok(()),
            }
        }
        let png = self.encoder.encode_png(&frame)?;
        self.write(Record::Frame(EncodedFrame::new(&frame, png)))
    }

    /// Marks the start of a task (ending the open one first). The
    /// instruction is the person's own text: it is scanned and its values
    /// replaced like typed text before it is written.
    fn task_start(&mut self, instruction: &str) -> Result<(), TaskError> {
        if self.task_open {
            self.task_end(None)?;
        }
        let t_ns = now_ns();
        let redacted = Scanner::builtin().redact(instruction);
        if redacted.total() > 0 {
            let counts = redacted.counts().iter().map(|(k, n)| (k.name().to_string(), *n)).collect();
            let record = Record::Privacy(PrivacyRecord { t_ns, subject: PrivacySubject::TaskInstruction, counts });
            self.task_record(record)?;
        }
        let instruction = Some(redacted.into_inner());
        self.task_record(Record::Task(TaskMarker { t_ns, event: TaskEvent::Start, instruction, outcome: None }))?;
        self.task_open = true;
        Ok(())
    }

    /// Marks the end of the open task.
    fn task_end(&mut self, outcome: Option<TaskOutcome>) -> Result<(), TaskError> {
        if !self.task_open {
            return Err(TaskError("no task is open: start one with `tracewell task start`".into()));
        }
        self.task_record(Record::Task(TaskMarker { t_ns: now_ns(), event: TaskEvent::End, instruction: None, outcome }))?;
        self.task_open = false;
        Ok(())
    }

    /// Writes a task record through the typing redactor (it closes an open
    /// typing run, so the marker falls between the runs before and after).
    fn task_record(&mut self, record: Record) -> Result<(), TaskError> {
        let release = self.typing.push(Item::Record(record));
        self.release(release).map_err(|e| TaskError(format!("cannot write the task marker: {e}")))
    }

    fn write(&mut self, record: Record) -> Result<(), Error> {
        let stats = &mut self.stats;
        stats.events += 1;
        match &record {
            Record::Key(k) => stats.key_presses += u64::from(k.state == PressState::Press),
            Record::Button(b) => stats.clicks += u64::from(b.state == PressState::Press),
            Record::Scroll(_) => stats.scrolls += 1,
            Record::Window(_) => stats.window_changes += 1,
            Record::Frame(f) => {
                stats.frames += 1;
                stats.frame_bytes += f.png.len() as u64;
            }
            Record::Privacy(p) if p.subject == PrivacySubject::TypedText => {
                stats.redactions += p.counts.values().map(|&n| u64::from(n)).sum::<u64>();
            }
            _ => {}
        }
        self.sink.write(&record)?;
        Ok(())
    }

    /// Writes what the guard withheld since the last report, if anything.
    /// Says on `/recorder/status` (state `dropped`) how many frames capture
    /// skipped since the last report, `total` being its running count.
    fn report_skipped(&mut self, total: u64) -> Result<(), Error> {
        if total <= self.stats.frames_skipped {
            return Ok(());
        }
        let n = total - self.stats.frames_skipped;
        self.stats.frames_skipped = total;
        let detail = format!("{n} frames not taken: frame redaction fell behind");
        self.write(Record::Status(Status { t_ns: now_ns(), state: RecorderState::Dropped, detail: Some(detail) }))
    }

    fn report_withheld(&mut self) -> Result<(), Error> {
        let now = self.guard.withheld().clone();
        let before = &self.reported_withheld;
        let mut counts = BTreeMap::new();
        for (name, n, m) in [
            ("keys", now.keys, before.keys),
            ("secure_keys", now.secure_keys, before.secure_keys),
            ("buttons", now.buttons, before.buttons),
            ("scrolls", now.scrolls, before.scrolls),
            ("motions", now.motions, before.motions),
            ("window_changes", now.window_changes, before.window_changes),
            ("frames", now.frames, before.frames),
            ("frames_blanked", now.frames_blanked, before.frames_blanked),
        ] {
            if n > m {
                counts.insert(name.to_string(), (n - m).min(u64::from(u32::MAX)) as u32);
            }
        }
        self.stats.withheld = now.clone();
        self.reported_withheld = now;
        if !counts.is_empty() {
            self.write(Record::Privacy(PrivacyRecord { t_ns: now_ns(), subject: PrivacySubject::Withheld, counts }))?;
        }
        Ok(())
    }
}

/// Why a task command was refused; the message goes back to the client.
struct TaskError(String);

/// Redacts a window's title and the two parts of its `WM_CLASS` (an
/// application can put anything there: browser web apps put the site's
/// address); the counts when anything was found.
fn redact_window(mut event: WindowEvent) -> (WindowEvent, Option<BTreeMap<String, u32>>) {
    let Some(window) = event.window.as_mut() else { return (event, None) };
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for text in [&mut window.title, &mut window.app, &mut window.instance].into_iter().flatten() {
        let redacted = Scanner::builtin().redact(text);
        if redacted.total() == 0 {
            continue;
        }
        for (kind, n) in redacted.counts() {
            *counts.entry(kind.name().to_string()).or_default() += n;
        }
        *text = redacted.into_inner();
    }
    (event, (!counts.is_empty()).then_some(counts))
}

#[cfg(test)]
mod tests {
    use tracewell_model::{WindowChange, WindowInfo};

    use super::*;

    #[test]
    fn titles_and_window_classes_are_redacted() {
        let window = WindowInfo {
            id: 1,
            title: Some("Inbox — ann.lee@example.org".into()),
            app: Some("Chromium".into()),
            instance: Some("crx_ann.lee@example.org".into()),
            ..WindowInfo::default()
        };
        let event = WindowEvent { t_ns: 1, change: WindowChange::Activated, window: Some(window) };
        let (event, counts) = redact_window(event);
        let window = event.window.unwrap();
        assert_eq!(window.title.as_deref(), Some("Inbox — <EMAIL>"));
        assert_eq!(window.instance.as_deref(), Some("<EMAIL>"));
        assert_eq!(window.app.as_deref(), Some("Chromium"));
        assert_eq!(counts.unwrap().get("email"), Some(&2));
    }
}
