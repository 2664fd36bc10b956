//! [`SegmentWriter`]: one segment file, written chunk by chunk.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use mcap::records::{MessageHeader, Metadata};
use tracewell_model::MonoNs;

use crate::error::{Error, Result, io_err};
use crate::format::{self, DEFAULT_ZSTD_LEVEL, META_RECORD_NAME, PROFILE, SegmentMeta, Topic};
use crate::record::Record;

/// How a [`SegmentWriter`] cuts and compresses chunks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriterOptions {
    /// Close a chunk once its uncompressed size passes this many bytes.
    pub chunk_size: u64,
    /// Close a chunk once this long has passed since its first message
    /// (checked on every write and by [`SegmentWriter::flush_if_due`]).
    pub flush_interval: Duration,
    /// zstd level for chunks.
    pub zstd_level: u32,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            chunk_size: 1024 * 1024,
            flush_interval: Duration::from_secs(2),
            zstd_level: DEFAULT_ZSTD_LEVEL,
        }
    }
}

/// What a finished segment holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentSummary {
    /// The file (empty for an in-memory segment).
    pub path: PathBuf,
    pub meta: SegmentMeta,
    /// Messages written, carried ones included.
    pub messages: u64,
    /// Messages per topic.
    pub topic_counts: BTreeMap<Topic, u64>,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// Smallest and largest `t_ns` of the messages, if any.
    pub t_ns_range: Option<(MonoNs, MonoNs)>,
    /// For a streamed segment, what its [`SegmentStream`] reported.
    pub stored_as: Option<String>,
}

/// Writes one segment file: metadata first, then chunked, compressed
/// messages, then (on [`finish`](Self::finish)) the summary and footer.
///
/// Dropping a writer without `finish` still finishes the file (best
/// effort, errors ignored); a crash leaves a file that
/// [`crate::read_segment`] recovers up to the last closed chunk.
pub struct SegmentWriter {
    mcap: mcap::Writer<CountingFile>,
    /// `None` for an in-memory segment.
    file: Option<Arc<File>>,
    bytes: Arc<AtomicU64>,
    path: PathBuf,
    meta: SegmentMeta,
    options: WriterOptions,
    channels: [u16; Topic::ALL.len()],
    sequence: u32,
    chunk_opened: Option<Instant>,
    messages: u64,
    topic_counts: BTreeMap<Topic, u64>,
    t_ns_range: Option<(MonoNs, MonoNs)>,
}

impl SegmentWriter {
    /// Creates a new segment file at `path` (which must not exist yet) with
    /// default [`WriterOptions`].
    pub fn create(path: impl AsRef<Path>, meta: SegmentMeta) -> Result<SegmentWriter> {
        SegmentWriter::create_with_options(path, meta, WriterOptions::default())
    }

    /// Creates a new segment file at `path` (which must not exist yet).
    pub fn create_with_options(
        path: impl AsRef<Path>,
        meta: SegmentMeta,
        options: WriterOptions,
    ) -> Result<SegmentWriter> {
        let path = path.as_ref().to_path_buf();
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(io_err(&path))?;
        let file = Arc::new(file);
        let out = Output::File(BufWriter::with_capacity(256 * 1024, SharedFile(file.clone())));
        SegmentWriter::start(out, Some(file), path, meta, options)
    }

    /// Streams a segment into `stream` instead of a file: for callers that
    /// must not put plaintext on disk (the agent streams into the sealer).
    /// Memory holds at most the open chunk; a crash loses the segment (its
    /// stream never finishes). `finish` calls [`SegmentStream::finish`].
    pub fn to_stream(stream: Box<dyn SegmentStream>, meta: SegmentMeta, options: WriterOptions) -> Result<SegmentWriter> {
        SegmentWriter::start(Output::Stream(stream), None, PathBuf::new(), meta, options)
    }

    /// Writes a segment into memory instead of a file: for callers that
    /// must not put plaintext on disk (seal the bytes from
    /// [`finish_to_vec`](Self::finish_to_vec)). A crash loses all of it.
    pub fn in_memory(meta: SegmentMeta, options: WriterOptions) -> Result<SegmentWriter> {
        let out = Output::Memory(io::Cursor::new(Vec::new()));
        SegmentWriter::start(out, None, PathBuf::new(), meta, options)
    }

    fn start(
        out: Output,
        file: Option<Arc<File>>,
        path: PathBuf,
        meta: SegmentMeta,
        options: WriterOptions,
    ) -> Result<SegmentWriter> {
        let bytes = Arc::new(AtomicU64::new(0));
        let sink = CountingFile {
            out,
            pos: 0,
            bytes: bytes.clone(),
        };
        let opts = mcap::WriteOptions::new()
            .profile(PROFILE)
            .library(format!("tracewell-segment {}", env!("CARGO_PKG_VERSION")))
            .compression(Some(mcap::Compression::Zstd))
            .compression_level(options.zstd_level)
            // Compress on the calling thread: worker threads cost CPU.
            .compression_threads(0)
            .chunk_size(Some(options.chunk_size))
            // Build each chunk in memory and write it whole, so a file
            // never holds a chunk header whose lengths are placeholders.
            .disable_seeking(true);
        let wrap = |e: mcap::McapError| match e {
            mcap::McapError::Io(source) => Error::Io {
                path: path.clone(),
                source,
            },
            other => Error::Mcap(other),
        };
        let mut mcap = opts.create(sink).map_err(wrap)?;
        mcap.write_metadata(&Metadata {
            name: META_RECORD_NAME.to_owned(),
            metadata: meta.to_map(),
        })
        .map_err(wrap)?;
        let mut channels = [0u16; Topic::ALL.len()];
        for (i, topic) in Topic::ALL.into_iter().enumerate() {
            let schema = mcap
                .add_schema(topic.schema_name(), "jsonschema", topic.schema().as_bytes())
                .map_err(wrap)?;
            channels[i] = mcap
                .add_channel(schema, topic.name(), "json", &BTreeMap::new())
                .map_err(wrap)?;
        }
        Ok(SegmentWriter {
            mcap,
            file,
            bytes,
            path,
            meta,
            options,
            channels,
            sequence: 0,
            chunk_opened: None,
            messages: 0,
            topic_counts: BTreeMap::new(),
            t_ns_range: None,
        })
    }

    /// Writes one record.
    pub fn write(&mut self, record: &Record) -> Result<()> {
        self.write_message(record, false)
    }

    /// Writes a record repeated from an earlier segment as state (marked
    /// `"carried": true`). Only window events and frames carry the mark;
    /// other records are written as by [`write`](Self::write).
    pub fn write_carried(&mut self, record: &Record) -> Result<()> {
        self.write_message(record, true)
    }

    fn write_message(&mut self, record: &Record, carried: bool) -> Result<()> {
        let topic = record.topic();
        let t_ns = record.t_ns();
        let log_time = self.meta.log_time(t_ns);
        let data = format::encode_message(record, carried, log_time)?;
        let header = MessageHeader {
            channel_id: self.channels[topic as usize],
            sequence: self.sequence,
            log_time,
            publish_time: t_ns,
        };
        self.mcap
            .write_to_known_channel(&header, &data)
            .map_err(|e| self.wrap(e))?;
        self.sequence = self.sequence.wrapping_add(1);
        self.messages += 1;
        *self.topic_counts.entry(topic).or_insert(0) += 1;
        self.t_ns_range = Some(match self.t_ns_range {
            None => (t_ns, t_ns),
            Some((lo, hi)) => (lo.min(t_ns), hi.max(t_ns)),
        });
        let opened = *self.chunk_opened.get_or_insert_with(Instant::now);
        if opened.elapsed() >= self.options.flush_interval {
            self.flush()?;
        }
        Ok(())
    }

    /// Closes the open chunk if the flush interval has passed since its
    /// first message. Call it periodically (say once a second) so that a
    /// quiet period does not leave messages in memory. Returns whether a
    /// chunk was closed.
    pub fn flush_if_due(&mut self) -> Result<bool> {
        match self.chunk_opened {
            Some(t) if t.elapsed() >= self.options.flush_interval => {
                self.flush()?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Closes the open chunk (if any) and hands the bytes to the OS.
    pub fn flush(&mut self) -> Result<()> {
        self.mcap.flush().map_err(|e| self.wrap(e))?;
        self.chunk_opened = None;
        Ok(())
    }

    /// [`flush`](Self::flush), then `fsync` the file (for an in-memory
    /// segment, only the flush).
    pub fn sync(&mut self) -> Result<()> {
        self.flush()?;
        match &self.file {
            Some(f) => f.sync_data().map_err(io_err(&self.path)),
            None => Ok(()),
        }
    }

    /// Bytes in the file so far (closed chunks; the open chunk is in memory).
    pub fn bytes_written(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Messages written so far.
    pub fn messages(&self) -> u64 {
        self.messages
    }

    pub fn meta(&self) -> &SegmentMeta {
        &self.meta
    }

    /// The file's path (empty for an in-memory segment).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes the last chunk, writes the summary section and footer, and
    /// `fsync`s the file.
    pub fn finish(self) -> Result<SegmentSummary> {
        self.finish_inner().map(|(summary, _)| summary)
    }

    /// Like [`finish`](Self::finish), and also returns the segment's bytes
    /// (read back from the file for a file-backed writer).
    pub fn finish_to_vec(self) -> Result<(SegmentSummary, Vec<u8>)> {
        let (summary, data) = self.finish_inner()?;
        let data = match data {
            Some(d) => d,
            None => std::fs::read(&summary.path).map_err(io_err(&summary.path))?,
        };
        Ok((summary, data))
    }

    fn finish_inner(mut self) -> Result<(SegmentSummary, Option<Vec<u8>>)> {
        self.mcap.finish().map_err(|e| self.wrap(e))?;
        // `finish` leaves the summary in our buffer: flush it out.
        let mut out = self.mcap.into_inner();
        out.flush().map_err(io_err(&self.path))?;
        let mut stored_as = None;
        let data = match out.out {
            Output::Memory(cursor) => Some(cursor.into_inner()),
            Output::File(_) => None,
            Output::Stream(stream) => {
                stored_as = Some(stream.finish().map_err(io_err(&self.path))?);
                None
            }
        };
        if let Some(f) = &self.file {
            f.sync_all().map_err(io_err(&self.path))?;
        }
        let summary = SegmentSummary {
            path: self.path,
            meta: self.meta,
            messages: self.messages,
            topic_counts: self.topic_counts,
            bytes: self.bytes.load(Ordering::Relaxed),
            t_ns_range: self.t_ns_range,
            stored_as,
        };
        Ok((summary, data))
    }

    fn wrap(&self, e: mcap::McapError) -> Error {
        match e {
            mcap::McapError::Io(source) => Error::Io {
                path: self.path.clone(),
                source,
            },
            other => Error::Mcap(other),
        }
    }
}

/// An `Arc<File>` usable as a writer, so the segment writer can `fsync`
/// the file that the MCAP writer owns.
struct SharedFile(Arc<File>);

impl Write for SharedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self.0).write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        (&*self.0).flush()
    }
}

impl Seek for SharedFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        (&*self.0).seek(pos)
    }
}

/// A destination for a segment's bytes other than a file, such as a
/// sealer writing into the spool.
pub trait SegmentStream: Write + Send {
    /// Completes the destination once the segment is whole; returns a
    /// short description of where it went (for example a content hash).
    fn finish(self: Box<Self>) -> io::Result<String>;
}

/// Where a segment's bytes go.
enum Output {
    File(BufWriter<SharedFile>),
    Memory(io::Cursor<Vec<u8>>),
    Stream(Box<dyn SegmentStream>),
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::File(f) => f.write(buf),
            Output::Memory(m) => m.write(buf),
            Output::Stream(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::File(f) => f.flush(),
            Output::Memory(_) => Ok(()),
            Output::Stream(s) => s.flush(),
        }
    }
}

impl Seek for Output {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match self {
            Output::File(f) => f.seek(pos),
            Output::Memory(m) => m.seek(pos),
            // The MCAP writer (with seeking disabled) only asks where it is;
            // `CountingFile` answers that without reaching here.
            Output::Stream(_) => Err(io::Error::new(io::ErrorKind::Unsupported, "a segment stream cannot seek")),
        }
    }
}

/// A buffered output that publishes how far it has been written.
struct CountingFile {
    out: Output,
    pos: u64,
    bytes: Arc<AtomicU64>,
}

impl Write for CountingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.pos += n as u64;
        self.bytes.fetch_max(self.pos, Ordering::Relaxed);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl Seek for CountingFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        if let (Output::Stream(_), SeekFrom::Current(0)) = (&self.out, pos) {
            return Ok(self.pos);
        }
        self.pos = self.out.seek(pos)?;
        Ok(self.pos)
    }
}
