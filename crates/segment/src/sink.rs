//! [`SegmentSink`]: a recording as a folder of segments, rotated by
//! duration and size, each segment standing alone.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tracewell_model::{MonoNs, WindowEvent};

use crate::error::{Error, Result};
use crate::format::{FORMAT_VERSION, SegmentMeta};
use crate::record::{EncodedFrame, Record, TaskEvent, TaskMarker};
use crate::writer::{SegmentStream, SegmentSummary, SegmentWriter, WriterOptions};

/// What stays the same across a recording's segments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordingMeta {
    /// Names the segment files, so: letters, digits, `-`, `_`, `.` only.
    pub recording_id: String,
    pub recorder_version: String,
    /// Written to every segment; the recorder leaves it empty (see the
    /// format's metadata table).
    pub hostname: String,
    /// Root window size (width, height), if known.
    pub screen: Option<(u32, u32)>,
}

/// When a [`SegmentSink`] starts a new segment, and how it writes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SinkOptions {
    /// Start a new segment once a record's `t_ns` is this far past the
    /// first record of the current segment.
    pub max_duration: Duration,
    /// Start a new segment once the current file has reached this size.
    /// The file may exceed it by up to one chunk.
    pub max_bytes: u64,
    /// Chunking and compression of each segment.
    pub writer: WriterOptions,
}

impl Default for SinkOptions {
    fn default() -> Self {
        SinkOptions {
            max_duration: Duration::from_secs(60),
            max_bytes: 64 * 1024 * 1024,
            writer: WriterOptions::default(),
        }
    }
}

/// A wall-clock and monotonic reading taken together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchor {
    /// Unix time, ns.
    pub wall_ns: u64,
    /// `CLOCK_MONOTONIC`, ns (the clock of every `t_ns`).
    pub mono_ns: MonoNs,
}

/// Where a [`SegmentSink`] gets each segment's time anchor.
pub trait Clock: Send {
    fn anchor(&self) -> Anchor;
}

/// The real clocks: `SystemTime` and `CLOCK_MONOTONIC`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn anchor(&self) -> Anchor {
        let mono_ns = monotonic_ns();
        let wall_ns = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Anchor { wall_ns, mono_ns }
    }
}

/// `CLOCK_MONOTONIC` in ns.
pub fn monotonic_ns() -> MonoNs {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC always exists.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Opens the stream each new segment of a streaming sink is written to.
pub type StreamOpener = Box<dyn FnMut(&SegmentMeta) -> std::io::Result<Box<dyn SegmentStream>> + Send>;

/// Writes a recording into a folder as a series of segments
/// `<recording_id>-<sequence:05>.mcap`, starting a new one when the current
/// one is `max_duration` long or `max_bytes` big.
///
/// Every segment after the first starts with the latest window event and
/// the latest frame seen so far, and the start of a task still open,
/// marked carried (see the format docs), so each segment can be read,
/// sealed and used on its own.
pub struct SegmentSink {
    dir: PathBuf,
    /// Where segments go instead of files in `dir`.
    streams: Option<StreamOpener>,
    options: SinkOptions,
    recording: RecordingMeta,
    clock: Box<dyn Clock>,
    current: Option<SegmentWriter>,
    /// `t_ns` of the current segment's first live record.
    current_start: Option<MonoNs>,
    next_sequence: u32,
    finished: Vec<SegmentSummary>,
    finished_bytes: u64,
    last_window: Option<WindowEvent>,
    last_frame: Option<EncodedFrame>,
    /// The start marker of the task open now, if any.
    open_task: Option<TaskMarker>,
}

impl SegmentSink {
    /// Opens a sink on `dir` (created if needed) with the system clocks,
    /// and creates the first segment file.
    pub fn new(
        dir: impl AsRef<Path>,
        options: SinkOptions,
        recording: RecordingMeta,
    ) -> Result<SegmentSink> {
        SegmentSink::with_clock(dir, options, recording, Box::new(SystemClock))
    }

    /// Like [`new`](Self::new), with the clock that anchors each segment.
    pub fn with_clock(
        dir: impl AsRef<Path>,
        options: SinkOptions,
        recording: RecordingMeta,
        clock: Box<dyn Clock>,
    ) -> Result<SegmentSink> {
        let dir = dir.as_ref().to_path_buf();
        check_id(&recording.recording_id)?;
        fs::create_dir_all(&dir).map_err(|source| Error::DirNotWritable {
            dir: dir.clone(),
            source,
        })?;
        let mut sink = SegmentSink {
            dir,
            streams: None,
            options,
            recording,
            clock,
            current: None,
            current_start: None,
            next_sequence: 0,
            finished: Vec::new(),
            finished_bytes: 0,
            last_window: None,
            last_frame: None,
            open_task: None,
        };
        sink.open_next()?;
        Ok(sink)
    }

    /// A sink that writes each segment into a stream from `open` instead of
    /// a file (the agent: plaintext never touches the disk).
    pub fn streaming(open: StreamOpener, options: SinkOptions, recording: RecordingMeta) -> Result<SegmentSink> {
        check_id(&recording.recording_id)?;
        let mut sink = SegmentSink {
            dir: PathBuf::new(),
            streams: Some(open),
            options,
            recording,
            clock: Box::new(SystemClock),
            current: None,
            current_start: None,
            next_sequence: 0,
            finished: Vec::new(),
            finished_bytes: 0,
            last_window: None,
            last_frame: None,
            open_task: None,
        };
        sink.open_next()?;
        Ok(sink)
    }

    /// Writes a record, first starting a new segment if the current one is
    /// full or long enough.
    pub fn write(&mut self, record: &Record) -> Result<()> {
        let t_ns = record.t_ns();
        if self.due_for_rotation(t_ns) {
            self.rotate()?;
        }
        let writer = match &mut self.current {
            Some(w) => w,
            None => self.open_next()?,
        };
        writer.write(record)?;
        self.current_start.get_or_insert(t_ns);
        match record {
            Record::Window(w) => self.last_window = Some(w.clone()),
            Record::Frame(f) => self.last_frame = Some(f.clone()),
            Record::Task(t) => self.open_task = (t.event == TaskEvent::Start).then(|| t.clone()),
            _ => {}
        }
        Ok(())
    }

    fn due_for_rotation(&self, t_ns: MonoNs) -> bool {
        let Some(writer) = &self.current else {
            return false;
        };
        if writer.bytes_written() >= self.options.max_bytes {
            return true;
        }
        match self.current_start {
            Some(start) => {
                t_ns.saturating_sub(start) as u128 >= self.options.max_duration.as_nanos()
            }
            None => false,
        }
    }

    /// Finishes the current segment now; the next record starts a new one
    /// (with the carried window, frame and open task at its head).
    pub fn rotate(&mut self) -> Result<()> {
        if let Some(writer) = self.current.take() {
            let summary = writer.finish()?;
            self.finished_bytes += summary.bytes;
            self.finished.push(summary);
        }
        self.current_start = None;
        Ok(())
    }

    fn open_next(&mut self) -> Result<&mut SegmentWriter> {
        let sequence = self.next_sequence;
        let segment_id = format!("{}-{sequence:05}", self.recording.recording_id);
        let anchor = self.clock.anchor();
        let meta = SegmentMeta {
            format: FORMAT_VERSION.to_owned(),
            recording_id: self.recording.recording_id.clone(),
            segment_id: segment_id.clone(),
            sequence,
            wall_anchor_ns: anchor.wall_ns,
            mono_anchor_ns: anchor.mono_ns,
            recorder_version: self.recording.recorder_version.clone(),
            hostname: self.recording.hostname.clone(),
            screen: self.recording.screen,
        };
        let path = self.dir.join(format!("{segment_id}.mcap"));
        let created = match &mut self.streams {
            Some(open) => {
                let stream = open(&meta).map_err(|source| Error::Io { path: PathBuf::from(&segment_id), source })?;
                SegmentWriter::to_stream(stream, meta, self.options.writer.clone())
            }
            None => SegmentWriter::create_with_options(&path, meta, self.options.writer.clone()),
        };
        let mut writer = created
            .map_err(|e| match e {
                Error::Io { source, .. }
                    if sequence == 0 && source.kind() != std::io::ErrorKind::AlreadyExists =>
                {
                    Error::DirNotWritable {
                        dir: self.dir.clone(),
                        source,
                    }
                }
                other => other,
            })?;
        self.next_sequence += 1;
        let mut carried: Vec<Record> = Vec::new();
        if let Some(w) = &self.last_window {
            carried.push(Record::Window(w.clone()));
        }
        if let Some(f) = &self.last_frame {
            carried.push(Record::Frame(f.clone()));
        }
        if let Some(t) = &self.open_task {
            carried.push(Record::Task(t.clone()));
        }
        carried.sort_by_key(Record::t_ns);
        for record in &carried {
            writer.write_carried(record)?;
        }
        Ok(self.current.insert(writer))
    }

    /// Closes the current chunk if its flush interval has passed (call it
    /// about once a second).
    pub fn flush_if_due(&mut self) -> Result<()> {
        if let Some(w) = &mut self.current {
            w.flush_if_due()?;
        }
        Ok(())
    }

    /// Closes the current chunk and `fsync`s the current file.
    pub fn sync(&mut self) -> Result<()> {
        if let Some(w) = &mut self.current {
            w.sync()?;
        }
        Ok(())
    }

    /// Bytes written to disk so far, all segments of this sink together.
    pub fn bytes_written(&self) -> u64 {
        self.finished_bytes + self.current.as_ref().map_or(0, |w| w.bytes_written())
    }

    /// The file being written, if any.
    pub fn current_path(&self) -> Option<&Path> {
        self.current.as_ref().map(|w| w.path())
    }

    /// Segments finished so far (ready to be sealed).
    pub fn finished(&self) -> &[SegmentSummary] {
        &self.finished
    }

    /// Takes the summaries of the segments finished so far, so that the
    /// caller can hand them on (to sealing) as they complete.
    pub fn take_finished(&mut self) -> Vec<SegmentSummary> {
        std::mem::take(&mut self.finished)
    }

    /// Finishes the current segment and returns the summaries of all
    /// finished segments not yet taken.
    pub fn close(mut self) -> Result<Vec<SegmentSummary>> {
        self.rotate()?;
        Ok(std::mem::take(&mut self.finished))
    }
}

fn check_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidId(id.to_owned()))
    }
}
