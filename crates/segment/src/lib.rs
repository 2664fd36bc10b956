//! Tracewell's segment format: a recording as MCAP files.
//!
//! A segment is one MCAP file holding a stretch of a recording: keyboard,
//! mouse, scroll and motion input, active-window changes, screen frames
//! (PNG) and recorder status, each as JSON messages with JSON Schemas. The
//! format, version `tracewell.segment/1.2`, is documented in [`format`](mod@format).
//!
//! - [`SegmentWriter`]: writes one segment file, closing a chunk every
//!   megabyte or every couple of seconds so a crash loses little.
//! - [`SegmentSink`]: writes a recording into a folder, rotating segments
//!   by duration and size and carrying the latest window and frame over
//!   so each segment stands alone.
//! - [`read_segment`] → [`SegmentContents`]: metadata and typed
//!   [`Record`]s back, recovering every complete chunk of a truncated file;
//!   [`list_segments`], [`read_meta`].
//! - [`FrameEncoder`] / [`BandPngEncoder`] ([`frame_codec`]): lossless
//!   BGRX → PNG encoding that re-compresses only the rows that changed;
//!   [`decode_png`] for the way back.
//! - [`Error`]: the crate's one error type.

mod band_png;
mod error;
pub mod format;
pub mod frame_codec;
mod reader;
mod record;
mod sink;
mod writer;

pub use band_png::{BandOptions, BandPngEncoder, adler32_combine};
pub use error::{Error, Result};
pub use format::{FORMAT_VERSION, META_RECORD_NAME, SegmentMeta, Topic, log_time};
pub use frame_codec::{Codec, FrameEncoder, PngFilter, PngLevel, RgbImage, decode_png};
pub use reader::{
    SegmentContents, SegmentMessage, list_segments, read_meta, read_segment, read_segment_bytes,
};
pub use record::{
    EncodedFrame, PrivacyRecord, PrivacySubject, Record, RecorderState, Status, TaskEvent, TaskMarker, TaskOutcome,
};
pub use sink::{
    Anchor, Clock, RecordingMeta, SegmentSink, SinkOptions, StreamOpener, SystemClock, monotonic_ns,
};
pub use writer::{SegmentStream, SegmentSummary, SegmentWriter, WriterOptions};
