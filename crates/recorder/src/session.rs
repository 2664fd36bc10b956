//! The session loop.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tracewell_capture::{CaptureOptions, X11Capture, now_ns};
use tracewell_model::{Event, PauseSource, PressState};
use tracewell_segment::{
    Codec, EncodedFrame, FrameEncoder, Record, RecorderState, RecordingMeta, SegmentSink,
    SinkOptions, Status,
};

use crate::recording_id;

/// Why a session could not start or ended early.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Capture(#[from] tracewell_capture::Error),
    #[error(transparent)]
    Segment(#[from] tracewell_segment::Error),
}

/// What to record, where, and for how long.
#[derive(Clone, Debug)]
pub struct SessionOptions {
    /// The folder segments are written to (created if needed).
    pub out: PathBuf,
    /// The X display; `None` reads `$DISPLAY`.
    pub display: Option<String>,
    /// Stop after this long; `None` records until stopped.
    pub duration: Option<Duration>,
    pub capture: CaptureOptions,
    pub sink: SinkOptions,
    pub codec: Codec,
    /// How often the progress callback is called.
    pub progress_every: Duration,
}

impl SessionOptions {
    /// Defaults for everything but the output folder.
    pub fn new(out: impl Into<PathBuf>) -> SessionOptions {
        SessionOptions {
            out: out.into(),
            display: None,
            duration: None,
            capture: CaptureOptions::default(),
            sink: SinkOptions::default(),
            codec: Codec::default(),
            progress_every: Duration::from_secs(5),
        }
    }
}

/// Running counts of a session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub elapsed: Duration,
    /// Every event written, frames included.
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
}

/// How a session ended.
#[derive(Clone, Debug)]
pub struct Summary {
    pub recording_id: String,
    pub stats: Stats,
    /// The segment files written, in order.
    pub segments: Vec<PathBuf>,
}

/// Records until `stop` is set or the duration passes, calling `progress`
/// every `progress_every`. Stops cleanly: the events capture still held
/// are written and the last segment is finished.
pub fn record(
    options: &SessionOptions,
    stop: &AtomicBool,
    mut progress: impl FnMut(&Stats),
) -> Result<Summary, Error> {
    let capture = X11Capture::start(options.display.as_deref(), options.capture.clone())?;
    let recording = RecordingMeta {
        recording_id: recording_id(),
        recorder_version: env!("CARGO_PKG_VERSION").to_string(),
        hostname: hostname(),
        screen: Some(capture.screen_size()),
    };
    let recording_id = recording.recording_id.clone();
    let sink = match SegmentSink::new(&options.out, options.sink.clone(), recording) {
        Ok(sink) => sink,
        Err(e) => {
            capture.stop();
            return Err(e.into());
        }
    };
    let mut writer = Writer { sink, encoder: FrameEncoder::new(options.codec), stats: Stats::default() };
    let started = Instant::now();
    writer.status(RecorderState::Started, None)?;
    let mut last_progress = Instant::now();
    let mut failure = None;
    loop {
        if stop.load(Ordering::SeqCst) || options.duration.is_some_and(|d| started.elapsed() >= d) {
            break;
        }
        match capture.recv_timeout(Duration::from_millis(100)) {
            Ok(Some(event)) => writer.event(event)?,
            Ok(None) => {}
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
        writer.sink.flush_if_due()?;
        if last_progress.elapsed() >= options.progress_every {
            last_progress = Instant::now();
            writer.stats.elapsed = started.elapsed();
            writer.stats.bytes = writer.sink.bytes_written();
            progress(&writer.stats);
        }
    }
    for event in capture.stop() {
        writer.event(event)?;
    }
    let detail = failure.as_ref().map(|e| e.to_string());
    writer.status(RecorderState::Stopped, detail)?;
    let Writer { sink, mut stats, .. } = writer;
    let summaries = sink.close()?;
    stats.elapsed = started.elapsed();
    stats.bytes = summaries.iter().map(|s| s.bytes).sum();
    if let Some(e) = failure {
        return Err(e.into());
    }
    Ok(Summary { recording_id, stats, segments: summaries.into_iter().map(|s| s.path).collect() })
}

struct Writer {
    sink: SegmentSink,
    encoder: FrameEncoder,
    stats: Stats,
}

impl Writer {
    fn event(&mut self, event: Event) -> Result<(), Error> {
        let stats = &mut self.stats;
        stats.events += 1;
        let record = match event {
            Event::Key(k) => {
                stats.key_presses += u64::from(k.state == PressState::Press);
                Record::Key(k)
            }
            Event::Button(b) => {
                stats.clicks += u64::from(b.state == PressState::Press);
                Record::Button(b)
            }
            Event::Scroll(s) => {
                stats.scrolls += 1;
                Record::Scroll(s)
            }
            Event::Motion(m) => Record::Motion(m),
            Event::Window(w) => {
                stats.window_changes += 1;
                Record::Window(w)
            }
            Event::Stack { .. } | Event::SecureInput { .. } => {
                stats.events -= 1;
                return Ok(());
            }
            Event::Paused { t_ns, paused, source } => {
                let state = if paused { RecorderState::Paused } else { RecorderState::Resumed };
                let detail = serde_name(source);
                Record::Status(Status { t_ns, state, detail: Some(detail.into()) })
            }
            Event::Frame(frame) => {
                let png = self.encoder.encode_png(&frame)?;
                stats.frames += 1;
                stats.frame_bytes += png.len() as u64;
                Record::Frame(EncodedFrame::new(&frame, png))
            }
        };
        self.sink.write(&record)?;
        Ok(())
    }

    fn status(&mut self, state: RecorderState, detail: Option<String>) -> Result<(), Error> {
        self.sink.write(&Record::Status(Status { t_ns: now_ns(), state, detail }))?;
        Ok(())
    }
}

fn serde_name(source: PauseSource) -> &'static str {
    match source {
        PauseSource::Hotkey => "hotkey",
        PauseSource::Command => "command",
        PauseSource::Recorder => "recorder",
    }
}

/// The machine's host name, or `unknown`.
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}
